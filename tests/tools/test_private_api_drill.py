"""The two-Region private API validation and drill, against moto (Route 53 health checks, the NLBs'
network interfaces) with a simulated latency-routed private zone and echo API.

moto has no Route 53 Resolver answering private zones from a VPC, so ``SimulatedPrivateZone``
answers as the zone's latency records with health checks would: the nearest Region's NLB
addresses while that Region's health check is healthy, the other Region's once it has been
unhealthy for ``delay`` seconds. An inverted health check reports the opposite of its status
(Route 53 developer guide, "Values that you specify when you create or update health checks":
"Invert health check status").
"""

from __future__ import annotations

import io
import json
import os
import signal

import boto3
import pytest
from moto import mock_aws

from tools.private_api_drill import main

NEAR, FAR = "us-east-1", "us-west-2"
NAME = "api.example.internal"


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture
def world(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": NEAR,
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        nlbs, addresses, checks = {}, {}, {}
        for region in (NEAR, FAR):
            ec2 = boto3.client("ec2", region_name=region)
            vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16" if region == NEAR else "10.2.0.0/16")["Vpc"]["VpcId"]
            lb_id = "net/private-api/50dc6c495c0c9188"
            nlbs[region] = f"arn:aws:elasticloadbalancing:{region}:123456789012:loadbalancer/{lb_id}"
            addresses[region] = []
            for n, az in enumerate(("a", "b")):
                subnet = ec2.create_subnet(
                    VpcId=vpc, CidrBlock=f"10.{1 if region == NEAR else 2}.{n}.0/24", AvailabilityZone=f"{region}{az}"
                )["Subnet"]["SubnetId"]
                eni = ec2.create_network_interface(SubnetId=subnet, Description=f"ELB {lb_id}")
                addresses[region].append(eni["NetworkInterface"]["PrivateIpAddress"])
            checks[region] = boto3.client("route53").create_health_check(
                CallerReference=region,
                HealthCheckConfig={
                    "Type": "CLOUDWATCH_METRIC",
                    "AlarmIdentifier": {"Region": region, "Name": "healthy-hosts"},
                    "InsufficientDataHealthStatus": "LastKnownStatus",
                },
            )["HealthCheck"]["Id"]
        yield {"nlbs": nlbs, "addresses": addresses, "checks": checks}


class SimulatedPrivateZone:
    def __init__(self, world, clock, delay=60.0, follows=True, addresses=None):
        self.world, self.clock, self.delay, self.follows = world, clock, delay, follows
        self.addresses = addresses or world["addresses"]
        self.unhealthy_since = None
        self.route53 = boto3.client("route53")
        self.on_resolve = None

    def __call__(self, name):
        assert name == NAME
        if self.on_resolve:
            self.on_resolve()
        inverted = self.route53.get_health_check(HealthCheckId=self.world["checks"][NEAR])["HealthCheck"][
            "HealthCheckConfig"
        ]["Inverted"]
        if inverted and self.unhealthy_since is None:
            self.unhealthy_since = self.clock()
        if not inverted:
            self.unhealthy_since = None
        failed = self.follows and self.unhealthy_since is not None and self.clock() - self.unhealthy_since >= self.delay
        return sorted(self.addresses[FAR if failed else NEAR])


def echo_api(url):
    assert url == f"https://{NAME}/orders"
    return 200, json.dumps({"method": "GET", "path": "/orders", "requestContext": {"apiId": "a1b2c3", "stage": "prod"}})


def args(world, command, *extra):
    return [
        command,
        "--name",
        NAME,
        "--path",
        "/orders",
        *(f"--nlb={r}={arn}" for r, arn in world["nlbs"].items()),
        *(f"--health-check={r}={c}" for r, c in world["checks"].items()),
        *extra,
    ]


def inverted(world, region):
    return boto3.client("route53").get_health_check(HealthCheckId=world["checks"][region])["HealthCheck"][
        "HealthCheckConfig"
    ]["Inverted"]


def test_validate_accepts_one_regions_nlb_addresses_and_the_echo(world):
    clock, out = FakeClock(), io.StringIO()
    code = main(
        args(world, "validate"),
        resolve=SimulatedPrivateZone(world, clock),
        http_get=echo_api,
        clock=clock,
        sleep=clock.sleep,
        out=out,
    )
    assert code == 0, out.getvalue()
    assert f"OK: served by {NEAR}" in out.getvalue()


def test_validate_refuses_answers_mixing_regions_and_a_non_echo(world):
    clock, out = FakeClock(), io.StringIO()
    mixed = {NEAR: world["addresses"][NEAR][:1] + world["addresses"][FAR][:1], FAR: world["addresses"][FAR]}
    code = main(
        args(world, "validate"),
        resolve=SimulatedPrivateZone(world, clock, addresses=mixed),
        http_get=lambda url: (403, '{"message":"Forbidden"}'),
        clock=clock,
        sleep=clock.sleep,
        out=out,
    )
    assert code == 1
    assert "not all addresses of one Region's NLB" in out.getvalue()
    assert "did not echo the request (HTTP 403)" in out.getvalue()


def test_the_drill_sees_traffic_move_and_restores_the_health_check(world):
    clock, out = FakeClock(), io.StringIO()
    code = main(
        args(world, "drill", "--probe-interval", "15"),
        resolve=SimulatedPrivateZone(world, clock),
        http_get=echo_api,
        clock=clock,
        sleep=clock.sleep,
        out=out,
    )
    assert code == 0, out.getvalue()
    assert f"traffic moved from {NEAR} to {FAR} 60s after the inversion" in out.getvalue()
    assert not inverted(world, NEAR)


def test_no_move_within_the_timeout_is_reported_and_restored(world):
    clock, out = FakeClock(), io.StringIO()
    code = main(
        args(world, "drill", "--timeout", "120"),
        resolve=SimulatedPrivateZone(world, clock, follows=False),
        http_get=echo_api,
        clock=clock,
        sleep=clock.sleep,
        out=out,
    )
    assert code == 1
    assert f"did not move to {FAR} within 120s" in out.getvalue()
    assert not inverted(world, NEAR)


def test_ctrl_c_during_the_drill_restores_the_health_check(world):
    clock, out = FakeClock(), io.StringIO()
    zone = SimulatedPrivateZone(world, clock)
    calls = []

    def interrupt_once_inverted():
        calls.append(1)
        if inverted(world, NEAR):
            os.kill(os.getpid(), signal.SIGINT)

    zone.on_resolve = interrupt_once_inverted
    code = main(args(world, "drill"), resolve=zone, http_get=echo_api, clock=clock, sleep=clock.sleep, out=out)
    assert code == 130
    assert "RESTORED" in out.getvalue()
    assert not inverted(world, NEAR)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--nlb", "us-east-1"], "REGION=VALUE"),
        (["--nlb=us-east-1=arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/1"], "exactly two Regions"),
    ],
)
def test_bad_input_is_a_usage_error(capsys, flags, message):
    assert main(["validate", "--name", NAME, *flags], resolve=lambda n: []) == 2
    assert message in capsys.readouterr().err
