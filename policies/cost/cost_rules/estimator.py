"""The monthly cost estimate: a price per resource from its properties, the price table and the
usage assumptions; totals per component, per Region and per stack.

Every priced resource gets three figures:

* ``monthly``: the expected cost under the usage assumptions;
* ``low``: the floor: what the resource costs idle (usage at zero, capacity at its minimum, the
  cheapest option an unknown input allows);
* ``high``: the ceiling the inputs allow (capacity at its maximum, a GPU instance that is never
  stopped, the dearest option an unknown input allows), with usage as assumed.

A price that depends on something unknown at preview is a range with a note, never a silent zero.
A resource type that costs money but has no price here is listed with a note ("not priced").
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import prices as price_table
from .assumptions import ASSUMPTIONS
from .config import defaults
from .stack import Res, StackIndex
from .values import UNKNOWN, get, number

SECONDS_PER_MONTH_FACTOR = 3600  # seconds per hour; months are table["hoursPerMonth"] hours


@dataclass
class Line:
    res: Res
    monthly: float = 0.0
    low: float = 0.0
    high: float = 0.0
    notes: list[str] = field(default_factory=list)
    priced: bool = True
    fallback_region: bool = False

    def add(self, monthly: float, low: float | None = None, high: float | None = None,
            note: str | None = None) -> None:
        self.monthly += monthly
        self.low += monthly if low is None else low
        self.high += monthly if high is None else high
        if note:
            self.notes.append(note)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def unpriced(self, why: str) -> None:
        self.priced = False
        self.notes.append(why)

    def to_json(self) -> dict[str, Any]:
        return {"urn": self.res.urn, "type": self.res.type, "monthly": _r(self.monthly), "low": _r(self.low),
                "high": _r(self.high), "note": "; ".join(self.notes)}


@dataclass
class Budget:
    limit: float
    urn: str
    name: str


@dataclass
class Estimate:
    lines: list[Line]
    budget: Budget | None
    currency: str = "USD"
    assumptions: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(line.monthly for line in self.lines)

    @property
    def low(self) -> float:
        return sum(line.low for line in self.lines)

    @property
    def high(self) -> float:
        return sum(line.high for line in self.lines)

    def by(self, attribute: str) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for line in self.lines:
            totals[getattr(line.res, attribute) or "?"] += line.monthly
        return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))

    @property
    def unpriced(self) -> list[Line]:
        return [line for line in self.lines if not line.priced]

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "total": _r(self.total),
            "low": _r(self.low),
            "high": _r(self.high),
            "budget": _r(self.budget.limit) if self.budget else None,
            "byComponent": {key: _r(value) for key, value in self.by("component").items()},
            "byRegion": {key: _r(value) for key, value in self.by("region").items()},
            "resources": [line.to_json() for line in sorted(self.lines, key=lambda l: (-l.monthly, l.res.urn))],
        }


def _r(value: float) -> float:
    return round(value + 0.0, 2)


class Ctx:
    """What a pricer needs: the stack, the price table and the usage assumptions."""

    def __init__(self, stack: StackIndex, table: price_table.PriceTable, assumptions: Mapping[str, Any]):
        self.stack = stack
        self.table = table
        self.assumptions = assumptions
        self.hours = table.hours_per_month
        self._overrides = assumptions.get("resourceUsage") or {}

    def usage(self, res: Res, key: str) -> float:
        for ref in (res.name, res.urn):
            override = self._overrides.get(ref)
            if isinstance(override, Mapping) and key in override:
                return float(override[key])
        return float(self.assumptions[key])

    def price(self, line: Line, key: str) -> float:
        found = self.table.price(line.res.region or self.table.fallback_region, key)
        if found.fallback:
            line.fallback_region = True
        return found.usd

    def lookup(self, line: Line, key: str, *path: str) -> float | None:
        found = self.table.lookup(line.res.region or self.table.fallback_region, key, *path)
        if found is None:
            return None
        if found.fallback:
            line.fallback_region = True
        return found.usd


Pricer = Callable[[Res, Ctx, Line], None]
PRICERS: dict[str, Pricer] = {}


def prices(*types: str) -> Callable[[Pricer], Pricer]:
    def register(fn: Pricer) -> Pricer:
        for typ in types:
            PRICERS[typ] = fn
        return fn
    return register


def estimate(resources: list[Any], config: Mapping[str, Any] | None = None,
             table: price_table.PriceTable | None = None) -> Estimate:
    """The estimate for a stack: ``resources`` are the engine's PolicyResources (or Res)."""
    assumptions = {**defaults(ASSUMPTIONS), **(config or {})}
    table = table or price_table.load()
    stack = StackIndex(resources, default_region=str(assumptions["defaultRegion"]))
    ctx = Ctx(stack, table, assumptions)
    lines: list[Line] = []
    for res in stack.resources:
        if not res.is_aws:
            continue
        pricer = PRICERS.get(res.type)
        if pricer is None:
            if table.free_reason(res.type) is not None:
                continue
            line = Line(res)
            line.unpriced(f"not priced: {res.type} is not in the price table")
            lines.append(line)
            continue
        line = Line(res)
        try:
            pricer(res, ctx, line)
        except (KeyError, TypeError, ValueError) as err:
            line.unpriced(f"not priced: {type(err).__name__}: {err}")
        if line.fallback_region:
            margin = float(assumptions["regionFallbackMargin"])
            line.high *= 1 + margin
            line.note(f"no prices for {res.region} in the table: {table.fallback_region} prices used, "
                      f"high bound +{margin:.0%}")
        if res.region_source == "default":
            line.note(f"Region unknown: {res.region} assumed")
        lines.append(line)
    return Estimate(lines=lines, budget=find_budget(stack), currency=table.currency, assumptions=assumptions)


