"""Aurora (Serverless v2 and provisioned) and RDS Proxy prices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..stack import Res
from ..values import get, number
from .engine import Ctx, Line, money, prices


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
        line.add(storage, low=0, note=f"I/O-Optimized storage {gb:g} GB {money(storage)} (no I/O charge)")
        return
    storage = gb * ctx.price(line, "aurora.storage.gbMonth")
    io = ctx.usage(res, "auroraIoMillionsPerMonth")
    io_cost = io * ctx.price(line, "aurora.io.million")
    line.add(storage + io_cost, low=0, note=f"storage {gb:g} GB {money(storage)} + {io:g} million I/O "
                                            f"{money(io_cost)} (backups beyond the free retention not estimated)")


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
        line.add(floor, note=f"target not found in the stack: the 8-ACU minimum {money(floor)} "
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
