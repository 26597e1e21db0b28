"""Architecture B2 wiring under the fake AWS: per-Region API, NLB, alarm, health check, latency records."""

from __future__ import annotations

import pytest

from components.lambda_function import CODE_ONLY
from components.private_api import ApiGatewayLogging, ApiGatewayLoggingArgs
from components.providers import ArchitectureProviders
from components.resilient_api import ApiRegion, MultiRegionPrivateApi, MultiRegionPrivateApiArgs, regions_from
from config import parse
from preview.harness import engine_config, mocked_pulumi

REGIONS = ("us-east-1", "us-west-2")
CERTS = (
    "arn:aws:acm:us-east-1:111111111111:certificate/0b6c1c52-3d9e-4d7e-9a57-1e8f6a2b3c4d",
    "arn:aws:acm:us-west-2:111111111111:certificate/5f2e8a10-7c4b-4e1a-b3d2-9a8f7e6d5c4b",
)
CIDRS = ("10.1.0.0/16", "10.2.0.0/16")


def build(pulumi_env, **overrides):
    settings = parse(engine_config("blueprints", {"producerAccountId": "111111111111"}), stack="test").settings

    def program():
        providers = ArchitectureProviders(settings.providers, "resilient-api")
        args = dict(
            regions=regions_from((REGIONS[0], providers.primary), (REGIONS[1], providers.secondary), CIDRS, CERTS),
            dns_provider=providers.primary,
            lambda_packaging=CODE_ONLY,
        )
        args.update(overrides)
        api = MultiRegionPrivateApi("ra", MultiRegionPrivateApiArgs(**args))
        return {"url": api.url}

    return pulumi_env.run(program)


@pytest.fixture(scope="module")
def default():
    """The default two-Region build, shared by the tests that only read it."""
    with mocked_pulumi("blueprints", "test", config={"aws:region": "us-east-1"}) as env:
        result = build(env)
        result.fake = env.fake
    return result


def by_region(result, token):
    return {r.region: r for r in result.of_type(token)}


def test_each_region_has_its_private_api_mapped_on_the_shared_domain(default):
    result = default
    assert result.value["url"] == "https://private.internal.example.com/demo"
    apis = by_region(result, "aws:apigateway/restApi:RestApi")
    domains = by_region(result, "aws:apigateway/domainName:DomainName")
    mappings = by_region(result, "aws:apigateway/basePathMapping:BasePathMapping")
    endpoints = by_region(result, "aws:ec2/vpcEndpoint:VpcEndpoint")
    assert set(apis) == set(domains) == set(mappings) == set(endpoints) == set(REGIONS)
    for region, cert in zip(REGIONS, CERTS):
        assert apis[region].inputs["endpointConfiguration"]["types"] == "PRIVATE"
        domain = domains[region].inputs
        assert domain["domainName"] == "private.internal.example.com"
        assert domain["regionalCertificateArn"] == cert and domain["securityPolicy"] == "TLS_1_2"
        assert mappings[region].inputs["restApi"] == apis[region].id
        assert mappings[region].inputs["basePath"] == "demo"
        policy = next(p for p in result.of_type("aws:apigateway/restApiPolicy:RestApiPolicy") if p.region == region)
        assert f'"aws:SourceVpce":["{endpoints[region].id}"]' in policy.inputs["policy"]


def test_nlbs_are_internal_tls_facades_on_the_endpoint_enis(default):
    result = default
    nlbs = by_region(result, "aws:lb/loadBalancer:LoadBalancer")
    listeners = by_region(result, "aws:lb/listener:Listener")
    groups = by_region(result, "aws:lb/targetGroup:TargetGroup")
    endpoints = by_region(result, "aws:ec2/vpcEndpoint:VpcEndpoint")
    for region, cert in zip(REGIONS, CERTS):
        assert nlbs[region].inputs["internal"] is True and nlbs[region].inputs["loadBalancerType"] == "network"
        listener = listeners[region].inputs
        assert (listener["protocol"], listener["port"], listener["certificateArn"]) == ("TLS", 443, cert)
        assert listener["loadBalancerArn"] == nlbs[region].outputs["arn"]
        group = groups[region].inputs
        assert (group["targetType"], group["protocol"], group["port"]) == ("ip", "TLS", 443)
        assert group["healthCheck"]["path"] == "/ping"
        ips = {result.fake._enis[e]["privateIp"] for e in endpoints[region].outputs["networkInterfaceIds"]}
        attached = {
            a.inputs["targetId"]
            for a in result.of_type("aws:lb/targetGroupAttachment:TargetGroupAttachment")
            if a.region == region
        }
        assert attached == ips and len(ips) == 2


