"""The outbox relay against a real PostgreSQL and a moto EventBridge bus, with PutEvents failures
injected in between. What EventBridge accepted is counted from moto's answers; two tests also route
the bus through a rule to an SQS queue to show what a consumer receives (moto routing is slow)."""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import boto3
import psycopg
import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from moto import mock_aws

from lambdas.lease_api import leases, pg
from lambdas.lease_outbox_relay import handler as relay_handler
from lambdas.lease_outbox_relay import relay

BUS, SOURCE = "leasing", "blueprints.leasing"
BUS_ARN = f"arn:aws:events:us-east-1:123456789012:event-bus/{BUS}"
FAST_RETRY = relay.RelaySettings(bus_arns=(BUS_ARN,), source=SOURCE, backoff_base_seconds=0, backoff_cap_seconds=0)


class Bus:
    def __init__(self, with_consumer: bool):
        self.events = boto3.client("events", region_name="us-east-1")
        self.sqs = boto3.client("sqs", region_name="us-east-1")
        self.events.create_event_bus(Name=BUS)
        self.received: list[dict] = []
        if not with_consumer:
            return
        self.queue_url = self.sqs.create_queue(QueueName="lease-events-copy")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.events.put_rule(Name="all-lease-events", EventBusName=BUS, EventPattern=json.dumps({"source": [SOURCE]}))
        self.events.put_targets(Rule="all-lease-events", EventBusName=BUS, Targets=[{"Id": "copy", "Arn": queue_arn}])

    def drain(self) -> list[dict]:
        """Every event delivered so far (cumulative), as the consumer saw it."""
        while True:
            batch = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return self.received
            for message in batch:
                self.received.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture
def bus(aws_env):
    with mock_aws():
        yield Bus(with_consumer=False)


@pytest.fixture
def bus_with_consumer(aws_env):
    with mock_aws():
        yield Bus(with_consumer=True)


def _throttled() -> ClientError:
    return ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "PutEvents")


class FlakyEventBridge:
    """The real (moto) client behind a script of failures, one step per PutEvents call:
    ``"ok"``, ``"throttle"`` (the call fails, nothing accepted), ``"accepted_then_timeout"`` (the
    entries are accepted but the response is lost), ``"crash_db"`` (accepted, then the relay's
    database connection dies before it can mark them), or ``{index: error_code}`` (those entries
    refused, the others accepted)."""

    def __init__(self, real, script=(), on_crash=None, delay=0.0):
        self.real, self.script, self.on_crash, self.delay = real, list(script), on_crash, delay
        self.accepted: Counter = Counter()  # detail.event_id of every entry EventBridge accepted
        self.calls = 0
        self.callers: Counter = Counter()  # which threads called
        self.accepted_but_unmarked = 0  # calls whose entries were accepted yet reported as failed

    def _send(self, entries: list[dict]) -> dict:
        response = self.real.put_events(Entries=entries)
        for entry, result in zip(entries, response["Entries"]):
            if result.get("EventId"):
                self.accepted[json.loads(entry["Detail"])["event_id"]] += 1
        return response

    def __call__(self, region: str) -> FlakyEventBridge:
        """The relay asks for the client of a bus's Region: one Region here."""
        return self

    def put_events(self, Entries):
        self.calls += 1
        self.callers[threading.current_thread().name] += 1
        step = self.script.pop(0) if self.script else "ok"
        time.sleep(self.delay)
        if step == "throttle":
            raise _throttled()
        if step == "accepted_then_timeout":
            self._send(Entries)
            self.accepted_but_unmarked += 1
            raise ReadTimeoutError(endpoint_url="https://events.us-east-1.amazonaws.com/")
        if step == "crash_db":
            response = self._send(Entries)
            self.accepted_but_unmarked += 1
            self.on_crash()
            return response
        if isinstance(step, dict):
            forwarded = [e for i, e in enumerate(Entries) if i not in step]
            accepted = iter(self._send(forwarded)["Entries"] if forwarded else [])
            results = [
                {"ErrorCode": step[i], "ErrorMessage": f"injected {step[i]}"} if i in step else next(accepted)
                for i in range(len(Entries))
            ]
            return {"FailedEntryCount": len(step), "Entries": results}
        return self._send(Entries)