def find_budget(stack: StackIndex) -> Budget | None:
    """The stack's monthly USD cost budget (the smallest, if there are several)."""
    found: list[Budget] = []
    for res in stack.of_type("aws:budgets/budget:Budget"):
        if res.get("budgetType", default="COST") != "COST" or res.get("timeUnit", default="MONTHLY") != "MONTHLY":
            continue
        if res.get("limitUnit", default="USD") not in ("USD", UNKNOWN):
            continue
        limit = number(res.get("limitAmount"))
        if isinstance(limit, float):
            found.append(Budget(limit, res.urn, res.name))
    return min(found, key=lambda b: b.limit) if found else None


def _money(value: float) -> str:
    return f"{value:,.2f}"


# --- EC2 -----------------------------------------------------------------------------------------
def family(instance_type: str) -> str:
    return instance_type.split(".", 1)[0]


def launch_template_of(stack: StackIndex, res: Res) -> Res | None:
    spec = res.get("launchTemplate")
    if spec is None:
        return None
    found = stack.referenced(res, "launchTemplate", spec, ["aws:ec2/launchTemplate:LaunchTemplate"],
                                 keys=("id", "name", "arn"))
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


def volume_cost(ctx: Ctx, line: Line, size: Any, volume_type: Any, iops: Any, throughput: Any,
                label: str) -> None:
    volume_type = volume_type if isinstance(volume_type, str) else None
    size_value = number(size)
    if size_value is UNKNOWN or size_value is None:
        line.add(0, note=f"{label}: size unknown, not priced")
        line.priced = False
        return
    if volume_type is None:
        gp3 = ctx.price(line, "ebs.gp3.gbMonth") * size_value
        gp2 = ctx.price(line, "ebs.gp2.gbMonth") * size_value
        line.add(gp3, low=gp3, high=gp2, note=f"{label}: type not set, gp3 {size_value:g} GB assumed "
                                              f"({_money(gp3)}; gp2 would be {_money(gp2)})")
        return
    cost = ctx.price(line, f"ebs.{volume_type}.gbMonth") * size_value
    detail = f"{volume_type} {size_value:g} GB {_money(cost)}"
    iops_value = number(iops)
    throughput_value = number(throughput)
    if volume_type == "gp3":
        if isinstance(iops_value, float) and iops_value > 3000:
            extra = (iops_value - 3000) * ctx.price(line, "ebs.gp3.iopsMonth")
            cost += extra
            detail += f" + {iops_value - 3000:g} IOPS {_money(extra)}"
        if isinstance(throughput_value, float) and throughput_value > 125:
            extra = (throughput_value - 125) * ctx.price(line, "ebs.gp3.throughputMonth")
            cost += extra
            detail += f" + {throughput_value - 125:g} MB/s {_money(extra)}"
    elif volume_type in ("io1", "io2") and isinstance(iops_value, float):
        extra = iops_value * ctx.price(line, f"ebs.{volume_type}.iopsMonth")
        cost += extra
        detail += f" + {iops_value:g} IOPS {_money(extra)}"
    line.add(cost, note=f"{label}: {detail} (billed all month)")


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
    if not own:
        size = ctx.usage(res, "defaultRootVolumeGb")
        gp3 = ctx.price(line, "ebs.gp3.gbMonth") * size
        gp2 = ctx.price(line, "ebs.gp2.gbMonth") * size
        line.add(gp3, low=gp3, high=gp2,
                 note=f"root volume from the AMI: {size:g} GB gp3 assumed ({_money(gp3)}; gp2 {_money(gp2)})")
        return
    for label, device in own:
        size = device.get("volumeSize")
        if size is None:
            size = ctx.usage(res, "defaultRootVolumeGb")
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
            for instance in ctx.stack.referenced(assoc, "instanceId", assoc.get("instanceId"), [res.type],
                                                 keys=("id",)):
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


@prices("aws:ec2/instance:Instance")
def _instance(res: Res, ctx: Ctx, line: Line) -> None:
    template = launch_template_of(ctx.stack, res)
    instance_type = _from_instance_or_template(res, template, "instanceType")
    if not isinstance(instance_type, str) or instance_type is UNKNOWN:
        line.unpriced("not priced: instance type not known")
        _volumes_of_instance(ctx, res, template, line)
        return
    windows = is_windows(res, template)
    linux_rate = ctx.lookup(line, "ec2.instance.hour", instance_type, "linux")
    windows_rate = ctx.lookup(line, "ec2.instance.hour", instance_type, "windows")
    if windows is True:
        rate = low_rate = high_rate = windows_rate
        os_label = "Windows"
    elif windows is False:
        rate = low_rate = high_rate = linux_rate
        os_label = "Linux"
    else:
        rate = low_rate = linux_rate
        high_rate = windows_rate if windows_rate is not None else linux_rate
        os_label = "OS unknown: Linux price, Windows as the high bound"
    if rate is None:
        line.unpriced(f"not priced: no {os_label.split(':')[0]} price for {instance_type} in the table")
        _volumes_of_instance(ctx, res, template, line)
        return

    gpu = family(instance_type) in set(ctx.assumptions["gpuInstanceFamilies"])
    if gpu:
        hours = ctx.usage(res, "workstationHoursPerMonth")
        low_hours = 0.0
        if has_idle_stop(ctx, res):
            high_hours = hours
            hours_note = f"{hours:g} h played a month (idle month 0 h; idle auto-stop present)"
        else:
            high_hours = ctx.hours
            hours_note = (f"{hours:g} h played a month (idle month 0 h; no idle auto-stop, "
                          f"so up to {ctx.hours:g} h)")
    else:
        hours = low_hours = high_hours = ctx.usage(res, "instanceHoursPerMonth")
        hours_note = f"{hours:g} h a month"

    factor = low_factor = high_factor = 1.0
    purchase = "on-demand"
    if _is_spot(res, template):
        factor, low_factor, high_factor = ctx.usage(res, "spotPriceFraction"), 0.1, 1.0
        purchase = f"Spot at {factor:.0%} of on-demand (range 10%-100%)"
    running = rate * hours * factor
    line.add(running, low=low_rate * low_hours * low_factor, high=high_rate * high_hours * high_factor,
             note=f"{instance_type} {os_label} {purchase} {rate:g} USD/h x {hours_note} = {_money(running)}")

    if not _elastic_ips_of(ctx, res) and _has_auto_public_ip(ctx, res, template):
        ip_rate = ctx.price(line, "ec2.publicIpv4.hour")
        line.add(ip_rate * hours, low=ip_rate * low_hours, high=ip_rate * high_hours,
                 note=f"public IPv4 {ip_rate:g} USD/h while running")
    _volumes_of_instance(ctx, res, template, line)


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
    rate = ctx.price(line, "ec2.publicIpv4.hour")
    line.add(rate * ctx.hours, note=f"public IPv4 {rate:g} USD/h x {ctx.hours:g} h: billed attached or idle, "
                                    "also while the instance is stopped")


