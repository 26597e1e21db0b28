"""The failover drill against moto (Route 53 health check, two buses, catch-all log groups).

moto has no global endpoints (CreateEndpoint is not implemented and PutEvents with an EndpointId is
refused), so the routing Route 53 would do is simulated by ``SimulatedGlobalEndpoint``: it reads the
moto health check and puts the probe on the moto bus of the Region the endpoint would pick.
Everything the drill changes, reads and restores is real moto state.
"""

from __future__ import annotations

import io
import json
import os
import signal

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from tools import eventbridge_failover_drill as drill_module
from tools.eventbridge_failover_drill import main

PRIMARY, SECONDARY = "us-east-1", "us-west-2"
BUS = "orders-bus"
LOG_GROUP = f"/aws/events/{BUS}-catch-all"
ENDPOINT_ID = "y6gho8g4kc.veo"


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class SimulatedGlobalEndpoint:
    """Routes to the secondary bus once the health check has been inverted for `delay` seconds."""

    def __init__(self, health_check_id, clock, delay=45.0, follows_health_check=True):
        self.health_check_id = health_check_id
        self.clock = clock
        self.delay = delay
        self.follows = follows_health_check
        self.inverted_since = None
        self.healthy_since = None
        self.routed = []
        self.forced_region = None  # set to simulate an endpoint already failed over
        self.route53 = boto3.client("route53")
        self.buses = {r: boto3.client("events", region_name=r) for r in (PRIMARY, SECONDARY)}

    def __call__(self, entry):
        inverted = self.route53.get_health_check(HealthCheckId=self.health_check_id)["HealthCheck"][
            "HealthCheckConfig"
        ]["Inverted"]
        if inverted and self.inverted_since is None:
            self.inverted_since, self.healthy_since = self.clock(), None
        if not inverted and self.inverted_since is not None and self.healthy_since is None:
            self.healthy_since = self.clock()
        failed_over = (
            self.follows
            and self.inverted_since is not None
            and self.clock() - self.inverted_since >= self.delay
            and (self.healthy_since is None or self.clock() - self.healthy_since < self.delay)
        )
        region = self.forced_region or (SECONDARY if failed_over else PRIMARY)
        self.routed.append(region)
        response = self.buses[region].put_events(Entries=[entry])
        return response["Entries"][0]["EventId"]


