"""The leasing bus's metrics consumer: counts each lease event once, even when it arrives twice."""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from moto import mock_aws

from lambdas.lease_event_metrics import handler as consumer

# A redelivery publishes nothing, which Powertools reports with a warning.
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


@pytest.fixture
def idempotency_table(aws_env, monkeypatch):
    with mock_aws():
        boto3.client("dynamodb", region_name="us-east-1").create_table(
            TableName="lease-events-idempotency",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        )
        monkeypatch.setenv("IDEMPOTENCY_TABLE", "lease-events-idempotency")
        monkeypatch.setattr(consumer, "_recorder", None)
        yield


def lease_event(detail_type: str, **detail) -> dict:
    """A lease event as the leasing bus delivers it to a Lambda target."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": "blueprints.leasing",
        "account": "111111111111",
        "time": "2024-07-01T09:30:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "event_id": str(uuid.uuid4()),
            "event_version": 1,
            "occurred_at": "2024-07-01T09:30:00.000+00:00",
            **detail,
        },
    }


def published(capsys) -> list[dict]:
    """The EMF documents the function printed."""
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]


def test_a_payment_counts_once_even_when_delivered_twice(idempotency_table, lambda_context, capsys):
    event = lease_event(
        consumer.PAID,
        lease_id=str(uuid.uuid4()),
        community_id="avalon-hoboken",
        amount_cents=410_000,
        billing_period="2024-07",
    )
    first = consumer.handler(event, lambda_context)
    redelivered = {**event, "id": str(uuid.uuid4())}  # EventBridge gives each delivery its own id
    second = consumer.handler(redelivered, lambda_context)
    assert first == second
    documents = [d for d in published(capsys) if "RentPayments" in d]
    assert len(documents) == 1
    assert documents[0]["community"] == "avalon-hoboken"
    assert documents[0]["RentPayments"] in (1, [1]) and documents[0]["RentCollected"] in (4100, [4100])


def test_each_kind_of_lease_event_has_its_metric(idempotency_table, lambda_context, capsys):
    consumer.handler(lease_event(consumer.SUBMITTED, community_id="avalon-arlington"), lambda_context)
    consumer.handler(lease_event(consumer.CREATED, community_id="avalon-arlington"), lambda_context)
    names = {name for d in published(capsys) for name in ("LeaseApplications", "LeasesCreated") if name in d}
    assert names == {"LeaseApplications", "LeasesCreated"}


def test_an_event_without_an_id_is_refused(idempotency_table, lambda_context):
    event = lease_event(consumer.SUBMITTED, community_id="x")
    del event["detail"]["event_id"]
    with pytest.raises(Exception, match="idempotency_key"):
        consumer.handler(event, lambda_context)
