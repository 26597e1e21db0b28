"""Recover events after an EventBridge outage: archive replay and buffer-DLQ redrive.

``replay`` replays a time window from a bus's archive back onto the same bus, in each Region given,
and waits for every replay to finish. EventBridge replays only to the bus the archive belongs to
(StartReplay: "Destination ... must be the same event bus as the archive's source"; EventBridge API
reference, StartReplay / ReplayDestination), which is what recovery needs anyway. Replayed events
carry ``replay-name``, which the order consumer uses to process them whatever their origin Region
(``lambdas/order_consumer/origin.py``). Interrupting the command cancels the replays it started.

``redrive-buffer-dlq`` moves the messages in the producer buffer's dead-letter queue back to the
buffer (receive, send, delete only once the send is confirmed; one message per buffered entry),
where the redrive function republishes them. Fix the cause first (a non-retryable error such as
AccessDenied or MalformedDetail sends them straight back). The buffer is found from the DLQ with
ListDeadLetterSourceQueues unless ``--to-queue-url`` is given. SQS's own StartMessageMoveTask does
the same server-side, but reports no per-message outcome and cannot be dry-run.

    python -m tools.eventbridge_recovery replay --bus-name orders-bus \\
        --regions us-east-1 us-west-2 --start 2026-12-01T10:00Z --end 2026-12-01T12:00Z
    python -m tools.eventbridge_recovery redrive-buffer-dlq --region us-east-1 \\
        --dlq-url https://sqs.us-east-1.amazonaws.com/123456789012/orders-bus-buffer-dlq

Exit codes: 0 done; 1 a replay failed, was cancelled or timed out, or messages were left in the
DLQ; 2 bad input or nothing to work on; 130 interrupted (started replays cancelled).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

import boto3
from botocore.exceptions import BotoCoreError, ClientError

EXIT_OK, EXIT_INCOMPLETE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
# DescribeReplay states (EventBridge API reference, Replay.State).
DONE_STATES = frozenset({"COMPLETED", "FAILED", "CANCELLED"})
_SQS_BATCH_LIMIT = 10

ClientFactory = Callable[[str, str], Any]


class UsageError(Exception):
    """Bad input or nothing to act on: nothing has been changed."""


def default_client_factory(service: str, region: str) -> Any:
    return boto3.client(service, region_name=region)


def parse_time(text: str) -> datetime:
    """ISO 8601; a time without a zone is UTC."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"{text!r} is not an ISO 8601 time (e.g. 2026-12-01T10:00Z)") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# -- replay --------------------------------------------------------------------------------------


@dataclass
class ReplayOutcome:
    region: str
    archive: str
    replay_name: str
    state: str = "NOT_STARTED"
    state_reason: str = ""
    last_replayed: str | None = None


