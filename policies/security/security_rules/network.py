"""Network rules: who can reach what (security groups, VPC endpoints, load balancers, private DNS)."""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ._core import (
    Finding,
    Item,
    NotApplicable,
    Res,
    RuleConfig,
    Stack,
    Undecided,
    as_list,
    dig,
    each_known,
    is_unknown,
    resource_rule,
    stack_rule,
    truthy,
)
from ._documents import Statement, statements_or_findings

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SG_TYPES = frozenset({SECURITY_GROUP, SG_RULE, INGRESS_RULE, EGRESS_RULE})
_ALL_PROTOCOLS = {"-1", "all"}
_PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


@dataclass(frozen=True)
class SgRule:
    """One security-group rule, whatever resource declares it."""

    direction: str  # ingress | egress
    where: str
    protocol: Any
    from_port: Any
    to_port: Any
    cidrs: tuple[Any, ...]
    description: Any

    def protocol_name(self) -> str:
        protocol = str(self.protocol).lower() if not is_unknown(self.protocol) else self.protocol
        if is_unknown(protocol):
            raise Undecided(protocol.path)
        return "all" if protocol in _ALL_PROTOCOLS else _PROTOCOL_NAMES.get(protocol, protocol)

    def covers(self, protocol: str, port: int) -> bool:
        name = self.protocol_name()
        if name == "all":
            return True
        if name != protocol:
            return False
        low, high = self.from_port, self.to_port
        for value in (low, high):
            if is_unknown(value):
                raise Undecided(value.path)
        low = 0 if low is None else int(low)
        high = 65535 if high is None else int(high)
        return low <= port <= high

    def all_ports(self) -> bool:
        if self.protocol_name() == "all":
            return True
        low, high = self.from_port, self.to_port
        for value in (low, high):
            if is_unknown(value):
                raise Undecided(value.path)
        return (low in (None, 0)) and (high in (None, 65535))


def sg_rules(res: Res) -> Iterator[SgRule | Undecided]:
    p = res.props
    if res.type == SECURITY_GROUP:
        for direction in ("ingress", "egress"):
            entries = p.get(direction)
            if is_unknown(entries):
                yield Undecided(entries.path)
                continue
            for index, entry in enumerate(each_known(as_list(entries))):
                if isinstance(entry, Undecided):
                    yield entry
                    continue
                cidrs = [*as_list(entry.get("cidrBlocks")), *as_list(entry.get("ipv6CidrBlocks"))]
                yield SgRule(direction, f"{direction}[{index}]", entry.get("protocol"), entry.get("fromPort"),
                             entry.get("toPort"), tuple(cidrs), entry.get("description"))
    elif res.type == SG_RULE:
        direction = p.get("type")
        if is_unknown(direction):
            yield Undecided(direction.path)
            return
        cidrs = [*as_list(p.get("cidrBlocks")), *as_list(p.get("ipv6CidrBlocks"))]
        yield SgRule(direction, f"{direction} rule", p.get("protocol"), p.get("fromPort"), p.get("toPort"),
                     tuple(cidrs), p.get("description"))
    elif res.type in (INGRESS_RULE, EGRESS_RULE):
        direction = "ingress" if res.type == INGRESS_RULE else "egress"
        cidrs = [c for c in (p.get("cidrIpv4"), p.get("cidrIpv6")) if c is not None]
        yield SgRule(direction, f"{direction} rule", p.get("ipProtocol"), p.get("fromPort"), p.get("toPort"),
                     tuple(cidrs), p.get("description"))


