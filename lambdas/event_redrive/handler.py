"""Lambda behind an SQS event source mapping on the producer's buffer queue.

The whole batch is republished first (up to 10 entries per PutEvents), then Powertools' batch
processor reports every record whose entry was not accepted as a batch item failure. Lambda deletes
only the records that succeeded; the others reappear after the visibility timeout and, once the
queue's maxReceiveCount is reached, move to its dead-letter queue. The event source mapping must
have ``ReportBatchItemFailures`` enabled.

An SQS trigger (rather than a schedule) keeps the redrive independent of EventBridge, which is the
service that may be disrupted. Environment: ``EVENT_ENDPOINT_ID`` (optional).
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from .messages import UnreadableMessage, read_entry
from .republish import Republisher

logger = Logger()

_republisher: Republisher | None = None


class NotRepublished(RuntimeError):
    """This record's entry was not accepted; it stays in the queue."""


def get_republisher() -> Republisher:
    global _republisher
    if _republisher is None:
        _republisher = Republisher(endpoint_id=os.environ.get("EVENT_ENDPOINT_ID") or None)
    return _republisher


def reset() -> None:
    global _republisher
    _republisher = None


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = event.get("Records", [])
    problems: dict[str, str] = {}
    items = []
    for record in records:
        try:
            items.append((record["messageId"], read_entry(record["body"])))
        except UnreadableMessage as error:
            problems[record["messageId"]] = f"unreadable: {error}"
    accepted, failures = get_republisher().republish(items)
    problems.update(failures)
    if problems:
        logger.warning("entries not republished; they stay in the queue", extra={"failures": problems})
    logger.info("republished buffered events", extra={"accepted": len(accepted), "failed": len(problems)})

    def outcome(record: SQSRecord) -> None:
        if record.message_id not in accepted:
            raise NotRepublished(problems.get(record.message_id, "not accepted"))

    # A fully failed batch is reported item by item rather than raised: during an outage that is
    # the normal case, and failing the invocation would only add error noise.
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return process_partial_response(
        event=event, record_handler=outcome, processor=processor, context=context
    )