@prices("aws:ebs/volume:Volume")
def _ebs_volume(res: Res, ctx: Ctx, line: Line) -> None:
    volume_type = res.get("type")
    volume_cost(ctx, line, res.get("size"), volume_type if volume_type is not None else "gp2",
                res.get("iops"), res.get("throughput"), "volume")


# --- Networking ----------------------------------------------------------------------------------
@prices("aws:ec2/natGateway:NatGateway")
def _nat(res: Res, ctx: Ctx, line: Line) -> None:
    hourly = ctx.price(line, "natGateway.hour") * ctx.hours
    gb = ctx.usage(res, "natGatewayGbPerMonth")
    data = gb * ctx.price(line, "natGateway.gb")
    line.add(hourly, note=f"{ctx.hours:g} h {_money(hourly)}")
    line.add(data, low=0, note=f"{gb:g} GB processed {_money(data)}")


@prices("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer",
        "aws:elasticloadbalancingv2/loadBalancer:LoadBalancer")
def _load_balancer(res: Res, ctx: Ctx, line: Line) -> None:
    kind = res.get("loadBalancerType", default="application")
    if kind not in ("application", "network", "gateway"):
        line.unpriced(f"not priced: load balancer type {kind!r} not known")
        return
    hourly = ctx.price(line, f"elb.{kind}.hour") * ctx.hours
    units = ctx.usage(res, "loadBalancerCapacityUnits")
    capacity = units * ctx.price(line, f"elb.{kind}.lcuHour") * ctx.hours
    line.add(hourly, note=f"{kind} load balancer {_money(hourly)}")
    line.add(capacity, low=0, note=f"{units:g} capacity units {_money(capacity)}")
    internal = res.get("internal")
    if kind != "gateway" and internal is not True:
        subnets = res.get("subnets") or res.get("subnetMappings")
        count = len(subnets) if isinstance(subnets, list) else 2
        ip = ctx.price(line, "ec2.publicIpv4.hour") * ctx.hours * count
        if internal is UNKNOWN:
            line.add(0, low=0, high=ip, note=f"internet-facing unknown: up to {count} public IPv4 {_money(ip)}")
        else:
            line.add(ip, note=f"internet-facing: {count} public IPv4 {_money(ip)}")


@prices("aws:ec2/vpcEndpoint:VpcEndpoint")
def _vpc_endpoint(res: Res, ctx: Ctx, line: Line) -> None:
    kind = res.get("vpcEndpointType", default="Gateway")
    if kind == "Gateway":
        line.add(0, note="gateway endpoint: no charge")
        return
    if kind == "GatewayLoadBalancer":
        hourly = ctx.price(line, "vpcEndpoint.gatewayLoadBalancer.hour") * ctx.hours
        line.add(hourly, note=f"Gateway Load Balancer endpoint {_money(hourly)}")
        return
    per_az = ctx.price(line, "vpcEndpoint.interface.azHour") * ctx.hours
    gb = ctx.usage(res, "vpcEndpointGbPerMonth")
    data = gb * ctx.price(line, "vpcEndpoint.interface.gb")
    subnets = res.get("subnetIds")
    if not isinstance(subnets, list):
        subnets = res.get("subnetConfigurations")
    if isinstance(subnets, list) and subnets:
        count = len(subnets)
        line.add(per_az * count, note=f"interface endpoint in {count} AZ x {_money(per_az)}")
    else:
        line.add(per_az * 2, low=per_az, high=per_az * 3,
                 note=f"interface endpoint, subnets not known: 2 AZ assumed (1-3) x {_money(per_az)}")
    line.add(data, low=0, note=f"{gb:g} GB processed {_money(data)}")


@prices("aws:ec2transitgateway/vpcAttachment:VpcAttachment",
        "aws:ec2transitgateway/peeringAttachment:PeeringAttachment")
def _tgw_attachment(res: Res, ctx: Ctx, line: Line) -> None:
    hourly = ctx.price(line, "transitGateway.attachment.hour") * ctx.hours
    line.add(hourly, note=f"attachment {_money(hourly)}")
    if res.type.endswith("VpcAttachment"):
        gb = ctx.usage(res, "transitGatewayGbPerMonth")
        data = gb * ctx.price(line, "transitGateway.gb")
        line.add(data, low=0, note=f"{gb:g} GB processed {_money(data)}")


@prices("aws:route53/zone:Zone")
def _zone(res: Res, ctx: Ctx, line: Line) -> None:
    line.add(ctx.price(line, "route53.hostedZone.month"), note="hosted zone (queries not estimated)")