def test_alarm_health_check_and_latency_record_line_up_per_region(default):
    result = default
    nlbs = by_region(result, "aws:lb/loadBalancer:LoadBalancer")
    groups = by_region(result, "aws:lb/targetGroup:TargetGroup")
    alarms = by_region(result, "aws:cloudwatch/metricAlarm:MetricAlarm")
    checks = {r.inputs["cloudwatchAlarmRegion"]: r for r in result.of_type("aws:route53/healthCheck:HealthCheck")}
    records = {r.inputs["setIdentifier"]: r for r in result.of_type("aws:route53/record:Record")}
    (zone,) = result.of_type("aws:route53/zone:Zone")
    assert set(alarms) == set(checks) == set(records) == set(REGIONS)
    for region in REGIONS:
        alarm = alarms[region].inputs
        # Minimum: the NLB metrics page names Average, Minimum and Maximum as HealthyHostCount's useful
        # statistics; a Sum adds every node's data point, so a Region with no healthy target could read
        # as healthy. Unhealthy when no target is healthy.
        assert (alarm["metricName"], alarm["namespace"], alarm["statistic"]) == (
            "HealthyHostCount",
            "AWS/NetworkELB",
            "Minimum",
        )
        assert (alarm["period"], alarm["evaluationPeriods"], alarm["threshold"]) == (60, 1, 0)
        assert alarm["comparisonOperator"] == "LessThanOrEqualToThreshold"
        assert alarm["dimensions"] == {
            "LoadBalancer": nlbs[region].outputs["arnSuffix"],
            "TargetGroup": groups[region].outputs["arnSuffix"],
        }
        check = checks[region].inputs
        assert check["type"] == "CLOUDWATCH_METRIC"
        assert check["cloudwatchAlarmName"] == alarms[region].outputs["name"]
        record = records[region].inputs
        assert record["name"] == "private.internal.example.com" and record["type"] == "A"
        assert record["zoneId"] == zone.id
        assert record["latencyRoutingPolicies"] == [{"region": region}]
        assert record["healthCheckId"] == checks[region].id
        assert record["aliases"] == [
            {
                "name": nlbs[region].outputs["dnsName"],
                "zoneId": nlbs[region].outputs["zoneId"],
                "evaluateTargetHealth": True,
            }
        ]


def test_one_private_zone_is_associated_with_both_vpcs(default):
    result = default
    (zone,) = result.of_type("aws:route53/zone:Zone")
    vpcs = by_region(result, "aws:ec2/vpc:Vpc")
    assert zone.inputs["name"] == "internal.example.com"
    assert sorted((v["vpcRegion"], v["vpcId"]) for v in zone.inputs["vpcs"]) == sorted(
        (region, vpcs[region].id) for region in REGIONS
    )
    assert zone.outputs["nameServers"] == []  # private: no public delegation
    assert [v.inputs["cidrBlock"] for v in (vpcs[r] for r in REGIONS)] == list(CIDRS)


def test_transit_gateway_peering_is_off_by_default(default):
    result = default
    assert not [r for r in result.resources if r.type.startswith("aws:ec2transitgateway/")]


