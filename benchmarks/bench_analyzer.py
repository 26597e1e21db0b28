"""Analyze + AnalyzeStack round trips over synthetic resources against a real pack process.

Figures only, nothing asserted. Target: 10,000 resources in <= 10 s (Analyze for each resource
plus one AnalyzeStack), excluding the pack's start-up (reported separately). Wall time on a shared
machine is noisy, so the pack process's own CPU time (user + system, from /proc) is printed too.

    python benchmarks/bench_analyzer.py [--pack DIR] [--sizes 1000 10000]

``--in-process`` runs the pack's servicer in this process instead (no gRPC, CPU time of this
process), with the shared per-request conversion memo (policies/shared/serving.py) on or off
(``--memo off``), and ``--profile N`` prints the N functions with the most CPU time (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import json
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from preview.analyzer import PolicyPacks, StackResource, _analyze_request, _protos, _stack_resource_message  # noqa: E402  # noqa: E402 - the same messages

FIXTURE_PACK = ROOT / "tests" / "preview" / "fixtures" / "pack_rules"


def synthetic(count: int, stack: str = "bench", project: str = "bench") -> list[StackResource]:
    """A mix of common resource shapes (bucket, role with a policy, function, queue) per component."""
    prefix = f"urn:pulumi:{stack}::{project}::"
    provider = StackResource(
        urn=prefix + "pulumi:providers:aws::default_7_51_1",
        type="pulumi:providers:aws",
        name="default_7_51_1",
        inputs={"region": "us-east-1"},
        outputs={"region": "us-east-1"},
    )
    out: list[StackResource] = [provider]
    for i in range(count - 1):
        group = i // 4
        component = f"{prefix}bench:app:App::app{group}"
        kind = i % 4
        tags = {"Project": project, "Stack": stack, "CostCenter": "platform", "owner": "team"}
        if kind == 0:
            typ, name = "aws:s3/bucket:Bucket", f"bucket{group}"
            props = {"bucket": f"bucket-{group}", "tags": tags, "forceDestroy": False}
        elif kind == 1:
            typ, name = "aws:iam/role:Role", f"role{group}"
            props = {
                "name": f"role-{group}",
                "path": "/blueprints/",
                "tags": tags,
                "assumeRolePolicy": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                ),
            }
        elif kind == 2:
            typ, name = "aws:lambda/function:Function", f"fn{group}"
            props = {
                "name": f"fn-{group}",
                "runtime": "python3.13",
                "architectures": ["arm64"],
                "memorySize": 256,
                "timeout": 10,
                "handler": "fn.handler.handler",
                "tags": tags,
                "role": f"arn:aws:iam::111111111111:role/blueprints/role-{group}",
                "environment": {"variables": {"TABLE": f"table-{group}", "LOG_LEVEL": "INFO"}},
            }
        else:
            typ, name = "aws:sqs/queue:Queue", f"queue{group}"
            props = {
                "name": f"queue-{group}",
                "messageRetentionSeconds": 345600,
                "tags": tags,
                "sqsManagedSseEnabled": True,
            }
        urn = f"{prefix}bench:app:App${typ}::{name}"
        out.append(
            StackResource(
                urn=urn,
                type=typ,
                name=name,
                inputs=props,
                outputs={**props, "arn": f"arn:aws:x:us-east-1:111111111111:{name}"},
                parent=component,
                provider=provider,
                dependencies=[provider.urn],
            )
        )
    return out


def wiring_synthetic(count: int, stack: str = "bench", project: str = "bench") -> list[StackResource]:
    """Shapes every wiring rule joins, 20 per group: a VPC with a subnet, route table, NAT route,
    security group and SQS endpoint; a VPC function with its role, policy, queue and event source
    mapping; an event rule and target with the function's permission; an alarm and its topic; a
    private zone with a record aliasing the group's load balancer and its target group/attachment."""
    prefix = f"urn:pulumi:{stack}::{project}::"
    provider = StackResource(
        urn=prefix + "pulumi:providers:aws::default_7_51_1",
        type="pulumi:providers:aws",
        name="default_7_51_1",
        inputs={"region": "us-east-1"},
        outputs={"region": "us-east-1"},
    )
    out: list[StackResource] = [provider]
    account = "111111111111"

    def add(typ: str, name: str, props: dict) -> None:
        out.append(
            StackResource(
                urn=f"{prefix}{typ}::{name}",
                type=typ,
                name=name,
                inputs=props,
                outputs=props,
                provider=provider,
                dependencies=[provider.urn],
            )
        )

    for g in range((count - 1) // 20 + 1):
        net = f"10.{g // 250}.{g % 250}"
        vpc, sub, rtb, sg = f"vpc-{g}", f"subnet-{g}", f"rtb-{g}", f"sg-{g}"
        fn_arn = f"arn:aws:lambda:us-east-1:{account}:function:fn-{g}"
        queue_arn = f"arn:aws:sqs:us-east-1:{account}:q-{g}"
        rule_arn = f"arn:aws:events:us-east-1:{account}:rule/r-{g}"
        topic_arn = f"arn:aws:sns:us-east-1:{account}:t-{g}"
        tg_arn = f"arn:aws:elasticloadbalancing:us-east-1:{account}:targetgroup/tg-{g}/1"
        add("aws:ec2/vpc:Vpc", f"vpc{g}", {"id": vpc, "cidrBlock": f"{net}.0/24"})
        add(
            "aws:ec2/subnet:Subnet",
            f"subnet{g}",
            {"id": sub, "vpcId": vpc, "cidrBlock": f"{net}.0/25", "availabilityZone": "us-east-1a"},
        )
        add("aws:ec2/routeTable:RouteTable", f"rt{g}", {"id": rtb, "vpcId": vpc, "routes": []})
        add("aws:ec2/routeTableAssociation:RouteTableAssociation", f"rta{g}", {"subnetId": sub, "routeTableId": rtb})
        add(
            "aws:ec2/route:Route",
            f"nat{g}",
            {"routeTableId": rtb, "destinationCidrBlock": "0.0.0.0/0", "natGatewayId": f"nat-{g}"},
        )
        add(
            "aws:ec2/securityGroup:SecurityGroup",
            f"sg{g}",
            {
                "id": sg,
                "vpcId": vpc,
                "ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": [f"{net}.0/24"]}],
            },
        )
        add(
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            f"sqs{g}",
            {
                "id": f"vpce-{g}",
                "vpcId": vpc,
                "vpcEndpointType": "Interface",
                "serviceName": "com.amazonaws.us-east-1.sqs",
                "subnetIds": [sub],
                "securityGroupIds": [sg],
                "privateDnsEnabled": True,
            },
        )
        add("aws:iam/role:Role", f"role{g}", {"name": f"role-{g}", "arn": f"arn:aws:iam::{account}:role/role-{g}"})
        add(
            "aws:iam/rolePolicy:RolePolicy",
            f"policy{g}",
            {
                "role": f"role-{g}",
                "policy": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": queue_arn}],
                    }
                ),
            },
        )
        add("aws:sqs/queue:Queue", f"queue{g}", {"arn": queue_arn, "id": f"https://sqs/{account}/q-{g}"})
        add(
            "aws:lambda/function:Function",
            f"fn{g}",
            {
                "arn": fn_arn,
                "name": f"fn-{g}",
                "role": f"arn:aws:iam::{account}:role/role-{g}",
                "vpcConfig": {"subnetIds": [sub], "securityGroupIds": [sg]},
            },
        )
        add(
            "aws:lambda/eventSourceMapping:EventSourceMapping",
            f"esm{g}",
            {"functionName": fn_arn, "eventSourceArn": queue_arn},
        )
        add("aws:cloudwatch/eventRule:EventRule", f"rule{g}", {"name": f"r-{g}", "arn": rule_arn})
        add("aws:cloudwatch/eventTarget:EventTarget", f"target{g}", {"rule": f"r-{g}", "arn": fn_arn})
        add(
            "aws:lambda/permission:Permission",
            f"perm{g}",
            {
                "function": f"fn-{g}",
                "principal": "events.amazonaws.com",
                "action": "lambda:InvokeFunction",
                "sourceArn": rule_arn,
            },
        )
        add("aws:sns/topic:Topic", f"topic{g}", {"arn": topic_arn})
        add("aws:cloudwatch/metricAlarm:MetricAlarm", f"alarm{g}", {"alarmActions": [topic_arn]})
        add(
            "aws:lb/targetGroup:TargetGroup",
            f"tg{g}",
            {"arn": tg_arn, "vpcId": vpc, "targetType": "ip", "protocol": "TCP"},
        )
        add(
            "aws:lb/targetGroupAttachment:TargetGroupAttachment",
            f"ip{g}",
            {"targetGroupArn": tg_arn, "targetId": f"{net}.10"},
        )
        if len(out) >= count:
            break
    return out[:count]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (fields 14 and 15 of /proc/<pid>/stat, proc(5))."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")  # no /proc (not Linux): wall time only
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def in_process(
    pack: Path, sizes: list[int], make: Callable[[int], list[StackResource]], memo: bool, profile: int
) -> None:
    """The pack's servicer called directly with the messages the preview sends; CPU time of this process."""
    os.environ.update(
        {"PULUMI_CONFIG": "{}", "PULUMI_PROJECT": "bench", "PULUMI_STACK": "bench", "PULUMI_DRY_RUN": "true"}
    )
    sys.path.insert(0, str(pack))
    rules = importlib.import_module(f"{pack.name}_rules")
    serving = importlib.import_module(f"{pack.name}_rules.serving")
    from pulumi.runtime.proto import analyzer_pb2
    from pulumi_policy import EnforcementLevel
    from pulumi_policy.policy import _PolicyAnalyzerServicer

    _protos()
    active = serving.install() if memo else False
    serving.tune_gc()
    servicer = _PolicyAnalyzerServicer(
        f"blueprints-{pack.name}", "0.0.1", list(rules.POLICIES), EnforcementLevel.ADVISORY
    )
    print(f"pack {pack.name} in process, {len(rules.POLICIES)} policies, conversion memo {'on' if active else 'off'}")
    print(f"{'resources':>10}{'Analyze CPU s':>15}{'AnalyzeStack CPU s':>20}{'total CPU s':>13}{'diagnostics':>13}")
    for size in sizes:
        resources = make(size)
        requests = [_analyze_request(r) for r in resources if not r.type.startswith("pulumi:providers:")]
        stack_request = analyzer_pb2.AnalyzeStackRequest(resources=[_stack_resource_message(r) for r in resources])
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        c0 = time.process_time()
        diagnostics = sum(len(servicer.Analyze(request, None).diagnostics) for request in requests)
        c1 = time.process_time()
        diagnostics += len(servicer.AnalyzeStack(stack_request, None).diagnostics)
        c2 = time.process_time()
        if profiler:
            profiler.disable()
        print(f"{size:>10}{c1 - c0:>15.2f}{c2 - c1:>20.2f}{c2 - c0:>13.2f}{diagnostics:>13}")
        if profiler:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(profile)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pack",
        type=Path,
        default=None,
        help="policy pack directory (default: policies/security if present, else the fixture pack)",
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--shape",
        choices=["generic", "wiring"],
        default=None,
        help="synthetic resources: generic (bucket, role, function, queue) or the wiring pack's "
        "joined shapes (default: wiring for policies/wiring, else generic)",
    )
    parser.add_argument(
        "--in-process", action="store_true", help="call the pack's servicer in this process (CPU time, no gRPC)"
    )
    parser.add_argument(
        "--memo",
        choices=["on", "off"],
        default="on",
        help="with --in-process: the shared per-request conversion memo on or off",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="with --in-process: print the N functions with the most CPU time",
    )
    args = parser.parse_args()
    pack = (
        args.pack
        or (
            ROOT / "policies" / "security"
            if (ROOT / "policies" / "security" / "PulumiPolicy.yaml").is_file()
            else FIXTURE_PACK
        )
    ).resolve()
    shape = args.shape or ("wiring" if pack.name == "wiring" else "generic")
    make = wiring_synthetic if shape == "wiring" else synthetic
    if args.in_process:
        in_process(pack, args.sizes, make, args.memo == "on", args.profile)
        return

    start = time.perf_counter()
    with PolicyPacks([pack], project="bench", stack="bench", config={}) as packs:
        started = time.perf_counter() - start
        process = packs.packs[0]
        print(f"pack {process.name} ({pack}); start-up {started:.2f} s")
        print(
            f"{'resources':>10}{'Analyze s':>12}{'AnalyzeStack s':>16}{'total s':>10}{'per resource ms':>18}"
            f"{'diagnostics':>13}   CPU s of the pack: Analyze, AnalyzeStack, total | of this process (requests)"
        )
        for size in args.sizes:
            resources = make(size)
            analyzable = [r for r in resources if not r.type.startswith("pulumi:providers:")]
            pid = process.process.pid
            c0, t0, p0 = cpu_seconds(pid), time.perf_counter(), time.process_time()
            diagnostics = process.analyze(analyzable)
            c1, t1, p1 = cpu_seconds(pid), time.perf_counter(), time.process_time()
            diagnostics += process.analyze_stack(resources)
            c2, t2, p2 = cpu_seconds(pid), time.perf_counter(), time.process_time()
            total = t2 - t0
            print(
                f"{size:>10}{t1 - t0:>12.2f}{t2 - t1:>16.2f}{total:>10.2f}{1000 * total / size:>18.3f}"
                f"{len(diagnostics):>13}   {c1 - c0:.2f}, {c2 - c1:.2f}, {c2 - c0:.2f} | {p1 - p0:.2f}, {p2 - p1:.2f}"
            )
    print("target: 10,000 resources in <= 10 s")


if __name__ == "__main__":
    main()