@prices("aws:route53/healthCheck:HealthCheck")
def _health_check(res: Res, ctx: Ctx, line: Line) -> None:
    kind = res.get("type", default="")
    if kind in ("CLOUDWATCH_METRIC", "CALCULATED", "RECOVERY_CONTROL"):
        line.add(ctx.price(line, "route53.healthCheck.aws.month"), note=f"{kind} health check")
        return
    basic_aws = ctx.price(line, "route53.healthCheck.aws.month")
    basic_other = ctx.price(line, "route53.healthCheck.other.month")
    features = []
    if isinstance(kind, str) and kind.startswith("HTTPS"):
        features.append("HTTPS")
    if isinstance(kind, str) and kind.endswith("STR_MATCH"):
        features.append("string matching")
    if number(res.get("requestInterval")) == 10.0:
        features.append("fast interval")
    if res.get("measureLatency") is True:
        features.append("latency")
    feature_aws = len(features) * ctx.price(line, "route53.healthCheck.featureAws.month")
    feature_other = len(features) * ctx.price(line, "route53.healthCheck.featureOther.month")
    line.add(basic_aws + feature_aws, low=basic_aws + feature_aws, high=basic_other + feature_other,
             note=f"{kind} health check{' with ' + ', '.join(features) if features else ''} "
                  "(AWS endpoint price; a non-AWS endpoint is the high bound)")


@prices("aws:route53/resolverEndpoint:ResolverEndpoint")
def _resolver_endpoint(res: Res, ctx: Ctx, line: Line) -> None:
    addresses = res.get("ipAddresses")
    count = len(addresses) if isinstance(addresses, list) else 2
    cost = count * ctx.price(line, "route53.resolverEndpoint.ipHour") * ctx.hours
    line.add(cost, note=f"{count} resolver ENIs {_money(cost)}")


# --- CloudWatch and EventBridge ------------------------------------------------------------------
@prices("aws:cloudwatch/metricAlarm:MetricAlarm")
def _metric_alarm(res: Res, ctx: Ctx, line: Line) -> None:
    queries = res.get("metricQueries", default=[]) or []
    metrics = sum(1 for q in queries if isinstance(q, Mapping) and q.get("metric")) if queries else 1
    if any(isinstance(q, Mapping) and "ANOMALY_DETECTION_BAND" in str(q.get("expression", "")) for q in queries):
        metrics = max(metrics, 1) * 3
    period = number(res.get("period"))
    resolution = "highResolution" if isinstance(period, float) and period < 60 else "standard"
    cost = max(metrics, 1) * ctx.price(line, f"cloudwatch.alarm.{resolution}.month")
    line.add(cost, note=f"{max(metrics, 1)} metric(s), {resolution} resolution (free tier not applied)")


@prices("aws:cloudwatch/compositeAlarm:CompositeAlarm")
def _composite_alarm(res: Res, ctx: Ctx, line: Line) -> None:
    line.add(ctx.price(line, "cloudwatch.alarm.composite.month"), note="composite alarm")


@prices("aws:cloudwatch/dashboard:Dashboard")
def _dashboard(res: Res, ctx: Ctx, line: Line) -> None:
    line.add(ctx.price(line, "cloudwatch.dashboard.month"), note="dashboard (first 3 free, not applied)")


@prices("aws:cloudwatch/logGroup:LogGroup")
def _log_group(res: Res, ctx: Ctx, line: Line) -> None:
    gb = ctx.usage(res, "logIngestGbPerMonth")
    infrequent = res.get("logGroupClass") == "INFREQUENT_ACCESS"
    ingest = gb * ctx.price(line, f"cloudwatch.logs.ingest.{'infrequent' if infrequent else 'standard'}.gb")
    days = number(res.get("retentionInDays"))
    storage_rate = ctx.price(line, "cloudwatch.logs.storage.gbMonth")
    if isinstance(days, float) and days > 0:
        stored = gb * days / 30.4
        retention = f"{days:g}-day retention keeps {stored:.2f} GB"
    else:
        stored = gb * 12
        retention = f"no retention: storage grows {gb:g} GB a month forever ({stored:g} GB after a year shown)"
    storage = stored * storage_rate
    line.add(ingest + storage, low=0, note=f"{gb:g} GB ingested {_money(ingest)}; {retention} {_money(storage)}")


@prices("aws:cloudwatch/eventBus:EventBus")
def _event_bus(res: Res, ctx: Ctx, line: Line) -> None:
    events = ctx.usage(res, "eventsPerMonth")
    cost = events / 1e6 * ctx.price(line, "eventbridge.customEvents.million")
    line.add(cost, low=0, note=f"{events:,.0f} custom events a month (replicated events count on the receiving bus)")


@prices("aws:cloudwatch/eventArchive:EventArchive")
def _event_archive(res: Res, ctx: Ctx, line: Line) -> None:
    gb = ctx.usage(res, "eventArchiveGbPerMonth")
    ingest = gb * ctx.price(line, "eventbridge.archive.gb")
    days = number(res.get("retentionDays"))
    if isinstance(days, float) and days > 0:
        stored, retention = gb * days / 30.4, f"{days:g}-day retention"
    else:
        stored, retention = gb * 12, "kept forever (a year's worth shown)"
    storage = stored * ctx.price(line, "eventbridge.archive.gbMonth")
    line.add(ingest + storage, low=0, note=f"{gb:g} GB archived {_money(ingest)}; {retention}: "
                                           f"{stored:.2f} GB stored {_money(storage)}")


@prices("aws:cloudwatch/eventApiDestination:EventApiDestination")
def _api_destination(res: Res, ctx: Ctx, line: Line) -> None:
    calls = ctx.usage(res, "apiDestinationInvocationsPerMonth")
    cost = calls / 1e6 * ctx.price(line, "eventbridge.apiDestination.million")
    line.add(cost, low=0, note=f"{calls:,.0f} invocations a month")


# --- Lambda and API Gateway ----------------------------------------------------------------------
def _architecture(res: Res) -> str:
    archs = res.get("architectures")
    if isinstance(archs, list) and archs and archs[0] == "arm64":
        return "arm64"
    return "x86_64"


def _memory_mb(res: Res) -> float:
    memory = number(res.get("memorySize"))
    return memory if isinstance(memory, float) else 128.0


