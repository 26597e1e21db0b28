"""Moves outbox rows to the lease bus of every Region with PutEvents, never losing one.

Delivery guarantee: every committed lease event reaches each configured bus (one per deployed
Region) at least once, and in practice exactly once per bus; it is relayed by one relay at a time.

* Only the relay whose database is the writer relays. Every Region runs the relay against its own
  Region's proxy; a secondary cluster is read-only (or its proxy has no read/write target), so
  that relay only reports the backlog. After a switchover or failover the promoted Region's
  relay takes over on its next run: the relay follows the writer, with no configuration change.
* A batch is claimed with ``FOR UPDATE SKIP LOCKED`` (two relays never send the same rows at the
  same time), sent to each bus that has not accepted it yet, and marked in the same transaction.
  A bus that accepted an entry (it has an ``EventId``) is recorded in the row's ``deliveries``;
  the row is sent once every bus is recorded. An entry a bus refused (``ErrorCode``, e.g.
  ``ThrottlingException``) or a call that failed as a whole leaves the row pending, with
  ``attempts`` counted and its next attempt pushed back exponentially (capped); the later attempt
  goes only to the buses still missing.

Nothing is ever deleted before every bus accepted it. The only duplicate is a batch whose PutEvents
succeeded but whose marking did not commit (crash or lost connection in between): at most one
batch (10 events) per bus per such failure is sent again; consumers drop it by ``detail.event_id``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from psycopg.types.json import Jsonb

MAX_PUT_EVENTS_ENTRIES = 10  # the PutEvents limit per call
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus.html (bus ARN format)
BUS_ARN = re.compile(r"arn:aws[a-z-]*:events:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+):\d{12}:event-bus/[\w.\-/]{1,256}")


def bus_region(arn: str) -> str:
    return BUS_ARN.fullmatch(arn)["region"]


@dataclass(frozen=True)
class RelaySettings:
    bus_arns: tuple[str, ...]  # the lease bus of every deployed Region
    source: str
    batch_size: int = MAX_PUT_EVENTS_ENTRIES
    backoff_base_seconds: float = 2.0
    backoff_cap_seconds: float = 300.0
    stuck_after_attempts: int = 8
    sent_retention_days: int = 7

    def __post_init__(self) -> None:
        problems = []
        if not self.bus_arns:
            problems.append("EVENT_BUS_ARNS is empty (the lease bus ARN of every Region, comma-separated)")
        bad = [arn for arn in self.bus_arns if not BUS_ARN.fullmatch(arn)]
        if bad:
            problems.append(f"EVENT_BUS_ARNS has values that are not event bus ARNs: {bad}")
        if len(set(self.bus_arns)) != len(self.bus_arns):
            problems.append(f"EVENT_BUS_ARNS lists a bus twice: {list(self.bus_arns)}")
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
    standby: bool = False  # the database is not the writer: nothing relayed here
    sent: int = 0
    failed_attempts: int = 0
    batches: int = 0
    call_failures: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    # Rows this run already tried and failed: each run tries a row at most once, whatever the backoff.
    failed_ids: list[int] = field(default_factory=list, repr=False)
    # Buses whose PutEvents failed as a whole in this run: skipped until the next run, so a Region
    # that is down delays only its own copy of each event, not the other Regions'.
    unreachable: set[str] = field(default_factory=set, repr=False)
    pending: int = 0
    stuck: int = 0
    oldest_pending_seconds: float = 0.0
    purged: int = 0

    def count_error(self, code: str) -> None:
        self.errors[code] = self.errors.get(code, 0) + 1


_CLAIM = """
SELECT outbox_id, event_id, detail_type, detail, created_at, attempts, deliveries
FROM event_outbox
WHERE sent_at IS NULL AND next_attempt_at <= now() AND NOT outbox_id = ANY(%s)
ORDER BY outbox_id
LIMIT %s
FOR UPDATE SKIP LOCKED
"""

_MARK_SENT = """
UPDATE event_outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL, deliveries = deliveries || %s
WHERE outbox_id = %s
"""

_MARK_FAILED = """
UPDATE event_outbox
SET attempts = attempts + 1,
    deliveries = deliveries || %s,
    last_error = %s,
    next_attempt_at = now() + make_interval(secs => least(%s::float8, %s::float8 * power(2, attempts)))
