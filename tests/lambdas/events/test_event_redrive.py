"""The redrive: buffered entries are republished, and a message is deleted only once accepted."""

from __future__ import annotations

import json
import random

import boto3
import pytest

from lambdas.event_producer import EventProducer, RetryPolicy, SqsBuffer
from lambdas.event_producer.buffer import encode_message
from lambdas.event_producer.model import Failed
from lambdas.event_redrive import handler as redrive_handler
from lambdas.event_redrive.drain import drain_queue
from lambdas.event_redrive.messages import UnreadableMessage, read_entry
from lambdas.event_redrive.republish import Republisher
from tests.lambdas.events.fake_endpoint import FakeEventBridge
from tests.lambdas.events.support import BUS, ENDPOINT_ID, REGION, order_entry, queue_depth


def order_id(entry):
    return json.loads(entry["Detail"])["order_id"]


def buffer_while_dead(queue_url, entries, clock):
    """Run the real producer against a dead Region so it fills the buffer."""
    dead = FakeEventBridge(dead=True)
    producer = EventProducer(
        event_bus_name=BUS,
        endpoint_id=ENDPOINT_ID,
        region_name=REGION,
        buffer=SqsBuffer(queue_url, sleep=clock.sleep),
        retry=RetryPolicy(max_attempts=2),
        sleep=clock.sleep,
        clock=clock,
        rng=random.Random(0),
    )
    dead.attach(producer.events_client)
    result = producer.publish(entries)
    assert len(result.buffered) == len(entries)


def make_republisher(fake):
    republisher = Republisher(endpoint_id=ENDPOINT_ID, region_name=REGION)
    fake.attach(republisher.events_client)
    return republisher


def test_the_reader_reads_what_the_producer_writes():
    entry = order_entry("o-1")
    body = encode_message(Failed(0, entry, "ThrottlingException: slow down", 6, True))
    assert read_entry(body) == entry


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"entry": {}}),
        json.dumps({"format": "blueprints.eventbridge-buffer.v1", "entry": {"Source": "x"}}),
    ],
)
def test_foreign_messages_are_unreadable(body):
    with pytest.raises(UnreadableMessage):
        read_entry(body)


def test_draining_after_recovery_republishes_everything_and_empties_the_queue(aws, buffer_queue, clock):
    entries = [order_entry(f"order-{i}") for i in range(23)]
    buffer_while_dead(buffer_queue, entries, clock)
    healthy = FakeEventBridge()

    report = drain_queue(
        buffer_queue,
        republisher=make_republisher(healthy),
        sqs_client=boto3.client("sqs", region_name=REGION),
    )

    assert report.republished == report.deleted == 23 and not report.failed
    assert sorted(order_id(e) for e in healthy.accepted) == sorted(order_id(e) for e in entries)
    assert all(len(call.entries) <= 10 for call in healthy.calls)
    assert all(call.endpoint_id == ENDPOINT_ID for call in healthy.calls)
    assert queue_depth(buffer_queue) == 0


def test_messages_whose_entries_fail_again_stay_in_the_queue(aws, buffer_queue, clock):
    entries = [order_entry(f"order-{i}") for i in range(12)]
    buffer_while_dead(buffer_queue, entries, clock)
    still_failing = {"order-3", "order-9"}
    partial = FakeEventBridge(
        fail_entry=lambda e, call: "ThrottlingException" if order_id(e) in still_failing else None
    )

    report = drain_queue(
        buffer_queue,
        republisher=make_republisher(partial),
        sqs_client=boto3.client("sqs", region_name=REGION),
    )

    assert report.deleted == 10 and len(report.failed) == 2
    assert sorted(order_id(e) for e in partial.accepted) == sorted(
        f"order-{i}" for i in range(12) if f"order-{i}" not in still_failing
    )
    assert queue_depth(buffer_queue) == 2  # kept for the next try (and the DLQ after that)


def test_a_dead_region_deletes_nothing(aws, buffer_queue, clock):
    buffer_while_dead(buffer_queue, [order_entry() for _ in range(5)], clock)

    report = drain_queue(
        buffer_queue,
        republisher=make_republisher(FakeEventBridge(dead=True)),
        sqs_client=boto3.client("sqs", region_name=REGION),
    )

    assert report.deleted == 0 and len(report.failed) == 5
    assert queue_depth(buffer_queue) == 5


