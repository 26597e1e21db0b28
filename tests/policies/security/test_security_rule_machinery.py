"""The machinery every rule shares: unknown values, reasoned exceptions, config, errors, the README."""

import re
from pathlib import Path

import pytest
import security_rules
from pulumi_policy import EnforcementLevel
from security_policy_helpers import UNKNOWN, allow, analyze, check, policy_doc, servicer
from security_rules._core import Finding, glob_match, resource_rule

PACK_DIR = Path(security_rules.__file__).resolve().parents[1]
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SG = "aws:ec2/securityGroup:SecurityGroup"


# --- unknown values ------------------------------------------------------------------------------------------


def test_a_rule_that_touches_an_unknown_by_accident_reports_undecided_not_pass():
    sloppy = resource_rule(
        name="t-sloppy",
        description="test",
        types={SG},
        level=EnforcementLevel.MANDATORY,
        check=lambda res, cfg: [Finding("X::y", "w", "m")] if res.props["description"] else [],
    )
    outcome = _run_policy(sloppy, SG, {"description": UNKNOWN})
    assert outcome["undecided"] and "description" in outcome["undecided"]


def test_unknown_at_preview_is_an_advisory_even_for_a_mandatory_rule_and_findings_made_before_stay():
    doc = policy_doc(allow("s3:*", "arn:aws:s3:::b/*"))
    props = {
        "assumeRolePolicy": "{}",
        "inlinePolicies": [{"name": "known", "policy": doc}, {"name": "later", "policy": UNKNOWN}],
    }
    response = analyze(servicer(), "aws:iam/role:Role", props, name="fn-role")
    wildcard = [d for d in response.diagnostics if d.policyName == "lp-iam-no-wildcard-action"]
    assert [d.enforcementLevel for d in wildcard] == [1, 0]  # the known finding (MANDATORY), then the advisory
    assert "Action::s3:*" in wildcard[0].message
    assert "can't run policy 'lp-iam-no-wildcard-action'" in wildcard[1].message
    assert "inlinePolicies[1].policy" in wildcard[1].message and "pulumi up" in wildcard[1].message


# --- errors inside rules ---------------------------------------------------------------------------------------


def _broken(res, cfg):
    yield Finding("Before::crash", "here", "found first")
    raise KeyError("missing-key")


def _run_policy(rule, type_, props, config=None):
    from pulumi_policy.proxy import UnknownValueError
    from security_policy_helpers import ResourceValidationArgs, options, urn

    found = []
    args = ResourceValidationArgs(type_, props, urn(type_, "subject"), "subject", options(), None, config)
    result = {"violations": found, "undecided": None}
    try:
        rule.policy.validate(args, lambda message, _urn=None: found.append(message))
    except UnknownValueError as error:
        result["undecided"] = error.message
    return result


def test_an_exception_inside_a_rule_is_reported_as_a_violation_and_earlier_findings_are_kept():
    rule = resource_rule(
        name="t-broken", description="test", types={SG}, level=EnforcementLevel.MANDATORY, check=_broken
    )
    outcome = _run_policy(rule, SG, {"description": "x"})
    assert "Before::crash" in outcome["violations"][0]
    assert "internal error in rule t-broken: KeyError: 'missing-key'" in outcome["violations"][1]
    assert "test_security_rule_machinery.py" in outcome["violations"][1]


def test_an_exception_while_reading_the_resource_is_reported_too():
    class Exploding(dict):
        def __iter__(self):
            raise RuntimeError("boom")

        items = __iter__

    outcome = _run_policy(security_rules.RULES[0], ROLE_POLICY, Exploding(policy="{}"))
    assert outcome["violations"] == [
        "internal error in rule lp-iam-no-wildcard-action: RuntimeError: boom. The rule "
        "could not run; report this as a bug in the policy pack."
    ]


def test_invalid_config_is_reported_and_the_rule_does_not_run():
    outcome = check("lp-sg-no-public-admin-ports", SG, {"ingress": []}, config={"adminPorts": ["rdp"]})
    assert len(outcome.violations) == 1
    assert "config of lp-sg-no-public-admin-ports is invalid at adminPorts/0" in outcome.violations[0]


