"""Archive replay and buffer-DLQ redrive against moto (and a Stubber for replay progress).

moto 5.2 implements archives and StartReplay (it replays the whole archive at once, ignoring the
window, and marks the replay COMPLETED), ListDeadLetterSourceQueues and the SQS batch calls; it has
no StartMessageMoveTask. Replay progress (RUNNING -> COMPLETED / FAILED) is modelled with
botocore's Stubber, which validates every request against the EventBridge service model.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from tools.eventbridge_recovery import main

REGIONS = ("us-east-1", "us-west-2")
BUS = "orders-bus"
START = "2026-01-01T10:00Z"
END = "2026-01-01T12:00Z"


@pytest.fixture
def aws(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGIONS[0],
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield


def bus_with_archive(region):
    """A bus, its archive, and a queue receiving only replayed events (what the consumer sees)."""
    events = boto3.client("events", region_name=region)
    sqs = boto3.client("sqs", region_name=region)
    bus_arn = events.create_event_bus(Name=BUS)["EventBusArn"]
    events.create_archive(
        ArchiveName=f"{BUS}-archive", EventSourceArn=bus_arn, EventPattern=json.dumps({"source": ["com.aws.Orders"]})
    )
    queue = sqs.create_queue(QueueName="replayed")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="replayed", EventBusName=BUS, EventPattern=json.dumps({"replay-name": [{"exists": True}]}))
    events.put_targets(Rule="replayed", EventBusName=BUS, Targets=[{"Id": "q", "Arn": queue_arn}])
    events.put_events(
        Entries=[
            {
                "Source": "com.aws.Orders",
                "DetailType": "OrderCreated",
                "EventBusName": BUS,
                "Detail": json.dumps({"order_id": f"o-{region}"}),
            }
        ]
    )
    return sqs, queue


def test_replay_in_each_region_puts_archived_events_back_on_the_same_bus(aws):
    queues = {region: bus_with_archive(region) for region in REGIONS}
    out = io.StringIO()

    code = main(["replay", "--bus-name", BUS, "--regions", *REGIONS, "--start", START, "--end", END, "--json"], out=out)

    assert code == 0
    text = out.getvalue()
    result = json.loads(text[text.index("{\n") :])["result"]
    assert [(r["region"], r["state"]) for r in result] == [(r, "COMPLETED") for r in REGIONS]
    for region, (sqs, queue) in queues.items():
        (message,) = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
        event = json.loads(message["Body"])
        assert event["replay-name"].startswith("recover-20260101T1000-")
        assert event["detail"]["order_id"] == f"o-{region}"
        replay = boto3.client("events", region_name=region).describe_replay(ReplayName=event["replay-name"])
        assert replay["Destination"]["Arn"].endswith(f":event-bus/{BUS}")  # the archive's own bus
        assert replay["EventSourceArn"].endswith(f":archive/{BUS}-archive")


def test_a_region_without_an_archive_starts_nothing_anywhere(aws, capsys):
    bus_with_archive(REGIONS[0])
    boto3.client("events", region_name=REGIONS[1]).create_event_bus(Name=BUS)

    code = main(["replay", "--bus-name", BUS, "--regions", *REGIONS, "--start", START, "--end", END])

    assert code == 2
    assert "us-west-2: expected one archive" in capsys.readouterr().err
    assert boto3.client("events", region_name=REGIONS[0]).list_replays()["Replays"] == []


@pytest.mark.parametrize(
    "window, message",
    [
        ((END, START), "must be before --end"),
        ((START, (datetime.now(UTC) + timedelta(hours=1)).isoformat()), "in the future"),
    ],
)
def test_a_bad_window_is_refused(aws, capsys, window, message):
    bus_with_archive(REGIONS[0])
    code = main(["replay", "--bus-name", BUS, "--regions", REGIONS[0], "--start", window[0], "--end", window[1]])
    assert code == 2 and message in capsys.readouterr().err


def test_an_unparseable_time_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["replay", "--bus-name", BUS, "--regions", "us-east-1", "--start", "yesterday", "--end", END])
    assert exit_info.value.code == 2 and "not an ISO 8601 time" in capsys.readouterr().err


class StubbedEvents:
    """An events client whose replay goes STARTING -> RUNNING -> final_state (Stubber-validated)."""

    def __init__(self, final_state, *, interrupt_after_start=False):
        self.client = boto3.client("events", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
        self.stub = Stubber(self.client)
        bus = f"arn:aws:events:us-east-1:123456789012:event-bus/{BUS}"
        archive = "arn:aws:events:us-east-1:123456789012:archive/a"
        self.stub.add_response("describe_event_bus", {"Arn": bus, "Name": BUS}, {"Name": BUS})
        self.stub.add_response("list_archives", {"Archives": [{"ArchiveName": "a"}]}, {"EventSourceArn": bus})
        self.stub.add_response("describe_archive", {"ArchiveArn": archive}, {"ArchiveName": "a"})
        self.stub.add_response(
            "start_replay",
            {"State": "STARTING"},
            {
                "ReplayName": ANY,
                "Description": ANY,
                "EventSourceArn": archive,
                "EventStartTime": datetime(2026, 1, 1, 10, tzinfo=UTC),
                "EventEndTime": datetime(2026, 1, 1, 12, tzinfo=UTC),
                "Destination": {"Arn": bus},
            },
        )
        if interrupt_after_start:
            self.stub.add_response("cancel_replay", {"State": "CANCELLING"}, {"ReplayName": ANY})
            return
        self.stub.add_response(
            "describe_replay",
            {"State": "RUNNING", "EventLastReplayedTime": datetime(2026, 1, 1, 11, tzinfo=UTC)},
            {"ReplayName": ANY},
        )
        self.stub.add_response("describe_replay", {"State": final_state, "StateReason": "because"}, {"ReplayName": ANY})
        self.stub.activate()

    def factory(self, service, region):
        return self.client


@pytest.mark.parametrize("final_state, code", [("COMPLETED", 0), ("FAILED", 1), ("CANCELLED", 1)])
def test_the_command_polls_until_the_replay_ends_and_reports_it(final_state, code):
    events = StubbedEvents(final_state)
    sleeps, out = [], io.StringIO()

    result = main(
        [
            "replay",
            "--bus-name",
            BUS,
            "--regions",
            "us-east-1",
            "--start",
            START,
            "--end",
            END,
            "--poll-interval",
            "30",
        ],
        client_factory=events.factory,
        out=out,
        sleep=sleeps.append,
    )

    assert result == code and sleeps == [30.0]
    assert "us-east-1 RUNNING at 2026-01-01T11:00:00+00:00" in out.getvalue()
    assert final_state in out.getvalue().splitlines()[-1]
    events.stub.assert_no_pending_responses()


def test_ctrl_c_while_waiting_cancels_the_replays_it_started():
    events = StubbedEvents(None, interrupt_after_start=True)
    events.stub.activate()

    def interrupted_describe(**kwargs):
        raise KeyboardInterrupt

    real_call = events.client.describe_replay
    events.client.describe_replay = interrupted_describe
    try:
        code = main(
            ["replay", "--bus-name", BUS, "--regions", "us-east-1", "--start", START, "--end", END],
            client_factory=events.factory,
            out=io.StringIO(),
        )
    finally:
        events.client.describe_replay = real_call
    assert code == 130
    events.stub.assert_no_pending_responses()  # CancelReplay was called


# -- buffer DLQ redrive --------------------------------------------------------------------------


def buffer_and_dlq(messages=0):
    sqs = boto3.client("sqs", region_name=REGIONS[0])
    dlq = sqs.create_queue(QueueName="orders-bus-buffer-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    buffer = sqs.create_queue(
        QueueName="orders-bus-buffer",
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"})},
    )["QueueUrl"]
    for n in range(messages):
        sqs.send_message(QueueUrl=dlq, MessageBody=json.dumps({"n": n}))
    return sqs, buffer, dlq


def bodies(sqs, queue):
    seen = {}
    while True:
        got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=60).get("Messages", [])
        if not got:
            return sorted(json.loads(m["Body"])["n"] for m in seen.values())
        seen.update({m["MessageId"]: m for m in got})


def test_redrive_moves_every_dlq_message_back_to_the_buffer_it_came_from(aws):
    sqs, buffer, dlq = buffer_and_dlq(messages=23)
    out = io.StringIO()

    code = main(["redrive-buffer-dlq", "--region", REGIONS[0], "--dlq-url", dlq], out=out)

    assert code == 0
    assert f"moved 23 of 23 messages from {dlq} to {buffer}" in out.getvalue()
    assert bodies(sqs, buffer) == list(range(23))
    assert bodies(sqs, dlq) == []


def test_a_dry_run_moves_nothing_and_max_messages_bounds_a_run(aws):
    sqs, buffer, dlq = buffer_and_dlq(messages=5)
    out = io.StringIO()

    assert main(["redrive-buffer-dlq", "--region", REGIONS[0], "--dlq-url", dlq, "--dry-run"], out=out) == 0
    assert "would move about 5 messages" in out.getvalue()
    assert (
        main(
            [
                "redrive-buffer-dlq",
                "--region",
                REGIONS[0],
                "--dlq-url",
                dlq,
                "--to-queue-url",
                buffer,
                "--max-messages",
                "3",
            ],
            out=io.StringIO(),
        )
        == 0
    )
    assert len(bodies(sqs, buffer)) == 3


def test_a_message_the_buffer_refuses_stays_in_the_dlq(aws):
    sqs, buffer, dlq = buffer_and_dlq(messages=2)
    real = sqs.send_message_batch

    def refuse_the_second(**kwargs):
        response = real(**{**kwargs, "Entries": kwargs["Entries"][:1]})
        response["Failed"] = [
            {"Id": e["Id"], "SenderFault": False, "Code": "InternalError"} for e in kwargs["Entries"][1:]
        ]
        return response

    sqs.send_message_batch = refuse_the_second
    code = main(
        ["redrive-buffer-dlq", "--region", REGIONS[0], "--dlq-url", dlq, "--max-messages", "2", "--json"],
        client_factory=lambda service, region: sqs,
        out=io.StringIO(),
    )

    assert code == 1
    assert len(bodies(sqs, buffer)) == 1
    assert len(bodies(sqs, dlq)) == 1  # not lost: back in the DLQ after its visibility timeout


def test_a_dlq_that_serves_no_queue_needs_an_explicit_target(aws, capsys):
    sqs = boto3.client("sqs", region_name=REGIONS[0])
    lonely = sqs.create_queue(QueueName="lonely")["QueueUrl"]
    assert main(["redrive-buffer-dlq", "--region", REGIONS[0], "--dlq-url", lonely]) == 2
    assert "give --to-queue-url" in capsys.readouterr().err
