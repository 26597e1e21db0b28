"""Search indexer: Kinesis listing changes to OpenSearch, reporting only the failed records."""

from __future__ import annotations

import functools
import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord
from botocore.config import Config

from .failures import FailureQueue
from .indexer import Indexer
from .opensearch import client_from_env

logger = Logger()


class KinesisBulkProcessor(BatchProcessor):
    """Powertools' partial batch processor, except that the handler receives the whole batch (one
    bulk request serves many records) and returns one error or None per record. Powertools still
    builds the `batchItemFailures` response and fails the invocation when every record failed."""

    def __init__(self, logger: Any = None):
        super().__init__(event_type=EventType.KinesisDataStreams, logger=logger)

    def process(self) -> list[tuple]:
        batch = [KinesisStreamRecord(raw) for raw in self.records]
        errors = self.handler(batch)
        if len(errors) != len(batch):
            raise RuntimeError(f"batch handler returned {len(errors)} results for {len(batch)} records")
        results = []
        for raw, record, error in zip(self.records, batch, errors):
            if error is None:
                results.append(self.success_handler(record=raw, result=None))
            else:
                results.append(self.failure_handler(record=record, exception=(type(error), error, error.__traceback__)))
        return results


processor = KinesisBulkProcessor()
LOGGED_FAILURES = 5


@functools.cache
def _sqs_client() -> Any:
    # Bounded: a queue that cannot be reached fails the send within seconds (the records are then
    # retried) instead of holding the invocation until the function's timeout.
    return boto3.client(
        "sqs", config=Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})
    )


@functools.cache
def _opensearch_client() -> Any:
    return client_from_env()


@functools.cache
def _indexer() -> Indexer:
    queue_url = os.environ.get("FAILURE_QUEUE_URL")
    return Indexer(
        client=_opensearch_client,
        index=os.environ.get("INDEX_NAME", "listings"),
        failure_queue=FailureQueue(queue_url, _sqs_client) if queue_url else None,
        max_chunk_bytes=int(os.environ.get("BULK_MAX_BYTES", str(5 * 1024 * 1024))),
        max_chunk_actions=int(os.environ.get("BULK_MAX_ACTIONS", "1000")),
        max_attempts=int(os.environ.get("BULK_MAX_ATTEMPTS", "3")),
        backoff_seconds=float(os.environ.get("BULK_BACKOFF_SECONDS", "0.5")),
        request_timeout_seconds=float(os.environ.get("OPENSEARCH_TIMEOUT_SECONDS", "10")),
        history_alias=os.environ.get("HISTORY_ALIAS") or None,
        park_retryable_after_seconds=float(os.environ["PARK_RETRYABLE_AFTER_SECONDS"])
        if os.environ.get("PARK_RETRYABLE_AFTER_SECONDS")
        else None,
    )


def reset_clients() -> None:
    """Forget cached clients and settings (tests change the environment between cases)."""
    for cached in (_sqs_client, _opensearch_client, _indexer):
        cached.cache_clear()


@logger.inject_lambda_context
def handler(event: dict, context: Any) -> dict:
    indexer = _indexer()

    def time_left() -> float:
        return context.get_remaining_time_in_millis() / 1000

    def index_batch(records: list[KinesisStreamRecord]) -> list[Exception | None]:
        result = indexer.index_records(records, time_left=time_left)
        logger.info(
            "batch indexed",
            extra={"records": len(records), "bulk_requests": result.bulk_requests, **dict(result.counts)},
        )
        failed = [(record, error) for record, error in zip(records, result.errors) if error is not None]
        # The first few say why; Lambda resumes from the lowest failed sequence number anyway.
        for record, error in failed[:LOGGED_FAILURES]:
            logger.warning(
                "record left for retry",
                extra={"sequence_number": record.kinesis.sequence_number, "error": str(error), "failed": len(failed)},
            )
        return result.errors

    return process_partial_response(event=event, record_handler=index_batch, processor=processor, context=context)