@pytest.fixture
def world(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": PRIMARY,
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        for region in (PRIMARY, SECONDARY):
            events = boto3.client("events", region_name=region)
            events.create_event_bus(Name=BUS)
            boto3.client("logs", region_name=region).create_log_group(logGroupName=LOG_GROUP)
            events.put_rule(Name="catch-all", EventBusName=BUS, EventPattern=json.dumps({"account": ["123456789012"]}))
            events.put_targets(
                Rule="catch-all",
                EventBusName=BUS,
                Targets=[{"Id": "logs", "Arn": f"arn:aws:logs:{region}:123456789012:log-group:{LOG_GROUP}"}],
            )
        health_check = boto3.client("route53").create_health_check(
            CallerReference="drill-test",
            HealthCheckConfig={
                "Type": "CLOUDWATCH_METRIC",
                "AlarmIdentifier": {"Region": PRIMARY, "Name": "orders-bus-latency"},
                "InsufficientDataHealthStatus": "LastKnownStatus",
            },
        )["HealthCheck"]["Id"]
        yield health_check


def inverted(health_check_id):
    return boto3.client("route53").get_health_check(HealthCheckId=health_check_id)["HealthCheck"]["HealthCheckConfig"][
        "Inverted"
    ]


def args(health_check_id, *extra):
    return [
        "--primary-region",
        PRIMARY,
        "--secondary-region",
        SECONDARY,
        "--endpoint-id",
        ENDPOINT_ID,
        "--health-check-id",
        health_check_id,
        "--bus-name",
        BUS,
        "--probe-interval",
        "10",
        "--timeout",
        "300",
        *extra,
    ]


def run(argv, endpoint=None, clock=None, sleep=None, client_factory=None):
    out = io.StringIO()
    clock = clock or FakeClock()
    options = {"clock": clock, "sleep": sleep or clock.sleep, "out": out}
    if endpoint is not None:
        options["send_probe"] = endpoint
    if client_factory is not None:
        options["client_factory"] = client_factory
    return main(argv, **options), out.getvalue()


def test_the_drill_inverts_reports_the_switch_and_restores(world):
    clock = FakeClock()
    endpoint = SimulatedGlobalEndpoint(world, clock, delay=45.0)

    code, output = run(args(world, "--json"), endpoint, clock)

    report = json.loads(output)
    assert code == 0
    assert report["switched"] and report["changed"] and report["restored"]
    assert not inverted(world)
    # probes every 10 s; the endpoint switched 45 s after the inversion
    assert report["switch_seconds"] == 50.0 and report["switch_after_seconds"] == 40.0
    received = [(p["phase"], p["received_by"]) for p in report["probes"]]
    assert received[0] == ("baseline", PRIMARY)
    assert received[-1] == ("inverted", SECONDARY)
    assert {r for phase, r in received[1:-1]} == {PRIMARY}
    assert all(p["seen_in"] == [p["received_by"]] for p in report["probes"])


def test_the_text_report_says_what_changed_and_that_it_was_undone(world):
    clock = FakeClock()
    code, output = run(args(world), SimulatedGlobalEndpoint(world, clock, delay=25.0), clock)

    assert code == 0
    change = output.index(f"CHANGE: setting Inverted=true on Route 53 health check {world}")
    restored = output.index(f"RESTORED: health check {world} is back to Inverted=false")
    assert change < restored
    assert f"update-health-check --health-check-id {world} --no-inverted" in output
    assert f"moved to {SECONDARY} between 20.0s and 30.0s after the inversion" in output


def test_waiting_for_failback_reports_the_return_to_the_primary(world):
    clock = FakeClock()
    code, output = run(
        args(world, "--wait-for-failback", "--json"), SimulatedGlobalEndpoint(world, clock, delay=30.0), clock
    )

    report = json.loads(output)
    assert code == 0 and report["failback_seconds"] == 30.0
    assert report["probes"][-1] == {**report["probes"][-1], "phase": "restored", "received_by": PRIMARY}


def test_no_switch_within_the_timeout_still_restores(world):
    clock = FakeClock()
    endpoint = SimulatedGlobalEndpoint(world, clock, follows_health_check=False)

    code, output = run(args(world, "--timeout", "60", "--json"), endpoint, clock)

    report = json.loads(output)
    assert code == 1 and not report["switched"] and report["restored"]
    assert not inverted(world)
    assert clock.now <= 70


def test_an_interrupt_mid_drill_restores_the_health_check(world):
    clock = FakeClock()
    sleeps = []

    def sleep_then_interrupt(seconds):
        sleeps.append(seconds)
        clock.sleep(seconds)
        if len(sleeps) == 2:
            assert inverted(world)  # the change is in place when the operator hits Ctrl-C
            os.kill(os.getpid(), signal.SIGINT)

    code, output = run(args(world), SimulatedGlobalEndpoint(world, clock, delay=600), clock, sleep=sleep_then_interrupt)

    assert code == 130
    assert "interrupted by SIGINT: restoring the health check" in output
    assert "RESTORED" in output
    assert not inverted(world)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handlers put back


def test_sigterm_is_handled_like_an_interrupt(world):
    clock = FakeClock()

    def sleep_then_terminate(seconds):
        clock.sleep(seconds)
        os.kill(os.getpid(), signal.SIGTERM)

    code, output = run(args(world), SimulatedGlobalEndpoint(world, clock, delay=600), clock, sleep=sleep_then_terminate)

    assert code == 130 and "SIGTERM" in output and not inverted(world)


def test_an_aws_error_mid_drill_still_restores(world):
    clock = FakeClock()
    real_logs = {}

    class BrokenLogs:
        def __init__(self, client):
            self.client = client
            self.calls = 0

        def __getattr__(self, name):
            return getattr(self.client, name)

        def filter_log_events(self, **kwargs):
            self.calls += 1
            if self.calls > 2:  # after the baseline probe has been seen
                raise RuntimeError("logs are down")
            return self.client.filter_log_events(**kwargs)

    def factory(service, region):
        client = boto3.client(service, region_name=region)
        if service == "logs":
            return real_logs.setdefault(region, BrokenLogs(client))
        return client

    code, output = run(args(world), SimulatedGlobalEndpoint(world, clock), clock, client_factory=factory)

    assert code == 1 and "drill stopped by RuntimeError: logs are down" in output
    assert not inverted(world)


def test_a_failed_restore_exits_3_and_prints_the_undo_command(world, capsys):
    clock = FakeClock()

    class StuckRoute53:
        def __init__(self, client):
            self.client = client

        def __getattr__(self, name):
            return getattr(self.client, name)

        def update_health_check(self, **kwargs):
            if kwargs.get("Inverted") is False:
                raise RuntimeError("Route 53 API unavailable")
            return self.client.update_health_check(**kwargs)

    def factory(service, region):
        client = boto3.client(service, region_name=region)
        return StuckRoute53(client) if service == "route53" else client

    code, output = run(args(world), SimulatedGlobalEndpoint(world, clock, delay=15), clock, client_factory=factory)

    assert code == 3
    assert inverted(world)  # really not restored: the message must say so
    err = capsys.readouterr().err
    assert "NOT RESTORED" in err
    assert f"aws route53 update-health-check --health-check-id {world} --no-inverted" in err
    assert output.count("restore attempt") == 3


def test_an_already_inverted_health_check_is_refused_untouched(world, capsys):
    boto3.client("route53").update_health_check(HealthCheckId=world, Inverted=True)

    code, output = run(args(world), SimulatedGlobalEndpoint(world, FakeClock()))

    assert code == 2 and "already inverted" in capsys.readouterr().err
    assert inverted(world) and "CHANGE" not in output


def test_a_baseline_already_in_the_secondary_changes_nothing(world):
    clock = FakeClock()
    endpoint = SimulatedGlobalEndpoint(world, clock)
    endpoint.forced_region = SECONDARY  # the endpoint is failed over before the drill starts

    code, output = run(args(world), endpoint, clock)

    assert code == 1 and "already failed over. Nothing was changed." in output
    assert "CHANGE" not in output and not inverted(world)


def test_unobservable_probes_stop_the_drill_before_any_change(world):
    boto3.client("events", region_name=PRIMARY).remove_targets(Rule="catch-all", EventBusName=BUS, Ids=["logs"])
    clock = FakeClock()

    code, output = run(args(world), SimulatedGlobalEndpoint(world, clock), clock)

    assert code == 1 and "no probe arrived" in output and "CHANGE" not in output


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--primary-region", PRIMARY], "without --endpoint-name, give --secondary-region"),
        (
            [
                "--primary-region",
                PRIMARY,
                "--secondary-region",
                PRIMARY,
                "--endpoint-id",
                "e",
                "--health-check-id",
                "h",
                "--bus-name",
                "b",
            ],
            "must differ",
        ),
        (
            ["--primary-region", PRIMARY, "--endpoint-name", "x", "--probe-interval", "0"],
            "--probe-interval must be positive",
        ),
    ],
)
def test_bad_input_exits_2_with_a_message(argv, message, capsys):
    code, _ = run(argv)
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_a_missing_health_check_or_log_group_is_a_preflight_error(world, capsys):
    code, _ = run(args("00000000-0000-0000-0000-000000000000"))
    assert code == 2 and "cannot read health check" in capsys.readouterr().err

    code, _ = run(args(world, "--log-group", "/aws/events/nope"))
    assert code == 2 and "log group /aws/events/nope not found in us-east-1" in capsys.readouterr().err


