"""Order consumer: records each order once, however often its event arrives.

Duplicates are normal here: a global endpoint with replication delivers each event to both Regions,
a producer retry after a lost response sends it twice, archives are replayed after a failover, and
EventBridge delivers at least once. The copies carry different event ``id`` values (ids change
across Regions and API calls), so the idempotency key is the immutable ``detail.order_id``.
The payload check (``customer_id``, ``order_total``) turns an order id reused for different content
into an error instead of a silent skip.

Across Regions, each Region's consumer processes only the events that originated in it, plus
operator replays (``origin.py`` says why): a replicated copy is skipped, not processed twice.

Environment: ``CONSUMER_REGION`` (default ``AWS_REGION``, which Lambda sets),
``IDEMPOTENCY_TABLE_NAME`` (Powertools table: key ``id``, TTL attribute
``expiration``), ``ORDERS_TABLE_NAME`` (ledger, key ``customer_id``), ``IDEMPOTENCY_TTL_SECONDS``
(how long an order id is remembered; should cover the archive replay window; default 3600, the
Powertools default).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent,
)

from . import ledger
from .origin import skip_reason

logger = Logger()

_idempotent_process: Callable[[dict[str, Any], Any], dict[str, Any]] | None = None
_orders_table: Any = None


def _orders() -> Any:
    global _orders_table
    if _orders_table is None:
        _orders_table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE_NAME"])
    return _orders_table


def _process(event: dict[str, Any], context: Any) -> dict[str, Any]:
    order = ledger.Order.from_event(event)
    totals = ledger.record_order(_orders(), order)
    logger.info(
        "order recorded",
        extra={
            "order_id": order.order_id,
            "customer_id": order.customer_id,
            "origin_region": order.origin_region,
            "event_id": event.get("id"),
        },
    )
    return {
        "order_id": order.order_id,
        "customer_id": order.customer_id,
        "customer_order_count": int(totals["order_count"]),
    }


def _build() -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    # Built on first use, not at import: the DynamoDB client is created here (tests run under moto).
    persistence = DynamoDBPersistenceLayer(table_name=os.environ["IDEMPOTENCY_TABLE_NAME"])
    config = IdempotencyConfig(
        event_key_jmespath="detail.order_id",
        payload_validation_jmespath="detail.[customer_id, order_total]",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=int(os.environ.get("IDEMPOTENCY_TTL_SECONDS", "3600")),
    )
    return idempotent(persistence_store=persistence, config=config)(_process)


def reset() -> None:
    """Forget clients and configuration (tests change the environment between cases)."""
    global _idempotent_process, _orders_table
    _idempotent_process = None
    _orders_table = None


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _idempotent_process
    skipped = skip_reason(event, os.environ.get("CONSUMER_REGION") or os.environ["AWS_REGION"])
    if skipped:
        # Skipped before the idempotency layer: no record is written, so a later replay of the
        # same order in this Region still processes it.
        logger.info("event skipped", extra={"event_id": event.get("id"), "reason": skipped})
        return {"skipped": skipped}
    if _idempotent_process is None:
        _idempotent_process = _build()
    return _idempotent_process(event, context)
