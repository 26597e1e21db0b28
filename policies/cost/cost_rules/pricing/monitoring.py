"""CloudWatch (alarms, dashboards, log groups) and EventBridge (buses, archives, API destinations) prices."""

from __future__ import annotations

from collections.abc import Mapping

from ..stack import Res
from ..values import number
from .engine import Ctx, Line, money, prices


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
    line.add(ingest + storage, low=0, note=f"{gb:g} GB ingested {money(ingest)}; {retention} {money(storage)}")


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
    line.add(ingest + storage, low=0, note=f"{gb:g} GB archived {money(ingest)}; {retention}: "
                                           f"{stored:.2f} GB stored {money(storage)}")


@prices("aws:cloudwatch/eventApiDestination:EventApiDestination")
def _api_destination(res: Res, ctx: Ctx, line: Line) -> None:
    calls = ctx.usage(res, "apiDestinationInvocationsPerMonth")
    cost = calls / 1e6 * ctx.price(line, "eventbridge.apiDestination.million")
    line.add(cost, low=0, note=f"{calls:,.0f} invocations a month")
