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
from ._core import Finding, Item, Res, Undecided, UndecidedError, as_list, known, stack_rule
from ._documents import DocumentError, allows, statements
from ._graph import Graph, arn_parts
from ._network import Network, network

# IAM service prefix -> the endpoint service's name where it differs
# (https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html).
ENDPOINT_NAMES = {"kinesis": "kinesis-streams", "cloudwatch": "monitoring", "firehose": "kinesis-firehose",
                  "execute-api": "execute-api", "ecr": "ecr.api", "elasticfilesystem": "elasticfilesystem",
                  "scheduler": "scheduler", "states": "states"}
GATEWAY_SERVICES = {"s3", "dynamodb"}
# Global APIs served from us-east-1 with no interface endpoint: only a NAT or internet route works.
GLOBAL_NO_ENDPOINT = {"iam", "route53", "cloudfront", "organizations", "budgets", "ce"}
HTTPS = 443
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
                raise UndecidedError(Undecided(compute.res, "subnets", f"the subnet {subnet_id} is not in the stack",
                                               pending=False))
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
        return any(e.props.get("serviceName") == service_name and tables & self.net.endpoint_tables(e)
                   for e in self.net.endpoints_in(self.vpc_id or "")
                   if (e.props.get("vpcEndpointType") or "Gateway") == "Gateway")

    def interface_endpoints(self, service_name: str) -> list[Res]:
        return [e for e in self.net.endpoints_in(self.vpc_id or "")
                if e.props.get("serviceName") == service_name and e.props.get("vpcEndpointType") == "Interface"]


def _cidr(subnet: Res):
    return network(subnet.props.get("cidrBlock"))


