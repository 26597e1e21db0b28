"""The producer: every event is delivered or buffered, none lost, whatever EventBridge does."""

from __future__ import annotations

import json
import random
from collections import Counter, deque

import boto3
import pytest

from lambdas.event_producer import (
    EventProducer,
    EventsNotDeliveredError,
    InvalidEntryError,
    RetryPolicy,
    SqsBuffer,
)
from lambdas.event_producer import producer as producer_module
from tests.lambdas.events.fake_endpoint import (
    ACCESS_DENIED,
    DEAD,
    SERVER_ERROR,
    THROTTLE,
    TIMEOUT_AFTER_ACCEPT,
    FakeEventBridge,
    break_sqs_sends,
)
from tests.lambdas.events.support import BUS, ENDPOINT_ID, REGION, order_entry, queue_bodies


def make_producer(fake, clock, *, queue_url=None, dlq_url=None, endpoint_id=ENDPOINT_ID, retry=None, seed=1):
    buffer = (
        SqsBuffer(queue_url, dead_letter_queue_url=dlq_url, sleep=clock.sleep, rng=random.Random(seed))
        if queue_url
        else None
    )
    producer = EventProducer(
        event_bus_name=BUS,
        endpoint_id=endpoint_id,
        region_name=REGION,
        buffer=buffer,
        retry=retry or RetryPolicy(),
        sleep=clock.sleep,
        clock=clock,
        rng=random.Random(seed),
    )
    fake.attach(producer.events_client)
    return producer


def order_ids(entries):
    return [json.loads(e["Detail"])["order_id"] for e in entries]


def test_global_endpoint_calls_are_sigv4a_signed_and_sent_to_the_endpoint_host(aws, fake_bridge, clock):
    producer = make_producer(fake_bridge, clock)
    producer.publish([order_entry()])

    (call,) = fake_bridge.calls
    assert call.url == f"https://{ENDPOINT_ID}.endpoint.events.amazonaws.com/"
    assert call.endpoint_id == ENDPOINT_ID
    assert call.headers["Authorization"].startswith("AWS4-ECDSA-P256-SHA256 ")  # SigV4a
    assert call.headers["X-Amz-Region-Set"] == "*"
    assert call.entries[0]["EventBusName"] == BUS


def test_without_an_endpoint_id_events_go_to_the_regional_bus(aws, fake_bridge, clock):
    producer = make_producer(fake_bridge, clock, endpoint_id=None)
    producer.publish([order_entry()])

    (call,) = fake_bridge.calls
    assert call.url == f"https://events.{REGION}.amazonaws.com/"
    assert call.endpoint_id is None
    assert call.headers["Authorization"].startswith("AWS4-HMAC-SHA256 ")


def test_batches_hold_at_most_ten_entries_and_keep_the_callers_order(aws, fake_bridge, clock):
    entries = [order_entry() for _ in range(25)]
    result = make_producer(fake_bridge, clock).publish(entries)

    assert [len(c.entries) for c in fake_bridge.calls] == [10, 10, 5]
    assert order_ids(fake_bridge.accepted) == order_ids(entries)
    assert [d.index for d in result.delivered] == list(range(25))
    assert [s["status"] for s in result.statuses()] == ["delivered"] * 25


def test_batches_stay_under_the_request_size_limit(aws, fake_bridge, clock):
    big = [{**order_entry(), "Detail": json.dumps({"order_id": str(i), "blob": "x" * 100_000})} for i in range(3)]
    make_producer(fake_bridge, clock).publish(big)

    assert [len(c.entries) for c in fake_bridge.calls] == [2, 1]


def test_only_the_failed_entries_of_a_partial_failure_are_retried(aws, fake_bridge, clock):
    entries = [order_entry(f"order-{i}") for i in range(10)]
    flaky = {"order-2", "order-7"}
    fake_bridge.fail_entry = lambda entry, call: (
        "ThrottlingException" if call == 1 and json.loads(entry["Detail"])["order_id"] in flaky else None
    )

    result = make_producer(fake_bridge, clock).publish(entries)

    assert [len(c.entries) for c in fake_bridge.calls] == [10, 2]
    assert set(order_ids(fake_bridge.calls[1].entries)) == flaky
    assert sorted(order_ids(fake_bridge.accepted)) == sorted(order_ids(entries))
    assert len(result.delivered) == 10 and not result.buffered


