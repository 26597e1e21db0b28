"""Fixtures for the EventBridge architecture's Lambda tests (moto + a fake global endpoint)."""

from __future__ import annotations

import uuid

import boto3
import pytest
from moto import mock_aws

from tests.lambdas.events.fake_endpoint import FakeEventBridge
from tests.lambdas.events.support import REGION, Clock, LambdaContext


@pytest.fixture
def aws(monkeypatch):
    """Fake credentials and a default Region, with every AWS API served by moto."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


@pytest.fixture
def buffer_queue(aws):
    """The producer's store-and-forward queue (moto SQS)."""
    return boto3.client("sqs", region_name=REGION).create_queue(QueueName="orders-bus-buffer")["QueueUrl"]


@pytest.fixture
def buffer_dlq(aws):
    """The buffer's dead-letter queue (moto SQS)."""
    return boto3.client("sqs", region_name=REGION).create_queue(QueueName="orders-bus-buffer-dlq")["QueueUrl"]


@pytest.fixture
def fake_bridge():
    return FakeEventBridge(seed=7)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def lambda_context():
    return LambdaContext(aws_request_id=str(uuid.uuid4()))
