"""Time of the cost pack's stack policies (estimate, budget guard and the other stack rules) and of
its resource rules on synthetic stacks of 1,000 and 10,000 resources, through the SDK's in-process
Analyzer servicer (no gRPC). Printed, never asserted.

The SDK (pulumi-policy) deserializes every resource again for each policy, before the policy runs:
the "SDK floor" line times one stack policy that does nothing on the same stack, so the pack's own
share is the AnalyzeStack time minus about seven such floors (the pack has seven stack policies).

    .venv/bin/python benchmarks/bench_cost_pack.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "policies" / "cost"), str(ROOT / "tests" / "policies" / "cost")]

import cost_rules  # noqa: E402
from cost_testkit import StackBuilder, analyze, analyze_stack, servicer  # noqa: E402
from pulumi_policy import EnforcementLevel, StackValidationPolicy  # noqa: E402

NOOP = StackValidationPolicy(
    name="noop",
    description="does nothing",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=lambda args, report: None,
)

# One "unit" is ten resources of the kinds the project creates, wired to each other.
UNIT = 10


def synthetic(count: int) -> StackBuilder:
    s = StackBuilder()
    s.add(
        "aws:budgets/budget:Budget",
        "budget",
        {"budgetType": "COST", "timeUnit": "MONTHLY", "limitAmount": "1000000", "limitUnit": "USD"},
    )
    for i in range(count // UNIT):
        component = s.component("blueprints:gaming:GamingWorkstation", f"ws{i}")
        region = "us-east-1" if i % 2 else "us-west-2"
        s.add(
            "aws:ec2/launchTemplate:LaunchTemplate",
            f"lt{i}",
            {
                "id": f"lt-{i}",
                "instanceType": "g4dn.xlarge",
                "userData": "<powershell></powershell>",
                "blockDeviceMappings": [{"ebs": {"volumeSize": 150, "volumeType": "gp3"}}],
            },
            parent=component,
            region=region,
        )
        s.add(
            "aws:ec2/instance:Instance",
            f"i{i}",
            {"id": f"i-{i}", "launchTemplate": {"id": f"lt-{i}"}},
            parent=component,
            region=region,
        )
        s.add("aws:ec2/eip:Eip", f"ip{i}", {"instance": f"i-{i}"}, parent=component, region=region)
        s.add(
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            f"idle{i}",
            {
                "metricName": "CPUUtilization",
                "comparisonOperator": "LessThanThreshold",
                "threshold": 5,
                "period": 300,
                "evaluationPeriods": 6,
                "dimensions": {"InstanceId": f"i-{i}"},
                "alarmActions": [f"arn:aws:automate:{region}:ec2:stop"],
            },
            parent=component,
            region=region,
        )
        s.add("aws:cloudwatch/logGroup:LogGroup", f"logs{i}", {"retentionInDays": 30}, parent=component, region=region)
        s.add(
            "aws:lambda/function:Function",
            f"fn{i}",
            {"memorySize": 256, "timeout": 10, "architectures": ["arm64"]},
            parent=component,
            region=region,
        )
        s.add("aws:sqs/queue:Queue", f"q{i}", {}, parent=component, region=region)
        s.add("aws:iam/role:Role", f"role{i}", {}, parent=component, region=region)
    return s


def main() -> int:
    for count in (1_000, 10_000):
        stack = synthetic(count)
        service = servicer(cost_rules.POLICIES)
        started = time.perf_counter()
        response = analyze_stack(service, stack)
        stack_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for resource in stack.resources:
            analyze(service, resource.resource_type, dict(resource.props), name=resource.name)
        resource_seconds = time.perf_counter() - started
        estimate = [d for d in response.diagnostics if d.policyName == "monthly-cost-estimate"]
        started = time.perf_counter()
        analyze_stack(servicer([NOOP]), stack)
        floor = time.perf_counter() - started
        print(
            f"{len(stack.resources):>6} resources: AnalyzeStack {stack_seconds:6.2f} s "
            f"(estimate reported: {bool(estimate)}), Analyze of each {resource_seconds:6.2f} s, "
            f"SDK floor per stack policy {floor:5.2f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
