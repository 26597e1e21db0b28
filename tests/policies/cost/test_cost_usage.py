"""Declared usage, none invented: two stacks whose bills are worked out by hand from the price table
(every line in a comment, USD, us-east-1, 730-hour months), the usage file, and the rules about
what cannot pause or what bills at another rate."""

from __future__ import annotations

import json

import pytest
from cost_rules import budget, usage
from cost_rules.pricing import estimate, summary
from cost_testkit import StackBuilder, run


def _aurora(s, name="db", minimum=0.5, maximum=4.0, **cluster_props):
    cluster = s.add(
        "aws:rds/cluster:Cluster",
        name,
        {
            "clusterIdentifier": name,
            "engine": "aurora-postgresql",
            "engineMode": "provisioned",
            "serverlessv2ScalingConfiguration": {"minCapacity": minimum, "maxCapacity": maximum},
            **cluster_props,
        },
    )
    s.add(
        "aws:rds/clusterInstance:ClusterInstance",
        f"{name}-0",
        {"clusterIdentifier": name, "instanceClass": "db.serverless"},
        property_dependencies={"clusterIdentifier": [cluster]},
    )
    return cluster


def _proxy(s, cluster, name="proxy"):
    proxy = s.add("aws:rds/proxy:Proxy", name, {"name": name})
    s.add(
        "aws:rds/proxyTarget:ProxyTarget",
        f"{name}-target",
        {"dbProxyName": name, "dbClusterIdentifier": cluster.props["clusterIdentifier"]},
        property_dependencies={"dbProxyName": [proxy], "dbClusterIdentifier": [cluster]},
    )


def always_on_stack() -> StackBuilder:
    s = StackBuilder()
    s.add("aws:ec2/natGateway:NatGateway", "nat", {})
    s.add("aws:ec2/eip:Eip", "nat-ip", {"domain": "vpc"})
    s.add(
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "execute-api",
        {"vpcEndpointType": "Interface", "subnetIds": ["subnet-a", "subnet-b"]},
    )
    s.add("aws:lb/loadBalancer:LoadBalancer", "nlb", {"loadBalancerType": "network", "internal": True})
    _proxy(s, _aurora(s))
    s.add("aws:kms/key:Key", "key", {})
    s.add("aws:secretsmanager/secret:Secret", "secret", {})
    s.add("aws:route53/zone:Zone", "zone", {"name": "internal.example.com"})
    for index in range(3):
        s.add("aws:cloudwatch/metricAlarm:MetricAlarm", f"alarm-{index}", {"period": 60})
    s.add("aws:route53/healthCheck:HealthCheck", "health", {"type": "CLOUDWATCH_METRIC"})
    fn = s.add("aws:lambda/function:Function", "api", {"name": "api", "memorySize": 1024, "architectures": ["arm64"]})
    s.add(
        "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
        "api-warm",
        {"functionName": "api", "provisionedConcurrentExecutions": 2},
        property_dependencies={"functionName": [fn]},
    )
    s.add("aws:ebs/volume:Volume", "data", {"size": 100, "type": "gp3"})
    return s


ALWAYS_ON_BILL = sum(
    [
        32.85,  # NAT gateway: 730 h x 0.045
        3.65,  # Elastic IP: 730 h x 0.005
        14.60,  # interface endpoint: 2 AZ x 730 h x 0.01
        16.425,  # internal NLB: 730 h x 0.0225 (no traffic: no NLCU)
        43.80,  # Aurora Serverless v2 at its 0.5-ACU minimum: 0.5 x 730 x 0.12
        87.60,  # RDS Proxy: the 8-ACU minimum x 730 x 0.015
        1.00,  # KMS key
        0.40,  # secret
        0.50,  # hosted zone
        0.30,  # 3 standard alarms x 0.10
        0.50,  # CLOUDWATCH_METRIC health check
        17.5204,  # provisioned concurrency: 2 x 1 GB x 730 h x 3,600 s x 0.0000033334
        8.00,  # gp3 volume: 100 GB x 0.08
    ]
)  # 227.15


def test_always_on_stack_matches_the_bill_worked_by_hand():
    est = estimate(always_on_stack().resources)
    assert est.total == pytest.approx(ALWAYS_ON_BILL, rel=0.02)
    assert est.fixed == pytest.approx(est.total) and est.usage == 0


def test_without_declared_usage_a_usage_charge_is_zero_and_listed():
    est = estimate(always_on_stack().resources)
    listed = {line.res.name: line.depends_on_usage for line in est.depending_on_usage}
    # Nothing invented: no requests on the function, no GB through the NAT, no NLCU, no ACU above the minimum.
    assert listed["api"] == [
        "requests (monthly_requests)",
        "duration at 1024 MB arm64 on provisioned concurrency (monthly_requests)",
    ]
    assert listed["nat"] == ["data processed (monthly_data_processed_gb)"]
    assert listed["nlb"] == ["capacity units (capacity_units)"]
    assert listed["db-0"] == ["Serverless v2 capacity above the minimum (average_acu)"]
    assert "Depends on usage (" in summary(est)


