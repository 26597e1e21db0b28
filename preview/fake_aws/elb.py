"""Elastic Load Balancing: load balancers, target groups, listeners, rules, trust stores, and the
hosted-zone invokes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .registry import Ctx, InvokeCtx, aws_invoke, aws_type, published_zone_id

if TYPE_CHECKING:
    from .mocks import FakeAws


# Hosted zone IDs AWS publishes per Region (fallback: a generated Z... id).
_NLB_ZONE_IDS = {
    "us-east-1": "Z26RNL4JYFTOTI",
    "us-east-2": "ZLMOA37VPKANP",
    "us-west-1": "Z24FKFUX50B4VW",
    "us-west-2": "Z18D5FSROUN65G",
    "eu-west-1": "Z2IFOLAFXWLO4F",
    "eu-central-1": "Z3F0SRJ5LGBH90",
    "ap-southeast-2": "ZCT6FZBF4DROD",
    "ap-northeast-1": "Z31USIVHYNEOWT",
}


_ALB_ZONE_IDS = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-1": "Z368ELLRRE2KJ0",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
    "ap-southeast-2": "Z1GM3OXH4ZPM65",
    "ap-northeast-1": "Z14GRHDCWA56QT",
}


@aws_type("aws:lb/loadBalancer:LoadBalancer", name="name", max_name=32)
@aws_type("aws:alb/loadBalancer:LoadBalancer", name="name", max_name=32)
def load_balancer(c: Ctx):
    kind = c.get("loadBalancerType", "application")
    short = {"network": "net", "gateway": "gwy"}.get(kind, "app")
    suffix = f"{short}/{c.physical_name}/{c.hex(16)}"
    internal = "internal-" if c.get("internal") and kind == "application" else ""
    if kind == "network":
        dns = f"{c.physical_name}-{c.hex(16, 'dns')}.elb.{c.region}.amazonaws.com"
        zone = published_zone_id(_NLB_ZONE_IDS, c.region, "nlb")
    else:
        dns = f"{internal}{c.physical_name}-{int(c.hex(8, 'dns'), 16)}.{c.region}.elb.amazonaws.com"
        zone = published_zone_id(_ALB_ZONE_IDS, c.region, "alb")
    arn = c.arn("elasticloadbalancing", f"loadbalancer/{suffix}")
    return arn, {
        "arn": arn,
        "arnSuffix": suffix,
        "dnsName": dns,
        "zoneId": zone,
        "loadBalancerType": kind,
        "vpcId": c.fake._vpc_of_subnets(c.get("subnets")),
    }


@aws_type("aws:lb/targetGroup:TargetGroup", name="name", max_name=32)
@aws_type("aws:alb/targetGroup:TargetGroup", name="name", max_name=32)
def target_group(c: Ctx):
    suffix = f"targetgroup/{c.physical_name}/{c.hex(16)}"
    arn = c.arn("elasticloadbalancing", suffix)
    return arn, {"arn": arn, "arnSuffix": suffix, "loadBalancerArns": []}


@aws_type("aws:lb/listener:Listener")
@aws_type("aws:alb/listener:Listener")
def _listener(c: Ctx):
    lb_arn = str(c.get("loadBalancerArn", ""))
    lb_part = lb_arn.split("loadbalancer/", 1)[1] if "loadbalancer/" in lb_arn else f"app/lb/{c.hex(16, 'lb')}"
    arn = c.arn("elasticloadbalancing", f"listener/{lb_part}/{c.hex(16)}")
    return arn, {"arn": arn}


@aws_type("aws:lb/listenerRule:ListenerRule")
@aws_type("aws:alb/listenerRule:ListenerRule")
def _listener_rule(c: Ctx):
    listener = str(c.get("listenerArn", ""))
    arn = (
        listener.replace(":listener/", ":listener-rule/") + f"/{c.hex(16)}"
        if listener
        else c.arn("elasticloadbalancing", f"listener-rule/app/lb/{c.hex(16)}")
    )
    return arn, {"arn": arn}


@aws_type("aws:lb/targetGroupAttachment:TargetGroupAttachment")
@aws_type("aws:alb/targetGroupAttachment:TargetGroupAttachment")
def _tg_attachment(c: Ctx):
    return f"{c.get('targetGroupArn')}-{int(c.hex(10), 16)}", {}


@aws_type("aws:lb/listenerCertificate:ListenerCertificate")
def _listener_certificate(c: Ctx):
    return f"{c.get('listenerArn')}_{c.get('certificateArn')}", {}


@aws_type("aws:lb/trustStore:TrustStore", name="name", max_name=32)
def _trust_store(c: Ctx):
    arn = c.arn("elasticloadbalancing", f"truststore/{c.physical_name}/{c.hex(16)}")
    return arn, {"arn": arn, "arnSuffix": arn.split(":", 5)[5]}


@aws_invoke("aws:lb/getHostedZoneId:getHostedZoneId")
def _lb_zone(fake: FakeAws, i: InvokeCtx) -> dict:
    table = _NLB_ZONE_IDS if i.args.get("loadBalancerType") == "network" else _ALB_ZONE_IDS
    return {"id": published_zone_id(table, i.region, "lb")}


@aws_invoke("aws:elb/getHostedZoneId:getHostedZoneId")
def _elb_zone(fake: FakeAws, i: InvokeCtx) -> dict:
    return {"id": published_zone_id(_ALB_ZONE_IDS, i.region, "lb")}
