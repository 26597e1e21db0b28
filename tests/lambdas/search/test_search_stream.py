"""The search stream producer on moto Kinesis, and the indexer reading EventBridge-shaped records."""

from __future__ import annotations

import json
import random

import boto3
import pytest
from moto import mock_aws

from lambdas.search_indexer import search_stream
from lambdas.search_indexer.changes import ListingChange, PermanentRecordError, parse_change
from tests.lambdas.search.search_helpers import REGION, listing

STREAM = "leasing-search-listings"


@pytest.fixture
def kinesis(aws_credentials):
    with mock_aws(config={"core": {"mock_credentials": False}}):
        client = boto3.client("kinesis", region_name=REGION)
        client.create_stream(StreamName=STREAM, ShardCount=2)
        arn = client.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]["StreamARN"]
        yield client, arn


def stream_records(client, arn) -> list[dict]:
    found = []
    for shard in client.list_shards(StreamARN=arn)["Shards"]:
        iterator = client.get_shard_iterator(StreamARN=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")[
            "ShardIterator"
        ]
        found += client.get_records(StreamARN=arn, ShardIterator=iterator, Limit=10_000)["Records"]
    return found


class Refusing:
    """moto's client, except that the listed records of each call are refused as Kinesis does
    (per-record ErrorCode, the rest written)."""

    def __init__(self, real, refusals: list[set[int]]):
        self.real, self.refusals, self.calls = real, refusals, []

    def put_records(self, StreamARN, Records):
        refused = self.refusals.pop(0) if self.refusals else set()
        self.calls.append([r["PartitionKey"] for r in Records])
        kept = [r for i, r in enumerate(Records) if i not in refused]
        written = iter(self.real.put_records(StreamARN=StreamARN, Records=kept)["Records"] if kept else [])
        return {
            "FailedRecordCount": len(refused),
            "Records": [
                {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded for shard"}
                if i in refused
                else next(written)
                for i in range(len(Records))
            ],
        }


def test_changes_are_put_in_calls_of_at_most_500_with_the_listing_id_as_partition_key(kinesis):
    client, arn = kinesis
    wrapped = Refusing(client, [])
    producer = search_stream.SearchStreamProducer(wrapped, arn)
    changes = [search_stream.upsert(listing(f"avb-{n}"), version=n + 1) for n in range(1_100)]

    assert producer.put(changes) == []

    assert [len(call) for call in wrapped.calls] == [500, 500, 100]
    records = stream_records(client, arn)
    assert len(records) == 1_100
    assert {r["PartitionKey"] for r in records} == {f"avb-{n}" for n in range(1_100)}
    assert parse_change(records[0]["Data"]).op == "upsert"


def test_calls_stay_under_5_mib():
    big = [search_stream.Record(b"x" * (900 * 1024), f"avb-{n}") for n in range(12)]
    groups = search_stream.batches(big)
    assert [len(g) for g in groups] == [5, 5, 2]
    assert all(sum(r.size for r in g) <= search_stream.MAX_BYTES_PER_CALL for g in groups)


def test_only_the_refused_records_are_retried_after_a_jittered_backoff(kinesis):
    client, arn = kinesis
    wrapped = Refusing(client, [{1, 3}, {0}])
    sleeps: list[float] = []
    producer = search_stream.SearchStreamProducer(
        wrapped, arn, base_delay=0.1, sleep=sleeps.append, rng=random.Random(7)
    )
    changes = [search_stream.upsert(listing(f"avb-{n}"), version=1) for n in range(5)]

    assert producer.put(changes) == []

    assert wrapped.calls == [[f"avb-{n}" for n in range(5)], ["avb-1", "avb-3"], ["avb-1"]]
    assert len(sleeps) == 2 and 0 <= sleeps[0] <= 0.1 and 0 <= sleeps[1] <= 0.2
    assert sorted(r["PartitionKey"] for r in stream_records(client, arn)) == [f"avb-{n}" for n in range(5)]


def test_records_still_refused_after_the_last_attempt_are_returned_not_dropped(kinesis):
    client, arn = kinesis
    wrapped = Refusing(client, [{0}] * 3)
    producer = search_stream.SearchStreamProducer(wrapped, arn, max_attempts=3, sleep=lambda _: None)

    (failed,) = producer.put([search_stream.delete("avb-1", 5), search_stream.delete("avb-2", 5)])

    assert failed.record.partition_key == "avb-1"
    assert failed.error_code == "ProvisionedThroughputExceededException"
    assert [r["PartitionKey"] for r in stream_records(client, arn)] == ["avb-2"]


def test_a_record_over_1_mib_is_returned_without_a_call(kinesis):
    client, arn = kinesis
    wrapped = Refusing(client, [])
    producer = search_stream.SearchStreamProducer(wrapped, arn)
    (failed,) = producer.put([search_stream.upsert(listing("avb-1", description="x" * (1024 * 1024)), version=1)])
    assert failed.error_code == "RecordTooLarge" and wrapped.calls == []


def test_a_permanent_call_error_is_not_retried(aws_credentials):
    with mock_aws(config={"core": {"mock_credentials": False}}):
        client = boto3.client("kinesis", region_name=REGION)
        producer = search_stream.SearchStreamProducer(
            client, f"arn:aws:kinesis:{REGION}:123456789012:stream/missing", sleep=lambda _: None
        )
        (failed,) = producer.put([search_stream.delete("avb-1", 1)])
    assert failed.error_code == "ResourceNotFoundException" and producer.calls == 1


def eventbridge_event(detail_type: str, detail: dict) -> bytes:
    """What a rule with a Kinesis target and no input transformer writes as the record's data."""
    return json.dumps(
        {
            "version": "0",
            "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
            "detail-type": detail_type,
            "source": "blueprints.leasing",
            "account": "123456789012",
            "time": "2026-01-05T10:00:00Z",
            "region": REGION,
            "resources": [],
            "detail": detail,
        }
    ).encode()


def test_a_lease_created_event_removes_the_unit_from_search():
    change = parse_change(
        eventbridge_event(
            "Lease Created",
            {
                "event_id": "e1",
                "occurred_at": "2026-01-05T10:00:00.123+00:00",
                "community_id": "avb-hoboken",
                "unit_id": "1204",
                "lease_id": "l1",
                "start_date": "2026-02-01",
                "end_date": "2027-01-31",
            },
        )
    )
    assert change == ListingChange("delete", "avb-hoboken-1204", 1767607200123, None)


def test_a_listing_changed_event_carries_a_listing_change():
    change = parse_change(eventbridge_event("Listing Changed", search_stream.upsert(listing("avb-1"), version=9)))
    assert (change.op, change.listing_id, change.version) == ("upsert", "avb-1", 9)


def test_other_lease_events_are_not_search_changes():
    assert parse_change(eventbridge_event("Rent Payment Recorded", {"lease_id": "l1"})) is None


def test_a_malformed_lease_event_is_permanent():
    with pytest.raises(PermanentRecordError, match="detail.unit_id must be"):
        parse_change(eventbridge_event("Lease Created", {"community_id": "c", "occurred_at": "2026-01-05T10:00:00Z"}))
