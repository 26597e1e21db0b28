"""OpenSearch domains and Kinesis streams."""

from __future__ import annotations

from typing import Any

from ..stack import Res
from ..values import get, number
from .engine import Ctx, Line, money, prices


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
        line.add(cost, note=f"{how_many:g} x {instance_type} {kind} {money(cost)}")

    nodes("data", data_type, count)
    if get(config, "dedicatedMasterEnabled") is True:
        masters = number(get(config, "dedicatedMasterCount"))
        nodes("dedicated master", get(config, "dedicatedMasterType"), masters if isinstance(masters, float) else 3.0)
    if get(config, "warmEnabled") is True:
        warm = number(get(config, "warmCount"))
        nodes("UltraWarm", get(config, "warmType"), warm if isinstance(warm, float) else 2.0)
        gb = ctx.usage(res, "opensearchWarmGb")
        cost = gb * ctx.price(line, "opensearch.managedStorage.gbMonth")
        line.add(cost, low=0, note=f"{gb:g} GB UltraWarm storage {money(cost)}")
    if get(config, "coldStorageOptions", "enabled") is True:
        gb = ctx.usage(res, "opensearchColdGb")
        cost = gb * ctx.price(line, "opensearch.managedStorage.gbMonth")
        line.add(cost, low=0, note=f"{gb:g} GB cold storage {money(cost)}")

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
        detail = f"{volume_type} {size:g} GB x {count:g} nodes {money(cost)}"
        if volume_type == "gp3":
            iops, throughput = number(get(ebs, "iops")), number(get(ebs, "throughput"))
            if isinstance(iops, float) and iops > 3000:
                cost_iops = (iops - 3000) * count * ctx.price(line, "opensearch.gp3.iopsMonth")
                cost += cost_iops
                detail += f" + extra IOPS {money(cost_iops)}"
            if isinstance(throughput, float) and throughput > 125:
                cost_tp = (throughput - 125) * count * ctx.price(line, "opensearch.gp3.throughputMonth")
                cost += cost_tp
                detail += f" + extra throughput {money(cost_tp)}"
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
        line.add(hourly, note=f"on-demand stream {money(hourly)}")
        line.add(data, low=0, note=f"{gb:g} GB in, {consumers:g} consumer(s) {money(data)}")
        if retention > 24:
            stored = gb * (min(retention, 168) - 24) / ctx.hours
            cost = stored * ctx.price(line, "kinesis.onDemand.extendedRetention.gbMonth")
            line.add(cost, low=0, note=f"extended retention {retention:g} h {money(cost)}")
        return
    shards = number(res.get("shardCount"))
    if not isinstance(shards, float):
        line.unpriced("not priced: shard count not known")
        return
    hourly = shards * ctx.price(line, "kinesis.shard.hour") * ctx.hours
    records = ctx.usage(res, "kinesisRecordsPerMonth")
    puts = records / 1e6 * ctx.price(line, "kinesis.putPayloadUnits.million")
    line.add(hourly, note=f"{shards:g} shard(s) {money(hourly)}")
    line.add(puts, low=0, note=f"{records:,.0f} PUT payload units {money(puts)}")
    if retention > 24:
        cost = shards * ctx.price(line, "kinesis.extendedRetention.shardHour") * ctx.hours
        line.add(cost, note=f"extended retention {retention:g} h {money(cost)}")
