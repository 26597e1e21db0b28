"""LeasingSearch under the fake AWS: stream, mapping, domain and functions per stack, and their wiring."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest
import yaml

from components.lambda_function import CODE_ONLY
from components.leasing_search import LeasingSearch, LeasingSearchArgs, template_sha256
from components.network import Network, NetworkArgs
from components.providers import ArchitectureProviders
from config import StackConfig, parse
from preview.harness import engine_config, mocked_pulumi

ROOT = Path(__file__).resolve().parents[2]
CIDR = "10.40.0.0/16"
DOMAIN = "aws:opensearch/domain:Domain"
ESM = "aws:lambda/eventSourceMapping:EventSourceMapping"
FUNCTION = "aws:lambda/function:Function"


def stack(name: str) -> StackConfig:
    raw = yaml.safe_load((ROOT / f"Pulumi.{name}.yaml").read_text())["config"]
    return parse(engine_config("blueprints", raw), stack=name)


def build(pulumi_env, config: StackConfig, *, zones: int = 2, region: str | None = None, **extra):
    """The search side inside a network the way LeasingPlatform provides it."""
    settings = config.settings
    region = region or settings.primary_region

    def program():
        provider = ArchitectureProviders(settings.providers, "leasing").for_region(region)
        network = Network(
            "leasing-net",
            NetworkArgs(region=region, cidr_block=CIDR, availability_zones=zones, interface_endpoints=("sqs",)),
            opts=pulumi.ResourceOptions(provider=provider),
        )
        search = LeasingSearch(
            "leasing-search",
            LeasingSearchArgs(
                provider=provider,
                region=region,
                vpc_id=network.vpc_id,
                vpc_cidr_block=CIDR,
                subnet_ids=network.private_subnet_ids,
                protect=settings.protect_stateful_resources,
                lambda_packaging=CODE_ONLY,
                **{**config.leasing.search.component_values(), **extra},
            ),
        )
        return {"subnets": network.private_subnet_ids, "domain_endpoint": search.domain_endpoint}

    return pulumi_env.run(program)


def pathless(role) -> str:
    """arn:aws:iam::<account>:role/<name>: how OpenSearch sees a caller in that role."""
    arn = role.outputs["arn"]
    assert role.inputs["path"] == "/blueprints/" and ":role/blueprints/" in arn
    return f"arn:aws:iam::{role.account}:role/{role.outputs['name']}"


def policy(record) -> list[dict]:
    return json.loads(record.inputs["policy"])["Statement"]


# One run per stack serves every assertion on it (the records are plain data once the run is over).
@pytest.fixture(scope="module")
def dev():
    with mocked_pulumi("blueprints", "test", config={"aws:region": "us-east-1"}) as env:
        return build(env, stack("dev"))


@pytest.fixture(scope="module")
def prod():
    with mocked_pulumi("blueprints", "test", config={"aws:region": "us-east-1"}) as env:
        return build(env, stack("prod"), zones=2)


def test_dev_domain_is_one_small_private_encrypted_node(dev):
    (domain,) = dev.of_type(DOMAIN)
    inputs = domain.inputs
    assert inputs["clusterConfig"] == {
        "instanceType": "t3.small.search",
        "instanceCount": 1,
        "zoneAwarenessEnabled": False,
        "dedicatedMasterEnabled": False,
        "warmEnabled": False,
    }
    assert inputs["vpcOptions"]["subnetIds"] == dev.value["subnets"][:1]
    assert inputs["vpcOptions"]["securityGroupIds"] == [
        dev.named("leasing-search-domain", "aws:ec2/securityGroup:SecurityGroup").id
    ]
    assert inputs["encryptAtRest"] == {"enabled": True}
    assert inputs["nodeToNodeEncryption"] == {"enabled": True}
    assert inputs["domainEndpointOptions"] == {
        "enforceHttps": True,
        "tlsSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10",
    }
    assert inputs["ebsOptions"] == {"ebsEnabled": True, "volumeType": "gp3", "volumeSize": 10}
    fgac = inputs["advancedSecurityOptions"]
    assert (
        fgac["enabled"] is True
        and fgac["internalUserDatabaseEnabled"] is False
        and fgac["anonymousAuthEnabled"] is False
    )
    bootstrap_role = dev.named("leasing-search-bootstrap-role")
    assert fgac["masterUserOptions"] == {"masterUserArn": pathless(bootstrap_role)}
    assert domain.options["protect"] is False and domain.region == "us-east-1"


def test_prod_domain_spreads_two_nodes_over_two_azs_without_tiers_that_hold_no_data(prod):
    (domain,) = prod.of_type(DOMAIN)
    cluster = domain.inputs["clusterConfig"]
    assert (cluster["instanceType"], cluster["instanceCount"]) == ("t3.medium.search", 2)
    assert cluster["zoneAwarenessEnabled"] is True and cluster["zoneAwarenessConfig"] == {"availabilityZoneCount": 2}
    assert cluster["dedicatedMasterEnabled"] is False and cluster["warmEnabled"] is False
    assert "coldStorageOptions" not in cluster
    assert domain.inputs["vpcOptions"]["subnetIds"] == prod.value["subnets"]
    subnets = {s.id: s.inputs["availabilityZone"] for s in prod.of_type("aws:ec2/subnet:Subnet")}
    assert len({subnets[s] for s in domain.inputs["vpcOptions"]["subnetIds"]}) == 2
    assert domain.inputs["ebsOptions"]["volumeSize"] == 20
    assert domain.options["protect"] is True and domain.options["retainOnDelete"] is True
    (invocation,) = prod.of_type("aws:lambda/invocation:Invocation")
    assert "tiers" not in json.loads(invocation.inputs["input"])  # hot only: nothing to move


def test_warm_and_cold_tiers_come_with_the_ism_policy_that_fills_them(pulumi_env):
    """Issue 16: UltraWarm and cold storage were paid for while nothing moved data into them. With
    both on, the bootstrap installs the history's ISM policy that moves read-only indices by age."""
    result = build(
        pulumi_env,
        stack("prod"),
        zones=3,
        instance_type="r6g.large.search",
        instance_count=3,
        master_type="m6g.large.search",
        master_count=3,
        warm_type="ultrawarm1.medium.search",
        warm_count=2,
        cold_storage=True,
    )
    (domain,) = result.of_type(DOMAIN)
    assert domain.inputs["clusterConfig"]["coldStorageOptions"] == {"enabled": True}
    (invocation,) = result.of_type("aws:lambda/invocation:Invocation")
    assert json.loads(invocation.inputs["input"])["tiers"] == {"warm_after_days": 60, "cold_after_days": 365}


