"""The stack's network, indexed once: subnets, route tables and their routes, security-group
ingress, VPC endpoints, peering and transit-gateway routes. Answers "can traffic from here get
there" the way the VPC router does: the most specific route for the destination decides
(https://docs.aws.amazon.com/vpc/latest/userguide/how-route-tables-work.html#route-tables-priority)."""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ._core import Res, Undecided, Unknown, as_list, known
from ._graph import Graph

SUBNET = "aws:ec2/subnet:Subnet"
VPC = "aws:ec2/vpc:Vpc"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
MAIN_ASSOCIATION = "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ENDPOINT_RT = "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation"
ENDPOINT_SUBNET = "aws:ec2/vpcEndpointSubnetAssociation:VpcEndpointSubnetAssociation"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
PEERING = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"
PEERING_ACCEPTER = "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter"
CIDR_ASSOCIATION = "aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation"
TGW_PEERING = "aws:ec2transitgateway/peeringAttachment:PeeringAttachment"
TGW_ATTACHMENT = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
TGW_PEERING_ACCEPTER = "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter"
TGW_ROUTE = "aws:ec2transitgateway/route:Route"

# Route targets, by the route property that names them.
TARGET_KEYS = (
    "natGatewayId",
    "gatewayId",
    "transitGatewayId",
    "vpcPeeringConnectionId",
    "networkInterfaceId",
    "vpcEndpointId",
    "egressOnlyGatewayId",
    "localGatewayId",
    "carrierGatewayId",
    "coreNetworkArn",
)


@dataclass(frozen=True)
class Route:
    destination: ipaddress.IPv4Network | ipaddress.IPv6Network
    target_kind: str  # one of TARGET_KEYS
    target: str
    origin: Res  # the RouteTable or Route resource that declares it


