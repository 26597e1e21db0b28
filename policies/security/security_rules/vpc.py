"""VPC rules: endpoints and endpoint services, the VPC baseline, load balancers and private DNS."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
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
    each_item,
    get,
    is_unknown,
    required,
    resource_rule,
    stack_rule,
    truthy,
)
from ._documents import Statement, statements_or_findings
from ._options import bool_option, list_option
from .network import SECURITY_GROUP, network_of, open_to_internet, port_label, rules_of

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
    if is_unknown(groups):
        yield Undecided(groups.path, "whether the endpoint has its own security group")
    elif not groups:
        yield Finding(
            "SecurityGroups::none",
            "securityGroupIds",
            "attach a security group that allows 443 from "
            "the consumers only; without one the VPC's default group applies.",
        )
    policy = res.props.get("policy")
    if policy is None:
        if cfg["requireEndpointPolicy"]:
            yield Finding(
                "Policy::absent",
                "policy",
                "the default endpoint policy lets any principal call any API "
                "of any account through this endpoint: allow execute-api:Invoke on the API ARNs the "
                "consumers use.",
            )
        return
    for stmt in statements_or_findings(policy, "policy"):
        if not isinstance(stmt, Statement):
            yield stmt
            continue
        if stmt.allows and ("*" in stmt.resources or stmt.not_resources):
            yield Finding(
                "Resource::*",
                stmt.where,
                "the endpoint policy allows every API: list the "
                "execute-api ARNs (arn:aws:execute-api:<region>:<account>:<api-id>/*) the consumers use.",
            )
        elif stmt.allows:
            for resource in stmt.resources:
                if _every_api(resource):
                    yield Finding(
                        f"Resource::{resource}",
                        stmt.where,
                        "allows every API of that account (and "
                        "any added later): name the APIs the consumers use "
                        "(arn:aws:execute-api:<region>:<account>:<api-id>/*).",
                    )
        if stmt.allows and any(a in ("*", "execute-api:*") for a in stmt.actions):
            yield Finding(
                f"Action::{'*' if '*' in stmt.actions else 'execute-api:*'}",
                stmt.where,
                "allow execute-api:Invoke only.",
            )


def _every_api(arn: str) -> bool:
    """An execute-api ARN whose API id is a wildcard (``...:<account>:*``, ``...:*:*``)."""
    parts = arn.split(":", 5)
    return (
        len(parts) == 6
        and parts[2] == "execute-api"
        and any(c in parts[5].split("/", 1)[0] + parts[3] + parts[4] for c in "*?")
    )


vpce_execute_api_policy = resource_rule(
    name="lp-vpce-execute-api-policy",
    description=(
        "execute-api VPC endpoints are Interface endpoints with a security group and an endpoint policy "
        "that allows execute-api:Invoke on the named APIs only (not every API of every account)."
    ),
    types={VPC_ENDPOINT},
    check=_vpce_execute_api,
    config={"requireEndpointPolicy": bool_option(True, "Require an endpoint policy (the default allows all).")},
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
            for owner, rule in rules_of(stack, group, "ingress"):
                if isinstance(rule, Undecided):
                    yield rule
                    continue
                try:
                    extra = (
                        rule.all_ports()
                        or not any(rule.covers("tcp", p) for p in allowed_ports)
                        or (rule.protocol_name() != "tcp" or rule.from_port != rule.to_port)
                    )
                    world = [c for c in rule.cidrs if (n := network_of(c)) is not None and open_to_internet(n)]
                except Undecided as unknown:
                    unknown.resource = owner
                    yield unknown
                    continue
                if extra:
                    ports = port_label(rule)
                    yield Finding(
                        f"Port::{ports}",
                        rule.where,
                        f"the execute-api endpoint {endpoint.name} (security group {group.name}) accepts "
                        f"{ports} ports: it serves HTTPS only; allow tcp/443.",
                        resource=owner,
                    )
                for cidr in world:
                    yield Finding(
                        f"Cidr::{cidr}",
                        rule.where,
                        f"the execute-api endpoint {endpoint.name} accepts "
                        "callers from any address: allow the consumers' CIDRs or security groups.",
                        resource=owner,
                    )


vpce_execute_api_ingress = stack_rule(
    name="lp-vpce-execute-api-ingress",
    description=(
        "The security groups of execute-api VPC endpoints admit HTTPS (tcp/443) only, from the consumers' "
        "CIDRs or security groups, never from any address."
    ),
    check=_vpce_ingress,
    severity=Severity.MEDIUM,
    config={"allowedPorts": list_option([443], "TCP ports the endpoint's groups may admit.", of="integer")},
)


# --- lp-vpc-baseline (stack) ------------------------------------------------------------------------------

VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"


def _vpc_baseline(stack: Stack, cfg: RuleConfig) -> Iterator[Item]:
    vpcs = stack.of_type(VPC)
    if not vpcs and not stack.of_type(DEFAULT_SG):
        yield NotApplicable("no VPC in the stack")
        return
    logged: set[int] = set()
    adopted: set[int] = set()
    for kind, prop, seen in ((FLOW_LOG, "vpcId", logged), (DEFAULT_SG, "vpcId", adopted)):
        for owner in stack.of_type(kind):
            targets = stack.referenced(owner, prop, vpcs)
            if is_unknown(targets):
                yield Undecided(targets.path, resource=owner)
                continue
            seen.update(id(v) for v in targets)
    for group in stack.of_type(DEFAULT_SG):
        for direction in ("ingress", "egress"):
            entries = group.props.get(direction)
            if is_unknown(entries):
                yield Undecided(entries.path, resource=group)
            elif entries:
                yield Finding(
                    f"DefaultSecurityGroup::{direction}",
                    direction,
                    "the VPC's default security group "
                    "applies to anything launched without a group: leave it with no rules.",
                    resource=group,
                )
    # One finding per missing control, naming every VPC that lacks it (not one per VPC: the fix is the
    # same change to the network building block).
    for wanted, seen, token, message in (
        (
            "requireFlowLogs",
            logged,
            "FlowLogs::missing",
            "record no flow logs: add an aws.ec2.FlowLog (REJECT traffic at least) to the network building block "
            "so blocked and unexpected connections can be investigated.",
        ),
        (
            "requireClosedDefaultSecurityGroup",
            adopted,
            "DefaultSecurityGroup::unmanaged",
            "keep AWS's default security group rules (all traffic between members, all egress): adopt each "
            "with aws.ec2.DefaultSecurityGroup and no rules.",
        ),
    ):
        missing = [v for v in vpcs if id(v) not in seen]
        if cfg[wanted] and missing:
            names = ", ".join(v.name for v in missing)
            yield Finding(
                token, f"{len(missing)} VPC{'s' if len(missing) > 1 else ''}", f"{names} {message}", resource=missing[0]
            )


vpc_baseline = stack_rule(
    name="lp-vpc-baseline",
    description=(
        "Every VPC records flow logs and adopts its default security group with no rules; advisory "
        "because flow logs cost CloudWatch ingestion."
    ),
    level=EnforcementLevel.ADVISORY,
    check=_vpc_baseline,
    severity=Severity.MEDIUM,
    config={
        "requireFlowLogs": bool_option(True, "Require a FlowLog per VPC."),
        "requireClosedDefaultSecurityGroup": bool_option(True, "Require the default group adopted with no rules."),
    },
)


# --- lp-lb-listener-tls ---------------------------------------------------------------------------------

LISTENER_TYPES = frozenset({"aws:lb/listener:Listener", "aws:alb/listener:Listener"})


def _listener_tls(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    protocol = res.props.get("protocol")
    if is_unknown(protocol):
        yield Undecided(protocol.path)
        return
    protocol = str(protocol or "").upper()
    if protocol in ("HTTPS", "TLS"):
        policy = res.props.get("sslPolicy")
        if is_unknown(policy):
            yield Undecided(policy.path)
        elif policy is None:
            # ELB picks ELBSecurityPolicy-2016-08 (TLS 1.0+) when none is given (Elastic Load Balancing
            # User Guide, "Security policies for your Network/Application Load Balancer").
            yield Finding(
                "SslPolicy::default",
                "sslPolicy",
                "without sslPolicy the listener uses "
                "ELBSecurityPolicy-2016-08, which accepts TLS 1.0: set a TLS 1.2+ policy.",
            )
        elif policy not in cfg["allowedSslPolicies"]:
            yield Finding(
                f"SslPolicy::{policy}",
                "sslPolicy",
                f"{policy} is not one of the TLS 1.2+ policies "
                f"allowed ({', '.join(cfg['allowedSslPolicies'][:2])}...).",
            )
    elif protocol == "HTTP":
        actions = res.props.get("defaultActions")
        if is_unknown(actions):
            yield Undecided(actions.path)
            return
        redirects = [
            a
            for a in as_list(actions)
            if isinstance(a, dict)
            and a.get("type") == "redirect"
            and str(get(a, "redirect", "protocol") or "").upper() == "HTTPS"
        ]
        if not redirects:
            yield Finding(
                "Protocol::HTTP",
                "protocol",
                "plain HTTP carries requests in clear text: listen on HTTPS, "
                "or make this listener's only action a redirect to HTTPS.",
            )
    else:
        yield NotApplicable(f"a {protocol or 'TCP'} listener passes TLS through to its targets")


lb_listener_tls = resource_rule(
    name="lp-lb-listener-tls",
    description=(
        "Load-balancer listeners that terminate TLS use a TLS 1.2+ security policy; HTTP listeners only "
        "redirect to HTTPS."
    ),
    types=LISTENER_TYPES,
    check=_listener_tls,
    config={
        "allowedSslPolicies": list_option(
            [
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
                "ELBSecurityPolicy-TLS13-1-3-2021-06",
                "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
                "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
                "ELBSecurityPolicy-TLS-1-2-2017-01",
                "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
                "ELBSecurityPolicy-FS-1-2-Res-2020-10",
                "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
            ],
            "Security policies accepted on HTTPS/TLS listeners.",
        )
    },
)


# --- lp-vpce-service-acceptance ---------------------------------------------------------------------------


def _endpoint_service(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    # An endpoint service admits no consumer until a principal is allowed; "*" with automatic acceptance
    # makes its load balancer public (https://docs.aws.amazon.com/vpc/latest/privatelink/modify-endpoint-service.html).
    accept = res.props.get("acceptanceRequired")
    principals = res.props.get("allowedPrincipals")
    if is_unknown(accept):
        yield Undecided(accept.path)
        return
    if is_unknown(principals):
        yield Undecided(principals.path)
        return
    for principal in each_item(principals):
        if isinstance(principal, Undecided):
            yield principal
        elif principal == "*" and not accept:
            yield Finding(
                "AllowedPrincipals::*",
                "allowedPrincipals",
                "any AWS account may connect an endpoint to "
                "this service and it accepts every connection: name the consumer accounts or roles, or "
                "require acceptance.",
            )
    if not accept and cfg["requireAcceptance"]:
        yield Finding(
            "AcceptanceRequired::false",
            "acceptanceRequired",
            "connections are accepted without review: set acceptanceRequired = true.",
        )


vpce_service_acceptance = resource_rule(
    name="lp-vpce-service-acceptance",
    description=(
        "VPC endpoint services admit named consumers only: allowedPrincipals never '*' without "
        "acceptance (and, with requireAcceptance, every connection is accepted by hand)."
    ),
    types={"aws:ec2/vpcEndpointService:VpcEndpointService"},
    check=_endpoint_service,
    config={"requireAcceptance": bool_option(False, "Require manual acceptance even when consumers are allow-listed.")},
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
    yield from required(
        internal,
        "Internal::false",
        "internal",
        f"this {kind} load balancer is internet-facing: set "
        "internal = true; private APIs reach it through a VPC link or an endpoint service.",
    )


nlb_internal = resource_rule(
    name="lp-nlb-internal",
    description=("Network load balancers behind VPC links and endpoint services are internal: set internal = true."),
    types={"aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"},
    check=_nlb_internal,
    config={
        "loadBalancerTypes": list_option(
            ["network"], "Load balancer types that must be internal.", enum=["network", "application", "gateway"]
        )
    },
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
            region = get(policies, 0, "region")
            if is_unknown(region):
                raise Undecided(region.path)
            if not record.props.get("setIdentifier"):
                yield Finding(
                    "SetIdentifier::missing",
                    "setIdentifier",
                    "each latency record needs its own setIdentifier.",
                    resource=record,
                )
            aliases = as_list(record.props.get("aliases"))
            evaluated = any(isinstance(a, dict) and truthy(a.get("evaluateTargetHealth")) for a in aliases)
            if not record.props.get("healthCheckId") and not evaluated:
                yield Finding(
                    "HealthCheck::missing",
                    "healthCheckId",
                    f"the {region} record has no health check "
                    "and no alias that evaluates target health: Route 53 keeps answering with an "
                    "unhealthy Region.",
                    resource=record,
                )
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
                yield Finding(
                    f"Zone::{zone.name}",
                    "zoneId",
                    f"latency records of the private API belong in a "
                    f"private hosted zone, and {zone.name} has no VPC association (it is public).",
                    resource=record,
                )
        zone_key = owner[0].urn if owner else str(record.props.get("zoneId"))
        groups[(zone_key, record.props.get("name"), record.props.get("type"))].append((record, region))
    for (_, name, kind), members in groups.items():
        seen: dict[str, Res] = {}
        for record, region in members:
            if region in seen:
                yield Finding(
                    f"Region::{region}",
                    "latencyRoutingPolicies[0].region",
                    f"{name} ({kind}) already has a latency record for {region} ({seen[region].name}).",
                    resource=record,
                )
            seen[region] = record
        for region in cfg["regions"]:
            if region not in seen:
                yield Finding(
                    f"Region::{region}",
                    f"{name} ({kind})",
                    f"no latency record for {region}: clients there are not served from their closest Region.",
                    resource=members[0][0],
                )


r53_private_latency_records = stack_rule(
    name="lp-r53-private-latency-records",
    description=(
        "Latency-routed records live in a private hosted zone, each with a setIdentifier and a health "
        "check (or an alias that evaluates target health), one per Region."
    ),
    level=EnforcementLevel.ADVISORY,
    check=_latency_records,
    severity=Severity.MEDIUM,
    config={
        "requirePrivateZone": bool_option(True, "Latency records must be in a private hosted zone."),
        "regions": list_option([], "Regions every latency-routed name must serve (empty: not checked)."),
    },
)

RULES = [
    vpce_execute_api_policy,
    vpce_execute_api_ingress,
    vpce_service_acceptance,
    vpc_baseline,
    lb_listener_tls,
    nlb_internal,
    r53_private_latency_records,
]
