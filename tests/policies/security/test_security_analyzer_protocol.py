"""The pack through the Analyzer protocol in process: the SDK's servicer, driven as the engine drives it
(Configure, Analyze, AnalyzeStack, GetAnalyzerInfo). test_security_offline_preview.py runs the pack as its
own process over gRPC, as the CLI starts it."""

from pathlib import Path

import security_rules
from google.protobuf import empty_pb2
from pulumi.runtime import proto
from security_policy_helpers import (
    RULES,
    UNKNOWN,
    R,
    allow,
    analyze,
    analyze_stack,
    diagnostics,
    policy_doc,
    servicer,
    urn,
)

PACK_DIR = Path(security_rules.__file__).resolve().parents[1]
SG = "aws:ec2/securityGroup:SecurityGroup"
OPEN_RDP = {
    "description": "gaming",
    "ingress": [
        {"protocol": "tcp", "fromPort": 3389, "toPort": 3389, "cidrBlocks": ["0.0.0.0/0"], "description": "RDP"}
    ],
}


def test_default_levels_reach_the_engine():
    response = analyze(servicer(), SG, OPEN_RDP, name="workstation-sg")
    [finding] = diagnostics(response, "lp-sg-no-public-admin-ports")
    assert finding.enforcementLevel == proto.MANDATORY
    assert finding.policyPackName == "blueprints-security"
    assert "workstation-sg (SecurityGroup): Port::tcp/3389 at ingress[0]" in finding.message


def test_config_lowers_a_level_and_disables_a_rule():
    s = servicer(
        {
            "lp-sg-no-public-admin-ports": {"enforcementLevel": "advisory"},
            "lp-sg-rule-description": {"enforcementLevel": "disabled"},
        }
    )
    response = analyze(s, SG, dict(OPEN_RDP, ingress=[dict(OPEN_RDP["ingress"][0], description=None)]))
    assert [d.enforcementLevel for d in diagnostics(response, "lp-sg-no-public-admin-ports")] == [proto.ADVISORY]
    assert not diagnostics(response, "lp-sg-rule-description")


def test_config_exception_waives_through_the_protocol_and_a_reasonless_one_is_reported():
    exception = {"resource": "workstation-sg", "token": "Port::tcp/3389", "reason": "lab stack, torn down nightly"}
    waived = analyze(
        servicer({"lp-sg-no-public-admin-ports": {"exceptions": [exception]}}), SG, OPEN_RDP, name="workstation-sg"
    )
    assert not diagnostics(waived, "lp-sg-no-public-admin-ports")
    del exception["reason"]
    unreasoned = analyze(
        servicer({"lp-sg-no-public-admin-ports": {"exceptions": [exception]}}), SG, OPEN_RDP, name="workstation-sg"
    )
    messages = [d.message for d in diagnostics(unreasoned, "lp-sg-no-public-admin-ports")]
    assert any("Port::tcp/3389" in m for m in messages)
    assert any("exception #0" in m and "has no reason" in m for m in messages)


def test_option_config_changes_what_is_allowed():
    props = {
        "description": "g",
        "ingress": [
            {
                "protocol": "tcp",
                "fromPort": 3389,
                "toPort": 3389,
                "cidrBlocks": ["198.51.100.0/24"],
                "description": "RDP",
            }
        ],
    }
    assert not diagnostics(analyze(servicer(), SG, props), "lp-sg-no-public-admin-ports")
    narrowed = servicer({"lp-sg-no-public-admin-ports": {"allowedClientCidrs": ["203.0.113.7/32"]}})
    assert diagnostics(analyze(narrowed, SG, props), "lp-sg-no-public-admin-ports")


def test_other_types_get_no_diagnostics_and_out_of_scope_resources_are_not_applicable():
    response = analyze(servicer(), "aws:ec2/vpc:Vpc", {"cidrBlock": "10.0.0.0/16"})
    assert not response.diagnostics
    endpoint = analyze(
        servicer(),
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        {"serviceName": "com.amazonaws.us-east-1.s3", "vpcEndpointType": "Gateway"},
    )
    assert [n.policy_name for n in endpoint.not_applicable] == ["lp-vpce-execute-api-policy"]


