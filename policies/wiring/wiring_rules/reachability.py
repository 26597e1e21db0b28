"""Every AWS API that VPC-attached compute calls is reachable from its subnets.

A call from inside a VPC reaches a Regional AWS API through one of: an interface endpoint for that
service in the VPC with private DNS on (so the SDK's default host name resolves to it), whose
security group admits HTTPS from the caller and whose endpoint policy allows the call
(https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html); a gateway endpoint
on the subnet's route table (S3, DynamoDB only:
https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html); or a default route to a
NAT gateway (or transit gateway), or to an internet gateway for an address that is public. A Lambda
function never gets a public address, so an internet-gateway route does not help it
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html). Without any of these
the SDK's connection hangs until its timeout: the function times out, the batch retries.

A service's endpoint in another VPC (another Region's, or a central one) serves the call when the
compute's VPC is associated with a private hosted zone named like the service's Regional host
(``events.us-west-2.amazonaws.com``) whose apex record resolves to that endpoint, the two VPCs are
connected, and the endpoint's security group admits the compute: the centralised-endpoint pattern
(https://docs.aws.amazon.com/whitepapers/latest/building-scalable-secure-multi-vpc-network-infrastructure/centralized-access-to-vpc-private-endpoints.html).

Calls the Lambda service makes on the function's behalf need no route from the VPC: log delivery,
the function's network interfaces, an event source mapping's polling and its on-failure
destination, the dead-letter queue and asynchronous destinations. A call the code makes to one of
those same resources (its environment names it) does need a route.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from pulumi_policy import EnforcementLevel

from ._compute import Call, Compute, Roles, api_calls, vpc_computes
from ._core import Finding, Item, Res, Undecided, UndecidedError, Unknown, as_list, known, stack_rule
from ._documents import DocumentError, allows, statements
from ._graph import Graph, arn_parts
from ._network import ENDPOINT, Network, network
from .lb_dns import RECORD, ZONE, _zone_vpcs

# IAM service prefix -> the endpoint service's name where it differs
# (https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html).
ENDPOINT_NAMES = {
    "kinesis": "kinesis-streams",
    "cloudwatch": "monitoring",
    "firehose": "kinesis-firehose",
    "execute-api": "execute-api",
    "ecr": "ecr.api",
    "elasticfilesystem": "elasticfilesystem",
    "scheduler": "scheduler",
    "states": "states",
}
# IAM service prefix -> the first labels of its Regional host name, ``<host>.<region>.amazonaws.com``,
# where they differ (https://docs.aws.amazon.com/general/latest/gr/rande.html#regional-endpoints;
# monitoring: https://docs.aws.amazon.com/general/latest/gr/cw_region.html; api.ecr:
# https://docs.aws.amazon.com/general/latest/gr/ecr.html).
REGIONAL_HOSTS = {"cloudwatch": "monitoring", "ecr": "api.ecr"}
GATEWAY_SERVICES = {"s3", "dynamodb"}
# Global APIs served from us-east-1 with no interface endpoint: only a NAT or internet route works.
GLOBAL_NO_ENDPOINT = {"iam", "route53", "cloudfront", "organizations", "budgets", "ce"}
HTTPS = 443
# Security groups of a peer VPC in another Region cannot be referenced, only its CIDR.
PEER_GROUPS_DOC = "https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html"
ANYWHERE = network("0.0.0.0/0")


def _target_region(call: Call, home: str | None) -> str | None:
    """The Region whose endpoint serves the call: the resource ARN's Region (a bus in another Region
    is reached through that Region's endpoint), else the compute's own."""
    parts = arn_parts(call.resource) if call.resource.startswith("arn:") else None
    if call.service in GLOBAL_NO_ENDPOINT:
        return "us-east-1"
    if parts and parts["region"] and "*" not in parts["region"]:
        return parts["region"]
    return home


def _subnet_label(subnets: list[Res]) -> str:
    return ", ".join(s.name for s in subnets)


class _Reach:
    """One compute's view of its network."""

    def __init__(self, graph: Graph, net: Network, compute: Compute):
        self.graph, self.net, self.compute = graph, net, compute
        self.subnets = []
        for subnet_id in compute.subnet_ids:
            subnet = net.subnet(subnet_id, compute.res, "its subnets")
            if subnet is None:  # its route table and endpoints are out of sight
                raise UndecidedError(
                    Undecided(compute.res, "subnets", f"the subnet {subnet_id} is not in the stack", pending=False)
                )
            self.subnets.append(subnet)
        self.vpc_id = net.vpc_of(self.subnets[0]) if self.subnets else None
        self.cidrs = [c for s in self.subnets for c in [_cidr(s)] if c is not None]

    def internet(self, subnet: Res) -> bool:
        for table in self.net.tables_of(subnet):
            route = self.net.default_route(table)
            if route is None:
                continue
            if route.target_kind in ("natGatewayId", "transitGatewayId"):
                return True
            if route.target_kind == "gatewayId" and route.target.startswith("igw-") and self.compute.public_ip:
                return True
        return False

    def gateway_endpoint(self, service_name: str, subnet: Res) -> bool:
        tables = set(self.net.tables_of(subnet))
        return any(
            e.props.get("serviceName") == service_name and tables & self.net.endpoint_tables(e)
            for e in self.net.endpoints_in(self.vpc_id or "")
            if (e.props.get("vpcEndpointType") or "Gateway") == "Gateway"
        )

    def interface_endpoints(self, service_name: str) -> list[Res]:
        return [
            e
            for e in self.net.endpoints_in(self.vpc_id or "")
            if e.props.get("serviceName") == service_name and e.props.get("vpcEndpointType") == "Interface"
        ]


