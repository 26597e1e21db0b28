"""A realistic fake AWS for Pulumi mocks, shared by the tests and the offline preview.

``FakeAws`` implements ``pulumi.runtime.Mocks``. For every resource registration it answers what
AWS (through the pulumi-aws provider) would: an ID shaped like AWS's (``vpc-0abc...``,
``subnet-...``, API IDs of 10 characters, health-check UUIDs...), the ARN with the right partition,
Region and account, and the computed outputs programs depend on (``dnsName``, ``zoneId``,
``invokeArn``, ``endpoint``, ``networkInterfaceIds``...). Inputs pass through to the outputs under
their engine (camelCase) names, as the engine would return them.

Region and account, as the real provider decides them:
- Region: the resource's own ``region`` input (pulumi-aws v7 per-resource region), else the
  Region of its provider, else config ``aws:region``, else ``default_region``.
- Account: from its provider: the account in the last ``assumeRoles`` role ARN (v7: a list, the
  last role of a chain is the one used), else a single ``allowedAccountIds`` entry, else
  ``default_account``.
Providers are remembered by their ID; children name their provider as ``"<urn>::<id>"``.

Everything is deterministic: IDs derive from a hash of the resource URN (or type and name), so two
runs of the same program give the same IDs.

Per-type knowledge lives in one registry: a function decorated with ``@aws_type(token, ...)``
returns the physical ID and the computed outputs for that type. To add a type, add one function
below (see the many examples); anything not in the registry gets a generic ID and ARN derived from
its type token. Invokes work the same way with ``@aws_invoke(token)``; an unknown invoke answers
``{}`` and records a warning in ``FakeAws.warnings``.

awsx components (``awsx:ec2:Vpc``, ``awsx:ecs:FargateService``, ``awsx:lb:*``...) are remote
components: under mocks they are single opaque registrations, answered here with realistic
outputs (``vpcId``, ``publicSubnetIds``, ``privateSubnetIds``...). Outputs that are resources
in awsx (``vpc``, ``subnets``, ``natGateways``) are returned as plain objects carrying their ``id``
and ``arn``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import json
import re
import threading
import uuid
from collections.abc import Callable
from typing import Any, Optional

import pulumi
from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks

__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_REGION",
    "FakeAws",
    "InvokeRecord",
    "ProviderInfo",
    "ResourceRecord",
    "availability_zones",
    "aws_invoke",
    "aws_type",
    "plain",
]

DEFAULT_ACCOUNT = "111111111111"
DEFAULT_REGION = "us-east-1"
PARTITION = "aws"

from ._values import _SECRET_SIG, _SECRET_SIG_KEY, plain  # noqa: E402 (re-exported)


def _secret_keys(inputs: dict) -> list[str]:
    return sorted(
        k for k, v in inputs.items() if isinstance(v, dict) and v.get(_SECRET_SIG_KEY) == _SECRET_SIG
    )


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class ResourceRecord:
    """One resource registration, as the engine saw it.

    ``urn``, ``parent``, ``dependencies`` and ``property_dependencies`` are filled when the
    registration goes through ``preview.harness.RecordingMonitor`` (plain ``set_mocks`` does not
    give them to mocks). ``region``/``account`` are where the fake placed the resource
    (``None`` for components and global-only bookkeeping).
    """

    type: str
    name: str
    id: Optional[str]
    custom: bool
    provider: str  # "<provider urn>::<provider id>", or "" for the default provider
    inputs: dict
    outputs: dict
    region: Optional[str] = None
    account: Optional[str] = None
    urn: Optional[str] = None
    parent: Optional[str] = None
    remote: bool = False
    dependencies: list[str] = dataclasses.field(default_factory=list)
    property_dependencies: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    options: dict = dataclasses.field(default_factory=dict)
    secret_keys: list[str] = dataclasses.field(default_factory=list)

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")

    @property
    def is_component(self) -> bool:
        return not self.custom

    def to_json(self) -> dict:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "provider": self.provider,
            "custom": self.custom,
            "id": self.id,
            "region": self.region,
            "account": self.account,
            "inputs": self.inputs,
            "outputs": self.outputs,
        }


@dataclasses.dataclass
class InvokeRecord:
    token: str
    args: dict
    provider: str
    result: dict


@dataclasses.dataclass
class ProviderInfo:
    """What the fake remembers of an ``aws`` provider (explicit or the default one)."""

    id: str
    name: str
    region: str
    account: str
    default_tags: dict
    assume_role_arns: list[str]
    urn: Optional[str] = None
    region_explicit: bool = True


# --------------------------------------------------------------------------------------------
# Deterministic generators
# --------------------------------------------------------------------------------------------

_HEX = "0123456789abcdef"
_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
_UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _chars(seed: str, n: int, alphabet: str) -> str:
    out: list[str] = []
    counter = 0
    while len(out) < n:
        digest = hashlib.sha256(f"{seed}#{counter}".encode()).digest()
        out.extend(alphabet[b % len(alphabet)] for b in digest)
        counter += 1
    return "".join(out[:n])


def _uuid(seed: str) -> str:
    return str(uuid.UUID(hashlib.md5(seed.encode()).hexdigest(), version=4))


# Hosted zone IDs AWS publishes per Region (fallback: a generated Z... id).
_NLB_ZONE_IDS = {
    "us-east-1": "Z26RNL4JYFTOTI", "us-east-2": "ZLMOA37VPKANP", "us-west-1": "Z24FKFUX50B4VW",
    "us-west-2": "Z18D5FSROUN65G", "eu-west-1": "Z2IFOLAFXWLO4F", "eu-central-1": "Z3F0SRJ5LGBH90",
    "ap-southeast-2": "ZCT6FZBF4DROD", "ap-northeast-1": "Z31USIVHYNEOWT",
}
_ALB_ZONE_IDS = {
    "us-east-1": "Z35SXDOTRQ7X7K", "us-east-2": "Z3AADJGX6KTTL2", "us-west-1": "Z368ELLRRE2KJ0",
    "us-west-2": "Z1H1FL5HABSF5", "eu-west-1": "Z32O12XQLNTSW2", "eu-central-1": "Z215JYRZR1TBD5",
    "ap-southeast-2": "Z1GM3OXH4ZPM65", "ap-northeast-1": "Z14GRHDCWA56QT",
}
_APIGW_REGIONAL_ZONE_IDS = {
    "us-east-1": "Z1UJRXOUMOOFQ8", "us-east-2": "ZOJJZC49E0EPZ", "us-west-1": "Z2MUQ32089INYE",
    "us-west-2": "Z2OJLYMUO9EFXC", "eu-west-1": "ZLY8HYME6SFDD", "eu-central-1": "Z1U9ULNL0V5AJ3",
    "ap-southeast-2": "Z2RPCDW04V8134", "ap-northeast-1": "Z1YSHQZHG15GKL",
}
_S3_ZONE_IDS = {
    "us-east-1": "Z3AQBSTGFYJSTF", "us-east-2": "Z2O1EMRO9K5GLX", "us-west-1": "Z2F56UZL2M1ACD",
    "us-west-2": "Z3BJ6K6RIION7M", "eu-west-1": "Z1BKCTXD74EZPE", "eu-central-1": "Z21DNDUVLTQW6Q",
}
_CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
_AZ_COUNT = {"us-east-1": 6, "us-west-1": 2, "ap-northeast-1": 3}
_DIRECTIONS = {
    "east": "e", "west": "w", "north": "n", "south": "s", "central": "c",
    "northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw",
}


def _zone_id(table: dict[str, str], region: str, salt: str) -> str:
    return table.get(region) or "Z" + _chars(f"{salt}:{region}", 13, _UPPER_ALNUM)


def availability_zones(region: str) -> tuple[list[str], list[str]]:
    """AZ names and zone IDs of a Region: ``us-east-1a``.. and ``use1-az1``.."""
    parts = region.split("-")
    prefix = parts[0] + _DIRECTIONS.get(parts[1], parts[1][:1]) + parts[-1] if len(parts) >= 3 else region
    count = _AZ_COUNT.get(region, 3)
    names = [f"{region}{chr(ord('a') + i)}" for i in range(count)]
    zone_ids = [f"{prefix}-az{i + 1}" for i in range(count)]
    return names, zone_ids


def _account_of_arn(arn: Any) -> Optional[str]:
    if isinstance(arn, str):
        parts = arn.split(":")
        if len(parts) >= 5 and re.fullmatch(r"\d{12}", parts[4]):
            return parts[4]
    return None


def _maybe_json(value: Any) -> Any:
    """Provider inputs with structure arrive JSON-encoded (pulumi-aws ``to_json``)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# --------------------------------------------------------------------------------------------
# The per-type registry
# --------------------------------------------------------------------------------------------


class Ctx:
    """What a type function gets: the resource, where it lives, and deterministic generators."""

    def __init__(self, fake: "FakeAws", typ: str, name: str, inputs: dict, region: str,
                 account: str, seed: str, physical_name: Optional[str]):
        self.fake = fake
        self.type = typ
        self.name = name  # logical (Pulumi) name
        self.inputs = inputs  # plain (secrets unwrapped)
        self.region = region
        self.account = account
        self.partition = PARTITION
        self.seed = seed
        self.physical_name = physical_name  # the name AWS knows it by (given or autonamed)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.inputs.get(key)
        return default if value is None else value

    def hex(self, n: int, salt: str = "") -> str:
        return _chars(f"{self.seed}:{salt}:hex", n, _HEX)

    def lower(self, n: int, salt: str = "") -> str:
        return _chars(f"{self.seed}:{salt}:lower", n, _LOWER_ALNUM)

    def upper(self, n: int, salt: str = "") -> str:
        return _chars(f"{self.seed}:{salt}:upper", n, _UPPER_ALNUM)

    def alnum(self, n: int, salt: str = "") -> str:
        return _chars(f"{self.seed}:{salt}:alnum", n, _ALNUM)

    def uuid(self, salt: str = "") -> str:
        return _uuid(f"{self.seed}:{salt}")

    def ec2_id(self, prefix: str, salt: str = "") -> str:
        """EC2-style ID: ``vpc-0`` followed by 16 hex digits."""
        return f"{prefix}-0{self.hex(16, f'{prefix}:{salt}')}"

    def arn(self, service: str, resource: str, *, regional: bool = True, account: bool = True) -> str:
        return ":".join([
            "arn", self.partition, service, self.region if regional else "",
            self.account if account else "", resource,
        ])

    def ip_in(self, cidr: Optional[str], salt: str = "") -> str:
        return self.fake._ip_in(cidr, f"{self.seed}:{salt}")


TypeFn = Callable[[Ctx], tuple[str, dict]]


@dataclasses.dataclass(frozen=True)
class AwsType:
    token: str
    build: TypeFn
    name_key: Optional[str]  # input carrying the physical name; autonamed like Pulumi when absent
    max_name: int
    global_: bool  # no Region (IAM, Route 53, budgets...)


_TYPES: dict[str, AwsType] = {}
InvokeFn = Callable[["FakeAws", "InvokeCtx"], dict]
_INVOKES: dict[str, InvokeFn] = {}


def aws_type(token: str, *, name: Optional[str] = None, max_name: int = 255,
             global_: bool = False) -> Callable[[TypeFn], TypeFn]:
    """Register the fake behaviour of a resource type (see the module docstring)."""

    def register(fn: TypeFn) -> TypeFn:
        _TYPES[token] = AwsType(token, fn, name, max_name, global_)
        return fn

    return register


def aws_invoke(token: str) -> Callable[[InvokeFn], InvokeFn]:
    def register(fn: InvokeFn) -> InvokeFn:
        _INVOKES[token] = fn
        return fn

    return register


def _autoname(logical: str, seed: str, max_len: int) -> str:
    # Pulumi autonaming: logical name plus a dash and 7 random characters.
    suffix = "-" + _chars(seed + ":autoname", 7, _HEX)
    return logical[: max(1, max_len - len(suffix))] + suffix


# ---- IAM (global) ----------------------------------------------------------------------------


@aws_type("aws:iam/role:Role", name="name", max_name=64, global_=True)
def _iam_role(c: Ctx):
    path = c.get("path", "/")
    return c.physical_name, {
        "arn": c.arn("iam", f"role{path}{c.physical_name}", regional=False),
        "uniqueId": "AROA" + c.upper(17), "createDate": "2024-01-01T00:00:00Z",
    }


@aws_type("aws:iam/policy:Policy", name="name", max_name=128, global_=True)
def _iam_policy(c: Ctx):
    arn = c.arn("iam", f"policy{c.get('path', '/')}{c.physical_name}", regional=False)
    return arn, {"arn": arn, "policyId": "ANPA" + c.upper(17), "attachmentCount": 0}