def sqs_event(queue_url):
    """What the SQS event source mapping would hand the function for the queued messages."""
    messages = boto3.client("sqs", region_name=REGION).receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]
    )["Messages"]
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:orders-bus-buffer",
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


@pytest.fixture
def redrive_env(monkeypatch, aws):
    monkeypatch.setenv("EVENT_ENDPOINT_ID", ENDPOINT_ID)
    redrive_handler.reset()
    yield
    redrive_handler.reset()


def test_the_handler_reports_only_the_records_not_republished(redrive_env, buffer_queue, clock, lambda_context):
    buffer_while_dead(buffer_queue, [order_entry(f"order-{i}") for i in range(6)], clock)
    event = sqs_event(buffer_queue)
    event["Records"].append({**event["Records"][0], "messageId": "junk", "body": "{}"})
    fake = FakeEventBridge(fail_entry=lambda e, call: "InternalFailure" if order_id(e) == "order-4" else None)
    fake.attach(redrive_handler.get_republisher().events_client)

    response = redrive_handler.handler(event, lambda_context)

    failed_ids = {f["itemIdentifier"] for f in response["batchItemFailures"]}
    (order4,) = [
        r["messageId"]
        for r in event["Records"]
        if r["messageId"] != "junk" and order_id(read_entry(r["body"])) == "order-4"
    ]
    assert failed_ids == {order4, "junk"}
    assert len(fake.accepted) == 5
    assert len(fake.calls) == 1  # the whole batch in one PutEvents


def test_a_fully_failed_batch_is_reported_not_raised(redrive_env, buffer_queue, clock, lambda_context):
    buffer_while_dead(buffer_queue, [order_entry() for _ in range(3)], clock)
    event = sqs_event(buffer_queue)
    FakeEventBridge(dead=True).attach(redrive_handler.get_republisher().events_client)

    response = redrive_handler.handler(event, lambda_context)

    assert {f["itemIdentifier"] for f in response["batchItemFailures"]} == {r["messageId"] for r in event["Records"]}


def test_records_that_can_never_be_republished_move_to_the_dlq_at_once(
    redrive_env, monkeypatch, buffer_queue, buffer_dlq, clock, lambda_context
):
    monkeypatch.setenv("BUFFER_DLQ_URL", buffer_dlq)
    buffer_while_dead(buffer_queue, [order_entry(f"order-{i}") for i in range(4)], clock)
    event = sqs_event(buffer_queue)
    event["Records"].append({**event["Records"][0], "messageId": "junk", "body": "{}"})
    # order-1 is refused for good (non-retryable), order-2 only for now (throttled).
    codes = {"order-1": "MalformedDetail", "order-2": "ThrottlingException"}
    fake = FakeEventBridge(fail_entry=lambda e, call: codes.get(order_id(e)))
    fake.attach(redrive_handler.get_republisher().events_client)

    response = redrive_handler.handler(event, lambda_context)

    by_order = {order_id(read_entry(r["body"])): r["messageId"] for r in event["Records"] if r["messageId"] != "junk"}
    # Only the throttled one is handed back to SQS for a later try.
    assert {f["itemIdentifier"] for f in response["batchItemFailures"]} == {by_order["order-2"]}
    dead = (
        boto3.client("sqs", region_name=REGION)
        .receive_message(QueueUrl=buffer_dlq, MaxNumberOfMessages=10)
        .get("Messages", [])
    )
    bodies = sorted(m["Body"] for m in dead)
    expected = sorted(r["body"] for r in event["Records"] if r["messageId"] in {by_order["order-1"], "junk"})
    assert bodies == expected  # moved unchanged, so an operator can move them back


def test_without_a_dlq_hopeless_records_stay_in_the_buffer(redrive_env, buffer_queue, clock, lambda_context):
    buffer_while_dead(buffer_queue, [order_entry("order-1")], clock)
    event = sqs_event(buffer_queue)
    FakeEventBridge(fail_entry=lambda e, call: "MalformedDetail").attach(
        redrive_handler.get_republisher().events_client
    )

    response = redrive_handler.handler(event, lambda_context)

    assert [f["itemIdentifier"] for f in response["batchItemFailures"]] == [event["Records"][0]["messageId"]]