def _cidr(subnet: Res):
    return network(subnet.props.get("cidrBlock"))


def _endpoint_problems(
    reach: _Reach, endpoint: Res, calls: list[Call], account: str | None, remote: bool = False
) -> Iterator[str]:
    """Why an interface endpoint does not carry these calls (nothing when it does). ``remote``: the
    endpoint is in another VPC, reached by a private zone of the stack's own (its private DNS
    setting only answers its own VPC, so it does not matter here)."""
    if (
        not remote
        and known(endpoint.props.get("privateDnsEnabled"), endpoint, "whether the endpoint has private DNS") is not True
    ):
        # Without private DNS the SDK resolves the public host name and does not use the endpoint
        # (https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html#interface-endpoint-dns-hostnames).
        yield (
            f"its endpoint {endpoint.name} has private DNS off, so the SDK's default host name does not "
            "resolve to it: turn privateDnsEnabled on"
        )
    groups = [
        known(g, endpoint, "the endpoint's security groups") for g in as_list(endpoint.props.get("securityGroupIds"))
    ]
    endpoint_cidrs = [
        c
        for sid in as_list(endpoint.props.get("subnetIds"))
        for s in [reach.net.subnet(sid, endpoint, "the endpoint's subnets")]
        if s is not None
        for c in [_cidr(s)]
        if c is not None
    ]
    # A rule cannot reference a security group of a peer VPC in another Region: only CIDRs count there.
    cross_region = reach.graph.region_of(endpoint) != reach.graph.region_of(reach.compute.res)
    compute_groups = [] if cross_region else reach.compute.security_groups
    across = f" (security-group references do not work across Regions: {PEER_GROUPS_DOC})" if cross_region else ""
    if reach.compute.security_groups and not reach.net.lets_out(
        reach.compute.security_groups, HTTPS, [] if cross_region else groups, endpoint_cidrs
    ):
        yield (
            f"{reach.compute.res.name}'s security groups ({', '.join(reach.compute.security_groups)}) let no HTTPS "
            f"(tcp/443) out to the endpoint {endpoint.name}: add an egress rule to its "
            + ("subnets" if cross_region else "security group or subnets")
            + across
        )
    if groups and not reach.net.admits(groups, HTTPS, compute_groups, reach.cidrs):
        yield (
            f"the security group of its endpoint {endpoint.name} ({', '.join(groups)}) does not admit HTTPS "
            f"(tcp/443) from {reach.compute.res.name}'s "
            + (
                f"subnets ({', '.join(str(c) for c in reach.cidrs)})"
                if cross_region
                else f"security groups ({', '.join(reach.compute.security_groups)}) or subnets"
            )
            + ": add an ingress rule for 443 from "
            + ("its VPC's CIDR" if cross_region else "them")
            + across
        )
    policy = endpoint.props.get("policy")
    if policy:
        try:
            docs = statements(policy, endpoint, "policy")
        except DocumentError:
            return
        denied = sorted(
            {
                c.action
                for c in calls
                if not allows(docs, c.action, None if c.resource == "*" else c.resource, account=account)
            }
        )
        if denied:
            yield (
                f"the endpoint policy of {endpoint.name} does not allow {', '.join(denied)}: add them to the "
                "endpoint policy"
            )


