"""Architecture C end to end on local stand-ins: a lease written through the lease API (real
PostgreSQL, as the application role) goes through the outbox and the relay to the lease bus of
each Region (moto), the search rule routes it to the stream (moto Kinesis), the indexer consumes
the stream and the listing leaves search (signed fake OpenSearch); a record the domain refuses
lands in the failure queue with its payload.

moto's EventBridge does not deliver to Kinesis targets, so the rule targets a queue that captures
what EventBridge delivers (moto matches the pattern and builds the event), and the test puts each
delivered event on the stream as the Kinesis target would: the whole event as data (no input
transformer) and the partition key at ``PARTITION_KEY_PATH``
(https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_KinesisParameters.html).
"""

from __future__ import annotations

import base64
import json
import uuid
from types import SimpleNamespace

import boto3
import pytest
from moto import mock_aws

from lambdas.lease_api import handler as lease_api
from lambdas.lease_outbox_relay import relay
from lambdas.search_bootstrap import handler as bootstrap_handler
from lambdas.search_indexer import handler as indexer_handler
from lambdas.search_indexer import search_stream
from tests.lambdas.search.fake_opensearch import FakeOpenSearch
from tests.lambdas.search.search_helpers import ACCOUNT, CREDENTIALS, REGION, FakeContext, drain, listing

REGIONS = ("us-east-1", "us-west-2")
BUS, SOURCE = "leasing", "blueprints.leasing"
# The search rule the component puts on each Region's lease bus, with a Kinesis target.
SEARCH_RULE_PATTERN = {"source": [SOURCE], "detail-type": ["Lease Created"]}
PARTITION_KEY_PATH = "$.detail.unit_id"
STREAM = "leasing-search-listings"
COMMUNITY, UNIT = "avalon-arlington", "B-1204"
LISTING_ID = search_stream.listing_id_of(COMMUNITY, UNIT)


def _call_api(method: str, path: str, body: dict, context) -> tuple[int, dict]:
    event = {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": {"content-type": "application/json"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/v1{path}",
            "stage": "v1",
            "requestId": str(uuid.uuid4()),
            "accountId": ACCOUNT,
            "identity": {"sourceIp": "10.0.1.10"},
        },
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }
    response = lease_api.handler(event, context)
    return response["statusCode"], json.loads(response["body"])


def _lambda_records(kinesis, stream_arn: str) -> dict:
    """The stream's records as the event source mapping hands them to the indexer."""
    records = []
    for shard in kinesis.list_shards(StreamARN=stream_arn)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamARN=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        for record in kinesis.get_records(StreamARN=stream_arn, ShardIterator=iterator)["Records"]:
            records.append(
                {
                    "kinesis": {
                        "kinesisSchemaVersion": "1.0",
                        "partitionKey": record["PartitionKey"],
                        "sequenceNumber": record["SequenceNumber"],
                        "data": base64.b64encode(record["Data"]).decode(),
                        "approximateArrivalTimestamp": record["ApproximateArrivalTimestamp"].timestamp(),
                    },
                    "eventSource": "aws:kinesis",
                    "eventVersion": "1.0",
                    "eventID": f"{shard['ShardId']}:{record['SequenceNumber']}",
                    "eventName": "aws:kinesis:record",
                    "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT}:role/leasing-search-indexer",
                    "awsRegion": REGION,
                    "eventSourceARN": stream_arn,
                }
            )
    return {"Records": records}