@aws_type("aws:iam/rolePolicy:RolePolicy", name="name", max_name=128, global_=True)
def _iam_role_policy(c: Ctx):
    return f"{c.get('role')}:{c.physical_name}", {}


@aws_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment", global_=True)
def _iam_role_policy_attachment(c: Ctx):
    return f"{c.get('role')}-{c.hex(26)}", {}


@aws_type("aws:iam/instanceProfile:InstanceProfile", name="name", max_name=128, global_=True)
def _iam_instance_profile(c: Ctx):
    path = c.get("path", "/")
    return c.physical_name, {
        "arn": c.arn("iam", f"instance-profile{path}{c.physical_name}", regional=False),
        "uniqueId": "AIPA" + c.upper(17),
    }


@aws_type("aws:iam/user:User", name="name", global_=True)
def _iam_user(c: Ctx):
    return c.physical_name, {"arn": c.arn("iam", f"user/{c.physical_name}", regional=False),
                             "uniqueId": "AIDA" + c.upper(17)}


@aws_type("aws:iam/serviceLinkedRole:ServiceLinkedRole", global_=True)
def _iam_slr(c: Ctx):
    service = c.get("awsServiceName", "service.amazonaws.com")
    role = "AWSServiceRoleFor" + service.split(".")[0].capitalize()
    arn = c.arn("iam", f"role/aws-service-role/{service}/{role}", regional=False)
    return arn, {"arn": arn, "name": role, "uniqueId": "AROA" + c.upper(17)}


# ---- EC2 / VPC --------------------------------------------------------------------------------


@aws_type("aws:ec2/vpc:Vpc")
def _vpc(c: Ctx):
    vid = c.ec2_id("vpc")
    return vid, {
        "arn": c.arn("ec2", f"vpc/{vid}"), "ownerId": c.account,
        "cidrBlock": c.get("cidrBlock", "10.0.0.0/16"),
        "defaultSecurityGroupId": c.ec2_id("sg", "default"),
        "defaultRouteTableId": c.ec2_id("rtb", "main"), "mainRouteTableId": c.ec2_id("rtb", "main"),
        "defaultNetworkAclId": c.ec2_id("acl"), "dhcpOptionsId": c.ec2_id("dopt"),
        "enableDnsSupport": c.get("enableDnsSupport", True),
    }


@aws_type("aws:ec2/subnet:Subnet")
def _subnet(c: Ctx):
    sid = c.ec2_id("subnet")
    names, zone_ids = availability_zones(c.region)
    az = c.get("availabilityZone") or names[int(c.hex(4, "az"), 16) % len(names)]
    az_id = zone_ids[names.index(az)] if az in names else c.get("availabilityZoneId", zone_ids[0])
    cidr = c.get("cidrBlock")
    c.fake._subnets[sid] = {"cidr": cidr, "vpcId": c.get("vpcId"), "az": az, "region": c.region}
    return sid, {
        "arn": c.arn("ec2", f"subnet/{sid}"), "ownerId": c.account,
        "availabilityZone": az, "availabilityZoneId": az_id,
    }


@aws_type("aws:ec2/routeTable:RouteTable")
def _route_table(c: Ctx):
    rid = c.ec2_id("rtb")
    return rid, {"arn": c.arn("ec2", f"route-table/{rid}"), "ownerId": c.account}


@aws_type("aws:ec2/route:Route")
def _route(c: Ctx):
    dest = c.get("destinationCidrBlock", "0.0.0.0/0")
    return f"r-{c.get('routeTableId', c.ec2_id('rtb'))}{int(c.hex(8), 16) % 10**10}", {
        "destinationCidrBlock": dest, "origin": "CreateRoute", "state": "active"}


@aws_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
def _rta(c: Ctx):
    return c.ec2_id("rtbassoc"), {}


@aws_type("aws:ec2/internetGateway:InternetGateway")
def _igw(c: Ctx):
    gid = c.ec2_id("igw")
    return gid, {"arn": c.arn("ec2", f"internet-gateway/{gid}"), "ownerId": c.account}


@aws_type("aws:ec2/natGateway:NatGateway")
def _nat(c: Ctx):
    nid = c.ec2_id("nat")
    subnet = c.fake._subnets.get(c.get("subnetId"), {})
    return nid, {
        "networkInterfaceId": c.ec2_id("eni"), "privateIp": c.ip_in(subnet.get("cidr")),
        "publicIp": c.fake._public_ip(c.seed), "allocationId": c.get("allocationId"),
        "connectivityType": c.get("connectivityType", "public"),
    }


@aws_type("aws:ec2/eip:Eip")
def _eip(c: Ctx):
    alloc = c.ec2_id("eipalloc")
    ip = c.fake._public_ip(c.seed)
    return alloc, {
        "allocationId": alloc, "publicIp": ip, "domain": c.get("domain", "vpc"),
        "publicDns": f"ec2-{ip.replace('.', '-')}.{_ec2_dns_suffix(c.region)}",
        "arn": c.arn("ec2", f"elastic-ip/{alloc}"), "associationId": (
            c.ec2_id("eipassoc") if c.get("instance") or c.get("networkInterface") else None),
    }


@aws_type("aws:ec2/eipAssociation:EipAssociation")
def _eip_assoc(c: Ctx):
    return c.ec2_id("eipassoc"), {}


@aws_type("aws:ec2/securityGroup:SecurityGroup", name="name", max_name=255)
def _security_group(c: Ctx):
    gid = c.ec2_id("sg")
    return gid, {"arn": c.arn("ec2", f"security-group/{gid}"), "ownerId": c.account,
                 "description": c.get("description", "Managed by Pulumi")}


@aws_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
def _sg_ingress(c: Ctx):
    rid = c.ec2_id("sgr")
    return rid, {"arn": c.arn("ec2", f"security-group-rule/{rid}"), "securityGroupRuleId": rid}


@aws_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
def _sg_egress(c: Ctx):
    return _sg_ingress(c)


@aws_type("aws:ec2/securityGroupRule:SecurityGroupRule")
def _sg_rule(c: Ctx):
    rid = c.ec2_id("sgr")
    return f"sgrule-{int(c.hex(8), 16)}", {"securityGroupRuleId": rid}


@aws_type("aws:ec2/networkInterface:NetworkInterface")
def _eni(c: Ctx):
    eid = c.ec2_id("eni")
    subnet = c.fake._subnets.get(c.get("subnetId"), {})
    ip = c.ip_in(subnet.get("cidr"))
    c.fake._enis[eid] = {"subnetId": c.get("subnetId"), "privateIp": ip, "vpcId": subnet.get("vpcId"),
                         "az": subnet.get("az")}
    return eid, {"arn": c.arn("ec2", f"network-interface/{eid}"), "privateIp": ip,
                 "privateIps": [ip], "macAddress": _mac(c), "ownerId": c.account}


@aws_type("aws:ec2/vpcEndpoint:VpcEndpoint")
def _vpc_endpoint(c: Ctx):
    vid = c.ec2_id("vpce")
    service = c.get("serviceName", f"com.amazonaws.{c.region}.execute-api")
    endpoint_type = c.get("vpcEndpointType", "Gateway")
    subnet_ids = c.get("subnetIds", []) or []
    enis = []
    for index, subnet_id in enumerate(subnet_ids):
        eni = c.ec2_id("eni", f"eni{index}")
        subnet = c.fake._subnets.get(subnet_id, {})
        c.fake._enis[eni] = {"subnetId": subnet_id, "vpcId": c.get("vpcId"), "az": subnet.get("az"),
                             "privateIp": c.ip_in(subnet.get("cidr"), f"eni{index}")}
        enis.append(eni)
    short = service.split(".")[-1]
    dns_entries = []
    if endpoint_type == "Interface":
        zone = "Z" + c.upper(13, "vpcezone")
        base = f"{vid}-{c.lower(8, 'dns')}.{short}.{c.region}.vpce.amazonaws.com"
        dns_entries.append({"dnsName": base, "hostedZoneId": zone})
        names, _ = availability_zones(c.region)
        for subnet_id in subnet_ids:
            az = c.fake._subnets.get(subnet_id, {}).get("az") or names[0]
            dns_entries.append({"dnsName": f"{vid}-{c.lower(8, 'dns')}-{az}.{short}.{c.region}.vpce.amazonaws.com",
                                "hostedZoneId": zone})
        if c.get("privateDnsEnabled"):
            dns_entries.append({"dnsName": f"{short}.{c.region}.amazonaws.com", "hostedZoneId": "Z" + c.upper(13, "pz")})
    return vid, {
        "arn": c.arn("ec2", f"vpc-endpoint/{vid}"), "ownerId": c.account, "state": "available",
        "serviceName": service, "vpcEndpointType": endpoint_type,
        "networkInterfaceIds": enis, "dnsEntries": dns_entries,
        "prefixListId": c.ec2_id("pl") if endpoint_type == "Gateway" else None,
        "requesterManaged": False,
    }


@aws_type("aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy")
def _vpce_policy(c: Ctx):
    return c.get("vpcEndpointId", c.ec2_id("vpce")), {}


@aws_type("aws:ec2/vpcEndpointService:VpcEndpointService")
def _vpce_service(c: Ctx):
    sid = c.ec2_id("vpce-svc")
    return sid, {
        "arn": c.arn("ec2", f"vpc-endpoint-service/{sid}"),
        "serviceName": f"com.amazonaws.vpce.{c.region}.{sid}", "serviceType": "Interface",
        "state": "Available", "baseEndpointDnsNames": [f"{sid}.{c.region}.vpce.amazonaws.com"],
        "availabilityZones": availability_zones(c.region)[0][:2], "managesVpcEndpoints": False,
        "privateDnsNameConfigurations": [],
    }


@aws_type("aws:ec2/vpcEndpointServiceAllowedPrinciple:VpcEndpointServiceAllowedPrinciple")
def _vpce_allowed(c: Ctx):
    return c.ec2_id("vpce-svc-perm"), {}


def _launch_templates(fake: "FakeAws") -> dict[str, dict]:
    # Template inputs by ID, so an instance launched from a template gets its subnet and public IP.
    return vars(fake).setdefault("_launch_templates", {})


@aws_type("aws:ec2/launchTemplate:LaunchTemplate", name="name", max_name=128)
def _launch_template(c: Ctx):
    lid = c.ec2_id("lt")
    _launch_templates(c.fake)[lid] = c.inputs
    return lid, {"arn": c.arn("ec2", f"launch-template/{lid}"), "latestVersion": 1, "defaultVersion": 1}


@aws_type("aws:ec2/instance:Instance")
def _instance(c: Ctx):
    iid = c.ec2_id("i")
    template = _launch_templates(c.fake).get((c.get("launchTemplate") or {}).get("id"), {})
    nic = (template.get("networkInterfaces") or [{}])[0]
    subnet_id = c.get("subnetId") or nic.get("subnetId") or next(iter(c.fake._subnets), None)
    subnet = c.fake._subnets.get(subnet_id, {})
    ip = c.ip_in(subnet.get("cidr"))
    public = c.get("associatePublicIpAddress")
    if public is None:  # launch template values are strings ("true")
        public = str(nic.get("associatePublicIpAddress", "")).lower() == "true"
    public_ip = c.fake._public_ip(c.seed) if public else ""
    names, _ = availability_zones(c.region)
    eni = c.ec2_id("eni")
    c.fake._enis[eni] = {"subnetId": subnet_id, "privateIp": ip, "vpcId": subnet.get("vpcId"),
                         "az": subnet.get("az")}
    return iid, {
        "arn": c.arn("ec2", f"instance/{iid}"), "ownerId": c.account, "instanceState": "running",
        "availabilityZone": subnet.get("az") or c.get("availabilityZone") or names[0],
        "privateIp": ip, "privateDns": f"ip-{ip.replace('.', '-')}.{_ec2_internal_suffix(c.region)}",
        "publicIp": public_ip,
        "publicDns": f"ec2-{public_ip.replace('.', '-')}.{_ec2_dns_suffix(c.region)}" if public_ip else "",
        "primaryNetworkInterfaceId": eni, "subnetId": subnet_id,
        "ami": c.get("ami") or c.ec2_id("ami", "instance-ami"),
        "passwordData": "ZmFrZS1lbmNyeXB0ZWQtcGFzc3dvcmQ=" if c.get("getPasswordData") else "",
    }


@aws_type("aws:ec2/keyPair:KeyPair", name="keyName", max_name=255)
def _key_pair(c: Ctx):
    return c.physical_name, {"arn": c.arn("ec2", f"key-pair/{c.physical_name}"),
                             "keyPairId": c.ec2_id("key"), "fingerprint": ":".join(c.hex(32)[i:i + 2] for i in range(0, 32, 2))}


