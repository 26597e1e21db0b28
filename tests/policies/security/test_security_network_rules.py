"""Network rules: a resource that breaks each rule and a close neighbour that passes."""

import pytest
from security_policy_helpers import UNKNOWN, R, allow, check, check_stack, policy_doc

SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
LB = "aws:lb/loadBalancer:LoadBalancer"
FUNCTION = "aws:lambda/function:Function"


def _ingress(port, cidr, protocol="tcp", description="clients"):
    return {"protocol": protocol, "fromPort": port, "toPort": port, "cidrBlocks": [cidr], "description": description}


# --- lp-sg-no-public-admin-ports ------------------------------------------------------------------------


def test_rdp_open_to_the_world_is_caught_per_port_and_protocol():
    props = {"description": "gaming", "ingress": [_ingress(3389, "0.0.0.0/0"), _ingress(8443, "0.0.0.0/0", "udp")]}
    outcome = check("lp-sg-no-public-admin-ports", SG, props, name="workstation-sg")
    [rdp] = outcome.with_token("Port::tcp/3389")
    assert rdp.startswith("workstation-sg (SecurityGroup): ") and "ingress[0]" in rdp
    assert outcome.with_token("Port::udp/8443")
    assert len(outcome.violations) == 2


def test_rdp_from_one_address_passes_and_https_from_the_world_is_not_an_admin_port():
    props = {"description": "gaming", "ingress": [_ingress(3389, "203.0.113.7/32"), _ingress(443, "0.0.0.0/0")]}
    assert check("lp-sg-no-public-admin-ports", SG, props).passed


@pytest.mark.parametrize(
    "type_, props",
    [
        (
            INGRESS,
            {"securityGroupId": "sg-1", "ipProtocol": "tcp", "fromPort": 3389, "toPort": 3389, "cidrIpv6": "::/0"},
        ),
        (
            SG_RULE,
            {
                "type": "ingress",
                "securityGroupId": "sg-1",
                "protocol": "-1",
                "fromPort": 0,
                "toPort": 0,
                "cidrBlocks": ["0.0.0.0/0"],
            },
        ),
        (
            INGRESS,
            {"securityGroupId": "sg-1", "ipProtocol": "tcp", "fromPort": 3000, "toPort": 4000, "cidrIpv4": "8.0.0.0/4"},
        ),
    ],
)
def test_standalone_rules_all_traffic_port_ranges_and_broad_public_ranges(type_, props):
    outcome = check("lp-sg-no-public-admin-ports", type_, props)
    assert outcome.with_token("Port::tcp/3389")


def test_allowed_client_cidrs_narrow_admin_access():
    props = {"description": "gaming", "ingress": [_ingress(3389, "198.51.100.0/24")]}
    assert check("lp-sg-no-public-admin-ports", SG, props).passed
    outcome = check("lp-sg-no-public-admin-ports", SG, props, config={"allowedClientCidrs": ["203.0.113.7/32"]})
    assert "outside allowedClientCidrs" in outcome.with_token("Port::tcp/3389")[0]


def test_unknown_cidr_is_undecided():
    props = {"description": "db", "ingress": [_ingress(22, UNKNOWN)]}
    outcome = check("lp-sg-no-public-admin-ports", SG, props)
    assert outcome.undecided and "ingress[0].cidrBlocks[0]" in outcome.undecided


# --- lp-sg-rule-description -------------------------------------------------------------------------------


def test_rules_without_description_are_named():
    props = {
        "description": "db",
        "ingress": [_ingress(5432, "10.0.0.0/16", description=None)],
        "egress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/16"]}],
    }
    outcome = check("lp-sg-rule-description", SG, props, name="db-sg")
    assert outcome.with_token("Description::ingress[0]") and outcome.with_token("Description::egress[0]")
    assert check("lp-sg-rule-description", SG, {"description": "Managed by Pulumi"}).with_token("Description::missing")


def test_described_rules_pass():
    assert check(
        "lp-sg-rule-description",
        INGRESS,
        {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "10.0.0.0/16", "description": "from the VPC"},
    ).passed


# --- lp-sg-egress-restricted (stack) -----------------------------------------------------------------------


def _lambda(sg_name, sg_id):
    return R(
        FUNCTION,
        "indexer",
        {"vpcConfig": {"subnetIds": ["subnet-1"], "securityGroupIds": [sg_id]}},
        {"vpcConfig": [sg_name]},
    )


