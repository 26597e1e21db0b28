"""Load balancers and private DNS: what a client is handed must be something it can reach.

* An IP target must lie in the target group's VPC CIDR, or (with ``availability_zone = "all"``) in a
  private range reachable from it; a publicly routable address cannot be registered
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-register-targets.html).
* A listener forwards only to a target group of a compatible protocol in the load balancer's VPC
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-target-groups.html#target-group-protocol).
* A record in a private hosted zone is answered to every VPC associated with the zone; with
  latency, failover or weighted sets any record of the set may be the answer. Each associated VPC
  must route to the addresses the record resolves to: the same VPC, an active peering connection
  routed both ways, or transit gateways routed both ways
  (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-considerations.html).
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterator

from pulumi_policy import EnforcementLevel

from ._core import Finding, Item, Res, UndecidedError, as_list, known, stack_rule
from ._graph import Graph
from ._network import Network, network

TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
ATTACHMENT = "aws:lb/targetGroupAttachment:TargetGroupAttachment"
LISTENER = "aws:lb/listener:Listener"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
ZONE = "aws:route53/zone:Zone"
ZONE_ASSOCIATION = "aws:route53/zoneAssociation:ZoneAssociation"
RECORD = "aws:route53/record:Record"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
RDS_PROXY = "aws:rds/proxy:Proxy"
OPENSEARCH = "aws:opensearch/domain:Domain"

# Listener protocol -> target group protocols it can forward to (the ELB guides' protocol tables).
COMPATIBLE = {
    "TCP": {"TCP", "TCP_UDP"},
    "TLS": {"TCP", "TLS"},
    "UDP": {"UDP", "TCP_UDP"},
    "TCP_UDP": {"TCP_UDP"},
    "HTTP": {"HTTP", "HTTPS"},
    "HTTPS": {"HTTP", "HTTPS"},
    "GENEVE": {"GENEVE"},
}
# Registrable private ranges for IP targets outside the target group's VPC: RFC 1918 and RFC 6598.
PRIVATE_RANGES = [ipaddress.ip_network(c) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")]


def _lb_vpc(net: Network, lb: Res) -> str | None:
    if isinstance(lb.props.get("vpcId"), str):
        return lb.props["vpcId"]
    for sid in as_list(lb.props.get("subnets")) + [
        m.get("subnetId") for m in as_list(lb.props.get("subnetMappings")) if isinstance(m, dict)
    ]:
        subnet = net.subnet(sid, lb, "the load balancer's subnets")
        if subnet is not None:
            return net.vpc_of(subnet)
    return None


def check_lb_targets(graph: Graph) -> Iterator[Item]:
    net = Network.of(graph)
    for attachment in graph.of_type(ATTACHMENT):
        try:
            group = graph.one(
                attachment.props.get("targetGroupArn"), TARGET_GROUP, owner=attachment, why="the target group"
            )
            if group is None or group.props.get("targetType") != "ip":
                continue
            address = known(attachment.props.get("targetId"), attachment, "the target's IP address")
            vpc_id = known(group.props.get("vpcId"), group, "the target group's VPC")
            ip = network(address)
            if ip is None:
                continue
            if any(ip.version == b.version and ip.subnet_of(b) for b in net.cidrs(vpc_id)):
                continue
            private = any(ip.version == r.version and ip.subnet_of(r) for r in PRIVATE_RANGES)
            if private and attachment.props.get("availabilityZone") == "all":
                continue
            vpc = net.vpc(vpc_id)
            cidrs = ", ".join(str(b) for b in net.cidrs(vpc_id)) or "unknown"
            fix = (
                "a publicly routable address cannot be an IP target: register the private address"
                if not private
                else 'set availability_zone="all" for an address outside the VPC (peered or on premises), or '
                "register an address in the VPC"
            )
            yield Finding(
                attachment,
                f"Target::{address}",
                f"target {address} of {group.name} is outside its VPC {vpc.name if vpc else vpc_id} ({cidrs}): "
                f"the registration fails. Fix: {fix}.",
            )
        except UndecidedError as stop:
            yield stop.undecided
    for listener in graph.of_type(LISTENER):
        try:
            yield from _check_listener(graph, net, listener)
        except UndecidedError as stop:
            yield stop.undecided


def _check_listener(graph: Graph, net: Network, listener: Res) -> Iterator[Item]:
    lb = graph.one(listener.props.get("loadBalancerArn"), LOAD_BALANCER, owner=listener, why="the load balancer")
    protocol = known(listener.props.get("protocol"), listener, "the listener protocol")
    arns = []
    for action in as_list(listener.props.get("defaultActions")):
        if isinstance(action, dict):
            arns.append(action.get("targetGroupArn"))
            arns += [
                g.get("arn") for g in as_list((action.get("forward") or {}).get("targetGroups")) if isinstance(g, dict)
            ]
    for arn in arns:
        if not arn:
            continue
        group = graph.one(arn, TARGET_GROUP, owner=listener, why="the forwarded target group")
        if group is None:
            continue
        group_protocol = known(group.props.get("protocol"), group, "the target group protocol")
        allowed = COMPATIBLE.get(str(protocol).upper())
        if allowed is not None and group_protocol and str(group_protocol).upper() not in allowed:
            yield Finding(
                listener,
                f"Protocol::{protocol}->{group_protocol}",
                f"a {protocol} listener cannot forward to {group.name}, a {group_protocol} target group "
                f"(allowed: {', '.join(sorted(allowed))}). Fix: use a compatible target group protocol.",
            )
        lb_vpc = _lb_vpc(net, lb) if lb else None
        group_vpc = group.props.get("vpcId")
        if lb_vpc and isinstance(group_vpc, str) and group_vpc != lb_vpc:
            yield Finding(
                listener,
                "Vpc::" + group_vpc,
                f"{lb.name} is in {lb_vpc} but forwards to {group.name} in {group_vpc}: a target group must "
                "be in the load balancer's VPC. Fix: create the target group in the load balancer's VPC.",
            )


class _Placement:
    """Where a DNS name or address lives: the VPC of the stack resource that answers it."""

    def __init__(self, graph: Graph, net: Network):
        self.graph, self.net = graph, net

    def vpc_of_name(self, name: str, record: Res) -> tuple[str, Res] | None:
        for res in self.graph.lookup(name, LOAD_BALANCER, ENDPOINT, RDS_PROXY, OPENSEARCH):
            vpc = self._vpc_of_resource(res)
            if vpc:
                return vpc, res
        return None

    def _vpc_of_resource(self, res: Res) -> str | None:
        if res.type == LOAD_BALANCER:
            return _lb_vpc(self.net, res)
        if res.type == ENDPOINT:
            return res.props.get("vpcId") if isinstance(res.props.get("vpcId"), str) else None
        subnets = res.props.get("vpcSubnetIds") if res.type == RDS_PROXY else (res.get("vpcOptions", "subnetIds"))
        for sid in as_list(subnets):
            subnet = self.net.subnet(sid, res, "its subnets")
            if subnet is not None:
                return self.net.vpc_of(subnet)
        return None


def _zone_vpcs(graph: Graph) -> dict[str, list[tuple[str, str | None]]]:
    """Private zone id -> the (VPC id, Region) pairs associated with it, indexed once."""
    out: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for zone in graph.of_type(ZONE):
        zid = zone.props.get("zoneId") or zone.props.get("id")
        for vpc in as_list(zone.props.get("vpcs")):
            if isinstance(vpc, dict) and isinstance(zid, str):
                out[zid].append((known(vpc.get("vpcId"), zone, "a VPC of the private zone"), vpc.get("vpcRegion")))
    for association in graph.of_type(ZONE_ASSOCIATION):
        zid = association.props.get("zoneId")
        if isinstance(zid, str):
            out[zid].append(
                (
                    known(association.props.get("vpcId"), association, "the associated VPC"),
                    association.props.get("vpcRegion"),
                )
            )
    return out


def check_private_dns(graph: Graph) -> Iterator[Item]:
    net = Network.of(graph)
    placement = _Placement(graph, net)
    try:
        zones = _zone_vpcs(graph)
    except UndecidedError as stop:
        yield stop.undecided
        return
    for record in graph.of_type(RECORD):
        try:
            zone_id = known(record.props.get("zoneId"), record, "the record's zone")
            associated = zones.get(zone_id)
            if not associated:
                continue  # a public zone, or one outside the stack
            name = known(record.props.get("name"), record, "the record's name")
            for target_vpc, via in _record_targets(record, placement, net):
                for vpc_id, vpc_region in associated:
                    if net.vpcs_connected(vpc_id, target_vpc):
                        continue
                    client = net.vpc(vpc_id)
                    there = net.vpc(target_vpc)
                    set_id = record.props.get("setIdentifier")
                    yield Finding(
                        record,
                        f"Unreachable::{vpc_id}->{target_vpc}",
                        f"VPC {client.name if client else vpc_id} ({vpc_region or '?'}) is associated with the "
                        f"private zone, so its clients can be answered {name}"
                        + (f" (set {set_id})" if set_id else "")
                        + f" -> {via}, in VPC "
                        f"{there.name if there else target_vpc}, which it has no route to (no active peering "
                        "or transit-gateway route each way). Those clients could not connect"
                        + (
                            " whenever Route 53 picks this record (latency, failover or weighted sets)"
                            if set_id
                            else ""
                        )
                        + ". Fix: peer the VPCs (or attach both to peered transit "
                        "gateways) and route each VPC's CIDR to the other, or do not associate the VPC.",
                    )
        except UndecidedError as stop:
            yield stop.undecided


def _record_targets(record: Res, placement: _Placement, net: Network) -> Iterator[tuple[str, str]]:
    """(VPC id, description) of each place the record can resolve to within the stack."""
    for alias in as_list(record.props.get("aliases")):
        if isinstance(alias, dict):
            target = known(alias.get("name"), record, "the alias target")
            found = placement.vpc_of_name(target, record)
            if found:
                yield found[0], f"{found[1].name} ({target})"
    kind = record.props.get("type")
    for value in as_list(record.props.get("records")):
        value = known(value, record, "a record value")
        if kind == "A" or kind == "AAAA":
            vpc = net.vpc_containing(value)
            if vpc:
                yield vpc, value
        elif kind == "CNAME":
            found = placement.vpc_of_name(value, record)
            if found:
                yield found[0], f"{found[1].name} ({value})"


RULES = [
    stack_rule(
        name="wiring-lb-targets",
        description=(
            "IP targets lie in the target group's VPC CIDR (or a private range with availability zone "
            '"all"); listeners forward to target groups of a compatible protocol in the load balancer\'s '
            "VPC."
        ),
        level=EnforcementLevel.MANDATORY,
        check=check_lb_targets,
        docs=(
            "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-register-targets.html",
            "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-target-groups.html",
        ),
    ),
    stack_rule(
        name="wiring-private-dns-reachable",
        description=(
            "Every record of a private hosted zone (latency, failover and weighted sets included) resolves "
            "to addresses every VPC associated with the zone can route to: same VPC, active peering or "
            "transit gateways routed both ways."
        ),
        level=EnforcementLevel.MANDATORY,
        check=check_private_dns,
        docs=(
            "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-considerations.html",
            "https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-routing.html",
            "https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering.html",
        ),
    ),
]
