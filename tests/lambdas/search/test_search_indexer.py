"""The search indexer on real Kinesis events against a signed fake OpenSearch and moto SQS."""

from __future__ import annotations

import base64
import json
from types import SimpleNamespace

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from lambdas.search_indexer import handler as indexer_handler
from tests.lambdas.search.search_helpers import (
    REGION,
    STREAM_ARN,
    FakeContext,
    delete,
    drain,
    kinesis_event,
    listing,
    sequence_number,
    upsert,
)


@pytest.fixture
def indexer(fake_opensearch, failure_queue, monkeypatch):
    sqs, url = failure_queue
    monkeypatch.setenv("OPENSEARCH_ENDPOINT", fake_opensearch.url)
    monkeypatch.setenv("INDEX_NAME", "listings")
    monkeypatch.setenv("FAILURE_QUEUE_URL", url)
    monkeypatch.setenv("BULK_BACKOFF_SECONDS", "0")
    indexer_handler.reset_clients()

    def run(payloads, **kwargs):
        return indexer_handler.handler(kinesis_event(payloads, **kwargs), FakeContext())

    yield SimpleNamespace(fake=fake_opensearch, run=run, failures=lambda: drain(sqs, url))
    indexer_handler.reset_clients()


def bulk_requests(fake):
    return [r for r in fake.requests if r.path == "/_bulk"]


def test_mixed_batch_is_one_exact_bulk_request(indexer):
    indexer.fake.docs[("listings-v1", "avb-2")] = (3, listing("avb-2"))

    response = indexer.run([upsert("avb-1", 5), delete("avb-2", 7)])

    assert response == {"batchItemFailures": []}
    (request,) = bulk_requests(indexer.fake)
    assert request.method == "POST"
    assert request.body.decode() == (
        '{"index":{"_index":"listings","_id":"avb-1","version":5,"version_type":"external"}}\n'
        + json.dumps(listing("avb-1"), separators=(",", ":"))
        + "\n"
        '{"delete":{"_index":"listings","_id":"avb-2","version":7,"version_type":"external"}}\n'
    )
    assert indexer.fake.docs[("listings-v1", "avb-1")] == (5, listing("avb-1"))
    assert ("listings-v1", "avb-2") not in indexer.fake.docs


def test_replaying_a_batch_changes_nothing_and_reports_no_failure(indexer):
    batch = [upsert("avb-1", 5), upsert("avb-2", 6, monthly_rent=2990.0), delete("avb-3", 2)]
    assert indexer.run(batch) == {"batchItemFailures": []}
    stored = dict(indexer.fake.docs)

    assert indexer.run(batch) == {"batchItemFailures": []}

    assert indexer.fake.docs == stored
    assert indexer.failures() == []


def test_late_older_version_never_overwrites_a_newer_one(indexer):
    indexer.run([upsert("avb-1", 9, monthly_rent=3100.0)])

    assert indexer.run([upsert("avb-1", 8, monthly_rent=4000.0), delete("avb-1", 4)]) == {"batchItemFailures": []}

    assert indexer.fake.docs[("listings-v1", "avb-1")] == (9, listing("avb-1", monthly_rent=3100.0))


def test_delete_then_stale_upsert_keeps_listing_deleted(indexer):
    indexer.run([upsert("avb-1", 1), delete("avb-1", 2), upsert("avb-1", 1)])
    assert ("listings-v1", "avb-1") not in indexer.fake.docs


def test_partial_bulk_failure_reports_only_the_failing_record(indexer):
    # avb-2 stays throttled through every attempt; avb-3 has a field the strict mapping refuses.
    indexer.fake.fail_item(
        "avb-2", 429, "es_rejected_execution_exception", "rejected execution of coordinating operation", times=3
    )
    batch = [upsert("avb-1", 1), upsert("avb-2", 1), upsert("avb-3", 1, parking_spots=2), upsert("avb-4", 1)]

    response = indexer.run(batch)

    assert response == {"batchItemFailures": [{"itemIdentifier": sequence_number(1)}]}
    assert set(indexer.fake.docs) == {("listings-v1", "avb-1"), ("listings-v1", "avb-4")}
    first, second, third = bulk_requests(indexer.fake)
    assert [line["index"]["_id"] for line in first.ndjson() if "index" in line] == ["avb-1", "avb-2", "avb-3", "avb-4"]
    retry_body = (
        '{"index":{"_index":"listings","_id":"avb-2","version":1,"version_type":"external"}}\n'
        + json.dumps(listing("avb-2"), separators=(",", ":"))
        + "\n"
    ).encode()
    assert second.body == retry_body and third.body == retry_body

    (message,) = indexer.failures()
    body = json.loads(message["Body"])
    assert body["source"] == "search-indexer"
    assert body["error_type"] == "strict_dynamic_mapping_exception"
    assert "parking_spots" in body["reason"]
    assert body["listing_id"] == "avb-3" and body["version"] == 1
    assert body["sequence_number"] == sequence_number(2)
    assert body["shard_id"] == "shardId-000000000000"
    assert body["event_source_arn"] == STREAM_ARN
    assert json.loads(base64.b64decode(body["data_base64"])) == batch[2]
    assert message["MessageAttributes"]["failure_kind"]["StringValue"] == "permanent"