@prices("aws:lambda/function:Function")
def _lambda(res: Res, ctx: Ctx, line: Line) -> None:
    requests = ctx.usage(res, "lambdaRequestsPerMonth")
    duration_ms = ctx.usage(res, "lambdaAverageDurationMs")
    memory = _memory_mb(res)
    arch = _architecture(res)
    request_cost = requests / 1e6 * ctx.price(line, "lambda.requests.million")
    gb_seconds = requests * duration_ms / 1000 * memory / 1024
    duration_cost = gb_seconds * ctx.price(line, f"lambda.duration.{arch}.gbSecond")
    line.add(request_cost + duration_cost, low=0,
             note=f"{requests:,.0f} requests x {duration_ms:g} ms at {memory:g} MB {arch} "
                  f"({_money(request_cost)} requests + {_money(duration_cost)} duration; free tier not applied)")


@prices("aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig")
def _provisioned_concurrency(res: Res, ctx: Ctx, line: Line) -> None:
    count = number(res.get("provisionedConcurrentExecutions"))
    if not isinstance(count, float):
        line.unpriced("not priced: provisioned concurrency not known")
        return
    functions = ctx.stack.referenced(res, "functionName", res.get("functionName"), ["aws:lambda/function:Function"],
                                     keys=("name", "arn", "id"))
    if functions:
        memory, arch, known = _memory_mb(functions[0]), _architecture(functions[0]), ""
    else:
        memory, arch, known = 128.0, "x86_64", " (function not found: 128 MB x86_64 assumed)"
    gb_seconds = count * memory / 1024 * ctx.hours * SECONDS_PER_MONTH_FACTOR
    cost = gb_seconds * ctx.price(line, f"lambda.provisioned.{arch}.gbSecond")
    line.add(cost, note=f"{count:g} provisioned environments x {memory:g} MB {arch} all month{known}")


@prices("aws:apigateway/stage:Stage")
def _rest_stage(res: Res, ctx: Ctx, line: Line) -> None:
    requests = ctx.usage(res, "apiRequestsPerMonth")
    cost = requests / 1e6 * ctx.price(line, "apigateway.rest.million")
    line.add(cost, low=0, note=f"{requests:,.0f} REST requests {_money(cost)}")
    if res.get("cacheClusterEnabled") is True:
        size = str(res.get("cacheClusterSize", default="0.5"))
        rate = ctx.lookup(line, "apigateway.cache.hour", size)
        if rate is None:
            line.unpriced(f"not priced: cache size {size} GB not in the table")
            return
        cache = rate * ctx.hours
        line.add(cache, note=f"{size} GB cache {_money(cache)}")


@prices("aws:apigatewayv2/stage:Stage")
def _http_stage(res: Res, ctx: Ctx, line: Line) -> None:
    apis = ctx.stack.referenced(res, "apiId", res.get("apiId"), ["aws:apigatewayv2/api:Api"], keys=("id",))
    protocol = apis[0].get("protocolType") if apis else "HTTP"
    if protocol != "HTTP":
        line.unpriced(f"not priced: {protocol} APIs are not in the table")
        return
    requests = ctx.usage(res, "apiRequestsPerMonth")
    cost = requests / 1e6 * ctx.price(line, "apigateway.http.million")
    line.add(cost, low=0, note=f"{requests:,.0f} HTTP API requests")


# --- Messaging, data and secrets -----------------------------------------------------------------
@prices("aws:sqs/queue:Queue")
def _queue(res: Res, ctx: Ctx, line: Line) -> None:
    requests = ctx.usage(res, "sqsRequestsPerMonth")
    kind = "fifo" if res.get("fifoQueue") is True else "standard"
    cost = requests / 1e6 * ctx.price(line, f"sqs.{kind}.million")
    line.add(cost, low=0, note=f"{requests:,.0f} {kind} requests (free tier not applied)")


@prices("aws:sns/topic:Topic")
def _topic(res: Res, ctx: Ctx, line: Line) -> None:
    publishes = ctx.usage(res, "snsPublishesPerMonth")
    cost = publishes / 1e6 * ctx.price(line, "sns.publish.million")
    line.add(cost, low=0, note=f"{publishes:,.0f} publishes (deliveries other than Lambda/SQS not estimated)")


@prices("aws:dynamodb/table:Table")
def _table(res: Res, ctx: Ctx, line: Line) -> None:
    copies = 1 + len(res.get("replicas", default=[]) or [])
    storage_gb = ctx.usage(res, "dynamodbStorageGb")
    storage = storage_gb * ctx.price(line, "dynamodb.storage.gbMonth") * copies
    if res.get("billingMode", default="PROVISIONED") == "PAY_PER_REQUEST":
        writes, reads = ctx.usage(res, "dynamodbWritesPerMonth"), ctx.usage(res, "dynamodbReadsPerMonth")
        requests = (writes / 1e6 * ctx.price(line, "dynamodb.onDemand.writeMillion")
                    + reads / 1e6 * ctx.price(line, "dynamodb.onDemand.readMillion")) * copies
        line.add(requests + storage, low=0, note=f"on-demand: {writes:,.0f} writes and {reads:,.0f} reads, "
                                                  f"{storage_gb:g} GB, {copies} Region(s)")
        return
    wcu, rcu = number(res.get("writeCapacity")), number(res.get("readCapacity"))
    wcu = wcu if isinstance(wcu, float) else 0.0
    rcu = rcu if isinstance(rcu, float) else 0.0
    capacity = (wcu * ctx.price(line, "dynamodb.provisioned.wcuHour")
                + rcu * ctx.price(line, "dynamodb.provisioned.rcuHour")) * ctx.hours * copies
    line.add(capacity, note=f"provisioned {wcu:g} WCU / {rcu:g} RCU {_money(capacity)}")
    line.add(storage, low=0, note=f"{storage_gb:g} GB stored")


