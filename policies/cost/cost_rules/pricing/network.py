"""Networking prices: NAT gateways, load balancers, VPC endpoints, transit gateways, Route 53."""

from __future__ import annotations

from ..stack import Res
from ..values import UNKNOWN, number
from .engine import Ctx, Line, prices

PROCESSED = {"monthly_data_processed_gb": "GB a month processed"}


@prices("aws:ec2/natGateway:NatGateway", usage=PROCESSED)
def _nat(res: Res, ctx: Ctx, line: Line) -> None:
    line.fixed("NAT gateway", ctx.hours, "hours", ctx.price(line, "natGateway.hour"))
    line.usage(
        "data processed",
        ctx.declared(res, "monthly_data_processed_gb"),
        "GB",
        ctx.price(line, "natGateway.gb"),
        "monthly_data_processed_gb",
    )


@prices(
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:alb/loadBalancer:LoadBalancer",
    "aws:elasticloadbalancingv2/loadBalancer:LoadBalancer",
    usage={"capacity_units": "average LCUs (ALB) or NLCUs (NLB) over the month"},
)
def _load_balancer(res: Res, ctx: Ctx, line: Line) -> None:
    kind = res.get("loadBalancerType", default="application")
    if kind not in ("application", "network", "gateway"):
        line.unpriced(f"not priced: load balancer type {kind!r} not known")
        return
    line.fixed(f"{kind} load balancer", ctx.hours, "hours", ctx.price(line, f"elb.{kind}.hour"))
    units = ctx.declared(res, "capacity_units")
    line.usage(
        "capacity units",
        None if units is None else units * ctx.hours,
        "LCU-hours",
        ctx.price(line, f"elb.{kind}.lcuHour"),
        "capacity_units",
    )
    internal = res.get("internal")
    if kind != "gateway" and internal is not True:
        subnets = res.get("subnets") or res.get("subnetMappings")
        count = len(subnets) if isinstance(subnets, list) else 2
        rate = ctx.price(line, "ec2.publicIpv4.hour")
        if internal is UNKNOWN:
            line.fixed(
                f"public IPv4 addresses (internet-facing not known: up to {count})",
                0,
                "address-hours",
                rate,
                high=count * ctx.hours * rate,
            )
        else:
            line.fixed("public IPv4 addresses (internet-facing)", count * ctx.hours, "address-hours", rate)


@prices("aws:ec2/vpcEndpoint:VpcEndpoint", usage=PROCESSED)
def _vpc_endpoint(res: Res, ctx: Ctx, line: Line) -> None:
    kind = res.get("vpcEndpointType", default="Gateway")
    if kind == "Gateway":
        line.note("gateway endpoint: no charge")
        return
    if kind == "GatewayLoadBalancer":
        line.fixed(
            "Gateway Load Balancer endpoint",
            ctx.hours,
            "hours",
            ctx.price(line, "vpcEndpoint.gatewayLoadBalancer.hour"),
        )
        return
    rate = ctx.price(line, "vpcEndpoint.interface.azHour")
    subnets = res.get("subnetIds")
    if not isinstance(subnets, list):
        subnets = res.get("subnetConfigurations")
    if isinstance(subnets, list) and subnets:
        line.fixed(f"interface endpoint in {len(subnets)} AZ", len(subnets) * ctx.hours, "AZ-hours", rate)
    else:
        line.fixed(
            "interface endpoint, subnets not known: 2 AZ assumed (1-3)",
            2 * ctx.hours,
            "AZ-hours",
            rate,
            low=ctx.hours * rate,
            high=3 * ctx.hours * rate,
        )
    line.usage(
        "data processed",
        ctx.declared(res, "monthly_data_processed_gb"),
        "GB",
        ctx.price(line, "vpcEndpoint.interface.gb"),
        "monthly_data_processed_gb",
    )


@prices(
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
    "aws:ec2transitgateway/peeringAttachment:PeeringAttachment",
    usage=PROCESSED,
)
def _tgw_attachment(res: Res, ctx: Ctx, line: Line) -> None:
    line.fixed("attachment", ctx.hours, "hours", ctx.price(line, "transitGateway.attachment.hour"))
    if res.type.endswith("VpcAttachment"):
        line.usage(
            "data processed",
            ctx.declared(res, "monthly_data_processed_gb"),
            "GB",
            ctx.price(line, "transitGateway.gb"),
            "monthly_data_processed_gb",
        )


@prices("aws:route53/zone:Zone")
def _zone(res: Res, ctx: Ctx, line: Line) -> None:
    line.fixed("hosted zone", 1, "zone-months", ctx.price(line, "route53.hostedZone.month"))


@prices("aws:route53/record:Record", usage={"monthly_queries": "DNS queries a month answered by this record"})
def _record(res: Res, ctx: Ctx, line: Line) -> None:
    # Queries to alias records of AWS resources (ELB, API Gateway, VPC endpoints...) are free; latency
    # records bill the latency-based query price (https://aws.amazon.com/route53/pricing/).
    if res.get("aliases") or res.get("alias"):
        line.note("alias record: queries free")
        return
    latency = bool(res.get("latencyRoutingPolicies") or res.get("latencyRoutingPolicy"))
    key = "route53.queries.latency.million" if latency else "route53.queries.standard.million"
    queries = ctx.declared(res, "monthly_queries")
    line.usage(
        f"{'latency-based' if latency else 'standard'} queries",
        None if queries is None else queries / 1e6,
        "million queries",
        ctx.price(line, key),
        "monthly_queries",
    )


@prices("aws:route53/healthCheck:HealthCheck")
def _health_check(res: Res, ctx: Ctx, line: Line) -> None:
    kind = res.get("type", default="")
    if kind in ("CLOUDWATCH_METRIC", "CALCULATED", "RECOVERY_CONTROL"):
        line.fixed(f"{kind} health check", 1, "check-months", ctx.price(line, "route53.healthCheck.aws.month"))
        return
    basic_aws = ctx.price(line, "route53.healthCheck.aws.month")
    basic_other = ctx.price(line, "route53.healthCheck.other.month")
    features = []
    if isinstance(kind, str) and kind.startswith("HTTPS"):
        features.append("HTTPS")
    if isinstance(kind, str) and kind.endswith("STR_MATCH"):
        features.append("string matching")
    if number(res.get("requestInterval")) == 10.0:
        features.append("fast interval")
    if res.get("measureLatency") is True:
        features.append("latency")
    line.fixed(
        f"{kind} health check (AWS endpoint; a non-AWS endpoint is the high bound)",
        1,
        "check-months",
        basic_aws,
        high=basic_other,
    )
    if features:
        line.fixed(
            f"optional features: {', '.join(features)}",
            len(features),
            "feature-months",
            ctx.price(line, "route53.healthCheck.featureAws.month"),
            high=len(features) * ctx.price(line, "route53.healthCheck.featureOther.month"),
        )


@prices("aws:route53/resolverEndpoint:ResolverEndpoint")
def _resolver_endpoint(res: Res, ctx: Ctx, line: Line) -> None:
    addresses = res.get("ipAddresses")
    count = len(addresses) if isinstance(addresses, list) else 2
    line.fixed(
        f"{count} resolver ENIs", count * ctx.hours, "ENI-hours", ctx.price(line, "route53.resolverEndpoint.ipHour")
    )