@aws_type("aws:ec2/flowLog:FlowLog")
def _flow_log(c: Ctx):
    fid = c.ec2_id("fl")
    return fid, {"arn": c.arn("ec2", f"vpc-flow-log/{fid}")}


@aws_type("aws:ec2/volumeAttachment:VolumeAttachment")
def _volume_attachment(c: Ctx):
    return f"vai-{int(c.hex(8), 16)}", {}


@aws_type("aws:ec2/ami:Ami", name="name")
@aws_type("aws:ec2/amiFromInstance:AmiFromInstance", name="name")
@aws_type("aws:ec2/amiCopy:AmiCopy", name="name")
def _ami(c: Ctx):
    aid = c.ec2_id("ami")
    return aid, {"arn": c.arn("ec2", f"image/{aid}", account=False), "ownerId": c.account,
                 "rootSnapshotId": c.ec2_id("snap")}


# ---- CloudWatch / EventBridge / Logs ----------------------------------------------------------


@aws_type("aws:cloudwatch/logGroup:LogGroup", name="name", max_name=512)
def _log_group(c: Ctx):
    return c.physical_name, {"arn": c.arn("logs", f"log-group:{c.physical_name}")}


@aws_type("aws:cloudwatch/metricAlarm:MetricAlarm", name="name", max_name=255)
def _metric_alarm(c: Ctx):
    return c.physical_name, {"arn": c.arn("cloudwatch", f"alarm:{c.physical_name}")}


@aws_type("aws:cloudwatch/compositeAlarm:CompositeAlarm", name="alarmName", max_name=255)
def _composite_alarm(c: Ctx):
    return c.physical_name, {"arn": c.arn("cloudwatch", f"alarm:{c.physical_name}")}


@aws_type("aws:cloudwatch/dashboard:Dashboard", name="dashboardName", global_=True)
def _dashboard(c: Ctx):
    return c.physical_name, {"dashboardArn": c.arn("cloudwatch", f"dashboard/{c.physical_name}", regional=False)}


@aws_type("aws:cloudwatch/eventBus:EventBus", name="name", max_name=256)
def _event_bus(c: Ctx):
    return c.physical_name, {"arn": c.arn("events", f"event-bus/{c.physical_name}")}


@aws_type("aws:cloudwatch/eventRule:EventRule", name="name", max_name=64)
def _event_rule(c: Ctx):
    bus = c.get("eventBusName", "default")
    bus_name = bus.split("/")[-1] if bus.startswith("arn:") else bus
    path = c.physical_name if bus_name == "default" else f"{bus_name}/{c.physical_name}"
    return path, {"arn": c.arn("events", f"rule/{path}"), "eventBusName": bus}


@aws_type("aws:cloudwatch/eventTarget:EventTarget")
def _event_target(c: Ctx):
    target_id = c.get("targetId") or f"terraform-{c.hex(26)}"
    bus = c.get("eventBusName", "default")
    rule = c.get("rule", "rule")
    prefix = "" if bus == "default" else f"{bus}-"
    return f"{prefix}{rule}-{target_id}", {"targetId": target_id}


@aws_type("aws:cloudwatch/eventArchive:EventArchive", name="name", max_name=48)
def _event_archive(c: Ctx):
    return c.physical_name, {"arn": c.arn("events", f"archive/{c.physical_name}")}


@aws_type("aws:cloudwatch/eventEndpoint:EventEndpoint", name="name", max_name=64)
def _event_endpoint(c: Ctx):
    # Global endpoints live in the primary Region; the URL carries a random endpoint id.
    endpoint_id = f"{c.lower(10, 'ep')}.{c.lower(3, 'ep2')}"
    return c.physical_name, {
        "arn": c.arn("events", f"endpoint/{c.physical_name}"),
        "endpointUrl": f"https://{endpoint_id}.endpoint.events.amazonaws.com",
    }


@aws_type("aws:cloudwatch/eventBusPolicy:EventBusPolicy")
def _event_bus_policy(c: Ctx):
    return c.get("eventBusName", "default"), {}


@aws_type("aws:cloudwatch/eventPermission:EventPermission")
def _event_permission(c: Ctx):
    return f"{c.get('eventBusName', 'default')}/{c.get('statementId', c.name)}", {}


@aws_type("aws:cloudwatch/eventConnection:EventConnection", name="name", max_name=64)
def _event_connection(c: Ctx):
    return c.physical_name, {"arn": c.arn("events", f"connection/{c.physical_name}/{c.uuid()}"),
                             "secretArn": c.arn("secretsmanager", f"secret:events!connection/{c.physical_name}/{c.uuid('s')}")}


@aws_type("aws:cloudwatch/eventApiDestination:EventApiDestination", name="name", max_name=64)
def _event_api_destination(c: Ctx):
    return c.physical_name, {"arn": c.arn("events", f"api-destination/{c.physical_name}/{c.uuid()}")}


@aws_type("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", name="name")
def _log_subscription(c: Ctx):
    return f"cwlsf-{int(c.hex(8), 16)}", {}


@aws_type("aws:cloudwatch/logMetricFilter:LogMetricFilter", name="name")
def _log_metric_filter(c: Ctx):
    return c.physical_name, {}


# ---- Lambda -----------------------------------------------------------------------------------


def _invoke_arn(c: Ctx, function_arn: str) -> str:
    return f"arn:{c.partition}:apigateway:{c.region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


@aws_type("aws:lambda/function:Function", name="name", max_name=64)
def _lambda_function(c: Ctx):
    arn = c.arn("lambda", f"function:{c.physical_name}")
    version = "1" if c.get("publish") else "$LATEST"
    qualified = f"{arn}:{version}"
    return c.physical_name, {
        "arn": arn, "invokeArn": _invoke_arn(c, arn), "qualifiedArn": qualified,
        "qualifiedInvokeArn": _invoke_arn(c, qualified), "version": version,
        "lastModified": "2024-01-01T00:00:00.000+0000", "sourceCodeHash": c.alnum(43) + "=",
        "codeSha256": c.alnum(43) + "=", "sourceCodeSize": 4096,
        "architectures": c.get("architectures", ["x86_64"]),
        "memorySize": c.get("memorySize", 128), "timeout": c.get("timeout", 3),
        "signingJobArn": "", "signingProfileVersionArn": "",
    }


@aws_type("aws:lambda/alias:Alias", name="name", max_name=128)
def _lambda_alias(c: Ctx):
    function = c.get("functionName", "function")
    function_arn = function if function.startswith("arn:") else c.arn("lambda", f"function:{function}")
    arn = f"{function_arn}:{c.physical_name}"
    return arn, {"arn": arn, "invokeArn": _invoke_arn(c, arn)}


@aws_type("aws:lambda/permission:Permission")
def _lambda_permission(c: Ctx):
    statement = c.get("statementId") or f"terraform-{c.hex(26)}"
    return statement, {"statementId": statement}


@aws_type("aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig")
def _lambda_pcc(c: Ctx):
    return f"{c.get('functionName')},{c.get('qualifier')}", {}


@aws_type("aws:lambda/eventSourceMapping:EventSourceMapping")
def _lambda_esm(c: Ctx):
    esm = c.uuid()
    function = c.get("functionName", "function")
    function_arn = function if str(function).startswith("arn:") else c.arn("lambda", f"function:{function}")
    return esm, {"uuid": esm, "functionArn": function_arn, "state": "Enabled",
                 "arn": c.arn("lambda", f"event-source-mapping:{esm}")}


@aws_type("aws:lambda/layerVersion:LayerVersion", name="layerName", max_name=140)
def _lambda_layer(c: Ctx):
    layer_arn = c.arn("lambda", f"layer:{c.physical_name}")
    return f"{layer_arn}:1", {"arn": f"{layer_arn}:1", "layerArn": layer_arn, "version": "1"}


@aws_type("aws:lambda/functionUrl:FunctionUrl")
def _lambda_url(c: Ctx):
    return c.get("functionName", c.name), {
        "functionUrl": f"https://{c.lower(32)}.lambda-url.{c.region}.on.aws/", "urlId": c.lower(32)}


# ---- Messaging / data -------------------------------------------------------------------------


@aws_type("aws:sqs/queue:Queue", name="name", max_name=80)
def _sqs_queue(c: Ctx):
    name = c.physical_name
    if c.get("fifoQueue") and not name.endswith(".fifo"):
        name = name[:75] + ".fifo"
    url = f"https://sqs.{c.region}.amazonaws.com/{c.account}/{name}"
    return url, {"arn": c.arn("sqs", name), "url": url, "name": name}


@aws_type("aws:sqs/queuePolicy:QueuePolicy")
def _sqs_queue_policy(c: Ctx):
    return c.get("queueUrl", c.name), {}


@aws_type("aws:sqs/redrivePolicy:RedrivePolicy")
def _sqs_redrive(c: Ctx):
    return c.get("queueUrl", c.name), {}


@aws_type("aws:sns/topic:Topic", name="name", max_name=256)
def _sns_topic(c: Ctx):
    arn = c.arn("sns", c.physical_name)
    return arn, {"arn": arn, "owner": c.account}


@aws_type("aws:sns/topicSubscription:TopicSubscription")
def _sns_subscription(c: Ctx):
    arn = f"{c.get('topic', c.arn('sns', 'topic'))}:{c.uuid()}"
    return arn, {"arn": arn, "ownerId": c.account}


@aws_type("aws:sns/topicPolicy:TopicPolicy")
def _sns_topic_policy(c: Ctx):
    return c.get("arn", c.name), {"owner": c.account}


@aws_type("aws:dynamodb/table:Table", name="name", max_name=255)
def _dynamodb_table(c: Ctx):
    arn = c.arn("dynamodb", f"table/{c.physical_name}")
    stream = c.get("streamEnabled")
    return c.physical_name, {
        "arn": arn, "streamArn": f"{arn}/stream/2024-01-01T00:00:00.000" if stream else "",
        "streamLabel": "2024-01-01T00:00:00.000" if stream else "",
        "billingMode": c.get("billingMode", "PROVISIONED"),
    }


@aws_type("aws:kinesis/stream:Stream", name="name", max_name=128)
def _kinesis_stream(c: Ctx):
    arn = c.arn("kinesis", f"stream/{c.physical_name}")
    return arn, {"arn": arn}


@aws_type("aws:kinesis/streamConsumer:StreamConsumer", name="name")
def _kinesis_consumer(c: Ctx):
    arn = f"{c.get('streamArn', c.arn('kinesis', 'stream/s'))}/consumer/{c.physical_name}:1704067200"
    return arn, {"arn": arn}


@aws_type("aws:kms/key:Key")
def _kms_key(c: Ctx):
    key_id = c.uuid()
    return key_id, {"arn": c.arn("kms", f"key/{key_id}"), "keyId": key_id,
                    "keyUsage": c.get("keyUsage", "ENCRYPT_DECRYPT")}


@aws_type("aws:kms/replicaKey:ReplicaKey")
def _kms_replica_key(c: Ctx):
    return _kms_key(c)


@aws_type("aws:kms/alias:Alias", name="name", max_name=256)
def _kms_alias(c: Ctx):
    name = c.physical_name if c.physical_name.startswith("alias/") else f"alias/{c.physical_name}"
    target = c.get("targetKeyId", "")
    target_arn = target if str(target).startswith("arn:") else c.arn("kms", f"key/{target}")
    return name, {"arn": c.arn("kms", name), "name": name, "targetKeyArn": target_arn}


@aws_type("aws:secretsmanager/secret:Secret", name="name", max_name=512)
def _secret(c: Ctx):
    arn = c.arn("secretsmanager", f"secret:{c.physical_name}-{c.alnum(6)}")
    return arn, {"arn": arn}


@aws_type("aws:secretsmanager/secretVersion:SecretVersion")
def _secret_version(c: Ctx):
    version = c.uuid()
    secret = c.get("secretId", c.arn("secretsmanager", "secret:s"))
    return f"{secret}|{version}", {"arn": secret, "versionId": version,
                                   "versionStages": ["AWSCURRENT"]}


@aws_type("aws:secretsmanager/secretPolicy:SecretPolicy")
def _secret_policy(c: Ctx):
    return c.get("secretArn", c.name), {}


@aws_type("aws:secretsmanager/secretRotation:SecretRotation")
def _secret_rotation(c: Ctx):
    return c.get("secretId", c.name), {"rotationEnabled": True}


@aws_type("aws:ssm/parameter:Parameter", name="name", max_name=2048)
def _ssm_parameter(c: Ctx):
    name = c.physical_name
    c.fake._ssm_values[name] = c.get("value") or c.get("insecureValue")
    return name, {"arn": c.arn("ssm", f"parameter/{name.lstrip('/')}"), "version": 1,
                  "tier": c.get("tier", "Standard"), "dataType": c.get("dataType", "text")}