WHERE outbox_id = %s
"""


def _entry(row: dict, settings: RelaySettings, bus_arn: str) -> dict:
    return {
        "Source": settings.source,
        "DetailType": row["detail_type"],
        "Detail": json.dumps(row["detail"], separators=(",", ":")),
        "EventBusName": bus_arn,  # PutEvents takes a bus name or ARN
        "Time": row["created_at"],
    }


def _error_code(error: Exception) -> str:
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code", "ClientError")
    return type(error).__name__


def _put(
    events_client: Any, rows: list[dict], bus_arn: str, settings: RelaySettings, report: RelayReport
) -> list[tuple[str | None, str]]:
    """Sends the rows to one bus; per row, (EventBridge event id or None, error message)."""
    try:
        response = events_client.put_events(Entries=[_entry(row, settings, bus_arn) for row in rows])
    except (ClientError, BotoCoreError) as error:
        # The whole call failed (after the SDK's own retries): nothing was accepted.
        code = _error_code(error)
        report.call_failures += 1
        report.count_error(code)
        report.unreachable.add(bus_arn)
        return [(None, f"{bus_arn}: {code}: {error}")] * len(rows)
    results = response.get("Entries", [])
    outcomes = []
    for index in range(len(rows)):
        result = results[index] if index < len(results) else {"ErrorCode": "MissingResult"}
        if result.get("EventId") and not result.get("ErrorCode"):
            outcomes.append((result["EventId"], ""))
        else:
            code = result.get("ErrorCode") or "UnknownError"
            report.count_error(code)
            outcomes.append((None, f"{bus_arn}: {code}: {result.get('ErrorMessage', '')}"))
    return outcomes


def relay_batch(cur, events_clients: Callable[[str], Any], settings: RelaySettings, report: RelayReport) -> int:
    """Sends one claimed batch to every bus still missing it, inside the caller's transaction;
    returns how many rows it claimed."""
    cur.execute(_CLAIM, (report.failed_ids, settings.batch_size))
    rows = cur.fetchall()
    if not rows:
        return 0
    report.batches += 1
    accepted: dict[int, dict[str, str]] = {row["outbox_id"]: {} for row in rows}
    errors: dict[int, list[str]] = {row["outbox_id"]: [] for row in rows}
    for bus_arn in settings.bus_arns:
        missing = [row for row in rows if bus_arn not in row["deliveries"]]
        if bus_arn in report.unreachable:
            for row in missing:
                errors[row["outbox_id"]].append(f"{bus_arn}: skipped, unreachable earlier in this run")
            continue
        if not missing:
            continue
        for row, (event_id, error) in zip(
            missing, _put(events_clients(bus_region(bus_arn)), missing, bus_arn, settings, report)
        ):
            if event_id:
                accepted[row["outbox_id"]][bus_arn] = event_id
            else:
                errors[row["outbox_id"]].append(error)
    backoff = (settings.backoff_cap_seconds, settings.backoff_base_seconds)
    for row in rows:
        outbox_id = row["outbox_id"]
        if errors[outbox_id]:
            report.failed_attempts += 1
            report.failed_ids.append(outbox_id)
            cur.execute(
                _MARK_FAILED, (Jsonb(accepted[outbox_id]), "; ".join(errors[outbox_id])[:1000], *backoff, outbox_id)
            )
        else:
            report.sent += 1
            cur.execute(_MARK_SENT, (Jsonb(accepted[outbox_id]), outbox_id))
    return len(rows)


def is_writer(cur) -> bool:
    """Whether this database takes writes: a secondary cluster of an Aurora global database is
    read-only (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html),
    and a demoted writer turns read-only during a switchover."""
    cur.execute("SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on' AS read_only")
    return not cur.fetchone()["read_only"]


def run(
    db,
    events_clients: Callable[[str], Any],
    settings: RelaySettings,
    time_left_ms: Callable[[], int] = lambda: 60_000,
    reserve_ms: int = 5_000,
    max_batches: int = 500,
) -> RelayReport:
    """On the writer: relays batches until nothing is due, every bus failed a whole call (back off
    until the next run), the batch budget is spent or the invocation is about to time out. Everywhere:
    reports the backlog. ``events_clients(region)`` is the EventBridge client of a Region."""
    report = RelayReport(standby=not db.transaction(is_writer))
    while not report.standby and report.batches < max_batches and time_left_ms() > reserve_ms:
        claimed = db.transaction(lambda cur: relay_batch(cur, events_clients, settings, report))
        if claimed == 0 or report.unreachable == set(settings.bus_arns):
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
        if report.standby:
            return row, 0  # read-only: the writer's relay purges
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