def test_config_numbers_arriving_as_floats_are_accepted():
    # The engine sends config through protobuf Struct: every number is a double.
    props = {"description": "x", "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 2}}
    response = analyze(servicer({"lp-ec2-imdsv2": {"maxHopLimit": 2}}), "aws:ec2/launchTemplate:LaunchTemplate", props)
    assert not [d for d in response.diagnostics if d.policyName == "lp-ec2-imdsv2"]


# --- exceptions ---------------------------------------------------------------------------------------------------

DOC = policy_doc(allow(["s3:*", "sqs:*"], "arn:aws:s3:::b/*"))


@pytest.mark.parametrize(
    "exception, remaining",
    [
        ({"resource": "fn-*", "token": "Action::s3:*", "reason": "r"}, ["Action::sqs:*"]),
        ({"resource": "urn:pulumi:test::*::fn-policy", "reason": "r"}, []),
        ({"token": "Action::*", "reason": "r"}, []),
        ({"rule": "lp-iam-no-wildcard-action", "token": "Action::s3:*", "reason": "r"}, ["Action::sqs:*"]),
        ({"resource": "other-*", "token": "Action::s3:*", "reason": "r"}, ["Action::s3:*", "Action::sqs:*"]),
    ],
)
def test_exceptions_match_resource_name_or_urn_and_token_globs(exception, remaining):
    outcome = check(
        "lp-iam-no-wildcard-action", ROLE_POLICY, {"policy": DOC}, name="fn-policy", config={"exceptions": [exception]}
    )
    assert sorted(re.search(r" (\S+) at ", v).group(1) for v in outcome.violations) == remaining


@pytest.mark.parametrize(
    "exception, problem",
    [
        ({"resource": "fn-*", "token": "Action::s3:*"}, "has no reason"),
        ({"resource": "fn-*", "token": "Action::s3:*", "reason": ""}, "has no reason"),
        ({"reason": "everything is fine"}, "names neither a resource nor a token"),
        (
            {"rule": "lp-iam-no-wildcard-resource", "token": "Action::s3:*", "reason": "r"},
            "is listed under lp-iam-no-wildcard-action",
        ),
    ],
)
def test_an_exception_without_reason_or_target_waives_nothing_and_is_itself_a_violation(exception, problem):
    outcome = check(
        "lp-iam-no-wildcard-action", ROLE_POLICY, {"policy": DOC}, name="fn-policy", config={"exceptions": [exception]}
    )
    assert outcome.with_token("Action::s3:*")
    assert any("exception #0" in v and problem in v for v in outcome.violations)


def test_a_reasonless_exception_aimed_elsewhere_is_not_reported_here():
    outcome = check(
        "lp-iam-no-wildcard-action",
        ROLE_POLICY,
        {"policy": DOC},
        name="fn-policy",
        config={"exceptions": [{"resource": "other", "token": "Action::s3:*"}]},
    )
    assert not any("exception #0" in v for v in outcome.violations)


def test_glob_treats_brackets_literally():
    assert glob_match("Resource::*[xray:*]", "Resource::*[xray:PutTraceSegments]")
    assert not glob_match("Resource::*[xray:*]", "Resource::*[s3:GetObject]")


# --- the pack -------------------------------------------------------------------------------------------------------


def test_every_rule_is_served_once_with_a_description_level_and_config_schema():
    names = [r.name for r in security_rules.RULES]
    assert len(names) == len(set(names)) == len(security_rules.POLICIES)
    for rule in security_rules.RULES:
        assert rule.name.startswith("lp-") and len(rule.description) > 40
        assert rule.policy.enforcement_level == rule.level
        assert "exceptions" in rule.policy.config_schema.properties
        for key, spec in rule.policy.config_schema.properties.items():
            assert "default" in spec, f"{rule.name}.{key} has no default"


def test_readme_lists_every_rule_with_its_level_and_config():
    readme = (PACK_DIR / "README.md").read_text()
    assert security_rules.rules_table(security_rules.RULES) in readme, (
        "README table is stale: paste security_rules.rules_table(security_rules.RULES)"
    )


def test_main_only_assembles_the_pack():
    source = (PACK_DIR / "__main__.py").read_text()
    assert "PolicyPack(" in source and "from security_rules import" in source
    assert "def " not in source


# --- cost proportional to what a rule inspects ------------------------------------------------------------------


def test_a_stack_rule_reads_only_the_resources_of_the_types_it_asks_for(monkeypatch):
    from pulumi_policy import PolicyResource
    from security_policy_helpers import options, urn
    from security_rules import _core

    read: list[str] = []
    real_view = _core._view
    monkeypatch.setattr(_core, "_view", lambda r: read.append(r.resource_type) or real_view(r))
    queues = [
        PolicyResource(
            "aws:sqs/queue:Queue",
            {"name": f"q{i}"},
            urn("aws:sqs/queue:Queue", f"q{i}"),
            f"q{i}",
            options(),
            None,
            None,
            [],
            {},
        )
        for i in range(200)
    ]
    group = PolicyResource(SG, {"description": "x", "egress": []}, urn(SG, "sg"), "sg", options(), None, None, [], {})
    stack = _core.Stack([*queues, group])
    assert [g.name for g in stack.of_type(SG)] == ["sg"] and stack.of_type(SG) is stack.of_type(SG)
    assert read == [SG]  # the 200 queues were never converted


def test_references_by_value_are_found_through_one_index():
    from pulumi_policy import PolicyResource
    from security_policy_helpers import options, urn
    from security_rules._core import Stack

    def resource(type_, name, props):
        return PolicyResource(type_, props, urn(type_, name), name, options(), None, None, [], {})

    fn = "aws:lambda/function:Function"
    stack = Stack(
        [
            *(resource(SG, f"g{i}", {"id": f"sg-{i:08x}"}) for i in range(50)),
            resource(fn, "fn", {"vpcConfig": {"securityGroupIds": ["sg-0000002a"]}}),
        ]
    )
    groups = stack.of_type(SG)
    [user] = stack.of_type(fn)
    assert stack.referenced(user, "vpcConfig", groups) == [groups[42]]
    assert stack.referenced(user, "vpcConfig", groups[40:44]) == [groups[42]]  # a list of_type did not build