# ---- S3 ---------------------------------------------------------------------------------------


@aws_type("aws:s3/bucket:Bucket", name="bucket", max_name=63)
def _s3_bucket(c: Ctx):
    bucket = c.physical_name.lower()
    return bucket, {
        "bucket": bucket, "arn": f"arn:{c.partition}:s3:::{bucket}",
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{c.region}.amazonaws.com",
        "hostedZoneId": _zone_id(_S3_ZONE_IDS, c.region, "s3"), "region": c.region,
    }


def _bucket_side(c: Ctx):
    # S3 side resources (versioning, encryption, policy, ...) are identified by their bucket.
    return str(c.get("bucket", c.name)), {}


for _token in (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketAcl:BucketAcl",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketNotification:BucketNotification",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
    "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketIntelligentTieringConfiguration:BucketIntelligentTieringConfiguration",
):
    aws_type(_token)(_bucket_side)


@aws_type("aws:s3/bucketObject:BucketObject")
@aws_type("aws:s3/bucketObjectv2:BucketObjectv2")
def _s3_object(c: Ctx):
    key = c.get("key", c.name)
    return key, {"etag": c.hex(32), "versionId": c.alnum(32), "key": key,
                 "arn": f"arn:{c.partition}:s3:::{c.get('bucket', 'bucket')}/{key}"}


# ---- API Gateway ------------------------------------------------------------------------------


def _apigw_arn(c: Ctx, path: str) -> str:
    return f"arn:{c.partition}:apigateway:{c.region}::{path}"


@aws_type("aws:apigateway/restApi:RestApi", name="name")
def _rest_api(c: Ctx):
    api_id = c.lower(10)
    return api_id, {
        "arn": _apigw_arn(c, f"/restapis/{api_id}"), "rootResourceId": c.lower(10, "root"),
        "executionArn": c.arn("execute-api", api_id), "createdDate": "2024-01-01T00:00:00Z",
    }


@aws_type("aws:apigateway/resource:Resource")
def _apigw_resource(c: Ctx):
    part = c.get("pathPart", "")
    return c.lower(6), {"path": f"/{part}"}


@aws_type("aws:apigateway/method:Method")
def _apigw_method(c: Ctx):
    return f"agm-{c.get('restApi')}-{c.get('resourceId')}-{c.get('httpMethod')}", {}


@aws_type("aws:apigateway/integration:Integration")
def _apigw_integration(c: Ctx):
    return f"agi-{c.get('restApi')}-{c.get('resourceId')}-{c.get('httpMethod')}", {
        "timeoutMilliseconds": c.get("timeoutMilliseconds", 29000)}


@aws_type("aws:apigateway/methodResponse:MethodResponse")
def _apigw_method_response(c: Ctx):
    return f"agmr-{c.get('restApi')}-{c.get('resourceId')}-{c.get('httpMethod')}-{c.get('statusCode')}", {}


@aws_type("aws:apigateway/integrationResponse:IntegrationResponse")
def _apigw_integration_response(c: Ctx):
    return f"agir-{c.get('restApi')}-{c.get('resourceId')}-{c.get('httpMethod')}-{c.get('statusCode')}", {}


@aws_type("aws:apigateway/deployment:Deployment")
def _apigw_deployment(c: Ctx):
    return c.lower(6), {"createdDate": "2024-01-01T00:00:00Z"}


@aws_type("aws:apigateway/stage:Stage")
def _apigw_stage(c: Ctx):
    api = c.get("restApi", "api")
    stage = c.get("stageName", "stage")
    return f"ags-{api}-{stage}", {
        "arn": _apigw_arn(c, f"/restapis/{api}/stages/{stage}"),
        "invokeUrl": f"https://{api}.execute-api.{c.region}.amazonaws.com/{stage}",
        "executionArn": c.arn("execute-api", f"{api}/{stage}"),
    }


@aws_type("aws:apigateway/restApiPolicy:RestApiPolicy")
def _apigw_policy(c: Ctx):
    return c.get("restApiId", c.name), {}


@aws_type("aws:apigateway/vpcLink:VpcLink", name="name")
def _apigw_vpc_link(c: Ctx):
    link = c.lower(6)
    return link, {"arn": _apigw_arn(c, f"/vpclinks/{link}")}


@aws_type("aws:apigateway/domainName:DomainName")
def _apigw_domain(c: Ctx):
    domain = c.get("domainName", c.name)
    regional = c.get("regionalCertificateArn") is not None or "REGIONAL" in json.dumps(c.get("endpointConfiguration", {}))
    out = {"arn": _apigw_arn(c, f"/domainnames/{domain}"), "certificateUploadDate": "2024-01-01T00:00:00Z",
           "domainNameId": c.lower(10)}
    if regional:
        out.update({"regionalDomainName": f"d-{c.lower(10)}.execute-api.{c.region}.amazonaws.com",
                    "regionalZoneId": _zone_id(_APIGW_REGIONAL_ZONE_IDS, c.region, "apigw")})
    else:
        out.update({"cloudfrontDomainName": f"d{c.lower(13)}.cloudfront.net",
                    "cloudfrontZoneId": _CLOUDFRONT_ZONE_ID})
    return domain, out


@aws_type("aws:apigateway/basePathMapping:BasePathMapping")
def _apigw_bpm(c: Ctx):
    return f"{c.get('domainName')}/{c.get('basePath', '')}", {}


@aws_type("aws:apigateway/domainNameAccessAssociation:DomainNameAccessAssociation")
def _apigw_dnaa(c: Ctx):
    arn = _apigw_arn(c, f"/domainnameaccessassociations/{c.lower(10)}")
    return arn, {"arn": arn}


@aws_type("aws:apigateway/account:Account", global_=False)
def _apigw_account(c: Ctx):
    return "api-gateway-account", {"throttleSettings": [{"burstLimit": 5000, "rateLimit": 10000}]}


@aws_type("aws:apigateway/usagePlan:UsagePlan", name="name")
def _apigw_usage_plan(c: Ctx):
    plan = c.lower(6)
    return plan, {"arn": _apigw_arn(c, f"/usageplans/{plan}")}


@aws_type("aws:apigateway/apiKey:ApiKey", name="name")
def _apigw_api_key(c: Ctx):
    key = c.lower(10)
    return key, {"arn": _apigw_arn(c, f"/apikeys/{key}"), "value": c.alnum(40)}


# ---- Elastic Load Balancing -------------------------------------------------------------------


@aws_type("aws:lb/loadBalancer:LoadBalancer", name="name", max_name=32)
@aws_type("aws:alb/loadBalancer:LoadBalancer", name="name", max_name=32)
def _load_balancer(c: Ctx):
    kind = c.get("loadBalancerType", "application")
    short = {"network": "net", "gateway": "gwy"}.get(kind, "app")
    suffix = f"{short}/{c.physical_name}/{c.hex(16)}"
    internal = "internal-" if c.get("internal") and kind == "application" else ""
    if kind == "network":
        dns = f"{c.physical_name}-{c.hex(16, 'dns')}.elb.{c.region}.amazonaws.com"
        zone = _zone_id(_NLB_ZONE_IDS, c.region, "nlb")
    else:
        dns = f"{internal}{c.physical_name}-{int(c.hex(8, 'dns'), 16)}.{c.region}.elb.amazonaws.com"
        zone = _zone_id(_ALB_ZONE_IDS, c.region, "alb")
    arn = c.arn("elasticloadbalancing", f"loadbalancer/{suffix}")
    return arn, {"arn": arn, "arnSuffix": suffix, "dnsName": dns, "zoneId": zone,
                 "loadBalancerType": kind, "vpcId": c.fake._vpc_of_subnets(c.get("subnets"))}


@aws_type("aws:lb/targetGroup:TargetGroup", name="name", max_name=32)
@aws_type("aws:alb/targetGroup:TargetGroup", name="name", max_name=32)
def _target_group(c: Ctx):
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
    arn = listener.replace(":listener/", ":listener-rule/") + f"/{c.hex(16)}" if listener else c.arn(
        "elasticloadbalancing", f"listener-rule/app/lb/{c.hex(16)}")
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


# ---- Route 53 (global) ------------------------------------------------------------------------


def _name_servers(c: Ctx) -> list[str]:
    n = int(c.hex(4, "ns"), 16)
    return [f"ns-{n % 2048}.awsdns-{n % 64:02d}.org", f"ns-{(n >> 1) % 2048}.awsdns-{(n >> 2) % 64:02d}.co.uk",
            f"ns-{(n >> 3) % 1024}.awsdns-{(n >> 4) % 64:02d}.com", f"ns-{(n >> 5) % 1024}.awsdns-{(n >> 6) % 64:02d}.net"]


@aws_type("aws:route53/zone:Zone", global_=True)
def _r53_zone(c: Ctx):
    zid = "Z0" + c.upper(19)
    private = bool(c.get("vpcs"))
    return zid, {"zoneId": zid, "arn": f"arn:{c.partition}:route53:::hostedzone/{zid}",
                 "nameServers": [] if private else _name_servers(c),
                 "primaryNameServer": "ns-0.awsdns-00.com" if not private else "",
                 "comment": c.get("comment", "Managed by Pulumi")}


@aws_type("aws:route53/record:Record", global_=True)
def _r53_record(c: Ctx):
    name = str(c.get("name", c.name)).rstrip(".")
    parts = [c.get("zoneId", "Z"), name, c.get("type", "A")]
    if c.get("setIdentifier"):
        parts.append(c.get("setIdentifier"))
    return "_".join(parts), {"fqdn": name}


@aws_type("aws:route53/healthCheck:HealthCheck", global_=True)
def _r53_health_check(c: Ctx):
    hid = c.uuid()
    return hid, {"arn": f"arn:{c.partition}:route53:::healthcheck/{hid}"}


@aws_type("aws:route53/zoneAssociation:ZoneAssociation", global_=True)
def _r53_zone_assoc(c: Ctx):
    return f"{c.get('zoneId')}:{c.get('vpcId')}:{c.get('vpcRegion') or c.region}", {
        "owningAccount": c.account, "vpcRegion": c.get("vpcRegion") or c.region}


@aws_type("aws:route53/vpcAssociationAuthorization:VpcAssociationAuthorization", global_=True)
def _r53_vpc_auth(c: Ctx):
    return f"{c.get('zoneId')}:{c.get('vpcId')}", {}


# ---- Transit Gateway (architecture B2 peering option) --------------------------------------


@aws_type("aws:ec2transitgateway/transitGateway:TransitGateway")
def _tgw(c: Ctx):
    tid = c.ec2_id("tgw")
    table = c.ec2_id("tgw-rtb", "default")
    return tid, {"arn": c.arn("ec2", f"transit-gateway/{tid}"), "ownerId": c.account,
                 "associationDefaultRouteTableId": table, "propagationDefaultRouteTableId": table,
                 "amazonSideAsn": c.get("amazonSideAsn", 64512)}


@aws_type("aws:ec2transitgateway/vpcAttachment:VpcAttachment")
def _tgw_vpc_attachment(c: Ctx):
    return c.ec2_id("tgw-attach"), {"vpcOwnerId": c.account}


@aws_type("aws:ec2transitgateway/peeringAttachment:PeeringAttachment")
def _tgw_peering(c: Ctx):
    aid = c.ec2_id("tgw-attach")
    return aid, {"arn": c.arn("ec2", f"transit-gateway-attachment/{aid}"), "state": "pendingAcceptance"}


@aws_type("aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter")
def _tgw_peering_accepter(c: Ctx):
    # The accepter side names the same attachment the requester created.
    aid = c.get("transitGatewayAttachmentId") or c.ec2_id("tgw-attach")
    return aid, {"arn": c.arn("ec2", f"transit-gateway-attachment/{aid}")}


@aws_type("aws:ec2transitgateway/route:Route")
def _tgw_route(c: Ctx):
    return f"{c.get('transitGatewayRouteTableId')}_{c.get('destinationCidrBlock')}", {}


# ---- RDS --------------------------------------------------------------------------------------


@aws_type("aws:rds/globalCluster:GlobalCluster", name="globalClusterIdentifier", max_name=63, global_=True)
def _rds_global(c: Ctx):
    ident = c.physical_name
    return ident, {"arn": f"arn:{c.partition}:rds::{c.account}:global-cluster:{ident}",
                   "globalClusterResourceId": "cluster-" + c.hex(16),
                   "endpoint": f"{ident}.global-{c.lower(10)}.global.rds.amazonaws.com",
                   "globalClusterMembers": []}


def _engine_port(engine: str) -> int:
    return 5432 if "postgres" in (engine or "") else 3306