@dataclass
class ReplayRun:
    bus_name: str
    regions: list[str]
    start: datetime
    end: datetime
    archive_name: str | None = None
    poll_interval: float = 15.0
    timeout: float = 3600.0
    client_factory: ClientFactory = default_client_factory
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    out: TextIO = sys.stdout
    outcomes: list[ReplayOutcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise UsageError(f"--start ({self.start:%Y-%m-%dT%H:%M%z}) must be before --end")
        if self.end > datetime.now(UTC):
            raise UsageError("--end is in the future: the archive cannot hold those events yet")
        if not self.regions or len(set(self.regions)) != len(self.regions):
            raise UsageError(f"--regions must name distinct Regions, got {self.regions}")
        if self.poll_interval <= 0 or self.timeout <= 0:
            raise UsageError("--poll-interval and --timeout must be positive")

    def find_archive(self, events: Any, region: str) -> tuple[str, str, str]:
        """(archive name, archive ARN, bus ARN) of the bus's archive in this Region."""
        try:
            bus_arn = events.describe_event_bus(Name=self.bus_name)["Arn"]
        except ClientError as error:
            raise UsageError(f"{region}: bus {self.bus_name}: {error}") from None
        archives = events.list_archives(EventSourceArn=bus_arn).get("Archives", [])
        if self.archive_name:
            archives = [a for a in archives if a["ArchiveName"] == self.archive_name]
        if len(archives) != 1:
            names = [a["ArchiveName"] for a in archives]
            raise UsageError(
                f"{region}: expected one archive of bus {self.bus_name}, found {names or 'none'}"
                + ("; choose one with --archive-name" if names else "")
            )
        name = archives[0]["ArchiveName"]
        return name, events.describe_archive(ArchiveName=name)["ArchiveArn"], bus_arn

    def start_all(self) -> None:
        # Look everything up before starting anything: a missing archive changes nothing.
        plans = []
        for region in self.regions:
            events = self.client_factory("events", region)
            plans.append((region, events, *self.find_archive(events, region)))
        stamp = f"{self.start:%Y%m%dT%H%M}-{uuid.uuid4().hex[:8]}"
        for region, events, archive, archive_arn, bus_arn in plans:
            outcome = ReplayOutcome(region, archive, f"recover-{stamp}")  # [.\-_A-Za-z0-9]{1,64}
            events.start_replay(
                ReplayName=outcome.replay_name,
                Description=f"recovery of {self.bus_name} {self.start.isoformat()}..{self.end.isoformat()}",
                EventSourceArn=archive_arn,
                EventStartTime=self.start,
                EventEndTime=self.end,
                Destination={"Arn": bus_arn},
            )
            outcome.state = "STARTING"
            self.outcomes.append(outcome)
            print(f"{region}: replay {outcome.replay_name} started from archive {archive}", file=self.out, flush=True)

    def wait(self) -> None:
        deadline = self.clock() + self.timeout
        while True:
            for outcome in self.outcomes:
                if outcome.state in DONE_STATES:
                    continue
                replay = self.client_factory("events", outcome.region).describe_replay(ReplayName=outcome.replay_name)
                outcome.state = replay["State"]
                outcome.state_reason = replay.get("StateReason", "")
                last = replay.get("EventLastReplayedTime")
                outcome.last_replayed = last.isoformat() if last else None
            pending = [o for o in self.outcomes if o.state not in DONE_STATES]
            if not pending or self.clock() + self.poll_interval > deadline:
                return
            progress = ", ".join(f"{o.region} {o.state} at {o.last_replayed or '-'}" for o in pending)
            print(f"waiting: {progress}", file=self.out, flush=True)
            self.sleep(self.poll_interval)

    def cancel_unfinished(self) -> None:
        for outcome in self.outcomes:
            if outcome.state not in DONE_STATES:
                try:
                    self.client_factory("events", outcome.region).cancel_replay(ReplayName=outcome.replay_name)
                    outcome.state = "CANCELLING"
                except Exception as error:  # noqa: BLE001 - reported; the others still cancelled
                    outcome.state_reason = f"cancel failed: {error}"

    def run(self) -> int:
        self.start_all()
        try:
            self.wait()
        except KeyboardInterrupt:
            self.cancel_unfinished()
            return EXIT_INTERRUPTED
        return EXIT_OK if all(o.state == "COMPLETED" for o in self.outcomes) else EXIT_INCOMPLETE


# -- buffer DLQ redrive --------------------------------------------------------------------------


@dataclass
class RedriveReport:
    dlq_url: str
    to_queue_url: str
    received: int = 0
    moved: int = 0
    send_failed: dict[str, str] = field(default_factory=dict)  # message id -> error (left in DLQ)
    delete_failed: dict[str, str] = field(default_factory=dict)  # sent, also still in the DLQ


def buffer_queue_of(sqs: Any, dlq_url: str) -> str:
    sources = sqs.list_dead_letter_source_queues(QueueUrl=dlq_url).get("queueUrls", [])
    if len(sources) != 1:
        raise UsageError(f"{dlq_url} is the dead-letter queue of {sources or 'no queue'}; give --to-queue-url")
    return sources[0]


def messages_waiting(sqs: Any, queue_url: str) -> int:
    """Approximate count (GetQueueAttributes ApproximateNumberOfMessages); reads nothing."""
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"
    ]
    return int(attributes["ApproximateNumberOfMessages"])