def test_throttled_item_is_indexed_by_the_in_invocation_retry(indexer):
    indexer.fake.fail_item("avb-2", 429, "es_rejected_execution_exception", times=1)

    response = indexer.run([upsert("avb-1", 1), upsert("avb-2", 1)])

    assert response == {"batchItemFailures": []}
    assert [[line.get("index", {}).get("_id") for line in r.ndjson()][0::2] for r in bulk_requests(indexer.fake)] == [
        ["avb-1", "avb-2"],
        ["avb-2"],
    ]
    assert indexer.fake.docs[("listings-v1", "avb-2")][0] == 1


def test_undecodable_records_go_to_the_failure_queue_with_their_payload(indexer):
    bad_json = b'{"op": "upsert", "listing_id": '
    no_version = {"op": "upsert", "listing_id": "avb-9", "listing": listing("avb-9")}
    response = indexer.run([bad_json, upsert("avb-1", 1), no_version])

    assert response == {"batchItemFailures": []}
    (request,) = bulk_requests(indexer.fake)
    assert [line["index"]["_id"] for line in request.ndjson() if "index" in line] == ["avb-1"]
    bodies = sorted((json.loads(m["Body"]) for m in indexer.failures()), key=lambda b: b["sequence_number"])
    assert [b["error_type"] for b in bodies] == ["invalid_json", "invalid_event"]
    assert base64.b64decode(bodies[0]["data_base64"]) == bad_json
    assert "version must be an integer" in bodies[1]["reason"]


def test_permanent_failure_stays_in_the_batch_when_the_failure_queue_is_unreachable(indexer, monkeypatch):
    monkeypatch.setenv("FAILURE_QUEUE_URL", f"https://sqs.{REGION}.amazonaws.com/123456789012/does-not-exist")
    indexer_handler.reset_clients()

    response = indexer.run([upsert("avb-1", 1), b"not json"])

    assert response == {"batchItemFailures": [{"itemIdentifier": sequence_number(1)}]}


def test_cluster_outage_fails_the_invocation_so_lambda_bisects_and_retries(indexer):
    indexer.fake.fail_request(503, times=50)

    with pytest.raises(BatchProcessingError):
        indexer.run([upsert("avb-1", 1), upsert("avb-2", 1)])

    assert indexer.fake.docs == {}


def test_outage_still_parks_a_bad_record_and_reports_the_good_ones(indexer, monkeypatch):
    monkeypatch.setenv("OPENSEARCH_ENDPOINT", "http://127.0.0.1:9")  # discard port: connection refused
    indexer_handler.reset_clients()

    response = indexer.run([upsert("avb-1", 1), b"\xff\xfe", upsert("avb-2", 1)])

    assert response == {
        "batchItemFailures": [{"itemIdentifier": sequence_number(0)}, {"itemIdentifier": sequence_number(2)}]
    }
    assert [json.loads(m["Body"])["error_type"] for m in indexer.failures()] == ["invalid_json"]


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (404, "index_not_found_exception"),
        (403, "cluster_block_exception"),
        (403, "security_exception"),
        (503, "unavailable_shards_exception"),
    ],
)
def test_cluster_side_item_errors_are_retried_not_dropped(indexer, status, error_type):
    indexer.fake.fail_item("avb-2", status, error_type, times=3)

    response = indexer.run([upsert("avb-1", 1), upsert("avb-2", 1)])

    assert response == {"batchItemFailures": [{"itemIdentifier": sequence_number(1)}]}
    assert indexer.failures() == []


def test_every_request_is_sigv4_signed_for_es_in_the_region(indexer):
    indexer.run([upsert("avb-1", 1)])

    (request,) = indexer.fake.requests
    assert request.signature_ok
    assert request.signed_scope == (REGION, "es")
    assert request.headers["x-amz-security-token"] == "example-session-token"


def test_signature_from_other_credentials_is_refused_and_retried(indexer, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "a-different-secret")
    indexer_handler.reset_clients()

    with pytest.raises(BatchProcessingError):
        indexer.run([upsert("avb-1", 1)])
    assert not indexer.fake.requests[0].signature_ok


