"""Helpers for the search function tests: Kinesis events, listing documents, a Lambda context."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from botocore.credentials import Credentials

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


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    messages = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get(
            "Messages", []
        )
        if not batch:
            return messages
        for message in batch:
            messages.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def rest_event(query: str) -> dict:
    multi = parse_qs(query, keep_blank_values=True)
    return {
        "resource": "/listings/search",
        "path": "/listings/search",
        "httpMethod": "GET",
        "headers": {"Accept": "application/json", "Host": "api.leasing.example.com"},
        "multiValueHeaders": {"Accept": ["application/json"], "Host": ["api.leasing.example.com"]},
        "queryStringParameters": {name: values[-1] for name, values in multi.items()} or None,
        "multiValueQueryStringParameters": multi or None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "a1b2c3d4e5",
            "resourcePath": "/listings/search",
            "httpMethod": "GET",
            "path": "/v1/listings/search",
            "stage": "v1",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "pytest"},
        },
        "body": None,
        "isBase64Encoded": False,
    }


def http_event(query: str) -> dict:
    # HTTP APIs fold repeated keys into one comma-separated value.
    multi = parse_qs(query, keep_blank_values=True)
    return {
        "version": "2.0",
        "routeKey": "GET /listings/search",
        "rawPath": "/listings/search",
        "rawQueryString": query,
        "queryStringParameters": {name: ",".join(values) for name, values in multi.items()},
        "headers": {"accept": "application/json", "host": "api.leasing.example.com"},
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "f6g7h8i9j0",
            "domainName": "api.leasing.example.com",
            "http": {
                "method": "GET",
                "path": "/listings/search",
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "pytest",
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "GET /listings/search",
            "stage": "$default",
            "timeEpoch": 1767225600000,
        },
        "isBase64Encoded": False,
    }
