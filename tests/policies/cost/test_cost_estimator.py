"""The estimator: for every priced type an expected cost worked by hand from the raw price table
(read here straight from prices.json, not through the pack's loader), with the usage each case
declares; undeclared usage is priced 0 and listed as depending on usage."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cost_rules import prices
from cost_rules import pricing as estimator
from cost_rules.pricing import engine
from cost_rules.values import UNKNOWN
from cost_testkit import StackBuilder

RAW = json.loads(Path(prices.PRICES_FILE).read_text())
ALWAYS_DATA_TRANSFER = next(c for c in engine.ALWAYS_EXCLUDED if c.startswith("data transfer"))
H = RAW["hoursPerMonth"]  # 730


def P(key, *path, region="us-east-1"):
    item = RAW["prices"][region][key]
    if not path:
        return item["usd"]
    value = next(v for k, v in item.items() if k.startswith("usdBy"))
    for step in path:
        value = value[step]
    return value


def declare(**by_name):
    """A usage document declaring values per resource name."""
    return {"resource_usage": by_name}


def line_of(builder, name, usage=None):
    est = estimator.estimate(builder.resources, {"usage": usage} if usage else None)
    found = [line for line in est.lines if line.res.name == name]
    assert len(found) == 1, [line.res.name for line in est.lines]
    return found[0]


def powershell():
    return base64.b64encode(b"<powershell>Write-Output ok</powershell>").decode()


CASES = {}


def case(token, label=""):
    def register(fn):
        CASES[f"{token} {label}".strip()] = (token, fn)
        return fn

    return register


# --- EC2 --------------------------------------------------------------------------------------------
def _workstation(s, *, alarm=True, spot=False, eip=True):
    lt_props = {
        "id": "lt-0abc",
        "instanceType": "g4dn.xlarge",
        "userData": powershell(),
        "blockDeviceMappings": [{"deviceName": "/dev/sda1", "ebs": {"volumeSize": 150, "volumeType": "gp3"}}],
    }
    if spot:
        lt_props["instanceMarketOptions"] = {"marketType": "spot"}
    s.add("aws:ec2/launchTemplate:LaunchTemplate", "lt", lt_props)
    s.add(
        "aws:ec2/instance:Instance", "ws", {"id": "i-0abc", "launchTemplate": {"id": "lt-0abc", "version": "$Latest"}}
    )
    if eip:
        s.add("aws:ec2/eip:Eip", "eip", {"instance": "i-0abc"})
    if alarm:
        s.add(
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            "idle",
            {
                "metricName": "CPUUtilization",
                "comparisonOperator": "LessThanThreshold",
                "threshold": 5,
                "period": 300,
                "evaluationPeriods": 6,
                "dimensions": {"InstanceId": "i-0abc"},
                "alarmActions": ["arn:aws:automate:us-east-1:ec2:stop"],
            },
        )


@case("aws:ec2/instance:Instance", "gpu windows workstation")
def _(s):
    _workstation(s)
    hourly = P("ec2.instance.hour", "g4dn.xlarge", "windows")  # 0.71
    disk = 150 * P("ebs.gp3.gbMonth")  # 12.00
    return "ws", (40 * hourly + disk, disk, 40 * hourly + disk), declare(ws={"monthly_hours": 40})


@case("aws:ec2/instance:Instance", "gpu without idle stop runs up to all month")
def _(s):
    _workstation(s, alarm=False)
    hourly = P("ec2.instance.hour", "g4dn.xlarge", "windows")
    disk = 150 * P("ebs.gp3.gbMonth")
    return "ws", (40 * hourly + disk, disk, H * hourly + disk), declare(ws={"monthly_hours": 40})


@case("aws:ec2/instance:Instance", "spot")
def _(s):
    _workstation(s, spot=True)
    hourly = P("ec2.instance.hour", "g4dn.xlarge", "windows")
    disk = 150 * P("ebs.gp3.gbMonth")
    return "ws", (40 * hourly * 0.35 + disk, disk, 40 * hourly + disk), declare(ws={"monthly_hours": 40})


@case("aws:ec2/instance:Instance", "linux with auto public ip and root from the AMI")
def _(s):
    s.add(
        "aws:ec2/instance:Instance",
        "web",
        {
            "instanceType": "t3.small",
            "userData": "#!/bin/bash\necho",
            "associatePublicIpAddress": True,
            "region": "us-west-2",
        },
    )
    compute = H * P("ec2.instance.hour", "t3.small", "linux", region="us-west-2")
    ip = H * P("ec2.publicIpv4.hour", region="us-west-2")
    root_gp3, root_gp2 = 30 * P("ebs.gp3.gbMonth"), 30 * P("ebs.gp2.gbMonth")
    return "web", (compute + ip + root_gp3, compute + ip + root_gp3, compute + ip + root_gp2)


@case("aws:ec2/instance:Instance", "unknown os is a range from linux to windows")
def _(s):
    s.add(
        "aws:ec2/instance:Instance",
        "box",
        {"instanceType": "t3.medium", "rootBlockDevice": {"volumeSize": 20, "volumeType": "gp3"}},
    )
    linux, windows = P("ec2.instance.hour", "t3.medium", "linux"), P("ec2.instance.hour", "t3.medium", "windows")
    disk = 20 * P("ebs.gp3.gbMonth")
    return "box", (H * linux + disk, H * linux + disk, H * windows + disk)


@case("aws:ec2/eip:Eip")
def _(s):
    s.add("aws:ec2/eip:Eip", "ip", {"domain": "vpc"})
    return "ip", (H * P("ec2.publicIpv4.hour"),) * 3


@case("aws:ebs/volume:Volume")
def _(s):
    s.add("aws:ebs/volume:Volume", "data", {"size": 200, "type": "gp3", "iops": 4000, "throughput": 250})
    cost = 200 * P("ebs.gp3.gbMonth") + 1000 * P("ebs.gp3.iopsMonth") + 125 * P("ebs.gp3.throughputMonth")
    return "data", (cost,) * 3


# --- networking -----------------------------------------------------------------------------------------
@case("aws:ec2/natGateway:NatGateway")
def _(s):
    s.add("aws:ec2/natGateway:NatGateway", "nat", {"subnetId": "subnet-1"})
    fixed = H * P("natGateway.hour")
    return (
        "nat",
        (fixed + 10 * P("natGateway.gb"), fixed, fixed + 10 * P("natGateway.gb")),
        declare(nat={"monthly_data_processed_gb": 10}),
    )


@case("aws:lb/loadBalancer:LoadBalancer", "internal nlb")
def _(s):
    s.add(
        "aws:lb/loadBalancer:LoadBalancer",
        "nlb",
        {"loadBalancerType": "network", "internal": True, "subnets": ["a", "b"]},
    )
    fixed = H * P("elb.network.hour")
    lcu = H * P("elb.network.lcuHour")
    return "nlb", (fixed + lcu, fixed, fixed + lcu), declare(nlb={"capacity_units": 1})


@case("aws:alb/loadBalancer:LoadBalancer", "internet-facing alb pays a public IPv4 per subnet")
def _(s):
    s.add("aws:alb/loadBalancer:LoadBalancer", "alb", {"loadBalancerType": "application", "subnets": ["a", "b", "c"]})
    fixed = H * P("elb.application.hour") + 3 * H * P("ec2.publicIpv4.hour")
    lcu = H * P("elb.application.lcuHour")
    return "alb", (fixed + lcu, fixed, fixed + lcu), declare(alb={"capacity_units": 1})


@case("aws:elasticloadbalancingv2/loadBalancer:LoadBalancer", "gateway")
def _(s):
    s.add("aws:elasticloadbalancingv2/loadBalancer:LoadBalancer", "gwlb", {"loadBalancerType": "gateway"})
    fixed = H * P("elb.gateway.hour")
    lcu = H * P("elb.gateway.lcuHour")
    return "gwlb", (fixed + lcu, fixed, fixed + lcu), declare(gwlb={"capacity_units": 1})


@case("aws:ec2/vpcEndpoint:VpcEndpoint", "interface in two subnets")
def _(s):
    s.add(
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "execute-api",
        {"vpcEndpointType": "Interface", "subnetIds": ["subnet-a", "subnet-b"]},
    )
    fixed = 2 * H * P("vpcEndpoint.interface.azHour")
    data = 5 * P("vpcEndpoint.interface.gb")
    return (
        "execute-api",
        (fixed + data, fixed, fixed + data),
        declare(**{"execute-api": {"monthly_data_processed_gb": 5}}),
    )


@case("aws:ec2/vpcEndpoint:VpcEndpoint", "interface with unknown subnets is a range of one to three AZs")
def _(s):
    s.add("aws:ec2/vpcEndpoint:VpcEndpoint", "sm", {"vpcEndpointType": "Interface", "subnetIds": UNKNOWN})
    per_az = H * P("vpcEndpoint.interface.azHour")
    data = 5 * P("vpcEndpoint.interface.gb")
    return "sm", (2 * per_az + data, per_az, 3 * per_az + data), declare(sm={"monthly_data_processed_gb": 5})


@case("aws:ec2/vpcEndpoint:VpcEndpoint", "gateway is free")
def _(s):
    s.add("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {"vpcEndpointType": "Gateway"})
    return "s3", (0, 0, 0)


@case("aws:ec2transitgateway/vpcAttachment:VpcAttachment")
def _(s):
    s.add("aws:ec2transitgateway/vpcAttachment:VpcAttachment", "att", {})
    fixed = H * P("transitGateway.attachment.hour")
    return (
        "att",
        (fixed + 10 * P("transitGateway.gb"), fixed, fixed + 10 * P("transitGateway.gb")),
        declare(att={"monthly_data_processed_gb": 10}),
    )


@case("aws:ec2transitgateway/peeringAttachment:PeeringAttachment")
def _(s):
    s.add("aws:ec2transitgateway/peeringAttachment:PeeringAttachment", "peer", {})
    return "peer", (H * P("transitGateway.attachment.hour"),) * 3


@case("aws:route53/zone:Zone")
def _(s):
    s.add("aws:route53/zone:Zone", "zone", {"name": "internal.example.com", "vpcs": [{"vpcId": "vpc-1"}]})
    return "zone", (P("route53.hostedZone.month"),) * 3


@case("aws:route53/healthCheck:HealthCheck", "on a cloudwatch alarm")
def _(s):
    s.add("aws:route53/healthCheck:HealthCheck", "hc", {"type": "CLOUDWATCH_METRIC"})
    return "hc", (P("route53.healthCheck.aws.month"),) * 3


@case("aws:route53/healthCheck:HealthCheck", "https with latency: endpoint owner unknown")
def _(s):
    s.add("aws:route53/healthCheck:HealthCheck", "hc", {"type": "HTTPS", "measureLatency": True})
    low = P("route53.healthCheck.aws.month") + 2 * P("route53.healthCheck.featureAws.month")
    high = P("route53.healthCheck.other.month") + 2 * P("route53.healthCheck.featureOther.month")
    return "hc", (low, low, high)


@case("aws:route53/resolverEndpoint:ResolverEndpoint")
def _(s):
    s.add("aws:route53/resolverEndpoint:ResolverEndpoint", "resolver", {"ipAddresses": [{}, {}, {}]})
    return "resolver", (3 * H * P("route53.resolverEndpoint.ipHour"),) * 3


# --- CloudWatch and EventBridge ---------------------------------------------------------------------
@case("aws:cloudwatch/metricAlarm:MetricAlarm", "high resolution")
def _(s):
    s.add("aws:cloudwatch/metricAlarm:MetricAlarm", "fast", {"period": 10})
    return "fast", (P("cloudwatch.alarm.highResolution.month"),) * 3


@case("aws:cloudwatch/metricAlarm:MetricAlarm", "metric math over two metrics")
def _(s):
    s.add(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "math",
        {
            "metricQueries": [
                {"id": "a", "metric": {"metricName": "Errors"}},
                {"id": "b", "metric": {"metricName": "Invocations"}},
                {"id": "e", "expression": "a/b", "returnData": True},
            ]
        },
    )
    return "math", (2 * P("cloudwatch.alarm.standard.month"),) * 3


@case("aws:cloudwatch/compositeAlarm:CompositeAlarm")
def _(s):
    s.add("aws:cloudwatch/compositeAlarm:CompositeAlarm", "both", {})
    return "both", (P("cloudwatch.alarm.composite.month"),) * 3


@case("aws:cloudwatch/dashboard:Dashboard")
def _(s):
    s.add("aws:cloudwatch/dashboard:Dashboard", "board", {})
    return "board", (P("cloudwatch.dashboard.month"),) * 3


@case("aws:cloudwatch/logGroup:LogGroup", "30-day retention")
def _(s):
    s.add("aws:cloudwatch/logGroup:LogGroup", "logs", {"retentionInDays": 30})
    cost = 1 * P("cloudwatch.logs.ingest.standard.gb") + 1 * 30 / 30.4 * P("cloudwatch.logs.storage.gbMonth")
    return "logs", (cost, 0, cost), declare(logs={"monthly_data_ingested_gb": 1})


@case("aws:cloudwatch/logGroup:LogGroup", "no retention grows forever")
def _(s):
    s.add("aws:cloudwatch/logGroup:LogGroup", "forever", {"logGroupClass": "INFREQUENT_ACCESS"})
    cost = 1 * P("cloudwatch.logs.ingest.infrequent.gb") + 12 * P("cloudwatch.logs.storage.gbMonth")
    return "forever", (cost, 0, cost), declare(forever={"monthly_data_ingested_gb": 1})


@case("aws:cloudwatch/eventBus:EventBus")
def _(s):
    s.add("aws:cloudwatch/eventBus:EventBus", "orders-bus", {"name": "orders-bus"})
    return (
        "orders-bus",
        (P("eventbridge.customEvents.million"), 0, P("eventbridge.customEvents.million")),
        declare(**{"orders-bus": {"monthly_custom_events": 1_000_000}}),
    )


@case("aws:cloudwatch/eventArchive:EventArchive")
def _(s):
    s.add("aws:cloudwatch/eventArchive:EventArchive", "archive", {"retentionDays": 7})
    cost = 0.5 * P("eventbridge.archive.gb") + 0.5 * 7 / 30.4 * P("eventbridge.archive.gbMonth")
    return "archive", (cost, 0, cost), declare(archive={"monthly_archived_gb": 0.5})


@case("aws:cloudwatch/eventApiDestination:EventApiDestination")
def _(s):
    s.add("aws:cloudwatch/eventApiDestination:EventApiDestination", "dest", {})
    cost = 0.1 * P("eventbridge.apiDestination.million")
    return "dest", (cost, 0, cost), declare(dest={"monthly_invocations": 100_000})


# --- Lambda and API Gateway ----------------------------------------------------------------------------
@case("aws:lambda/function:Function")
def _(s):
    s.add("aws:lambda/function:Function", "fn", {"memorySize": 512, "architectures": ["arm64"]})
    cost = 1 * P("lambda.requests.million") + 1e6 * 0.2 * 0.5 * P("lambda.duration.arm64.gbSecond")
    return "fn", (cost, 0, cost), declare(fn={"monthly_requests": 1_000_000, "request_duration_ms": 200})


@case("aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig")
def _(s):
    fn = s.add(
        "aws:lambda/function:Function", "api", {"name": "lease-api", "memorySize": 1024, "architectures": ["arm64"]}
    )
    s.add(
        "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
        "pc",
        {"functionName": "lease-api", "provisionedConcurrentExecutions": 2, "qualifier": "live"},
        property_dependencies={"functionName": [fn]},
    )
    cost = 2 * 1 * H * 3600 * P("lambda.provisioned.arm64.gbSecond")
    return "pc", (cost,) * 3


@case("aws:apigateway/stage:Stage", "with a cache")
def _(s):
    s.add("aws:apigateway/stage:Stage", "v1", {"cacheClusterEnabled": True, "cacheClusterSize": "0.5"})
    cache = H * P("apigateway.cache.hour", "0.5")
    requests = 1 * P("apigateway.rest.million")
    return "v1", (requests + cache, cache, requests + cache), declare(v1={"monthly_requests": 1_000_000})


@case("aws:apigatewayv2/stage:Stage")
def _(s):
    s.add("aws:apigatewayv2/api:Api", "http", {"id": "api-1", "protocolType": "HTTP"})
    s.add("aws:apigatewayv2/stage:Stage", "default", {"apiId": "api-1"})
    return (
        "default",
        (P("apigateway.http.million"), 0, P("apigateway.http.million")),
        declare(default={"monthly_requests": 1_000_000}),
    )


# --- messaging, data, secrets ------------------------------------------------------------------------------
@case("aws:sqs/queue:Queue")
def _(s):
    s.add("aws:sqs/queue:Queue", "q", {"fifoQueue": True})
    return "q", (P("sqs.fifo.million"), 0, P("sqs.fifo.million")), declare(q={"monthly_requests": 1_000_000})


@case("aws:sns/topic:Topic")
def _(s):
    s.add("aws:sns/topic:Topic", "t", {})
    return (
        "t",
        (0.1 * P("sns.publish.million"), 0, 0.1 * P("sns.publish.million")),
        declare(t={"monthly_requests": 100_000}),
    )


@case("aws:dynamodb/table:Table", "on demand, two regions")
def _(s):
    s.add(
        "aws:dynamodb/table:Table",
        "idem",
        {"billingMode": "PAY_PER_REQUEST", "replicas": [{"regionName": "us-west-2"}]},
    )
    storage = 2 * P("dynamodb.storage.gbMonth")  # at rest: billed with no traffic
    cost = 2 * (P("dynamodb.onDemand.writeMillion") + P("dynamodb.onDemand.readMillion")) + storage
    return (
        "idem",
        (cost, storage, cost),
        declare(
            idem={"monthly_write_request_units": 1_000_000, "monthly_read_request_units": 1_000_000, "storage_gb": 1}
        ),
    )


@case("aws:dynamodb/table:Table", "provisioned")
def _(s):
    s.add("aws:dynamodb/table:Table", "demo", {"readCapacity": 5, "writeCapacity": 5})
    fixed = 5 * H * (P("dynamodb.provisioned.wcuHour") + P("dynamodb.provisioned.rcuHour"))
    fixed += P("dynamodb.storage.gbMonth")
    return "demo", (fixed, fixed, fixed), declare(demo={"storage_gb": 1})


@case("aws:secretsmanager/secret:Secret")
def _(s):
    s.add("aws:secretsmanager/secret:Secret", "db", {"replicas": [{"region": "us-west-2"}]})
    fixed = 2 * P("secretsmanager.secret.month")
    return (
        "db",
        (fixed + P("secretsmanager.apiCalls.tenThousand"), fixed, fixed + P("secretsmanager.apiCalls.tenThousand")),
        declare(db={"monthly_api_calls": 10_000}),
    )


@case("aws:kms/key:Key")
def _(s):
    s.add("aws:kms/key:Key", "key", {})
    return (
        "key",
        (
            P("kms.key.month") + P("kms.requests.tenThousand"),
            P("kms.key.month"),
            P("kms.key.month") + P("kms.requests.tenThousand"),
        ),
        declare(key={"monthly_requests": 10_000}),
    )


@case("aws:kms/replicaKey:ReplicaKey")
def _(s):
    s.add("aws:kms/replicaKey:ReplicaKey", "replica", {}, region="us-west-2")
    fixed = P("kms.key.month", region="us-west-2")
    return (
        "replica",
        (fixed + P("kms.requests.tenThousand"), fixed, fixed + P("kms.requests.tenThousand")),
        declare(replica={"monthly_requests": 10_000}),
    )


@case("aws:s3/bucket:Bucket")
def _(s):
    s.add("aws:s3/bucket:Bucket", "drivers", {})
    return "drivers", (5 * P("s3.standard.gbMonth"),) * 3, declare(drivers={"storage_gb": 5})


@case("aws:s3/bucketV2:BucketV2")
def _(s):
    s.add("aws:s3/bucketV2:BucketV2", "logs", {})
    return "logs", (5 * P("s3.standard.gbMonth"),) * 3, declare(logs={"storage_gb": 5})


@case("aws:ecr/repository:Repository")
def _(s):
    s.add("aws:ecr/repository:Repository", "nginx", {})
    return "nginx", (P("ecr.storage.gbMonth"),) * 3, declare(nginx={"storage_gb": 1})


@case("aws:ssm/parameter:Parameter")
def _(s):
    s.add("aws:ssm/parameter:Parameter", "big", {"tier": "Advanced"})
    return "big", (P("ssm.advancedParameter.month"),) * 3


@case("aws:acmpca/certificateAuthority:CertificateAuthority")
def _(s):
    s.add("aws:acmpca/certificateAuthority:CertificateAuthority", "ca", {"usageMode": "SHORT_LIVED_CERTIFICATE"})
    fixed = P("acmpca.shortLived.month")  # 50.00
    certificates = 1000 * P("acmpca.certificate.shortLived")  # 58.00
    return "ca", (fixed + certificates, fixed, fixed + certificates), declare(ca={"monthly_certificates": 1000})


# --- Aurora and RDS Proxy --------------------------------------------------------------------------------
def _aurora(s, minimum=0.5, maximum=16, instances=1):
    cluster = s.add(
        "aws:rds/cluster:Cluster",
        "db",
        {
            "clusterIdentifier": "leasing-db",
            "engine": "aurora-postgresql",
            "engineMode": "provisioned",
            "serverlessv2ScalingConfiguration": {"minCapacity": minimum, "maxCapacity": maximum},
        },
    )
    for index in range(instances):
        s.add(
            "aws:rds/clusterInstance:ClusterInstance",
            f"db-{index}",
            {"clusterIdentifier": "leasing-db", "instanceClass": "db.serverless"},
            property_dependencies={"clusterIdentifier": [cluster]},
        )
    return cluster


@case("aws:rds/clusterInstance:ClusterInstance", "serverless v2 between its min and max")
def _(s):
    _aurora(s, minimum=0.5, maximum=16)
    acu = H * P("aurora.serverlessV2.acuHour")
    return "db-0", (1 * acu, 0.5 * acu, 16 * acu), declare(**{"db-0": {"average_acu": 1}})


@case("aws:rds/clusterInstance:ClusterInstance", "provisioned class")
def _(s):
    s.add("aws:rds/clusterInstance:ClusterInstance", "big", {"instanceClass": "db.r6g.large"})
    return "big", (H * P("aurora.instance.hour", "db.r6g.large"),) * 3


@case("aws:rds/cluster:Cluster")
def _(s):
    _aurora(s)
    storage = 20 * P("aurora.storage.gbMonth")  # at rest: billed with no traffic
    cost = storage + 10 * P("aurora.io.million")
    return "db", (cost, storage, cost), declare(db={"storage_gb": 20, "monthly_io_requests": 10_000_000})


@case("aws:rds/proxy:Proxy", "serverless target under the 8-ACU minimum")
def _(s):
    cluster = _aurora(s, minimum=0.5, maximum=16, instances=2)
    proxy = s.add("aws:rds/proxy:Proxy", "proxy", {"name": "leasing-proxy"})
    s.add(
        "aws:rds/proxyTarget:ProxyTarget",
        "target",
        {"dbProxyName": "leasing-proxy", "dbClusterIdentifier": "leasing-db"},
        property_dependencies={"dbProxyName": [proxy], "dbClusterIdentifier": [cluster]},
    )
    rate = H * P("rdsProxy.acuHour")
    # Two instances: expected 1+1 = 2 ACU and min 1 ACU are under the minimum of 8; max 16+16 = 32.
    return (
        "proxy",
        (8 * rate, 8 * rate, 32 * rate),
        {"resource_type_default_usage": {"aws:rds/clusterInstance:ClusterInstance": {"average_acu": 1}}},
    )


@case("aws:rds/proxy:Proxy", "no target in the stack: the minimum")
def _(s):
    s.add("aws:rds/proxy:Proxy", "lonely", {"name": "p"})
    return "lonely", (8 * H * P("rdsProxy.acuHour"),) * 3


# --- OpenSearch, Kinesis, Fargate ---------------------------------------------------------------------
@case("aws:opensearch/domain:Domain", "prod shape with masters, UltraWarm and cold")
def _(s):
    s.add(
        "aws:opensearch/domain:Domain",
        "search",
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
                "coldStorageOptions": {"enabled": True},
            },
            "ebsOptions": {"ebsEnabled": True, "volumeSize": 100, "volumeType": "gp3"},
        },
    )
    fixed = H * (
        3 * P("opensearch.instance.hour", "r6g.large.search")
        + 3 * P("opensearch.instance.hour", "m6g.large.search")
        + 2 * P("opensearch.instance.hour", "ultrawarm1.medium.search")
    ) + 3 * 100 * P("opensearch.gp3.gbMonth")
    fixed += (100 + 100) * P("opensearch.managedStorage.gbMonth")  # warm and cold data at rest
    return "search", (fixed, fixed, fixed), declare(search={"warm_storage_gb": 100, "cold_storage_gb": 100})


@case("aws:elasticsearch/domain:Domain", "one small node")
def _(s):
    s.add(
        "aws:elasticsearch/domain:Domain",
        "legacy",
        {
            "clusterConfig": {"instanceType": "t3.small.search", "instanceCount": 1},
            "ebsOptions": {"ebsEnabled": True, "volumeSize": 10, "volumeType": "gp2"},
        },
    )
    cost = H * P("opensearch.instance.hour", "t3.small.search") + 10 * P("opensearch.gp2.gbMonth")
    return "legacy", (cost,) * 3


@case("aws:kinesis/stream:Stream", "provisioned with extended retention")
def _(s):
    s.add("aws:kinesis/stream:Stream", "leases", {"shardCount": 2, "retentionPeriod": 48})
    fixed = 2 * H * P("kinesis.shard.hour") + 2 * H * P("kinesis.extendedRetention.shardHour")
    puts = 5 * P("kinesis.putPayloadUnits.million")
    return "leases", (fixed + puts, fixed, fixed + puts), declare(leases={"monthly_put_payload_units": 5_000_000})


@case("aws:kinesis/stream:Stream", "on demand")
def _(s):
    s.add("aws:kinesis/stream:Stream", "od", {"streamModeDetails": {"streamMode": "ON_DEMAND"}})
    fixed = H * P("kinesis.onDemand.streamHour")
    data = 5 * P("kinesis.onDemand.ingestGb") + 5 * P("kinesis.onDemand.retrieveGb")
    return "od", (fixed + data, fixed, fixed + data), declare(od={"monthly_ingested_gb": 5, "consumers": 1})


@case("aws:ecs/service:Service")
def _(s):
    task = s.add(
        "aws:ecs/taskDefinition:TaskDefinition",
        "task",
        {
            "arn": "arn:aws:ecs:us-east-1:111111111111:task-definition/nginx:1",
            "cpu": "512",
            "memory": "1024",
            "runtimePlatform": {"cpuArchitecture": "ARM64"},
            "requiresCompatibilities": ["FARGATE"],
        },
    )
    s.add(
        "aws:ecs/service:Service",
        "svc",
        {
            "launchType": "FARGATE",
            "desiredCount": 2,
            "taskDefinition": "arn:aws:ecs:us-east-1:111111111111:task-definition/nginx:1",
        },
        property_dependencies={"taskDefinition": [task]},
    )
    cost = 2 * H * (0.5 * P("fargate.arm64.vcpuHour") + 1 * P("fargate.arm64.gbHour"))
    return "svc", (cost,) * 3


@case("aws:route53/record:Record", "latency record")
def _(s):
    s.add(
        "aws:route53/record:Record",
        "api",
        {"type": "CNAME", "latencyRoutingPolicies": [{"region": "us-east-1"}], "records": ["a.example.com"]},
    )
    cost = 2 * P("route53.queries.latency.million")  # 2 million queries x 0.60
    return "api", (cost, 0, cost), declare(api={"monthly_queries": 2_000_000})


@case("aws:route53/record:Record", "alias record: queries are free")
def _(s):
    s.add(
        "aws:route53/record:Record",
        "alias",
        {"type": "A", "aliases": [{"name": "nlb.example.com"}], "latencyRoutingPolicies": [{"region": "us-east-1"}]},
    )
    return "alias", (0, 0, 0)


@case("aws:dlm/lifecyclePolicy:LifecyclePolicy", "the snapshots it keeps")
def _(s):
    s.add("aws:dlm/lifecyclePolicy:LifecyclePolicy", "backups", {})
    cost = 40 * P("ebs.snapshot.gbMonth")  # 40 GB x 0.05
    return "backups", (cost,) * 3, declare(backups={"snapshot_storage_gb": 40})


@pytest.mark.parametrize("label", sorted(CASES))
def test_priced_type_matches_the_hand_worked_cost(label):
    token, build = CASES[label]
    s = StackBuilder()
    name, (monthly, low, high), *usage = build(s)
    line = line_of(s, name, usage[0] if usage else None)
    assert line.res.type == token
    assert line.priced, line.notes
    assert (line.monthly, line.low, line.high) == pytest.approx((monthly, low, high), abs=1e-6), line.notes
    assert line.depends_on_usage == [], "every usage the pricer reads is declared in the case"


def test_every_priced_type_has_a_hand_worked_case():
    covered = {token for token, _ in CASES.values()}
    assert set(estimator.PRICERS) - covered == set()


# --- stack totals, components, Regions, unknowns --------------------------------------------------------
def test_totals_per_component_and_region():
    s = StackBuilder()
    gaming = s.component("blueprints:gaming:GamingWorkstation", "gaming")
    events = s.component("blueprints:global_events:GlobalEventBus", "orders")
    nested = s.component("blueprints:lambda_function:PythonFunction", "consumer", parent=events)
    s.add("aws:ec2/eip:Eip", "ip", {}, parent=gaming)
    s.add("aws:cloudwatch/eventBus:EventBus", "east", {}, parent=events)
    s.add("aws:cloudwatch/eventBus:EventBus", "west", {}, parent=events, region="us-west-2")
    s.add("aws:lambda/function:Function", "fn", {"memorySize": 128}, parent=nested)
    s.add("aws:iam/role:Role", "role", {}, parent=nested)  # free: not listed
    est = estimator.estimate(
        s.resources,
        {
            "usage": {
                "resource_type_default_usage": {
                    "aws:cloudwatch/eventBus:EventBus": {"monthly_custom_events": 1_000_000},
                    "aws:lambda/function:Function": {"monthly_requests": 1_000_000, "request_duration_ms": 200},
                }
            }
        },
    )
    ip, bus = H * P("ec2.publicIpv4.hour"), P("eventbridge.customEvents.million")
    fn = P("lambda.requests.million") + 1e6 * 0.2 * 0.125 * P("lambda.duration.x86_64.gbSecond")
    assert est.by("component") == pytest.approx(
        {"gaming (GamingWorkstation)": ip, "orders (GlobalEventBus)": 2 * bus + fn}
    )
    assert est.by("region") == pytest.approx({"us-east-1": ip + bus + fn, "us-west-2": bus})
    assert est.total == pytest.approx(ip + 2 * bus + fn)
    assert [line.res.name for line in est.lines] == ["ip", "east", "west", "fn"]


def test_component_from_the_urn_when_the_parent_is_not_in_the_list():
    s = StackBuilder()
    parent = s.component("blueprints:leasing:LeasingPlatform", "leasing")
    s.add("aws:sqs/queue:Queue", "dlq", {}, parent=parent)
    s.resources.remove(parent)
    for resource in s.resources:
        resource.parent = None
    (line,) = estimator.estimate(s.resources).lines
    assert line.res.component == "? (LeasingPlatform)"


def test_region_from_the_provider_the_resource_input_or_the_arn():
    s = StackBuilder()
    s.add("aws:sqs/queue:Queue", "by-provider", {}, region="us-west-2")
    s.add("aws:sqs/queue:Queue", "by-input", {"region": "us-west-2"}, region="us-east-1")
    arn_only = s.add("aws:sqs/queue:Queue", "by-arn", {"arn": "arn:aws:sqs:us-west-2:111111111111:q"})
    arn_only.provider = None
    nowhere = s.add("aws:sqs/queue:Queue", "nowhere", {})
    nowhere.provider = None
    regions = {
        line.res.name: (line.res.region, line.res.region_source) for line in estimator.estimate(s.resources).lines
    }
    assert regions == {
        "by-provider": ("us-west-2", "provider"),
        "by-input": ("us-west-2", "resource"),
        "by-arn": ("us-west-2", "arn"),
        "nowhere": ("us-east-1", "default"),
    }


def test_a_region_without_prices_uses_us_east_1_and_widens_the_high_bound():
    s = StackBuilder()
    s.add("aws:ec2/eip:Eip", "ip", {}, region="eu-west-3")
    (line,) = estimator.estimate(s.resources).lines
    assert line.monthly == pytest.approx(H * P("ec2.publicIpv4.hour"))
    assert line.high == pytest.approx(H * P("ec2.publicIpv4.hour") * 1.25)
    assert "no prices for eu-west-3" in line.to_json()["note"]


def test_an_unknown_type_is_listed_as_not_priced_never_a_silent_zero():
    s = StackBuilder()
    s.add("aws:wafv2/webAcl:WebAcl", "waf", {})
    est = estimator.estimate(s.resources)
    (line,) = est.unpriced
    assert "not priced" in line.to_json()["note"]
    assert "Not priced (1): aws:wafv2/webAcl:WebAcl" in estimator.summary(est)


def test_unknown_instance_type_is_not_priced_but_its_disk_is():
    s = StackBuilder()
    s.add(
        "aws:ec2/instance:Instance",
        "mystery",
        {"instanceType": UNKNOWN, "rootBlockDevice": {"volumeSize": 10, "volumeType": "gp3"}},
    )
    (line,) = estimator.estimate(s.resources).lines
    assert not line.priced
    assert line.monthly == pytest.approx(10 * P("ebs.gp3.gbMonth"))


def test_serverless_capacity_unknown_gives_a_wide_range():
    s = StackBuilder()
    s.add(
        "aws:rds/cluster:Cluster",
        "db",
        {"clusterIdentifier": "c", "engine": "aurora-postgresql", "serverlessv2ScalingConfiguration": UNKNOWN},
    )
    s.add("aws:rds/clusterInstance:ClusterInstance", "i", {"clusterIdentifier": "c", "instanceClass": "db.serverless"})
    line = line_of(s, "i")
    acu = H * P("aurora.serverlessV2.acuHour")
    assert (line.monthly, line.low, line.high) == pytest.approx((0, 0, 256 * acu))
    assert "not known" in line.to_json()["note"]


def test_per_resource_usage_wins_over_the_type_default():
    s = StackBuilder()
    _workstation(s)
    hourly = P("ec2.instance.hour", "g4dn.xlarge", "windows")
    usage = {
        "resource_type_default_usage": {"aws:ec2/instance:Instance": {"monthly_hours": 40}},
        "resource_usage": {"ws": {"monthly_hours": 100}},
    }
    assert line_of(s, "ws", usage).monthly == pytest.approx(100 * hourly + 150 * P("ebs.gp3.gbMonth"))


def test_json_document_shape():
    s = StackBuilder()
    s.add(
        "aws:budgets/budget:Budget",
        "budget",
        {"budgetType": "COST", "timeUnit": "MONTHLY", "limitAmount": "600.00", "limitUnit": "USD"},
    )
    s.add("aws:ec2/eip:Eip", "ip", {})
    doc = estimator.estimate(s.resources).to_json()
    assert set(doc) == {
        "currency",
        "pricesAsOf",
        "usageSource",
        "fixed",
        "usage",
        "total",
        "low",
        "high",
        "budget",
        "budgetVerdict",
        "byComponent",
        "byRegion",
        "resources",
        "dependsOnUsage",
        "notPriced",
        "assumptions",
    }
    assert doc["budget"] == 600.0 and doc["currency"] == "USD" and doc["pricesAsOf"] == "2025-06-30"
    assert (doc["fixed"], doc["usage"], doc["total"]) == (3.65, 0, 3.65)
    assert doc["resources"] == [
        {
            "urn": s.resources[-1].urn,
            "name": "ip",
            "type": "aws:ec2/eip:Eip",
            "region": "us-east-1",
            "component": "(stack)",
            "fixed": 3.65,
            "usage": 0,
            "monthly": 3.65,
            "low": 3.65,
            "high": 3.65,
            "components": [
                {
                    "name": "public IPv4 address (Elastic IP)",
                    "kind": "fixed",
                    "quantity": 730.0,
                    "unit": "hours",
                    "unitPrice": 0.005,
                    "monthly": 3.65,
                }
            ],
            "dependsOnUsage": [],
            "note": "",
        }
    ]
    assert doc["byComponent"] == {"(stack)": 3.65}
    assert doc["budgetVerdict"].startswith("within the budget of 600.00 USD: total 3.65 (1%); excludes")
    assert {"charge": ALWAYS_DATA_TRANSFER, "resources": []} in doc["notPriced"]


def test_smallest_monthly_cost_budget_wins():
    s = StackBuilder()
    s.add("aws:budgets/budget:Budget", "a", {"budgetType": "COST", "timeUnit": "MONTHLY", "limitAmount": "900"})
    s.add("aws:budgets/budget:Budget", "b", {"budgetType": "COST", "timeUnit": "MONTHLY", "limitAmount": "300.5"})
    s.add("aws:budgets/budget:Budget", "usage", {"budgetType": "USAGE", "timeUnit": "MONTHLY", "limitAmount": "1"})
    s.add("aws:budgets/budget:Budget", "yearly", {"budgetType": "COST", "timeUnit": "ANNUALLY", "limitAmount": "5"})
    assert estimator.estimate(s.resources).budget.limit == 300.5
