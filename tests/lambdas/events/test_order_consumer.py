"""The order consumer: the same order delivered twice (or in both Regions) has one effect."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal

import boto3
import pytest
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyKeyError,
    IdempotencyValidationError,
)

from lambdas.order_consumer import handler as consumer
from lambdas.order_consumer import ledger
from tests.lambdas.events.support import REGION

IDEMPOTENCY_TABLE = "orders-idempotency"
ORDERS_TABLE = "orders-ledger"
TTL_SECONDS = 3 * 24 * 3600


@pytest.fixture
def tables(monkeypatch, aws):
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(
        TableName=IDEMPOTENCY_TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_time_to_live(
        TableName=IDEMPOTENCY_TABLE,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"},
    )
    dynamodb.create_table(
        TableName=ORDERS_TABLE,
        KeySchema=[{"AttributeName": "customer_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "customer_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    monkeypatch.setenv("IDEMPOTENCY_TABLE_NAME", IDEMPOTENCY_TABLE)
    monkeypatch.setenv("ORDERS_TABLE_NAME", ORDERS_TABLE)
    monkeypatch.setenv("IDEMPOTENCY_TTL_SECONDS", str(TTL_SECONDS))
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "order-consumer")
    consumer.reset()
    yield boto3.resource("dynamodb", region_name=REGION)
    consumer.reset()


def order_event(order_id, *, region="us-east-1", customer_id="c-1", total=19.99, detail_type="OrderCreated"):
    """An EventBridge event as delivered to the rule target; ids differ for every copy."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": "com.aws.Orders",
        "account": "123456789012",
        "time": "2026-01-01T00:00:00Z",
        "region": region,
        "resources": ["arn:aws:events:us-east-1:123456789012:endpoint/OrdersGlobalEndpoint"],
        "detail": {
            "order_date": "2026-01-01T00:00:00",
            "customer_id": customer_id,
            "order_id": order_id,
            "order_total": total,
        },
    }


def ledger_row(tables, customer_id="c-1"):
    return tables.Table(ORDERS_TABLE).get_item(Key={"customer_id": customer_id}).get("Item")


def idempotency_records(tables):
    return tables.Table(IDEMPOTENCY_TABLE).scan()["Items"]


def test_the_same_order_twice_is_recorded_once(tables, lambda_context):
    first = consumer.handler(order_event("o-1"), lambda_context)
    # A duplicate in the same Region (producer retry after a lost response, redrive, at-least-once
    # delivery): same order, a new event id.
    second = consumer.handler(order_event("o-1"), lambda_context)

    row = ledger_row(tables)
    assert row["order_count"] == 1
    assert row["order_total"] == Decimal("19.99")
    assert second == first == {"order_id": "o-1", "customer_id": "c-1", "customer_order_count": 1}


def test_different_orders_each_have_their_effect(tables, lambda_context):
    consumer.handler(order_event("o-1", total=10), lambda_context)
    consumer.handler(order_event("o-2", total=5.5), lambda_context)
    consumer.handler(order_event("o-1", total=10), lambda_context)

    row = ledger_row(tables)
    assert row["order_count"] == 2 and row["order_total"] == Decimal("15.5")


def test_the_idempotency_record_expires_with_the_configured_ttl(tables, lambda_context):
    before = int(time.time())
    consumer.handler(order_event("o-1"), lambda_context)

    (record,) = idempotency_records(tables)
    assert record["status"] == "COMPLETED"
    assert before + TTL_SECONDS <= int(record["expiration"]) <= int(time.time()) + TTL_SECONDS


def test_an_order_id_reused_for_different_content_is_an_error(tables, lambda_context):
    consumer.handler(order_event("o-1", total=10), lambda_context)
    with pytest.raises(IdempotencyValidationError):
        consumer.handler(order_event("o-1", total=999), lambda_context)
    assert ledger_row(tables)["order_count"] == 1


def test_an_event_without_an_order_id_is_refused(tables, lambda_context):
    event = order_event("o-1")
    del event["detail"]["order_id"]
    with pytest.raises(IdempotencyKeyError):
        consumer.handler(event, lambda_context)
    assert ledger_row(tables) is None


@pytest.mark.parametrize(
    "change, message",
    [
        ({"detail-type": "OrderShipped"}, "detail-type"),
        ({"detail": {"order_id": "o-9", "order_total": 1}}, "customer_id"),
        ({"detail": {"order_id": "o-9", "customer_id": "c", "order_total": "lots"}}, "order_total"),
        ({"detail": {"order_id": "o-9", "customer_id": "c", "order_total": -3}}, "order_total"),
    ],
)
def test_malformed_orders_fail_and_leave_no_record(tables, lambda_context, change, message):
    event = {**order_event("o-9"), **change}
    with pytest.raises(ledger.InvalidOrderEvent, match=message):
        consumer.handler(event, lambda_context)
    assert ledger_row(tables) is None
    assert idempotency_records(tables) == []  # a corrected redelivery will be processed


def test_a_failed_attempt_is_processed_on_retry_exactly_once(tables, lambda_context, monkeypatch):
    real_record = ledger.record_order
    calls = []

    def flaky(table, order):
        calls.append(order.order_id)
        if len(calls) == 1:
            raise RuntimeError("DynamoDB hiccup")
        return real_record(table, order)

    monkeypatch.setattr(ledger, "record_order", flaky)
    with pytest.raises(RuntimeError):
        consumer.handler(order_event("o-1"), lambda_context)
    consumer.handler(order_event("o-1"), lambda_context)  # Lambda's async retry
    consumer.handler(order_event("o-1"), lambda_context)  # and a replicated copy

    assert calls == ["o-1", "o-1"]
    assert ledger_row(tables)["order_count"] == 1


# Cross-Region semantics (lambdas/order_consumer/origin.py): with replication every event reaches
# both Regions, copies "identical except for the id" whose `region` names where the endpoint
# routed it (seed S3:1629-1635). Each Region's ledger and idempotency table are its own.
PRIMARY, SECONDARY = "us-east-1", "us-west-2"


def test_a_replicated_copy_is_skipped_in_the_other_region(tables, lambda_context, monkeypatch):
    monkeypatch.setenv("CONSUMER_REGION", SECONDARY)

    response = consumer.handler(order_event("o-repl", region=PRIMARY), lambda_context)

    assert PRIMARY in response["skipped"]
    assert ledger_row(tables) is None and idempotency_records(tables) == []


def test_events_routed_to_this_region_during_a_failover_are_processed(tables, lambda_context, monkeypatch):
    monkeypatch.setenv("CONSUMER_REGION", SECONDARY)

    consumer.handler(order_event("o-failover", region=SECONDARY), lambda_context)

    assert ledger_row(tables)["order_count"] == 1


def test_a_replay_is_processed_whatever_its_origin_and_only_once(tables, lambda_context, monkeypatch):
    monkeypatch.setenv("CONSUMER_REGION", SECONDARY)
    replayed = {**order_event("o-gap", region=PRIMARY), "replay-name": "recover-2026-01-01"}

    consumer.handler(replayed, lambda_context)
    consumer.handler({**replayed, "id": str(uuid.uuid4())}, lambda_context)  # replayed twice

    assert ledger_row(tables)["order_count"] == 1


def test_the_lambda_region_is_the_default(tables, lambda_context, monkeypatch):
    monkeypatch.delenv("CONSUMER_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", SECONDARY)

    assert "skipped" in consumer.handler(order_event("o-x", region=PRIMARY), lambda_context)
