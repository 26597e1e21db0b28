"""Security-group rules: which ports are open to whom, and how groups are managed. The rule view
(``SgRule``, ``sg_rules``, ``rules_of``) is shared with ``vpc.py``."""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ._core import (
    Finding,
    Item,
    Res,
    RuleConfig,
    Stack,
    Undecided,
    as_list,
    each_item,
    each_known,
    is_unknown,
    resource_rule,
    stack_rule,
)
from ._options import bool_option, list_option

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


def port_label(rule: SgRule) -> str:
    """``all``, ``tcp/443`` or ``tcp/1024-65535`` (ports arrive as floats over the protocol)."""
    if rule.all_ports():
        return "all"
    low, high = (int(float(p)) if p is not None else p for p in (rule.from_port, rule.to_port))
    return f"{rule.protocol_name()}/{low}" if low == high else f"{rule.protocol_name()}/{low}-{high}"


def sg_rules(res: Res, direction: str | None = None) -> Iterator[SgRule | Undecided]:
    """The rules ``res`` declares, only those of ``direction`` when given (an Undecided always: what
    it stands for is not known)."""
    for rule in _declared_rules(res):
        if isinstance(rule, Undecided) or direction in (None, rule.direction):
            yield rule


def _classic_rule(direction: Any, where: str, entry: dict[str, Any]) -> SgRule:
    """A rule in the shape inline ingress/egress entries and SecurityGroupRule resources share."""
    cidrs = [*as_list(entry.get("cidrBlocks")), *as_list(entry.get("ipv6CidrBlocks"))]
    return SgRule(
        direction,
        where,
        entry.get("protocol"),
        entry.get("fromPort"),
        entry.get("toPort"),
        tuple(cidrs),
        entry.get("description"),
    )


def _declared_rules(res: Res) -> Iterator[SgRule | Undecided]:
    p = res.props
    if res.type == SECURITY_GROUP:
        for direction in ("ingress", "egress"):
            for index, entry in enumerate(each_item(p.get(direction))):
                yield (
                    entry if isinstance(entry, Undecided) else _classic_rule(direction, f"{direction}[{index}]", entry)
                )
    elif res.type == SG_RULE:
        direction = p.get("type")
        if is_unknown(direction):
            yield Undecided(direction.path)
            return
        yield _classic_rule(direction, f"{direction} rule", p)
    elif res.type in (INGRESS_RULE, EGRESS_RULE):
        direction = "ingress" if res.type == INGRESS_RULE else "egress"
        cidrs = [c for c in (p.get("cidrIpv4"), p.get("cidrIpv6")) if c is not None]
        yield SgRule(
            direction,
            f"{direction} rule",
            p.get("ipProtocol"),
            p.get("fromPort"),
            p.get("toPort"),
            tuple(cidrs),
            p.get("description"),
        )


