"""Validation and outage drill for the two-Region private API (architecture B2).

``validate`` does what the post checks by hand with ``dig`` and ``curl``: it resolves the private
name (dnspython, from inside the VPC or with ``--nameserver``), checks that every answer is an
address of ONE Region's Network Load Balancer, then calls the API through the name and checks that
the echo Lambda's view of the request comes back.

``drill`` then fails the Region that answers: it inverts that Region's Route 53 health check (the
check then reports unhealthy and the latency records stop answering with that Region), watches the
answers move to the other Region's NLB and the API keep answering, and restores the health check,
in ``finally`` and on SIGINT/SIGTERM/SIGHUP, as ``tools/eventbridge_failover_drill.py`` does.

NLB addresses come from the load balancer's network interfaces, whose description is
``ELB net/<name>/<id>`` (Elastic Load Balancing user guide for Network Load Balancers, "IP
addresses of your load balancer": filter DescribeNetworkInterfaces on that description).

    python -m tools.private_api_drill validate --name api.example.internal \\
        --nlb us-east-1=arn:aws:elasticloadbalancing:...:loadbalancer/net/api/1 --nlb us-west-2=...
    python -m tools.private_api_drill drill --name api.example.internal --nlb ... --nlb ... \\
        --health-check us-east-1=<id> --health-check us-west-2=<id>

Exit codes: 0 valid / traffic moved and restored; 1 validation failed or no move observed
(restored); 2 bad input; 3 the health check could not be restored (manual action needed);
130 interrupted (restored).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

import boto3
import dns.exception
import dns.resolver
from botocore.exceptions import BotoCoreError, ClientError

from tools.eventbridge_failover_drill import _STOP_SIGNALS, DrillInterrupted, _raise_interrupted

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NOT_RESTORED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

ClientFactory = Callable[[str, str], Any]
Resolve = Callable[[str], list[str]]
HttpGet = Callable[[str], tuple[int, str]]


class UsageError(Exception):
    """Bad input or a failed pre-flight check: nothing has been changed."""


def default_client_factory(service: str, region: str) -> Any:
    return boto3.client(service, region_name=region)


def dns_resolver(nameserver: str | None = None, timeout: float = 5.0) -> Resolve:
    resolver = dns.resolver.Resolver()
    if nameserver:
        resolver.nameservers = [nameserver]
    resolver.lifetime = timeout

    def resolve(name: str) -> list[str]:
        try:
            return sorted(r.address for r in resolver.resolve(name, "A"))
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer, dns.resolver.NoNameservers, dns.exception.Timeout):
            return []

    return resolve


def https_get(url: str, timeout: float = 10.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - https only
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as error:
        return 0, str(error)


def pairs(values: list[str], flag: str) -> dict[str, str]:
    """``REGION=VALUE`` flags as a dict; bad input is a UsageError naming the flag."""
    result = {}
    for value in values or []:
        region, sep, rest = value.partition("=")
        if not sep or not region or not rest:
            raise UsageError(f"{flag} takes REGION=VALUE, got {value!r}")
        result[region] = rest
    return result


@dataclass
class Observation:
    at: float
    answers: list[str]
    region: str | None  # the Region all answers belong to, else None
    api_status: int | None = None
    api_ok: bool = False


@dataclass
class PrivateApiDrill:
    name: str
    nlbs: dict[str, str]  # Region -> NLB ARN
    health_checks: dict[str, str] = field(default_factory=dict)  # Region -> health check id
    path: str = "/"
    probe_interval: float = 10.0
    timeout: float = 600.0
    client_factory: ClientFactory = default_client_factory
    resolve: Resolve = field(default_factory=dns_resolver)
    http_get: HttpGet = https_get
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    out: TextIO = sys.stdout
    addresses: dict[str, set[str]] = field(default_factory=dict)
    observations: list[Observation] = field(default_factory=list)
    changed: str | None = None  # health check id inverted by this drill

    def __post_init__(self) -> None:
        if len(self.nlbs) != 2:
            raise UsageError(f"give --nlb for exactly two Regions, got {sorted(self.nlbs)}")
        if self.health_checks and set(self.health_checks) != set(self.nlbs):
            raise UsageError("give --health-check for the same two Regions as --nlb")
        if not self.path.startswith("/"):
            raise UsageError(f"--path must start with /, got {self.path!r}")

    def say(self, message: str) -> None:
        print(message, file=self.out, flush=True)

    def load_addresses(self) -> None:
        for region, arn in self.nlbs.items():
            if ":loadbalancer/net/" not in arn:
                raise UsageError(f"{arn} is not a Network Load Balancer ARN")
            description = "ELB " + arn.split(":loadbalancer/", 1)[1]
            interfaces = self.client_factory("ec2", region).describe_network_interfaces(
                Filters=[{"Name": "description", "Values": [description]}]
            )["NetworkInterfaces"]
            found = {i["PrivateIpAddress"] for i in interfaces if i.get("PrivateIpAddress")}
            if not found:
                raise UsageError(f"no network interfaces for {arn} in {region}")
            self.addresses[region] = found

    def observe(self) -> Observation:
        answers = self.resolve(self.name)
        regions = [r for r, ips in self.addresses.items() if answers and set(answers) <= ips]
        seen = Observation(self.clock(), answers, regions[0] if regions else None)
        seen.api_status, body = self.http_get(f"https://{self.name}{self.path}")
        try:
            echoed = json.loads(body)
            # The echo Lambda answers with the request as API Gateway delivered it.
            seen.api_ok = (
                seen.api_status == 200
                and echoed.get("method") == "GET"
                and bool(echoed.get("requestContext", {}).get("apiId"))
            )
        except (ValueError, AttributeError):
            seen.api_ok = False
        self.observations.append(seen)
        return seen

    def validate(self) -> int:
        self.load_addresses()
        seen = self.observe()
        self.say(f"{self.name} -> {', '.join(seen.answers) or 'no answer'}")
        problems = []
        if seen.region is None:
            problems.append(
                "the answers are not all addresses of one Region's NLB "
                f"({ {r: sorted(ips) for r, ips in self.addresses.items()} })"
            )
        if not seen.api_ok:
            problems.append(f"the API did not echo the request (HTTP {seen.api_status})")
        for problem in problems:
            self.say(f"FAIL: {problem}")
        if not problems:
            self.say(f"OK: served by {seen.region}; the API echoed the request")
        return EXIT_FAILED if problems else EXIT_OK

    # the drill --------------------------------------------------------------------------------

    def drill(self) -> int:
        if not self.health_checks:
            raise UsageError("the drill needs --health-check for both Regions")
        if self.validate() != EXIT_OK:
            self.say("validation failed: nothing was changed")
            return EXIT_FAILED
        serving = self.observations[-1].region
        other = next(r for r in self.nlbs if r != serving)
        check_id = self.health_checks[serving]
        route53 = self.client_factory("route53", serving)
        if route53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckConfig"].get("Inverted"):
            raise UsageError(f"health check {check_id} is already inverted; restore it first: {undo_command(check_id)}")
        code, moved_after, restored = EXIT_FAILED, None, True
        previous = {sig: signal.getsignal(sig) for sig in _STOP_SIGNALS}
        try:
            for sig in _STOP_SIGNALS:
                signal.signal(sig, _raise_interrupted)
            self.say(f"CHANGE: inverting {serving}'s health check {check_id}; undo: {undo_command(check_id)}")
            self.changed = check_id
            route53.update_health_check(HealthCheckId=check_id, Inverted=True)
            started = self.clock()
            while self.clock() - started <= self.timeout:
                seen = self.observe()
                self.say(
                    f"  +{seen.at - started:5.0f}s {seen.region or 'mixed/none'} "
                    f"api={'ok' if seen.api_ok else seen.api_status}"
                )
                if seen.region == other and seen.api_ok:
                    code, moved_after = EXIT_OK, seen.at - started
                    break
                self.sleep(self.probe_interval)
        except DrillInterrupted as interrupted:
            self.say(f"{interrupted}: restoring the health check")
            code = EXIT_INTERRUPTED
        finally:
            if self.changed:
                for sig in _STOP_SIGNALS:
                    signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not cut the restore
                restored = self.restore(route53, check_id)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if not restored:
            return EXIT_NOT_RESTORED
        if moved_after is not None:
            self.say(f"traffic moved from {serving} to {other} {moved_after:.0f}s after the inversion")
        elif code == EXIT_FAILED:
            self.say(f"the answers did not move to {other} within {self.timeout:.0f}s")
        return code

    def restore(self, route53: Any, check_id: str, attempts: int = 3) -> bool:
        for attempt in range(1, attempts + 1):
            try:
                route53.update_health_check(HealthCheckId=check_id, Inverted=False)
                self.say(f"RESTORED: health check {check_id} is no longer inverted")
                return True
            except Exception as error:  # noqa: BLE001 - retried, then reported loudly
                self.say(f"restore attempt {attempt} failed: {error}")
                self.sleep(min(2.0**attempt, 10.0))
        print(f"NOT RESTORED: undo it now: {undo_command(check_id)}", file=sys.stderr, flush=True)
        return False


def undo_command(check_id: str) -> str:
    return f"aws route53 update-health-check --health-check-id {check_id} --no-inverted"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.private_api_drill",
        description="Validate the two-Region private API and drill a Region outage.",
    )
    parser.add_argument("command", choices=["validate", "drill"])
    parser.add_argument("--name", required=True, help="the API's private DNS name")
    parser.add_argument(
        "--nlb",
        action="append",
        required=True,
        metavar="REGION=ARN",
        help="each Region's Network Load Balancer (twice)",
    )
    parser.add_argument(
        "--health-check",
        action="append",
        default=[],
        metavar="REGION=ID",
        help="each Region's Route 53 health check (twice; drill only)",
    )
    parser.add_argument("--path", default="/", help="the API path to call (default /)")
    parser.add_argument("--nameserver", help="DNS server to ask (default: the system resolver)")
    parser.add_argument("--probe-interval", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for traffic to move")
    return parser


def main(argv: list[str] | None = None, **options: Any) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.probe_interval <= 0 or args.timeout <= 0:
            raise UsageError("--probe-interval and --timeout must be positive")
        if "resolve" not in options:
            options["resolve"] = dns_resolver(args.nameserver)
        drill = PrivateApiDrill(
            args.name,
            pairs(args.nlb, "--nlb"),
            pairs(args.health_check, "--health-check"),
            args.path,
            args.probe_interval,
            args.timeout,
            **options,
        )
        return drill.validate() if args.command == "validate" else drill.drill()
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (ClientError, BotoCoreError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted before any change", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
