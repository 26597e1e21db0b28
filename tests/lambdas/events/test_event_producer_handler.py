"""The producer as a Lambda function."""

from __future__ import annotations

import json

import pytest

from lambdas.event_producer import EventsNotDeliveredError
from lambdas.event_producer import handler as producer_handler
from tests.lambdas.events.fake_endpoint import break_sqs_sends
from tests.lambdas.events.support import BUS, ENDPOINT_ID, queue_bodies


@pytest.fixture
def producer_env(monkeypatch, buffer_queue, fake_bridge):
    monkeypatch.setenv("EVENT_BUS_NAME", BUS)
    monkeypatch.setenv("EVENT_ENDPOINT_ID", ENDPOINT_ID)
    monkeypatch.setenv("BUFFER_QUEUE_URL", buffer_queue)
    monkeypatch.setenv("BUFFER_DELAY_SECONDS", "0")
    monkeypatch.setenv("RETRY_MAX_ATTEMPTS", "2")
    producer_handler.reset()
    producer = producer_handler.get_producer()
    fake_bridge.attach(producer.events_client)
    producer._sleep = lambda seconds: None  # keep the test fast; backoff itself is tested elsewhere
    producer.buffer._sleep = lambda seconds: None
    yield producer
    producer_handler.reset()


ORDER = {"Source": "com.aws.Orders", "DetailType": "OrderCreated"}


def test_the_handler_dead_letters_entries_that_can_never_be_accepted(
    producer_env, monkeypatch, fake_bridge, lambda_context, buffer_queue, buffer_dlq
):
    monkeypatch.setenv("BUFFER_DLQ_URL", buffer_dlq)
    producer_handler.reset()
    producer = producer_handler.get_producer()
    fake_bridge.attach(producer.events_client)
    fake_bridge.fail_entry = lambda entry, call: "NotAuthorizedForSourceException"

    response = producer_handler.handler({"entries": [{**ORDER, "Detail": {"order_id": "x"}}]}, lambda_context)

    assert [e["status"] for e in response["entries"]] == ["dead-lettered"]
    assert [b["entry"]["Source"] for b in queue_bodies(buffer_dlq)] == ["com.aws.Orders"]
    assert queue_bodies(buffer_queue) == []


def test_the_handler_publishes_through_the_endpoint_and_reports_each_entry(producer_env, fake_bridge, lambda_context):
    event = {"entries": [{**ORDER, "Detail": {"order_id": f"o-{i}"}} for i in range(12)]}

    response = producer_handler.handler(event, lambda_context)

    assert response["delivered"] == 12 and response["buffered"] == 0
    assert [e["status"] for e in response["entries"]] == ["delivered"] * 12
    assert all(call.endpoint_id == ENDPOINT_ID for call in fake_bridge.calls)
    assert {e["EventBusName"] for e in fake_bridge.accepted} == {BUS}


def test_the_handler_buffers_what_a_dead_region_refuses(producer_env, fake_bridge, lambda_context, buffer_queue):
    fake_bridge.dead = True
    event = {"entries": [{**ORDER, "Detail": {"order_id": "o-1"}}]}

    response = producer_handler.handler(event, lambda_context)

    assert response["delivered"] == 0 and response["buffered"] == 1
    assert response["entries"][0]["status"] == "buffered"
    (body,) = queue_bodies(buffer_queue)
    assert json.loads(body["entry"]["Detail"]) == {"order_id": "o-1"}


def test_the_invocation_fails_when_events_can_be_neither_delivered_nor_buffered(
    producer_env, fake_bridge, lambda_context
):
    fake_bridge.dead = True
    break_sqs_sends(producer_env.buffer.client)
    with pytest.raises(EventsNotDeliveredError):
        producer_handler.handler({"entries": [{**ORDER, "Detail": {"order_id": "o-1"}}]}, lambda_context)


def test_a_short_remaining_time_skips_the_retries(producer_env, fake_bridge, lambda_context):
    fake_bridge.dead = True
    lambda_context.remaining_ms = 1_000  # less than the time reserved for buffering

    response = producer_handler.handler({"entries": [{**ORDER, "Detail": {"order_id": "o"}}]}, lambda_context)

    assert len(fake_bridge.calls) == 1
    assert response["entries"][0]["reason"].startswith("out of time")


@pytest.mark.parametrize("event", [{}, {"entries": []}, {"entries": "x"}, []])
def test_a_malformed_invocation_is_rejected(producer_env, lambda_context, event):
    with pytest.raises(ValueError, match="entries"):
        producer_handler.handler(event, lambda_context)


def test_missing_configuration_is_named(monkeypatch, aws, lambda_context):
    monkeypatch.delenv("EVENT_BUS_NAME", raising=False)
    monkeypatch.delenv("BUFFER_QUEUE_URL", raising=False)
    producer_handler.reset()
    with pytest.raises(RuntimeError, match="EVENT_BUS_NAME, BUFFER_QUEUE_URL"):
        producer_handler.handler({"entries": [{**ORDER, "Detail": {}}]}, lambda_context)
