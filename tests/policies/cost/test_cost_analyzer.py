"""The pack through the Analyzer protocol: the SDK's in-process servicer (real dispatch, enforcement
levels, config and unknown-value handling) and once over gRPC from the pack's own process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cost_rules
import grpc
import pytest
from cost_testkit import StackBuilder, analyze, analyze_stack, configure, estimate_document, servicer
from google.protobuf import empty_pb2
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

PACK = Path(cost_rules.__file__).resolve().parents[1]


@pytest.fixture
def service():
    return servicer(cost_rules.POLICIES)


def _by_policy(response):
    found = {}
    for diagnostic in response.diagnostics:
        found.setdefault(diagnostic.policyName, []).append(diagnostic)
    return found


def test_analyzer_info_lists_every_policy_with_its_level_and_schema(service):
    info = service.GetAnalyzerInfo(empty_pb2.Empty(), None)
    assert info.name == "blueprints-cost" and info.supportsConfig
    policies = {p.name: p for p in info.policies}
    assert set(policies) == {p.name for p in cost_rules.POLICIES}
    assert policies["cost-stack-monthly-budget"].enforcementLevel == proto.MANDATORY
    assert policies["monthly-cost-estimate"].enforcementLevel == proto.ADVISORY
    schema = dict(policies["monthly-cost-estimate"].configSchema.properties)
    assert "usage" in schema
    # Defaults live in the descriptions, not in "default" (see cost_rules/config.py).
    assert "default" not in dict(schema["spotPriceFraction"])
    assert "Default: 0.35" in schema["spotPriceFraction"]["description"]


def test_mandatory_violation_comes_back_mandatory_with_description_and_message(service):
    response = analyze(service, "aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 3653})
    (diagnostic,) = _by_policy(response)["cost-loggroup-retention"]
    assert diagnostic.enforcementLevel == proto.MANDATORY
    assert diagnostic.message == (
        "Every log group has a retention, at most maxRetentionDays.\n"
        "retentionInDays is 3653: at most 90 days in this stack."
    )


def test_compliant_resource_has_no_diagnostic(service):
    response = analyze(
        service,
        "aws:cloudwatch/logGroup:LogGroup",
        {"retentionInDays": 30, "tags": {"Project": "p", "Stack": "s", "CostCenter": "c"}},
    )
    assert list(response.diagnostics) == []


def test_configure_changes_config_and_enforcement_level(service):
    configure(
        service,
        {
            "cost-loggroup-retention": {"enforcementLevel": "advisory", "maxRetentionDays": 3653},
            "cost-required-tags": {"enforcementLevel": "disabled"},
        },
    )
    assert list(analyze(service, "aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 3653}).diagnostics) == []
    (diagnostic,) = analyze(service, "aws:cloudwatch/logGroup:LogGroup", {}).diagnostics
    assert diagnostic.policyName == "cost-loggroup-retention"
    assert diagnostic.enforcementLevel == proto.ADVISORY


def test_unknown_value_does_not_abort_a_rule_into_a_generic_advisory(service):
    response = analyze(
        service,
        "aws:ec2/launchTemplate:LaunchTemplate",
        {
            "instanceType": "g5.48xlarge",
            "imageId": UNKNOWN_STRING_VALUE,
            "blockDeviceMappings": [{"ebs": {"volumeType": "gp2", "volumeSize": UNKNOWN_STRING_VALUE}}],
        },
    )
    found = _by_policy(response)
    assert "can't run policy" not in " ".join(d.message for d in response.diagnostics)
    assert found["cost-ec2-instance-type-allowlist"][0].enforcementLevel == proto.MANDATORY
    assert found["cost-ebs-gp3"][0].enforcementLevel == proto.MANDATORY


def test_region_allowlist_on_the_provider_resource(service):
    found = _by_policy(analyze(service, "pulumi:providers:aws", {"region": "eu-west-1"}))
    assert found["cost-region-allowlist"][0].enforcementLevel == proto.MANDATORY


def _stack(limit: str, *, unknown_arn: bool = False) -> StackBuilder:
    s = StackBuilder()
    budget_parent = s.component("blueprints:budget:StackBudget", "monthly-budget")
    s.add(
        "aws:budgets/budget:Budget",
        "monthly-budget",
        {
            "budgetType": "COST",
            "timeUnit": "MONTHLY",
            "limitAmount": limit,
            "limitUnit": "USD",
            "notifications": [{"subscriberEmailAddresses": ["team@example.com"]}],
        },
        parent=budget_parent,
    )
    gaming = s.component("blueprints:gaming:GamingWorkstation", "gaming")
    s.add(
        "aws:ec2/eip:Eip",
        "ip",
        {"arn": UNKNOWN_STRING_VALUE if unknown_arn else "arn:aws:ec2:us-east-1:1:eip/x", "instance": "i-1"},
        parent=gaming,
    )
    s.add("aws:ec2/natGateway:NatGateway", "nat", {"subnetId": "subnet-1"}, parent=gaming, region="us-west-2")
    return s


def test_analyze_stack_reports_one_advisory_estimate_and_no_guard_violation_under_budget(service):
    response = analyze_stack(service, _stack("600.00", unknown_arn=True))
    found = _by_policy(response)
    (estimate,) = found["monthly-cost-estimate"]
    assert estimate.enforcementLevel == proto.ADVISORY and estimate.urn == ""
    doc = estimate_document(estimate.message)
    nat = 730 * 0.045  # no declared usage: no GB processed
    assert doc["total"] == pytest.approx(round(3.65 + nat, 2))
    assert doc["byComponent"] == {"gaming (GamingWorkstation)": pytest.approx(round(3.65 + nat, 2))}
    assert doc["byRegion"] == {"us-west-2": pytest.approx(round(nat, 2)), "us-east-1": 3.65}
    assert doc["budget"] == 600.0
    assert "cost-stack-monthly-budget" not in found


def test_analyze_stack_over_budget_is_mandatory_on_the_budget(service):
    s = _stack("20.00")
    found = _by_policy(analyze_stack(service, s))
    (guard,) = found["cost-stack-monthly-budget"]
    assert guard.enforcementLevel == proto.MANDATORY
    assert guard.urn.endswith("::monthly-budget") and "aws:budgets/budget:Budget" in guard.urn
    assert "OVER the budget of 20.00 USD" in guard.message
    assert len(found["monthly-cost-estimate"]) == 1


def test_estimate_assumptions_from_configure_reach_the_guard(service):
    s = StackBuilder()
    s.add("aws:budgets/budget:Budget", "b", {"budgetType": "COST", "timeUnit": "MONTHLY", "limitAmount": "100"})
    s.add(
        "aws:ec2/instance:Instance",
        "ws",
        {
            "instanceType": "g4dn.xlarge",
            "userData": "<powershell></powershell>",
            "rootBlockDevice": {"volumeSize": 150, "volumeType": "gp3"},
        },
    )
    assert "cost-stack-monthly-budget" not in _by_policy(analyze_stack(service, s))  # no hours declared: 12.00
    configure(service, {"monthly-cost-estimate": {"usage": {"resource_usage": {"ws": {"monthly_hours": 200}}}}})
    # 200 h x 0.71 + 150 GB x 0.08 = 142 + 12 = 154
    found = _by_policy(analyze_stack(service, s))
    assert estimate_document(found["monthly-cost-estimate"][0].message)["total"] == pytest.approx(154.0)
    assert "OVER the budget of 100.00 USD: total 154.00" in found["cost-stack-monthly-budget"][0].message


def test_the_pack_process_serves_the_analyzer_over_grpc():
    """As the CLI starts it: `python -m pulumi.policy <engine> <packdir>` prints the port and serves."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pulumi.policy", "127.0.0.1:1", str(PACK)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(process.stdout.readline().strip())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = analyzer_pb2_grpc.AnalyzerStub(channel)
            info = stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=10)
            assert info.name == "blueprints-cost"
            assert {p.name for p in info.policies} == {p.name for p in cost_rules.POLICIES}
    finally:
        process.terminate()
        process.wait(timeout=10)