def test_lambda_group_with_all_egress_to_the_world_is_caught():
    sg = R(
        SG,
        "indexer-sg",
        {
            "arn": "arn:aws:ec2:us-east-1:111111111111:security-group/sg-0a1",
            "egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}],
        },
    )
    outcome = check_stack("lp-sg-egress-restricted", [sg, _lambda("indexer-sg", "sg-0a1")])
    [finding] = outcome.with_token("Egress::all/0.0.0.0/0")
    assert "Function indexer" in finding


def test_egress_to_https_only_passes_and_unattached_groups_are_out_of_scope():
    scoped = R(
        SG, "indexer-sg", {"egress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}]}
    )
    other = R(
        SG, "bastion-sg", {"egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]}
    )
    assert check_stack("lp-sg-egress-restricted", [scoped, other, _lambda("indexer-sg", "sg-0a1")]).passed
    assert check_stack("lp-sg-egress-restricted", [scoped, other], config={"allSecurityGroups": True}).with_token(
        "Egress::all/0.0.0.0/0"
    )


def test_standalone_egress_rule_on_a_workload_group_is_found():
    sg = R(SG, "proxy-sg", {"arn": "arn:aws:ec2:us-east-1:111111111111:security-group/sg-0b2"})
    rule = R(EGRESS, "proxy-out", {"securityGroupId": "sg-0b2", "ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0"})
    proxy = R("aws:rds/proxy:Proxy", "proxy", {"vpcSecurityGroupIds": ["sg-0b2"]})
    outcome = check_stack("lp-sg-egress-restricted", [sg, rule, proxy])
    assert outcome.with_token("Egress::all/0.0.0.0/0")[0].startswith("proxy-out (SecurityGroupEgressRule)")


# --- lp-sg-no-rule-conflicts (stack) -------------------------------------------------------------------------


def test_inline_and_standalone_rules_on_one_group_conflict():
    sg = R(
        SG, "api-sg", {"arn": "arn:aws:ec2:us-east-1:1:security-group/sg-9", "ingress": [_ingress(443, "10.0.0.0/8")]}
    )
    rule = R(
        INGRESS,
        "api-extra",
        {"securityGroupId": "sg-9", "ipProtocol": "tcp", "fromPort": 80, "toPort": 80, "cidrIpv4": "10.0.0.0/8"},
        {"securityGroupId": ["api-sg"]},
    )
    assert check_stack("lp-sg-no-rule-conflicts", [sg, rule]).with_token("SecurityGroup::api-sg")
    sg.props["ingress"] = []
    assert check_stack("lp-sg-no-rule-conflicts", [sg, rule]).passed


# --- lp-vpce-execute-api-policy -----------------------------------------------------------------------------

EXECUTE_API = "com.amazonaws.us-east-1.execute-api"
API_ARN = "arn:aws:execute-api:us-east-1:111111111111:a1b2c3d4e5/*"


def test_execute_api_endpoint_without_policy_is_caught():
    props = {"serviceName": EXECUTE_API, "vpcEndpointType": "Interface", "securityGroupIds": ["sg-1"]}
    outcome = check("lp-vpce-execute-api-policy", ENDPOINT, props, name="consumer-execute-api")
    assert outcome.with_token("Policy::absent")[0].startswith("consumer-execute-api (VpcEndpoint)")
    open_policy = dict(props, policy=policy_doc(allow("*", "*", Principal="*")))
    outcome = check("lp-vpce-execute-api-policy", ENDPOINT, open_policy)
    assert outcome.with_token("Resource::*") and outcome.with_token("Action::*")


def test_execute_api_endpoint_limited_to_the_api_passes_and_other_services_are_not_applicable():
    props = {
        "serviceName": EXECUTE_API,
        "vpcEndpointType": "Interface",
        "securityGroupIds": ["sg-1"],
        "policy": policy_doc(allow("execute-api:Invoke", API_ARN, Principal="*")),
    }
    assert check("lp-vpce-execute-api-policy", ENDPOINT, props).passed
    account_wide = dict(
        props,
        policy=policy_doc(allow("execute-api:Invoke", "arn:aws:execute-api:us-east-1:111111111111:*", Principal="*")),
    )
    assert check("lp-vpce-execute-api-policy", ENDPOINT, account_wide).with_token(
        "Resource::arn:aws:execute-api:us-east-1:111111111111:*"
    )
    s3 = check("lp-vpce-execute-api-policy", ENDPOINT, {"serviceName": "com.amazonaws.us-east-1.s3"})
    assert s3.passed and "not an execute-api endpoint" in s3.not_applicable


# --- lp-vpce-execute-api-ingress (stack) ----------------------------------------------------------------------


def _endpoint_stack(*rules):
    sg = R(SG, "endpoint-sg", {"arn": "arn:aws:ec2:us-east-1:1:security-group/sg-e1", "description": "endpoint"})
    endpoint = R(
        ENDPOINT,
        "consumer-execute-api",
        {"serviceName": EXECUTE_API, "vpcEndpointType": "Interface", "securityGroupIds": ["sg-e1"]},
        {"securityGroupIds": ["endpoint-sg"]},
    )
    standalone = [
        R(INGRESS, f"endpoint-in-{i}", dict(props, securityGroupId="sg-e1"), {"securityGroupId": ["endpoint-sg"]})
        for i, props in enumerate(rules)
    ]
    return [sg, endpoint, *standalone]


def test_execute_api_endpoint_groups_admit_https_from_consumers_only():
    https = {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "10.1.0.0/16", "description": "VPC"}
    assert check_stack("lp-vpce-execute-api-ingress", _endpoint_stack(https)).passed
    wide = {"ipProtocol": "tcp", "fromPort": 80, "toPort": 8443, "cidrIpv4": "10.1.0.0/16"}
    world = {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0"}
    outcome = check_stack("lp-vpce-execute-api-ingress", _endpoint_stack(https, wide, world))
    [ports] = outcome.with_token("Port::tcp/80-8443")
    assert ports.startswith("endpoint-in-1 (SecurityGroupIngressRule)") and "consumer-execute-api" in ports
    assert outcome.with_token("Cidr::0.0.0.0/0")[0].startswith("endpoint-in-2")
    everything = {"ipProtocol": "-1", "cidrIpv4": "10.1.0.0/16"}
    assert check_stack("lp-vpce-execute-api-ingress", _endpoint_stack(everything)).with_token("Port::all")


# --- lp-nlb-internal ------------------------------------------------------------------------------------------


def test_internet_facing_nlb_is_caught_internal_passes():
    outcome = check("lp-nlb-internal", LB, {"loadBalancerType": "network", "internal": False}, name="api-nlb")
    assert outcome.with_token("Internal::false")[0].startswith("api-nlb (LoadBalancer)")
    assert check("lp-nlb-internal", LB, {"loadBalancerType": "network", "internal": True}).passed
    alb = check("lp-nlb-internal", LB, {"loadBalancerType": "application", "internal": False})
    assert alb.not_applicable


# --- lp-r53-private-latency-records (stack) ---------------------------------------------------------------------

ZONE = "aws:route53/zone:Zone"
RECORD = "aws:route53/record:Record"


def _record(name, region, zone="private", **props):
    base = {
        "zoneId": "Z1",
        "name": "api.internal.example.com",
        "type": "A",
        "setIdentifier": region,
        "latencyRoutingPolicies": [{"region": region}],
        "aliases": [{"name": f"nlb-{region}.elb.amazonaws.com", "zoneId": "Z2", "evaluateTargetHealth": True}],
    }
    return R(RECORD, name, {**base, **props}, {"zoneId": [zone]})


def test_latency_records_in_a_private_zone_with_health_pass():
    zone = R(ZONE, "private", {"vpcs": [{"vpcId": "vpc-1"}]})
    records = [_record("east", "us-east-1"), _record("west", "us-west-2")]
    assert check_stack(
        "lp-r53-private-latency-records", [zone, *records], config={"regions": ["us-east-1", "us-west-2"]}
    ).passed


def test_latency_records_without_health_in_a_public_zone_missing_a_region():
    zone = R(ZONE, "private", {"vpcs": []})
    east = _record("east", "us-east-1", aliases=[], setIdentifier=None)
    outcome = check_stack(
        "lp-r53-private-latency-records", [zone, east], config={"regions": ["us-east-1", "us-west-2"]}
    )
    assert outcome.with_token("HealthCheck::missing")[0].startswith("east (Record)")
    assert outcome.with_token("SetIdentifier::missing")
    assert outcome.with_token("Zone::private")
    assert outcome.with_token("Region::us-west-2")
