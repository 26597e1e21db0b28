"""awsx remote components (``awsx:ec2:Vpc``, ``awsx:lb:*``, ``awsx:ecs:*``, ``awsx:ecr:*``): opaque
registrations under mocks, answered with realistic outputs and, when the URN is known, the child
resources awsx really creates."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any, Optional

from .._values import _SECRET_SIG_KEY
from ..records import ResourceRecord
from .elb import load_balancer, target_group
from .registry import Ctx, autoname, availability_zones

if TYPE_CHECKING:
    from .mocks import FakeAws


RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"


class AwsxChildren:
    """Children an awsx component really creates. When the component's URN is known (under
    ``RecordingMonitor``) they are recorded as resources of their own (policies and the cost
    estimate see them, as at a real preview) and returned as resource references; otherwise
    resource-typed outputs are left out."""

    def __init__(self, fake: FakeAws, c: Ctx, urn: Optional[str]):
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
        self.records.append(
            ResourceRecord(
                type=typ,
                name=name,
                id=resource_id,
                custom=True,
                provider="",
                inputs=inputs,
                outputs=state,
                region=self.c.region,
                account=self.c.account,
                urn=child_urn,
                parent=self.urn,
            )
        )
        return {_SECRET_SIG_KEY: RESOURCE_SIG, "urn": child_urn, "id": resource_id, "packageVersion": ""}


def _awsx_vpc(fake: FakeAws, c: Ctx, kids: AwsxChildren, default: bool = False) -> dict:
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
            ref = kids.add(
                "aws:ec2/subnet:Subnet",
                f"{c.name}-{kind}-{n}",
                sid,
                {"vpcId": vpc_id, "cidrBlock": block, "availabilityZone": az, "mapPublicIpOnLaunch": kind == "public"},
                {
                    "arn": c.arn("ec2", f"subnet/{sid}"),
                    "ownerId": c.account,
                    "availabilityZoneId": zone_ids[names.index(az)] if az in names else None,
                },
            )
            refs.setdefault(kind, []).append(ref)
    out: dict[str, Any] = {
        "vpcId": vpc_id,
        "publicSubnetIds": by_kind["public"],
        "privateSubnetIds": by_kind["private"],
    }
    if default:
        return out
    vpc_ref = kids.add(
        "aws:ec2/vpc:Vpc",
        c.name,
        vpc_id,
        {"cidrBlock": str(cidr), "enableDnsHostnames": True, "enableDnsSupport": True},
        {"arn": c.arn("ec2", f"vpc/{vpc_id}"), "ownerId": c.account},
    )
    igw_id = c.ec2_id("igw")
    igw_ref = (
        kids.add(
            "aws:ec2/internetGateway:InternetGateway",
            c.name,
            igw_id,
            {"vpcId": vpc_id},
            {"arn": c.arn("ec2", f"internet-gateway/{igw_id}")},
        )
        if by_kind["public"]
        else None
    )
    nat_strategy = str((c.get("natGateways") or {}).get("strategy", "OnePerAz"))
    nat_count = (
        0
        if nat_strategy == "None" or not by_kind["public"] or not by_kind["private"]
        else (1 if nat_strategy == "Single" else len(wanted))
    )
    nats, eips = [], []
    for i in range(nat_count):
        alloc = c.ec2_id("eipalloc", f"nat{i}")
        ip = fake._public_ip(f"{c.seed}:nat{i}")
        eips.append(
            kids.add(
                "aws:ec2/eip:Eip",
                f"{c.name}-{i + 1}",
                alloc,
                {"domain": "vpc"},
                {"allocationId": alloc, "publicIp": ip},
            )
        )
        nid = c.ec2_id("nat", f"nat{i}")
        nats.append(
            kids.add(
                "aws:ec2/natGateway:NatGateway",
                f"{c.name}-{i + 1}",
                nid,
                {"subnetId": by_kind["public"][i], "allocationId": alloc, "connectivityType": "public"},
                {"publicIp": ip},
            )
        )
    out["isolatedSubnetIds"] = by_kind.get("isolated", [])
    if kids.urn:
        all_refs = [r for kind in kinds for r in refs.get(kind, [])]
        out.update(
            {
                "vpc": vpc_ref,
                "subnets": all_refs,
                "publicSubnets": refs["public"],
                "privateSubnets": refs["private"],
                "isolatedSubnets": refs.get("isolated", []),
                "natGateways": nats,
                "eips": eips,
                "routeTables": [],
                "routeTableAssociations": [],
                "routes": [],
            }
        )
        if igw_ref:
            out["internetGateway"] = igw_ref
    return out


def _awsx_lb(fake: FakeAws, c: Ctx, kind: str) -> dict:
    inner = Ctx(
        fake,
        "aws:lb/loadBalancer:LoadBalancer",
        c.name,
        {**c.inputs, "loadBalancerType": kind},
        c.region,
        c.account,
        c.seed,
        autoname(c.name, c.seed, 32),
    )
    arn, lb = load_balancer(inner)
    tg_ctx = Ctx(
        fake,
        "aws:lb/targetGroup:TargetGroup",
        c.name,
        {},
        c.region,
        c.account,
        c.seed + ":tg",
        autoname(c.name, c.seed + ":tg", 32),
    )
    tg_arn, tg = target_group(tg_ctx)
    return {
        "loadBalancer": {"id": arn, **lb},
        "defaultTargetGroup": {"id": tg_arn, **tg},
        "listeners": [],
        "vpcId": lb.get("vpcId") or c.ec2_id("vpc", "lbvpc"),
        "defaultSecurityGroup": {"id": c.ec2_id("sg")} if kind == "application" else None,
    }


def awsx_component(fake: FakeAws, c: Ctx, kids: AwsxChildren) -> dict:
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
        name = autoname(c.name, c.seed, 255)
        family = f"{c.name}-{c.hex(7, 'family')}"
        return {
            "service": {
                "id": c.arn("ecs", f"service/{cluster}/{name}"),
                "name": name,
                "arn": c.arn("ecs", f"service/{cluster}/{name}"),
            },
            "taskDefinition": {
                "id": family,
                "family": family,
                "arn": c.arn("ecs", f"task-definition/{family}:1"),
                "revision": 1,
            },
        }
    if kind in ("ecs:FargateTaskDefinition", "ecs:EC2TaskDefinition"):
        family = c.get("family") or f"{c.name}-{c.hex(7, 'family')}"
        return {
            "taskDefinition": {
                "id": family,
                "family": family,
                "arn": c.arn("ecs", f"task-definition/{family}:1"),
                "revision": 1,
            },
            "loadBalancers": [],
        }
    if kind == "ecr:Repository":
        name = c.get("name") or autoname(c.name, c.seed, 256).lower()
        url = f"{c.account}.dkr.ecr.{c.region}.amazonaws.com/{name}"
        return {
            "repository": {"id": name, "name": name, "arn": c.arn("ecr", f"repository/{name}"), "repositoryUrl": url},
            "url": url,
        }
    if kind in ("ecr:Image", "ecr:RegistryImage"):
        repo = c.get("repositoryUrl", f"{c.account}.dkr.ecr.{c.region}.amazonaws.com/image")
        uri = f"{repo}@sha256:{c.hex(64)}"
        return {"imageUri": uri, "image": {"id": uri, "name": uri}}
    fake._warn(f"awsx component {c.type} has no fake outputs; registered as an empty component")
    return {}
