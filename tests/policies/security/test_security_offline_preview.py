"""The pack through the offline preview: a small program runs under the fake AWS, the pack runs as its
own process and is served over the Analyzer protocol, with config that changes levels and exceptions
(reconciled and validated by the preview as the engine does)."""

from pathlib import Path

import pytest

from preview.analyzer import AnalyzerError, PolicyPacks, stack_resources
from preview.engine import run_program
from preview.report import build_document, exit_code

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixture_project"
PACK = HERE.parents[2] / "policies" / "security"
STACK = "test"

EXPECTED = {  # (policy, resource) -> the token its finding names
    ("lp-sg-no-public-admin-ports", "workstation-sg"): "Port::tcp/3389",
    ("lp-iam-no-wildcard-action", "fn-policy"): "Action::s3:*",
    ("lp-apigw-private-api-policy", "leases-api"): "Policy::absent",
    ("lp-apigw-method-auth", "get-leases"): "Authorization::NONE",
}
ADVISORIES = {("lp-vpc-baseline", "vpc"): "FlowLogs::missing"}  # the fixture's VPC has no flow logs


def _found(diagnostics) -> dict[tuple[str, str], tuple[str, str]]:
    """(policy, resource name) -> (level, message) for the security pack's diagnostics (the messages of
    several diagnostics on one resource joined)."""
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for d in diagnostics:
        if d.pack != "blueprints-security":
            continue
        key = (d.policy, d.urn.rsplit("::", 1)[-1])
        level, message = found.get(key, (d.level, ""))
        found[key] = (level if level == "mandatory" else d.level, f"{message}\n{d.message}".strip())
    return found


@pytest.fixture(scope="module")
def served():
    """One program run and one pack process; each test reconfigures the pack as the engine would."""
    run = run_program(FIXTURE, STACK)
    resources = stack_resources(
        run.resources, project=run.project, stack=run.stack, outputs=run.outputs, config=run.config
    )
    packs = PolicyPacks([PACK], project=run.project, stack=STACK).start()
    settings = dict(
        stack=STACK, project=run.project, organization="organization", dry_run=True, config={}, config_secret_keys=[]
    )

    def analyze(config: dict | None, raw: bool = False):
        packs.packs[0].configure(config, settings)
        diagnostics = packs.run(resources)
        if raw:
            return run, diagnostics
        return _found(diagnostics)

    yield analyze
    packs.stop()


def test_the_preview_fails_on_the_fixture_with_one_finding_per_problem(served):
    run, diagnostics = served(None, raw=True)
    document = build_document(
        project=run.project,
        stack=run.stack,
        records=run.resources,
        outputs=run.outputs,
        diagnostics=diagnostics,
        packs=[],
        warnings=run.warnings,
        default_provider={"region": "us-east-1", "account": "111111111111"},
    )
    assert exit_code(document) == 1 and document["summary"]["violations"]["mandatory"] == len(EXPECTED)
    found = {(v["policy"], v["urn"].rsplit("::", 1)[-1]): v for v in document["violations"]}
    assert set(found) == set(EXPECTED) | set(ADVISORIES)
    for key, token in EXPECTED.items():
        assert found[key]["level"] == "mandatory"
        assert f"{key[1]} (" in found[key]["message"] and f" {token} at " in found[key]["message"]
    for (policy, name), token in ADVISORIES.items():
        assert any(
            v["policy"] == policy
            and v["level"] == "advisory"
            and f"{name} (" in v["message"]
            and f" {token} at " in v["message"]
            for v in document["violations"]
        )
    # The stack rule's finding is reported on the method, found through the engine's property dependencies.
    assert found[("lp-apigw-method-auth", "get-leases")]["urn"].endswith("aws:apigateway/method:Method::get-leases")
    # The allow-listed Lambda VPC access policy is attached in the fixture and passes.
    assert not any(v["policy"] == "lp-iam-no-aws-managed-policies" for v in document["violations"])


def test_config_changes_levels_and_disables_rules(served):
    found = served(
        {"lp-sg-no-public-admin-ports": "advisory", "lp-iam-no-wildcard-action": {"enforcementLevel": "disabled"}}
    )
    assert found[("lp-sg-no-public-admin-ports", "workstation-sg")][0] == "advisory"
    assert ("lp-iam-no-wildcard-action", "fn-policy") not in found
    assert found[("lp-apigw-method-auth", "get-leases")][0] == "mandatory"
    everything_advisory = served({"all": "advisory"})
    assert set(everything_advisory) == set(EXPECTED) | set(ADVISORIES)
    assert {level for level, _ in everything_advisory.values()} == {"advisory"}


def test_reasoned_exceptions_waive_exactly_their_findings(served):
    found = served(
        {
            "lp-sg-no-public-admin-ports": {
                "exceptions": [
                    {"resource": "workstation-sg", "token": "Port::tcp/3389", "reason": "lab stack, torn down nightly"}
                ]
            },
            "lp-iam-no-wildcard-action": {
                "exceptions": [
                    {
                        "resource": "fn-*",
                        "token": "Action::s3:*",
                        "reason": "bucket is the function's own scratch space",
                    }
                ]
            },
        }
    )
    assert set(found) == (set(EXPECTED) | set(ADVISORIES)) - {
        ("lp-sg-no-public-admin-ports", "workstation-sg"),
        ("lp-iam-no-wildcard-action", "fn-policy"),
    }


def test_an_exception_without_reason_is_a_violation_and_waives_nothing(served):
    found = served(
        {"lp-sg-no-public-admin-ports": {"exceptions": [{"resource": "workstation-sg", "token": "Port::tcp/3389"}]}}
    )
    level, message = found[("lp-sg-no-public-admin-ports", "workstation-sg")]
    assert level == "mandatory"
    assert " Port::tcp/3389 at " in message
    assert (
        "exception #0 (resource='workstation-sg', token='Port::tcp/3389') of lp-sg-no-public-admin-ports "
        "has no reason" in message
    )


def test_options_reach_the_rules(served):
    found = served(
        {
            "lp-apigw-method-auth": {"exemptHttpMethods": ["OPTIONS", "GET"]},
            "lp-iam-no-aws-managed-policies": {"allowedManagedPolicies": []},
        }
    )
    assert ("lp-apigw-method-auth", "get-leases") not in found
    level, message = found[("lp-iam-no-aws-managed-policies", "fn-vpc-access")]
    assert level == "mandatory" and "ManagedPolicy::service-role/AWSLambdaVPCAccessExecutionRole" in message


@pytest.mark.parametrize(
    "config, problem",
    [
        ({"lp-sg-no-public-admin-ports": {"adminPorts": "tcp/3389"}}, "adminPorts"),
        ({"lp-iam-no-wildcard-action": {"exceptions": [{"resource": "x", "reson": "typo"}]}}, "reson"),
        ({"lp-no-such-rule": "advisory"}, "unknown policies"),
    ],
)
def test_config_the_schema_rejects_fails_before_analysis(served, config, problem):
    with pytest.raises(AnalyzerError, match=problem):
        served(config)