def _regional_host(service: str, region: str) -> str:
    """The host name the SDK calls for ``service`` in ``region`` (and a private zone must be named)."""
    return f"{REGIONAL_HOSTS.get(service, service)}.{region}.amazonaws.com"


class _ServiceZones:
    """Private hosted zones and their records, indexed once per stack: the VPCs associated with each
    zone (the DNS rule's index) and each zone's records by zone id."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.records: dict[str, list[Res]] = defaultdict(list)
        self.unplaced: list[Res] = []  # records whose zone is not known yet
        for record in graph.of_type(RECORD):
            zone_id = record.props.get("zoneId")
            if isinstance(zone_id, str):
                self.records[zone_id].append(record)
            elif isinstance(zone_id, Unknown):
                self.unplaced.append(record)
        self._vpcs: dict[str, list[tuple[str, str | None]]] | None = None

    @classmethod
    def of(cls, graph: Graph) -> _ServiceZones:
        cached = getattr(graph, "_service_zones", None)
        if cached is None:
            cached = graph._service_zones = cls(graph)  # type: ignore[attr-defined]
        return cached

    def vpcs(self, zone: Res) -> set[str]:
        if self._vpcs is None:
            self._vpcs = _zone_vpcs(self.graph)  # raises UndecidedError for an unknown associated VPC
        zone_id = zone.props.get("zoneId") or zone.props.get("id")
        return {vpc for vpc, _ in self._vpcs.get(zone_id, [])} if isinstance(zone_id, str) else set()

    def apex_records(self, zone: Res, host: str) -> list[Res]:
        zone_id = zone.props.get("zoneId") or zone.props.get("id")
        found = [
            r
            for r in self.records.get(zone_id, [])
            if isinstance(r.props.get("name"), str) and r.props["name"].rstrip(".").lower() == host
        ]
        if not found and self.unplaced:
            known(self.unplaced[0].props.get("zoneId"), self.unplaced[0], "which zone a record belongs to")
        return found


def _record_endpoints(reach: _Reach, record: Res) -> Iterator[tuple[str, Res | None]]:
    """(what the record answers, the interface endpoint that answers it or None) for each value of
    an alias, CNAME or A record."""
    net = reach.net
    for alias in as_list(record.props.get("aliases")):
        if isinstance(alias, dict):
            target = known(alias.get("name"), record, "the alias target")
            yield target, next(iter(reach.graph.lookup(target, ENDPOINT)), None)
    kind = record.props.get("type")
    for value in as_list(record.props.get("records")):
        value = known(value, record, "a record value")
        if kind == "CNAME":
            yield value, next(iter(reach.graph.lookup(value, ENDPOINT)), None)
        elif kind in ("A", "AAAA"):
            ip = network(value)
            vpc_id = net.vpc_containing(value)
            holders = [
                e
                for e in net.endpoints_in(vpc_id or "")
                if ip is not None
                and any(
                    c is not None and ip.version == c.version and ip.subnet_of(c)
                    for sid in as_list(e.props.get("subnetIds"))
                    for s in [net.subnet(sid, e, "the endpoint's subnets")]
                    if s is not None
                    for c in [_cidr(s)]
                )
            ]
            yield value, holders[0] if holders else None


def _zone_path(
    reach: _Reach, service: str, region: str, service_name: str, calls: list[Call], account: str | None
) -> tuple[str, list[str]] | None:
    """The path through a private zone named like the service's Regional host to an interface
    endpoint in another VPC: (the path, why it does not carry the calls), or None when the stack
    holds no such zone."""
    host = _regional_host(service, region)
    zones = reach.graph.lookup(host, ZONE)
    if not zones:
        return None
    index = _ServiceZones.of(reach.graph)
    vpc = _vpc_name(reach)
    zone = next((z for z in zones if reach.vpc_id in index.vpcs(z)), None)
    if zone is None:
        return (
            f"a private hosted zone {host}",
            [
                f"the zone ({', '.join(z.name for z in zones)}) is not associated with VPC {vpc}, so {host} resolves to "
                "the public address: associate the zone with the VPC"
            ],
        )
    path = f"the private hosted zone {zone.name} ({host})"
    records = index.apex_records(zone, host)
    if not records:
        return path, [f"the zone has no record {host}: add an alias record to the {service_name} endpoint"]
    problems: list[str] = []
    for record in records:
        for answer, endpoint in _record_endpoints(reach, record):
            if (
                endpoint is None
                or endpoint.props.get("serviceName") != service_name
                or endpoint.props.get("vpcEndpointType") != "Interface"
            ):
                problems.append(
                    f"its record {record.name} answers {answer}, which is not an interface endpoint "
                    f"{service_name} in the stack: alias the record to that endpoint"
                )
                continue
            path = f"{path} -> {endpoint.name}"
            endpoint_vpc = known(endpoint.props.get("vpcId"), endpoint, "the endpoint's VPC")
            if not reach.net.vpcs_connected(reach.vpc_id, endpoint_vpc):
                there = reach.net.vpc(endpoint_vpc)
                problems.append(
                    f"VPC {vpc} has no route to VPC {there.name if there else endpoint_vpc} of the "
                    f"endpoint {endpoint.name} (no active peering or transit-gateway route each way): "
                    "peer the VPCs and route each VPC's CIDR to the other"
                )
                continue
            problems += _endpoint_problems(reach, endpoint, calls, account, remote=True)
    return path, problems


def check_reachability(graph: Graph) -> Iterator[Item]:
    net = Network.of(graph)
    yield from net.unknown
    roles = Roles.of(graph)
    for compute in vpc_computes(graph):
        if isinstance(compute, Undecided):
            yield compute
            continue
        try:
            yield from _check_compute(graph, net, roles, compute)
        except UndecidedError as stop:
            yield stop.undecided


def _check_compute(graph: Graph, net: Network, roles: Roles, compute: Compute) -> Iterator[Item]:
    reach = _Reach(graph, net, compute)
    if not reach.subnets:
        return
    home = graph.region_of(compute.res)
    account = None
    if compute.roles and isinstance(compute.roles[0].props.get("arn"), str):
        account = (arn_parts(compute.roles[0].props["arn"]) or {}).get("account")
    by_api: dict[tuple[str, str | None], list[Call]] = defaultdict(list)
    for call in api_calls(compute, roles):
        if isinstance(call, Undecided):
            yield call
            continue
        if call.service == "es":
            continue  # a domain's own endpoint, not an AWS API: see the OpenSearch note in the README
        by_api[(call.service, _target_region(call, home))].append(call)
    for (service, region), calls in sorted(by_api.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        if region is None:
            yield Undecided(compute.res, "region", f"which Region's {service} endpoint it calls")
            continue
        yield from _check_api(reach, service, region, calls, account)


def _check_api(reach: _Reach, service: str, region: str, calls: list[Call], account: str | None) -> Iterator[Item]:
    compute = reach.compute
    service_name = f"com.amazonaws.{region}.{ENDPOINT_NAMES.get(service, service)}"
    actions = ", ".join(sorted({c.action for c in calls}))
    targets = sorted({c.resource for c in calls})
    on = targets[0] if len(targets) == 1 else f"{len(targets)} resources"
    groups = compute.security_groups
    # Out of the VPC the call goes to the API's public addresses, through a gateway endpoint to its
    # prefix list: the compute's security groups must let tcp/443 out there too.
    out_public = not groups or reach.net.lets_out(groups, HTTPS, to_cidrs=[ANYWHERE])
    out_gateway = not groups or reach.net.lets_out(groups, HTTPS, to_cidrs=[ANYWHERE], prefix_list=True)
    routed = {
        id(s)
        for s in reach.subnets
        if reach.internet(s) or (service in GATEWAY_SERVICES and reach.gateway_endpoint(service_name, s))
    }
    missing = [
        s
        for s in reach.subnets
        if not (
            (reach.internet(s) and out_public)
            or (service in GATEWAY_SERVICES and reach.gateway_endpoint(service_name, s) and out_gateway)
        )
    ]
    if not missing:
        return
    endpoints = [] if service in GLOBAL_NO_ENDPOINT else reach.interface_endpoints(service_name)
    problems = [p for e in endpoints[:1] for p in _endpoint_problems(reach, e, calls, account)]
    if endpoints and not problems:
        return
    where = f"subnets {_subnet_label(missing)} of VPC {_vpc_name(reach)}"
    zone = (
        None
        if endpoints or service in GLOBAL_NO_ENDPOINT
        else _zone_path(reach, service, region, service_name, calls, account)
    )
    if zone is not None:
        path, problems = zone
        if not problems:
            return
        message = (
            f"calls {actions} on {on} ({region}) from {where}, whose only path to the {service} API is "
            f"{path}, but {'; '.join(problems)}. The call would hang until the {compute.kind} times out."
        )
        yield Finding(compute.res, f"Api::{service}@{region}", message)
        return
    if not endpoints and all(id(s) in routed for s in missing):  # a route, but the security groups block it
        message = (
            f"calls {actions} on {on} ({region}) from {where}, which route to the {service} API, but its "
            f"security groups ({', '.join(groups)}) let no HTTPS (tcp/443) out to it: the call would hang until "
            f"the {compute.kind} times out. Fix: add an egress rule for tcp/443 to 0.0.0.0/0"
            + (" or the gateway endpoint's prefix list" if service in GATEWAY_SERVICES else "")
            + f", or an interface endpoint {service_name}."
        )
        yield Finding(compute.res, f"Api::{service}@{region}", message)
        return
    if problems:
        why = "; ".join(problems)
        message = (
            f"calls {actions} on {on} ({region}) from {where}, whose only path to the {service} API is the "
            f"interface endpoint {service_name}, but {why}. The call would hang until the "
            f"{compute.kind} times out."
        )
    else:
        fixes = (
            "a NAT gateway route"
            if service in GLOBAL_NO_ENDPOINT
            else f"an interface endpoint {service_name} (private DNS on, security group admitting tcp/443 from "
            f"{compute.res.name}), "
            + ("a gateway endpoint on the subnets' route tables, " if service in GATEWAY_SERVICES else "")
            + "or a NAT gateway route"
        )
        cross = (
            f" (another Region: the VPC's own {service} endpoint cannot serve it)"
            if region != reach.graph.region_of(compute.res)
            else ""
        )
        message = (
            f"calls {actions} on {on} ({region}){cross} from {where}, which have no path to the {service} "
            f"API: no interface endpoint {service_name}, "
            + ("no gateway endpoint, " if service in GATEWAY_SERVICES else "")
            + "no NAT or internet route"
            + (
                " (a Lambda function never gets a public address, so an internet-gateway route does not help it)"
                if compute.kind == "function"
                else ""
            )
            + f". The call would hang until the {compute.kind} times out. Fix: add {fixes}."
        )
    yield Finding(compute.res, f"Api::{service}@{region}", message)


def _vpc_name(reach: _Reach) -> str:
    vpc = reach.net.vpc(reach.vpc_id) if reach.vpc_id else None
    return vpc.name if vpc else str(reach.vpc_id)


def check_endpoint_zones(graph: Graph) -> Iterator[Item]:
    """Interface endpoints the compute relies on have a network interface in each of its zones, so a
    zone outage does not cut the others off (https://docs.aws.amazon.com/vpc/latest/privatelink/interface-endpoints.html)."""
    net = Network.of(graph)
    roles = Roles.of(graph)
    for compute in vpc_computes(graph):
        if isinstance(compute, Undecided):
            continue  # the mandatory rule reports what it cannot decide
        try:
            reach = _Reach(graph, net, compute)
            zones = {known(s.props.get("availabilityZone"), s, "the subnet's zone") for s in reach.subnets}
            home = graph.region_of(compute.res)
            used = {
                f"com.amazonaws.{_target_region(c, home)}.{ENDPOINT_NAMES.get(c.service, c.service)}"
                for c in api_calls(compute, roles)
                if isinstance(c, Call)
            }
            for endpoint in net.endpoints_in(reach.vpc_id or ""):
                if (
                    endpoint.props.get("vpcEndpointType") != "Interface"
                    or endpoint.props.get("serviceName") not in used
                ):
                    continue
                endpoint_zones = set()
                for sid in as_list(endpoint.props.get("subnetIds")):
                    subnet = net.subnet(sid, endpoint, "the endpoint's subnets")
                    if subnet is not None:
                        endpoint_zones.add(known(subnet.props.get("availabilityZone"), subnet, "the subnet's zone"))
                uncovered = sorted(z for z in zones - endpoint_zones if z)
                if uncovered and endpoint_zones:
                    yield Finding(
                        endpoint,
                        "Zones::" + ",".join(uncovered),
                        f"{compute.res.name} runs in {', '.join(uncovered)} but the endpoint has no network "
                        f"interface there: calls cross zones and fail with the endpoint's zones. Add subnets "
                        f"in {', '.join(uncovered)} to the endpoint.",
                    )
        except UndecidedError as stop:
            yield stop.undecided


RULES = [
    stack_rule(
        name="wiring-vpc-compute-reaches-apis",
        description=(
            "Every AWS API a VPC-attached Lambda function, ECS task or EC2 instance calls (derived from its "
            "role policies) is reachable from its subnets: interface endpoint with private DNS, security "
            "group admitting 443 and a policy allowing the calls; gateway endpoint (S3, DynamoDB); or a "
            "NAT/internet route; or another VPC's endpoint (another Region's) through a private hosted zone "
            "named like the service's host, associated with the VPC, its apex record aliasing that endpoint, "
            "over a peering or transit gateway routed both ways, the endpoint admitting the compute (by CIDR "
            "across Regions); and its own security groups let 443 out that way. Calls Lambda makes on the "
            "function's behalf (logs, event source mappings, dead-letter queues, destinations) need no "
            "route."
        ),
        level=EnforcementLevel.MANDATORY,
        check=check_reachability,
        docs=(
            "https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html",
            "https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html",
            "https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html",
            "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html",
            "https://docs.aws.amazon.com/whitepapers/latest/building-scalable-secure-multi-vpc-network-infrastructure/"
            "centralized-access-to-vpc-private-endpoints.html",
            PEER_GROUPS_DOC,
        ),
    ),
    stack_rule(
        name="wiring-endpoint-zones",
        description=(
            "Interface endpoints used by VPC compute have a network interface in every Availability Zone the "
            "compute runs in (may fail: cross-zone calls work until the endpoint's zone fails)."
        ),
        level=EnforcementLevel.ADVISORY,
        check=check_endpoint_zones,
        docs=("https://docs.aws.amazon.com/vpc/latest/privatelink/interface-endpoints.html",),
    ),
]
