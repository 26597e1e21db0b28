"""Helpers shared by the EventBridge Lambda tests (imported; not fixtures)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import boto3

REGION = "us-east-1"
BUS = "orders-bus"
ENDPOINT_ID = "y6gho8g4kc.veo"


class Clock:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class LambdaContext:
    function_name: str = "test-function"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:123456789012:function:test-function"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    remaining_ms: int = 30_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def order_entry(order_id: str | None = None, *, total: float = 42.5, customer_id: str = "c-1"):
    """An entry shaped like the post's sample order event."""
    return {
        "Source": "com.aws.Orders",
        "DetailType": "OrderCreated",
        "EventBusName": BUS,
        "Detail": json.dumps(
            {
                "order_date": datetime.now(UTC).isoformat(),
                "customer_id": customer_id,
                "order_id": order_id or str(uuid.uuid4()),
                "order_total": total,
            }
        ),
    }


def queue_bodies(queue_url: str) -> list[dict]:
    """Every message body currently in the queue (received with a short visibility timeout)."""
    sqs = boto3.client("sqs", region_name=REGION)
    bodies, seen = [], set()
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=30).get(
            "Messages", []
        )
        fresh = [m for m in messages if m["MessageId"] not in seen]
        if not fresh:
            return bodies
        for message in fresh:
            seen.add(message["MessageId"])
            bodies.append(json.loads(message["Body"]))


def queue_depth(queue_url: str) -> int:
    """Visible plus in-flight messages."""
    attributes = boto3.client("sqs", region_name=REGION).get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])