def usage_stack() -> StackBuilder:
    s = StackBuilder()
    s.add("aws:lambda/function:Function", "search", {"memorySize": 512, "architectures": ["arm64"]})
    s.add("aws:apigateway/stage:Stage", "stage", {})
    s.add("aws:sqs/queue:Queue", "queue", {})
    s.add("aws:cloudwatch/logGroup:LogGroup", "logs", {"retentionInDays": 30})
    s.add("aws:cloudwatch/eventBus:EventBus", "bus", {})
    s.add("aws:ec2/natGateway:NatGateway", "nat", {})
    s.add("aws:dynamodb/table:Table", "table", {"billingMode": "PAY_PER_REQUEST"})
    s.add("aws:rds/globalCluster:GlobalCluster", "global", {})  # free itself; its replication traffic is not
    return s


USAGE = {
    "resource_type_default_usage": {"aws:sqs/queue:Queue": {"monthly_requests": 3_000_000}},
    "resource_usage": {
        "search": {"monthly_requests": 1_000_000, "request_duration_ms": 120},
        "stage": {"monthly_requests": 2_000_000, "monthly_internet_egress_gb": 50},
        "logs": {"monthly_data_ingested_gb": 4},
        "bus": {"monthly_custom_events": 500_000},
        "nat": {"monthly_data_processed_gb": 20, "monthly_cross_az_gb": 10},
        "table": {"monthly_write_request_units": 1_000_000, "monthly_read_request_units": 4_000_000, "storage_gb": 2},
        "global": {"monthly_inter_region_gb": 2},
    },
}
USAGE_BILL = sum(
    [
        0.20,  # Lambda requests: 1 million x 0.20
        0.80,  # Lambda duration: 1,000,000 x 0.12 s x 0.5 GB = 60,000 GB-s x 0.0000133334
        7.00,  # REST API: 2 million x 3.50
        4.50,  # internet egress from the stage: 50 GB x 0.09
        1.20,  # SQS: 3 million x 0.40 (type default)
        2.00,  # logs ingested: 4 GB x 0.50
        0.1184,  # logs stored: 4 GB x 30/30.4 days = 3.947 GB x 0.03
        0.50,  # custom events: 0.5 million x 1.00
        0.90,  # NAT data processed: 20 GB x 0.045
        0.20,  # cross-AZ: 10 GB x 0.01 out + 10 GB x 0.01 in
        0.625,  # DynamoDB writes: 1 million x 0.625
        0.50,  # DynamoDB reads: 4 million x 0.125
        0.04,  # Aurora global replication to the other Region: 2 GB x 0.02
    ]
)  # 18.58
USAGE_FIXED = 32.85 + 0.50  # NAT gateway 730 h x 0.045; DynamoDB storage at rest 2 GB x 0.25


def test_declared_usage_matches_the_bill_worked_by_hand():
    est = estimate(usage_stack().resources, {"usage": USAGE})
    assert est.usage == pytest.approx(USAGE_BILL, rel=0.02)
    assert est.fixed == pytest.approx(USAGE_FIXED, rel=0.02)
    assert est.depending_on_usage == []


def test_the_usage_file_is_read_from_a_path_relative_to_the_pack(tmp_path):
    (tmp_path / "u.yaml").write_text("version: 0.1\nresource_usage:\n  queue: {monthly_requests: 1000000}\n")
    s = StackBuilder()
    s.add("aws:sqs/queue:Queue", "queue", {})
    loaded = usage.load("u.yaml", base=tmp_path)  # the pack resolves relative paths against its directory
    assert loaded.value("aws:sqs/queue:Queue", ("queue",), "monthly_requests") == 1_000_000
    est = estimate(s.resources, {"usage": str(tmp_path / "u.yaml")})
    assert est.usage == pytest.approx(0.40)


@pytest.mark.parametrize(
    "document,message",
    [
        (
            {"resource_usage": {"queue": {"monthly_requests": -1}}},
            "resource_usage.queue.monthly_requests: expected a number >= 0, got -1",
        ),
        (
            {"resource_usage": {"queue": {"monthly_request": 5}}},
            "resource_usage.queue.monthly_request: not a usage key of aws:sqs/queue:Queue (known: ",
        ),
        (
            {"resource_type_default_usage": {"aws:sqs/queue:Queue": {"gb": 1}}},
            "resource_type_default_usage.aws:sqs/queue:Queue.gb: not a usage key",
        ),
        ({"resourceUsage": {}}, "unknown top-level key 'resourceUsage'"),
        (["queue"], "expected a path or an object"),
    ],
)
def test_bad_usage_fails_with_a_message_naming_the_key(document, message):
    s = StackBuilder()
    s.add("aws:sqs/queue:Queue", "queue", {})
    with pytest.raises(usage.UsageError) as err:
        estimate(s.resources, {"usage": document})
    assert message in str(err.value)