def redrive_dlq(
    sqs: Any,
    dlq_url: str,
    to_queue_url: str,
    *,
    max_messages: int,
    visibility_timeout: int = 120,
) -> RedriveReport:
    """Move up to max_messages from the DLQ to the buffer; a message leaves the DLQ only once sent."""
    report = RedriveReport(dlq_url, to_queue_url)
    unsent: list[str] = []  # receipt handles, made visible again at the end
    while report.received < max_messages:
        messages = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=min(_SQS_BATCH_LIMIT, max_messages - report.received),
            WaitTimeSeconds=1,
            # Hidden while this run works, so it does not receive the same message twice.
            VisibilityTimeout=visibility_timeout,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            break
        report.received += len(messages)
        by_id = {str(n): m for n, m in enumerate(messages)}
        sent = sqs.send_message_batch(
            QueueUrl=to_queue_url,
            Entries=[
                {
                    "Id": n,
                    "MessageBody": m["Body"],
                    **({"MessageAttributes": m["MessageAttributes"]} if m.get("MessageAttributes") else {}),
                }
                for n, m in by_id.items()
            ],
        )
        for failure in sent.get("Failed", []):
            report.send_failed[by_id[failure["Id"]]["MessageId"]] = failure.get("Code", "")
            unsent.append(by_id[failure["Id"]]["ReceiptHandle"])
        moved = [by_id[ok["Id"]] for ok in sent.get("Successful", [])]
        if not moved:
            continue
        deleted = sqs.delete_message_batch(
            QueueUrl=dlq_url,
            Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(moved)],
        )
        report.moved += len(deleted.get("Successful", []))
        for failure in deleted.get("Failed", []):
            # Now in both queues: republished twice at worst, which idempotent consumers absorb.
            report.delete_failed[moved[int(failure["Id"])]["MessageId"]] = failure.get("Code", "")
    for start in range(0, len(unsent), _SQS_BATCH_LIMIT):
        # Visibility timeout 0 makes a message available again at once (SQS developer guide,
        # "Amazon SQS visibility timeout": "terminating the visibility timeout").
        sqs.change_message_visibility_batch(
            QueueUrl=dlq_url,
            Entries=[
                {"Id": str(n), "ReceiptHandle": h, "VisibilityTimeout": 0}
                for n, h in enumerate(unsent[start : start + _SQS_BATCH_LIMIT])
            ],
        )
    return report


# -- command line --------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.eventbridge_recovery", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    replay = commands.add_parser("replay", help="replay a time window from the bus archive")
    replay.add_argument("--bus-name", required=True)
    replay.add_argument("--regions", nargs="+", required=True, help="each Region to replay in")
    replay.add_argument("--start", required=True, type=parse_time_arg, help="ISO 8601, UTC if no zone")
    replay.add_argument("--end", required=True, type=parse_time_arg)
    replay.add_argument("--archive-name", help="when the bus has several archives")
    replay.add_argument("--poll-interval", type=float, default=15.0)
    replay.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait for the replays")
    replay.add_argument("--json", dest="json_output", action="store_true")
    redrive = commands.add_parser("redrive-buffer-dlq", help="move the buffer DLQ back to the buffer")
    redrive.add_argument("--region", required=True)
    redrive.add_argument("--dlq-url", required=True)
    redrive.add_argument("--to-queue-url", help="default: the queue whose DLQ this is")
    redrive.add_argument("--max-messages", type=int, default=1000)
    redrive.add_argument("--dry-run", action="store_true", help="count (approximately), move nothing")
    redrive.add_argument("--json", dest="json_output", action="store_true")
    return parser


def parse_time_arg(text: str) -> datetime:
    try:
        return parse_time(text)
    except UsageError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main(
    argv: list[str] | None = None,
    *,
    client_factory: ClientFactory = default_client_factory,
    out: TextIO = sys.stdout,
    **options: Any,
) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "replay":
            run = ReplayRun(
                args.bus_name,
                args.regions,
                args.start,
                args.end,
                args.archive_name,
                args.poll_interval,
                args.timeout,
                client_factory=client_factory,
                out=out,
                **options,
            )
            code = run.run()
            report: Any = [asdict(o) for o in run.outcomes]
            lines = [f"{o.region}: {o.replay_name} {o.state} {o.state_reason}".rstrip() for o in run.outcomes]
        else:
            if args.max_messages < 1:
                raise UsageError("--max-messages must be at least 1")
            sqs = client_factory("sqs", args.region)
            target = args.to_queue_url or buffer_queue_of(sqs, args.dlq_url)
            if args.dry_run:
                waiting = messages_waiting(sqs, args.dlq_url)
                code, report = EXIT_OK, {"dlq_url": args.dlq_url, "to_queue_url": target, "waiting": waiting}
                lines = [f"would move about {waiting} messages from {args.dlq_url} to {target}"]
                return _print(args.json_output, code, report, lines, out)
            result = redrive_dlq(sqs, args.dlq_url, target, max_messages=args.max_messages)
            left = result.send_failed or result.delete_failed
            code = EXIT_INCOMPLETE if left else EXIT_OK
            report = asdict(result)
            lines = [f"moved {result.moved} of {result.received} messages from {args.dlq_url} to {target}"]
            lines += [f"  not sent {k}: {v}" for k, v in result.send_failed.items()]
            lines += [f"  sent but not deleted {k}: {v}" for k, v in result.delete_failed.items()]
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (ClientError, BotoCoreError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INCOMPLETE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return _print(args.json_output, code, report, lines, out)


def _print(as_json: bool, code: int, report: Any, lines: list[str], out: TextIO) -> int:
    if as_json:
        print(json.dumps({"exit_code": code, "result": report}, indent=2), file=out)
    else:
        print("\n".join(lines), file=out)
    return code


if __name__ == "__main__":
    sys.exit(main())
