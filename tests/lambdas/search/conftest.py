"""Fixtures for the search functions: a signed fake OpenSearch on loopback, moto SQS, Kinesis events."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.credentials import Credentials
from moto import mock_aws

from tests.lambdas.search.fake_opensearch import FakeOpenSearch

REGION = "us-east-1"
ACCOUNT = "123456789012"
STREAM_ARN = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/leasing-search-listings"
TEMPLATE = json.loads((Path(__file__).parents[3] / "lambdas/search_bootstrap/index_template.json").read_text())
LISTING_PROPERTIES = TEMPLATE["template"]["mappings"]["properties"]
CREDENTIALS = Credentials("ASIAEXAMPLEINDEXER01", "example-secret-key/for+signing", "example-session-token")


class FakeContext:
    function_name = "leasing-search-indexer"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:leasing-search-indexer"
    aws_request_id = "5f0c5e4e-8a43-4c1e-9d1b-2f3f0a6c7d11"
    log_group_name = "/aws/lambda/leasing-search-indexer"
    log_stream_name = "2026/01/01/[$LATEST]0123456789abcdef"

    def __init__(self, remaining_ms: int = 60_000):
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def sequence_number(position: int) -> str:
    # Real Kinesis sequence numbers are 56-digit strings that grow within a shard.
    return str(49_659_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000 + position * 1_000_000)


def kinesis_event(payloads: list[Any], shard: str = "shardId-000000000000") -> dict[str, Any]:
    """payloads: dicts (JSON-encoded) or raw bytes (sent as they are)."""
    records = []
    for position, payload in enumerate(payloads):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        key = payload.get("listing_id", f"key-{position}") if isinstance(payload, dict) else f"key-{position}"
        seq = sequence_number(position)
        records.append(
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": str(key),
                    "sequenceNumber": seq,
                    "data": base64.b64encode(data).decode(),
                    "approximateArrivalTimestamp": 1767225600.123 + position,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"{shard}:{seq}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT}:role/leasing-search-indexer",
                "awsRegion": REGION,
                "eventSourceARN": STREAM_ARN,
            }
        )
    return {"Records": records}


def listing(listing_id: str, **overrides: Any) -> dict[str, Any]:
    doc = {
        "listing_id": listing_id,
        "community_id": "avb-hoboken",
        "community_name": "Avalon Hoboken",
        "unit_number": "1204",
        "city": "Hoboken",
        "state": "NJ",
        "postal_code": "07030",
        "location": {"lat": 40.7433, "lon": -74.0288},
        "bedrooms": 1,
        "bathrooms": 1.0,
        "square_feet": 742,
        "monthly_rent": 3450.0,
        "lease_terms_months": [12, 15],
        "furnishing": "unfurnished",
        "amenities": ["fitness_center", "rooftop_deck"],
        "features": ["in_unit_laundry"],
        "available_date": "2026-03-01",
    }
    doc.update(overrides)
    return doc


def upsert(listing_id: str, version: int, **overrides: Any) -> dict[str, Any]:
    return {"op": "upsert", "listing_id": listing_id, "version": version, "listing": listing(listing_id, **overrides)}


def delete(listing_id: str, version: int) -> dict[str, Any]:
    return {"op": "delete", "listing_id": listing_id, "version": version}


@pytest.fixture
def aws_credentials(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS.secret_key)
    monkeypatch.setenv("AWS_SESSION_TOKEN", CREDENTIALS.token)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")


@pytest.fixture
def fake_opensearch(aws_credentials):
    fake = FakeOpenSearch(
        credentials=CREDENTIALS,
        region=REGION,
        indices={"listings-v1": LISTING_PROPERTIES},
        aliases={"listings": "listings-v1"},
    ).start()
    yield fake
    fake.stop()


@pytest.fixture
def failure_queue(aws_credentials):
    # Keep our credentials: the fake OpenSearch verifies signatures made with them.
    with mock_aws(config={"core": {"mock_credentials": False}}):
        sqs = boto3.client("sqs", region_name=REGION)
        url = sqs.create_queue(QueueName="leasing-search-indexer-failures")["QueueUrl"]
        yield sqs, url


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    messages = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get("Messages", [])
        if not batch:
            return messages
        for message in batch:
            messages.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