def network_of(cidr: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    if is_unknown(cidr):
        raise Undecided(cidr.path, "a CIDR computed from another resource")
    try:
        return ipaddress.ip_network(str(cidr), strict=False)
    except ValueError:
        return None


def open_to_internet(network) -> bool:
    """The whole Internet, or a public range too broad to name a client (shorter than /16)."""
    if network.prefixlen == 0:
        return True
    return network.is_global and network.prefixlen < (16 if network.version == 4 else 32)


# --- lp-sg-no-public-admin-ports ---------------------------------------------------------------


# Remote-control ports: the admin-port rule's default, and the ones the public-ingress rule leaves to it.
_ADMIN_PORTS = ["tcp/22", "tcp/3389", "udp/3389", "tcp/8443", "udp/8443"]
_PORT_SPEC = r"^(tcp|udp)/\d+$"


def _port_specs(specs: Iterable[str] | None) -> list[tuple[str, int]]:
    """(protocol, port) of each ``tcp/443`` config entry (the schema's pattern)."""
    pairs = []
    for spec in specs or ():
        protocol, _, port = spec.partition("/")
        pairs.append((protocol.lower(), int(float(port))))
    return pairs


def _admin_ports(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    ports = _port_specs(cfg["adminPorts"])
    clients = [ipaddress.ip_network(c, strict=False) for c in cfg["allowedClientCidrs"]]
    for rule in sg_rules(res, "ingress"):
        if isinstance(rule, Undecided):
            yield rule
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
                network = network_of(cidr)
            except Undecided as unknown:
                yield unknown
                continue
            if network is None:
                continue
            outside = clients and not any(network.version == c.version and network.subnet_of(c) for c in clients)
            if not (open_to_internet(network) or outside):
                continue
            reason = (
                "is open to the Internet"
                if open_to_internet(network)
                else "is reachable from outside allowedClientCidrs"
            )
            for protocol, port in exposed:
                yield Finding(
                    f"Port::{protocol}/{port}",
                    rule.where,
                    f"admin port {protocol}/{port} {reason} ({cidr}): allow only the client's own "
                    "address (a /32), or use SSM Session Manager instead of an open port.",
                    subject=str(cidr),
                )


no_public_admin_ports = resource_rule(
    name="lp-sg-no-public-admin-ports",
    description=(
        "Remote-administration ports (SSH 22, RDP 3389, NICE DCV 8443, TCP and UDP) are never open to the "
        "Internet: allow the operator's own CIDR (a /32), within allowedClientCidrs when set."
    ),
    types=SG_TYPES - {EGRESS_RULE},
    check=_admin_ports,
    severity=Severity.CRITICAL,
    config={
        "adminPorts": list_option(
            list(_ADMIN_PORTS),
            "protocol/port pairs that give remote control of a host.",
            pattern=_PORT_SPEC,
        ),
        "allowedClientCidrs": list_option(
            [], "When set, admin ports may only be reached from within these CIDRs (not only 'not the Internet')."
        ),
    },
)


# --- lp-sg-no-public-ingress -----------------------------------------------------------------------------


def _public_ingress(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    allowed = _port_specs(cfg["allowedPublicPorts"])
    skipped = set(_port_specs(cfg["skipPorts"]))
    for rule in sg_rules(res, "ingress"):
        if isinstance(rule, Undecided):
            yield rule
            continue
        for cidr in each_known(rule.cidrs):
            try:
                if isinstance(cidr, Undecided):
                    raise cidr
                network = network_of(cidr)
                if network is None or network.prefixlen != 0:
                    continue
                name = rule.protocol_name()
                if name in ("icmp", "icmpv6"):
                    continue  # no service listens on ICMP; path-MTU discovery needs it from anywhere
                ports = port_label(rule)
                single = name in ("tcp", "udp") and rule.from_port == rule.to_port and rule.from_port is not None
            except Undecided as unknown:
                yield unknown
                continue
            if single and (name, int(rule.from_port)) in (*allowed, *skipped):
                continue
            yield Finding(
                f"Port::{ports}",
                rule.where,
                f"{ports} is open to the whole Internet ({cidr}): a database, cache or service port "
                "there is one credential leak away from a breach. Allow the clients' CIDRs or security "
                "groups; public web traffic belongs on 443 of a load balancer (allowedPublicPorts).",
                subject=str(cidr),
            )


sg_no_public_ingress = resource_rule(
    name="lp-sg-no-public-ingress",
    description=(
        "No security group admits the whole Internet (0.0.0.0/0, ::/0) on any port but the public ones "
        "listed in allowedPublicPorts (default tcp/443): databases, caches and services take their "
        "clients' CIDRs or security groups."
    ),
    types=SG_TYPES - {EGRESS_RULE},
    check=_public_ingress,
    config={
        "allowedPublicPorts": list_option(
            ["tcp/443"], "protocol/port pairs that may be open to the Internet.", pattern=_PORT_SPEC
        ),
        "skipPorts": list_option(
            list(_ADMIN_PORTS),
            "Single ports left to lp-sg-no-public-admin-ports (reported there, "
            "critical), so one open port gives one finding.",
            pattern=_PORT_SPEC,
        ),
    },
)


# --- lp-sg-rule-description ----------------------------------------------------------------------


def _rule_description(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    if res.type == SECURITY_GROUP:
        description = res.props.get("description")
        if is_unknown(description):
            yield Undecided(description.path)
        elif not description or description == "Managed by Pulumi":
            yield Finding(
                "Description::missing", "description", "say what the group is for (who attaches it, who may reach it)."
            )
    for rule in sg_rules(res):
        if isinstance(rule, Undecided):
            yield rule
        elif is_unknown(rule.description):
            yield Undecided(rule.description.path)
        elif not rule.description:
            yield Finding(f"Description::{rule.where}", rule.where, "say who this rule lets in (or out) and why.")


sg_rule_description = resource_rule(
    name="lp-sg-rule-description",
    description="Every security group and rule says what it is for: add a description.",
    types=SG_TYPES,
    level=EnforcementLevel.ADVISORY,
    check=_rule_description,
    severity=Severity.LOW,
)


# --- lp-sg-egress-restricted (stack: the groups of Lambda functions, RDS proxies, ECS services) ----

_WORKLOAD_SG_PROPS = {
    "aws:lambda/function:Function": "vpcConfig",
    "aws:rds/proxy:Proxy": "vpcSecurityGroupIds",
    "aws:ecs/service:Service": "networkConfiguration",
}


def _standalone_rules(stack: Stack) -> tuple[dict[int, list[Res]], list[tuple[Res, Undecided]]]:
    """Separate rule resources by the group they belong to (one pass), and those whose group is unknown."""
    groups = stack.of_type(SECURITY_GROUP)
    by_group: dict[int, list[Res]] = defaultdict(list)
    unknown: list[tuple[Res, Undecided]] = []
    for standalone in stack.of_type(SG_RULE, INGRESS_RULE, EGRESS_RULE):
        targets = stack.referenced(standalone, "securityGroupId", groups)
        if is_unknown(targets):
            unknown.append((standalone, Undecided(targets.path)))
            continue
        for group in targets:
            by_group[id(group)].append(standalone)
    return by_group, unknown


def rules_of(stack: Stack, group: Res, direction: str) -> Iterator[tuple[Res, SgRule | Undecided]]:
    """(owner, rule) for the group's rules of ``direction``, inline and separate; an Undecided names
    the resource it is about."""

    def owned(owner: Res, rules: Iterable[SgRule | Undecided]) -> Iterator[tuple[Res, SgRule | Undecided]]:
        for rule in rules:
            if isinstance(rule, Undecided):
                rule.resource = owner
            yield owner, rule

    yield from owned(group, sg_rules(group, direction))
    by_group, unknown = stack.memo("standalone-sg-rules", lambda: _standalone_rules(stack))
    for standalone, undecided in unknown:
        yield from owned(standalone, [Undecided(undecided.path)])
    for standalone in by_group.get(id(group), ()):
        yield from owned(standalone, sg_rules(standalone, direction))


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
        for owner, rule in rules_of(stack, group, "egress"):
            if isinstance(rule, Undecided):
                yield rule
                continue
            try:
                everything = rule.all_ports()
                open_cidrs = [c for c in rule.cidrs if (n := network_of(c)) is not None and n.prefixlen == 0]
            except Undecided as unknown:
                unknown.resource = owner
                yield unknown
                continue
            if everything and open_cidrs:
                yield Finding(
                    f"Egress::all/{open_cidrs[0]}",
                    rule.where,
                    f"{role} ({group.name}) may send anything anywhere: allow the ports and "
                    "destinations it uses (the VPC CIDR, the database and endpoint groups, 443).",
                    resource=owner,
                )


sg_egress_restricted = stack_rule(
    name="lp-sg-egress-restricted",
    description=(
        "The security groups of Lambda functions, RDS proxies and ECS services do not allow all traffic "
        "to 0.0.0.0/0 or ::/0: allow the ports and destinations the workload uses."
    ),
    level=EnforcementLevel.ADVISORY,
    check=_egress_restricted,
    severity=Severity.MEDIUM,
    config={"allSecurityGroups": bool_option(False, "Check every security group, not only the workloads' ones.")},
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
                yield Finding(
                    f"SecurityGroup::{group.name}",
                    f"{standalone.short_type} {standalone.name}",
                    f"security group {group.name} has inline {' and '.join(inline)} rules and this "
                    "separate rule: each update undoes the other. Use one way for the group.",
                    resource=standalone,
                )


def _has_entries(value: Any) -> bool:
    return not is_unknown(value) and bool(value)


sg_no_rule_conflicts = stack_rule(
    name="lp-sg-no-rule-conflicts",
    description=(
        "A security group's rules are managed one way: inline ingress/egress, or separate rule resources, not both."
    ),
    level=EnforcementLevel.ADVISORY,
    check=_rule_conflicts,
    severity=Severity.LOW,
)


RULES = [no_public_admin_ports, sg_no_public_ingress, sg_rule_description, sg_egress_restricted, sg_no_rule_conflicts]