@aws_type("aws:rds/cluster:Cluster", name="clusterIdentifier", max_name=63)
def _rds_cluster(c: Ctx):
    ident = c.physical_name.lower()
    host = f"{c.lower(12, 'host')}.{c.region}.rds.amazonaws.com"
    out = {
        "arn": c.arn("rds", f"cluster:{ident}"), "clusterIdentifier": ident,
        "endpoint": f"{ident}.cluster-{host}", "readerEndpoint": f"{ident}.cluster-ro-{host}",
        "clusterResourceId": "cluster-" + c.upper(26), "port": c.get("port", _engine_port(c.get("engine"))),
        "hostedZoneId": "Z" + c.upper(13, "rdszone"), "engineVersionActual": c.get("engineVersion", "16.4"),
        "availabilityZones": availability_zones(c.region)[0][:3],
    }
    if c.get("manageMasterUserPassword"):
        out["masterUserSecrets"] = [{
            "kmsKeyId": c.arn("kms", f"key/{c.uuid('mkey')}"),
            "secretArn": c.arn("secretsmanager", f"secret:rds!cluster-{c.uuid('msec')}-{c.alnum(6)}"),
            "secretStatus": "active"}]
    return ident, out


@aws_type("aws:rds/clusterInstance:ClusterInstance", name="identifier", max_name=63)
def _rds_cluster_instance(c: Ctx):
    ident = c.physical_name.lower()
    return ident, {"arn": c.arn("rds", f"db:{ident}"), "identifier": ident,
                   "endpoint": f"{ident}.{c.lower(12, 'host')}.{c.region}.rds.amazonaws.com",
                   "port": _engine_port(c.get("engine")), "dbiResourceId": "db-" + c.upper(26),
                   "writer": True, "availabilityZone": availability_zones(c.region)[0][0]}


@aws_type("aws:rds/instance:Instance", name="identifier", max_name=63)
def _rds_instance(c: Ctx):
    ident = c.physical_name.lower()
    address = f"{ident}.{c.lower(12, 'host')}.{c.region}.rds.amazonaws.com"
    port = c.get("port", _engine_port(c.get("engine")))
    return ident, {"arn": c.arn("rds", f"db:{ident}"), "identifier": ident, "address": address,
                   "endpoint": f"{address}:{port}", "port": port, "resourceId": "db-" + c.upper(26)}


@aws_type("aws:rds/subnetGroup:SubnetGroup", name="name", max_name=255)
def _rds_subnet_group(c: Ctx):
    name = c.physical_name.lower()
    return name, {"arn": c.arn("rds", f"subgrp:{name}"), "name": name,
                  "vpcId": c.fake._vpc_of_subnets(c.get("subnetIds"))}


@aws_type("aws:rds/clusterParameterGroup:ClusterParameterGroup", name="name", max_name=255)
def _rds_cluster_pg(c: Ctx):
    name = c.physical_name.lower()
    return name, {"arn": c.arn("rds", f"cluster-pg:{name}"), "name": name}


@aws_type("aws:rds/parameterGroup:ParameterGroup", name="name", max_name=255)
def _rds_pg(c: Ctx):
    name = c.physical_name.lower()
    return name, {"arn": c.arn("rds", f"pg:{name}"), "name": name}


@aws_type("aws:rds/proxy:Proxy", name="name", max_name=63)
def _rds_proxy(c: Ctx):
    name = c.physical_name.lower()
    return name, {"arn": c.arn("rds", f"db-proxy:prx-{c.hex(17)}"), "name": name,
                  "endpoint": f"{name}.proxy-{c.lower(12, 'host')}.{c.region}.rds.amazonaws.com"}


@aws_type("aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup")
def _rds_proxy_tg(c: Ctx):
    return c.get("dbProxyName", c.name), {"name": "default",
                                           "arn": c.arn("rds", f"target-group:prx-tg-{c.hex(17)}")}


@aws_type("aws:rds/proxyTarget:ProxyTarget")
def _rds_proxy_target(c: Ctx):
    cluster = c.get("dbClusterIdentifier")
    kind, ident = ("TRACKED_CLUSTER", cluster) if cluster else ("RDS_INSTANCE", c.get("dbInstanceIdentifier"))
    return f"{c.get('dbProxyName')}/{c.get('targetGroupName')}/{kind}/{ident}", {
        "type": kind, "rdsResourceId": ident, "targetArn": c.arn("rds", f"cluster:{ident}"),
        "endpoint": f"{ident}.cluster-{c.lower(12, 'host')}.{c.region}.rds.amazonaws.com",
        "port": 5432, "trackedClusterId": cluster}


@aws_type("aws:rds/proxyEndpoint:ProxyEndpoint", name="dbProxyEndpointName", max_name=63)
def _rds_proxy_endpoint(c: Ctx):
    name = c.physical_name.lower()
    return f"{c.get('dbProxyName')}/{name}", {
        "arn": c.arn("rds", f"db-proxy-endpoint:prx-endpoint-{c.hex(17)}"),
        "endpoint": f"{name}.endpoint.proxy-{c.lower(12, 'host')}.{c.region}.rds.amazonaws.com",
        "isDefault": False}


# ---- OpenSearch -------------------------------------------------------------------------------


@aws_type("aws:opensearch/domain:Domain", name="domainName", max_name=28)
def _opensearch_domain(c: Ctx):
    name = c.physical_name.lower()
    arn = c.arn("es", f"domain/{name}")
    prefix = "vpc" if c.get("vpcOptions") else "search"
    endpoint = f"{prefix}-{name}-{c.lower(26)}.{c.region}.es.amazonaws.com"
    return arn, {"arn": arn, "domainName": name, "domainId": f"{c.account}/{name}",
                 "endpoint": endpoint, "dashboardEndpoint": f"{endpoint}/_dashboards",
                 "engineVersion": c.get("engineVersion", "OpenSearch_2.17")}


@aws_type("aws:opensearch/domainPolicy:DomainPolicy")
def _opensearch_domain_policy(c: Ctx):
    return f"esd-policy-{c.get('domainName')}", {}


# ---- ECS / ECR --------------------------------------------------------------------------------


@aws_type("aws:ecs/cluster:Cluster", name="name", max_name=255)
def _ecs_cluster(c: Ctx):
    arn = c.arn("ecs", f"cluster/{c.physical_name}")
    return arn, {"arn": arn}


@aws_type("aws:ecs/taskDefinition:TaskDefinition")
def _ecs_task_definition(c: Ctx):
    family = c.get("family", c.name)
    base = c.arn("ecs", f"task-definition/{family}")
    return family, {"arn": f"{base}:1", "arnWithoutRevision": base, "revision": 1}


@aws_type("aws:ecs/service:Service", name="name", max_name=255)
def _ecs_service(c: Ctx):
    cluster = str(c.get("cluster", "default")).split("/")[-1]
    arn = c.arn("ecs", f"service/{cluster}/{c.physical_name}")
    return arn, {"arn": arn}


@aws_type("aws:ecr/repository:Repository", name="name", max_name=256)
def _ecr_repository(c: Ctx):
    name = c.physical_name.lower()
    return name, {"arn": c.arn("ecr", f"repository/{name}"), "registryId": c.account,
                  "repositoryUrl": f"{c.account}.dkr.ecr.{c.region}.amazonaws.com/{name}"}


@aws_type("aws:ecr/lifecyclePolicy:LifecyclePolicy")
@aws_type("aws:ecr/repositoryPolicy:RepositoryPolicy")
def _ecr_side(c: Ctx):
    return c.get("repository", c.name), {"registryId": c.account}


# ---- ACM / budgets / misc ---------------------------------------------------------------------


@aws_type("aws:acm/certificate:Certificate")
def _acm_certificate(c: Ctx):
    arn = c.arn("acm", f"certificate/{c.uuid()}")
    domains = [c.get("domainName")] + list(c.get("subjectAlternativeNames", []) or [])
    imported = c.get("certificateBody") is not None
    options = [] if imported else [{
        "domainName": d, "resourceRecordName": f"_{c.hex(32, d)}.{d}.",
        "resourceRecordType": "CNAME",
        "resourceRecordValue": f"_{c.hex(32, d + 'v')}.{c.lower(10, d)}.acm-validations.aws.",
    } for d in domains if d]
    return arn, {"arn": arn, "domainValidationOptions": options, "status": "ISSUED",
                 "type": "IMPORTED" if imported else "AMAZON_ISSUED",
                 "notAfter": "2026-01-01T00:00:00Z", "notBefore": "2025-01-01T00:00:00Z"}


@aws_type("aws:acm/certificateValidation:CertificateValidation")
def _acm_validation(c: Ctx):
    return "2024-01-01 00:00:00 +0000 UTC", {}


@aws_type("aws:acmpca/certificateAuthority:CertificateAuthority")
def _acmpca(c: Ctx):
    arn = c.arn("acm-pca", f"certificate-authority/{c.uuid()}")
    return arn, {"arn": arn, "status": "ACTIVE"}


@aws_type("aws:budgets/budget:Budget", name="name", global_=True)
def _budget(c: Ctx):
    return f"{c.account}:{c.physical_name}", {
        "arn": f"arn:{c.partition}:budgets::{c.account}:budget/{c.physical_name}",
        "accountId": c.get("accountId", c.account)}


@aws_type("aws:sfn/stateMachine:StateMachine", name="name", max_name=80)
def _state_machine(c: Ctx):
    arn = c.arn("states", f"stateMachine:{c.physical_name}")
    return arn, {"arn": arn, "stateMachineVersionArn": "", "status": "ACTIVE"}


@aws_type("aws:scheduler/schedule:Schedule", name="name", max_name=64)
def _schedule(c: Ctx):
    group = c.get("groupName", "default")
    return f"{group}/{c.physical_name}", {"arn": c.arn("scheduler", f"schedule/{group}/{c.physical_name}")}


@aws_type("aws:wafv2/webAcl:WebAcl", name="name", max_name=128)
def _waf_acl(c: Ctx):
    wid = c.uuid()
    scope = "global" if c.get("scope") == "CLOUDFRONT" else "regional"
    return wid, {"arn": c.arn("wafv2", f"{scope}/webacl/{c.physical_name}/{wid}"), "capacity": 50}


# ---- generic fallback -------------------------------------------------------------------------

# Token module -> ARN service where they differ.
_ARN_SERVICE = {
    "cloudwatch": "cloudwatch", "lb": "elasticloadbalancing", "alb": "elasticloadbalancing",
    "opensearch": "es", "elasticsearch": "es", "sfn": "states", "cognito": "cognito-idp",
    "ec2transitgateway": "ec2", "vpc": "ec2", "acmpca": "acm-pca", "cloudfront": "cloudfront",
    "apigatewayv2": "apigateway", "servicediscovery": "servicediscovery",
}
_GLOBAL_MODULES = {"iam", "route53", "cloudfront", "organizations", "budgets", "globalaccelerator",
                   "networkmanager", "shield"}


