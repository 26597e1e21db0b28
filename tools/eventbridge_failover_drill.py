"""Failover drill for an EventBridge global endpoint.

Inverts the endpoint's Route 53 health check (so Route 53 reports the primary Region unhealthy),
sends probe events through the global endpoint, finds them in the catch-all log groups of both
Regions, reports which Region's bus received each one and how long the switch took, and then puts
the health check back exactly as it was. The restore runs in ``finally`` and SIGINT/SIGTERM/SIGHUP
are turned into an orderly stop, so an interrupted drill still undoes its change; if the restore
itself fails, the command to undo it by hand is printed and the exit code is 3.

The Region that received a probe is read from the event's ``region`` field, not from the log group
it was found in: with replication on, every probe shows up in both Regions, and ``region`` names
the bus the endpoint routed it to.

    python -m tools.eventbridge_failover_drill --endpoint-name OrdersGlobalEndpoint \\
        --primary-region us-east-1

Exit codes: 0 switch observed and health check restored; 1 no switch observed (restored) or probes
not observable; 2 bad input or a pre-flight check failed (nothing changed); 3 the health check could
not be restored (manual action needed); 130 interrupted (restored).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

import boto3
from botocore.compat import HAS_CRT

PROBE_SOURCE = "blueprints.failover-drill"
PROBE_DETAIL_TYPE = "FailoverDrillProbe"

EXIT_OK, EXIT_NO_SWITCH, EXIT_USAGE, EXIT_NOT_RESTORED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class UsageError(Exception):
    """Bad input or a failed pre-flight check: nothing has been changed."""


class DrillInterrupted(Exception):
    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}")


@dataclass
class DrillConfig:
    primary_region: str
    secondary_region: str | None = None
    endpoint_name: str | None = None
    endpoint_id: str | None = None
    health_check_id: str | None = None
    bus_name: str | None = None
    log_group: str | None = None
    probe_interval: float = 10.0
    timeout: float = 900.0
    baseline_timeout: float = 120.0
    wait_for_failback: bool = False
    json_output: bool = False


@dataclass
class Probe:
    seq: int
    sent_at: float  # clock() when sent
    phase: str  # baseline | inverted | restored
    event_id: str | None = None
    send_error: str | None = None
    received_by: str | None = None  # the `region` field of the delivered event
    seen_in: set[str] = field(default_factory=set)  # log groups' Regions where it appeared
    observed_at: float | None = None


ClientFactory = Callable[[str, str], Any]


def default_client_factory(service: str, region: str) -> Any:
    return boto3.client(service, region_name=region)


# -- argument parsing ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.eventbridge_failover_drill",
        description="Invert a global endpoint's health check, watch events move to the secondary "
        "Region, and restore the health check.",
    )
    parser.add_argument("--primary-region", required=True, help="Region the endpoint lives in")
    parser.add_argument("--endpoint-name", help="look the rest up with DescribeEndpoint")
    parser.add_argument("--secondary-region")
    parser.add_argument("--endpoint-id", help="EndpointId used in PutEvents")
    parser.add_argument("--health-check-id", help="Route 53 health check of the endpoint")
    parser.add_argument("--bus-name", help="event bus name (the same in both Regions)")
    parser.add_argument("--log-group", help="catch-all log group in both Regions (default /aws/events/<bus>-catch-all)")
    parser.add_argument("--probe-interval", type=float, default=10.0, help="seconds between probes")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for the switch")
    parser.add_argument(
        "--baseline-timeout",
        type=float,
        default=120.0,
        help="seconds to wait for the first probe before changing anything",
    )
    parser.add_argument(
        "--wait-for-failback",
        action="store_true",
        help="after restoring, keep probing until events reach the primary Region again",
    )
    parser.add_argument("--json", dest="json_output", action="store_true", help="print the report as JSON")
    return parser


def parse_args(argv: list[str] | None) -> DrillConfig:
    args = build_parser().parse_args(argv)
    config = DrillConfig(**vars(args))
    problems = []
    if not config.endpoint_name:
        missing = [
            flag
            for flag, value in [
                ("--secondary-region", config.secondary_region),
                ("--endpoint-id", config.endpoint_id),
                ("--health-check-id", config.health_check_id),
                ("--bus-name", config.bus_name),
            ]
            if not value
        ]
        if missing:
            problems.append(f"without --endpoint-name, give {', '.join(missing)}")
    if config.secondary_region and config.secondary_region == config.primary_region:
        problems.append("--secondary-region must differ from --primary-region")
    for flag, value in [
        ("--probe-interval", config.probe_interval),
        ("--timeout", config.timeout),
        ("--baseline-timeout", config.baseline_timeout),
    ]:
        if not value > 0:
            problems.append(f"{flag} must be positive, got {value}")
    if problems:
        raise UsageError("; ".join(problems))
    return config


# -- the drill -----------------------------------------------------------------------------------


class Drill:
    def __init__(
        self,
        config: DrillConfig,
        *,
        client_factory: ClientFactory = default_client_factory,
        send_probe: Callable[[dict[str, Any]], str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        out: TextIO = sys.stdout,
    ):
        self.config = config
        self._client_factory = client_factory
        self._client_cache: dict[tuple[str, str], Any] = {}
        self._send_probe = send_probe or self._put_through_endpoint
        self._clock = clock
        self._wall_clock = wall_clock
        self._sleep = sleep
        self._out = out
        self.drill_id = f"drill-{uuid.uuid4()}"
        self.probes: list[Probe] = []
        self.inverted_at: float | None = None
        self.restored_at: float | None = None
        # Set before the API call: a signal landing between the call and the bookkeeping must
        # still lead to a restore (restoring an unchanged check is harmless).
        self.change_requested = False
        self.original_inverted: bool | None = None
        self._started_wall_ms = 0

    def _clients(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self._client_cache:
            self._client_cache[key] = self._client_factory(service, region)
        return self._client_cache[key]

    # output
    def say(self, message: str) -> None:
        if not self.config.json_output:
            print(message, file=self._out, flush=True)

    # pre-flight ---------------------------------------------------------------------------------

    def resolve(self) -> None:
        """Fill in what --endpoint-name implies and check everything exists. Changes nothing."""
        c = self.config
        if c.endpoint_name:
            events = self._clients("events", c.primary_region)
            try:
                endpoint = events.describe_endpoint(Name=c.endpoint_name)
            except Exception as error:  # noqa: BLE001 - reported as a usage problem
                raise UsageError(f"cannot describe endpoint {c.endpoint_name!r}: {error}") from None
            failover = endpoint.get("RoutingConfig", {}).get("FailoverConfig", {})
            health_check_arn = failover.get("Primary", {}).get("HealthCheck", "")
            found_id = health_check_arn.rsplit("/", 1)[-1]
            if c.health_check_id and c.health_check_id != found_id:
                raise UsageError(
                    f"health check {c.health_check_id} is not the one endpoint {c.endpoint_name} uses ({found_id})"
                )
            c.health_check_id = c.health_check_id or found_id
            c.secondary_region = c.secondary_region or failover.get("Secondary", {}).get("Route")
            c.endpoint_id = c.endpoint_id or endpoint.get("EndpointId")
            buses = [b["EventBusArn"].rsplit("/", 1)[-1] for b in endpoint.get("EventBuses", [])]
            c.bus_name = c.bus_name or (buses[0] if buses else None)
            if endpoint.get("State") not in (None, "ACTIVE"):
                raise UsageError(f"endpoint {c.endpoint_name} is {endpoint.get('State')}, not ACTIVE")
            if not all([c.health_check_id, c.secondary_region, c.endpoint_id, c.bus_name]):
                raise UsageError(f"endpoint {c.endpoint_name} does not describe a failover set-up")
            if c.secondary_region == c.primary_region:
                raise UsageError("the endpoint's secondary Region equals the primary Region")
        c.log_group = c.log_group or f"/aws/events/{c.bus_name}-catch-all"
        if self._send_probe == self._put_through_endpoint and not HAS_CRT:
            raise UsageError(
                "probes go through the global endpoint, which needs SigV4a signing: "
                "install awscrt (pip install 'boto3[crt]')"
            )

        route53 = self._clients("route53", c.primary_region)
        try:
            health_check = route53.get_health_check(HealthCheckId=c.health_check_id)["HealthCheck"]
        except Exception as error:  # noqa: BLE001
            raise UsageError(f"cannot read health check {c.health_check_id}: {error}") from None
        settings = health_check["HealthCheckConfig"]
        if settings.get("Inverted"):
            raise UsageError(
                f"health check {c.health_check_id} is already inverted: another drill may be running "
                f"or one was not restored. Restore it first: {self.undo_command()}"
            )
        self.original_inverted = bool(settings.get("Inverted", False))
        if settings.get("Type") != "CLOUDWATCH_METRIC":
            self.say(f"note: health check type is {settings.get('Type')}, not CLOUDWATCH_METRIC")

        for region in (c.primary_region, c.secondary_region):
            groups = (
                self._clients("logs", region).describe_log_groups(logGroupNamePrefix=c.log_group).get("logGroups", [])
            )
            if not any(g["logGroupName"] == c.log_group for g in groups):
                raise UsageError(f"log group {c.log_group} not found in {region}")

    def undo_command(self) -> str:
        return f"aws route53 update-health-check --health-check-id {self.config.health_check_id} --no-inverted"

    # probes -------------------------------------------------------------------------------------

    def _put_through_endpoint(self, entry: dict[str, Any]) -> str:
        events = self._clients("events", self.config.primary_region)
        response = events.put_events(EndpointId=self.config.endpoint_id, Entries=[entry])
        result = response["Entries"][0]
        if result.get("ErrorCode"):
            raise RuntimeError(f"{result['ErrorCode']}: {result.get('ErrorMessage', '')}")
        return result["EventId"]

    def send(self, phase: str) -> Probe:
        probe = Probe(seq=len(self.probes), sent_at=self._clock(), phase=phase)
        entry = {
            "Source": PROBE_SOURCE,
            "DetailType": PROBE_DETAIL_TYPE,
            "EventBusName": self.config.bus_name,
            "Detail": json.dumps({"drill_id": self.drill_id, "seq": probe.seq, "phase": phase}),
        }
        try:
            probe.event_id = self._send_probe(entry)
        except Exception as error:  # noqa: BLE001 - a failed PutEvents is a drill finding
            probe.send_error = f"{type(error).__name__}: {error}"
            self.say(f"  probe {probe.seq}: PutEvents failed: {probe.send_error}")
        self.probes.append(probe)
        return probe

    def observe(self) -> None:
        """Read the catch-all log groups of both Regions and record where each probe arrived."""
        by_seq = {p.seq: p for p in self.probes}
        for region in (self.config.primary_region, self.config.secondary_region):
            logs = self._clients("logs", region)
            kwargs = {
                "logGroupName": self.config.log_group,
                "filterPattern": f'"{self.drill_id}"',
                "startTime": self._started_wall_ms,
            }
            while True:
                page = logs.filter_log_events(**kwargs)
                for record in page.get("events", []):
                    self._record(record.get("message", ""), region, by_seq)
                if not page.get("nextToken"):
                    break
                kwargs["nextToken"] = page["nextToken"]

    def _record(self, message: str, log_region: str, by_seq: dict[int, Probe]) -> None:
        try:
            event = json.loads(message)
            detail = event["detail"]
        except (ValueError, KeyError, TypeError):
            return
        if not isinstance(detail, dict) or detail.get("drill_id") != self.drill_id:
            return
        probe = by_seq.get(detail.get("seq"))
        if probe is None:
            return
        probe.seen_in.add(log_region)
        if probe.received_by is None:
            probe.received_by = event.get("region") or log_region
            probe.observed_at = self._clock()

    def wait_for(self, phase: str, wanted_region: str, deadline: float) -> Probe | None:
        """Probe every interval until a probe of this phase arrives in wanted_region."""
        while True:
            self.send(phase)
            self.observe()
            for candidate in self.probes:
                if candidate.phase == phase and candidate.received_by == wanted_region:
                    return candidate
            if self._clock() + self.config.probe_interval > deadline:
                return None
            self._sleep(self.config.probe_interval)

    # the change and its undo --------------------------------------------------------------------

    def invert(self) -> None:
        self.say(
            f"CHANGE: setting Inverted=true on Route 53 health check {self.config.health_check_id} "
            f"(was {str(self.original_inverted).lower()}); undo: {self.undo_command()}"
        )
        self.change_requested = True
        self._clients("route53", self.config.primary_region).update_health_check(
            HealthCheckId=self.config.health_check_id, Inverted=True
        )
        self.inverted_at = self._clock()

    def restore(self, attempts: int = 3) -> bool:
        route53 = self._clients("route53", self.config.primary_region)
        for attempt in range(1, attempts + 1):
            try:
                route53.update_health_check(
                    HealthCheckId=self.config.health_check_id, Inverted=bool(self.original_inverted)
                )
                self.restored_at = self._clock()
                self.say(
                    f"RESTORED: health check {self.config.health_check_id} is back to "
                    f"Inverted={str(self.original_inverted).lower()}"
                )
                return True
            except Exception as error:  # noqa: BLE001 - tried again, then reported loudly
                self.say(f"restore attempt {attempt} failed: {type(error).__name__}: {error}")
                if attempt < attempts:
                    self._sleep(min(2.0**attempt, 10.0))
        print(
            f"NOT RESTORED: health check {self.config.health_check_id} is still inverted, so the "
            f"endpoint keeps routing to {self.config.secondary_region}. Undo it now:\n  "
            f"{self.undo_command()}",
            file=sys.stderr,
            flush=True,
        )
        return False

    # run ----------------------------------------------------------------------------------------

    def run(self) -> int:
        c = self.config
        self.resolve()
        self._started_wall_ms = int((self._wall_clock() - 60) * 1000)
        self.say(
            f"drill {self.drill_id}: endpoint {c.endpoint_id} ({c.primary_region} -> "
            f"{c.secondary_region}), bus {c.bus_name}, health check {c.health_check_id}"
        )
        baseline = self.wait_for_any_arrival(self._clock() + c.baseline_timeout)
        if baseline is None:
            self.say(
                f"no probe arrived in {c.log_group} within {c.baseline_timeout:.0f}s; "
                "check the catch-all rules. Nothing was changed."
            )
            return self.finish(EXIT_NO_SWITCH, switch=None)
        if baseline.received_by != c.primary_region:
            self.say(
                f"the baseline probe went to {baseline.received_by}, not {c.primary_region}: the "
                "endpoint is already failed over. Nothing was changed."
            )
            return self.finish(EXIT_NO_SWITCH, switch=None)
        self.say(f"baseline: probes reach {c.primary_region}")

        switch: Probe | None = None
        code = EXIT_OK
        restored = True
        previous = {sig: signal.getsignal(sig) for sig in _STOP_SIGNALS}
        try:
            for sig in _STOP_SIGNALS:
                signal.signal(sig, _raise_interrupted)
            self.invert()
            assert self.inverted_at is not None
            switch = self.wait_for("inverted", c.secondary_region, self.inverted_at + c.timeout)
            if switch is None:
                code = EXIT_NO_SWITCH
                self.say(f"no probe reached {c.secondary_region} within {c.timeout:.0f}s")
        except DrillInterrupted as interrupted:
            self.say(f"{interrupted}: restoring the health check")
            code = EXIT_INTERRUPTED
        except Exception as error:  # noqa: BLE001 - any failure mid-drill still restores
            self.say(f"drill stopped by {type(error).__name__}: {error}; restoring the health check")
            code = EXIT_NO_SWITCH
        finally:
            if self.change_requested:
                # A second Ctrl-C must not cut the restore short.
                for sig in _STOP_SIGNALS:
                    signal.signal(sig, signal.SIG_IGN)
                restored = self.restore()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if not restored:
            return self.finish(EXIT_NOT_RESTORED, switch)

        if c.wait_for_failback and code == EXIT_OK:
            try:
                for sig in _STOP_SIGNALS:
                    signal.signal(sig, _raise_interrupted)
                back = self.wait_for("restored", c.primary_region, self.restored_at + c.timeout)
                if back is None:
                    self.say(f"probes had not returned to {c.primary_region} within {c.timeout:.0f}s")
            except DrillInterrupted as interrupted:
                self.say(f"{interrupted} while waiting for failback (nothing left to undo)")
                code = EXIT_INTERRUPTED
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
        return self.finish(code, switch)

    def wait_for_any_arrival(self, deadline: float) -> Probe | None:
        probe = self.send("baseline")
        while True:
            self.observe()
            if probe.received_by:
                return probe
            if self._clock() + self.config.probe_interval > deadline:
                return None
            self._sleep(min(self.config.probe_interval, 5.0))

    # report -------------------------------------------------------------------------------------

    def summary(self, code: int, switch: Probe | None) -> dict[str, Any]:
        c = self.config

        def offset(t: float | None) -> float | None:
            return None if t is None or self.inverted_at is None else round(t - self.inverted_at, 3)

        last_primary = None
        if switch is not None:
            earlier = [
                p
                for p in self.probes
                if p.phase == "inverted" and p.seq < switch.seq and p.received_by == c.primary_region
            ]
            last_primary = earlier[-1] if earlier else None
        failback = next((p for p in self.probes if p.phase == "restored" and p.received_by == c.primary_region), None)
        return {
            "drill_id": self.drill_id,
            "exit_code": code,
            "endpoint_id": c.endpoint_id,
            "health_check_id": c.health_check_id,
            "primary_region": c.primary_region,
            "secondary_region": c.secondary_region,
            "switched": switch is not None,
            "switch_seconds": offset(switch.sent_at) if switch else None,
            "switch_after_seconds": offset(last_primary.sent_at) if last_primary else 0.0 if switch else None,
            "switch_observed_seconds": offset(switch.observed_at) if switch else None,
            "changed": self.change_requested,
            "restored": self.restored_at is not None or not self.change_requested,
            "failback_seconds": (
                round(failback.sent_at - self.restored_at, 3) if failback and self.restored_at is not None else None
            ),
            "probes": [
                {
                    "seq": p.seq,
                    "phase": p.phase,
                    "sent_seconds": offset(p.sent_at),
                    "received_by": p.received_by,
                    "seen_in": sorted(p.seen_in),
                    "send_error": p.send_error,
                }
                for p in self.probes
            ],
        }

    def finish(self, code: int, switch: Probe | None) -> int:
        report = self.summary(code, switch)
        if self.config.json_output:
            print(json.dumps(report, indent=2), file=self._out, flush=True)
            return code
        self.say("")
        self.say(f"{'seq':>4} {'phase':<9} {'sent':>9}  received by   seen in")
        for p in report["probes"]:
            sent = "-" if p["sent_seconds"] is None else f"{p['sent_seconds']:+.1f}s"
            received = p["received_by"] or ("send failed" if p["send_error"] else "not seen")
            self.say(f"{p['seq']:>4} {p['phase']:<9} {sent:>9}  {received:<13} {','.join(p['seen_in'])}")
        if switch is not None:
            self.say(
                f"switch: the endpoint moved to {self.config.secondary_region} between "
                f"{report['switch_after_seconds']:.1f}s and {report['switch_seconds']:.1f}s after "
                f"the inversion (last probe to {self.config.primary_region}, first probe to "
                f"{self.config.secondary_region}); the first one was seen after "
                f"{report['switch_observed_seconds']:.1f}s"
            )
        if report["failback_seconds"] is not None:
            self.say(
                f"failback: events reached {self.config.primary_region} again "
                f"{report['failback_seconds']:.1f}s after the restore"
            )
        return code


_STOP_SIGNALS = tuple(s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None)


def _raise_interrupted(signum: int, frame: Any) -> None:
    raise DrillInterrupted(signum)


def main(argv: list[str] | None = None, **drill_options: Any) -> int:
    try:
        config = parse_args(argv)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    drill = Drill(config, **drill_options)
    try:
        return drill.run()
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        # Our own handlers are only installed while the health check is changed, so this is
        # before the change or after the restore.
        state = "the health check had been restored" if drill.change_requested else "nothing was changed"
        print(f"interrupted; {state}", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
