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


def _no_mandatory_violation_from_any_pack(stack: str, code: int, document: dict) -> None:
    mandatory = [
        f"{v['pack']}/{v['policy']} {v['urn']}: {v['message']}"
        for v in document["violations"]
        if v["level"] == "mandatory"
    ]
    assert not mandatory, "\n".join(mandatory)
    assert code == 0
    assert {p["name"] for p in document["packs"]} >= {"blueprints-security", "blueprints-cost", "blueprints-wiring"}


def _the_security_packs_decided_findings_are_the_known_ones(stack: str, code: int, document: dict) -> None:
    decided = [
        v for v in document["violations"] if v["pack"] == "blueprints-security" and not _UNDECIDED.match(v["message"])
    ]
    assert {(v["policy"], v["urn"].rsplit("::", 1)[-1]) for v in decided} == SECURITY_DECIDED[stack], "\n".join(
        v["message"] for v in decided
    )
    assert {v["level"] for v in decided} == {"advisory"}


def _every_rule_that_cannot_decide_at_the_first_preview_decides_at_up(stack: str, code: int, document: dict) -> None:
    """At `pulumi up` every value is known: what a first preview cannot decide comes from its preview
    phase only."""
    undecided = [v for v in document["violations"] if _UNDECIDED.match(v["message"])]
    assert undecided, "a first preview of a new stack has computed values no rule can read"
    assert {v["level"] for v in undecided} == {"advisory"}
    if document["mode"] == "up":
        assert all(v["atPreview"] for v in undecided), [v["urn"] for v in undecided if not v["atPreview"]]


def _every_architecture_of_the_stack_is_deployed(stack: str, code: int, document: dict) -> None:
    components = {r["type"] for r in document["resources"] if not r["custom"]}
    assert ARCHITECTURES[stack] <= components, ARCHITECTURES[stack] - components


def _every_resource_uses_an_explicit_provider_in_a_stack_region(stack: str, code: int, document: dict) -> None:
    regions = {"us-east-1", "us-west-2"}
    for r in document["resources"]:
        if r["custom"] and r["type"].startswith("aws:"):
            assert r["provider"], f"{r['urn']} uses the default provider"
            assert r["region"] in regions | {None}, r["urn"]


def _accounts_match_the_stack(stack: str, code: int, document: dict) -> None:
    accounts = {r["account"] for r in document["resources"] if r["custom"] and r["type"].startswith("aws:")}
    assert accounts == ({"111111111111"} if stack == "dev" else {"111111111111", "222222222222"})


CHECKS = (
    _no_mandatory_violation_from_any_pack,
    _the_security_packs_decided_findings_are_the_known_ones,
    _every_rule_that_cannot_decide_at_the_first_preview_decides_at_up,
    _every_architecture_of_the_stack_is_deployed,
    _every_resource_uses_an_explicit_provider_in_a_stack_region,
    _accounts_match_the_stack,
)


# One test per preview, running every check on it: pytest-xdist spreads tests, not fixtures, so a
# preview shared by several tests would run again on each worker that gets one of them.
@pytest.mark.parametrize("stack, mode", [("dev", "up"), ("prod", "up"), ("dev", "preview"), ("prod", "preview")])
def test_the_shipped_stack(stack, mode):
    done = subprocess.run(
        [sys.executable, "-m", "preview", "--stack", stack, "--mode", mode, "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr
    document = json.loads(done.stdout)
    failed = []
    for check in CHECKS:
        try:
            check(stack, done.returncode, document)
        except AssertionError as exc:
            failed.append(f"{check.__name__.strip('_')}: {exc}")
    assert not failed, "\n\n".join(failed)
