"""Every cost rule on a resource (or stack) that breaks it and one that passes, called directly."""

from __future__ import annotations

import json

import pytest
from cost_rules import budget, database, ec2, functions, logs, network, search, services, tags
from cost_rules.values import UNKNOWN
from cost_testkit import StackBuilder, resource_args, run

INSTANCE = "aws:ec2/instance:Instance"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
VOLUME = "aws:ebs/volume:Volume"
FUNCTION = "aws:lambda/function:Function"

# (policy, resource type, props, config, expected message fragment or None for "passes")
RESOURCE_CASES = [
    # instance types per stack
    (ec2.instance_type_allowlist, INSTANCE, {"instanceType": "g5.12xlarge"}, None, "g5.12xlarge is not allowed"),
    (ec2.instance_type_allowlist, LT, {"instanceType": "p4d.24xlarge"}, None, "p4d.24xlarge is not allowed"),
    (ec2.instance_type_allowlist, INSTANCE, {"instanceType": "g4dn.xlarge"}, None, None),
    (ec2.instance_type_allowlist, INSTANCE, {"launchTemplate": {"id": "lt-1"}}, None, None),
    (ec2.instance_type_allowlist, INSTANCE, {"instanceType": "t4g.large"}, {"allowedInstanceTypes": ["t4g.*"]}, None),
    (
        ec2.instance_type_allowlist,
        INSTANCE,
        {"instanceType": "g4dn.xlarge"},
        {"allowedInstanceTypes": ["t4g.*"]},
        "allowed: t4g.*",
    ),
    # gp3
    (ec2.ebs_gp3, VOLUME, {"size": 100, "type": "gp2"}, None, "volume type gp2 is not allowed"),
    (ec2.ebs_gp3, VOLUME, {"size": 100}, None, "the volume type is not set"),
    (ec2.ebs_gp3, INSTANCE, {"instanceType": "t3.micro"}, None, "rootBlockDevice: the volume type is not set"),
    (
        ec2.ebs_gp3,
        INSTANCE,
        {"rootBlockDevice": {"volumeType": "gp3"}, "ebsBlockDevices": [{"volumeType": "io1"}]},
        None,
        "ebsBlockDevices[0]: volume type io1",
    ),
    (
        ec2.ebs_gp3,
        LT,
        {"blockDeviceMappings": [{"ebs": {"volumeType": "gp2", "volumeSize": 150}}]},
        None,
        "blockDeviceMappings[0].ebs: volume type gp2",
    ),
    (ec2.ebs_gp3, LT, {"blockDeviceMappings": [{"ebs": {"volumeType": "gp3", "volumeSize": 150}}]}, None, None),
    (ec2.ebs_gp3, INSTANCE, {"launchTemplate": {"id": "lt-1"}}, None, None),
    (ec2.ebs_gp3, VOLUME, {"size": 100, "type": UNKNOWN}, None, None),
    # size and IOPS caps
    (ec2.ebs_size_iops_caps, VOLUME, {"size": 1024, "type": "gp3"}, None, "1024 GiB is above the 512 GiB cap"),
    (
        ec2.ebs_size_iops_caps,
        LT,
        {"blockDeviceMappings": [{"ebs": {"volumeType": "gp3", "volumeSize": 150, "iops": 6000}}]},
        None,
        "6000 IOPS is above the free gp3 baseline",
    ),
    (ec2.ebs_size_iops_caps, VOLUME, {"size": 100, "type": "gp3", "throughput": 500}, None, "500 MB/s is above"),
    (ec2.ebs_size_iops_caps, VOLUME, {"size": 150, "type": "gp3", "iops": 3000, "throughput": 125}, None, None),
    (
        ec2.ebs_size_iops_caps,
        VOLUME,
        {"size": 150, "type": "gp3", "iops": 6000},
        {"allowProvisionedPerformance": True},
        None,
    ),
    # detailed monitoring
    (ec2.detailed_monitoring_off, INSTANCE, {"monitoring": True}, None, "Detailed monitoring is on"),
    (ec2.detailed_monitoring_off, LT, {"monitoring": {"enabled": True}}, None, "Detailed monitoring is on"),
    (ec2.detailed_monitoring_off, LT, {"monitoring": {"enabled": False}}, None, None),
    (ec2.detailed_monitoring_off, INSTANCE, {"monitoring": True}, {"allowDetailedMonitoring": True}, None),
    # Aurora
    (
        database.aurora_capacity_caps,
        "aws:rds/cluster:Cluster",
        {"engine": "aurora-postgresql", "serverlessv2ScalingConfiguration": {"minCapacity": 0.5, "maxCapacity": 128}},
        None,
        "maxCapacity 128 ACU is above the 64 ACU cap",
    ),
    (
        database.aurora_capacity_caps,
        "aws:rds/cluster:Cluster",
        {"engine": "aurora-postgresql", "serverlessv2ScalingConfiguration": {"minCapacity": 2, "maxCapacity": 16}},
        {"maxMinCapacityAcu": 1},
        "minCapacity 2 ACU is above the 1 ACU floor",
    ),
    (
        database.aurora_capacity_caps,
        "aws:rds/cluster:Cluster",
        {"engine": "aurora-postgresql"},
        None,
        "serverlessv2ScalingConfiguration is not set",
    ),
    (
        database.aurora_capacity_caps,
        "aws:rds/cluster:Cluster",
        {"engine": "aurora-postgresql", "engineMode": "serverless"},
        None,
        "Aurora Serverless v1",
    ),
    (
        database.aurora_capacity_caps,
        "aws:rds/clusterInstance:ClusterInstance",
        {"instanceClass": "db.r6g.4xlarge"},
        None,
        "db.r6g.4xlarge is not allowed",
    ),
    (
        database.aurora_capacity_caps,
        "aws:rds/cluster:Cluster",
        {"engine": "aurora-postgresql", "serverlessv2ScalingConfiguration": {"minCapacity": 0, "maxCapacity": 16}},
        None,
        None,
    ),
    (
        database.aurora_capacity_caps,
        "aws:rds/clusterInstance:ClusterInstance",
        {"instanceClass": "db.serverless"},
        None,
        None,
    ),
    (database.aurora_capacity_caps, "aws:rds/cluster:Cluster", {"engine": "postgres"}, None, None),
    # OpenSearch
    (
        search.opensearch_sizing,
        "aws:opensearch/domain:Domain",
        {"clusterConfig": {"instanceType": "r6g.4xlarge.search", "instanceCount": 1}},
        None,
        "r6g.4xlarge.search is not allowed",
    ),
    (
        search.opensearch_sizing,
        "aws:opensearch/domain:Domain",
        {"clusterConfig": {"instanceType": "r6g.large.search", "instanceCount": 10}},
        None,
        "10 data nodes is above the cap of 6",
    ),
    (
        search.opensearch_sizing,
        "aws:opensearch/domain:Domain",
        {
            "clusterConfig": {
                "instanceType": "t3.small.search",
                "dedicatedMasterEnabled": True,
                "dedicatedMasterType": "m6g.large.search",
            }
        },
        {"allowDedicatedMasters": False},
        "Dedicated masters are not allowed",
    ),
    (
        search.opensearch_sizing,
        "aws:opensearch/domain:Domain",
        {
            "clusterConfig": {
                "instanceType": "t3.small.search",
                "warmEnabled": True,
                "warmType": "ultrawarm1.medium.search",
            }
        },
        {"allowUltraWarm": False},
        "UltraWarm is not allowed",
    ),
    (
        search.opensearch_sizing,
        "aws:opensearch/domain:Domain",
        {
            "clusterConfig": {"instanceType": "t3.small.search"},
            "ebsOptions": {"ebsEnabled": True, "volumeSize": 10, "volumeType": "gp2"},
        },
        None,
        "EBS volume type is gp2",
    ),
    (
        search.opensearch_sizing,
        "aws:opensearch/domain:Domain",
        {
            "clusterConfig": {
                "instanceType": "r6g.large.search",
                "instanceCount": 3,
                "dedicatedMasterEnabled": True,
                "dedicatedMasterType": "m6g.large.search",
                "dedicatedMasterCount": 3,
                "warmEnabled": True,
                "warmType": "ultrawarm1.medium.search",
                "warmCount": 2,
            },
            "ebsOptions": {"ebsEnabled": True, "volumeSize": 100, "volumeType": "gp3"},
        },
        None,
        None,
    ),
    # Kinesis
    (search.kinesis_capacity, "aws:kinesis/stream:Stream", {"shardCount": 10}, None, "10 shards is above the cap of 4"),
    (
        search.kinesis_capacity,
        "aws:kinesis/stream:Stream",
        {"streamModeDetails": {"streamMode": "ON_DEMAND"}, "retentionPeriod": 168},
        None,
        "Retention of 168 h",
    ),
    (
        search.kinesis_capacity,
        "aws:kinesis/stream:Stream",
        {
            "streamModeDetails": {"streamMode": "ON_DEMAND"},
            "encryptionType": "KMS",
            "kmsKeyId": "arn:aws:kms:us-east-1:111111111111:key/abc",
        },
        None,
        "customer managed KMS key",
    ),
    (
        search.kinesis_capacity,
        "aws:kinesis/stream:Stream",
        {"streamModeDetails": {"streamMode": "ON_DEMAND"}},
        {"allowedStreamModes": ["PROVISIONED"]},
        "Stream mode ON_DEMAND is not allowed",
    ),
    (
        search.kinesis_capacity,
        "aws:kinesis/stream:Stream",
        {
            "streamModeDetails": {"streamMode": "ON_DEMAND"},
            "retentionPeriod": 24,
            "encryptionType": "KMS",
            "kmsKeyId": "alias/aws/kinesis",
        },
        None,
        None,
    ),
    # log retention
    (logs.log_retention, "aws:cloudwatch/logGroup:LogGroup", {}, None, "retentionInDays is not set"),
    (logs.log_retention, "aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 365}, None, "at most 90 days"),
    (
        logs.log_retention,
        "aws:cloudwatch/logGroup:LogGroup",
        {"retentionInDays": 60},
        {"maxRetentionDays": 30},
        "at most 30 days",
    ),
    (logs.log_retention, "aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 30}, None, None),
    # Region allow-list
    (network.region_allowlist, "pulumi:providers:aws", {"region": "eu-west-1"}, None, "Provider Region eu-west-1"),
    (network.region_allowlist, "pulumi:providers:aws", {}, None, "sets no region"),
    (
        network.region_allowlist,
        "aws:sqs/queue:Queue",
        {"region": "ap-south-1"},
        None,
        "Region ap-south-1 is not allowed",
    ),
    (network.region_allowlist, "pulumi:providers:aws", {"region": "us-west-2"}, None, None),
    (network.region_allowlist, "aws:sqs/queue:Queue", {"region": "us-east-1"}, None, None),
    (
        network.region_allowlist,
        "pulumi:providers:aws",
        {"region": "eu-west-1"},
        {"allowedRegions": ["eu-west-1", "eu-central-1"]},
        None,
    ),
    # Lambda
    (functions.lambda_concurrency_cap, FUNCTION, {"timeout": 30}, None, "The memory size is not set"),
    (
        functions.lambda_concurrency_cap,
        FUNCTION,
        {"memorySize": 128, "timeout": 3, "__defaults": ["memorySize", "timeout"]},
        None,
        "The timeout is not set",
    ),
    (
        functions.lambda_concurrency_cap,
        FUNCTION,
        {"memorySize": 3008, "timeout": 30},
        None,
        "Memory size 3008 MB is above the cap of 2048",
    ),
    (functions.lambda_concurrency_cap, FUNCTION, {"memorySize": 512, "timeout": 900}, None, "Timeout 900 s"),
    (
        functions.lambda_concurrency_cap,
        FUNCTION,
        {"memorySize": 512, "timeout": 30},
        {"requireReservedConcurrency": True},
        "reservedConcurrentExecutions is not set",
    ),
    (
        functions.lambda_concurrency_cap,
        "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
        {"provisionedConcurrentExecutions": 5},
        {"maxProvisionedConcurrency": 0},
        "5 provisioned concurrent executions",
    ),
    (
        functions.lambda_concurrency_cap,
        FUNCTION,
        {"memorySize": 512, "timeout": 30, "reservedConcurrentExecutions": 10},
        {"requireReservedConcurrency": True},
        None,
    ),
    (functions.lambda_arm64, FUNCTION, {"architectures": ["x86_64"]}, None, "runs on x86_64"),
    (functions.lambda_arm64, FUNCTION, {}, None, "runs on x86_64"),
    (functions.lambda_arm64, FUNCTION, {"architectures": ["arm64"]}, None, None),
    (functions.lambda_arm64, FUNCTION, {"packageType": "Image"}, None, None),
    # API Gateway cache, Fargate sizes
    (
        services.apigw_cache_off,
        "aws:apigateway/stage:Stage",
        {"cacheClusterEnabled": True, "cacheClusterSize": "1.6"},
        None,
        "1.6 GB cache",
    ),
    (services.apigw_cache_off, "aws:apigateway/stage:Stage", {"cacheClusterEnabled": False}, None, None),
    (services.apigw_cache_off, "aws:apigateway/stage:Stage", {"cacheClusterEnabled": True}, {"allowCache": True}, None),
    (
        services.ecs_fargate_size,
        "aws:ecs/taskDefinition:TaskDefinition",
        {"cpu": "4096", "memory": "8192", "requiresCompatibilities": ["FARGATE"]},
        None,
        "Task CPU 4096 units",
    ),
    (services.ecs_fargate_size, "aws:ecs/service:Service", {"desiredCount": 10}, None, "desiredCount 10"),
    (
        services.ecs_fargate_size,
        "aws:ecs/taskDefinition:TaskDefinition",
        {"cpu": "512", "memory": "1024", "requiresCompatibilities": ["FARGATE"]},
        None,
        None,
    ),
]


def _id(case):
    policy, token, _props, _config, expected = case
    return f"{policy.name}:{token.rsplit(':', 1)[-1]}:{'breaks' if expected else 'passes'}"


@pytest.mark.parametrize("case", RESOURCE_CASES, ids=[_id(c) for c in RESOURCE_CASES])
def test_resource_rule(case):
    policy, token, props, config, expected = case
    found = run(policy, resource_args(token, props, config))
    if expected is None:
        assert found == []
    else:
        assert any(expected in message for message in found), found


def test_required_tags_from_provider_default_tags_or_own_tags():
    required = ["Project", "Stack", "CostCenter"]
    default_tags = json.dumps({"tags": {"Project": "blueprints", "Stack": "dev", "CostCenter": "platform"}})
    # The engine keeps a provider's nested inputs as JSON strings.
    passes = resource_args(INSTANCE, {"instanceType": "t3.micro"}, provider_props={"defaultTags": default_tags})
    assert run(tags.required_tags, passes) == []
    own = resource_args(INSTANCE, {"tags": {"Project": "p", "Stack": "s", "CostCenter": "c"}})
    assert run(tags.required_tags, own) == []
    breaks = resource_args(
        INSTANCE, {"tags": {"Project": "p"}}, provider_props={"defaultTags": {"tags": {"Stack": "s"}}}
    )
    (message,) = run(tags.required_tags, breaks)
    assert "CostCenter" in message and "Stack" not in message.split("tag(s)")[1].split(":")[0]
    untagged = resource_args(INSTANCE, {})
    assert "Project, Stack, CostCenter" in run(tags.required_tags, untagged)[0]
    # Not taggable in pulumi-aws: nothing to ask of it.
    assert run(tags.required_tags, resource_args("aws:iam/rolePolicy:RolePolicy", {"policy": "{}"})) == []
    assert run(tags.required_tags, resource_args("aws:lambda/function:Function", {}, {"requiredTags": required}))


# --- stack rules -------------------------------------------------------------------------------------------
def _gpu(s, alarm_props=None, instance_type="g4dn.xlarge"):
    s.add("aws:ec2/launchTemplate:LaunchTemplate", "lt", {"id": "lt-1", "instanceType": instance_type})
    instance = s.add(INSTANCE, "ws", {"id": "i-1", "launchTemplate": {"id": "lt-1"}})
    if alarm_props is not None:
        props = {
            "metricName": "CPUUtilization",
            "comparisonOperator": "LessThanThreshold",
            "threshold": 5,
            "period": 300,
            "evaluationPeriods": 6,
            "dimensions": {"InstanceId": "i-1"},
            "alarmActions": ["arn:aws:automate:us-east-1:ec2:stop"],
            **alarm_props,
        }
        s.add("aws:cloudwatch/metricAlarm:MetricAlarm", "idle", props)
    return instance


def test_gpu_instance_without_idle_stop_breaks():
    s = StackBuilder()
    _gpu(s)
    (message,) = run(ec2.gpu_idle_autostop, s.args())
    assert "no idle auto-stop" in message


def test_gpu_instance_with_idle_stop_passes():
    s = StackBuilder()
    _gpu(s, {})
    assert run(ec2.gpu_idle_autostop, s.args()) == []


def test_gpu_alarm_that_does_not_detect_idleness_breaks():
    s = StackBuilder()
    _gpu(s, {"comparisonOperator": "GreaterThanThreshold", "threshold": 90, "evaluationPeriods": 48})
    (message,) = run(ec2.gpu_idle_autostop, s.args())
    assert "LOW value" in message and "threshold 90%" in message and "waits 240 minutes" in message


def test_gpu_alarm_without_the_stop_action_breaks():
    s = StackBuilder()
    _gpu(s, {"alarmActions": ["arn:aws:sns:us-east-1:111111111111:topic"]})
    assert "no idle auto-stop" in run(ec2.gpu_idle_autostop, s.args())[0]


def test_gpu_alarm_with_unknown_instance_id_matches_through_its_dependency():
    s = StackBuilder()
    instance = _gpu(s)
    s.add(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "idle",
        {
            "metricName": "CPUUtilization",
            "comparisonOperator": "LessThanThreshold",
            "threshold": 5,
            "period": 300,
            "evaluationPeriods": 6,
            "dimensions": {"InstanceId": UNKNOWN},
            "alarmActions": ["arn:aws:automate:us-east-1:ec2:stop"],
        },
        property_dependencies={"dimensions": [instance]},
    )
    assert run(ec2.gpu_idle_autostop, s.args()) == []


def test_non_gpu_instance_needs_no_idle_stop():
    s = StackBuilder()
    _gpu(s, instance_type="t3.micro")
    assert run(ec2.gpu_idle_autostop, s.args()) == []


def test_idle_elastic_ip_breaks_and_attached_ones_pass():
    s = StackBuilder()
    s.add("aws:ec2/eip:Eip", "idle", {"allocationId": "eipalloc-0", "instance": "", "networkInterface": ""})
    s.add("aws:ec2/eip:Eip", "on-instance", {"instance": "i-1"})
    by_assoc = s.add("aws:ec2/eip:Eip", "by-assoc", {"allocationId": "eipalloc-1", "id": "eipalloc-1"})
    s.add("aws:ec2/eipAssociation:EipAssociation", "assoc", {"allocationId": "eipalloc-1", "instanceId": "i-1"})
    nat_ip = s.add("aws:ec2/eip:Eip", "nat-ip", {"allocationId": UNKNOWN})
    s.add(
        "aws:ec2/natGateway:NatGateway",
        "nat",
        {"allocationId": UNKNOWN},
        property_dependencies={"allocationId": [nat_ip]},
    )
    found = [urn for _, urn in _urns(ec2.eip_attached, s)]
    assert found == [s.resources[1].urn]
    assert by_assoc.urn not in found


def _urns(policy, s):
    found = []
    policy.validate(s.args(), lambda message, urn=None: found.append((message, urn)))
    return found


def test_two_nat_gateways_in_one_vpc_break_one_per_vpc_passes():
    s = StackBuilder()
    for vpc, subnet in (("vpc-a", "subnet-a1"), ("vpc-a", "subnet-a2"), ("vpc-b", "subnet-b1")):
        s.add("aws:ec2/subnet:Subnet", subnet, {"id": subnet, "vpcId": vpc})
        s.add("aws:ec2/natGateway:NatGateway", f"nat-{subnet}", {"subnetId": subnet})
    (message,) = run(network.nat_gateway_cap, s.args())
    assert "2 NAT gateways in vpc-a" in message
    assert run(network.nat_gateway_cap, s.args({"maxPerVpc": 2})) == []


def test_interface_endpoint_enis_per_region():
    s = StackBuilder()
    for index in range(9):
        s.add("aws:ec2/vpcEndpoint:VpcEndpoint", f"e{index}", {"vpcEndpointType": "Interface", "subnetIds": ["a", "b"]})
    s.add("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {"vpcEndpointType": "Gateway"})
    s.add(
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "west",
        {"vpcEndpointType": "Interface", "subnetIds": ["a"]},
        region="us-west-2",
    )
    (message,) = run(network.vpce_count, s.args())
    assert message.startswith("18 interface endpoint ENIs in us-east-1")
    assert run(network.vpce_count, s.args({"maxInterfaceEnisPerRegion": 18})) == []


def _budget(s, **props):
    values = {
        "budgetType": "COST",
        "timeUnit": "MONTHLY",
        "limitAmount": "600.00",
        "limitUnit": "USD",
        "notifications": [{"subscriberEmailAddresses": ["team@example.com"]}],
        **props,
    }
    return s.add("aws:budgets/budget:Budget", "monthly-budget", values)


def test_budget_present_passes_with_a_subscribed_monthly_budget():
    s = StackBuilder()
    _budget(s)
    assert run(budget.aws_budget_present, s.args()) == []
    s2 = StackBuilder()
    _budget(s2, notifications=[{"subscriberSnsTopicArns": ["arn:aws:sns:us-east-1:111111111111:budget"]}])
    assert run(budget.aws_budget_present, s2.args()) == []


def test_budget_present_breaks_without_a_budget_without_subscribers_or_above_the_cap():
    assert "declares no monthly COST budget" in run(budget.aws_budget_present, StackBuilder().args())[0]
    s = StackBuilder()
    _budget(s, notifications=[])
    assert "no notification with a subscriber" in run(budget.aws_budget_present, s.args())[0]
    s = StackBuilder()
    _budget(s, limitAmount="50000")
    assert "above the cap of 1,000.00" in run(budget.aws_budget_present, s.args({"maxMonthlyUsd": 1000}))[0]
