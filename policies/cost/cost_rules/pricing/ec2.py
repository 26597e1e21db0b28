"""EC2 prices: instances (GPU by played hours, idle auto-stop), Elastic IPs, EBS volumes."""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from ..stack import Res, StackIndex
from ..values import UNKNOWN, get, number
from .engine import Ctx, Line, prices


def family(instance_type: str) -> str:
    return instance_type.split(".", 1)[0]


def launch_template_of(stack: StackIndex, res: Res) -> Res | None:
    spec = res.get("launchTemplate")
    if spec is None:
        return None
    found = stack.referenced(
        res, "launchTemplate", spec, ["aws:ec2/launchTemplate:LaunchTemplate"], keys=("id", "name", "arn")
    )
    return found[0] if found else None


def _decoded_user_data(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8", errors="replace")
        return decoded
    except (binascii.Error, ValueError):
        return value


def is_windows(res: Res, template: Res | None) -> bool | None:
    """True, False, or None when nothing says which OS the instance runs."""
    platform = res.get("platform")
    if isinstance(platform, str) and platform:
        return platform.lower().startswith("windows")
    for source in (res, template):
        if source is None:
            continue
        for key in ("userData", "userDataBase64"):
            raw = source.get(key)
            text = _decoded_user_data(raw).lstrip().lower()
            if isinstance(raw, str) and not text.startswith(("#!", "#cloud-config", "<")):
                text = raw.lstrip().lower()  # plain text that happened to decode as base64
            if "<powershell>" in text or "<script>" in text or "<persist>" in text:
                return True
            if text.startswith("#!") or text.startswith("#cloud-config"):
                return False
        tags = source.get("tags")
        if isinstance(tags, Mapping):
            for key in ("OS", "Os", "os", "Platform", "platform"):
                value = tags.get(key)
                if isinstance(value, str) and value:
                    return "windows" in value.lower()
    instance_type = res.get("instanceType") or (template.get("instanceType") if template else None)
    if isinstance(instance_type, str) and family(instance_type).endswith("g") and family(instance_type) != "g":
        return False  # Graviton: no Windows
    return None


def _from_instance_or_template(res: Res, template: Res | None, *path: str | int) -> Any:
    value = res.get(*path)
    if value is None and template is not None:
        value = template.get(*path)
    return value


def _is_spot(res: Res, template: Res | None) -> bool:
    market = _from_instance_or_template(res, template, "instanceMarketOptions", "marketType")
    return isinstance(market, str) and market.lower() == "spot"


def volume_cost(ctx: Ctx, line: Line, size: Any, volume_type: Any, iops: Any, throughput: Any, label: str) -> None:
    """An EBS volume: provisioned GB (and IOPS/throughput above the baseline), billed all month,
    attached or not, instance running or stopped (https://aws.amazon.com/ebs/pricing/)."""
    volume_type = volume_type if isinstance(volume_type, str) else None
    size_value = number(size)
    if size_value is UNKNOWN or size_value is None:
        line.unpriced(f"not priced: {label} size not known")
        return
    if volume_type is None:
        gp2 = ctx.price(line, "ebs.gp2.gbMonth") * size_value
        line.fixed(
            f"{label}: gp3 storage (type not set, gp3 assumed; gp2 is the high bound)",
            size_value,
            "GB-months",
            ctx.price(line, "ebs.gp3.gbMonth"),
            high=gp2,
        )
        return
    line.fixed(
        f"{label}: {volume_type} storage", size_value, "GB-months", ctx.price(line, f"ebs.{volume_type}.gbMonth")
    )
    iops_value = number(iops)
    throughput_value = number(throughput)
    if volume_type == "gp3":
        if isinstance(iops_value, float) and iops_value > 3000:
            line.fixed(
                f"{label}: IOPS above 3,000", iops_value - 3000, "IOPS-months", ctx.price(line, "ebs.gp3.iopsMonth")
            )
        if isinstance(throughput_value, float) and throughput_value > 125:
            line.fixed(
                f"{label}: throughput above 125 MB/s",
                throughput_value - 125,
                "MB/s-months",
                ctx.price(line, "ebs.gp3.throughputMonth"),
            )
    elif volume_type in ("io1", "io2") and isinstance(iops_value, float):
        line.fixed(
            f"{label}: provisioned IOPS", iops_value, "IOPS-months", ctx.price(line, f"ebs.{volume_type}.iopsMonth")
        )


def snapshots(ctx: Ctx, res: Res, line: Line) -> None:
    """EBS snapshots (a personal AMI, lifecycle backups): declared GB stored, billed at rest."""
    gb = ctx.declared(res, "snapshot_storage_gb")
    if gb is None:
        line.exclude("EBS snapshots (declare snapshot_storage_gb)")
        return
    line.fixed("EBS snapshots", gb, "GB-months", ctx.price(line, "ebs.snapshot.gbMonth"))


def _volumes_of_instance(ctx: Ctx, res: Res, template: Res | None, line: Line) -> None:
    own: list[tuple[str, Any]] = []
    root = res.get("rootBlockDevice")
    if isinstance(root, Mapping) and root:
        own.append(("root volume", root))
    for index, device in enumerate(res.get("ebsBlockDevices", default=[]) or []):
        if isinstance(device, Mapping):
            own.append((f"volume {device.get('deviceName') or index}", device))
    if not own and template is not None:
        for index, mapping in enumerate(template.get("blockDeviceMappings", default=[]) or []):
            ebs = get(mapping, "ebs")
            if isinstance(ebs, Mapping):
                own.append((f"volume {get(mapping, 'deviceName') or index} (launch template)", ebs))
    default_gb = float(ctx.assumptions["defaultRootVolumeGb"])
    if not own:
        volume_cost(ctx, line, default_gb, None, None, None, "root volume from the AMI (size assumed)")
        return
    for label, device in own:
        size = device.get("volumeSize")
        if size is None:
            size = default_gb
            label += " (size from the AMI, assumed)"
        volume_cost(ctx, line, size, device.get("volumeType"), device.get("iops"), device.get("throughput"), label)


def _elastic_ips_of(ctx: Ctx, res: Res) -> list[Res]:
    """The Elastic IPs (or their associations) attached to this instance."""

    def build() -> dict[str, list[Res]]:
        by_instance: dict[str, list[Res]] = defaultdict(list)
        for eip in ctx.stack.of_type("aws:ec2/eip:Eip"):
            for instance in ctx.stack.referenced(eip, "instance", eip.get("instance"), [res.type], keys=("id",)):
                by_instance[instance.urn].append(eip)
        for assoc in ctx.stack.of_type("aws:ec2/eipAssociation:EipAssociation"):
            for instance in ctx.stack.referenced(
                assoc, "instanceId", assoc.get("instanceId"), [res.type], keys=("id",)
            ):
                by_instance[instance.urn].append(assoc)
        return by_instance

    return ctx.stack.memo("eips-by-instance", build).get(res.urn, [])


def has_idle_stop(ctx: Ctx, res: Res) -> bool:
    """Whether a CloudWatch alarm stops this instance (the GPU idle auto-stop)."""
    return bool(stopping_alarms(ctx.stack, res))


def stopping_alarms(stack: StackIndex, instance: Res) -> list[Res]:
    """The alarms whose action stops ``instance``: by the InstanceId dimension, or (unknown at
    preview) by their dependency on the instance. Candidates are indexed once per stack."""

    def build() -> tuple[dict[Any, list[Res]], list[Res]]:
        by_dimension: dict[Any, list[Res]] = defaultdict(list)
        others: list[Res] = []
        for alarm in stack.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
            dimension = alarm.get("dimensions", "InstanceId")
            if isinstance(dimension, str) and not alarm.property_dependencies.get("dimensions"):
                by_dimension[dimension].append(alarm)
            else:
                others.append(alarm)
        return by_dimension, others

    by_dimension, others = stack.memo("alarms-by-instance-id", build)
    instance_id = instance.get("id")
    candidates = list(by_dimension.get(instance_id, ())) if isinstance(instance_id, str) else []
    return [alarm for alarm in candidates + others if alarm_stops_instance(stack, alarm, instance)]


def alarm_stops_instance(stack: StackIndex, alarm: Res, instance: Res) -> bool:
    actions = alarm.get("alarmActions", default=[]) or []
    if not any(isinstance(a, str) and (":ec2:stop" in a or "AWS_EC2.InstanceId.Stop" in a) for a in actions):
        return False
    dimension = alarm.get("dimensions", "InstanceId")
    if dimension is UNKNOWN or dimension is None:
        return stack.depends_on(alarm, instance)
    instance_id = instance.get("id")
    if dimension == instance_id and instance_id not in (None, UNKNOWN):
        return True
    return instance.urn in alarm.property_dependencies.get("dimensions", [])


INSTANCE_USAGE = {
    "monthly_hours": "hours a month the instance runs (a GPU workstation: the hours played; others: all month "
    "unless declared)",
    "snapshot_storage_gb": "GB of EBS snapshots kept for this instance (personal AMI, backups)",
}


@prices("aws:ec2/instance:Instance", usage=INSTANCE_USAGE)
def _instance(res: Res, ctx: Ctx, line: Line) -> None:
    template = launch_template_of(ctx.stack, res)
    _volumes_of_instance(ctx, res, template, line)
    snapshots(ctx, res, line)
    instance_type = _from_instance_or_template(res, template, "instanceType")
    if not isinstance(instance_type, str) or instance_type is UNKNOWN:
        line.unpriced("not priced: instance type not known")
        return
    windows = is_windows(res, template)
    linux_rate = ctx.lookup(line, "ec2.instance.hour", instance_type, "linux")
    windows_rate = ctx.lookup(line, "ec2.instance.hour", instance_type, "windows")
    if windows is True:
        rate, high_rate, os_label = windows_rate, windows_rate, "Windows"
    elif windows is False:
        rate, high_rate, os_label = linux_rate, linux_rate, "Linux"
    else:
        rate, os_label = linux_rate, "OS unknown: Linux price, Windows the high bound"
        high_rate = windows_rate if windows_rate is not None else linux_rate
    if rate is None or high_rate is None:
        line.unpriced(f"not priced: no {os_label.split(':')[0]} price for {instance_type} in the table")
        return

    factor, purchase = 1.0, "on-demand"
    if _is_spot(res, template):
        factor = float(ctx.assumptions["spotPriceFraction"])
        purchase = f"Spot at {factor:.0%} of on-demand"
    name = f"{instance_type} {os_label}, {purchase}"
    public_ip = not _elastic_ips_of(ctx, res) and _has_auto_public_ip(ctx, res, template)
    ip_rate = ctx.price(line, "ec2.publicIpv4.hour") if public_ip else 0.0
    declared = ctx.declared(res, "monthly_hours")
    if family(instance_type) in set(ctx.assumptions["gpuInstanceFamilies"]):
        # Billed by the hours played: a stopped instance bills no compute (its volumes and Elastic IP
        # still bill). Without an idle auto-stop nothing bounds the hours: all month is the ceiling.
        never_stopped = not has_idle_stop(ctx, res)
        if never_stopped:
            line.note(f"no idle auto-stop: up to {ctx.hours:g} h a month")
        ceiling_hours = ctx.hours if never_stopped else (declared or 0.0)
        line.usage(name, declared, "hours", rate * factor, "monthly_hours", high=ceiling_hours * high_rate)
        if public_ip:
            line.usage(
                "public IPv4 address while running",
                declared,
                "hours",
                ip_rate,
                "monthly_hours",
                high=ceiling_hours * ip_rate,
            )
        return
    hours = ctx.hours if declared is None else declared
    spot_low = rate * 0.1 * hours if factor != 1.0 else None
    line.fixed(name, hours, "hours", rate * factor, low=spot_low, high=hours * high_rate)
    if public_ip:
        line.fixed("public IPv4 address", hours, "hours", ip_rate)


def _has_auto_public_ip(ctx: Ctx, res: Res, template: Res | None) -> bool:
    if res.get("associatePublicIpAddress") is True:
        return True
    if template is not None:
        for interface in template.get("networkInterfaces", default=[]) or []:
            if get(interface, "associatePublicIpAddress") in (True, "true"):
                return True
    subnet_id = _from_instance_or_template(res, template, "subnetId")
    for subnet in ctx.stack.referenced(res, "subnetId", subnet_id, ["aws:ec2/subnet:Subnet"], keys=("id",)):
        if subnet.get("mapPublicIpOnLaunch") is True:
            return True
    return False


@prices("aws:ec2/eip:Eip")
def _eip(res: Res, ctx: Ctx, line: Line) -> None:
    # Billed attached or idle, also while the instance is stopped (https://aws.amazon.com/vpc/pricing/).
    line.fixed("public IPv4 address (Elastic IP)", ctx.hours, "hours", ctx.price(line, "ec2.publicIpv4.hour"))


@prices("aws:ebs/volume:Volume", usage={"snapshot_storage_gb": "GB of EBS snapshots kept of this volume"})
def _ebs_volume(res: Res, ctx: Ctx, line: Line) -> None:
    volume_type = res.get("type")
    volume_cost(
        ctx,
        line,
        res.get("size"),
        volume_type if volume_type is not None else "gp2",
        res.get("iops"),
        res.get("throughput"),
        "volume",
    )
    snapshots(ctx, res, line)


@prices(
    "aws:dlm/lifecyclePolicy:LifecyclePolicy",
    usage={"snapshot_storage_gb": "GB of EBS snapshots the lifecycle policy keeps"},
)
def _lifecycle_policy(res: Res, ctx: Ctx, line: Line) -> None:
    # The policy is free; the snapshots it keeps bill (https://aws.amazon.com/ebs/pricing/).
    snapshots(ctx, res, line)
