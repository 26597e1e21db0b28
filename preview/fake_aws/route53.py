"""Route 53 (global): hosted zones, records, health checks, VPC associations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .registry import PARTITION, UPPER_ALNUM, Ctx, InvokeCtx, aws_invoke, aws_type, chars, seeded_uuid

if TYPE_CHECKING:
    from .mocks import FakeAws


def _name_servers(c: Ctx) -> list[str]:
    n = int(c.hex(4, "ns"), 16)
    return [
        f"ns-{n % 2048}.awsdns-{n % 64:02d}.org",
        f"ns-{(n >> 1) % 2048}.awsdns-{(n >> 2) % 64:02d}.co.uk",
        f"ns-{(n >> 3) % 1024}.awsdns-{(n >> 4) % 64:02d}.com",
        f"ns-{(n >> 5) % 1024}.awsdns-{(n >> 6) % 64:02d}.net",
    ]


@aws_type("aws:route53/zone:Zone", global_=True)
def _r53_zone(c: Ctx):
    zid = "Z0" + c.upper(19)
    private = bool(c.get("vpcs"))
    return zid, {
        "zoneId": zid,
        "arn": f"arn:{c.partition}:route53:::hostedzone/{zid}",
        "nameServers": [] if private else _name_servers(c),
        "primaryNameServer": "ns-0.awsdns-00.com" if not private else "",
        "comment": c.get("comment", "Managed by Pulumi"),
    }


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
        "owningAccount": c.account,
        "vpcRegion": c.get("vpcRegion") or c.region,
    }


@aws_type("aws:route53/vpcAssociationAuthorization:VpcAssociationAuthorization", global_=True)
def _r53_vpc_auth(c: Ctx):
    return f"{c.get('zoneId')}:{c.get('vpcId')}", {}


@aws_invoke("aws:route53/getZone:getZone")
def _get_zone(fake: FakeAws, i: InvokeCtx) -> dict:
    zone_id = i.args.get("zoneId") or "Z0" + chars(i.seed, 19, UPPER_ALNUM)
    name = str(i.args.get("name") or "example.com").rstrip(".")
    private = bool(i.args.get("privateZone"))
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "name": name,
        "privateZone": private,
        "arn": f"arn:{PARTITION}:route53:::hostedzone/{zone_id}",
        "callerReference": seeded_uuid(i.seed),
        "nameServers": [] if private else [f"ns-{n}.awsdns-{n % 64:02d}.com" for n in (101, 602, 1203, 1804)],
        "primaryNameServer": "ns-101.awsdns-37.com",
        "resourceRecordSetCount": 2,
        "comment": "",
        "tags": {},
    }
