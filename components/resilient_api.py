"""Architecture B2: one private API name served from two Regions, active/active.

In each Region: the private REST API (echo integration) with a Regional custom domain name and a
base path mapping, a VPC with an execute-api endpoint, an internal NLB whose TLS listener (ACM
certificate) forwards to the endpoint's ENI addresses, a CloudWatch alarm on the NLB's
`HealthyHostCount` and a Route 53 health check on that alarm. Across Regions: one private hosted
zone associated with both VPCs and two latency alias records of the same name, each with its set
identifier and health check, so clients get the nearest healthy Region. Optionally the two VPCs are
joined through Transit Gateway inter-Region peering (off by default: it costs about $146 a month
before data, see README); prod turns it on, as the post designs it: a failover hands clients the
other Region's NLB addresses, which they can only reach over the peering.

Custom domain: the post's Regional custom domain name, reached through the NLB, is kept. API
Gateway's private custom domain names (2024; a domain name access association with the execute-api
endpoint, https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-custom-domains.html)
would give the name and TLS without the NLB, but they are per Region and reached only through an
execute-api endpoint: the latency records would alias each Region's endpoint, and the health
signal would have to come from API metrics instead of the NLB's healthy targets. See README.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.lambda_function import LambdaPackaging
from components.private_api import (
    ApiGatewayLogging,
    ApiGatewayLoggingArgs,
    PrivateApi,
    PrivateApiArgs,
    PrivateApiConsumer,
    PrivateApiConsumerArgs,
    check_log_retention,
    check_throttle,
    forward_to_endpoint,
)
from components.providers import account_id, child_opts
from components.rules import formats
from components.rules import private_api as rules
from components.security_groups import allow, tcp_ingress

# The alarm of the sample (`HealthyTargets`) on HealthyHostCount over one minute <= threshold. The
# NLB metrics page lists Average, Minimum and Maximum as the useful statistics for it: Sum adds the
# data points of every load balancer node and overstates the healthy targets, so a Region with none
# could still look healthy. Minimum counts the worst node's view
# (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-cloudwatch-metrics.html).
ALARM_METRIC = "HealthyHostCount"
ALARM_NAMESPACE = "AWS/NetworkELB"
ALARM_STATISTIC = "Minimum"
ALARM_PERIOD_SECONDS = 60
ALARM_EVALUATION_PERIODS = 1
NLB_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


@dataclass(frozen=True)
class ApiRegion:
    """One Region of the API: its provider, VPC CIDR and the ACM certificate for the domain name.

    api_gateway_logging: the account's API Gateway logging setting in this Region when another
    part of the stack already manages it (it is a singleton); None to create it here.
    """

    region: str
    provider: pulumi.ProviderResource
    cidr_block: str
    certificate_arn: str
    api_gateway_logging: pulumi.Resource | None = None


@dataclass(frozen=True)
class MultiRegionPrivateApiArgs:
    regions: tuple[ApiRegion, ...]
    dns_provider: pulumi.ProviderResource  # Route 53 is global: zone, records and health checks
    domain_name: str = "private.internal.example.com"
    zone_name: str = "internal.example.com"
    stage_name: str = "dev"
    base_path: str = "demo"
    client_cidrs: tuple[str, ...] = ()  # callers outside the two VPCs (e.g. peered networks)
    healthy_host_threshold: float = 0.0  # unhealthy when no target is healthy
    transit_gateway_peering: bool = False
    throttling_rate_limit: float = 100.0
    throttling_burst_limit: int = 50
    log_retention_days: int = 30
    lambda_packaging: LambdaPackaging = LambdaPackaging()  # CODE_ONLY under the offline preview and tests

    def __post_init__(self) -> None:
        problems = []
        if len(self.regions) != 2 or len({r.region for r in self.regions}) != 2:
            problems.append("regions: exactly two distinct Regions")
        for spec in self.regions:
            certificate = formats.certificate_problem(spec.certificate_arn, spec.region)
            if certificate:
                problems.append(f"{spec.region}: certificate_arn {spec.certificate_arn!r}: expected {certificate}")
        if len(self.regions) == 2:
            for spec, cidr in zip(self.regions, formats.cidr_pair_problems(*(s.cidr_block for s in self.regions))):
                if cidr:
                    problems.append(f"{spec.region}: cidr_block {spec.cidr_block!r}: expected {cidr}")
        for argument, value, problem in (
            ("zone_name", self.zone_name, formats.dns_name_problem(self.zone_name)),
            (
                "domain_name",
                self.domain_name,
                formats.dns_name_problem(self.domain_name)
                or formats.name_in_zone_problem(self.domain_name, self.zone_name),
            ),
            ("base_path", self.base_path, rules.base_path_problem(self.base_path)),
        ):
            if problem:
                problems.append(f"{argument} {value!r}: expected {problem}")
        if self.healthy_host_threshold < 0:
            problems.append("healthy_host_threshold must not be negative")
        if problems:
            raise ValueError("invalid MultiRegionPrivateApiArgs: " + "; ".join(problems))
        check_throttle(self.throttling_rate_limit, self.throttling_burst_limit)
        check_log_retention(self.log_retention_days)


class RegionalStack:
    """What one Region holds (attributes only; the resources are children of the component)."""

    def __init__(self, spec: ApiRegion):
        self.spec = spec
        self.region = spec.region
        self.consumer: PrivateApiConsumer
        self.api: PrivateApi
        self.domain_name: aws.apigateway.DomainName
        self.nlb: aws.lb.LoadBalancer
        self.target_group: aws.lb.TargetGroup
        self.alarm: aws.cloudwatch.MetricAlarm
        self.health_check: aws.route53.HealthCheck
        self.record: aws.route53.Record


class MultiRegionPrivateApi(pulumi.ComponentResource):
    """Children per Region in `regional[region]`; `zone`, and `transit_gateways` /
    `peering` when Transit Gateway peering is on."""

    def __init__(self, name: str, args: MultiRegionPrivateApiArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:resilient_api:MultiRegionPrivateApi", name, None, opts)
        parent = child_opts(self)
        dns = child_opts(self, args.dns_provider)
        all_cidrs = [spec.cidr_block for spec in args.regions]
        self.regional: dict[str, RegionalStack] = {}

        for spec in args.regions:
            stack = RegionalStack(spec)
            prefix = f"{name}-{spec.region}"
            child = child_opts(self, spec.provider)
            # The endpoint policy names the API, whose resource policy names the endpoint (see
            # components.private_api.endpoint_policy): the API's ARN is resolved once it exists.
            api_arn, resolve_api_arn = pulumi.deferred_output()
            stack.consumer = PrivateApiConsumer(
                prefix,
                PrivateApiConsumerArgs(
                    provider=spec.provider,
                    region=spec.region,
                    cidr_block=spec.cidr_block,
                    api_execution_arns=[api_arn],
                    private_dns_enabled=True,
                    subnet_prefix_length=24,
                ),
                opts=parent,
            )
            logging = spec.api_gateway_logging or ApiGatewayLogging(
                f"{prefix}-apigw-logging", ApiGatewayLoggingArgs(spec.provider, spec.region), opts=parent
            )
            stack.api = PrivateApi(
                f"{prefix}-api",
                PrivateApiArgs(
                    provider=spec.provider,
                    region=spec.region,
                    allowed_vpce_ids=[stack.consumer.endpoint.id],
                    stage_name=args.stage_name,
                    throttling_rate_limit=args.throttling_rate_limit,
                    throttling_burst_limit=args.throttling_burst_limit,
                    log_retention_days=args.log_retention_days,
                    depends_on=[logging],
                    lambda_packaging=args.lambda_packaging,
                ),
                opts=parent,
            )
            resolve_api_arn(stack.api.execution_arn)

            # The shared name: a Regional custom domain mapped to this Region's private API.
            stack.domain_name = aws.apigateway.DomainName(
                f"{prefix}-domain",
                domain_name=args.domain_name,
                regional_certificate_arn=spec.certificate_arn,
                endpoint_configuration=aws.apigateway.DomainNameEndpointConfigurationArgs(types="REGIONAL"),
                security_policy="TLS_1_2",
                opts=child,
            )
            aws.apigateway.BasePathMapping(
                f"{prefix}-mapping",
                domain_name=stack.domain_name.domain_name,
                rest_api=stack.api.api_id,
                stage_name=stack.api.stage_name,
                base_path=args.base_path,
                opts=child,
            )

            network = stack.consumer.network
            nlb_sg = aws.ec2.SecurityGroup(
                f"{prefix}-nlb", vpc_id=network.vpc_id, description="Private API facade NLB", opts=child
            )
            for i, cidr in enumerate([*all_cidrs, *args.client_cidrs]):
                tcp_ingress(
                    f"{prefix}-nlb-client-{i}",
                    security_group_id=nlb_sg.id,
                    cidr=cidr,
                    description="HTTPS from the API's client networks",
                    opts=child,
                )
            allow(
                f"{prefix}-nlb-to-endpoint",
                f"{prefix}-endpoint-from-nlb",
                source_security_group_id=nlb_sg.id,
                destination_security_group_id=stack.consumer.endpoint_security_group.id,
                egress_description="HTTPS and /ping health checks to the execute-api endpoint",
                ingress_description="HTTPS from the facade NLB",
                opts=child,
            )
            stack.nlb = aws.lb.LoadBalancer(
                f"{prefix}-nlb",
                load_balancer_type="network",
                internal=True,
                subnets=network.private_subnet_ids,
                security_groups=[nlb_sg.id],
                enable_cross_zone_load_balancing=True,
                opts=child,
            )
            stack.target_group, _, _ = forward_to_endpoint(
                prefix,
                listener_name=f"{prefix}-tls",
                nlb=stack.nlb,
                consumer=stack.consumer,
                protocol="TLS",
                health_check_interval=10,
                health_check_timeout=5,
                certificate_arn=spec.certificate_arn,
                ssl_policy=NLB_TLS_POLICY,
                opts=child,
            )

            stack.alarm = aws.cloudwatch.MetricAlarm(
                f"{prefix}-healthy-targets",
                alarm_description=f"Private API alarm used by the Route 53 health check in {spec.region}",
                metric_name=ALARM_METRIC,
                namespace=ALARM_NAMESPACE,
                statistic=ALARM_STATISTIC,
                period=ALARM_PERIOD_SECONDS,
                evaluation_periods=ALARM_EVALUATION_PERIODS,
                threshold=args.healthy_host_threshold,
                comparison_operator="LessThanOrEqualToThreshold",
                dimensions={"LoadBalancer": stack.nlb.arn_suffix, "TargetGroup": stack.target_group.arn_suffix},
                # No data means no healthy target is reporting: count it as down so DNS fails over.
                treat_missing_data="breaching",
                opts=child,
            )
            stack.health_check = aws.route53.HealthCheck(
                f"{prefix}-health",
                type="CLOUDWATCH_METRIC",
                cloudwatch_alarm_name=stack.alarm.name,
                cloudwatch_alarm_region=spec.region,
                insufficient_data_health_status="LastKnownStatus",
                tags={"Name": f"{args.domain_name} in {spec.region}"},
                opts=dns,
            )
            self.regional[spec.region] = stack

        # One private zone for both VPCs; the same name answered per Region by latency.
        self.zone = aws.route53.Zone(
            f"{name}-zone",
            name=args.zone_name,
            comment=f"Private API {args.domain_name}",
            vpcs=[
                aws.route53.ZoneVpcArgs(vpc_id=s.consumer.network.vpc_id, vpc_region=region)
                for region, s in self.regional.items()
            ],
            opts=dns,
        )
        for region, stack in self.regional.items():
            stack.record = aws.route53.Record(
                f"{name}-{region}-record",
                zone_id=self.zone.zone_id,
                name=args.domain_name,
                type="A",
                set_identifier=region,
                latency_routing_policies=[aws.route53.RecordLatencyRoutingPolicyArgs(region=region)],
                health_check_id=stack.health_check.id,
                aliases=[
                    aws.route53.RecordAliasArgs(
                        name=stack.nlb.dns_name, zone_id=stack.nlb.zone_id, evaluate_target_health=True
                    )
                ],
                opts=dns,
            )

        self.transit_gateways: dict[str, aws.ec2transitgateway.TransitGateway] = {}
        self.peering = None
        if args.transit_gateway_peering:
            self._peer(name, args)

        self.url = f"https://{args.domain_name}/{args.base_path}"
        # What the stack exports: tools.private_api_drill takes the NLBs and health checks per Region.
        self.outputs = {
            "url": self.url,
            "zoneId": self.zone.zone_id,
            "nlbArns": {region: s.nlb.arn for region, s in self.regional.items()},
            "healthCheckIds": {region: s.health_check.id for region, s in self.regional.items()},
        }
        self.register_outputs({**self.outputs, "apiIds": {region: s.api.api_id for region, s in self.regional.items()}})

    def _peer(self, name: str, args: MultiRegionPrivateApiArgs) -> None:
        """Transit Gateway per Region, VPC attachments, inter-Region peering and routes both ways."""
        (first, second) = (self.regional[spec.region] for spec in args.regions)
        attachments = {}
        for index, stack in enumerate((first, second)):
            child = child_opts(self, stack.spec.provider)
            tgw = aws.ec2transitgateway.TransitGateway(
                f"{name}-{stack.region}-tgw",
                description=f"{args.domain_name} inter-Region peering",
                amazon_side_asn=64512 + index,
                dns_support="enable",
                default_route_table_association="enable",
                default_route_table_propagation="enable",
                opts=child,
            )
            attachments[stack.region] = aws.ec2transitgateway.VpcAttachment(
                f"{name}-{stack.region}-tgw-vpc",
                transit_gateway_id=tgw.id,
                vpc_id=stack.consumer.network.vpc_id,
                subnet_ids=stack.consumer.network.private_subnet_ids,
                opts=child,
            )
            self.transit_gateways[stack.region] = tgw
        account = account_id(second.spec.provider)
        self.peering = aws.ec2transitgateway.PeeringAttachment(
            f"{name}-tgw-peering",
            transit_gateway_id=self.transit_gateways[first.region].id,
            peer_transit_gateway_id=self.transit_gateways[second.region].id,
            peer_region=second.region,
            peer_account_id=account,
            opts=child_opts(self, first.spec.provider),
        )
        accepter = aws.ec2transitgateway.PeeringAttachmentAccepter(
            f"{name}-tgw-peering-accept",
            transit_gateway_attachment_id=self.peering.id,
            opts=child_opts(self, second.spec.provider),
        )
        for here, there in ((first, second), (second, first)):
            opts = child_opts(self, here.spec.provider, depends_on=[accepter])
            # Peering attachments do not propagate routes: one static route each way.
            aws.ec2transitgateway.Route(
                f"{name}-{here.region}-tgw-to-{there.region}",
                destination_cidr_block=there.spec.cidr_block,
                transit_gateway_attachment_id=self.peering.id,
                transit_gateway_route_table_id=self.transit_gateways[here.region].association_default_route_table_id,
                opts=opts,
            )
            for index, table in enumerate(here.consumer.network.private_route_tables):
                aws.ec2.Route(
                    f"{name}-{here.region}-to-{there.region}-{index}",
                    route_table_id=table.id,
                    destination_cidr_block=there.spec.cidr_block,
                    transit_gateway_id=self.transit_gateways[here.region].id,
                    opts=child_opts(self, provider=here.spec.provider, depends_on=[attachments[here.region]]),
                )


def regions_from(
    primary: tuple[str, pulumi.ProviderResource],
    secondary: tuple[str, pulumi.ProviderResource],
    cidrs: Sequence[str],
    certificate_arns: Sequence[str],
    existing_logging: dict[str, pulumi.Resource] | None = None,
) -> tuple[ApiRegion, ApiRegion]:
    """The two ApiRegion specs from parallel lists (stack wiring helper)."""
    existing_logging = existing_logging or {}
    return tuple(
        ApiRegion(
            region=region,
            provider=provider,
            cidr_block=cidr,
            certificate_arn=cert,
            api_gateway_logging=existing_logging.get(region),
        )
        for (region, provider), cidr, cert in zip((primary, secondary), cidrs, certificate_arns)
    )