def test_stack_rule_through_analyze_stack_with_property_dependencies():
    api = R(
        "aws:apigateway/restApi:RestApi",
        "leases-api",
        {
            "endpointConfiguration": {"types": "PRIVATE"},
            "policy": policy_doc(allow("execute-api:Invoke", "execute-api:/*", Principal="*")),
        },
    )
    method = R(
        "aws:apigateway/method:Method",
        "get-lease",
        {"restApi": "abc", "httpMethod": "GET", "authorization": "NONE"},
        {"restApi": ["leases-api"]},
    )
    response = analyze_stack(servicer(), [api, method])
    [auth] = diagnostics(response, "lp-apigw-method-auth")
    assert auth.urn == urn(method.type, "get-lease") and auth.enforcementLevel == proto.MANDATORY
    assert diagnostics(response, "lp-apigw-private-api-policy")


def test_the_sourcevpce_allow_list_is_decided_on_the_resource_before_creation():
    document = policy_doc(
        allow(
            "execute-api:Invoke",
            "execute-api:/*",
            Principal="*",
            Condition={"StringEquals": {"aws:SourceVpce": ["vpce-0badbad0"]}},
        )
    )
    s = servicer({"lp-apigw-sourcevpce-allowlist": {"allowedSourceVpces": ["vpce-1a2b3c4d"]}})
    [finding] = diagnostics(
        analyze(
            s, "aws:apigateway/restApiPolicy:RestApiPolicy", {"restApiId": "abc", "policy": document}, name="api-policy"
        ),
        "lp-apigw-sourcevpce-allowlist",
    )
    assert finding.enforcementLevel == proto.MANDATORY and "SourceVpce::vpce-0badbad0" in finding.message
    listed = document.replace("vpce-0badbad0", "vpce-1a2b3c4d")
    assert not diagnostics(
        analyze(s, "aws:apigateway/restApiPolicy:RestApiPolicy", {"restApiId": "abc", "policy": listed}),
        "lp-apigw-sourcevpce-allowlist",
    )
    [unknown] = diagnostics(
        analyze(s, "aws:apigateway/restApiPolicy:RestApiPolicy", {"restApiId": "abc", "policy": UNKNOWN}),
        "lp-apigw-sourcevpce-allowlist",
    )
    assert unknown.enforcementLevel == proto.ADVISORY and "policy" in unknown.message


def test_unknown_stack_outputs_give_one_advisory_per_rule():
    api = R(
        "aws:apigateway/restApi:RestApi",
        "leases-api",
        {"endpointConfiguration": {"types": "PRIVATE"}, "policy": UNKNOWN},
    )
    [advisory] = diagnostics(analyze_stack(servicer(), [api]), "lp-apigw-private-api-policy")
    assert advisory.enforcementLevel == proto.ADVISORY and "leases-api: policy" in advisory.message


def test_analyzer_info_publishes_every_rule_with_level_and_schema():
    info = servicer().GetAnalyzerInfo(empty_pb2.Empty(), None)
    assert [p.name for p in info.policies] == [r.name for r in security_rules.RULES]
    by_name = {p.name: p for p in info.policies}
    assert by_name["lp-iam-no-mgmt-conflicts"].enforcementLevel == proto.ADVISORY
    assert by_name["lp-iam-no-mgmt-conflicts"].policy_type == proto.PolicyType.POLICY_TYPE_STACK
    schema = by_name["lp-sg-no-public-admin-ports"].configSchema.properties
    assert list(schema["adminPorts"]["default"]) == RULES["lp-sg-no-public-admin-ports"].config["adminPorts"]["default"]


def test_an_exception_inside_a_rule_reaches_the_engine_as_a_violation_at_the_rules_level():
    from pulumi_policy import EnforcementLevel
    from pulumi_policy.policy import _PolicyAnalyzerServicer
    from security_rules._core import Finding, resource_rule

    def broken(res, cfg):
        yield Finding("Before::crash", "here", "found first")
        raise ZeroDivisionError("division by zero")

    rule = resource_rule(
        name="t-broken", description="a rule that fails", types={SG}, level=EnforcementLevel.MANDATORY, check=broken
    )
    s = _PolicyAnalyzerServicer("t", "0.0.1", [rule.policy], EnforcementLevel.ADVISORY)
    response = analyze(s, SG, {"description": "x"})
    assert [d.enforcementLevel for d in response.diagnostics] == [proto.MANDATORY, proto.MANDATORY]
    assert "internal error in rule t-broken: ZeroDivisionError" in response.diagnostics[1].message
