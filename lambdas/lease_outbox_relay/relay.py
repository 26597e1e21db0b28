"""Moves outbox rows to EventBridge with PutEvents, at least once and never losing one.

A batch is claimed with ``FOR UPDATE SKIP LOCKED`` (two relays never send the same rows at the
same time), sent, and marked in the same transaction:

* an entry EventBridge accepted (it has an ``EventId``) is marked sent;
* an entry it refused (``ErrorCode``, e.g. ``ThrottlingException`` or ``InternalFailure``) and
  every entry of a call that failed as a whole stays pending, with ``attempts`` counted and its
  next attempt pushed back exponentially (capped), and is sent again by a later batch.

Nothing is ever deleted before it was accepted. The only duplicate is a batch whose PutEvents
succeeded but whose marking did not commit (crash or lost connection in between): at most one
batch (10 events) per such failure is sent again; consumers drop it by ``detail.event_id``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from botocore.exceptions import BotoCoreError, ClientError

MAX_PUT_EVENTS_ENTRIES = 10  # the PutEvents limit per call


@dataclass(frozen=True)
class RelaySettings:
    bus_name: str
    source: str
    batch_size: int = MAX_PUT_EVENTS_ENTRIES
    backoff_base_seconds: float = 2.0
    backoff_cap_seconds: float = 300.0
    stuck_after_attempts: int = 8
    sent_retention_days: int = 7

    def __post_init__(self) -> None:
        problems = []
        if not self.bus_name:
            problems.append("EVENT_BUS_NAME is empty")
        if not self.source or self.source.startswith("aws."):
            problems.append(f"EVENT_SOURCE must be set and must not start with 'aws.', got {self.source!r}")
        if not 1 <= self.batch_size <= MAX_PUT_EVENTS_ENTRIES:
            problems.append(f"batch size must be 1..{MAX_PUT_EVENTS_ENTRIES}, got {self.batch_size}")
        if self.backoff_base_seconds < 0 or self.backoff_cap_seconds < self.backoff_base_seconds:
            problems.append("backoff must satisfy 0 <= base <= cap")
        if self.sent_retention_days < 1:
            problems.append("sent_retention_days must be at least 1")
        if problems:
            raise ValueError("outbox relay settings: " + "; ".join(problems))


@dataclass
class RelayReport:
    sent: int = 0
    failed_attempts: int = 0
    batches: int = 0
    call_failures: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    # Rows this run already tried and failed: each run tries a row at most once, whatever the backoff.
    failed_ids: list[int] = field(default_factory=list, repr=False)
    pending: int = 0
    stuck: int = 0
    oldest_pending_seconds: float = 0.0
    purged: int = 0

    def count_error(self, code: str) -> None:
        self.errors[code] = self.errors.get(code, 0) + 1


_CLAIM = """
SELECT outbox_id, event_id, detail_type, detail, created_at, attempts
FROM event_outbox
WHERE sent_at IS NULL AND next_attempt_at <= now() AND NOT outbox_id = ANY(%s)
ORDER BY outbox_id
LIMIT %s
FOR UPDATE SKIP LOCKED
"""

_MARK_SENT = """
UPDATE event_outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL, eventbridge_event_id = %s
WHERE outbox_id = %s
"""

_MARK_FAILED = """
UPDATE event_outbox
SET attempts = attempts + 1,
    last_error = %s,
    next_attempt_at = now() + make_interval(secs => least(%s::float8, %s::float8 * power(2, attempts)))
WHERE outbox_id = %s
"""


def _entry(row: dict, settings: RelaySettings) -> dict:
    return {
        "Source": settings.source,
        "DetailType": row["detail_type"],
        "Detail": json.dumps(row["detail"], separators=(",", ":")),
        "EventBusName": settings.bus_name,
        "Time": row["created_at"],
    }


def _error_code(error: Exception) -> str:
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code", "ClientError")
    return type(error).__name__


def relay_batch(cur, events_client, settings: RelaySettings, report: RelayReport) -> int:
    """Sends one claimed batch inside the caller's transaction; returns how many rows it claimed."""
    cur.execute(_CLAIM, (report.failed_ids, settings.batch_size))
    rows = cur.fetchall()
    if not rows:
        return 0
    report.batches += 1
    backoff = (settings.backoff_cap_seconds, settings.backoff_base_seconds)
    try:
        response = events_client.put_events(Entries=[_entry(row, settings) for row in rows])
    except (ClientError, BotoCoreError) as error:
        # The whole call failed (after the SDK's own retries): nothing was accepted, keep all.
        code = _error_code(error)
        report.call_failures += 1
        report.count_error(code)
        report.failed_attempts += len(rows)
        cur.executemany(_MARK_FAILED, [(f"{code}: {error}"[:1000], *backoff, row["outbox_id"]) for row in rows])
        report.failed_ids.extend(row["outbox_id"] for row in rows)
        return len(rows)

    results = response.get("Entries", [])
    for index, row in enumerate(rows):
        result = results[index] if index < len(results) else {"ErrorCode": "MissingResult"}
        if result.get("EventId") and not result.get("ErrorCode"):
            cur.execute(_MARK_SENT, (result["EventId"], row["outbox_id"]))
            report.sent += 1
        else:
            code = result.get("ErrorCode") or "UnknownError"
            report.count_error(code)
            report.failed_attempts += 1
            message = f"{code}: {result.get('ErrorMessage', '')}"[:1000]
            cur.execute(_MARK_FAILED, (message, *backoff, row["outbox_id"]))
            report.failed_ids.append(row["outbox_id"])
    return len(rows)


def run(db, events_client, settings: RelaySettings, time_left_ms: Callable[[], int] = lambda: 60_000,
        reserve_ms: int = 5_000, max_batches: int = 500) -> RelayReport:
    """Relays batches until nothing is due, a whole call fails (back off until the next run), the
    batch budget is spent or the invocation is about to time out; then reports the backlog."""
    report = RelayReport()
    while report.batches < max_batches and time_left_ms() > reserve_ms:
        failures_before = report.call_failures
        claimed = db.transaction(lambda cur: relay_batch(cur, events_client, settings, report))
        if claimed == 0 or report.call_failures > failures_before:
            break

    def backlog(cur):
        cur.execute(
            """SELECT count(*) AS pending,
                      count(*) FILTER (WHERE attempts >= %s) AS stuck,
                      coalesce(extract(epoch FROM now() - min(created_at)), 0) AS oldest
               FROM event_outbox WHERE sent_at IS NULL""",
            (settings.stuck_after_attempts,),
        )
        row = cur.fetchone()
        cur.execute(
            """DELETE FROM event_outbox WHERE outbox_id IN (
                   SELECT outbox_id FROM event_outbox
                   WHERE sent_at < now() - make_interval(days => %s) LIMIT 1000)""",
            (settings.sent_retention_days,),
        )
        return row, cur.rowcount

    row, purged = db.transaction(backlog)
    report.pending, report.stuck = row["pending"], row["stuck"]
    report.oldest_pending_seconds = float(row["oldest"])
    report.purged = purged
    return report
