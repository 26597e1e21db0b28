"""Unknown values give one advisory per rule naming what was missing (never a silent pass), findings
reach the engine as mandatory diagnostics on the resource at fault, a crash inside a rule is a
violation, and the README's rule table is the code's."""

from pathlib import Path

import wiring_rules
from pulumi.runtime import proto
from test_wiring_lb_dns import two_regions
from test_wiring_reachability import indexer, network, sqs_endpoint
from wiring_helpers import UNKNOWN, R, analyze_stack, check, function, servicer

README = Path(wiring_rules.__file__).resolve().parents[1] / "README.md"


def test_an_unknown_subnet_list_is_reported_as_undecided_naming_the_value():
    stack = network() + indexer()
    stack[-1] = function("indexer", "indexer-role", subnets=None, vpcConfig=UNKNOWN)
    outcome = check("wiring-vpc-compute-reaches-apis", stack)
    assert not outcome.findings
    assert "indexer: vpcConfig" in outcome.undecided and "pulumi up" in outcome.undecided


def test_an_unknown_route_target_is_undecided_while_known_findings_are_kept():
    stack = two_regions()
    stack[-1] = R(stack[-1].type, stack[-1].name, {**stack[-1].props, "aliases": [{"name": UNKNOWN}]}, stack[-1].region)
    outcome = check("wiring-private-dns-reachable", stack)
    assert outcome.on("us-east-1-record")  # decided
    assert "us-west-2-record: aliases[0].name" in outcome.undecided


def test_an_unknown_event_target_and_policy_are_undecided():
    target = R("aws:cloudwatch/eventTarget:EventTarget", "target", {"rule": "r", "arn": UNKNOWN})
    assert "target: arn" in check("wiring-event-targets-authorised", [target]).undecided
    stack = network() + indexer()
    stack = [R(r.type, r.name, {**r.props, "policy": UNKNOWN}) if r.name == "indexer-role-policy" else r for r in stack]
    assert "indexer-role-policy: policy" in check("wiring-vpc-compute-reaches-apis", stack).undecided


def test_findings_reach_the_engine_as_mandatory_diagnostics_on_the_resource_at_fault():
    response = analyze_stack(network() + indexer())
    [diagnostic] = [d for d in response.diagnostics if d.policyName == "wiring-vpc-compute-reaches-apis"]
    assert diagnostic.enforcementLevel == proto.MANDATORY
    assert diagnostic.urn.endswith("::indexer") and "Api::sqs@us-east-1" in diagnostic.message
    assert diagnostic.policyPackName == "blueprints-wiring"


def test_unknowns_reach_the_engine_as_one_advisory_per_rule():
    stack = network() + indexer()
    stack[-1] = function("indexer", "indexer-role", subnets=None, vpcConfig=UNKNOWN)
    [advisory] = [d for d in analyze_stack(stack).diagnostics if d.policyName == "wiring-vpc-compute-reaches-apis"]
    assert advisory.enforcementLevel == proto.ADVISORY and "vpcConfig" in advisory.message


def test_a_crash_inside_a_rule_is_a_violation_not_a_pass(monkeypatch):
    rule = next(r for r in wiring_rules.RULES if r.name == "wiring-same-region")

    def broken(graph):
        yield from ()
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(rule, "check", broken)
    [message] = [m for _, m in check("wiring-same-region", []).findings]
    assert "internal error in rule wiring-same-region: ZeroDivisionError" in message


def test_analyzer_info_publishes_every_rule_at_its_level():
    info = servicer().GetAnalyzerInfo(None, None)
    published = {p.name: p.enforcementLevel for p in info.policies}
    assert published == {
        r.name: (proto.ADVISORY if r.level.value == "advisory" else proto.MANDATORY) for r in wiring_rules.RULES
    }


def test_the_readme_rule_table_is_the_codes():
    assert wiring_rules.rules_table(wiring_rules.RULES) in README.read_text()


def test_a_role_or_subnet_outside_the_stack_is_undecided_with_the_reason():
    no_role = [r for r in network() + indexer() if not r.type.startswith("aws:iam/")]
    assert "not in the stack" in check("wiring-vpc-compute-reaches-apis", no_role).undecided
    no_subnets = [r for r in network() + indexer() if r.type != "aws:ec2/subnet:Subnet"]
    undecided = check("wiring-vpc-compute-reaches-apis", no_subnets).undecided
    assert "subnet-a is not in the stack" in undecided and "outside this stack" in undecided


def test_a_reasoned_exception_waives_exactly_its_finding_and_a_reasonless_one_is_reported():
    stack = network() + indexer()
    rule = "wiring-vpc-compute-reaches-apis"
    waived = check(
        rule,
        stack,
        {
            "exceptions": [
                {
                    "resource": "indexer",
                    "token": "Api::sqs@*",
                    "reason": "failures go to logs until issue 16 adds the endpoint",
                }
            ]
        },
    )
    assert waived.passed
    other_token = check(rule, stack, {"exceptions": [{"resource": "indexer", "token": "Api::s3@*", "reason": "x"}]})
    assert other_token.on("indexer")
    reasonless = check(rule, stack, {"exceptions": [{"resource": "indexer", "reason": " "}]})
    assert reasonless.on("indexer") and any("exception #0" in m and "no reason" in m for _, m in reasonless.findings)


def test_levels_and_exceptions_arrive_through_the_engines_configure():
    rule = "wiring-vpc-compute-reaches-apis"
    stack = network() + indexer()
    [advisory] = [
        d for d in analyze_stack(stack, {rule: {"enforcementLevel": "advisory"}}).diagnostics if d.policyName == rule
    ]
    assert advisory.enforcementLevel == proto.ADVISORY
    assert not [
        d for d in analyze_stack(stack, {rule: {"enforcementLevel": "disabled"}}).diagnostics if d.policyName == rule
    ]
    waived = analyze_stack(stack, {rule: {"exceptions": [{"resource": "indexer", "reason": "tracked in issue 16"}]}})
    assert not [d for d in waived.diagnostics if d.policyName == rule]


def test_an_endpoint_whose_dns_entries_are_unknown_does_not_stop_the_pack():
    # A new interface endpoint's dnsEntries are computed: unknown at a first `pulumi preview`.
    # Indexing the stack must not crash on them (the whole pack failed with AnalyzeStack: UNKNOWN).
    stack = [
        R(r.type, r.name, {**r.props, "dnsEntries": UNKNOWN}, r.region)
        if r.type == "aws:ec2/vpcEndpoint:VpcEndpoint"
        else r
        for r in network() + indexer() + sqs_endpoint()
    ]
    assert any(r.type == "aws:ec2/vpcEndpoint:VpcEndpoint" for r in stack)
    response = analyze_stack(stack)
    assert not [d for d in response.diagnostics if "internal error" in d.message]
    assert not [d for d in response.diagnostics if d.enforcementLevel == proto.MANDATORY]