def test_failures_from_several_batches_are_retried_together(aws, fake_bridge, clock):
    entries = [order_entry(f"order-{i}") for i in range(30)]
    fake_bridge.fail_entry = lambda entry, call: (
        "InternalFailure" if call <= 3 and json.loads(entry["Detail"])["order_id"].endswith("1") else None
    )

    make_producer(fake_bridge, clock).publish(entries)

    # order-1, -11, -21 failed in three different batches and share one retry call
    assert [len(c.entries) for c in fake_bridge.calls] == [10, 10, 10, 3]


def test_throttled_calls_back_off_exponentially_with_jitter(aws, fake_bridge, clock):
    fake_bridge.call_outcomes = deque([THROTTLE, THROTTLE, SERVER_ERROR, THROTTLE])
    policy = RetryPolicy(max_attempts=6, base_delay=0.2, max_delay=1.0)

    result = make_producer(fake_bridge, clock, retry=policy).publish([order_entry()])

    assert len(result.delivered) == 1
    assert len(fake_bridge.calls) == 5
    ceilings = [0.2, 0.4, 0.8, 1.0]  # doubling, capped at max_delay
    assert len(clock.sleeps) == 4
    for slept, ceiling in zip(clock.sleeps, ceilings):
        assert 0.0 <= slept <= ceiling
    assert len(set(clock.sleeps)) == 4  # jittered, not a fixed schedule


def test_full_jitter_spreads_delays_over_the_whole_window():
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    rng = random.Random(3)
    delays = [policy.delay(3, rng) for _ in range(2000)]
    assert min(delays) >= 0.0 and max(delays) <= 4.0
    assert min(delays) < 0.2 and max(delays) > 3.8
    assert policy.ceiling(10) == 8.0


def test_a_dead_region_sends_every_event_to_the_buffer(aws, fake_bridge, clock, buffer_queue):
    fake_bridge.dead = True
    entries = [order_entry() for _ in range(23)]

    result = make_producer(fake_bridge, clock, queue_url=buffer_queue).publish(entries)

    assert not result.delivered and len(result.buffered) == 23
    assert len(fake_bridge.calls) == 3 * RetryPolicy().max_attempts  # every batch, every attempt
    bodies = queue_bodies(buffer_queue)
    assert sorted(order_ids([b["entry"] for b in bodies])) == sorted(order_ids(entries))
    assert all("EndpointConnectionError" in b["reason"] for b in bodies)
    assert all(b["format"] == "blueprints.eventbridge-buffer.v1" for b in bodies)
    assert {s["status"] for s in result.statuses()} == {"buffered"}


def test_a_region_that_comes_back_during_the_retries_gets_everything(aws, fake_bridge, clock, buffer_queue):
    fake_bridge.call_outcomes = deque([DEAD, DEAD, DEAD, DEAD])
    entries = [order_entry() for _ in range(15)]

    result = make_producer(fake_bridge, clock, queue_url=buffer_queue).publish(entries)

    assert len(result.delivered) == 15 and not result.buffered
    assert sorted(order_ids(fake_bridge.accepted)) == sorted(order_ids(entries))
    assert queue_bodies(buffer_queue) == []


# PutEventsResultEntry.ErrorCode: "Retryable errors include InternalFailure, ThrottlingException;
# non-retryable errors include AccessDeniedException, InvalidAccountIdException, InvalidArgument,
# MalformedDetail, RedactionFailure, NotAuthorizedForSourceException,
# NotAuthorizedForDetailTypeException" (EventBridge API reference, PutEventsResultEntry).
@pytest.mark.parametrize("code", ["MalformedDetail", "AccessDeniedException", "InvalidArgument"])
def test_non_retryable_entry_errors_go_to_the_dead_letter_queue_at_once(
    aws, fake_bridge, clock, buffer_queue, buffer_dlq, code
):
    fake_bridge.fail_entry = lambda entry, call: code if json.loads(entry["Detail"])["order_id"] == "bad" else None
    entries = [order_entry("good"), order_entry("bad")]

    result = make_producer(fake_bridge, clock, queue_url=buffer_queue, dlq_url=buffer_dlq).publish(entries)

    assert len(fake_bridge.calls) == 1 and clock.sleeps == []
    assert [d.index for d in result.delivered] == [0]
    assert [(b.index, b.reason.split(":")[0], b.dead_lettered) for b in result.buffered] == [(1, code, True)]
    assert result.statuses()[1]["status"] == "dead-lettered"
    # Not in the buffer, where the redrive would fail it again and again for its retention.
    assert queue_bodies(buffer_queue) == []
    assert order_ids([b["entry"] for b in queue_bodies(buffer_dlq)]) == ["bad"]


