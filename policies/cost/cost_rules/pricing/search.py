"""OpenSearch domains and Kinesis streams."""

from __future__ import annotations

from typing import Any

from ..stack import Res
from ..values import get, number
from .engine import Ctx, Line, prices


@prices(
    "aws:opensearch/domain:Domain",
    "aws:elasticsearch/domain:Domain",
    usage={"warm_storage_gb": "GB in UltraWarm storage", "cold_storage_gb": "GB in cold storage"},
)
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
        line.fixed(f"{how_many:g} x {instance_type} {kind}", how_many * ctx.hours, "instance-hours", rate)

    nodes("data", data_type, count)
    if get(config, "dedicatedMasterEnabled") is True:
        masters = number(get(config, "dedicatedMasterCount"))
        nodes("dedicated master", get(config, "dedicatedMasterType"), masters if isinstance(masters, float) else 3.0)
    if get(config, "warmEnabled") is True:
        warm = number(get(config, "warmCount"))
        nodes("UltraWarm", get(config, "warmType"), warm if isinstance(warm, float) else 2.0)
        line.stored(
            "UltraWarm managed storage",
            ctx.declared(res, "warm_storage_gb"),
            "GB-months",
            ctx.price(line, "opensearch.managedStorage.gbMonth"),
            "warm_storage_gb",
        )
    if get(config, "coldStorageOptions", "enabled") is True:
        line.stored(
            "cold managed storage",
            ctx.declared(res, "cold_storage_gb"),
            "GB-months",
            ctx.price(line, "opensearch.managedStorage.gbMonth"),
            "cold_storage_gb",
        )

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
        line.fixed(
            f"{volume_type} storage, {count:g} node(s) x {size:g} GB",
            size * count,
            "GB-months",
            ctx.price(line, f"opensearch.{volume_type}.gbMonth"),
        )
        if volume_type == "gp3":
            iops, throughput = number(get(ebs, "iops")), number(get(ebs, "throughput"))
            if isinstance(iops, float) and iops > 3000:
                line.fixed(
                    "IOPS above 3,000",
                    (iops - 3000) * count,
                    "IOPS-months",
                    ctx.price(line, "opensearch.gp3.iopsMonth"),
                )
            if isinstance(throughput, float) and throughput > 125:
                line.fixed(
                    "throughput above 125 MiB/s",
                    (throughput - 125) * count,
                    "MiB/s-months",
                    ctx.price(line, "opensearch.gp3.throughputMonth"),
                )


STREAM_USAGE = {
    "monthly_ingested_gb": "GB written to the stream a month",
    "monthly_put_payload_units": "PUT payload units (records of up to 25 KB) a month, provisioned mode",
    "consumers": "shared-throughput consumers reading every record (on-demand mode)",
}


@prices("aws:kinesis/stream:Stream", usage=STREAM_USAGE)
def _stream(res: Res, ctx: Ctx, line: Line) -> None:
    mode = res.get("streamModeDetails", "streamMode", default="PROVISIONED")
    retention = number(res.get("retentionPeriod"))
    retention = retention if isinstance(retention, float) else 24.0
    if retention > 168:
        line.exclude(f"long-term retention beyond 7 days (retention {retention:g} h)")
    gb = ctx.declared(res, "monthly_ingested_gb")
    if mode == "ON_DEMAND":
        line.fixed("on-demand stream", ctx.hours, "stream-hours", ctx.price(line, "kinesis.onDemand.streamHour"))
        line.usage("data in", gb, "GB", ctx.price(line, "kinesis.onDemand.ingestGb"), "monthly_ingested_gb")
        consumers = ctx.declared(res, "consumers")
        line.usage(
            "data out (shared-throughput consumers)",
            None if gb is None or consumers is None else gb * consumers,
            "GB",
            ctx.price(line, "kinesis.onDemand.retrieveGb"),
            "consumers" if gb is not None else "monthly_ingested_gb",
        )
        if retention > 24:
            # Each GB is kept (retention - 24) hours beyond the included day: GB-months of extended storage.
            stored = None if gb is None else gb * (min(retention, 168) - 24) / ctx.hours
            line.usage(
                f"extended retention ({retention:g} h)",
                stored,
                "GB-months",
                ctx.price(line, "kinesis.onDemand.extendedRetention.gbMonth"),
                "monthly_ingested_gb",
            )
        return
    shards = number(res.get("shardCount"))
    if not isinstance(shards, float):
        line.unpriced("not priced: shard count not known")
        return
    line.fixed(f"{shards:g} shard(s)", shards * ctx.hours, "shard-hours", ctx.price(line, "kinesis.shard.hour"))
    units = ctx.declared(res, "monthly_put_payload_units")
    line.usage(
        "PUT payload units",
        None if units is None else units / 1e6,
        "million units",
        ctx.price(line, "kinesis.putPayloadUnits.million"),
        "monthly_put_payload_units",
    )
    if retention > 24:
        line.fixed(
            f"extended retention ({retention:g} h)",
            shards * ctx.hours,
            "shard-hours",
            ctx.price(line, "kinesis.extendedRetention.shardHour"),
        )
