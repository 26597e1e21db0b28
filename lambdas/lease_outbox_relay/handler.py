"""Lambda entry point, run on a schedule in every Region: on the writer, drain the outbox to the
lease bus of every Region; everywhere, publish the backlog.

Environment (besides the database settings of ``pg.py``):

``EVENT_BUS_ARNS``
    the lease bus ARN of every deployed Region, comma-separated (this Region's included).
``EVENT_SOURCE``
    the ``source`` of the events (not starting with ``aws.``).
``DB_HOST``
    this Region's RDS Proxy read/write endpoint (not the writer alias): the relay is active
    exactly when its own Region holds the writer, which is how it follows failovers.

Metrics (CloudWatch embedded metric format, no API call): ``OutboxSent``, ``OutboxFailedAttempts``,
``OutboxPending``, ``OutboxStuck``, ``OutboxOldestPendingSeconds`` and ``OutboxRelayStandby``
(1 where the database is a read-only secondary), which the stack alarms on.
"""

from __future__ import annotations

import os

import boto3
import psycopg
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from botocore.config import Config

from . import pg, relay

logger = Logger()
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Blueprints/Leasing"))

_events_clients: dict[str, object] = {}
_database: pg.Database | None = None


def events_client(region: str):
    """One client per Region, each calling its own Region's endpoint (a bus is put to in its
    Region: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html)."""
    if region not in _events_clients:
        _events_clients[region] = boto3.client(
            "events",
            region_name=region,
            config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5),
        )
    return _events_clients[region]


def database() -> pg.Database:
    global _database
    if _database is None:
        # DB_USER is the application role of the migrations (IAM database authentication).
        # No in-process retry: a batch interrupted after PutEvents is resent by the next run, and
        # retrying here would only send it again sooner (and count it twice in the report).
        _database = pg.Database(pg.ConnectionSettings.from_env(application_name="lease-outbox-relay"), attempts=1)
    return _database


def settings() -> relay.RelaySettings:
    return relay.RelaySettings(
        bus_arns=tuple(arn.strip() for arn in os.environ.get("EVENT_BUS_ARNS", "").split(",") if arn.strip()),
        source=os.environ.get("EVENT_SOURCE", ""),
        batch_size=int(os.environ.get("BATCH_SIZE", str(relay.MAX_PUT_EVENTS_ENTRIES))),
    )


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event, context):
    try:
        db = database()
        report = relay.run(db, events_client, settings(), time_left_ms=context.get_remaining_time_in_millis)
    except psycopg.OperationalError as error:
        if not pg.is_proxy_without_writer(error):
            raise
        report = relay.RelayReport(standby=True)  # a secondary Region's proxy: nothing to relay here
    metrics.add_metric(name="OutboxRelayStandby", unit=MetricUnit.Count, value=int(report.standby))
    metrics.add_metric(name="OutboxSent", unit=MetricUnit.Count, value=report.sent)
    metrics.add_metric(name="OutboxFailedAttempts", unit=MetricUnit.Count, value=report.failed_attempts)
    metrics.add_metric(name="OutboxPending", unit=MetricUnit.Count, value=report.pending)
    metrics.add_metric(name="OutboxStuck", unit=MetricUnit.Count, value=report.stuck)
    metrics.add_metric(name="OutboxOldestPendingSeconds", unit=MetricUnit.Seconds, value=report.oldest_pending_seconds)
    summary = {k: v for k, v in vars(report).items() if k not in ("failed_ids", "unreachable")}
    if report.stuck:
        logger.error("outbox events keep failing", extra=summary)
    else:
        logger.info("outbox relayed", extra=summary)
    return summary