def make_lease_events(db: pg.Database, payments: int) -> set[str]:
    """An application, its lease and ``payments`` rent payments: 2 + payments outbox events."""
    application = db.transaction(
        lambda cur: leases.submit_application(
            cur,
            {
                "client_request_id": f"req-{uuid.uuid4().hex}",
                "community_id": "avalon-hoboken",
                "unit_id": "7-0712",
                "applicant": {"name": "Kim Ito", "email": "kim@example.com"},
                "desired_move_in": "2024-09-01",
                "lease_term_months": 12,
                "monthly_rent_cents": 410_000,
            },
        )
    ).record
    lease = db.transaction(lambda cur: leases.approve_application(cur, application["application_id"], {})).record
    for month in range(payments):
        db.transaction(
            lambda cur: leases.record_payment(
                cur,
                lease["lease_id"],
                {
                    "payment_reference": f"pay-{uuid.uuid4().hex}",
                    "amount_cents": 1000 + month,
                    "billing_period": f"{2024 + month // 12}-{month % 12 + 1:02d}",
                    "received_at": "2024-09-01T12:00:00+00:00",
                },
            )
        )
    return outbox_event_ids(db)


def outbox_event_ids(db: pg.Database) -> set[str]:
    def read(cur):
        cur.execute("SELECT event_id FROM event_outbox")
        return {str(r["event_id"]) for r in cur.fetchall()}

    return db.transaction(read)


def pending_rows(db: pg.Database) -> list[dict]:
    def read(cur):
        cur.execute("SELECT * FROM event_outbox WHERE sent_at IS NULL ORDER BY outbox_id")
        return cur.fetchall()

    return db.transaction(read)


def delivered_ids(bus: Bus) -> Counter:
    return Counter(event["detail"]["event_id"] for event in bus.drain())


def test_every_event_is_delivered_once_and_marked_with_its_eventbridge_id(bus_with_consumer, leasing_db):
    bus = bus_with_consumer
    expected = make_lease_events(leasing_db, payments=23)  # 25 events: three batches of up to 10
    report = relay.run(leasing_db, lambda region: bus.events, FAST_RETRY)
    assert (report.sent, report.batches, report.pending, report.failed_attempts) == (25, 3, 0, 0)
    delivered = bus.drain()
    assert Counter(e["detail"]["event_id"] for e in delivered) == Counter(expected)
    by_event = {e["detail"]["event_id"]: e for e in delivered}

    def marks(cur):
        cur.execute("SELECT event_id, deliveries, detail_type FROM event_outbox")
        return cur.fetchall()

    for row in leasing_db.transaction(marks):
        event = by_event[str(row["event_id"])]
        assert row["deliveries"] == {BUS_ARN: event["id"]}
        assert (event["source"], event["detail-type"]) == (SOURCE, row["detail_type"])


def test_a_throttled_call_keeps_the_whole_batch_and_backs_off(bus, leasing_db):
    expected = make_lease_events(leasing_db, payments=13)  # 15 events
    flaky = FlakyEventBridge(bus.events, ["throttle"])
    first = relay.run(leasing_db, flaky, FAST_RETRY)
    assert (first.sent, first.call_failures, first.batches, first.errors) == (0, 1, 1, {"ThrottlingException": 1})
    assert first.pending == 15 and flaky.accepted == Counter()
    throttled = [r for r in pending_rows(leasing_db) if r["attempts"] == 1]
    assert len(throttled) == 10 and all(
        r["last_error"].startswith(f"{BUS_ARN}: ThrottlingException") for r in throttled
    )

    second = relay.run(leasing_db, flaky, FAST_RETRY)
    assert second.sent == 15 and second.pending == 0
    assert flaky.accepted == Counter(expected)  # nothing lost, nothing twice


def test_partially_failed_entries_are_retried_and_delivered_exactly_once(bus, leasing_db):
    expected = make_lease_events(leasing_db, payments=18)  # 20 events
    flaky = FlakyEventBridge(
        bus.events,
        [
            {1: "ThrottlingException", 4: "InternalFailure", 9: "ThrottlingException"},
            {0: "InternalFailure"},
            {0: "ThrottlingException", 1: "ThrottlingException"},
        ],
    )
    for _ in range(5):
        report = relay.run(leasing_db, flaky, FAST_RETRY)
        if report.pending == 0:
            break
    assert report.pending == 0
    assert flaky.accepted == Counter(expected)
    assert sum(r["attempts"] for r in _all_rows(leasing_db)) == 20 + 6  # six refusals, each retried once