def test_the_endpoint_name_is_enough(world):
    """--endpoint-name reads the rest from DescribeEndpoint (stubbed: moto lacks it)."""
    events = boto3.client("events", region_name=PRIMARY)
    stubber = Stubber(events)
    stubber.add_response(
        "describe_endpoint",
        {
            "Name": "OrdersGlobalEndpoint",
            "EndpointId": ENDPOINT_ID,
            "State": "ACTIVE",
            "RoutingConfig": {
                "FailoverConfig": {
                    "Primary": {"HealthCheck": f"arn:aws:route53:::healthcheck/{world}"},
                    "Secondary": {"Route": SECONDARY},
                }
            },
            "EventBuses": [
                {"EventBusArn": f"arn:aws:events:{PRIMARY}:123456789012:event-bus/{BUS}"},
                {"EventBusArn": f"arn:aws:events:{SECONDARY}:123456789012:event-bus/{BUS}"},
            ],
        },
        {"Name": "OrdersGlobalEndpoint"},
    )
    stubber.activate()

    def factory(service, region):
        return events if service == "events" else boto3.client(service, region_name=region)

    clock = FakeClock()
    code, output = run(
        ["--primary-region", PRIMARY, "--endpoint-name", "OrdersGlobalEndpoint", "--json"],
        SimulatedGlobalEndpoint(world, clock, delay=5),
        clock,
        client_factory=factory,
    )

    report = json.loads(output)
    assert code == 0
    assert (report["health_check_id"], report["secondary_region"], report["endpoint_id"]) == (
        world,
        SECONDARY,
        ENDPOINT_ID,
    )
    stubber.assert_no_pending_responses()