def test_indexer_writes_the_history_and_parks_records_before_the_mapping_gives_up(dev, prod):
    for result, record_age in ((dev, 24 * 3600), (prod, 168 * 3600)):
        (mapping,) = result.of_type(ESM)
        assert mapping.inputs["maximumRecordAgeInSeconds"] == record_age
        env = result.named("leasing-search-indexer", FUNCTION).inputs["environment"]["variables"]
        assert env["HISTORY_ALIAS"] == "listings-history"
        assert 0 < int(env["PARK_RETRYABLE_AFTER_SECONDS"]) < record_age


def test_streams_are_kms_encrypted_and_sized_per_stack(dev):
    (dev_stream,) = dev.of_type("aws:kinesis/stream:Stream")
    assert dev_stream.inputs["encryptionType"] == "KMS" and dev_stream.inputs["kmsKeyId"] == "alias/aws/kinesis"
    assert dev_stream.inputs["streamModeDetails"] == {"streamMode": "PROVISIONED"}
    assert (dev_stream.inputs["shardCount"], dev_stream.inputs["retentionPeriod"]) == (1, 24)


def test_prod_stream_is_one_provisioned_shard_kept_a_week(prod):
    (stream,) = prod.of_type("aws:kinesis/stream:Stream")
    assert stream.inputs["streamModeDetails"] == {"streamMode": "PROVISIONED"} and stream.inputs["shardCount"] == 1
    assert stream.inputs["retentionPeriod"] == 168 and stream.inputs["encryptionType"] == "KMS"
    (mapping,) = prod.of_type(ESM)
    assert mapping.inputs["maximumRecordAgeInSeconds"] == 604_800
    assert (mapping.inputs["maximumRetryAttempts"], mapping.inputs["parallelizationFactor"]) == (5, 2)


