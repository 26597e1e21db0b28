"""The shipped stacks end to end: `python -m preview` with every policy pack over the Analyzer
protocol, as a pull request's preview runs them, in both modes: `--mode preview` (a first
`pulumi preview`, computed values unknown) and `--mode up` (its preview phase, then the update with
every value known)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURES = {
    "dev": {
        "blueprints:global_events:GlobalEventBus",
        "blueprints:private_api:CrossAccountPrivateApi",
        "blueprints:leasing:LeasingPlatform",
        "blueprints:gaming:GamingWorkstation",
    },
    "prod": {
        "blueprints:global_events:GlobalEventBus",
        "blueprints:private_api:CrossAccountPrivateApi",
        "blueprints:resilient_api:MultiRegionPrivateApi",
        "blueprints:leasing:LeasingPlatform",
    },
}

# The advisory the pack SDK makes of a rule that read an unknown value (pulumi-policy
# sdk/python/lib/pulumi_policy/policy.py, Analyze: "can't run policy '{name}' from policy pack
# '{pack}@v{version}' during preview: ..."); the rule decides once the value is known.
_UNDECIDED = re.compile(r"^can't run policy '[^']+' from policy pack '[^']+' during preview: ")

# What the security pack decides on the shipped stacks, every one an advisory a platform team acts on
# or keeps knowingly (policies/security/README.md, "Findings left on the shipped stacks"). A new
# finding or a fixed one changes this list on purpose.
_BOTH_STACKS = {
    # API Gateway keeps no record of rejected calls to the lease API (IAM-signed; its functions log).
    ("lp-apigw-stage-logging", "leasing-us-east-1-api-stage"),
    ("lp-apigw-stage-logging", "leasing-us-east-1-api-settings"),
    # One per stack, naming every log group without a customer-managed key.
    ("lp-loggroup-kms", "orders-events-primary-catch-all-logs"),
    # Topics CloudWatch alarms and AWS Budgets publish to: the AWS-managed SNS key cannot admit them.
    ("lp-sns-encrypted", "monthly-budget-alerts"),
    ("lp-sns-encrypted", "orders-events-primary-alerts"),
    ("lp-sns-encrypted", "orders-events-secondary-alerts"),
}
SECURITY_DECIDED = {
    "dev": _BOTH_STACKS
    | {
        ("lp-vpc-baseline", "gaming-net-vpc"),  # flow logs and default SG, naming every VPC
        # lowered to advisory with its reason in policies/security/config/dev.json
        ("lp-ec2-public-ip-only-with-eip-optin", "gaming-lt"),
    },
    "prod": _BOTH_STACKS
    | {
        ("lp-vpc-baseline", "leasing-us-east-1-net-vpc"),
        ("lp-apigw-stage-logging", "leasing-us-west-2-api-stage"),
        ("lp-apigw-stage-logging", "leasing-us-west-2-api-settings"),
    },
}


@pytest.fixture(scope="module", params=[("dev", "up"), ("prod", "up"), ("dev", "preview"), ("prod", "preview")])
def preview(request):
    stack, mode = request.param
    done = subprocess.run(
        [sys.executable, "-m", "preview", "--stack", stack, "--mode", mode, "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr
    return stack, done.returncode, json.loads(done.stdout)


def test_no_mandatory_violation_from_any_pack(preview):
    _stack, code, document = preview
    mandatory = [
        f"{v['pack']}/{v['policy']} {v['urn']}: {v['message']}"
        for v in document["violations"]
        if v["level"] == "mandatory"
    ]
    assert not mandatory, "\n".join(mandatory)
    assert code == 0
    assert {p["name"] for p in document["packs"]} >= {"blueprints-security", "blueprints-cost", "blueprints-wiring"}


def test_the_security_packs_decided_findings_are_the_known_ones(preview):
    stack, _, document = preview
    decided = [
        v for v in document["violations"] if v["pack"] == "blueprints-security" and not _UNDECIDED.match(v["message"])
    ]
    assert {(v["policy"], v["urn"].rsplit("::", 1)[-1]) for v in decided} == SECURITY_DECIDED[stack], "\n".join(
        v["message"] for v in decided
    )
    assert {v["level"] for v in decided} == {"advisory"}


def test_every_rule_that_cannot_decide_at_the_first_preview_decides_at_up(preview):
    """At `pulumi up` every value is known: what a first preview cannot decide comes from its preview
    phase only, and the preview mode shows the same undecided rules."""
    _stack, _, document = preview
    undecided = [v for v in document["violations"] if _UNDECIDED.match(v["message"])]
    assert undecided, "a first preview of a new stack has computed values no rule can read"
    assert {v["level"] for v in undecided} == {"advisory"}
    if document["mode"] == "up":
        assert all(v["atPreview"] for v in undecided), [v["urn"] for v in undecided if not v["atPreview"]]


def test_every_architecture_of_the_stack_is_deployed(preview):
    stack, _, document = preview
    components = {r["type"] for r in document["resources"] if not r["custom"]}
    assert ARCHITECTURES[stack] <= components, ARCHITECTURES[stack] - components


def test_every_resource_uses_an_explicit_provider_in_a_stack_region(preview):
    _stack, _, document = preview
    regions = {"us-east-1", "us-west-2"}
    for r in document["resources"]:
        if r["custom"] and r["type"].startswith("aws:"):
            assert r["provider"], f"{r['urn']} uses the default provider"
            assert r["region"] in regions | {None}, r["urn"]


def test_accounts_match_the_stack(preview):
    stack, _, document = preview
    accounts = {r["account"] for r in document["resources"] if r["custom"] and r["type"].startswith("aws:")}
    assert accounts == ({"111111111111"} if stack == "dev" else {"111111111111", "222222222222"})
