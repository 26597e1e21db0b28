"""CloudWatch (alarms, dashboards, log groups) and EventBridge (buses, archives, API destinations) prices."""

from __future__ import annotations

from collections.abc import Mapping

from ..stack import Res
from ..values import number
from .engine import Ctx, Line, prices


@prices("aws:cloudwatch/metricAlarm:MetricAlarm")
def _metric_alarm(res: Res, ctx: Ctx, line: Line) -> None:
    queries = res.get("metricQueries", default=[]) or []
    metrics = sum(1 for q in queries if isinstance(q, Mapping) and q.get("metric")) if queries else 1
    if any(isinstance(q, Mapping) and "ANOMALY_DETECTION_BAND" in str(q.get("expression", "")) for q in queries):
        metrics = max(metrics, 1) * 3
    period = number(res.get("period"))
    resolution = "highResolution" if isinstance(period, float) and period < 60 else "standard"
    line.fixed(
        f"alarm, {resolution} resolution",
        max(metrics, 1),
        "metric-months",
        ctx.price(line, f"cloudwatch.alarm.{resolution}.month"),
    )


@prices("aws:cloudwatch/compositeAlarm:CompositeAlarm")
def _composite_alarm(res: Res, ctx: Ctx, line: Line) -> None:
    line.fixed("composite alarm", 1, "alarm-months", ctx.price(line, "cloudwatch.alarm.composite.month"))


@prices("aws:cloudwatch/dashboard:Dashboard")
def _dashboard(res: Res, ctx: Ctx, line: Line) -> None:
    line.fixed("dashboard", 1, "dashboard-months", ctx.price(line, "cloudwatch.dashboard.month"))


def _retained_gb(monthly_gb: float | None, days: object) -> tuple[float | None, str]:
    """GB at rest once a retention is reached (a month of 30.4 days); without one, a year's worth."""
    days = number(days)
    if isinstance(days, float) and days > 0:
        return (None if monthly_gb is None else monthly_gb * days / 30.4), f"{days:g}-day retention"
    return (None if monthly_gb is None else monthly_gb * 12), "no retention: a year's worth shown, growing forever"


@prices("aws:cloudwatch/logGroup:LogGroup", usage={"monthly_data_ingested_gb": "GB of logs ingested a month"})
def _log_group(res: Res, ctx: Ctx, line: Line) -> None:
    gb = ctx.declared(res, "monthly_data_ingested_gb")
    infrequent = res.get("logGroupClass") == "INFREQUENT_ACCESS"
    line.usage(
        "logs ingested",
        gb,
        "GB",
        ctx.price(line, f"cloudwatch.logs.ingest.{'infrequent' if infrequent else 'standard'}.gb"),
        "monthly_data_ingested_gb",
    )
    stored, retention = _retained_gb(gb, res.get("retentionInDays"))
    line.usage(
        f"logs stored ({retention})",
        stored,
        "GB-months",
        ctx.price(line, "cloudwatch.logs.storage.gbMonth"),
        "monthly_data_ingested_gb",
    )


@prices(
    "aws:cloudwatch/eventBus:EventBus",
    usage={"monthly_custom_events": "custom events published to the bus a month (events replicated to it count too)"},
)
def _event_bus(res: Res, ctx: Ctx, line: Line) -> None:
    events = ctx.declared(res, "monthly_custom_events")
    line.usage(
        "custom events",
        None if events is None else events / 1e6,
        "million events",
        ctx.price(line, "eventbridge.customEvents.million"),
        "monthly_custom_events",
    )


@prices("aws:cloudwatch/eventArchive:EventArchive", usage={"monthly_archived_gb": "GB of events archived a month"})
def _event_archive(res: Res, ctx: Ctx, line: Line) -> None:
    gb = ctx.declared(res, "monthly_archived_gb")
    line.usage("events archived", gb, "GB", ctx.price(line, "eventbridge.archive.gb"), "monthly_archived_gb")
    stored, retention = _retained_gb(gb, res.get("retentionDays"))
    line.usage(
        f"archive stored ({retention})",
        stored,
        "GB-months",
        ctx.price(line, "eventbridge.archive.gbMonth"),
        "monthly_archived_gb",
    )


@prices(
    "aws:cloudwatch/eventApiDestination:EventApiDestination",
    usage={"monthly_invocations": "invocations of the API destination a month"},
)
def _api_destination(res: Res, ctx: Ctx, line: Line) -> None:
    calls = ctx.declared(res, "monthly_invocations")
    line.usage(
        "invocations",
        None if calls is None else calls / 1e6,
        "million invocations",
        ctx.price(line, "eventbridge.apiDestination.million"),
        "monthly_invocations",
    )