def test_indexer_mapping_has_bounded_retries_bisect_partial_responses_and_a_failure_queue(dev):
    (mapping,) = dev.of_type(ESM)
    (stream,) = dev.of_type("aws:kinesis/stream:Stream")
    (queue,) = dev.of_type("aws:sqs/queue:Queue")
    indexer = dev.named("leasing-search-indexer", FUNCTION)
    assert mapping.inputs == {
        "functionName": indexer.outputs["arn"],
        "eventSourceArn": stream.outputs["arn"],
        "startingPosition": "TRIM_HORIZON",
        "batchSize": 100,
        "maximumBatchingWindowInSeconds": 1,
        "parallelizationFactor": 1,
        "bisectBatchOnFunctionError": True,
        "maximumRetryAttempts": 3,
        "maximumRecordAgeInSeconds": 86_400,
        "functionResponseTypes": ["ReportBatchItemFailures"],
        "destinationConfig": {"onFailure": {"destinationArn": queue.outputs["arn"]}},
    }
    # The mapping is created once the role may read the stream.
    assert dev.named("leasing-search-indexer-policy").urn in mapping.dependencies
    assert queue.inputs["sqsManagedSseEnabled"] is True and queue.inputs["messageRetentionSeconds"] == 1_209_600


def test_functions_run_in_the_private_subnets_behind_their_own_security_group(dev):
    functions_sg = dev.named("leasing-search-functions", "aws:ec2/securityGroup:SecurityGroup")
    for name in ("leasing-search-indexer", "leasing-search-api", "leasing-search-bootstrap"):
        function = dev.named(name, FUNCTION)
        assert function.inputs["vpcConfig"] == {
            "subnetIds": dev.value["subnets"],
            "securityGroupIds": [functions_sg.id],
        }
        assert function.inputs["architectures"] == ["arm64"] and function.inputs["runtime"] == "python3.13"
    indexer = dev.named("leasing-search-indexer", FUNCTION)
    (queue,) = dev.of_type("aws:sqs/queue:Queue")
    variables = indexer.inputs["environment"]["variables"]
    assert variables["OPENSEARCH_ENDPOINT"] == dev.value["domain_endpoint"]
    assert variables["FAILURE_QUEUE_URL"] == queue.outputs["url"]
    assert variables["INDEX_NAME"] == "listings"
    assert indexer.inputs["handler"] == "search_indexer.handler.handler"
    assert dev.named("leasing-search-api", FUNCTION).inputs["handler"] == "search_api.handler.handler"


def test_domain_admits_https_from_the_functions_only(dev):
    functions_sg = dev.named("leasing-search-functions", "aws:ec2/securityGroup:SecurityGroup")
    domain_sg = dev.named("leasing-search-domain", "aws:ec2/securityGroup:SecurityGroup")
    ingress = [
        r
        for r in dev.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs["securityGroupId"] == domain_sg.id
    ]
    assert [
        (r.inputs["ipProtocol"], r.inputs["fromPort"], r.inputs["toPort"], r.inputs["referencedSecurityGroupId"])
        for r in ingress
    ] == [("tcp", 443, 443, functions_sg.id)]
    assert "cidrIpv4" not in ingress[0].inputs and ingress[0].inputs["description"]
    egress = [
        r
        for r in dev.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
        if r.inputs["securityGroupId"] in (functions_sg.id, domain_sg.id)
    ]
    assert [(r.inputs["securityGroupId"], r.inputs["fromPort"], r.inputs["cidrIpv4"]) for r in egress] == [
        (functions_sg.id, 443, CIDR)
    ]
    assert "ingress" not in domain_sg.inputs and "egress" not in domain_sg.inputs


