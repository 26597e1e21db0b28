"""Networking prices: NAT gateways, load balancers, VPC endpoints, transit gateways, Route 53."""

from __future__ import annotations

from ..stack import Res
from ..values import UNKNOWN, number
from .engine import Ctx, Line, money, prices


@prices("aws:ec2/natGateway:NatGateway")
def _nat(res: Res, ctx: Ctx, line: Line) -> None:
    hourly = ctx.price(line, "natGateway.hour") * ctx.hours
    gb = ctx.usage(res, "natGatewayGbPerMonth")
    data = gb * ctx.price(line, "natGateway.gb")
    line.add(hourly, note=f"{ctx.hours:g} h {money(hourly)}")
    line.add(data, low=0, note=f"{gb:g} GB processed {money(data)}")


@prices("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer",
        "aws:elasticloadbalancingv2/loadBalancer:LoadBalancer")
def _load_balancer(res: Res, ctx: Ctx, line: Line) -> None:
    kind = res.get("loadBalancerType", default="application")
    if kind not in ("application", "network", "gateway"):
        line.unpriced(f"not priced: load balancer type {kind!r} not known")
        return
    hourly = ctx.price(line, f"elb.{kind}.hour") * ctx.hours
    units = ctx.usage(res, "loadBalancerCapacityUnits")
    capacity = units * ctx.price(line, f"elb.{kind}.lcuHour") * ctx.hours
    line.add(hourly, note=f"{kind} load balancer {money(hourly)}")
    line.add(capacity, low=0, note=f"{units:g} capacity units {money(capacity)}")
    internal = res.get("internal")
    if kind != "gateway" and internal is not True:
        subnets = res.get("subnets") or res.get("subnetMappings")
        count = len(subnets) if isinstance(subnets, list) else 2
        ip = ctx.price(line, "ec2.publicIpv4.hour") * ctx.hours * count
        if internal is UNKNOWN:
            line.add(0, low=0, high=ip, note=f"internet-facing unknown: up to {count} public IPv4 {money(ip)}")
        else:
            line.add(ip, note=f"internet-facing: {count} public IPv4 {money(ip)}")


@prices("aws:ec2/vpcEndpoint:VpcEndpoint")
def _vpc_endpoint(res: Res, ctx: Ctx, line: Line) -> None:
    kind = res.get("vpcEndpointType", default="Gateway")
    if kind == "Gateway":
        line.add(0, note="gateway endpoint: no charge")
        return
    if kind == "GatewayLoadBalancer":
        hourly = ctx.price(line, "vpcEndpoint.gatewayLoadBalancer.hour") * ctx.hours
        line.add(hourly, note=f"Gateway Load Balancer endpoint {money(hourly)}")
        return
    per_az = ctx.price(line, "vpcEndpoint.interface.azHour") * ctx.hours
    gb = ctx.usage(res, "vpcEndpointGbPerMonth")
    data = gb * ctx.price(line, "vpcEndpoint.interface.gb")
    subnets = res.get("subnetIds")
    if not isinstance(subnets, list):
        subnets = res.get("subnetConfigurations")
    if isinstance(subnets, list) and subnets:
        count = len(subnets)
        line.add(per_az * count, note=f"interface endpoint in {count} AZ x {money(per_az)}")
    else:
        line.add(per_az * 2, low=per_az, high=per_az * 3,
                 note=f"interface endpoint, subnets not known: 2 AZ assumed (1-3) x {money(per_az)}")
    line.add(data, low=0, note=f"{gb:g} GB processed {money(data)}")


@prices("aws:ec2transitgateway/vpcAttachment:VpcAttachment",
        "aws:ec2transitgateway/peeringAttachment:PeeringAttachment")
def _tgw_attachment(res: Res, ctx: Ctx, line: Line) -> None:
    hourly = ctx.price(line, "transitGateway.attachment.hour") * ctx.hours
    line.add(hourly, note=f"attachment {money(hourly)}")
    if res.type.endswith("VpcAttachment"):
        gb = ctx.usage(res, "transitGatewayGbPerMonth")
        data = gb * ctx.price(line, "transitGateway.gb")
        line.add(data, low=0, note=f"{gb:g} GB processed {money(data)}")


@prices("aws:route53/zone:Zone")
def _zone(res: Res, ctx: Ctx, line: Line) -> None:
    line.add(ctx.price(line, "route53.hostedZone.month"), note="hosted zone (queries not estimated)")


@prices("aws:route53/healthCheck:HealthCheck")
def _health_check(res: Res, ctx: Ctx, line: Line) -> None:
    kind = res.get("type", default="")
    if kind in ("CLOUDWATCH_METRIC", "CALCULATED", "RECOVERY_CONTROL"):
        line.add(ctx.price(line, "route53.healthCheck.aws.month"), note=f"{kind} health check")
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
    feature_aws = len(features) * ctx.price(line, "route53.healthCheck.featureAws.month")
    feature_other = len(features) * ctx.price(line, "route53.healthCheck.featureOther.month")
    line.add(basic_aws + feature_aws, low=basic_aws + feature_aws, high=basic_other + feature_other,
             note=f"{kind} health check{' with ' + ', '.join(features) if features else ''} "
                  "(AWS endpoint price; a non-AWS endpoint is the high bound)")


@prices("aws:route53/resolverEndpoint:ResolverEndpoint")
def _resolver_endpoint(res: Res, ctx: Ctx, line: Line) -> None:
    addresses = res.get("ipAddresses")
    count = len(addresses) if isinstance(addresses, list) else 2
    cost = count * ctx.price(line, "route53.resolverEndpoint.ipHour") * ctx.hours
    line.add(cost, note=f"{count} resolver ENIs {money(cost)}")