@pytest.fixture
def stack(aws_credentials, monkeypatch):
    """Both Regions' lease buses with the search rule, this Region's stream, failure queue and
    search domain (bootstrapped as the stack does), and the indexer's environment."""
    fake = FakeOpenSearch(credentials=CREDENTIALS, region=REGION).start()
    with mock_aws(config={"core": {"mock_credentials": False}}):
        buses, captured = {}, {}
        for region in REGIONS:
            events, sqs = boto3.client("events", region_name=region), boto3.client("sqs", region_name=region)
            bus_arn = events.create_event_bus(Name=BUS)["EventBusArn"]
            queue = sqs.create_queue(QueueName="search-rule-deliveries")["QueueUrl"]
            queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            events.put_rule(Name="lease-to-search", EventBusName=BUS, EventPattern=json.dumps(SEARCH_RULE_PATTERN))
            events.put_targets(Rule="lease-to-search", EventBusName=BUS, Targets=[{"Id": "stream", "Arn": queue_arn}])
            buses[region], captured[region] = (bus_arn, events), (sqs, queue)
        kinesis = boto3.client("kinesis", region_name=REGION)
        kinesis.create_stream(StreamName=STREAM, ShardCount=2)
        stream_arn = kinesis.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]["StreamARN"]
        sqs = boto3.client("sqs", region_name=REGION)
        failure_queue = sqs.create_queue(QueueName="leasing-search-indexer-failures")["QueueUrl"]

        bootstrap_handler.handler(
            {
                "endpoint": fake.url,
                "alias": "listings",
                "replicas": 0,
                "writer_role_arns": [f"arn:aws:iam::{ACCOUNT}:role/leasing-search-indexer"],
                "reader_role_arns": [f"arn:aws:iam::{ACCOUNT}:role/leasing-search-api"],
                "tiers": {"warm_after_days": 60, "cold_after_days": 365},
            },
            FakeContext(),
        )
        for key, value in {
            "OPENSEARCH_ENDPOINT": fake.url,
            "INDEX_NAME": "listings",
            "HISTORY_ALIAS": "listings-history",
            "FAILURE_QUEUE_URL": failure_queue,
            "BULK_BACKOFF_SECONDS": "0",
        }.items():
            monkeypatch.setenv(key, value)
        indexer_handler.reset_clients()

        def route_to_stream(region: str) -> int:
            """What the rule's Kinesis target does with each event the rule matched."""
            region_sqs, queue = captured[region]
            delivered = [json.loads(m["Body"]) for m in drain(region_sqs, queue)]
            for event in delivered:
                kinesis.put_record(
                    StreamARN=stream_arn,
                    Data=json.dumps(event).encode(),
                    PartitionKey=event["detail"][PARTITION_KEY_PATH.removeprefix("$.detail.")],
                )
            return len(delivered)

        yield SimpleNamespace(
            fake=fake,
            buses=buses,
            kinesis=kinesis,
            stream_arn=stream_arn,
            route_to_stream=route_to_stream,
            producer=search_stream.SearchStreamProducer(kinesis, stream_arn),
            index=lambda: indexer_handler.handler(_lambda_records(kinesis, stream_arn), FakeContext()),
            failures=lambda: drain(sqs, failure_queue),
        )
    indexer_handler.reset_clients()
    fake.stop()


def _lease(context) -> dict:
    status, application = _call_api(
        "POST",
        "/applications",
        {
            "client_request_id": f"req-{uuid.uuid4().hex}",
            "community_id": COMMUNITY,
            "unit_id": UNIT,
            "applicant": {"name": "Ana Lima", "email": "ana@example.com"},
            "desired_move_in": "2026-07-01",
            "lease_term_months": 12,
            "monthly_rent_cents": 325_000,
        },
        context,
    )
    assert status == 201, application
    status, lease = _call_api("POST", f"/applications/{application['application_id']}/approve", {}, context)
    assert status == 201, lease
    return lease


def test_a_lease_reaches_both_regions_and_takes_its_unit_out_of_search(stack, leasing_db, lambda_context):
    # A listing producer publishes the unit (its version: an update time well before the lease).
    assert (
        stack.producer.put(
            [
                search_stream.upsert(
                    listing(LISTING_ID, community_id=COMMUNITY, unit_number=UNIT),
                    version=search_stream.version_of("2026-01-01T00:00:00+00:00"),
                )
            ]
        )
        == []
    )
    assert stack.index() == {"batchItemFailures": []}
    assert ("listings-v1", LISTING_ID) in stack.fake.docs

    lease_api.use_database(leasing_db)
    try:
        lease = _lease(lambda_context)
    finally:
        lease_api.use_database(None)
    report = relay.run(
        leasing_db,
        lambda region: stack.buses[region][1],
        relay.RelaySettings(bus_arns=tuple(stack.buses[r][0] for r in REGIONS), source=SOURCE),
    )
    assert (report.sent, report.pending, report.standby) == (2, 0, False)  # submitted + created

    # Each Region's rule matched the one Lease Created event exactly once.
    assert [stack.route_to_stream(region) for region in REGIONS] == [1, 1]

    assert stack.index() == {"batchItemFailures": []}
    assert ("listings-v1", LISTING_ID) not in stack.fake.docs  # leased: out of search
    history = sorted(
        (doc["version"], doc["op"]) for key, (_, doc) in stack.fake.docs.items() if key[0] == "listings-history-000001"
    )
    assert [op for _, op in history] == ["upsert", "delete"]  # the history keeps both changes, in order
    assert stack.fake.ism_managed == {"listings-history-000001": "listings-history-tiers"}
    assert lease["unit_id"] == UNIT and stack.failures() == []


def test_a_record_the_domain_refuses_lands_in_the_failure_queue_with_its_payload(stack):
    change = search_stream.upsert(listing(LISTING_ID), version=7)
    stack.fake.fail_item(LISTING_ID, 400, "mapper_parsing_exception", "failed to parse field [location]")
    assert stack.producer.put([change]) == []

    assert stack.index() == {"batchItemFailures": []}

    (message,) = stack.failures()
    body = json.loads(message["Body"])
    assert (body["error_type"], body["listing_id"]) == ("mapper_parsing_exception", LISTING_ID)
    assert json.loads(base64.b64decode(body["data_base64"])) == json.loads(json.dumps(change))
