"""Lambda entry point, run on a schedule: drain the outbox to the leasing bus, publish the backlog.

Metrics (CloudWatch embedded metric format, no API call): ``OutboxSent``, ``OutboxFailedAttempts``,
``OutboxPending``, ``OutboxStuck`` and ``OutboxOldestPendingSeconds``, which the stack alarms on.
"""

from __future__ import annotations

import os

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from botocore.config import Config

from . import pg, relay

logger = Logger()
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Blueprints/Leasing"))

_events_client = None
_database: pg.Database | None = None


def events_client():
    global _events_client
    if _events_client is None:
        _events_client = boto3.client("events", config=Config(
            retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5))
    return _events_client


def database() -> pg.Database:
    global _database
    if _database is None:
        # No in-process retry: a batch interrupted after PutEvents is resent by the next run, and
        # retrying here would only send it again sooner (and count it twice in the report).
        _database = pg.Database(pg.ConnectionSettings.from_env(application_name="lease-outbox-relay"), attempts=1)
    return _database


def settings() -> relay.RelaySettings:
    return relay.RelaySettings(
        bus_name=os.environ.get("EVENT_BUS_NAME", ""),
        source=os.environ.get("EVENT_SOURCE", ""),
        batch_size=int(os.environ.get("BATCH_SIZE", str(relay.MAX_PUT_EVENTS_ENTRIES))),
    )


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event, context):
    report = relay.run(database(), events_client(), settings(), time_left_ms=context.get_remaining_time_in_millis)
    metrics.add_metric(name="OutboxSent", unit=MetricUnit.Count, value=report.sent)
    metrics.add_metric(name="OutboxFailedAttempts", unit=MetricUnit.Count, value=report.failed_attempts)
    metrics.add_metric(name="OutboxPending", unit=MetricUnit.Count, value=report.pending)
    metrics.add_metric(name="OutboxStuck", unit=MetricUnit.Count, value=report.stuck)
    metrics.add_metric(name="OutboxOldestPendingSeconds", unit=MetricUnit.Seconds, value=report.oldest_pending_seconds)
    summary = {k: v for k, v in vars(report).items() if k != "failed_ids"}
    if report.stuck:
        logger.error("outbox events keep failing", extra=summary)
    else:
        logger.info("outbox relayed", extra=summary)
    return summary