def _network(cidr: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    if is_unknown(cidr):
        raise Undecided(cidr.path, "a CIDR computed from another resource")
    try:
        return ipaddress.ip_network(str(cidr), strict=False)
    except ValueError:
        return None


def _open_to_internet(network) -> bool:
    """The whole Internet, or a public range too broad to name a client (shorter than /16)."""
    if network.prefixlen == 0:
        return True
    return network.is_global and network.prefixlen < (16 if network.version == 4 else 32)


# --- lp-sg-no-public-admin-ports ---------------------------------------------------------------

def _admin_ports(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    ports = []
    for spec in cfg["adminPorts"]:
        protocol, _, port = spec.partition("/")
        ports.append((protocol.lower(), int(float(port))))
    clients = [ipaddress.ip_network(c, strict=False) for c in cfg["allowedClientCidrs"]]
    for rule in sg_rules(res):
        if isinstance(rule, Undecided):
            yield rule
            continue
        if rule.direction != "ingress":
            continue
        try:
            exposed = [(proto, port) for proto, port in ports if rule.covers(proto, port)]
        except Undecided as unknown:
            yield unknown
            continue
        if not exposed:
            continue
        for cidr in each_known(rule.cidrs):
            if isinstance(cidr, Undecided):
                yield cidr
                continue
            try:
                network = _network(cidr)
            except Undecided as unknown:
                yield unknown
                continue
            if network is None:
                continue
            outside = clients and not any(network.version == c.version and network.subnet_of(c) for c in clients)
            if not (_open_to_internet(network) or outside):
                continue
            reason = ("is open to the Internet" if _open_to_internet(network)
                      else "is reachable from outside allowedClientCidrs")
            for protocol, port in exposed:
                yield Finding(f"Port::{protocol}/{port}", rule.where,
                              f"admin port {protocol}/{port} {reason} ({cidr}): allow only the client's own "
                              "address (a /32), or use SSM Session Manager instead of an open port.",
                              subject=str(cidr))


no_public_admin_ports = resource_rule(
    name="lp-sg-no-public-admin-ports",
    description=("Remote-administration ports (SSH 22, RDP 3389, NICE DCV 8443, TCP and UDP) are never open to the "
                 "Internet: allow the operator's own CIDR (a /32), within allowedClientCidrs when set."),
    types=SG_TYPES - {EGRESS_RULE}, level=EnforcementLevel.MANDATORY, check=_admin_ports, severity=Severity.CRITICAL,
    config={
        "adminPorts": {"type": "array", "items": {"type": "string", "pattern": r"^(tcp|udp)/\d+$"},
                       "default": ["tcp/22", "tcp/3389", "udp/3389", "tcp/8443", "udp/8443"],
                       "description": "protocol/port pairs that give remote control of a host."},
        "allowedClientCidrs": {"type": "array", "items": {"type": "string"}, "default": [],
                               "description": "When set, admin ports may only be reached from within these "
                                              "CIDRs (not only 'not the Internet')."},
    },
)


# --- lp-sg-rule-description ----------------------------------------------------------------------

def _rule_description(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    if res.type == SECURITY_GROUP:
        description = res.props.get("description")
        if is_unknown(description):
            yield Undecided(description.path)
        elif not description or description == "Managed by Pulumi":
            yield Finding("Description::missing", "description",
                          "say what the group is for (who attaches it, who may reach it).")
    for rule in sg_rules(res):
        if isinstance(rule, Undecided):
            yield rule
        elif is_unknown(rule.description):
            yield Undecided(rule.description.path)
        elif not rule.description:
            yield Finding(f"Description::{rule.where}", rule.where,
                          "say who this rule lets in (or out) and why.")


sg_rule_description = resource_rule(
    name="lp-sg-rule-description",
    description="Every security group and rule says what it is for: add a description.",
    types=SG_TYPES, level=EnforcementLevel.ADVISORY, check=_rule_description, severity=Severity.LOW,
)


# --- lp-sg-egress-restricted (stack: the groups of Lambda functions, RDS proxies, ECS services) ----

_WORKLOAD_SG_PROPS = {
    "aws:lambda/function:Function": "vpcConfig",
    "aws:rds/proxy:Proxy": "vpcSecurityGroupIds",
    "aws:ecs/service:Service": "networkConfiguration",
}


def _rules_of(stack: Stack, group: Res) -> Iterator[tuple[Res, SgRule | Undecided]]:
    for rule in sg_rules(group):
        yield group, rule
    for standalone in stack.of_type(SG_RULE, INGRESS_RULE, EGRESS_RULE):
        targets = stack.referenced(standalone, "securityGroupId", [group])
        if is_unknown(targets):
            yield standalone, Undecided(targets.path)
        elif group in targets:
            for rule in sg_rules(standalone):
                yield standalone, rule


def _egress_restricted(stack: Stack, cfg: RuleConfig) -> Iterator[Item]:
    groups = stack.of_type(SECURITY_GROUP)
    if cfg["allSecurityGroups"]:
        scoped = {g: "a security group" for g in groups}
    else:
        scoped = {}
        for workload in stack.of_type(*_WORKLOAD_SG_PROPS):
            used = stack.referenced(workload, _WORKLOAD_SG_PROPS[workload.type], groups)
            if is_unknown(used):
                yield Undecided(used.path, resource=workload)
                continue
            for group in used:
                scoped.setdefault(group, f"the group of {workload.short_type} {workload.name}")
    for group, role in scoped.items():
        for owner, rule in _rules_of(stack, group):
            if isinstance(rule, Undecided):
                rule.resource = owner
                yield rule
                continue
            if rule.direction != "egress":
                continue
            try:
                everything = rule.all_ports()
                open_cidrs = [c for c in rule.cidrs if (n := _network(c)) is not None and n.prefixlen == 0]
            except Undecided as unknown:
                unknown.resource = owner
                yield unknown
                continue
            if everything and open_cidrs:
                yield Finding(f"Egress::all/{open_cidrs[0]}", rule.where,
                              f"{role} ({group.name}) may send anything anywhere: allow the ports and "
                              "destinations it uses (the VPC CIDR, the database and endpoint groups, 443).",
                              resource=owner)


sg_egress_restricted = stack_rule(
    name="lp-sg-egress-restricted",
    description=("The security groups of Lambda functions, RDS proxies and ECS services do not allow all traffic "
                 "to 0.0.0.0/0 or ::/0: allow the ports and destinations the workload uses."),
    level=EnforcementLevel.ADVISORY, check=_egress_restricted, severity=Severity.MEDIUM,
    config={"allSecurityGroups": {"type": "boolean", "default": False,
                                  "description": "Check every security group, not only the workloads' ones."}},
)


# --- lp-sg-no-rule-conflicts (stack) -----------------------------------------------------------------

def _rule_conflicts(stack: Stack, cfg: RuleConfig) -> Iterator[Item]:
    groups = stack.of_type(SECURITY_GROUP)
    for standalone in stack.of_type(SG_RULE, INGRESS_RULE, EGRESS_RULE):
        targets = stack.referenced(standalone, "securityGroupId", groups)
        if is_unknown(targets):
            yield Undecided(targets.path, resource=standalone)
            continue
        for group in targets:
            inline = [d for d in ("ingress", "egress") if _has_entries(group.props.get(d))]
            unknown = [group.props[d] for d in ("ingress", "egress") if is_unknown(group.props.get(d))]
            for value in unknown:
                yield Undecided(value.path, resource=group)
            if inline:
                yield Finding(f"SecurityGroup::{group.name}", f"{standalone.short_type} {standalone.name}",
                              f"security group {group.name} has inline {' and '.join(inline)} rules and this "
                              "separate rule: each update undoes the other. Use one way for the group.",
                              resource=standalone)


def _has_entries(value: Any) -> bool:
    return not is_unknown(value) and bool(value)


sg_no_rule_conflicts = stack_rule(
    name="lp-sg-no-rule-conflicts",
    description=("A security group's rules are managed one way: inline ingress/egress, or separate rule "
                 "resources, not both."),
    level=EnforcementLevel.ADVISORY, check=_rule_conflicts, severity=Severity.LOW,
)


# --- lp-vpce-execute-api-policy ----------------------------------------------------------------------

VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"


def _vpce_execute_api(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    service = res.props.get("serviceName")
    if is_unknown(service):
        yield Undecided(service.path)
        return
    if not str(service or "").endswith(".execute-api"):
        yield NotApplicable(f"{service} is not an execute-api endpoint")
        return
    kind = res.props.get("vpcEndpointType") or "Gateway"
    if is_unknown(kind):
        yield Undecided(kind.path)
    elif kind != "Interface":
        yield Finding(f"Type::{kind}", "vpcEndpointType", "private APIs are reached through an Interface endpoint.")
    groups = res.props.get("securityGroupIds")
    if not is_unknown(groups) and not groups:
        yield Finding("SecurityGroups::none", "securityGroupIds", "attach a security group that allows 443 from "
                      "the consumers only; without one the VPC's default group applies.")
    policy = res.props.get("policy")
    if policy is None:
        if cfg["requireEndpointPolicy"]:
            yield Finding("Policy::absent", "policy", "the default endpoint policy lets any principal call any API "
                          "of any account through this endpoint: allow execute-api:Invoke on the API ARNs the "
                          "consumers use.")
        return
    for stmt in statements_or_findings(policy, "policy"):
        if not isinstance(stmt, Statement):
            yield stmt
            continue
        if stmt.allows and ("*" in stmt.resources or stmt.not_resources):
            yield Finding("Resource::*", stmt.where, "the endpoint policy allows every API: list the "
                          "execute-api ARNs (arn:aws:execute-api:<region>:<account>:<api-id>/*) the consumers use.")
        elif stmt.allows:
            for resource in stmt.resources:
                if _every_api(resource):
                    yield Finding(f"Resource::{resource}", stmt.where, "allows every API of that account (and "
                                  "any added later): name the APIs the consumers use "
                                  "(arn:aws:execute-api:<region>:<account>:<api-id>/*).")
        if stmt.allows and any(a in ("*", "execute-api:*") for a in stmt.actions):
            yield Finding(f"Action::{'*' if '*' in stmt.actions else 'execute-api:*'}", stmt.where,
                          "allow execute-api:Invoke only.")


def _every_api(arn: str) -> bool:
    """An execute-api ARN whose API id is a wildcard (``...:<account>:*``, ``...:*:*``)."""
    parts = arn.split(":", 5)
    return (len(parts) == 6 and parts[2] == "execute-api"
            and any(c in parts[5].split("/", 1)[0] + parts[3] + parts[4] for c in "*?"))


vpce_execute_api_policy = resource_rule(
    name="lp-vpce-execute-api-policy",
    description=("execute-api VPC endpoints are Interface endpoints with a security group and an endpoint policy "
                 "that allows execute-api:Invoke on the named APIs only (not every API of every account)."),
    types={VPC_ENDPOINT}, level=EnforcementLevel.MANDATORY, check=_vpce_execute_api, severity=Severity.HIGH,
    config={"requireEndpointPolicy": {"type": "boolean", "default": True,
                                      "description": "Require an endpoint policy (the default allows all)."}},
)


# --- lp-vpce-execute-api-ingress (stack) --------------------------------------------------------------

def _vpce_ingress(stack: Stack, cfg: RuleConfig) -> Iterator[Item]:
    groups = stack.of_type(SECURITY_GROUP)
    allowed_ports = {int(float(p)) for p in cfg["allowedPorts"]}
    for endpoint in stack.of_type(VPC_ENDPOINT):
        service = endpoint.props.get("serviceName")
        if is_unknown(service):
            yield Undecided(service.path, resource=endpoint)
            continue
        if not str(service or "").endswith(".execute-api"):
            continue
        attached = stack.referenced(endpoint, "securityGroupIds", groups)
        if is_unknown(attached):
            yield Undecided(attached.path, resource=endpoint)
            continue
        for group in attached:
            for owner, rule in _rules_of(stack, group):
                if isinstance(rule, Undecided):
                    rule.resource = owner
                    yield rule
                    continue
                if rule.direction != "ingress":
                    continue
                try:
                    extra = rule.all_ports() or not any(rule.covers("tcp", p) for p in allowed_ports) or (
                        rule.protocol_name() != "tcp" or rule.from_port != rule.to_port)
                    world = [c for c in rule.cidrs if (n := _network(c)) is not None and _open_to_internet(n)]
                except Undecided as unknown:
                    unknown.resource = owner
                    yield unknown
                    continue
                if extra:
                    ports = ("all" if rule.all_ports()
                             else f"{rule.protocol_name()}/{rule.from_port}-{rule.to_port}")
                    yield Finding(f"Port::{ports}", rule.where,
                                  f"the execute-api endpoint {endpoint.name} (security group {group.name}) accepts "
                                  f"{ports} ports: it serves HTTPS only; allow tcp/443.", resource=owner)
                for cidr in world:
                    yield Finding(f"Cidr::{cidr}", rule.where, f"the execute-api endpoint {endpoint.name} accepts "
                                  "callers from any address: allow the consumers' CIDRs or security groups.",
                                  resource=owner)


vpce_execute_api_ingress = stack_rule(
    name="lp-vpce-execute-api-ingress",
    description=("The security groups of execute-api VPC endpoints admit HTTPS (tcp/443) only, from the consumers' "
                 "CIDRs or security groups, never from any address."),
    level=EnforcementLevel.MANDATORY, check=_vpce_ingress, severity=Severity.MEDIUM,
    config={"allowedPorts": {"type": "array", "items": {"type": "integer"}, "default": [443],
                             "description": "TCP ports the endpoint's groups may admit."}},
)


# --- lp-nlb-internal ------------------------------------------------------------------------------------

def _nlb_internal(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    kind = res.props.get("loadBalancerType") or "application"
    if is_unknown(kind):
        yield Undecided(kind.path)
        return
    if kind not in cfg["loadBalancerTypes"]:
        yield NotApplicable(f"a {kind} load balancer")
        return
    internal = res.props.get("internal")
    if is_unknown(internal):
        yield Undecided(internal.path)
    elif not internal:
        yield Finding("Internal::false", "internal", f"this {kind} load balancer is internet-facing: set "
                      "internal = true; private APIs reach it through a VPC link or an endpoint service.")


nlb_internal = resource_rule(
    name="lp-nlb-internal",
    description=("Network load balancers behind VPC links and endpoint services are internal: set internal = true."),
    types={"aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"},
    level=EnforcementLevel.MANDATORY, check=_nlb_internal, severity=Severity.HIGH,
    config={"loadBalancerTypes": {"type": "array", "items": {"type": "string",
                                                             "enum": ["network", "application", "gateway"]},
                                  "default": ["network"],
                                  "description": "Load balancer types that must be internal."}},
)


# --- lp-r53-private-latency-records (stack) -----------------------------------------------------------

ZONE = "aws:route53/zone:Zone"
RECORD = "aws:route53/record:Record"


def _latency_records(stack: Stack, cfg: RuleConfig) -> Iterator[Item]:
    zones = stack.of_type(ZONE)
    groups: dict[tuple, list[tuple[Res, Any]]] = defaultdict(list)
    for record in stack.of_type(RECORD):
        policies = record.props.get("latencyRoutingPolicies")
        if is_unknown(policies):
            yield Undecided(policies.path, resource=record)
            continue
        if not policies:
            continue
        try:
            region = dig(policies, 0, "region")
            if is_unknown(region):
                raise Undecided(region.path)
            if not record.props.get("setIdentifier"):
                yield Finding("SetIdentifier::missing", "setIdentifier", "each latency record needs its own "
                              "setIdentifier.", resource=record)
            aliases = as_list(record.props.get("aliases"))
            evaluated = any(isinstance(a, dict) and truthy(a.get("evaluateTargetHealth")) for a in aliases)
            if not record.props.get("healthCheckId") and not evaluated:
                yield Finding("HealthCheck::missing", "healthCheckId", f"the {region} record has no health check "
                              "and no alias that evaluates target health: Route 53 keeps answering with an "
                              "unhealthy Region.", resource=record)
        except Undecided as unknown:
            unknown.resource = record
            yield unknown
            continue
        owner = stack.referenced(record, "zoneId", zones)
        if is_unknown(owner):
            yield Undecided(owner.path, resource=record)
            owner = []
        for zone in owner:
            vpcs = zone.props.get("vpcs")
            if is_unknown(vpcs):
                yield Undecided(vpcs.path, resource=zone)
            elif cfg["requirePrivateZone"] and not vpcs:
                yield Finding(f"Zone::{zone.name}", "zoneId", f"latency records of the private API belong in a "
                              f"private hosted zone, and {zone.name} has no VPC association (it is public).",
                              resource=record)
        zone_key = owner[0].urn if owner else str(record.props.get("zoneId"))
        groups[(zone_key, record.props.get("name"), record.props.get("type"))].append((record, region))
    for (_, name, kind), members in groups.items():
        seen: dict[str, Res] = {}
        for record, region in members:
            if region in seen:
                yield Finding(f"Region::{region}", "latencyRoutingPolicies[0].region",
                              f"{name} ({kind}) already has a latency record for {region} ({seen[region].name}).",
                              resource=record)
            seen[region] = record
        for region in cfg["regions"]:
            if region not in seen:
                yield Finding(f"Region::{region}", f"{name} ({kind})", f"no latency record for {region}: clients "
                              "there are not served from their closest Region.", resource=members[0][0])


r53_private_latency_records = stack_rule(
    name="lp-r53-private-latency-records",
    description=("Latency-routed records live in a private hosted zone, each with a setIdentifier and a health "
                 "check (or an alias that evaluates target health), one per Region."),
    level=EnforcementLevel.ADVISORY, check=_latency_records, severity=Severity.MEDIUM,
    config={
        "requirePrivateZone": {"type": "boolean", "default": True,
                               "description": "Latency records must be in a private hosted zone."},
        "regions": {"type": "array", "items": {"type": "string"}, "default": [],
                    "description": "Regions every latency-routed name must serve (empty: not checked)."},
    },
)

RULES = [no_public_admin_ports, sg_rule_description, sg_egress_restricted, sg_no_rule_conflicts,
         vpce_execute_api_policy, vpce_execute_api_ingress, nlb_internal, r53_private_latency_records]
