"""The search stream's record format and a producer for the systems that feed it.

Records are listing changes, one JSON object each (what ``search_indexer/changes.py`` parses)::

    {"op": "upsert", "listing_id": "...", "version": 1731000000123, "listing": {...whole document...}}
    {"op": "delete", "listing_id": "...", "version": 1731000000456}

The partition key is the listing id, so the changes of one listing stay ordered within a shard.
``version`` only grows for a listing (its update time in milliseconds); the indexer hands it to
OpenSearch as an external version, so replays and late deliveries are harmless.

``SearchStreamProducer`` batches ``PutRecords`` calls within the API's limits (500 records and
5 MiB per call, 1 MiB per record including its partition key), retries only the records Kinesis
refused (``ProvisionedThroughputExceededException``, ``InternalFailure``) with exponential backoff
and full jitter, and returns those it could not put, never dropping one silently
(https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

MAX_RECORDS_PER_CALL = 500
MAX_BYTES_PER_CALL = 5 * 1024 * 1024
MAX_BYTES_PER_RECORD = 1024 * 1024  # data and partition key together
MAX_PARTITION_KEY_CHARS = 256
# Whole-call errors another attempt cannot cure (the rest, throttling and 5xx, are retried).
PERMANENT_CALL_ERRORS = frozenset(
    {
        "AccessDeniedException",
        "InvalidArgumentException",
        "ResourceNotFoundException",
        "ValidationException",
        "KMSAccessDeniedException",
        "KMSDisabledException",
        "KMSNotFoundException",
        "KMSInvalidStateException",
    }
)


def listing_id_of(community_id: str, unit_id: str) -> str:
    """The listing of a community's unit: lease events name the unit, search documents the listing."""
    return f"{community_id}-{unit_id}"


def version_of(moment: datetime | str) -> int:
    """A change's version: its time in whole milliseconds since the epoch."""
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return int(when.timestamp() * 1000)


def upsert(listing: dict[str, Any], version: int) -> dict[str, Any]:
    return {"op": "upsert", "listing_id": listing["listing_id"], "version": version, "listing": listing}


def delete(listing_id: str, version: int) -> dict[str, Any]:
    return {"op": "delete", "listing_id": listing_id, "version": version}


def _json_default(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


@dataclass(frozen=True)
class Record:
    data: bytes
    partition_key: str

    @classmethod
    def of(cls, change: dict[str, Any]) -> Record:
        return cls(json.dumps(change, default=_json_default, separators=(",", ":")).encode(), change["listing_id"])

    @property
    def size(self) -> int:
        return len(self.data) + len(self.partition_key.encode())


@dataclass
class Failed:
    record: Record
    error_code: str
    error_message: str


def batches(records: list[Record]) -> list[list[Record]]:
    """Consecutive groups within the per-call limits, order kept."""
    groups: list[list[Record]] = []
    current: list[Record] = []
    size = 0
    for record in records:
        if current and (len(current) == MAX_RECORDS_PER_CALL or size + record.size > MAX_BYTES_PER_CALL):
            groups.append(current)
            current, size = [], 0
        current.append(record)
        size += record.size
    if current:
        groups.append(current)
    return groups


class SearchStreamProducer:
    def __init__(
        self,
        kinesis_client: Any,
        stream_arn: str,
        max_attempts: int = 5,
        base_delay: float = 0.1,
        max_delay: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ):
        self.kinesis = kinesis_client
        self.stream_arn = stream_arn
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.calls = 0

    def put(self, changes: Iterable[dict[str, Any]]) -> list[Failed]:
        """Puts every change; returns the ones still refused after the last attempt (or too big
        to ever fit), for the caller to keep and put again later."""
        failed: list[Failed] = []
        records = []
        for change in changes:
            record = Record.of(change)
            if record.size > MAX_BYTES_PER_RECORD or not 1 <= len(record.partition_key) <= MAX_PARTITION_KEY_CHARS:
                failed.append(
                    Failed(
                        record,
                        "RecordTooLarge" if record.size > MAX_BYTES_PER_RECORD else "InvalidPartitionKey",
                        f"{record.size} bytes, key {record.partition_key!r}",
                    )
                )
            else:
                records.append(record)
        for group in batches(records):
            failed.extend(self._put_batch(group))
        return failed

    def _put_batch(self, pending: list[Record]) -> list[Failed]:
        refused: list[Failed] = []
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1:
                # Full jitter: https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
                self._sleep(self._rng.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 2))))
            self.calls += 1
            try:
                response = self.kinesis.put_records(
                    StreamARN=self.stream_arn,
                    Records=[{"Data": r.data, "PartitionKey": r.partition_key} for r in pending],
                )
            except (ClientError, BotoCoreError) as error:
                code = error.response["Error"]["Code"] if isinstance(error, ClientError) else type(error).__name__
                refused = [Failed(r, code, str(error)) for r in pending]
                if code in PERMANENT_CALL_ERRORS:
                    return refused
                continue
            # Results are in request order; a refused record has ErrorCode instead of SequenceNumber.
            refused = [
                Failed(r, result["ErrorCode"], result.get("ErrorMessage", ""))
                for r, result in zip(pending, response["Records"])
                if result.get("ErrorCode")
            ]
            if not refused:
                return []
            pending = [f.record for f in refused]
        return refused