def _kebab(type_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", type_name).lower()


def _generic(c: Ctx) -> tuple[str, dict]:
    """A sensible ID and ARN for any AWS type the registry does not know yet."""
    module = c.type.split(":")[1].split("/")[0] if c.type.count(":") >= 2 else "aws"
    type_name = c.type.split(":")[-1]
    service = _ARN_SERVICE.get(module, module)
    type_key = type_name[:1].lower() + type_name[1:] + "Name"
    given = next((c.inputs[k] for k in ("name", type_key, "domainName", "identifier") if isinstance(
        c.inputs.get(k), str)), None)
    physical = c.physical_name or given or f"{c.name}-{c.hex(7)}"
    global_ = module in _GLOBAL_MODULES
    arn = c.arn(service, f"{_kebab(type_name)}/{physical}", regional=not global_)
    return physical, {"arn": arn}


def _ec2_dns_suffix(region: str) -> str:
    return "compute-1.amazonaws.com" if region == "us-east-1" else f"{region}.compute.amazonaws.com"


def _ec2_internal_suffix(region: str) -> str:
    return "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"


def _mac(c: Ctx) -> str:
    h = c.hex(10, "mac")
    return "0e:" + ":".join(h[i:i + 2] for i in range(0, 10, 2))


# --------------------------------------------------------------------------------------------
# awsx remote components (opaque under mocks)
# --------------------------------------------------------------------------------------------


_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"


class _AwsxChildren:
    """Children an awsx component really creates. When the component's URN is known (under
    ``RecordingMonitor``) they are recorded as resources of their own (policies and the cost
    estimate see them, as at a real preview) and returned as resource references; otherwise
    resource-typed outputs are left out."""

    def __init__(self, fake: "FakeAws", c: Ctx, urn: Optional[str]):
        self.fake, self.c, self.urn = fake, c, urn
        self.records: list[ResourceRecord] = []

    def add(self, typ: str, name: str, resource_id: str, inputs: dict, outputs: dict) -> Optional[dict]:
        if not self.urn:
            return None
        parent_type = self.urn.split("::")[2]
        child_urn = "::".join(self.urn.split("::")[:2] + [f"{parent_type}${typ}", name])
        state = {**inputs, **outputs, "id": resource_id}
        if "tags" in inputs or self.c.fake._provider(None).default_tags:
            state.setdefault("tagsAll", inputs.get("tags", {}))
        self.records.append(ResourceRecord(
            type=typ, name=name, id=resource_id, custom=True, provider="", inputs=inputs, outputs=state,
            region=self.c.region, account=self.c.account, urn=child_urn, parent=self.urn))
        return {_SECRET_SIG_KEY: _RESOURCE_SIG, "urn": child_urn, "id": resource_id, "packageVersion": ""}


def _awsx_vpc(fake: "FakeAws", c: Ctx, kids: _AwsxChildren, default: bool = False) -> dict:
    vpc_id = c.ec2_id("vpc")
    names, zone_ids = availability_zones(c.region)
    count = int(c.get("numberOfAvailabilityZones", 2 if default else 3))
    wanted = c.get("availabilityZoneNames") or names[:count]
    cidr = ipaddress.ip_network(c.get("cidrBlock", "172.31.0.0/16" if default else "10.0.0.0/16"), strict=False)
    specs = c.get("subnetSpecs") or [{"type": "Public"}, {"type": "Private"}]
    kinds = [str(s.get("type", "Private")).lower() for s in specs]
    blocks = list(cidr.subnets(new_prefix=min(cidr.prefixlen + 4, 28)))
    by_kind: dict[str, list[str]] = {"public": [], "private": [], "isolated": []}
    refs: dict[str, list] = {"public": [], "private": [], "isolated": []}
    index = 0
    for kind in kinds:
        for n, az in enumerate(wanted, start=1):
            sid = c.ec2_id("subnet", f"{kind}-{az}")
            block = str(blocks[index % len(blocks)])
            index += 1
            fake._subnets[sid] = {"cidr": block, "vpcId": vpc_id, "az": az, "region": c.region}
            by_kind.setdefault(kind, []).append(sid)
            ref = kids.add("aws:ec2/subnet:Subnet", f"{c.name}-{kind}-{n}", sid,
                           {"vpcId": vpc_id, "cidrBlock": block, "availabilityZone": az,
                            "mapPublicIpOnLaunch": kind == "public"},
                           {"arn": c.arn("ec2", f"subnet/{sid}"), "ownerId": c.account,
                            "availabilityZoneId": zone_ids[names.index(az)] if az in names else None})
            refs.setdefault(kind, []).append(ref)
    out: dict[str, Any] = {"vpcId": vpc_id, "publicSubnetIds": by_kind["public"],
                           "privateSubnetIds": by_kind["private"]}
    if default:
        return out
    vpc_ref = kids.add("aws:ec2/vpc:Vpc", c.name, vpc_id,
                       {"cidrBlock": str(cidr), "enableDnsHostnames": True, "enableDnsSupport": True},
                       {"arn": c.arn("ec2", f"vpc/{vpc_id}"), "ownerId": c.account})
    igw_id = c.ec2_id("igw")
    igw_ref = kids.add("aws:ec2/internetGateway:InternetGateway", c.name, igw_id, {"vpcId": vpc_id},
                       {"arn": c.arn("ec2", f"internet-gateway/{igw_id}")}) if by_kind["public"] else None
    nat_strategy = str((c.get("natGateways") or {}).get("strategy", "OnePerAz"))
    nat_count = 0 if nat_strategy == "None" or not by_kind["public"] or not by_kind["private"] else (
        1 if nat_strategy == "Single" else len(wanted))
    nats, eips = [], []
    for i in range(nat_count):
        alloc = c.ec2_id("eipalloc", f"nat{i}")
        ip = fake._public_ip(f"{c.seed}:nat{i}")
        eips.append(kids.add("aws:ec2/eip:Eip", f"{c.name}-{i + 1}", alloc, {"domain": "vpc"},
                             {"allocationId": alloc, "publicIp": ip}))
        nid = c.ec2_id("nat", f"nat{i}")
        nats.append(kids.add("aws:ec2/natGateway:NatGateway", f"{c.name}-{i + 1}", nid,
                             {"subnetId": by_kind["public"][i], "allocationId": alloc,
                              "connectivityType": "public"}, {"publicIp": ip}))
    out["isolatedSubnetIds"] = by_kind.get("isolated", [])
    if kids.urn:
        all_refs = [r for kind in kinds for r in refs.get(kind, [])]
        out.update({
            "vpc": vpc_ref, "subnets": all_refs, "publicSubnets": refs["public"],
            "privateSubnets": refs["private"], "isolatedSubnets": refs.get("isolated", []),
            "natGateways": nats, "eips": eips, "routeTables": [], "routeTableAssociations": [], "routes": [],
        })
        if igw_ref:
            out["internetGateway"] = igw_ref
    return out


def _awsx_lb(fake: "FakeAws", c: Ctx, kind: str) -> dict:
    inner = Ctx(fake, "aws:lb/loadBalancer:LoadBalancer", c.name,
                {**c.inputs, "loadBalancerType": kind}, c.region, c.account, c.seed,
                _autoname(c.name, c.seed, 32))
    arn, lb = _load_balancer(inner)
    tg_ctx = Ctx(fake, "aws:lb/targetGroup:TargetGroup", c.name, {}, c.region, c.account, c.seed + ":tg",
                 _autoname(c.name, c.seed + ":tg", 32))
    tg_arn, tg = _target_group(tg_ctx)
    return {"loadBalancer": {"id": arn, **lb}, "defaultTargetGroup": {"id": tg_arn, **tg},
            "listeners": [], "vpcId": lb.get("vpcId") or c.ec2_id("vpc", "lbvpc"),
            "defaultSecurityGroup": {"id": c.ec2_id("sg")} if kind == "application" else None}


def _awsx_component(fake: "FakeAws", c: Ctx, kids: _AwsxChildren) -> dict:
    kind = c.type.split(":", 1)[1]
    if kind == "ec2:Vpc":
        return _awsx_vpc(fake, c, kids)
    if kind == "ec2:DefaultVpc":
        return _awsx_vpc(fake, c, kids, default=True)
    if kind == "lb:ApplicationLoadBalancer":
        return _awsx_lb(fake, c, "application")
    if kind == "lb:NetworkLoadBalancer":
        return _awsx_lb(fake, c, "network")
    if kind in ("ecs:FargateService", "ecs:EC2Service"):
        cluster = str(c.get("cluster", "default")).split("/")[-1]
        name = _autoname(c.name, c.seed, 255)
        family = f"{c.name}-{c.hex(7, 'family')}"
        return {"service": {"id": c.arn("ecs", f"service/{cluster}/{name}"), "name": name,
                            "arn": c.arn("ecs", f"service/{cluster}/{name}")},
                "taskDefinition": {"id": family, "family": family,
                                   "arn": c.arn("ecs", f"task-definition/{family}:1"), "revision": 1}}
    if kind in ("ecs:FargateTaskDefinition", "ecs:EC2TaskDefinition"):
        family = c.get("family") or f"{c.name}-{c.hex(7, 'family')}"
        return {"taskDefinition": {"id": family, "family": family,
                                   "arn": c.arn("ecs", f"task-definition/{family}:1"), "revision": 1},
                "loadBalancers": []}
    if kind == "ecr:Repository":
        name = c.get("name") or _autoname(c.name, c.seed, 256).lower()
        url = f"{c.account}.dkr.ecr.{c.region}.amazonaws.com/{name}"
        return {"repository": {"id": name, "name": name, "arn": c.arn("ecr", f"repository/{name}"),
                               "repositoryUrl": url}, "url": url}
    if kind in ("ecr:Image", "ecr:RegistryImage"):
        repo = c.get("repositoryUrl", f"{c.account}.dkr.ecr.{c.region}.amazonaws.com/image")
        uri = f"{repo}@sha256:{c.hex(64)}"
        return {"imageUri": uri, "image": {"id": uri, "name": uri}}
    fake._warn(f"awsx component {c.type} has no fake outputs; registered as an empty component")
    return {}


# --------------------------------------------------------------------------------------------
# Invokes
# --------------------------------------------------------------------------------------------


class InvokeCtx:
    def __init__(self, token: str, args: dict, provider: ProviderInfo):
        self.token = token
        self.args = args
        self.provider = provider
        self.region = args.get("region") or provider.region
        self.account = provider.account
        self.seed = f"{token}:{json.dumps(args, sort_keys=True, default=str)}:{self.region}:{self.account}"

    def hex(self, n: int, salt: str = "") -> str:
        return _chars(f"{self.seed}:{salt}", n, _HEX)


@aws_invoke("aws:index/getCallerIdentity:getCallerIdentity")
def _get_caller_identity(fake: "FakeAws", i: InvokeCtx) -> dict:
    if i.provider.assume_role_arns:
        role = i.provider.assume_role_arns[-1].split("/")[-1]
        arn = f"arn:{PARTITION}:sts::{i.account}:assumed-role/{role}/pulumi-preview"
        user_id = f"AROA{_chars(role, 17, _UPPER_ALNUM)}:pulumi-preview"
    else:
        arn = f"arn:{PARTITION}:iam::{i.account}:user/pulumi-preview"
        user_id = "AIDA" + _chars(i.account, 17, _UPPER_ALNUM)
    return {"accountId": i.account, "arn": arn, "userId": user_id, "id": i.account}


@aws_invoke("aws:index/getRegion:getRegion")
def _get_region(fake: "FakeAws", i: InvokeCtx) -> dict:
    return {"region": i.region, "name": i.region, "id": i.region,
            "endpoint": f"ec2.{i.region}.amazonaws.com", "description": i.region}


@aws_invoke("aws:index/getRegions:getRegions")
def _get_regions(fake: "FakeAws", i: InvokeCtx) -> dict:
    regions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
    return {"names": regions, "id": PARTITION}


@aws_invoke("aws:index/getAvailabilityZones:getAvailabilityZones")
def _get_azs(fake: "FakeAws", i: InvokeCtx) -> dict:
    names, zone_ids = availability_zones(i.region)
    return {"names": names, "zoneIds": zone_ids, "id": i.region, "groupNames": [i.region],
            "state": i.args.get("state")}


@aws_invoke("aws:index/getAvailabilityZone:getAvailabilityZone")
def _get_az(fake: "FakeAws", i: InvokeCtx) -> dict:
    names, zone_ids = availability_zones(i.region)
    name = i.args.get("name") or names[0]
    zid = zone_ids[names.index(name)] if name in names else zone_ids[0]
    return {"name": name, "zoneId": zid, "region": i.region, "nameSuffix": name[-1], "state": "available",
            "zoneType": "availability-zone", "groupName": i.region, "id": name}


# Instance types are not offered in every Availability Zone, GPU types least of all
# (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceTypeOfferings.html;
# "Unsupported: Your requested instance type is not supported in your requested Availability Zone").
# The zones (by zone ID) each GPU family of the gaming workstation is NOT offered in, per Region:
# shaped like AWS's map (g4ad in fewest zones, use1-az3 without current GPU types), not a copy of it.
# Every other type, and these families in other Regions, are offered in every zone.
_ZONES_WITHOUT = {
    ("us-east-1", "g4dn"): {"use1-az3"},
    ("us-east-1", "g5"): {"use1-az3", "use1-az5"},
    ("us-east-1", "g4ad"): {"use1-az1", "use1-az3", "use1-az5"},
    ("us-west-2", "g5"): {"usw2-az3"},
    ("us-west-2", "g4ad"): {"usw2-az1", "usw2-az3"},
    ("eu-west-1", "g4ad"): {"euw1-az1", "euw1-az3"},
}


@aws_invoke("aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings")
def _get_instance_type_offerings(fake: "FakeAws", i: InvokeCtx) -> dict:
    """DescribeInstanceTypeOfferings: one row per (type, location) for the ``instance-type`` and
    ``location`` filters, by Region, zone name or zone ID (``locationType``)."""
    filters = {f.get("name"): list(f.get("values") or []) for f in i.args.get("filters") or []}
    location_type = i.args.get("locationType") or "region"
    types = filters.get("instance-type") or ["t3.micro", "m5.large", "g4dn.xlarge", "g4ad.4xlarge", "g5.xlarge"]
    names, zone_ids = availability_zones(i.region)
    rows = []
    for instance_type in types:
        missing = _ZONES_WITHOUT.get((i.region, instance_type.split(".")[0]), set())
        if location_type == "region":
            rows.append((instance_type, i.region))
            continue
        for name, zone_id in zip(names, zone_ids):
            if zone_id not in missing:
                rows.append((instance_type, name if location_type == "availability-zone" else zone_id))
    if "location" in filters:
        rows = [row for row in rows if row[1] in filters["location"]]
    return {"instanceTypes": [t for t, _ in rows], "locations": [loc for _, loc in rows],
            "locationTypes": [location_type] * len(rows), "id": i.region,
            "filters": i.args.get("filters"), "locationType": location_type}


@aws_invoke("aws:index/getPartition:getPartition")
def _get_partition(fake: "FakeAws", i: InvokeCtx) -> dict:
    return {"partition": PARTITION, "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws",
            "id": PARTITION}


@aws_invoke("aws:index/getDefaultTags:getDefaultTags")
def _get_default_tags(fake: "FakeAws", i: InvokeCtx) -> dict:
    return {"tags": dict(i.provider.default_tags), "id": PARTITION}


@aws_invoke("aws:ec2/getAmi:getAmi")
def _get_ami(fake: "FakeAws", i: InvokeCtx) -> dict:
    ami = f"ami-0{i.hex(16)}"
    filters = {f.get("name"): f.get("values") for f in i.args.get("filters", []) or []}
    name = (filters.get("name") or [i.args.get("nameRegex") or "amzn2-ami-hvm-*"])[0].replace("*", "2024.01.01")
    owners = i.args.get("owners") or ["amazon"]
    windows = "windows" in name.lower()
    return {"id": ami, "imageId": ami, "name": name, "architecture": (filters.get("architecture") or ["x86_64"])[0],
            "ownerId": "801119661308" if owners[0] == "amazon" else owners[0],
            "platform": "windows" if windows else "", "rootDeviceName": "/dev/sda1" if windows else "/dev/xvda",
            "rootDeviceType": "ebs", "virtualizationType": "hvm", "state": "available",
            "arn": f"arn:{PARTITION}:ec2:{i.region}::image/{ami}", "creationDate": "2024-01-01T00:00:00.000Z",
            "blockDeviceMappings": [], "imageOwnerAlias": "amazon" if owners[0] == "amazon" else ""}


@aws_invoke("aws:ec2/getAmiIds:getAmiIds")
def _get_ami_ids(fake: "FakeAws", i: InvokeCtx) -> dict:
    return {"ids": [f"ami-0{i.hex(16)}"], "id": i.region}


@aws_invoke("aws:ssm/getParameter:getParameter")
def _get_parameter(fake: "FakeAws", i: InvokeCtx) -> dict:
    name = str(i.args.get("name", ""))
    if name.startswith("/aws/service/") and "ami" in name:
        value = f"ami-0{i.hex(16)}"
    elif name in fake._ssm_values and fake._ssm_values[name] is not None:
        value = fake._ssm_values[name]
    else:
        value = f"fake-value-for-{name.strip('/').replace('/', '-')}"
    arn_name = name.lstrip("/")
    account = "" if name.startswith("/aws/service/") else i.account
    return {"name": name, "value": value, "insecureValue": value, "type": "String", "version": 1,
            "arn": f"arn:{PARTITION}:ssm:{i.region}:{account}:parameter/{arn_name}", "id": name,
            "withDecryption": i.args.get("withDecryption", True)}


@aws_invoke("aws:ec2/getNetworkInterface:getNetworkInterface")
def _get_eni(fake: "FakeAws", i: InvokeCtx) -> dict:
    eni_id = i.args.get("id")
    if not eni_id:
        for f in i.args.get("filters", []) or []:
            if f.get("name") in ("network-interface-id", "network-interface-ids") and f.get("values"):
                eni_id = f["values"][0]
    eni_id = eni_id or f"eni-0{i.hex(16)}"
    known = fake._enis.get(eni_id)
    if known is None:
        known = {"privateIp": fake._ip_in(None, eni_id), "subnetId": f"subnet-0{i.hex(16, 'subnet')}",
                 "vpcId": f"vpc-0{i.hex(16, 'vpc')}", "az": availability_zones(i.region)[0][0]}
    ip = known["privateIp"]
    return {"id": eni_id, "privateIp": ip, "privateIps": [ip], "subnetId": known.get("subnetId"),
            "vpcId": known.get("vpcId"), "availabilityZone": known.get("az"), "ownerId": i.account,
            "interfaceType": "vpc_endpoint", "privateDnsName": f"ip-{ip.replace('.', '-')}.{_ec2_internal_suffix(i.region)}",
            "securityGroups": [], "tags": {}, "associations": [], "attachments": [],
            "arn": f"arn:{PARTITION}:ec2:{i.region}:{i.account}:network-interface/{eni_id}",
            "macAddress": "0e:" + ":".join(i.hex(10)[k:k + 2] for k in range(0, 10, 2))}


def _render_policy_document(args: dict) -> str:
    def one_or_list(values):
        values = list(values or [])
        return values[0] if len(values) == 1 else values

    statements = []
    for source in args.get("sourcePolicyDocuments") or []:
        statements.extend(json.loads(source).get("Statement", []))
    for s in args.get("statements") or []:
        out: dict[str, Any] = {}
        if s.get("sid"):
            out["Sid"] = s["sid"]
        out["Effect"] = s.get("effect") or "Allow"
        for key, name in (("actions", "Action"), ("notActions", "NotAction"),
                          ("resources", "Resource"), ("notResources", "NotResource")):
            if s.get(key):
                out[name] = one_or_list(s[key])
        for key, name in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if s.get(key):
                principal: dict[str, Any] = {}
                for p in s[key]:
                    ids = list(p.get("identifiers") or [])
                    if p.get("type") == "*" and ids == ["*"]:
                        principal = "*"  # type: ignore[assignment]
                        break
                    existing = principal.setdefault(p.get("type"), [])
                    existing.extend(ids)
                if isinstance(principal, dict):
                    principal = {k: one_or_list(v) for k, v in principal.items()}
                out[name] = principal
        if s.get("conditions"):
            condition: dict[str, dict] = {}
            for cond in s["conditions"]:
                condition.setdefault(cond["test"], {})[cond["variable"]] = one_or_list(cond.get("values"))
            out["Condition"] = condition
        statements = [st for st in statements if not (out.get("Sid") and st.get("Sid") == out["Sid"])]
        statements.append(out)
    for override in args.get("overridePolicyDocuments") or []:
        for st in json.loads(override).get("Statement", []):
            statements = [x for x in statements if not (st.get("Sid") and x.get("Sid") == st.get("Sid"))]
            statements.append(st)
    document: dict[str, Any] = {"Version": args.get("version") or "2012-10-17"}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    document["Statement"] = statements
    return json.dumps(document, indent=2)


@aws_invoke("aws:iam/getPolicyDocument:getPolicyDocument")
def _get_policy_document(fake: "FakeAws", i: InvokeCtx) -> dict:
    rendered = _render_policy_document(i.args)
    return {"json": rendered, "minifiedJson": json.dumps(json.loads(rendered), separators=(",", ":")),
            "id": str(int(hashlib.sha256(rendered.encode()).hexdigest()[:8], 16))}


@aws_invoke("aws:iam/getPolicy:getPolicy")
def _get_iam_policy(fake: "FakeAws", i: InvokeCtx) -> dict:
    arn = i.args.get("arn")
    name = i.args.get("name") or (arn.split("/")[-1] if arn else "Policy")
    path = i.args.get("pathPrefix") or "/"
    if not arn:
        owner = "aws" if name.startswith(("AWS", "Amazon")) or "Access" in name else i.account
        arn = f"arn:{PARTITION}:iam::{owner}:policy{path}{name}"
    return {"arn": arn, "name": name, "path": path, "id": arn, "policyId": "ANPA" + _chars(arn, 17, _UPPER_ALNUM),
            "description": "", "attachmentCount": 1, "tags": {},
            "policy": json.dumps({"Version": "2012-10-17", "Statement": []})}


@aws_invoke("aws:iam/getRole:getRole")
def _get_iam_role(fake: "FakeAws", i: InvokeCtx) -> dict:
    name = i.args.get("name", "role")
    return {"name": name, "id": name, "arn": f"arn:{PARTITION}:iam::{i.account}:role/{name}", "path": "/",
            "uniqueId": "AROA" + _chars(name, 17, _UPPER_ALNUM), "assumeRolePolicy": "{}"}


@aws_invoke("aws:acm/getCertificate:getCertificate")
def _get_certificate(fake: "FakeAws", i: InvokeCtx) -> dict:
    domain = i.args.get("domain", "example.com")
    arn = f"arn:{PARTITION}:acm:{i.region}:{i.account}:certificate/{_uuid(i.seed)}"
    return {"arn": arn, "id": arn, "domain": domain, "status": "ISSUED", "type": "AMAZON_ISSUED",
            "keyTypes": ["RSA_2048"], "certificate": "", "certificateChain": "", "tags": {}}


@aws_invoke("aws:route53/getZone:getZone")
def _get_zone(fake: "FakeAws", i: InvokeCtx) -> dict:
    zone_id = i.args.get("zoneId") or "Z0" + _chars(i.seed, 19, _UPPER_ALNUM)
    name = str(i.args.get("name") or "example.com").rstrip(".")
    private = bool(i.args.get("privateZone"))
    return {"id": zone_id, "zoneId": zone_id, "name": name, "privateZone": private,
            "arn": f"arn:{PARTITION}:route53:::hostedzone/{zone_id}", "callerReference": _uuid(i.seed),
            "nameServers": [] if private else [f"ns-{n}.awsdns-{n % 64:02d}.com" for n in (101, 602, 1203, 1804)],
            "primaryNameServer": "ns-101.awsdns-37.com", "resourceRecordSetCount": 2, "comment": "", "tags": {}}


@aws_invoke("aws:ec2/getVpc:getVpc")
def _get_vpc(fake: "FakeAws", i: InvokeCtx) -> dict:
    vpc_id = i.args.get("id") or f"vpc-0{i.hex(16)}"
    default = bool(i.args.get("default"))
    return {"id": vpc_id, "cidrBlock": "172.31.0.0/16" if default else "10.0.0.0/16", "default": default,
            "arn": f"arn:{PARTITION}:ec2:{i.region}:{i.account}:vpc/{vpc_id}", "ownerId": i.account,
            "state": "available", "enableDnsSupport": True, "enableDnsHostnames": True,
            "mainRouteTableId": f"rtb-0{i.hex(16, 'rtb')}", "tags": {}}


@aws_invoke("aws:ec2/getSubnets:getSubnets")
def _get_subnets(fake: "FakeAws", i: InvokeCtx) -> dict:
    vpc_ids = []
    for f in i.args.get("filters", []) or []:
        if f.get("name") == "vpc-id":
            vpc_ids.extend(f.get("values") or [])
    ids = [sid for sid, s in fake._subnets.items() if s.get("vpcId") in vpc_ids] if vpc_ids else []
    if not ids:
        ids = [f"subnet-0{i.hex(16, str(n))}" for n in range(3)]
    return {"ids": ids, "id": i.region}


@aws_invoke("aws:ec2/getSubnet:getSubnet")
def _get_subnet(fake: "FakeAws", i: InvokeCtx) -> dict:
    sid = i.args.get("id") or f"subnet-0{i.hex(16)}"
    known = fake._subnets.get(sid, {})
    names, _ = availability_zones(i.region)
    return {"id": sid, "vpcId": known.get("vpcId") or f"vpc-0{i.hex(16, 'vpc')}",
            "cidrBlock": known.get("cidr") or "10.0.0.0/20", "availabilityZone": known.get("az") or names[0],
            "arn": f"arn:{PARTITION}:ec2:{i.region}:{i.account}:subnet/{sid}", "ownerId": i.account, "tags": {}}


@aws_invoke("aws:ec2/getSecurityGroup:getSecurityGroup")
def _get_security_group(fake: "FakeAws", i: InvokeCtx) -> dict:
    sg = i.args.get("id") or f"sg-0{i.hex(16)}"
    return {"id": sg, "name": i.args.get("name") or "default", "vpcId": i.args.get("vpcId") or f"vpc-0{i.hex(16, 'vpc')}",
            "arn": f"arn:{PARTITION}:ec2:{i.region}:{i.account}:security-group/{sg}", "description": "", "tags": {}}


@aws_invoke("aws:ec2/getVpcEndpointService:getVpcEndpointService")
def _get_vpce_service(fake: "FakeAws", i: InvokeCtx) -> dict:
    service = i.args.get("service") or "execute-api"
    name = i.args.get("serviceName") or f"com.amazonaws.{i.region}.{service}"
    return {"id": name, "serviceName": name, "serviceType": "Interface", "service": service,
            "availabilityZones": availability_zones(i.region)[0], "baseEndpointDnsNames": [f"{service}.{i.region}.vpce.amazonaws.com"],
            "privateDnsName": f"*.{service}.{i.region}.amazonaws.com", "serviceId": f"vpce-svc-0{i.hex(16)}",
            "owner": "amazon", "acceptanceRequired": False, "managesVpcEndpoints": False, "tags": {},
            "vpcEndpointPolicySupported": True, "arn": ""}


@aws_invoke("aws:kms/getKey:getKey")
def _get_kms_key(fake: "FakeAws", i: InvokeCtx) -> dict:
    key_id = str(i.args.get("keyId", _uuid(i.seed)))
    arn = key_id if key_id.startswith("arn:") else f"arn:{PARTITION}:kms:{i.region}:{i.account}:key/{_uuid(key_id)}"
    return {"id": arn.split("/")[-1], "arn": arn, "keyId": key_id, "enabled": True, "keyState": "Enabled"}


@aws_invoke("aws:secretsmanager/getSecret:getSecret")
def _get_secret(fake: "FakeAws", i: InvokeCtx) -> dict:
    name = i.args.get("name") or "secret"
    arn = i.args.get("arn") or f"arn:{PARTITION}:secretsmanager:{i.region}:{i.account}:secret:{name}-{_chars(i.seed, 6, _ALNUM)}"
    return {"arn": arn, "id": arn, "name": name, "description": "", "tags": {}}


@aws_invoke("aws:lb/getHostedZoneId:getHostedZoneId")
def _lb_zone(fake: "FakeAws", i: InvokeCtx) -> dict:
    table = _NLB_ZONE_IDS if i.args.get("loadBalancerType") == "network" else _ALB_ZONE_IDS
    return {"id": _zone_id(table, i.region, "lb")}


@aws_invoke("aws:elb/getHostedZoneId:getHostedZoneId")
def _elb_zone(fake: "FakeAws", i: InvokeCtx) -> dict:
    return {"id": _zone_id(_ALB_ZONE_IDS, i.region, "lb")}


@aws_invoke("aws:s3/getBucket:getBucket")
def _get_bucket(fake: "FakeAws", i: InvokeCtx) -> dict:
    bucket = i.args.get("bucket", "bucket")
    return {"id": bucket, "bucket": bucket, "arn": f"arn:{PARTITION}:s3:::{bucket}", "region": i.region,
            "bucketDomainName": f"{bucket}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{bucket}.s3.{i.region}.amazonaws.com",
            "hostedZoneId": _zone_id(_S3_ZONE_IDS, i.region, "s3")}


@aws_invoke("aws:ec2/getPrefixList:getPrefixList")
def _get_prefix_list(fake: "FakeAws", i: InvokeCtx) -> dict:
    return {"id": f"pl-{i.hex(8)}", "name": i.args.get("name") or f"com.amazonaws.{i.region}.s3",
            "cidrBlocks": ["52.216.0.0/15"]}


@aws_invoke("aws:ec2/getManagedPrefixList:getManagedPrefixList")
def _get_managed_prefix_list(fake: "FakeAws", i: InvokeCtx) -> dict:
    pid = i.args.get("id") or f"pl-{i.hex(8)}"
    return {"id": pid, "name": i.args.get("name") or "prefix-list", "entries": [], "maxEntries": 100,
            "arn": f"arn:{PARTITION}:ec2:{i.region}:{i.account}:prefix-list/{pid}", "addressFamily": "IPv4"}


# --------------------------------------------------------------------------------------------
# The mocks
# --------------------------------------------------------------------------------------------


class FakeAws(Mocks):
    """Pulumi mocks that answer like AWS. See the module docstring.

    Attributes for assertions: ``records`` (every registration, in order), ``invokes``,
    ``warnings`` (unknown invokes, awsx types without fake outputs), ``providers`` (by ID).
    """

    def __init__(self, *, default_account: str = DEFAULT_ACCOUNT, default_region: Optional[str] = None):
        self.default_account = default_account
        self._default_region = default_region
        self._lock = threading.RLock()
        self.records: list[ResourceRecord] = []
        self.invokes: list[InvokeRecord] = []
        self.warnings: list[str] = []
        self.providers: dict[str, ProviderInfo] = {}
        self._subnets: dict[str, dict] = {}
        self._enis: dict[str, dict] = {}
        self._ssm_values: dict[str, Any] = {}
        self._by_urn: dict[str, ResourceRecord] = {}

    # ---- queries for tests ----

    def of_type(self, token: str) -> list[ResourceRecord]:
        return [r for r in self.records if r.type == token]

    def named(self, name: str, token: Optional[str] = None) -> ResourceRecord:
        """The one record with this logical name (and type); raises KeyError otherwise."""
        found = [r for r in self.records if r.name == name and (token is None or r.type == token)]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources named {name!r}" + (f" of type {token}" if token else ""))
        return found[0]

    def by_urn(self, urn: str) -> ResourceRecord:
        return self._by_urn[urn]

    def provider_of(self, record: ResourceRecord) -> ProviderInfo:
        return self._provider(record.provider)

    # ---- Region / account resolution ----

    @property
    def default_region(self) -> str:
        configured = pulumi.runtime.get_config("aws:region")
        return configured or self._default_region or DEFAULT_REGION

    def default_provider(self) -> ProviderInfo:
        tags = _maybe_json(pulumi.runtime.get_config("aws:defaultTags")) or {}
        if isinstance(tags, dict) and isinstance(tags.get("tags"), dict):
            tags = tags["tags"]
        roles = _maybe_json(pulumi.runtime.get_config("aws:assumeRoles")) or []
        role_arns = [r.get("roleArn") for r in roles if isinstance(r, dict) and r.get("roleArn")]
        account = next((a for a in map(_account_of_arn, reversed(role_arns)) if a), self.default_account)
        return ProviderInfo(id="default", name="default", region=self.default_region, account=account,
                            default_tags=tags if isinstance(tags, dict) else {}, assume_role_arns=role_arns,
                            region_explicit=False)

    def _provider(self, ref: Optional[str]) -> ProviderInfo:
        if ref:
            provider_id = ref.rsplit("::", 1)[-1]
            info = self.providers.get(provider_id)
            if info is not None:
                return info
        return self.default_provider()

    def _register_provider(self, provider_id: str, name: str, inputs: dict, urn: Optional[str]) -> ProviderInfo:
        role_arns = []
        for role in _maybe_json(inputs.get("assumeRoles")) or []:
            if isinstance(role, dict) and role.get("roleArn"):
                role_arns.append(role["roleArn"])
        single = _maybe_json(inputs.get("assumeRole"))
        if isinstance(single, dict) and single.get("roleArn"):
            role_arns.append(single["roleArn"])
        account = next((a for a in map(_account_of_arn, reversed(role_arns)) if a), None)
        allowed = _maybe_json(inputs.get("allowedAccountIds")) or []
        if account is None and isinstance(allowed, list) and len(allowed) == 1:
            account = str(allowed[0])
        tags = _maybe_json(inputs.get("defaultTags")) or {}
        if isinstance(tags, dict) and isinstance(tags.get("tags"), dict):
            tags = tags["tags"]
        region = inputs.get("region")
        info = ProviderInfo(id=provider_id, name=name, region=region or self.default_region,
                            account=account or self.default_account,
                            default_tags=tags if isinstance(tags, dict) else {}, assume_role_arns=role_arns,
                            urn=urn, region_explicit=bool(region))
        self.providers[provider_id] = info
        return info

    # ---- helpers shared with type functions ----

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def _ip_in(self, cidr: Optional[str], seed: str) -> str:
        try:
            network = ipaddress.ip_network(cidr, strict=False) if cidr else ipaddress.ip_network("10.0.0.0/16")
        except ValueError:
            network = ipaddress.ip_network("10.0.0.0/16")
        usable = max(network.num_addresses - 5, 1)  # AWS reserves the first four and the last address
        offset = 4 + int(_chars(seed + ":ip", 8, _HEX), 16) % usable
        return str(network.network_address + offset)

    def _public_ip(self, seed: str) -> str:
        h = _chars(seed + ":pub", 6, _HEX)
        return f"54.{int(h[0:2], 16) % 200 + 10}.{int(h[2:4], 16)}.{int(h[4:6], 16) % 250 + 2}"

    def _vpc_of_subnets(self, subnet_ids: Any) -> Optional[str]:
        for sid in subnet_ids or []:
            vpc = self._subnets.get(sid, {}).get("vpcId")
            if vpc:
                return vpc
        return None

    # ---- Mocks interface ----

    def new_resource(self, args: MockResourceArgs) -> tuple[Optional[str], dict]:
        with self._lock:
            return self._new_resource(args)

    def _new_resource(self, args: MockResourceArgs) -> tuple[Optional[str], dict]:
        typ, name = args.typ, args.name
        raw_inputs = dict(args.inputs or {})
        inputs = plain(raw_inputs)
        urn = getattr(args, "urn", None)
        seed = urn or f"{typ}::{name}::{args.provider or ''}"
        custom = bool(args.custom) or typ.startswith("pulumi:providers:")
        remote = bool(getattr(args, "remote", False))
        region = account = None
        outputs: dict = dict(raw_inputs)

        if typ.startswith("pulumi:providers:"):
            resource_id = _uuid(seed)
            if typ == "pulumi:providers:aws":
                info = self._register_provider(resource_id, name, inputs, urn)
                region, account = info.region, info.account
        elif not custom and not typ.startswith("awsx:"):
            resource_id = None  # a component: the engine gives it no ID
            outputs = {}
        else:
            provider = self._provider(args.provider)
            region = inputs.get("region") or provider.region
            account = provider.account
            if args.resource_id and not typ.startswith("awsx:"):
                # A read (`get`) or import: the ID is given; answer the inputs plus what we compute.
                pass
            if typ.startswith("awsx:"):
                c = Ctx(self, typ, name, inputs, region, account, seed, None)
                resource_id = None
                kids = _AwsxChildren(self, c, urn)
                outputs.update(_awsx_component(self, c, kids))
            else:
                spec = _TYPES.get(typ)
                physical = None
                if spec is not None and spec.name_key:
                    physical = inputs.get(spec.name_key)
                    if physical is None:
                        prefix = inputs.get(spec.name_key + "Prefix")
                        physical = (prefix + _chars(seed + ":prefix", 26, _HEX)) if prefix else _autoname(
                            name, seed, spec.max_name)
                        outputs[spec.name_key] = physical
                if spec is not None and spec.global_:
                    region = None
                c = Ctx(self, typ, name, inputs, region or provider.region, account, seed, physical)
                build = spec.build if spec is not None else (_generic if typ.startswith("aws:") else None)
                if build is not None:
                    resource_id, computed = build(c)
                else:
                    resource_id, computed = f"{name}-{c.hex(8)}", {}
                if args.resource_id:
                    resource_id = args.resource_id
                for key, value in computed.items():
                    if value is not None and (key not in outputs or outputs[key] is None or key in ("arn",)):
                        outputs[key] = value
                if typ.startswith("aws:"):
                    if "region" not in outputs and region is not None:
                        outputs["region"] = region
                    tags = inputs.get("tags")
                    if provider.default_tags or tags is not None:
                        outputs["tagsAll"] = {**provider.default_tags, **(tags or {})}
                outputs.setdefault("id", resource_id)

        record = ResourceRecord(
            type=typ, name=name, id=resource_id, custom=custom, provider=args.provider or "",
            inputs=inputs, outputs=plain(outputs), region=region, account=account, urn=urn,
            parent=getattr(args, "parent", None), remote=remote,
            dependencies=list(getattr(args, "dependencies", []) or []),
            property_dependencies=dict(getattr(args, "property_dependencies", {}) or {}),
            options=dict(getattr(args, "options", {}) or {}), secret_keys=_secret_keys(raw_inputs),
        )
        self.records.append(record)
        if urn:
            self._by_urn[urn] = record
        if typ.startswith("awsx:"):
            for child in kids.records:
                self.records.append(child)
                self._by_urn[child.urn] = child
        outputs.pop("id", None)
        return resource_id, outputs

    def call(self, args: MockCallArgs) -> tuple[dict, Optional[list[tuple[str, str]]]]:
        with self._lock:
            token = args.token
            call_args = plain(dict(args.args or {}))
            provider = self._provider(args.provider)
            fn = _INVOKES.get(token)
            if fn is None:
                self._warn(f"no fake answer for invoke {token}; returned {{}}")
                result: dict = {}
            else:
                result = fn(self, InvokeCtx(token, call_args, provider))
            self.invokes.append(InvokeRecord(token, call_args, args.provider or "", result))
            return result, []

    def set_component_outputs(self, urn: str, outputs: dict) -> None:
        """Record what a component passed to ``register_outputs`` (called by the harness)."""
        with self._lock:
            record = self._by_urn.get(urn)
            if record is not None and not record.custom:
                record.outputs = plain(outputs)