def test_probes_go_through_the_endpoint_id_by_default():
    """Without a simulated endpoint the drill calls PutEvents with the EndpointId."""
    config = drill_module.DrillConfig(primary_region=PRIMARY, endpoint_id=ENDPOINT_ID, bus_name=BUS)
    events = boto3.client("events", region_name=PRIMARY, aws_access_key_id="a", aws_secret_access_key="b")
    stubber = Stubber(events)
    entry = {"Source": "s", "DetailType": "d", "Detail": "{}", "EventBusName": BUS}
    stubber.add_response(
        "put_events",
        {"FailedEntryCount": 0, "Entries": [{"EventId": "e-1"}]},
        {"EndpointId": ENDPOINT_ID, "Entries": [entry]},
    )
    stubber.activate()
    drill = drill_module.Drill(config, client_factory=lambda service, region: events)
    assert drill._put_through_endpoint(entry) == "e-1"


def test_a_replicated_copy_is_attributed_to_the_region_that_received_it():
    """With replication, a probe appears in both log groups; `region` says where it was routed."""
    config = drill_module.DrillConfig(primary_region=PRIMARY, secondary_region=SECONDARY)
    drill = drill_module.Drill(config, clock=FakeClock())
    probe = drill_module.Probe(seq=0, sent_at=0.0, phase="inverted")
    by_seq = {0: probe}
    event = {"region": PRIMARY, "detail": {"drill_id": drill.drill_id, "seq": 0}}
    drill._record(json.dumps(event), SECONDARY, by_seq)  # the replica, found first
    drill._record(json.dumps(event), PRIMARY, by_seq)
    drill._record(json.dumps({"region": SECONDARY, "detail": {"drill_id": "other", "seq": 0}}), SECONDARY, by_seq)
    assert probe.received_by == PRIMARY and probe.seen_in == {PRIMARY, SECONDARY}


def test_without_awscrt_the_drill_refuses_before_any_change(world, capsys, monkeypatch):
    monkeypatch.setattr(drill_module, "HAS_CRT", False)
    code, output = run(args(world))  # the real endpoint sender: needs SigV4a
    assert code == 2 and "install awscrt" in capsys.readouterr().err
    assert "CHANGE" not in output and not inverted(world)