def test_transit_gateway_peering_routes_each_vpc_to_the_other(pulumi_env):
    result = build(pulumi_env, transit_gateway_peering=True)
    gateways = by_region(result, "aws:ec2transitgateway/transitGateway:TransitGateway")
    (peering,) = result.of_type("aws:ec2transitgateway/peeringAttachment:PeeringAttachment")
    (accepter,) = result.of_type("aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter")
    assert peering.region == REGIONS[0] and accepter.region == REGIONS[1]
    assert peering.inputs["peerTransitGatewayId"] == gateways[REGIONS[1]].id
    assert peering.inputs["peerRegion"] == REGIONS[1]
    assert accepter.inputs["transitGatewayAttachmentId"] == peering.id
    tgw_routes = by_region(result, "aws:ec2transitgateway/route:Route")
    for here, there_cidr in ((REGIONS[0], CIDRS[1]), (REGIONS[1], CIDRS[0])):
        route = tgw_routes[here].inputs
        assert route["destinationCidrBlock"] == there_cidr
        assert route["transitGatewayRouteTableId"] == gateways[here].outputs["associationDefaultRouteTableId"]
        vpc_routes = [
            r.inputs
            for r in result.of_type("aws:ec2/route:Route")
            if r.region == here and r.inputs.get("transitGatewayId")
        ]
        assert vpc_routes and all(
            r["destinationCidrBlock"] == there_cidr and r["transitGatewayId"] == gateways[here].id for r in vpc_routes
        )


def test_each_region_gets_the_api_gateway_logging_role_unless_the_stack_already_sets_it(default, pulumi_env):
    assert sorted(a.region for a in default.of_type("aws:apigateway/account:Account")) == list(REGIONS)

    settings = parse(engine_config("blueprints", {}), stack="test").settings

    def program():
        providers = ArchitectureProviders(settings.providers, "resilient-api")
        existing = ApiGatewayLogging("elsewhere", ApiGatewayLoggingArgs(providers.primary, REGIONS[0]))
        MultiRegionPrivateApi(
            "ra",
            MultiRegionPrivateApiArgs(
                regions=regions_from(
                    (REGIONS[0], providers.primary),
                    (REGIONS[1], providers.secondary),
                    CIDRS,
                    CERTS,
                    {REGIONS[0]: existing},
                ),
                dns_provider=providers.primary,
                lambda_packaging=CODE_ONLY,
            ),
        )

    result = pulumi_env.run(program)
    accounts = result.of_type("aws:apigateway/account:Account")
    assert sorted((a.name, a.region) for a in accounts) == [
        ("elsewhere-account", REGIONS[0]),
        ("ra-us-west-2-apigw-logging-account", REGIONS[1]),
    ]
    primary_stage = result.named("ra-us-east-1-api-stage", "aws:apigateway/stage:Stage")
    # Depending on the component means depending on its children: the account setting comes first.
    assert result.named("elsewhere-account", "aws:apigateway/account:Account").urn in primary_stage.dependencies


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(certs=(CERTS[1], CERTS[0])), "ACM certificates are Regional"),
        (dict(cidrs=("10.1.0.0/16", "10.1.128.0/17")), "overlap"),
        (dict(domain_name="api.example.org"), "a name inside the zone"),
        (
            dict(certs=("arn:aws:acm:us-east-1:111111111111:certificate/nope", CERTS[1])),
            "expected an ACM certificate ARN",
        ),
    ],
)
def test_bad_arguments_are_refused_with_the_reason(change, message):
    regions = tuple(
        ApiRegion(region=r, provider=None, cidr_block=c, certificate_arn=a)
        for r, c, a in zip(REGIONS, change.get("cidrs", CIDRS), change.get("certs", CERTS))
    )
    with pytest.raises(ValueError, match=message):
        MultiRegionPrivateApiArgs(
            regions=regions, dns_provider=None, domain_name=change.get("domain_name", "private.internal.example.com")
        )


def test_outputs_name_what_the_drill_needs_per_region(default):
    """tools.private_api_drill takes each Region's NLB (--nlb REGION=ARN) and health check."""
    (component,) = default.of_type("blueprints:resilient_api:MultiRegionPrivateApi")
    nlbs = by_region(default, "aws:lb/loadBalancer:LoadBalancer")
    checks = {r.inputs["cloudwatchAlarmRegion"]: r for r in default.of_type("aws:route53/healthCheck:HealthCheck")}
    assert component.outputs["nlbArns"] == {region: nlbs[region].outputs["arn"] for region in REGIONS}
    assert component.outputs["healthCheckIds"] == {region: checks[region].id for region in REGIONS}