@prices("aws:secretsmanager/secret:Secret")
def _secret(res: Res, ctx: Ctx, line: Line) -> None:
    copies = 1 + len(res.get("replicas", default=[]) or [])
    monthly = copies * ctx.price(line, "secretsmanager.secret.month")
    calls = ctx.usage(res, "secretsApiCallsPerMonth")
    api = calls / 10_000 * ctx.price(line, "secretsmanager.apiCalls.tenThousand")
    line.add(monthly, note=f"{copies} secret(s) {_money(monthly)}")
    line.add(api, low=0, note=f"{calls:,.0f} API calls {_money(api)}")


@prices("aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey")
def _kms_key(res: Res, ctx: Ctx, line: Line) -> None:
    key = ctx.price(line, "kms.key.month")
    calls = ctx.usage(res, "kmsRequestsPerMonth")
    api = calls / 10_000 * ctx.price(line, "kms.requests.tenThousand")
    line.add(key, note=f"customer managed key {_money(key)}")
    line.add(api, low=0, note=f"{calls:,.0f} requests {_money(api)}")


@prices("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
def _bucket(res: Res, ctx: Ctx, line: Line) -> None:
    gb = ctx.usage(res, "s3StorageGb")
    cost = gb * ctx.price(line, "s3.standard.gbMonth")
    line.add(cost, low=0, note=f"{gb:g} GB Standard (requests not estimated)")


@prices("aws:ecr/repository:Repository")
def _repository(res: Res, ctx: Ctx, line: Line) -> None:
    gb = ctx.usage(res, "ecrStorageGb")
    line.add(gb * ctx.price(line, "ecr.storage.gbMonth"), low=0, note=f"{gb:g} GB of images")


@prices("aws:ssm/parameter:Parameter")
def _parameter(res: Res, ctx: Ctx, line: Line) -> None:
    if res.get("tier") == "Advanced":
        line.add(ctx.price(line, "ssm.advancedParameter.month"), note="advanced parameter")
    else:
        line.add(0, note="standard parameter: no charge")


@prices("aws:acmpca/certificateAuthority:CertificateAuthority")
def _private_ca(res: Res, ctx: Ctx, line: Line) -> None:
    mode = res.get("usageMode", default="GENERAL_PURPOSE")
    key = "acmpca.shortLived.month" if mode == "SHORT_LIVED_CERTIFICATE" else "acmpca.generalPurpose.month"
    line.add(ctx.price(line, key), note=f"private CA, {mode} mode (certificates issued not estimated)")


# --- Aurora and RDS Proxy ------------------------------------------------------------------------
def cluster_of(ctx: Ctx, instance: Res) -> Res | None:
    found = ctx.stack.referenced(instance, "clusterIdentifier", instance.get("clusterIdentifier"),
                                 ["aws:rds/cluster:Cluster"], keys=("clusterIdentifier", "id"))
    return found[0] if found else None


@dataclass
class Capacity:
    expected: float
    low: float
    high: float
    known: bool


def serverless_capacity(ctx: Ctx, instance: Res) -> Capacity:
    cluster = cluster_of(ctx, instance)
    scaling = cluster.get("serverlessv2ScalingConfiguration") if cluster else None
    minimum = number(get(scaling, "minCapacity")) if isinstance(scaling, Mapping) else None
    maximum = number(get(scaling, "maxCapacity")) if isinstance(scaling, Mapping) else None
    if not isinstance(minimum, float) or not isinstance(maximum, float):
        average = ctx.usage(instance, "auroraAverageAcu")
        return Capacity(average, 0.0, 256.0, False)
    average = min(max(ctx.usage(instance, "auroraAverageAcu"), minimum), maximum)
    return Capacity(average, minimum, maximum, True)


def _io_optimized(cluster: Res | None) -> bool:
    return cluster is not None and cluster.get("storageType") == "aurora-iopt1"


@prices("aws:rds/clusterInstance:ClusterInstance")
def _cluster_instance(res: Res, ctx: Ctx, line: Line) -> None:
    instance_class = res.get("instanceClass")
    cluster = cluster_of(ctx, res)
    if instance_class == "db.serverless":
        capacity = serverless_capacity(ctx, res)
        key = "aurora.serverlessV2.iopt.acuHour" if _io_optimized(cluster) else "aurora.serverlessV2.acuHour"
        rate = ctx.price(line, key) * ctx.hours
        note = (f"Serverless v2 {capacity.expected:g} ACU average (min {capacity.low:g}, max {capacity.high:g}) "
                f"x {rate / ctx.hours:g} USD/ACU-h")
        if not capacity.known:
            note += "; scaling configuration not known: range 0-256 ACU"
        elif capacity.low == 0:
            note += "; min 0 ACU: pauses when idle"
        line.add(capacity.expected * rate, low=capacity.low * rate, high=capacity.high * rate, note=note)
        return
    if not isinstance(instance_class, str):
        line.unpriced("not priced: instance class not known")
        return
    rate = ctx.lookup(line, "aurora.instance.hour", instance_class)
    if rate is None:
        line.unpriced(f"not priced: {instance_class} not in the table")
        return
    line.add(rate * ctx.hours, note=f"{instance_class} {rate:g} USD/h x {ctx.hours:g} h")


@prices("aws:rds/cluster:Cluster")
def _cluster(res: Res, ctx: Ctx, line: Line) -> None:
    if res.get("engineMode") == "serverless":
        line.unpriced("not priced: Aurora Serverless v1 is not in the table")
        return
    gb = ctx.usage(res, "auroraStorageGb")
    if _io_optimized(res):
        storage = gb * ctx.price(line, "aurora.storage.iopt.gbMonth")
        line.add(storage, low=0, note=f"I/O-Optimized storage {gb:g} GB {_money(storage)} (no I/O charge)")
        return
    storage = gb * ctx.price(line, "aurora.storage.gbMonth")
    io = ctx.usage(res, "auroraIoMillionsPerMonth")
    io_cost = io * ctx.price(line, "aurora.io.million")
    line.add(storage + io_cost, low=0, note=f"storage {gb:g} GB {_money(storage)} + {io:g} million I/O "
                                            f"{_money(io_cost)} (backups beyond the free retention not estimated)")


@prices("aws:rds/proxy:Proxy")
def _proxy(res: Res, ctx: Ctx, line: Line) -> None:
    acu_rate = ctx.price(line, "rdsProxy.acuHour") * ctx.hours
    vcpu_rate = ctx.price(line, "rdsProxy.vcpuHour") * ctx.hours
    clusters: list[Res] = []
    for target in ctx.stack.of_type("aws:rds/proxyTarget:ProxyTarget"):
        if res in ctx.stack.referenced(target, "dbProxyName", target.get("dbProxyName"), [res.type],
                                       keys=("name", "id")):
            clusters += ctx.stack.referenced(target, "dbClusterIdentifier", target.get("dbClusterIdentifier"),
                                             ["aws:rds/cluster:Cluster"], keys=("clusterIdentifier", "id"))
    instances = [i for i in ctx.stack.of_type("aws:rds/clusterInstance:ClusterInstance")
                 if cluster_of(ctx, i) in clusters]
    if not instances:
        floor = 8 * acu_rate
        line.add(floor, note=f"target not found in the stack: the 8-ACU minimum {_money(floor)} "
                             "(a provisioned target bills per vCPU, minimum 2)")
        return
    serverless = [i for i in instances if i.get("instanceClass") == "db.serverless"]
    if serverless:
        capacities = [serverless_capacity(ctx, i) for i in serverless]
        expected = max(8.0, sum(c.expected for c in capacities))
        low = max(8.0, sum(c.low for c in capacities))
        high = max(8.0, sum(c.high for c in capacities))
        line.add(expected * acu_rate, low=low * acu_rate, high=high * acu_rate,
                 note=f"{expected:g} ACU billed (targets' capacity, minimum 8) x "
                      f"{acu_rate / ctx.hours:g} USD/ACU-h")
        return
    vcpus_by_class = ctx.table.specs.get("rds.instanceClass.vcpus", {})
    vcpus = sum(float(vcpus_by_class.get(i.get("instanceClass"), 2)) for i in instances)
    billed = max(2.0, vcpus)
    line.add(billed * vcpu_rate, note=f"{billed:g} vCPUs of the target instances (minimum 2)")


# --- OpenSearch, Kinesis, Fargate ----------------------------------------------------------------
@prices("aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain")
def _search_domain(res: Res, ctx: Ctx, line: Line) -> None:
    config = res.get("clusterConfig", default={}) or {}
    data_type = get(config, "instanceType")
    count = number(get(config, "instanceCount"))
    count = count if isinstance(count, float) else 1.0

    def nodes(kind: str, instance_type: Any, how_many: float) -> None:
        if not isinstance(instance_type, str):
            line.unpriced(f"not priced: {kind} instance type not known")
            return
        rate = ctx.lookup(line, "opensearch.instance.hour", instance_type)
        if rate is None:
            line.unpriced(f"not priced: {instance_type} not in the table")
            return
        cost = how_many * rate * ctx.hours
        line.add(cost, note=f"{how_many:g} x {instance_type} {kind} {_money(cost)}")

    nodes("data", data_type, count)
    if get(config, "dedicatedMasterEnabled") is True:
        masters = number(get(config, "dedicatedMasterCount"))
        nodes("dedicated master", get(config, "dedicatedMasterType"), masters if isinstance(masters, float) else 3.0)
    if get(config, "warmEnabled") is True:
        warm = number(get(config, "warmCount"))
        nodes("UltraWarm", get(config, "warmType"), warm if isinstance(warm, float) else 2.0)
        gb = ctx.usage(res, "opensearchWarmGb")
        cost = gb * ctx.price(line, "opensearch.managedStorage.gbMonth")
        line.add(cost, low=0, note=f"{gb:g} GB UltraWarm storage {_money(cost)}")
    if get(config, "coldStorageOptions", "enabled") is True:
        gb = ctx.usage(res, "opensearchColdGb")
        cost = gb * ctx.price(line, "opensearch.managedStorage.gbMonth")
        line.add(cost, low=0, note=f"{gb:g} GB cold storage {_money(cost)}")

    ebs = res.get("ebsOptions", default={}) or {}
    if get(ebs, "ebsEnabled") is True:
        size = number(get(ebs, "volumeSize"))
        volume_type = get(ebs, "volumeType", default="gp2")
        if not isinstance(size, float):
            line.unpriced("not priced: EBS volume size not known")
            return
        if volume_type not in ("gp2", "gp3"):
            line.unpriced(f"not priced: {volume_type} volumes not in the table")
            return
        cost = size * count * ctx.price(line, f"opensearch.{volume_type}.gbMonth")
        detail = f"{volume_type} {size:g} GB x {count:g} nodes {_money(cost)}"
        if volume_type == "gp3":
            iops, throughput = number(get(ebs, "iops")), number(get(ebs, "throughput"))
            if isinstance(iops, float) and iops > 3000:
                cost_iops = (iops - 3000) * count * ctx.price(line, "opensearch.gp3.iopsMonth")
                cost += cost_iops
                detail += f" + extra IOPS {_money(cost_iops)}"
            if isinstance(throughput, float) and throughput > 125:
                cost_tp = (throughput - 125) * count * ctx.price(line, "opensearch.gp3.throughputMonth")
                cost += cost_tp
                detail += f" + extra throughput {_money(cost_tp)}"
        line.add(cost, note=detail)


@prices("aws:kinesis/stream:Stream")
def _stream(res: Res, ctx: Ctx, line: Line) -> None:
    mode = res.get("streamModeDetails", "streamMode", default="PROVISIONED")
    retention = number(res.get("retentionPeriod"))
    retention = retention if isinstance(retention, float) else 24.0
    if retention > 168:
        line.note(f"retention {retention:g} h: long-term retention beyond 7 days not estimated")
    gb = ctx.usage(res, "kinesisGbPerMonth")
    if mode == "ON_DEMAND":
        hourly = ctx.price(line, "kinesis.onDemand.streamHour") * ctx.hours
        consumers = ctx.usage(res, "kinesisConsumers")
        data = gb * ctx.price(line, "kinesis.onDemand.ingestGb") + gb * consumers * ctx.price(
            line, "kinesis.onDemand.retrieveGb")
        line.add(hourly, note=f"on-demand stream {_money(hourly)}")
        line.add(data, low=0, note=f"{gb:g} GB in, {consumers:g} consumer(s) {_money(data)}")
        if retention > 24:
            stored = gb * (min(retention, 168) - 24) / ctx.hours
            cost = stored * ctx.price(line, "kinesis.onDemand.extendedRetention.gbMonth")
            line.add(cost, low=0, note=f"extended retention {retention:g} h {_money(cost)}")
        return
    shards = number(res.get("shardCount"))
    if not isinstance(shards, float):
        line.unpriced("not priced: shard count not known")
        return
    hourly = shards * ctx.price(line, "kinesis.shard.hour") * ctx.hours
    records = ctx.usage(res, "kinesisRecordsPerMonth")
    puts = records / 1e6 * ctx.price(line, "kinesis.putPayloadUnits.million")
    line.add(hourly, note=f"{shards:g} shard(s) {_money(hourly)}")
    line.add(puts, low=0, note=f"{records:,.0f} PUT payload units {_money(puts)}")
    if retention > 24:
        cost = shards * ctx.price(line, "kinesis.extendedRetention.shardHour") * ctx.hours
        line.add(cost, note=f"extended retention {retention:g} h {_money(cost)}")


@prices("aws:ecs/service:Service")
def _ecs_service(res: Res, ctx: Ctx, line: Line) -> None:
    strategies = res.get("capacityProviderStrategies", default=[]) or []
    providers = {get(s, "capacityProvider") for s in strategies if isinstance(s, Mapping)}
    launch_type = res.get("launchType")
    if launch_type != "FARGATE" and not providers & {"FARGATE", "FARGATE_SPOT"}:
        line.add(0, note="EC2 launch type: the container instances are priced on their own")
        return
    definitions = ctx.stack.referenced(res, "taskDefinition", res.get("taskDefinition"),
                                       ["aws:ecs/taskDefinition:TaskDefinition"], keys=("arn", "id", "family"))
    if not definitions:
        line.unpriced("not priced: task definition not found in the stack")
        return
    definition = definitions[0]
    cpu, memory = number(definition.get("cpu")), number(definition.get("memory"))
    if not isinstance(cpu, float) or not isinstance(memory, float):
        line.unpriced("not priced: task cpu or memory not known")
        return
    arch = "arm64" if definition.get("runtimePlatform", "cpuArchitecture") == "ARM64" else "x86_64"
    count = number(res.get("desiredCount"))
    count = count if isinstance(count, float) else 1.0
    per_task = (cpu / 1024 * ctx.price(line, f"fargate.{arch}.vcpuHour")
                + memory / 1024 * ctx.price(line, f"fargate.{arch}.gbHour")) * ctx.hours
    factor, low_factor, label = 1.0, 1.0, "on-demand"
    if providers == {"FARGATE_SPOT"}:
        factor, low_factor, label = ctx.usage(res, "spotPriceFraction"), 0.1, "Fargate Spot"
    cost = count * per_task * factor
    line.add(cost, low=count * per_task * low_factor, high=count * per_task,
             note=f"{count:g} task(s) x {cpu / 1024:g} vCPU / {memory / 1024:g} GB {arch} {label} "
                  f"{_money(per_task)} each (auto scaling beyond desiredCount not estimated)")


# --- The readable summary --------------------------------------------------------------------------
JSON_MARKER = "COST_ESTIMATE_JSON "


def summary(est: Estimate, *, top: int = 8) -> str:
    lines = []
    head = (f"Estimated monthly cost: {_money(est.total)} {est.currency} "
            f"(range {_money(est.low)} - {_money(est.high)})")
    if est.budget:
        head += f" against a budget of {_money(est.budget.limit)} ({est.total / est.budget.limit:.0%})"
    else:
        head += "; no monthly budget declared in the stack"
    lines.append(head + ".")
    components = est.by("component")
    if components:
        lines.append("By component: " + ", ".join(f"{name} {_money(value)}" for name, value in components.items()))
    regions = est.by("region")
    if regions:
        lines.append("By Region: " + ", ".join(f"{name} {_money(value)}" for name, value in regions.items()))
    biggest = sorted(est.lines, key=lambda l: -l.monthly)[:top]
    if biggest:
        lines.append("Largest:")
        lines += [f"  {_money(l.monthly):>10}  {l.res.name} ({l.res.type}): {'; '.join(l.notes)}" for l in biggest]
    if est.unpriced:
        kinds = sorted({l.res.type for l in est.unpriced})
        lines.append(f"Not priced ({len(est.unpriced)}): " + ", ".join(kinds))
    a = est.assumptions
    lines.append(
        f"Assumptions: GPU workstation {a['workstationHoursPerMonth']:g} h/month, other instances "
        f"{a['instanceHoursPerMonth']:g} h, Lambda {a['lambdaRequestsPerMonth']:,.0f} requests x "
        f"{a['lambdaAverageDurationMs']:g} ms, {a['eventsPerMonth']:,.0f} events per bus, "
        f"{a['apiRequestsPerMonth']:,.0f} API requests per stage, {a['logIngestGbPerMonth']:g} GB logs per group, "
        f"Aurora {a['auroraAverageAcu']:g} ACU average; override with --policy-pack-config.")
    lines.append(JSON_MARKER + json.dumps(est.to_json(), separators=(",", ":"), sort_keys=False))
    return "\n".join(lines)