def _all_rows(db):
    def read(cur):
        cur.execute("SELECT * FROM event_outbox")
        return cur.fetchall()

    return db.transaction(read)


def test_a_lost_response_resends_one_batch_which_consumers_can_drop_by_event_id(bus, leasing_db):
    expected = make_lease_events(leasing_db, payments=8)  # 10 events, one batch
    flaky = FlakyEventBridge(bus.events, ["accepted_then_timeout"])
    relay.run(leasing_db, flaky, FAST_RETRY)
    relay.run(leasing_db, flaky, FAST_RETRY)
    delivered = flaky.accepted
    assert set(delivered) == expected
    assert sum(delivered.values()) - len(expected) == 10  # exactly the batch whose answer was lost


def test_a_crash_between_putevents_and_commit_resends_at_most_that_batch(bus, leasing_db, postgres_server):
    expected = make_lease_events(leasing_db, payments=18)  # 20 events, two batches

    relay_db = pg.Database(leasing_db.settings, attempts=1)  # as the relay function configures it

    def kill_relay_connection():
        with postgres_server.admin_connect() as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (relay_db.connection().info.backend_pid,))

    flaky = FlakyEventBridge(bus.events, ["ok", "crash_db"], on_crash=kill_relay_connection)
    with pytest.raises(psycopg.OperationalError):
        relay.run(relay_db, flaky, FAST_RETRY)
    assert len(pending_rows(leasing_db)) == 10  # the first batch committed, the second did not
    report = relay.run(relay_db, flaky, FAST_RETRY)
    assert report.sent == 10 and report.pending == 0
    delivered = flaky.accepted
    assert set(delivered) == expected
    assert sum(delivered.values()) - len(expected) == 10
    relay_db.close()


def test_random_failures_lose_nothing_and_duplicates_stay_bounded(bus, leasing_db):
    expected = make_lease_events(leasing_db, payments=98)  # 100 events: more calls than scripted steps
    chance = random.Random(20240601)
    # A shuffled mix with every kind of failure in it, then calm: whatever order they come in.
    partials = [
        {
            i: chance.choice(["ThrottlingException", "InternalFailure"])
            for i in chance.sample(range(10), chance.randint(1, 5))
        }
        for _ in range(6)
    ]
    script = ["throttle"] * 3 + ["accepted_then_timeout"] * 2 + partials + ["ok"] * 4
    chance.shuffle(script)
    flaky = FlakyEventBridge(bus.events, script)
    for _ in range(100):
        if relay.run(leasing_db, flaky, FAST_RETRY).pending == 0:
            break
    delivered = flaky.accepted
    assert flaky.script == [] and flaky.accepted_but_unmarked == 2  # every injected failure happened
    assert set(delivered) == expected  # nothing lost
    duplicates = sum(delivered.values()) - len(expected)
    assert duplicates <= FAST_RETRY.batch_size * flaky.accepted_but_unmarked
    assert pending_rows(leasing_db) == []


def test_a_failed_entry_waits_for_its_backoff(bus, leasing_db):
    make_lease_events(leasing_db, payments=0)  # 2 events
    slow_retry = relay.RelaySettings(
        bus_arns=(BUS_ARN,), source=SOURCE, backoff_base_seconds=60, backoff_cap_seconds=600
    )
    flaky = FlakyEventBridge(bus.events, [{0: "InternalFailure"}])
    assert relay.run(leasing_db, flaky, slow_retry).sent == 1
    again = relay.run(leasing_db, flaky, slow_retry)
    assert (again.batches, again.sent, again.pending) == (0, 0, 1)
    (row,) = pending_rows(leasing_db)
    wait = (row["next_attempt_at"] - row["created_at"]).total_seconds()
    assert 59 < wait < 120


def test_an_entry_that_keeps_failing_is_reported_stuck_and_never_dropped(bus, leasing_db):
    make_lease_events(leasing_db, payments=0)
    settings = relay.RelaySettings(
        bus_arns=(BUS_ARN,), source=SOURCE, backoff_base_seconds=0, backoff_cap_seconds=0, stuck_after_attempts=3
    )
    flaky = FlakyEventBridge(bus.events, [{0: "InternalFailure"}] * 3)
    reports = [relay.run(leasing_db, flaky, settings) for _ in range(3)]
    assert [r.stuck for r in reports] == [0, 0, 1]
    assert reports[-1].pending == 1 and reports[-1].oldest_pending_seconds >= 0
    final = relay.run(leasing_db, flaky, settings)  # the script ran out: it goes through
    assert final.pending == 0 and len(flaky.accepted) == 2