def test_a_missing_usage_file_is_reported_by_the_estimate_policy_and_blocks_the_guard(tmp_path):
    s = StackBuilder()
    s.add("aws:budgets/budget:Budget", "budget", {"budgetType": "COST", "timeUnit": "MONTHLY", "limitAmount": "10"})
    config = {"usage": str(tmp_path / "missing.yaml")}
    (estimate_message,) = run(budget.monthly_cost_estimate, s.args(config))
    assert estimate_message.startswith("The cost estimate failed: usage file ") and "cannot be read" in estimate_message
    (guard_message,) = run(budget.stack_monthly_budget, s.args(config))
    assert guard_message.startswith("The budget cannot be checked: usage file ")


# --- what cannot pause, what bills at another rate ---------------------------------------------------------
ACU_MONTH = 730 * 0.12  # 87.60


def _instance_line(s):
    return next(line for line in estimate(s.resources).lines if line.res.type.endswith("ClusterInstance"))


def test_zero_acu_minimum_alone_pauses():
    s = StackBuilder()
    _aurora(s, minimum=0)
    assert _instance_line(s).fixed_total == 0


def test_zero_acu_minimum_behind_an_rds_proxy_cannot_pause():
    s = StackBuilder()
    _proxy(s, _aurora(s, minimum=0))
    line = _instance_line(s)
    assert line.fixed_total == pytest.approx(0.5 * ACU_MONTH)  # 43.80: the lowest unpaused capacity
    assert "cannot pause (an RDS Proxy targets the cluster)" in "; ".join(line.notes)


def test_zero_acu_minimum_on_a_global_primary_cannot_pause_but_a_secondary_can():
    s = StackBuilder()
    _aurora(s, "primary", minimum=0, globalClusterIdentifier="g", masterUsername="admin")
    _aurora(s, "secondary", minimum=0, globalClusterIdentifier="g")
    lines = {line.res.name: line for line in estimate(s.resources).lines}
    assert lines["primary-0"].fixed_total == pytest.approx(0.5 * ACU_MONTH)
    assert lines["secondary-0"].fixed_total == 0


def test_duration_on_provisioned_concurrency_bills_the_provisioned_duration_price():
    s = always_on_stack()
    est = estimate(
        s.resources, {"usage": {"resource_usage": {"api": {"monthly_requests": 1_000_000, "request_duration_ms": 100}}}}
    )
    line = next(line for line in est.lines if line.res.name == "api")
    duration = next(c for c in line.components if c.name.startswith("duration"))
    # 1,000,000 x 0.1 s x 1 GB = 100,000 GB-s x 0.0000077778 = 0.78 (on demand it would be 1.33)
    assert duration.monthly == pytest.approx(0.77778)


def test_fargate_tasks_with_a_public_ip_pay_for_the_address():
    s = StackBuilder()
    task = s.add("aws:ecs/taskDefinition:TaskDefinition", "task", {"arn": "td", "cpu": "256", "memory": "512"})
    s.add(
        "aws:ecs/service:Service",
        "svc",
        {
            "launchType": "FARGATE",
            "desiredCount": 2,
            "taskDefinition": "td",
            "networkConfiguration": {"assignPublicIp": True},
        },
        property_dependencies={"taskDefinition": [task]},
    )
    (line,) = [line for line in estimate(s.resources).lines if line.res.name == "svc"]
    ip = next(c for c in line.components if "public IPv4" in c.name)
    assert ip.monthly == pytest.approx(2 * 730 * 0.005)  # 7.30


def test_the_estimate_json_lists_what_is_not_priced_and_the_price_date():
    s = StackBuilder()
    s.add("aws:wafv2/webAcl:WebAcl", "waf", {})
    s.add("aws:s3/bucket:Bucket", "bucket", {})
    doc = json.loads(json.dumps(estimate(s.resources).to_json()))
    assert {
        "charge": "the resource",
        "urn": s.resources[-2].urn,
        "name": "waf",
        "type": "aws:wafv2/webAcl:WebAcl",
        "reason": "not priced: aws:wafv2/webAcl:WebAcl is not in the price table",
    } in doc["notPriced"]
    assert {"charge": "S3 requests", "resources": ["bucket"]} in doc["notPriced"]
    assert doc["pricesAsOf"] == "2025-06-30"
    assert doc["dependsOnUsage"] == [
        {"urn": s.resources[-1].urn, "name": "bucket", "charges": ["Standard storage (storage_gb)"]}
    ]