def test_retryable_failures_still_go_to_the_buffer_when_a_dlq_is_set(aws, fake_bridge, clock, buffer_queue, buffer_dlq):
    fake_bridge.dead = True

    result = make_producer(
        fake_bridge,
        clock,
        queue_url=buffer_queue,
        dlq_url=buffer_dlq,
        retry=RetryPolicy(max_attempts=2),
    ).publish([order_entry("later")])

    assert [b.dead_lettered for b in result.buffered] == [False]
    assert order_ids([b["entry"] for b in queue_bodies(buffer_queue)]) == ["later"]
    assert queue_bodies(buffer_dlq) == []


def test_without_a_dlq_non_retryable_entries_are_kept_in_the_buffer(aws, fake_bridge, clock, buffer_queue):
    fake_bridge.fail_entry = lambda entry, call: "MalformedDetail"

    result = make_producer(fake_bridge, clock, queue_url=buffer_queue).publish([order_entry("bad")])

    assert len(fake_bridge.calls) == 1
    assert [b.dead_lettered for b in result.buffered] == [False]
    assert order_ids([b["entry"] for b in queue_bodies(buffer_queue)]) == ["bad"]


def test_a_non_retryable_call_error_is_not_retried(aws, fake_bridge, clock, buffer_queue, buffer_dlq):
    fake_bridge.call_outcomes = deque([ACCESS_DENIED])

    result = make_producer(fake_bridge, clock, queue_url=buffer_queue, dlq_url=buffer_dlq).publish([order_entry()])

    assert len(fake_bridge.calls) == 1
    assert result.buffered[0].reason.startswith("AccessDeniedException")
    assert result.buffered[0].dead_lettered


def test_events_are_raised_not_dropped_when_the_buffer_fails_too(aws, fake_bridge, clock, buffer_queue):
    fake_bridge.fail_entry = lambda entry, call: (
        "InternalFailure" if json.loads(entry["Detail"])["order_id"].startswith("x") else None
    )
    entries = [order_entry("ok-1"), order_entry("x-1"), order_entry("ok-2"), order_entry("x-2")]
    producer = make_producer(fake_bridge, clock, queue_url=buffer_queue)
    sqs_calls = break_sqs_sends(producer.buffer.client)

    with pytest.raises(EventsNotDeliveredError) as raised:
        producer.publish(entries)

    error = raised.value
    assert [f.index for f in error.undelivered] == [1, 3]
    assert order_ids([f.entry for f in error.undelivered]) == ["x-1", "x-2"]
    assert all("buffering failed too: EndpointConnectionError" in f.reason for f in error.undelivered)
    assert [d.index for d in error.result.delivered] == [0, 2]
    assert error.result.total == 4
    assert len(sqs_calls) == producer.buffer.retry.max_attempts
    assert "2 of 4 events were neither delivered nor buffered" in str(error)


def test_sqs_entries_reported_failed_are_retried_then_raised(aws, fake_bridge, clock, buffer_queue):
    fake_bridge.dead = True
    producer = make_producer(fake_bridge, clock, queue_url=buffer_queue)
    sqs_calls = break_sqs_sends(producer.buffer.client, outcome="partial", sender_fault=True)

    with pytest.raises(EventsNotDeliveredError) as raised:
        producer.publish([order_entry()])

    assert len(sqs_calls) == 1  # a sender fault will not get better by retrying
    assert "InternalError" in raised.value.undelivered[0].reason


def test_without_a_buffer_failures_are_raised(aws, fake_bridge, clock):
    fake_bridge.dead = True
    with pytest.raises(EventsNotDeliveredError) as raised:
        make_producer(fake_bridge, clock).publish([order_entry(), order_entry()])
    assert len(raised.value.undelivered) == 2
    assert all("no buffer configured" in f.reason for f in raised.value.undelivered)


def test_the_deadline_stops_retrying_and_buffers_the_rest(aws, fake_bridge, clock, buffer_queue):
    fake_bridge.dead = True
    producer = make_producer(
        fake_bridge,
        clock,
        queue_url=buffer_queue,
        retry=RetryPolicy(max_attempts=50, base_delay=1.0, max_delay=1.0),
    )

    result = producer.publish([order_entry()], deadline=clock.now + 3.5)

    assert clock.now <= 1000.0 + 3.5
    assert len(fake_bridge.calls) < 50
    assert result.buffered[0].reason.startswith("out of time after")