def test_two_relays_at_once_never_send_the_same_event(bus, leasing_db):
    expected = make_lease_events(leasing_db, payments=48)  # 50 events
    slow = FlakyEventBridge(bus.events, delay=0.05)
    errors = []

    def run_relay():
        db = pg.Database(leasing_db.settings, attempts=1)
        try:
            relay.run(db, slow, FAST_RETRY)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            db.close()

    threads = [threading.Thread(target=run_relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(slow.callers) == 2  # both relays really sent batches, at the same time
    assert slow.accepted == Counter(expected)


def test_sent_events_are_purged_after_the_retention_and_pending_ones_never(bus, leasing_db, leasing_db_settings):
    make_lease_events(leasing_db, payments=2)  # 4 events
    relay.run(leasing_db, FlakyEventBridge(bus.events), FAST_RETRY)
    make_lease_events(leasing_db, payments=0)  # 2 more, left pending

    def age_everything(cur):
        cur.execute(
            "UPDATE event_outbox SET created_at = now() - interval '30 days', "
            "sent_at = CASE WHEN sent_at IS NULL THEN NULL ELSE now() - interval '8 days' END"
        )

    with pg.connect(leasing_db_settings) as admin, admin.cursor() as cur:  # the application role may not
        age_everything(cur)
    report = relay.run(leasing_db, FlakyEventBridge(bus.events, ["throttle"]), FAST_RETRY)
    assert report.purged == 4 and report.pending == 2
    assert len(_all_rows(leasing_db)) == 2


def test_settings_are_validated():
    with pytest.raises(ValueError) as error:
        relay.RelaySettings(bus_arns=(), source="aws.leasing", batch_size=11)
    message = str(error.value)
    assert "EVENT_BUS_ARNS is empty" in message and "EVENT_SOURCE" in message and "batch size" in message
    with pytest.raises(ValueError, match="not event bus ARNs: \\['leasing'\\]"):
        relay.RelaySettings(bus_arns=("leasing", BUS_ARN), source=SOURCE)


def test_handler_relays_from_its_environment(
    bus_with_consumer, leasing_db, postgres_server, monkeypatch, lambda_context, capsys
):
    bus = bus_with_consumer
    expected = make_lease_events(leasing_db, payments=3)
    for key, value in postgres_server.environ(leasing_db.settings.dbname).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("EVENT_BUS_ARNS", BUS_ARN)
    monkeypatch.setenv("EVENT_SOURCE", SOURCE)
    monkeypatch.setattr(relay_handler, "_database", None)
    monkeypatch.setattr(relay_handler, "_events_clients", {})
    try:
        summary = relay_handler.handler({"source": "aws.scheduler"}, lambda_context)
    finally:
        relay_handler.database().close()
    assert summary["sent"] == 5 and summary["pending"] == 0
    assert delivered_ids(bus) == Counter(expected)
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert metrics and metrics[-1]["OutboxSent"] in (5, [5])


WEST_ARN = f"arn:aws:events:us-west-2:123456789012:event-bus/{BUS}"
TWO_REGIONS = relay.RelaySettings(
    bus_arns=(BUS_ARN, WEST_ARN), source=SOURCE, backoff_base_seconds=0, backoff_cap_seconds=0
)


@pytest.fixture
def two_buses(aws_env):
    """The same-named lease bus in two Regions (moto), each behind its own scriptable client."""
    with mock_aws():
        clients = {}
        for region in ("us-east-1", "us-west-2"):
            real = boto3.client("events", region_name=region)
            real.create_event_bus(Name=BUS)
            clients[region] = FlakyEventBridge(real)
        yield clients


def test_every_event_reaches_the_bus_of_each_region_once(two_buses, leasing_db):
    expected = make_lease_events(leasing_db, payments=13)  # 15 events: two batches

    report = relay.run(leasing_db, two_buses.__getitem__, TWO_REGIONS)

    assert (report.sent, report.pending, report.standby) == (15, 0, False)
    assert two_buses["us-east-1"].accepted == Counter(expected)
    assert two_buses["us-west-2"].accepted == Counter(expected)
    rows = _all_rows(leasing_db)
    assert all(set(row["deliveries"]) == {BUS_ARN, WEST_ARN} for row in rows)


def test_a_region_that_fails_gets_its_copy_later_and_the_other_region_no_duplicate(two_buses, leasing_db):
    expected = make_lease_events(leasing_db, payments=13)
    two_buses["us-west-2"].script = ["throttle", {0: "InternalFailure"}]

    first = relay.run(leasing_db, two_buses.__getitem__, TWO_REGIONS)
    # West failed a whole call, so it is skipped for the rest of the run; east got everything.
    assert two_buses["us-east-1"].accepted == Counter(expected)
    assert two_buses["us-west-2"].accepted == Counter() and two_buses["us-west-2"].calls == 1
    assert (first.sent, first.pending) == (0, 15)
    assert all(set(row["deliveries"]) == {BUS_ARN} for row in _all_rows(leasing_db))

    while relay.run(leasing_db, two_buses.__getitem__, TWO_REGIONS).pending:
        pass
    assert two_buses["us-east-1"].accepted == Counter(expected)  # nothing sent to east again
    assert two_buses["us-west-2"].accepted == Counter(expected)


def _read_only_database(settings: pg.ConnectionSettings) -> pg.Database:
    """A connection to a read-only server, as a relay in a secondary Region has."""

    def connect(s):
        conn = pg.connect(s)
        conn.execute("SET default_transaction_read_only = on")
        return conn

    return pg.Database(settings, connector=connect)


def test_the_relay_on_a_read_only_secondary_sends_nothing(two_buses, leasing_db, leasing_db_settings):
    make_lease_events(leasing_db, payments=3)
    standby_db = _read_only_database(leasing_db_settings)
    try:
        report = relay.run(standby_db, two_buses.__getitem__, TWO_REGIONS)
    finally:
        standby_db.close()
    assert report.standby and (report.sent, report.batches, report.pending) == (0, 0, 5)
    assert two_buses["us-east-1"].calls == two_buses["us-west-2"].calls == 0


@pytest.mark.parametrize("other_region_reaches", ["its read-only secondary", "the writer too"])
def test_relays_of_both_regions_running_together_deliver_each_event_once_per_bus(
    two_buses, leasing_db, other_region_reaches
):
    # Through its own Region's proxy the other relay reaches a secondary; through the writer alias
    # it reaches the writer as well, and SKIP LOCKED then shares the rows between the two relays.
    expected = make_lease_events(leasing_db, payments=28)
    other_db = (
        _read_only_database(leasing_db.settings)
        if other_region_reaches == "its read-only secondary"
        else pg.Database(leasing_db.settings)
    )
    for client in two_buses.values():
        client.delay = 0.01  # keep both relays busy at the same time
    try:
        with ThreadPoolExecutor(2) as pool:
            reports = list(
                pool.map(lambda db: relay.run(db, two_buses.__getitem__, TWO_REGIONS), [leasing_db, other_db])
            )
    finally:
        other_db.close()
    assert sum(r.sent for r in reports) == 30
    assert reports[1].standby is (other_region_reaches == "its read-only secondary")
    assert two_buses["us-east-1"].accepted == Counter(expected)
    assert two_buses["us-west-2"].accepted == Counter(expected)


def test_handler_in_a_region_whose_proxy_has_no_writer_reports_standby(monkeypatch, lambda_context):
    def no_writer(settings):
        # What RDS Proxy answers on the read/write endpoint of a secondary cluster's proxy.
        raise psycopg.OperationalError(
            "connection failed: FATAL: The target group doesn't have any associated read/write instances"
        )

    monkeypatch.setenv("EVENT_BUS_ARNS", f"{BUS_ARN},{WEST_ARN}")
    monkeypatch.setenv("EVENT_SOURCE", SOURCE)
    monkeypatch.setattr(
        relay_handler,
        "_database",
        pg.Database(
            pg.ConnectionSettings(host="proxy", dbname="leasing", user="leasing_app", region="us-west-2"),
            connector=no_writer,
        ),
    )
    summary = relay_handler.handler({"source": "aws.scheduler"}, lambda_context)
    assert summary["standby"] is True and summary["sent"] == 0
