"""The leasing bus's Lambda target: turns lease events into CloudWatch metrics per community.

Metrics (embedded metric format, namespace ``POWERTOOLS_METRICS_NAMESPACE``, dimension
``community``): ``LeaseApplications``, ``LeasesCreated``, ``RentPayments`` and ``RentCollected``
(dollars). The outbox relay delivers at least once, so the same event can arrive twice; Powertools
idempotency, keyed on ``detail.event_id`` in the DynamoDB table ``IDEMPOTENCY_TABLE``, makes a
redelivery return the first result without running (and counting) again.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function

logger = Logger()
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Blueprints/Leasing"))

SUBMITTED, CREATED, PAID = "Lease Application Submitted", "Lease Created", "Rent Payment Recorded"
config = IdempotencyConfig(
    event_key_jmespath="detail.event_id",
    raise_on_no_idempotency_key=True,  # an event without an id cannot be deduplicated: refuse it
    expires_after_seconds=int(os.environ.get("IDEMPOTENCY_TTL_SECONDS", str(7 * 24 * 3600))),
)
_recorder: Callable[..., dict] | None = None


def count(event: dict) -> dict:
    """The metrics one lease event adds."""
    detail, kind = event["detail"], event["detail-type"]
    values: dict[str, float] = {}
    if kind == SUBMITTED:
        values = {"LeaseApplications": 1}
    elif kind == CREATED:
        values = {"LeasesCreated": 1}
    elif kind == PAID:
        values = {"RentPayments": 1, "RentCollected": detail["amount_cents"] / 100}
    return {"event_id": detail["event_id"], "community": detail.get("community_id", "unknown"), "metrics": values}


def record(event: dict) -> dict:
    """Runs once per event id; its metrics are published when the invocation ends."""
    result = count(event)
    for name, value in result["metrics"].items():
        metrics.add_metric(
            name=name, unit=MetricUnit.NoUnit if name == "RentCollected" else MetricUnit.Count, value=value
        )
    if result["metrics"]:
        metrics.add_dimension(name="community", value=result["community"])
    return result


def recorder() -> Callable[..., dict]:
    """``record`` made idempotent; built on first use so the table comes from the environment."""
    global _recorder
    if _recorder is None:
        store = DynamoDBPersistenceLayer(table_name=os.environ["IDEMPOTENCY_TABLE"])
        _recorder = idempotent_function(data_keyword_argument="event", persistence_store=store, config=config)(record)
    return _recorder


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event, context):
    config.register_lambda_context(context)
    result = recorder()(event=event)
    logger.info("lease event", extra={"event_id": result["event_id"], "detail_type": event.get("detail-type")})
    return result