def test_invalid_entries_are_rejected_before_anything_is_sent(aws, fake_bridge, clock):
    producer = make_producer(fake_bridge, clock)
    entries = [
        order_entry(),
        {"Source": "com.aws.Orders", "DetailType": "OrderCreated"},  # no Detail
        {**order_entry(), "Detail": "not json"},
        {**order_entry(), "Colour": "red"},
        {**order_entry(), "Detail": json.dumps({"blob": "x" * 300_000})},
    ]
    with pytest.raises(InvalidEntryError) as raised:
        producer.publish(entries)

    assert fake_bridge.calls == []
    problems = raised.value.problems
    assert any(p.startswith("entry 1: Detail must be") for p in problems)
    assert any(p.startswith("entry 2: Detail is not valid JSON") for p in problems)
    assert any(p.startswith("entry 3: unknown keys ['Colour']") for p in problems)
    assert any(p.startswith("entry 4:") and "exceeds the PutEvents limit" in p for p in problems)
    assert not any(p.startswith("entry 0") for p in problems)


def test_detail_objects_and_the_default_bus_name_are_filled_in(aws, fake_bridge, clock):
    producer = make_producer(fake_bridge, clock)
    producer.publish([{"Source": "com.aws.Orders", "DetailType": "OrderCreated", "Detail": {"order_id": "o-1"}}])

    (entry,) = fake_bridge.calls[0].entries
    assert entry["EventBusName"] == BUS
    assert json.loads(entry["Detail"]) == {"order_id": "o-1"}


@pytest.mark.parametrize("seed", range(5))
def test_random_throttling_partial_failures_and_outages_lose_nothing(aws, clock, buffer_queue, seed):
    fake = FakeEventBridge(seed=seed, entry_failure_rate=0.3, call_failure_rate=0.2)
    entries = [order_entry(f"order-{i}") for i in range(200)]
    producer = make_producer(fake, clock, queue_url=buffer_queue, retry=RetryPolicy(max_attempts=3), seed=seed)

    result = producer.publish(entries)

    delivered = order_ids(fake.accepted)
    buffered = order_ids([b["entry"] for b in queue_bodies(buffer_queue)])
    assert sorted(delivered + buffered) == sorted(order_ids(entries))  # each exactly once
    assert len(result.delivered) == len(delivered) and len(result.buffered) == len(buffered)
    assert result.total == 200 and not result.undelivered


def test_a_response_lost_after_acceptance_is_retried_duplicates_not_losses(aws, fake_bridge, clock):
    fake_bridge.call_outcomes = deque([TIMEOUT_AFTER_ACCEPT])
    entries = [order_entry(f"order-{i}") for i in range(3)]

    result = make_producer(fake_bridge, clock).publish(entries)

    counts = Counter(order_ids(fake_bridge.accepted))
    assert set(counts) == {"order-0", "order-1", "order-2"}
    assert set(counts.values()) == {2}  # at least once; consumers dedupe on order_id
    assert len(result.delivered) == 3


def test_the_producer_works_against_moto_when_no_endpoint_is_used(aws):
    """moto cannot route through a global endpoint, but a direct PutEvents reaches its bus rules."""
    events = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    events.create_event_bus(Name=BUS)
    target = sqs.create_queue(QueueName="orders-target")["QueueUrl"]
    target_arn = sqs.get_queue_attributes(QueueUrl=target, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="orders", EventBusName=BUS, EventPattern=json.dumps({"source": ["com.aws.Orders"]}))
    events.put_targets(Rule="orders", EventBusName=BUS, Targets=[{"Id": "q", "Arn": target_arn}])
    entries = [order_entry() for _ in range(23)]

    result = EventProducer(event_bus_name=BUS, region_name=REGION).publish(entries)

    assert len(result.delivered) == 23
    received = [body["detail"]["order_id"] for body in queue_bodies(target)]
    assert sorted(received) == sorted(order_ids(entries))


def test_a_global_endpoint_without_awscrt_fails_at_construction(monkeypatch):
    monkeypatch.setattr(producer_module, "HAS_CRT", False)
    with pytest.raises(RuntimeError, match="awscrt"):
        EventProducer(event_bus_name=BUS, endpoint_id=ENDPOINT_ID, region_name=REGION)
    EventProducer(event_bus_name=BUS, region_name=REGION)  # direct PutEvents needs no CRT


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"max_attempts": 0}, "max_attempts"),
        ({"base_delay": -1}, "negative"),
        ({"base_delay": 2.0, "max_delay": 1.0}, "max_delay"),
    ],
)
def test_retry_policy_rejects_nonsense(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RetryPolicy(**kwargs)
