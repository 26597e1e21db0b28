"""Aurora (Serverless v2 and provisioned) and RDS Proxy prices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..stack import Res
from ..values import get, number
from .engine import Ctx, Line, prices


def cluster_of(ctx: Ctx, instance: Res) -> Res | None:
    found = ctx.stack.referenced(
        instance, "clusterIdentifier", instance.get("clusterIdentifier"), [CLUSTER], keys=("clusterIdentifier", "id")
    )
    return found[0] if found else None


CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
PROXY = "aws:rds/proxy:Proxy"
PROXY_TARGET = "aws:rds/proxyTarget:ProxyTarget"
GLOBAL_CLUSTER = "aws:rds/globalCluster:GlobalCluster"
# The lowest capacity an instance that cannot pause runs at: minimums step by 0.5 ACU above 0
# (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ServerlessV2ScalingConfiguration.html).
UNPAUSED_FLOOR_ACU = 0.5
MAX_ACU = 256.0


@dataclass
class Capacity:
    """ACUs of one Serverless v2 instance: ``floor`` billed with no traffic, ``expected`` with the
    declared average (None: not declared), ``ceiling`` the maximum the inputs allow."""

    floor: float
    expected: float | None
    ceiling: float
    known: bool
    why_no_pause: str | None = None


def proxied_clusters(ctx: Ctx) -> dict[str, list[Res]]:
    """Clusters registered as an RDS Proxy target (by URN), with the proxies in front of them."""

    def build() -> dict[str, list[Res]]:
        found: dict[str, list[Res]] = {}
        for target in ctx.stack.of_type(PROXY_TARGET):
            proxies = ctx.stack.referenced(
                target, "dbProxyName", target.get("dbProxyName"), [PROXY], keys=("name", "id")
            )
            for cluster in ctx.stack.referenced(
                target,
                "dbClusterIdentifier",
                target.get("dbClusterIdentifier"),
                [CLUSTER],
                keys=("clusterIdentifier", "id"),
            ):
                found.setdefault(cluster.urn, []).extend(proxies)
        return found

    return ctx.stack.memo("proxied-clusters", build)


def is_global_primary(ctx: Ctx, cluster: Res) -> bool:
    """The primary cluster of an Aurora global database: it holds the master credentials (a secondary
    joins without them) or the global cluster was created from it."""
    if not cluster.get("globalClusterIdentifier"):
        return False
    if cluster.get("masterUsername") or cluster.get("manageMasterUserPassword") is True:
        return True
    return any(
        cluster
        in ctx.stack.referenced(
            g, "sourceDbClusterIdentifier", g.get("sourceDbClusterIdentifier"), [CLUSTER], keys=("arn", "id")
        )
        for g in ctx.stack.of_type(GLOBAL_CLUSTER)
    )


def pause_blocker(ctx: Ctx, cluster: Res | None) -> str | None:
    """Why a 0-ACU minimum cannot pause: Aurora does not auto-pause the instances of a cluster behind
    an RDS Proxy (the proxy keeps connections open) nor those of a global database's primary cluster
    (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html,
    "Prerequisites and limitations" and "Auto-pause and Aurora cluster configurations")."""
    if cluster is None:
        return None
    if cluster.urn in proxied_clusters(ctx):
        return "an RDS Proxy targets the cluster"
    if is_global_primary(ctx, cluster):
        return "the cluster is a global database's primary"
    return None


def serverless_capacity(ctx: Ctx, instance: Res) -> Capacity:
    cluster = cluster_of(ctx, instance)
    scaling = cluster.get("serverlessv2ScalingConfiguration") if cluster else None
    minimum = number(get(scaling, "minCapacity")) if isinstance(scaling, Mapping) else None
    maximum = number(get(scaling, "maxCapacity")) if isinstance(scaling, Mapping) else None
    average = ctx.declared(instance, "average_acu")
    if not isinstance(minimum, float) or not isinstance(maximum, float):
        return Capacity(0.0, average, MAX_ACU, False)
    blocker = pause_blocker(ctx, cluster) if minimum == 0 else None
    floor = UNPAUSED_FLOOR_ACU if blocker else minimum
    expected = None if average is None else min(max(average, floor), maximum)
    return Capacity(floor, expected, maximum, True, blocker)


def _io_optimized(cluster: Res | None) -> bool:
    return cluster is not None and cluster.get("storageType") == "aurora-iopt1"


@prices(
    INSTANCE,
    usage={
        "average_acu": "average ACUs of a Serverless v2 instance over the month (kept within its minimum and maximum)"
    },
)
def _cluster_instance(res: Res, ctx: Ctx, line: Line) -> None:
    instance_class = res.get("instanceClass")
    cluster = cluster_of(ctx, res)
    if instance_class == "db.serverless":
        capacity = serverless_capacity(ctx, res)
        rate = ctx.price(
            line, "aurora.serverlessV2.iopt.acuHour" if _io_optimized(cluster) else "aurora.serverlessV2.acuHour"
        )
        if not capacity.known:
            line.note("scaling configuration not known: range 0-256 ACU")
        elif capacity.why_no_pause:
            line.note(f"min 0 ACU cannot pause ({capacity.why_no_pause}): {UNPAUSED_FLOOR_ACU:g} ACU all month")
        elif capacity.floor == 0:
            line.note("min 0 ACU: pauses when idle")
        line.fixed(
            f"Serverless v2 minimum capacity ({capacity.floor:g} ACU)",
            capacity.floor * ctx.hours,
            "ACU-hours",
            rate,
            high=capacity.ceiling * ctx.hours * rate,
        )
        above = None if capacity.expected is None else (capacity.expected - capacity.floor) * ctx.hours
        line.usage("Serverless v2 capacity above the minimum", above, "ACU-hours", rate, "average_acu", high=0.0)
        return
    if not isinstance(instance_class, str):
        line.unpriced("not priced: instance class not known")
        return
    rate = ctx.lookup(line, "aurora.instance.hour", instance_class)
    if rate is None:
        line.unpriced(f"not priced: {instance_class} not in the table")
        return
    line.fixed(instance_class, ctx.hours, "hours", rate)


@prices(
    CLUSTER,
    usage={"storage_gb": "GB stored by the cluster", "monthly_io_requests": "I/O requests a month (Aurora Standard)"},
)
def _cluster(res: Res, ctx: Ctx, line: Line) -> None:
    if res.get("engineMode") == "serverless":
        line.unpriced("not priced: Aurora Serverless v1 is not in the table")
        return
    line.exclude("backup storage beyond the free retention, snapshots and (global) replicated write I/O")
    gb = ctx.declared(res, "storage_gb")
    if _io_optimized(res):
        line.stored(
            "I/O-Optimized storage (no I/O charge)",
            gb,
            "GB-months",
            ctx.price(line, "aurora.storage.iopt.gbMonth"),
            "storage_gb",
        )
        return
    line.stored("storage", gb, "GB-months", ctx.price(line, "aurora.storage.gbMonth"), "storage_gb")
    io = ctx.declared(res, "monthly_io_requests")
    line.usage(
        "I/O requests",
        None if io is None else io / 1e6,
        "million requests",
        ctx.price(line, "aurora.io.million"),
        "monthly_io_requests",
    )


@prices(PROXY)
def _proxy(res: Res, ctx: Ctx, line: Line) -> None:
    # Billed per ACU of the Serverless v2 targets, minimum 8, or per vCPU of provisioned targets,
    # minimum 2 (https://aws.amazon.com/rds/proxy/pricing/).
    acu_rate = ctx.price(line, "rdsProxy.acuHour")
    clusters = {urn for urn, proxies in proxied_clusters(ctx).items() if res in proxies}
    instances = [i for i in ctx.stack.of_type(INSTANCE) if getattr(cluster_of(ctx, i), "urn", None) in clusters]
    if not instances:
        line.fixed("target not found in the stack: the 8-ACU minimum", 8 * ctx.hours, "ACU-hours", acu_rate)
        return
    serverless = [i for i in instances if i.get("instanceClass") == "db.serverless"]
    if serverless:
        capacities = [serverless_capacity(ctx, i) for i in serverless]
        floor = max(8.0, sum(c.floor for c in capacities))
        ceiling = max(8.0, sum(c.ceiling for c in capacities))
        line.fixed(
            f"targets' minimum capacity ({floor:g} ACU billed, minimum 8)",
            floor * ctx.hours,
            "ACU-hours",
            acu_rate,
            high=ceiling * ctx.hours * acu_rate,
        )
        declared = [c.expected for c in capacities]
        above = None if None in declared else max(8.0, sum(declared)) - floor  # type: ignore[arg-type]
        line.usage(
            "targets' capacity above the minimum",
            None if above is None else above * ctx.hours,
            "ACU-hours",
            acu_rate,
            "average_acu",
            high=0.0,
        )
        return
    vcpus_by_class = ctx.table.specs.get("rds.instanceClass.vcpus", {})
    vcpus = max(2.0, sum(float(vcpus_by_class.get(i.get("instanceClass"), 2)) for i in instances))
    line.fixed(
        f"{vcpus:g} vCPUs of the target instances (minimum 2)",
        vcpus * ctx.hours,
        "vCPU-hours",
        ctx.price(line, "rdsProxy.vcpuHour"),
    )