def network(value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(value, strict=False) if isinstance(value, str) else None
    except ValueError:
        return None


class Network:
    def __init__(self, graph: Graph):
        self.graph = graph
        self._routes: dict[str, list[Route]] = defaultdict(list)  # route table id -> routes
        self._tables_of_subnet: dict[str, list[str]] = defaultdict(list)
        self._main_table: dict[str, str] = {}
        self._ingress: dict[str, list[tuple[Res, dict]]] = defaultdict(list)  # sg id -> (owner, rule)
        self._egress: dict[str, list[tuple[Res, dict]]] = defaultdict(list)
        self._endpoints: dict[str, list[Res]] = defaultdict(list)  # vpc id -> endpoints
        self._endpoint_tables: dict[str, set[str]] = defaultdict(set)  # endpoint id -> route table ids
        self._cidrs: dict[str, list] = defaultdict(list)  # vpc id -> CIDR blocks
        self.unknown: list[Undecided] = []  # network facts the index could not read
        self._build()

    @classmethod
    def of(cls, graph: Graph) -> Network:
        cached = getattr(graph, "_network", None)
        if cached is None:
            cached = graph._network = cls(graph)  # type: ignore[attr-defined]
        return cached

    # --- building ---------------------------------------------------------------------------

    def _add_route(self, table_id: Any, spec: dict, origin: Res) -> None:
        if not isinstance(table_id, str):
            return
        destination = network(
            spec.get("destinationCidrBlock")
            or spec.get("cidrBlock")
            or spec.get("destinationIpv6CidrBlock")
            or spec.get("ipv6CidrBlock")
        )
        for kind in TARGET_KEYS:
            target = spec.get(kind)
            if isinstance(target, Unknown):
                self.unknown.append(Undecided(origin, target.path, "a route's target"))
            elif isinstance(target, str) and target and destination is not None:
                self._routes[table_id].append(Route(destination, kind, target, origin))

    def _build(self) -> None:
        g = self.graph
        for vpc in g.of_type(VPC):
            vid = vpc.props.get("id")
            if isinstance(vid, str):
                block = network(vpc.props.get("cidrBlock"))
                if block:
                    self._cidrs[vid].append(block)
                if isinstance(vpc.props.get("mainRouteTableId"), str):
                    self._main_table[vid] = vpc.props["mainRouteTableId"]
        for assoc in g.of_type(CIDR_ASSOCIATION):
            block = network(assoc.props.get("cidrBlock"))
            if isinstance(assoc.props.get("vpcId"), str) and block:
                self._cidrs[assoc.props["vpcId"]].append(block)
        for table in g.of_type(ROUTE_TABLE):
            for spec in as_list(table.props.get("routes")):
                if isinstance(spec, dict):
                    self._add_route(table.props.get("id"), spec, table)
        for route in g.of_type(ROUTE):
            self._add_route(route.props.get("routeTableId"), route.props, route)
        for assoc in g.of_type(ASSOCIATION):
            subnet, table = assoc.props.get("subnetId"), assoc.props.get("routeTableId")
            if isinstance(subnet, str) and isinstance(table, str):
                self._tables_of_subnet[subnet].append(table)
            elif isinstance(subnet, Unknown) or isinstance(table, Unknown):
                self.unknown.append(Undecided(assoc, "subnetId/routeTableId", "which route table a subnet uses"))
        for assoc in g.of_type(MAIN_ASSOCIATION):
            if isinstance(assoc.props.get("vpcId"), str) and isinstance(assoc.props.get("routeTableId"), str):
                self._main_table[assoc.props["vpcId"]] = assoc.props["routeTableId"]
        # Security-group rules, both directions: inline on the group, as separate rule resources (the
        # vpc/ and the older ec2/ flavour). A group the AWS provider creates has no egress until some
        # is declared: it revokes EC2's default allow-all egress rule on create
        # (hashicorp/terraform-provider-aws internal/service/ec2/vpc_security_group.go, resourceSecurityGroupCreate).
        stores = {"ingress": self._ingress, "egress": self._egress}
        for sg in g.of_type(SECURITY_GROUP):
            for direction, store in stores.items():
                for rule in as_list(sg.props.get(direction)):
                    if isinstance(rule, dict) and isinstance(sg.props.get("id"), str):
                        store[sg.props["id"]].append(
                            (
                                sg,
                                {
                                    "protocol": rule.get("protocol"),
                                    "fromPort": rule.get("fromPort"),
                                    "toPort": rule.get("toPort"),
                                    "cidrs": as_list(rule.get("cidrBlocks")),
                                    "prefixes": as_list(rule.get("prefixListIds")),
                                    "groups": as_list(rule.get("securityGroups"))
                                    + ([sg.props["id"]] if rule.get("self") else []),
                                },
                            )
                        )
        for kind, store in ((INGRESS_RULE, self._ingress), (EGRESS_RULE, self._egress)):
            for rule in g.of_type(kind):
                store[rule.props.get("securityGroupId")].append(
                    (
                        rule,
                        {
                            "protocol": rule.props.get("ipProtocol"),
                            "fromPort": rule.props.get("fromPort"),
                            "toPort": rule.props.get("toPort"),
                            "cidrs": as_list(rule.props.get("cidrIpv4")),
                            "prefixes": as_list(rule.props.get("prefixListId")),
                            "groups": as_list(rule.props.get("referencedSecurityGroupId")),
                        },
                    )
                )
        for rule in g.of_type(SG_RULE):
            store = stores.get(rule.props.get("type"))
            if store is not None:
                store[rule.props.get("securityGroupId")].append(
                    (
                        rule,
                        {
                            "protocol": rule.props.get("protocol"),
                            "fromPort": rule.props.get("fromPort"),
                            "toPort": rule.props.get("toPort"),
                            "cidrs": as_list(rule.props.get("cidrBlocks")),
                            "prefixes": as_list(rule.props.get("prefixListIds")),
                            "groups": as_list(rule.props.get("sourceSecurityGroupId"))
                            + ([rule.props.get("securityGroupId")] if rule.props.get("self") else []),
                        },
                    )
                )
        for endpoint in g.of_type(ENDPOINT):
            if isinstance(endpoint.props.get("vpcId"), str):
                self._endpoints[endpoint.props["vpcId"]].append(endpoint)
            eid = endpoint.props.get("id")
            if isinstance(eid, str):
                self._endpoint_tables[eid].update(
                    t for t in as_list(endpoint.props.get("routeTableIds")) if isinstance(t, str)
                )
        for assoc in g.of_type(ENDPOINT_RT):
            if isinstance(assoc.props.get("vpcEndpointId"), str) and isinstance(assoc.props.get("routeTableId"), str):
                self._endpoint_tables[assoc.props["vpcEndpointId"]].add(assoc.props["routeTableId"])

    # --- questions --------------------------------------------------------------------------

    def subnet(self, subnet_id: Any, owner: Res, why: str) -> Res | None:
        return self.graph.one(subnet_id, SUBNET, owner=owner, why=why)

    def vpc_of(self, subnet: Res) -> str:
        return known(subnet.props.get("vpcId"), subnet, "the subnet's VPC")

    def vpc(self, vpc_id: str) -> Res | None:
        return self.graph.one(vpc_id, VPC)

    def cidrs(self, vpc_id: str) -> list:
        return self._cidrs.get(vpc_id, [])

    def tables_of(self, subnet: Res) -> list[str]:
        """The subnet's route table: its explicit association, else the VPC's main route table
        (https://docs.aws.amazon.com/vpc/latest/userguide/RouteTables.html#subnet-route-tables)."""
        sid = subnet.props.get("id")
        explicit = self._tables_of_subnet.get(sid, []) if isinstance(sid, str) else []
        if explicit:
            return explicit
        main = self._main_table.get(subnet.props.get("vpcId"))
        return [main] if main else []

    def route_for(self, table_id: str, destination: str) -> Route | None:
        """The most specific route of the table that covers ``destination`` (an address or CIDR);
        None when only the implicit local route (or nothing) covers it."""
        target = network(destination)
        if target is None:
            return None
        best = None
        for route in self._routes.get(table_id, []):
            if (
                route.destination.version == target.version
                and target.subnet_of(route.destination)
                and (best is None or route.destination.prefixlen > best.destination.prefixlen)
            ):
                best = route
        return best

    def default_route(self, table_id: str) -> Route | None:
        return self.route_for(table_id, "0.0.0.0/0")

    def endpoints_in(self, vpc_id: str) -> list[Res]:
        return self._endpoints.get(vpc_id, [])

    def endpoint_tables(self, endpoint: Res) -> set[str]:
        eid = endpoint.props.get("id")
        return self._endpoint_tables.get(eid, set()) if isinstance(eid, str) else set()

    def admits(self, group_ids: list[str], port: int, from_groups: list[str], from_cidrs: list) -> bool:
        """Whether any of ``group_ids`` admits TCP ``port`` from one of ``from_groups`` or addresses
        in ``from_cidrs`` (security groups are stateful and allow-only:
        https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html)."""
        return self._allows(self._ingress, group_ids, port, from_groups, from_cidrs)

    def lets_out(
        self, group_ids: list[str], port: int, to_groups: list[str] = (), to_cidrs: list = (), prefix_list: bool = False
    ) -> bool:
        """Whether any of ``group_ids`` lets TCP ``port`` out to one of ``to_groups``, to every
        address in ``to_cidrs``, or (``prefix_list``) to a gateway endpoint's prefix list."""
        return self._allows(self._egress, group_ids, port, list(to_groups), list(to_cidrs), prefix_list)

    def _allows(
        self, rules: dict, group_ids: list[str], port: int, peers: list[str], cidrs: list, prefix_list: bool = False
    ) -> bool:
        for gid in group_ids:
            for owner, rule in rules.get(gid, []):
                protocol = str(known(rule["protocol"], owner, "a rule's protocol")).lower()
                if protocol not in ("tcp", "6", "-1", "all"):
                    continue
                if protocol not in ("-1", "all"):
                    low, high = known(rule["fromPort"], owner, "a port"), known(rule["toPort"], owner, "a port")
                    if low is None or high is None or not (int(low) <= port <= int(high)):
                        continue
                if any(known(g, owner, "a rule's peer group") in peers for g in rule["groups"]):
                    return True
                if prefix_list and any(known(p, owner, "a rule's prefix list") for p in rule["prefixes"]):
                    return True
                blocks = [network(known(c, owner, "a rule's CIDR")) for c in rule["cidrs"]]
                if cidrs and all(any(b and c.version == b.version and c.subnet_of(b) for b in blocks) for c in cidrs):
                    return True
        return False

    def vpc_containing(self, address: str) -> str | None:
        """The stack's VPC whose CIDR holds ``address`` (None when none does)."""
        ip = network(address)
        if ip is None:
            return None
        for vpc_id, blocks in self._cidrs.items():
            if any(ip.version == b.version and ip.subnet_of(b) for b in blocks):
                return vpc_id
        return None

    @cached_property
    def _tables_of_vpc(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for table in self.graph.of_type(ROUTE_TABLE):
            if isinstance(table.props.get("vpcId"), str) and isinstance(table.props.get("id"), str):
                out[table.props["vpcId"]].append(table.props["id"])
        return out

    @cached_property
    def _peerings(self) -> dict[str, tuple[str, str]]:
        """Active peering connections: auto-accepted, or accepted by an accepter resource (a
        cross-Region or cross-account request stays pending-acceptance and carries no traffic:
        https://docs.aws.amazon.com/vpc/latest/peering/accept-vpc-peering-connection.html)."""
        accepted = {a.props.get("vpcPeeringConnectionId") for a in self.graph.of_type(PEERING_ACCEPTER)}
        out = {}
        for peering in self.graph.of_type(PEERING):
            pid, a, b = (peering.props.get(k) for k in ("id", "vpcId", "peerVpcId"))
            if all(isinstance(v, str) for v in (pid, a, b)) and (
                peering.props.get("autoAccept") is True or pid in accepted
            ):
                out[pid] = (a, b)
        return out

    @cached_property
    def _tgw_peers(self) -> dict[frozenset[str], str]:
        """Accepted peering attachments between two transit gateways, by the pair: a peering request
        carries traffic once the peer accepts it
        (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering.html)."""
        accepted = {a.props.get("transitGatewayAttachmentId") for a in self.graph.of_type(TGW_PEERING_ACCEPTER)}
        out = {}
        for attachment in self.graph.of_type(TGW_PEERING):
            a, b, aid = (attachment.props.get(k) for k in ("transitGatewayId", "peerTransitGatewayId", "id"))
            if isinstance(a, str) and isinstance(b, str) and aid in accepted:
                out[frozenset((a, b))] = aid
        return out

    @cached_property
    def _tgw_static_routes(self) -> dict[str, list]:
        """Transit-gateway routes by the attachment they send to. Peering attachments take static
        routes only: routes do not propagate across a peering
        (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering.html)."""
        out: dict[str, list] = defaultdict(list)
        for route in self.graph.of_type(TGW_ROUTE):
            block = network(route.props.get("destinationCidrBlock"))
            if block is not None and isinstance(route.props.get("transitGatewayAttachmentId"), str):
                out[route.props["transitGatewayAttachmentId"]].append(block)
        return out

    def _over_peering(self, peering: str, to_vpc: str) -> bool:
        blocks = self._tgw_static_routes.get(peering, [])
        return any(any(c.version == b.version and c.subnet_of(b) for b in blocks) for c in self.cidrs(to_vpc))

    @cached_property
    def _tgw_attachments(self) -> set[tuple[str, str]]:
        """(VPC id, transit gateway id) pairs: a route to a transit gateway the VPC is not attached
        to goes nowhere (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-vpc-attachments.html)."""
        return {
            (a.props.get("vpcId"), a.props.get("transitGatewayId"))
            for a in self.graph.of_type(TGW_ATTACHMENT)
            if isinstance(a.props.get("vpcId"), str) and isinstance(a.props.get("transitGatewayId"), str)
        }

    def _hop(self, from_vpc: str, to_vpc: str) -> str | None:
        """How ``from_vpc``'s route tables send traffic to ``to_vpc``'s CIDR: the peering or transit
        gateway id, when some route table has such a route (None otherwise)."""
        for table in self._tables_of_vpc.get(from_vpc, []):
            for block in self.cidrs(to_vpc):
                route = self.route_for(table, str(block))
                if route is None:
                    continue
                if route.target_kind == "vpcPeeringConnectionId" and set(self._peerings.get(route.target, ())) == {
                    from_vpc,
                    to_vpc,
                }:
                    return route.target
                if route.target_kind == "transitGatewayId" and (from_vpc, route.target) in self._tgw_attachments:
                    return route.target
        return None

    def vpcs_connected(self, a: str, b: str) -> bool:
        """Same VPC, or a route each way over the same peering connection, or over transit gateways
        that are the same or peered (https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-routing.html,
        https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering.html)."""
        if a == b:
            return True
        there, back = self._hop(a, b), self._hop(b, a)
        if there is None or back is None:
            return False
        if there in self._peerings or back in self._peerings:
            return there == back
        if there == back:
            return True
        peering = self._tgw_peers.get(frozenset((there, back)))
        return peering is not None and self._over_peering(peering, b) and self._over_peering(peering, a)