def test_each_role_gets_only_its_own_opensearch_calls(dev):
    (domain,) = dev.of_type(DOMAIN)
    arn = domain.outputs["arn"]
    (stream,) = dev.of_type("aws:kinesis/stream:Stream")
    (queue,) = dev.of_type("aws:sqs/queue:Queue")
    indexer = policy(dev.named("leasing-search-indexer-policy"))[1:]  # [0] is its own log group
    assert indexer == [
        {
            "Effect": "Allow",
            "Action": [
                "kinesis:DescribeStream",
                "kinesis:DescribeStreamSummary",
                "kinesis:GetRecords",
                "kinesis:GetShardIterator",
                "kinesis:ListShards",
            ],
            "Resource": [stream.outputs["arn"]],
        },
        {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": [queue.outputs["arn"]]},
        {"Effect": "Allow", "Action": ["es:ESHttpPost"], "Resource": [f"{arn}/_bulk"]},
    ]
    assert policy(dev.named("leasing-search-api-policy"))[1:] == [
        {"Effect": "Allow", "Action": ["es:ESHttpGet", "es:ESHttpPost"], "Resource": [f"{arn}/listings/_search"]}
    ]
    assert policy(dev.named("leasing-search-bootstrap-opensearch")) == [
        {
            "Effect": "Allow",
            "Action": ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPut", "es:ESHttpPost"],
            "Resource": [f"{arn}/*"],
        }
    ]

    access = json.loads(dev.named("leasing-search-access").inputs["accessPolicies"])["Statement"]
    roles = {name: dev.named(f"leasing-search-{name}-role").outputs["arn"] for name in ("indexer", "api", "bootstrap")}
    assert [(s["Principal"]["AWS"], s["Action"], s["Resource"]) for s in access] == [
        (roles["indexer"], ["es:ESHttpPost"], f"{arn}/_bulk"),
        (roles["api"], ["es:ESHttpGet", "es:ESHttpPost"], f"{arn}/listings/_search"),
        (roles["bootstrap"], ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPut", "es:ESHttpPost"], f"{arn}/*"),
    ]
    assert all(s["Principal"]["AWS"] != "*" for s in access)


def test_bootstrap_runs_after_the_access_policy_with_the_stack_replicas(dev):
    (invocation,) = dev.of_type("aws:lambda/invocation:Invocation")
    payload = json.loads(invocation.inputs["input"])
    assert payload == {
        "endpoint": dev.value["domain_endpoint"],
        "alias": "listings",
        "replicas": 0,
        "writer_role_arns": [pathless(dev.named("leasing-search-indexer-role"))],
        "reader_role_arns": [pathless(dev.named("leasing-search-api-role"))],
        "template_sha256": template_sha256(),
    }
    assert invocation.inputs["functionName"] == dev.named("leasing-search-bootstrap", FUNCTION).outputs["name"]
    assert dev.named("leasing-search-access").urn in invocation.dependencies
    assert dev.named("leasing-search-bootstrap-opensearch").urn in invocation.dependencies


def test_prod_index_keeps_a_copy_of_the_shard_in_each_az(prod):
    (invocation,) = prod.of_type("aws:lambda/invocation:Invocation")
    assert json.loads(invocation.inputs["input"])["replicas"] == 1  # two nodes: primary and one replica


def test_alarms_watch_the_failure_queue_the_iterator_age_and_cluster_health(dev):
    alarms = {a.name: a.inputs for a in dev.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert set(alarms) == {
        "leasing-search-failures-queued",
        "leasing-search-indexer-behind",
        "leasing-search-cluster-red",
    }
    (queue,) = dev.of_type("aws:sqs/queue:Queue")
    assert alarms["leasing-search-failures-queued"]["dimensions"] == {"QueueName": queue.outputs["name"]}
    assert alarms["leasing-search-indexer-behind"]["metricName"] == "IteratorAge"
    assert alarms["leasing-search-indexer-behind"]["threshold"] == 300_000
    (domain,) = dev.of_type(DOMAIN)
    assert alarms["leasing-search-cluster-red"]["dimensions"] == {
        "DomainName": domain.outputs["domainName"],
        "ClientId": domain.account,
    }


def test_every_child_uses_the_parents_regional_provider(pulumi_env):
    result = build(pulumi_env, stack("dev"), region="us-west-2")
    component = result.named("leasing-search", "blueprints:leasing:LeasingSearch")
    descendants, frontier = [], [component]
    while frontier:
        children = [c for parent in frontier for c in result.children_of(parent)]
        descendants += children
        frontier = children
    custom = [r for r in descendants if r.custom]
    assert len(custom) >= 25
    assert {r.provider.split("::")[3] for r in custom} == {"leasing-us-west-2"}
    assert {r.region for r in custom if r.region} == {"us-west-2"}
    assert component.parent.endswith("pulumi:pulumi:Stack::blueprints-test")


def test_optional_api_permission_alarm_actions_and_service_linked_role(pulumi_env):
    api = "arn:aws:execute-api:us-east-1:111111111111:a1b2c3d4e5"
    topic = "arn:aws:sns:us-east-1:111111111111:leasing-alarms"
    result = build(pulumi_env, stack("dev"), api_execution_arn=api, alarm_topic_arn=topic)
    (permission,) = result.of_type("aws:lambda/permission:Permission")
    assert permission.inputs["principal"] == "apigateway.amazonaws.com"
    assert permission.inputs["sourceArn"] == f"{api}/*/GET/listings/search"
    assert permission.inputs["function"] == result.named("leasing-search-api", FUNCTION).outputs["name"]
    assert all(a.inputs["alarmActions"] == [topic] for a in result.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"))
    assert not result.of_type("aws:iam/serviceLinkedRole:ServiceLinkedRole")


def test_service_linked_role_on_request_comes_before_the_domain(pulumi_env):
    result = build(pulumi_env, stack("dev"), create_service_linked_role=True)
    (role,) = result.of_type("aws:iam/serviceLinkedRole:ServiceLinkedRole")
    assert role.inputs["awsServiceName"] == "opensearchservice.amazonaws.com"
    assert role.urn in result.of_type(DOMAIN)[0].dependencies


def args(**overrides) -> LeasingSearchArgs:
    values = dict(
        provider=None, region="us-east-1", vpc_id="vpc-1", vpc_cidr_block=CIDR, subnet_ids=["subnet-a", "subnet-b"]
    )
    values.update(overrides)
    return LeasingSearchArgs(**values)


def test_args_list_every_problem_at_once():
    with pytest.raises(ValueError) as caught:
        args(
            instance_count=3,
            warm_count=2,
            warm_type="ultrawarm1.medium.search",
            cold_storage=True,
            stream_mode="SERVERLESS",
            max_retry_attempts=-1,
            vpc_cidr_block="10.0.0.0/33",
        )
    message = str(caught.value)
    for expected in (
        "stream_mode must be one of PROVISIONED, ON_DEMAND",
        "max_retry_attempts must be between 0 and 10000 (bounded)",
        "vpc_cidr_block must be a CIDR block",
        "instance_count (3) must be a multiple of the AZ count (2); three nodes need subnets in three AZs",
        "warm_count 2: expected 0 unless dedicated masters are set (UltraWarm needs them)",
        "instance_type 't3.small.search': expected a non-burstable type when UltraWarm is on",
    ):
        assert expected in message


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (dict(subnet_ids=["subnet-a"], instance_count=2), "must be 1 unless private subnets in 2 or 3 AZs are given"),
        (dict(master_count=3), "master_type '': expected a master instance type exactly when"),
        (
            dict(warm_count=1, warm_type="ultrawarm1.medium.search"),
            "warm_count 1: expected 0, or at least 2 UltraWarm nodes",
        ),
        (dict(cold_storage=True), "cold_storage True: expected false unless UltraWarm is on"),
        (dict(instance_type="r6g.large"), "instance_type must be an OpenSearch instance type"),
        (dict(index_alias="Listings"), "index_alias must be a lower-case index name"),
        (dict(retention_hours=12), "retention_hours must be between 24 and 8760"),
        (dict(subnet_ids=[]), "subnet_ids must name at least one private subnet"),
    ],
)
def test_args_refuse_impossible_domains(overrides, expected):
    with pytest.raises(ValueError, match=expected):
        args(**overrides)


def test_args_accept_the_prod_topology_and_derive_zones_and_replicas():
    prod_args = args(subnet_ids=["a", "b"], **stack("prod").leasing.search.component_values())
    assert (prod_args.zone_count, prod_args.index_replicas) == (2, 1)
    assert (
        args(subnet_ids=["a", "b", "c"], instance_count=3).zone_count,
        args(subnet_ids=["a", "b", "c"], instance_count=3).index_replicas,
    ) == (3, 2)
    assert (args().zone_count, args().index_replicas) == (1, 0)
    assert args(instance_count=2).index_replicas == 1


@pytest.mark.parametrize("name", ["Leasing-Search", "avalonbay-leasing-search", "ls"])
def test_component_name_must_leave_room_for_the_domain_name(name):
    with pytest.raises(ValueError, match="prefixes the domain name"):
        LeasingSearch(name, args())


def test_site_builder_adds_the_search_route_to_the_platforms_api(pulumi_env):
    from types import SimpleNamespace

    from components.leasing_search import site_builder

    config = stack("dev")
    holder = {}

    def program():
        provider = ArchitectureProviders(config.settings.providers, "leasing").primary
        platform = pulumi.ComponentResource("blueprints:leasing:LeasingPlatform", "leasing")
        network = Network(
            "leasing-net",
            NetworkArgs(region="us-east-1", cidr_block=CIDR, interface_endpoints=("sqs",)),
            opts=pulumi.ResourceOptions(parent=platform, provider=provider),
        )
        api = aws.apigateway.RestApi("leasing-api", opts=pulumi.ResourceOptions(parent=platform, provider=provider))
        site = SimpleNamespace(
            region="us-east-1",
            provider=provider,
            parent=platform,
            vpc_id=network.vpc_id,
            vpc_cidr_block=CIDR,
            subnet_ids=network.private_subnet_ids,
            rest_api_id=api.id,
            rest_api_root_resource_id=api.root_resource_id,
            api_execution_arn=api.execution_arn,
            alarm_topic_arn="arn:aws:sns:us-east-1:111111111111:leasing-alarms",
            protect=False,
            lease_bus_name=None,
            lease_bus_arn=None,
            lease_event_source="blueprints.leasing",
        )
        holder["returned"] = site_builder({**config.leasing.search.component_values(), "lambda_packaging": CODE_ONLY})(
            site
        )
        return api.id

    result = pulumi_env.run(program)
    component = result.named("search-useast1", "blueprints:leasing:LeasingSearch")
    assert component.parent == result.named("leasing", "blueprints:leasing:LeasingPlatform").urn
    api = result.named("leasing-api", "aws:apigateway/restApi:RestApi")
    listings = result.named("search-useast1-route-listings").inputs
    search_path = result.named("search-useast1-route-search")
    assert (listings["pathPart"], listings["parentId"], listings["restApi"]) == (
        "listings",
        api.outputs["rootResourceId"],
        api.id,
    )
    assert (search_path.inputs["pathPart"], search_path.inputs["parentId"]) == (
        "search",
        result.named("search-useast1-route-listings").id,
    )
    method = result.named("search-useast1-route-get")
    assert (method.inputs["httpMethod"], method.inputs["authorization"], method.inputs["resourceId"]) == (
        "GET",
        "AWS_IAM",
        search_path.id,
    )
    integration = result.named("search-useast1-route-lambda").inputs
    assert (integration["type"], integration["integrationHttpMethod"]) == ("AWS_PROXY", "POST")
    assert integration["uri"] == result.named("search-useast1-api", FUNCTION).outputs["invokeArn"]
    permission = result.named("search-useast1-api-invoke").inputs
    assert permission["sourceArn"] == f"{api.outputs['executionArn']}/*/GET/listings/search"
    assert [type(r) for r in holder["returned"]] == [aws.apigateway.Method, aws.apigateway.Integration]


def test_a_route_needs_the_execution_arn_and_a_real_authorizer():
    with pytest.raises(ValueError) as caught:
        args(rest_api_id="a1b2c3d4e5", api_authorization="NONE")
    assert "rest_api_id and rest_api_root_resource_id go together" in str(caught.value)
    assert "needs api_execution_arn" in str(caught.value)
    assert "never NONE" in str(caught.value)
