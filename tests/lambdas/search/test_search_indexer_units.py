"""Pieces of the indexer on their own: event contract, bulk item reading, retry pacing, reject bodies."""

from __future__ import annotations

import base64
import json

import pytest
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord

from lambdas.search_indexer.bulk import Outcome, chunk, classify
from lambdas.search_indexer.changes import MAX_VERSION, ListingChange, PermanentRecordError, parse_change
from lambdas.search_indexer.failures import MAX_BODY_BYTES, Rejected, message_bodies, reassemble
from lambdas.search_indexer.indexer import Indexer, RetryableIndexingError
from tests.lambdas.search.search_helpers import kinesis_event, upsert


def test_upsert_change_carries_the_whole_document_with_its_id():
    change = parse_change(
        json.dumps({"op": "upsert", "listing_id": "avb-1", "version": 3, "listing": {"bedrooms": 2}}).encode()
    )
    assert change == ListingChange("upsert", "avb-1", 3, {"bedrooms": 2, "listing_id": "avb-1"})


def test_delete_change_needs_no_document():
    assert parse_change(b'{"op":"delete","listing_id":"avb-1","version":0}') == ListingChange(
        "delete", "avb-1", 0, None
    )


def test_every_problem_of_a_bad_event_is_listed():
    with pytest.raises(PermanentRecordError) as caught:
        parse_change(json.dumps({"op": "merge", "listing_id": "", "version": True}).encode())
    assert caught.value.error_type == "invalid_event"
    assert caught.value.reason == (
        "op must be one of upsert, delete (got 'merge'); listing_id must be a non-empty string; "
        f"version must be an integer between 0 and {MAX_VERSION} (got True)"
    )


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"op": "upsert", "listing_id": "a", "version": 1.5, "listing": {}}, "version must be an integer"),
        ({"op": "upsert", "listing_id": "a", "version": -1, "listing": {}}, "version must be an integer"),
        ({"op": "upsert", "listing_id": "a", "version": 2**63, "listing": {}}, "version must be an integer"),
        ({"op": "upsert", "listing_id": "a", "version": 1}, "listing must be a JSON object"),
        ({"op": "upsert", "listing_id": "a", "version": 1, "listing": {"listing_id": "b"}}, "differs from listing_id"),
        ({"op": "delete", "listing_id": "x" * 513, "version": 1}, "at most 512 bytes"),
        ([1, 2], "payload must be a JSON object"),
    ],
)
def test_bad_events_are_permanent(payload, problem):
    with pytest.raises(PermanentRecordError, match=problem):
        parse_change(json.dumps(payload).encode())


@pytest.mark.parametrize(
    ("op", "item", "expected"),
    [
        ("upsert", {"index": {"status": 201, "result": "created"}}, Outcome.APPLIED),
        ("upsert", {"index": {"status": 409, "error": {"type": "version_conflict_engine_exception"}}}, Outcome.STALE),
        ("delete", {"delete": {"status": 404, "result": "not_found"}}, Outcome.APPLIED),
        ("delete", {"delete": {"status": 404, "error": {"type": "index_not_found_exception"}}}, Outcome.RETRYABLE),
        ("upsert", {"index": {"status": 400, "error": {"type": "mapper_parsing_exception"}}}, Outcome.PERMANENT),
        ("upsert", {"index": {"status": 429, "error": {"type": "es_rejected_execution_exception"}}}, Outcome.RETRYABLE),
        ("upsert", {"index": {"status": 409, "error": {"type": "some_other_conflict"}}}, Outcome.RETRYABLE),
        ("upsert", {"index": {"status": 500, "error": {"type": "exception"}}}, Outcome.RETRYABLE),
    ],
)
def test_bulk_items_are_classified(op, item, expected):
    assert classify(op, item)[0] is expected


def test_chunks_keep_order_and_respect_both_limits():
    assert chunk([40, 40, 40, 10, 100], max_bytes=100, max_actions=3) == [[0, 1], [2, 3], [4]]
    assert chunk([1] * 5, max_bytes=100, max_actions=2) == [[0, 1], [2, 3], [4]]
    assert chunk([], max_bytes=100, max_actions=2) == []


class ScriptedClient:
    """Answers bulk calls from a script; each answer maps listing id -> status."""

    def __init__(self, script):
        self.script = list(script)
        self.bodies = []

    def bulk(self, body):
        self.bodies.append(body)
        statuses = self.script.pop(0)
        items = []
        for line in body.decode().splitlines()[0::2]:
            doc_id = json.loads(line)["index"]["_id"]
            status = statuses.get(doc_id, 201)
            items.append(
                {
                    "index": {
                        "_id": doc_id,
                        "status": status,
                        **({"error": {"type": "x", "reason": "y"}} if status >= 300 else {}),
                    }
                }
            )
        return {"errors": any(i["index"]["status"] >= 300 for i in items), "items": items}


def records(payloads):
    return [KinesisStreamRecord(raw) for raw in kinesis_event(payloads)["Records"]]


def test_retries_back_off_exponentially_and_stop_at_the_attempt_limit():
    client = ScriptedClient([{"avb-2": 429}] * 4)
    sleeps = []
    indexer = Indexer(
        client=lambda: client,
        index="listings",
        failure_queue=None,
        max_attempts=4,
        backoff_seconds=0.5,
        sleep=sleeps.append,
    )

    result = indexer.index_records(records([upsert("avb-1", 1), upsert("avb-2", 1)]))

    assert sleeps == [0.5, 1.0, 2.0]
    assert len(client.bodies) == 4
    assert result.errors[0] is None and isinstance(result.errors[1], RetryableIndexingError)
    assert dict(result.counts) == {"applied": 1, "retryable": 1}


def test_no_backoff_when_the_invocation_is_about_to_time_out():
    client = ScriptedClient([{"avb-1": 503}] * 3)
    sleeps = []
    indexer = Indexer(
        client=lambda: client, index="listings", failure_queue=None, request_timeout_seconds=10, sleep=sleeps.append
    )

    result = indexer.index_records(records([upsert("avb-1", 1)]), time_left=lambda: 5.0)

    assert sleeps == [] and len(client.bodies) == 1
    assert isinstance(result.errors[0], RetryableIndexingError)


def test_without_a_failure_queue_permanent_records_are_reported_failed():
    client = ScriptedClient([{"avb-1": 400}])
    indexer = Indexer(client=lambda: client, index="listings", failure_queue=None)

    result = indexer.index_records(records([upsert("avb-1", 1)]))

    assert isinstance(result.errors[0], PermanentRecordError)
    assert result.counts["rejected_unsent"] == 1


def test_a_record_too_big_for_one_message_is_carried_whole_in_parts():
    (record,) = records([upsert("avb-1", 1, description="z" * (3 * MAX_BODY_BYTES))])
    texts = message_bodies(Rejected(record, "document_too_large", "too big", "avb-1", 1))
    assert len(texts) > 1 and all(len(t.encode()) <= MAX_BODY_BYTES for t in texts)
    bodies = [json.loads(t) for t in reversed(texts)]  # SQS does not keep the order
    assert {b["sequence_number"] for b in bodies} == {record.kinesis.sequence_number}
    assert reassemble(bodies + bodies[:1]) == base64.b64decode(record.kinesis.data)  # a resent part counts once
