"""Run the wiring rules on small hand-built stacks: directly (StackValidationArgs, as the SDK calls
a stack policy) and through the SDK's in-process Analyzer servicer (AnalyzeStack, as the engine
calls it), plus builders for the resources the twins share."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import wiring_rules
from google.protobuf import struct_pb2
from pulumi.runtime import proto
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    StackValidationArgs,
)
from pulumi_policy.policy import _PolicyAnalyzerServicer
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

UNKNOWN = UNKNOWN_STRING_VALUE
RULES = {rule.name: rule for rule in wiring_rules.RULES}
PACK = "blueprints-wiring"
ACCOUNT = "111111111111"


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:test::blueprints::{type_}::{name}"


@dataclass
class R:
    """A stack resource: its type, name, output properties and provider Region."""

    type: str
    name: str
    props: dict[str, Any]
    region: str = "us-east-1"


@dataclass
class Outcome:
    findings: list[tuple[str, str]] = field(default_factory=list)  # (resource name, message)
    undecided: str | None = None

    @property
    def passed(self) -> bool:
        return not self.findings and self.undecided is None

    def on(self, name: str) -> list[str]:
        return [m for n, m in self.findings if n == name]


def _options() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def check(rule_name: str, resources: list[R], config: dict | None = None) -> Outcome:
    """Runs one stack rule on the resources, as the SDK does without the engine."""
    providers = {}
    built = []
    for r in resources:
        provider = providers.setdefault(
            r.region,
            PolicyProviderResource(
                "pulumi:providers:aws", {"region": r.region}, urn("pulumi:providers:aws", r.region), r.region
            ),
        )
        built.append(PolicyResource(r.type, r.props, urn(r.type, r.name), r.name, _options(), provider, None, [], {}))
    outcome = Outcome()

    def report(message: str, resource_urn: str | None = None) -> None:
        outcome.findings.append((resource_urn.rsplit("::", 1)[-1] if resource_urn else "stack", message))

    try:
        RULES[rule_name].policy.validate(StackValidationArgs(built, config), report)
    except UnknownValueError as error:
        outcome.undecided = error.message
    return outcome


# --- through the Analyzer servicer ----------------------------------------------------------


def servicer(config: dict[str, dict] | None = None) -> _PolicyAnalyzerServicer:
    """The pack as the engine talks to it; ``config`` as in --policy-pack-config (level + properties)."""
    s = _PolicyAnalyzerServicer(PACK, "0.1.0", wiring_rules.POLICIES, EnforcementLevel.MANDATORY)
    if config:
        levels = {"advisory": proto.ADVISORY, "mandatory": proto.MANDATORY, "disabled": proto.DISABLED}
        request = proto.ConfigureAnalyzerRequest()
        for policy, values in config.items():
            values = dict(values)
            entry = request.policyConfig[policy]
            # The engine always sends a level: the one given, else the policy's default.
            entry.enforcementLevel = levels[values.pop("enforcementLevel", RULES[policy].level.value)]
            entry.properties.update(values)
        s.Configure(request, None)
    return s


def analyze_stack(resources: list[R], config: dict[str, dict] | None = None):
    request = proto.AnalyzeStackRequest()
    for r in resources:
        properties = struct_pb2.Struct()
        properties.update(r.props)
        entry = request.resources.add(type=r.type, urn=urn(r.type, r.name), name=r.name, properties=properties)
        provider_props = struct_pb2.Struct()
        provider_props.update({"region": r.region})
        entry.provider.CopyFrom(
            proto.AnalyzerProviderResource(
                type="pulumi:providers:aws",
                properties=provider_props,
                urn=urn("pulumi:providers:aws", r.region),
                name=r.region,
            )
        )
    return servicer(config).AnalyzeStack(request, None)


# --- builders -------------------------------------------------------------------------------


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions, resources="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def arn(service: str, rest: str, region: str = "us-east-1") -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{rest}"


def vpc(name: str, vpc_id: str, cidr: str, region: str = "us-east-1") -> R:
    return R("aws:ec2/vpc:Vpc", name, {"id": vpc_id, "cidrBlock": cidr}, region)


def subnet(name: str, subnet_id: str, vpc_id: str, cidr: str, zone: str, region: str = "us-east-1") -> R:
    return R(
        "aws:ec2/subnet:Subnet",
        name,
        {"id": subnet_id, "vpcId": vpc_id, "cidrBlock": cidr, "availabilityZone": zone},
        region,
    )


def route_table(
    name: str,
    table_id: str,
    vpc_id: str,
    subnets: list[str],
    region: str = "us-east-1",
    routes: list[dict] | None = None,
) -> list[R]:
    out = [R("aws:ec2/routeTable:RouteTable", name, {"id": table_id, "vpcId": vpc_id, "routes": routes or []}, region)]
    out += [
        R(
            "aws:ec2/routeTableAssociation:RouteTableAssociation",
            f"{name}-{i}",
            {"subnetId": s, "routeTableId": table_id},
            region,
        )
        for i, s in enumerate(subnets)
    ]
    return out


def route(name: str, table_id: str, destination: str, region: str = "us-east-1", **target: str) -> R:
    return R(
        "aws:ec2/route:Route", name, {"routeTableId": table_id, "destinationCidrBlock": destination, **target}, region
    )


def role(name: str, *statements: dict, region: str = "us-east-1") -> list[R]:
    role_name = f"{name}-abc123"
    return [
        R(
            "aws:iam/role:Role",
            name,
            {"name": role_name, "id": role_name, "arn": f"arn:aws:iam::{ACCOUNT}:role/{role_name}"},
            region,
        ),
        R(
            "aws:iam/rolePolicy:RolePolicy",
            f"{name}-policy",
            {"role": role_name, "policy": policy(*statements)},
            region,
        ),
    ]


def role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}-abc123"


def function(
    name: str,
    role_name: str,
    *,
    subnets: list[str] | None = None,
    groups: list[str] | None = None,
    region: str = "us-east-1",
    **extra: Any,
) -> R:
    props = {
        "name": f"{name}-fn",
        "arn": arn("lambda", f"function:{name}-fn", region),
        "role": role_arn(role_name),
        **extra,
    }
    if subnets is not None:
        props["vpcConfig"] = {"subnetIds": subnets, "securityGroupIds": groups or []}
    return R("aws:lambda/function:Function", name, props, region)


def queue(name: str, region: str = "us-east-1", **extra: Any) -> R:
    return R(
        "aws:sqs/queue:Queue",
        name,
        {
            "name": name,
            "arn": arn("sqs", name, region),
            "id": f"https://sqs.{region}.amazonaws.com/{ACCOUNT}/{name}",
            "url": f"https://sqs.{region}.amazonaws.com/{ACCOUNT}/{name}",
            **extra,
        },
        region,
    )


def topic(name: str, region: str = "us-east-1", **extra: Any) -> R:
    return R(
        "aws:sns/topic:Topic",
        name,
        {"name": name, "arn": arn("sns", name, region), "id": arn("sns", name, region), **extra},
        region,
    )


def security_group(
    name: str, group_id: str, vpc_id: str, ingress: list[dict] | None = None, egress: list[dict] | None = None
) -> R:
    return R(
        "aws:ec2/securityGroup:SecurityGroup",
        name,
        {"id": group_id, "vpcId": vpc_id, "ingress": ingress or [], "egress": egress or []},
    )


HTTPS_OUT = [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}]


def interface_endpoint(
    name: str,
    service: str,
    vpc_id: str,
    subnets: list[str],
    groups: list[str],
    *,
    region: str = "us-east-1",
    private_dns: bool = True,
    **extra: Any,
) -> R:
    return R(
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        name,
        {
            "id": f"vpce-{name}",
            "vpcId": vpc_id,
            "vpcEndpointType": "Interface",
            "serviceName": f"com.amazonaws.{region}.{service}",
            "subnetIds": subnets,
            "securityGroupIds": groups,
            "privateDnsEnabled": private_dns,
            **extra,
        },
        region,
    )