def test_large_batch_is_split_into_ordered_bulk_requests(indexer, monkeypatch):
    monkeypatch.setenv("BULK_MAX_ACTIONS", "2")
    indexer_handler.reset_clients()

    indexer.run([upsert(f"avb-{n}", 1) for n in range(5)])

    ids = [[line["index"]["_id"] for line in r.ndjson() if "index" in line] for r in bulk_requests(indexer.fake)]
    assert ids == [["avb-0", "avb-1"], ["avb-2", "avb-3"], ["avb-4"]]


def test_oversized_document_is_parked_without_being_sent(indexer, monkeypatch):
    monkeypatch.setenv("BULK_MAX_BYTES", "2048")
    indexer_handler.reset_clients()

    response = indexer.run([upsert("avb-1", 1), upsert("avb-2", 1, description="x" * 4096)])

    assert response == {"batchItemFailures": []}
    assert [line["index"]["_id"] for r in bulk_requests(indexer.fake) for line in r.ndjson() if "index" in line] == [
        "avb-1"
    ]
    (message,) = indexer.failures()
    assert json.loads(message["Body"])["error_type"] == "document_too_large"


def test_wrongly_typed_field_is_permanent(indexer):
    response = indexer.run([upsert("avb-1", 1, monthly_rent="call us")])

    assert response == {"batchItemFailures": []}
    (message,) = indexer.failures()
    assert json.loads(message["Body"])["error_type"] == "mapper_parsing_exception"


def test_a_record_that_keeps_failing_is_parked_with_its_payload_once_too_old(indexer, monkeypatch):
    # The event's records arrived on 2026-01-01 (search_helpers): far older than an hour.
    monkeypatch.setenv("PARK_RETRYABLE_AFTER_SECONDS", "3600")
    indexer_handler.reset_clients()
    indexer.fake.fail_item("avb-2", 429, "es_rejected_execution_exception", times=3)
    batch = [upsert("avb-1", 1), upsert("avb-2", 1)]

    assert indexer.run(batch) == {"batchItemFailures": []}

    (message,) = indexer.failures()
    body = json.loads(message["Body"])
    assert (body["failure_kind"], body["listing_id"]) == ("retryable_expired", "avb-2")
    assert json.loads(base64.b64decode(body["data_base64"])) == batch[1]
    assert message["MessageAttributes"]["failure_kind"]["StringValue"] == "retryable_expired"


def test_a_failing_record_younger_than_the_limit_stays_in_its_shard(indexer, monkeypatch):
    monkeypatch.setenv("PARK_RETRYABLE_AFTER_SECONDS", str(10 * 365 * 86400))
    indexer_handler.reset_clients()
    indexer.fake.fail_item("avb-2", 429, "es_rejected_execution_exception", times=3)

    assert indexer.run([upsert("avb-1", 1), upsert("avb-2", 1)]) == {
        "batchItemFailures": [{"itemIdentifier": sequence_number(1)}]
    }
    assert indexer.failures() == []


def test_with_a_history_each_change_is_appended_once_even_when_replayed(indexer, monkeypatch):
    indexer.fake.indices["listings-history-000001"] = None
    indexer.fake.aliases["listings-history"] = "listings-history-000001"
    monkeypatch.setenv("HISTORY_ALIAS", "listings-history")
    indexer_handler.reset_clients()
    batch = [upsert("avb-1", 5), delete("avb-1", 6)]

    assert indexer.run(batch) == {"batchItemFailures": []}
    assert indexer.run(batch) == {"batchItemFailures": []}  # replay: 409s on both indices, no failure

    history = {key[1]: doc for key, (_, doc) in indexer.fake.docs.items() if key[0] == "listings-history-000001"}
    assert sorted(history) == ["avb-1:5", "avb-1:6"]
    assert history["avb-1:5"]["listing"] == listing("avb-1") and history["avb-1:6"]["listing"] is None
    assert history["avb-1:6"]["changed_at"] == "1970-01-01T00:00:00.006+00:00"
    assert indexer.failures() == []


def test_a_history_entry_that_fails_for_a_healing_reason_retries_the_record(indexer, monkeypatch):
    indexer.fake.aliases["listings-history"] = "listings-history-000001"  # alias to an index not there: 404
    monkeypatch.setenv("HISTORY_ALIAS", "listings-history")
    indexer_handler.reset_clients()
    with pytest.raises(BatchProcessingError, match="no such index"):
        indexer.run([upsert("avb-1", 5)])
    assert indexer.fake.docs[("listings-v1", "avb-1")][0] == 5  # the listing went in; its retry will be stale