def _endpoint_problems(reach: _Reach, endpoint: Res, calls: list[Call], account: str | None) -> Iterator[str]:
    """Why an interface endpoint in the VPC does not carry these calls (nothing when it does)."""
    if known(endpoint.props.get("privateDnsEnabled"), endpoint, "whether the endpoint has private DNS") is not True:
        # Without private DNS the SDK resolves the public host name and does not use the endpoint
        # (https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html#interface-endpoint-dns-hostnames).
        yield (f"its endpoint {endpoint.name} has private DNS off, so the SDK's default host name does not "
               "resolve to it: turn privateDnsEnabled on")
    groups = [known(g, endpoint, "the endpoint's security groups") for g in as_list(endpoint.props.get("securityGroupIds"))]
    endpoint_cidrs = [c for sid in as_list(endpoint.props.get("subnetIds"))
                      for s in [reach.net.subnet(sid, endpoint, "the endpoint's subnets")] if s is not None
                      for c in [_cidr(s)] if c is not None]
    if reach.compute.security_groups and not reach.net.lets_out(reach.compute.security_groups, HTTPS, groups,
                                                                endpoint_cidrs):
        yield (f"{reach.compute.res.name}'s security groups ({', '.join(reach.compute.security_groups)}) let no HTTPS "
               f"(tcp/443) out to the endpoint {endpoint.name}: add an egress rule to its security group or subnets")
    if groups and not reach.net.admits(groups, HTTPS, reach.compute.security_groups, reach.cidrs):
        yield (f"the security group of its endpoint {endpoint.name} ({', '.join(groups)}) does not admit HTTPS "
               f"(tcp/443) from {reach.compute.res.name}'s security groups ({', '.join(reach.compute.security_groups)})"
               " or subnets: add an ingress rule for 443 from them")
    policy = endpoint.props.get("policy")
    if policy:
        try:
            docs = statements(policy, endpoint, "policy")
        except DocumentError:
            return
        denied = sorted({c.action for c in calls
                         if not allows(docs, c.action, None if c.resource == "*" else c.resource, account=account)})
        if denied:
            yield (f"the endpoint policy of {endpoint.name} does not allow {', '.join(denied)}: add them to the "
                   "endpoint policy")


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
    routed = {id(s) for s in reach.subnets if reach.internet(s) or (
        service in GATEWAY_SERVICES and reach.gateway_endpoint(service_name, s))}
    missing = [s for s in reach.subnets if not ((reach.internet(s) and out_public) or (
        service in GATEWAY_SERVICES and reach.gateway_endpoint(service_name, s) and out_gateway))]
    if not missing:
        return
    endpoints = [] if service in GLOBAL_NO_ENDPOINT else reach.interface_endpoints(service_name)
    problems = [p for e in endpoints[:1] for p in _endpoint_problems(reach, e, calls, account)]
    if endpoints and not problems:
        return
    where = f"subnets {_subnet_label(missing)} of VPC {_vpc_name(reach)}"
    if not endpoints and all(id(s) in routed for s in missing):  # a route, but the security groups block it
        message = (f"calls {actions} on {on} ({region}) from {where}, which route to the {service} API, but its "
                   f"security groups ({', '.join(groups)}) let no HTTPS (tcp/443) out to it: the call would hang until "
                   f"the {compute.kind} times out. Fix: add an egress rule for tcp/443 to 0.0.0.0/0"
                   + (" or the gateway endpoint's prefix list" if service in GATEWAY_SERVICES else "")
                   + f", or an interface endpoint {service_name}.")
        yield Finding(compute.res, f"Api::{service}@{region}", message)
        return
    if problems:
        why = "; ".join(problems)
        message = (f"calls {actions} on {on} ({region}) from {where}, whose only path to the {service} API is the "
                   f"interface endpoint {service_name}, but {why}. The call would hang until the "
                   f"{compute.kind} times out.")
    else:
        fixes = ("a NAT gateway route" if service in GLOBAL_NO_ENDPOINT else
                 f"an interface endpoint {service_name} (private DNS on, security group admitting tcp/443 from "
                 f"{compute.res.name}), " + ("a gateway endpoint on the subnets' route tables, " if service in
                                            GATEWAY_SERVICES else "") + "or a NAT gateway route")
        cross = f" (another Region: the VPC's own {service} endpoint cannot serve it)" if region != reach.graph.region_of(
            compute.res) else ""
        message = (f"calls {actions} on {on} ({region}){cross} from {where}, which have no path to the {service} "
                   f"API: no interface endpoint {service_name}, " +
                   ("no gateway endpoint, " if service in GATEWAY_SERVICES else "") +
                   "no NAT or internet route"
                   + (" (a Lambda function never gets a public address, so an internet-gateway route does not "
                      "help it)" if compute.kind == "function" else "")
                   + f". The call would hang until the {compute.kind} times out. Fix: add {fixes}.")
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
            used = {f"com.amazonaws.{_target_region(c, home)}.{ENDPOINT_NAMES.get(c.service, c.service)}"
                    for c in api_calls(compute, roles) if isinstance(c, Call)}
            for endpoint in net.endpoints_in(reach.vpc_id or ""):
                if endpoint.props.get("vpcEndpointType") != "Interface" or endpoint.props.get("serviceName") not in used:
                    continue
                endpoint_zones = set()
                for sid in as_list(endpoint.props.get("subnetIds")):
                    subnet = net.subnet(sid, endpoint, "the endpoint's subnets")
                    if subnet is not None:
                        endpoint_zones.add(known(subnet.props.get("availabilityZone"), subnet, "the subnet's zone"))
                uncovered = sorted(z for z in zones - endpoint_zones if z)
                if uncovered and endpoint_zones:
                    yield Finding(endpoint, "Zones::" + ",".join(uncovered),
                                  f"{compute.res.name} runs in {', '.join(uncovered)} but the endpoint has no network "
                                  f"interface there: calls cross zones and fail with the endpoint's zones. Add subnets "
                                  f"in {', '.join(uncovered)} to the endpoint.")
        except UndecidedError as stop:
            yield stop.undecided


RULES = [
    stack_rule(
        name="wiring-vpc-compute-reaches-apis",
        description=("Every AWS API a VPC-attached Lambda function, ECS task or EC2 instance calls (derived from its "
                     "role policies) is reachable from its subnets: interface endpoint with private DNS, security "
                     "group admitting 443 and a policy allowing the calls; gateway endpoint (S3, DynamoDB); or a "
                     "NAT/internet route; and its own security groups let 443 out that way. Calls Lambda makes on the function's behalf (logs, event source "
                     "mappings, dead-letter queues, destinations) need no route."),
        level=EnforcementLevel.MANDATORY, check=check_reachability,
        docs=("https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html",
              "https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html",
              "https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html",
              "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html")),
    stack_rule(
        name="wiring-endpoint-zones",
        description=("Interface endpoints used by VPC compute have a network interface in every Availability Zone the "
                     "compute runs in (may fail: cross-zone calls work until the endpoint's zone fails)."),
        level=EnforcementLevel.ADVISORY, check=check_endpoint_zones,
        docs=("https://docs.aws.amazon.com/vpc/latest/privatelink/interface-endpoints.html",)),
]
