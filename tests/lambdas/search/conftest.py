"""Fixtures for the search functions: a signed fake OpenSearch on loopback and moto SQS."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from tests.lambdas.search.fake_opensearch import FakeOpenSearch
from tests.lambdas.search.search_helpers import CREDENTIALS, LISTING_PROPERTIES, REGION


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
