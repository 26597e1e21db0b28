"""Architecture B wiring under the fake AWS: resource policy, endpoints, the three patterns."""

from __future__ import annotations

import json
import re

import pytest

from components.lambda_function import CODE_ONLY
from components.mtls_proxy import render_nginx_conf
from components.private_api import (
    PATTERNS,
    CrossAccountPrivateApi,
    CrossAccountPrivateApiArgs,
    MtlsProxyArgs,
    PrivateApiArgs,
    PrivateApiConsumerArgs,
    RegionalFrontDoorArgs,
    endpoint_policy,
)
from components.providers import ArchitectureProviders
from config import parse
from preview.harness import engine_config, mocked_pulumi

PRODUCER, CONSUMER = "111111111111", "222222222222"
SERVER_CERT = "arn:aws:secretsmanager:us-east-1:111111111111:secret:blueprints/mtls/server-certificate-AbCdEf"
SERVER_KEY = "arn:aws:secretsmanager:us-east-1:111111111111:secret:blueprints/mtls/server-key-GhIjKl"
CLIENT_CA = "arn:aws:ssm:us-east-1:111111111111:parameter/blueprints/mtls/client-ca"
OTHER_CONSUMER_VPCE = "vpce-0a1b2c3d4e5f60718"

APIGW = "aws:apigateway"
T_POLICY = f"{APIGW}/restApiPolicy:RestApiPolicy"
T_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
T_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
T_EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def two_accounts():
    return parse(
        engine_config(
            "blueprints",
            {
                "producerAccountId": PRODUCER,
                "consumerAccountId": CONSUMER,
                "consumerRoleArn": f"arn:aws:iam::{CONSUMER}:role/blueprints-deploy",
            },
        ),
        stack="test",
    ).settings


def one_account():
    return parse(engine_config("blueprints", {"producerAccountId": PRODUCER}), stack="test").settings


def build(pulumi_env, settings, **overrides):
    """Runs the architecture in `pulumi_env` (a fixture, or a MockedPulumi of our own)."""

    def program():
        providers = ArchitectureProviders(settings.providers, "private-api")
        args = dict(
            producer_provider=providers.primary,
            consumer_provider=providers.consumer_primary,
            region="us-east-1",
            consumer_account_id=settings.consumer_account_id or PRODUCER,
            separate_consumer_account=settings.has_separate_consumer_account,
            allowed_vpce_ids=(OTHER_CONSUMER_VPCE,),
            lambda_packaging=CODE_ONLY,
        )
        args.update(overrides)
        return CrossAccountPrivateApi("pa", CrossAccountPrivateApiArgs(**args)).outputs

    return pulumi_env.run(program)


class Built:
    """A finished run shared by the tests of this module: its records and the fake's ENIs."""

    def __init__(self, settings, **overrides):
        with mocked_pulumi("blueprints", "test", config={"aws:region": "us-east-1"}) as env:
            self.result = build(env, settings, **overrides)
            self.fake = env.fake


@pytest.fixture(scope="module")
def single():
    """One account, the default patterns (front door and VPC Lambda)."""
    return Built(one_account())


@pytest.fixture(scope="module")
def cross():
    """Two accounts, all three patterns."""
    return Built(two_accounts(), **all_patterns())


def all_patterns():
    return dict(
        patterns=frozenset(PATTERNS),
        mtls_server_certificate_arn=SERVER_CERT,
        mtls_server_key_arn=SERVER_KEY,
        mtls_client_ca_arn=CLIENT_CA,
    )


def endpoint(result, name):
    return result.named(name, T_ENDPOINT)


def rules_on(result, security_group_name):
    group = result.named(security_group_name, "aws:ec2/securityGroup:SecurityGroup")
    ingress = [r for r in result.of_type(T_INGRESS) if r.inputs["securityGroupId"] == group.id]
    egress = [r for r in result.of_type(T_EGRESS) if r.inputs["securityGroupId"] == group.id]
    return group, ingress, egress


# --- the producer API and its resource policy ---------------------------------------------------


def test_resource_policy_denies_every_endpoint_but_the_allow_list(cross):
    result = cross.result
    api = result.named("pa-api", f"{APIGW}/restApi:RestApi")
    consumer_vpce = endpoint(result, "pa-consumer-execute-api").id
    proxy_vpce = endpoint(result, "pa-proxy-execute-api").id
    allowed = sorted({OTHER_CONSUMER_VPCE, consumer_vpce, proxy_vpce})

    document = json.loads(result.of_type(T_POLICY)[0].inputs["policy"])
    statements = {s["Effect"]: s for s in document["Statement"]}
    assert len(document["Statement"]) == 2 and set(statements) == {"Allow", "Deny"}
    deny = statements["Deny"]
    assert deny["Principal"] == "*" and deny["Action"] == "execute-api:Invoke"
    assert deny["Condition"] == {"StringNotEquals": {"aws:SourceVpce": allowed}}
    # The Allow is no broader than the Deny leaves open.
    assert statements["Allow"]["Condition"] == {"StringEquals": {"aws:SourceVpce": allowed}}
    for statement in document["Statement"]:
        assert statement["Resource"] == f"arn:aws:execute-api:us-east-1:{PRODUCER}:{api.id}/*"
    assert result.of_type(T_POLICY)[0].inputs["restApiId"] == api.id


def test_private_api_is_private_throttled_logged_and_redeployed_on_policy_change(single):
    result = single.result
    api = result.named("pa-api", f"{APIGW}/restApi:RestApi")
    assert api.inputs["endpointConfiguration"]["types"] == "PRIVATE"
    methods = [m for m in result.of_type(f"{APIGW}/method:Method") if m.inputs["restApi"] == api.id]
    assert {m.inputs["authorization"] for m in methods} == {"NONE"}  # the resource policy is the gate
    integrations = [i for i in result.of_type(f"{APIGW}/integration:Integration") if i.inputs["restApi"] == api.id]
    echo = result.named("pa-api-echo", "aws:lambda/function:Function")
    assert {i.inputs["type"] for i in integrations} == {"AWS_PROXY"}
    assert {i.inputs["uri"] for i in integrations} == {echo.outputs["invokeArn"]}
    assert echo.inputs["handler"] == "private_api_echo.handler.handler"

    deployment = result.named("pa-api-deployment", f"{APIGW}/deployment:Deployment")
    policy = result.of_type(T_POLICY)[0]
    assert deployment.inputs["triggers"]["policy"] == policy.inputs["policy"]
    assert policy.urn in deployment.dependencies

    stage = result.named("pa-api-stage", f"{APIGW}/stage:Stage")
    log_group = result.named("pa-api-access-logs", "aws:cloudwatch/logGroup:LogGroup")
    assert stage.inputs["accessLogSettings"]["destinationArn"] == log_group.outputs["arn"]
    assert "$context.identity.vpceId" in stage.inputs["accessLogSettings"]["format"]
    settings = result.named("pa-api-throttling", f"{APIGW}/methodSettings:MethodSettings").inputs
    assert settings["methodPath"] == "*/*" and settings["stageName"] == "dev"
    assert settings["settings"]["throttlingRateLimit"] == 100 and settings["settings"]["throttlingBurstLimit"] == 50
    assert settings["settings"]["dataTraceEnabled"] is False

    permission = result.named("pa-api-invoke-echo", "aws:lambda/permission:Permission").inputs
    assert permission["principal"] == "apigateway.amazonaws.com"
    assert permission["sourceArn"] == f"{api.outputs['executionArn']}/dev/*/*"
    # Stage logging needs the account's API Gateway role first.
    account = result.of_type(f"{APIGW}/account:Account")[0]
    assert account.urn in stage.dependencies


def test_without_private_dns_the_caller_names_the_api_in_a_header(pulumi_env):
    result = build(pulumi_env, one_account(), private_dns_enabled=False)
    consumer_vpce = endpoint(result, "pa-consumer-execute-api")
    api = result.named("pa-api", f"{APIGW}/restApi:RestApi")
    assert consumer_vpce.inputs["privateDnsEnabled"] is False
    assert not api.inputs["endpointConfiguration"].get("vpcEndpointIds")  # no cycle with the endpoint policy
    env = result.named("pa-caller-fn", "aws:lambda/function:Function").inputs["environment"]["variables"]
    assert env["API_URL"] == f"https://{consumer_vpce.outputs['dnsEntries'][0]['dnsName']}/dev"
    assert env["API_ID"] == api.id


# --- the consumer endpoint ------------------------------------------------------------------


def test_consumer_side_lives_in_the_consumer_account_through_the_assumed_role(cross):
    result = cross.result
    consumer_vpce = endpoint(result, "pa-consumer-execute-api")
    assert consumer_vpce.account == CONSUMER and consumer_vpce.region == "us-east-1"
    provider = next(p for p in result.of_type("pulumi:providers:aws") if consumer_vpce.provider.startswith(p.urn))
    assert json.loads(provider.inputs["assumeRoles"])[0]["roleArn"] == f"arn:aws:iam::{CONSUMER}:role/blueprints-deploy"
    for name, token in (
        ("pa-front-door-nlb", "aws:lb/loadBalancer:LoadBalancer"),
        ("pa-front-door", f"{APIGW}/restApi:RestApi"),
        ("pa-caller-fn", "aws:lambda/function:Function"),
        ("pa-mtls-client-endpoint", T_ENDPOINT),
    ):
        assert result.named(name, token).account == CONSUMER, name
    for name, token in (
        ("pa-api", f"{APIGW}/restApi:RestApi"),
        ("pa-api-echo", "aws:lambda/function:Function"),
        ("pa-mtls-service", "aws:ecs/service:Service"),
        ("pa-proxy-execute-api", T_ENDPOINT),
    ):
        assert result.named(name, token).account == PRODUCER, name


def test_endpoint_policies_reach_only_the_private_api(cross):
    result = cross.result
    api = result.named("pa-api", f"{APIGW}/restApi:RestApi")
    for name in ("pa-consumer-execute-api", "pa-proxy-execute-api"):
        vpce = endpoint(result, name)
        assert vpce.inputs["serviceName"] == "com.amazonaws.us-east-1.execute-api"
        assert vpce.inputs["vpcEndpointType"] == "Interface"
        (statement,) = json.loads(vpce.inputs["policy"])["Statement"]
        assert statement["Action"] == "execute-api:Invoke" and statement["Effect"] == "Allow"
        assert statement["Resource"] == [f"arn:aws:execute-api:us-east-1:{PRODUCER}:{api.id}/*"]
        # Declared before the API, yet created after it: the endpoint depends on the RestApi.
        assert api.urn in vpce.dependencies
    assert endpoint(result, "pa-consumer-execute-api").inputs["privateDnsEnabled"] is True


def test_endpoint_admits_https_only_from_the_pattern_security_groups(cross):
    result = cross.result
    _, ingress, egress = rules_on(result, "pa-consumer-execute-api")
    nlb_sg = result.named("pa-front-door-nlb", "aws:ec2/securityGroup:SecurityGroup")
    fn_sg = result.named("pa-caller-fn", "aws:ec2/securityGroup:SecurityGroup")
    assert {r.inputs.get("referencedSecurityGroupId") for r in ingress} == {nlb_sg.id, fn_sg.id}
    assert all(r.inputs["fromPort"] == r.inputs["toPort"] == 443 and not r.inputs.get("cidrIpv4") for r in ingress)
    assert all(r.inputs.get("description") for r in ingress)
    assert egress == []


# --- pattern 1: Regional front door ---------------------------------------------------------------


def test_front_door_nlb_is_internal_and_targets_each_endpoint_eni_on_443_with_ping(single):
    result = single.result
    nlb = result.named("pa-front-door-nlb", "aws:lb/loadBalancer:LoadBalancer")
    assert nlb.inputs["loadBalancerType"] == "network" and nlb.inputs["internal"] is True
    target_group = result.named("pa-front-door-endpoint", "aws:lb/targetGroup:TargetGroup").inputs
    assert (target_group["targetType"], target_group["port"], target_group["protocol"]) == ("ip", 443, "TCP")
    health = target_group["healthCheck"]
    assert (health["protocol"], health["path"], health["matcher"]) == ("HTTPS", "/ping", "200")

    vpce = endpoint(result, "pa-consumer-execute-api")
    eni_ips = {single.fake._enis[eni]["privateIp"] for eni in vpce.outputs["networkInterfaceIds"]}
    assert len(eni_ips) == 2  # one ENI per AZ
    attachments = result.of_type("aws:lb/targetGroupAttachment:TargetGroupAttachment")
    tg_arn = result.named("pa-front-door-endpoint", "aws:lb/targetGroup:TargetGroup").outputs["arn"]
    assert {a.inputs["targetId"] for a in attachments} == eni_ips
    assert {(a.inputs["port"], a.inputs["targetGroupArn"]) for a in attachments} == {(443, tg_arn)}
    listener = result.named("pa-front-door-https", "aws:lb/listener:Listener").inputs
    assert listener["loadBalancerArn"] == nlb.outputs["arn"] and listener["port"] == 443


def test_vpc_link_points_at_the_nlb_and_the_integration_asks_for_the_private_api_by_name(single):
    result = single.result
    nlb = result.named("pa-front-door-nlb", "aws:lb/loadBalancer:LoadBalancer")
    link = result.named("pa-front-door-link", f"{APIGW}/vpcLink:VpcLink")
    assert link.inputs["targetArn"] == nlb.outputs["arn"]
    door = result.named("pa-front-door", f"{APIGW}/restApi:RestApi")
    assert door.inputs["endpointConfiguration"]["types"] == "REGIONAL"
    api_id = result.named("pa-api", f"{APIGW}/restApi:RestApi").id
    integrations = [
        i.inputs for i in result.of_type(f"{APIGW}/integration:Integration") if i.inputs["restApi"] == door.id
    ]
    assert {i["connectionType"] for i in integrations} == {"VPC_LINK"}
    assert {i["connectionId"] for i in integrations} == {link.id}
    assert {i["uri"] for i in integrations} == {
        f"https://{api_id}.execute-api.us-east-1.amazonaws.com/dev/",
        f"https://{api_id}.execute-api.us-east-1.amazonaws.com/dev/{{proxy}}",
    }
    methods = [m for m in result.of_type(f"{APIGW}/method:Method") if m.inputs["restApi"] == door.id]
    assert {m.inputs["authorization"] for m in methods} == {"AWS_IAM"}
    throttling = result.named("pa-front-door-throttling", f"{APIGW}/methodSettings:MethodSettings").inputs
    assert throttling["stageName"] == "v1"
    assert (throttling["settings"]["throttlingRateLimit"], throttling["settings"]["throttlingBurstLimit"]) == (50, 25)


# --- pattern 2: Lambda in the consumer VPC -------------------------------------------------------


def test_caller_runs_in_the_consumer_private_subnets_and_may_only_reach_the_endpoint(cross):
    result = cross.result
    function = result.named("pa-caller-fn", "aws:lambda/function:Function").inputs
    subnets = [s.id for s in result.of_type("aws:ec2/subnet:Subnet") if s.name.startswith("pa-consumer-net-private")]
    group, ingress, egress = rules_on(result, "pa-caller-fn")
    assert sorted(function["vpcConfig"]["subnetIds"]) == sorted(subnets)
    assert function["vpcConfig"]["securityGroupIds"] == [group.id]
    assert function["handler"] == "private_api_caller.handler.handler"
    consumer_sg = result.named("pa-consumer-execute-api", "aws:ec2/securityGroup:SecurityGroup")
    assert ingress == []
    assert [(r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"]) for r in egress] == [(consumer_sg.id, 443)]
    api_id = result.named("pa-api", f"{APIGW}/restApi:RestApi").id
    env = function["environment"]["variables"]
    assert env["API_URL"] == f"https://{api_id}.execute-api.us-east-1.amazonaws.com/dev"
    assert "API_ID" not in env  # private DNS resolves the API's own name
    # The function outlives two attempts of connect + read.
    assert function["timeout"] > 2 * (float(env["CONNECT_TIMEOUT_SECONDS"]) + float(env["READ_TIMEOUT_SECONDS"]))


# --- pattern 3: mTLS proxy ------------------------------------------------------------------


def test_proxy_task_reads_its_material_at_start_and_carries_no_secret(cross):
    result = cross.result
    task = result.named("pa-mtls-task", "aws:ecs/taskDefinition:TaskDefinition")
    containers = {c["name"]: c for c in json.loads(task.inputs["containerDefinitions"])}
    init, nginx = containers["fetch-tls-material"], containers["nginx"]
    for container in containers.values():
        assert not container.get("secrets")
        assert all(e["name"] == "HOME" for e in container.get("environment", []))
        assert container["readonlyRootFilesystem"] is True and not container.get("privileged")
        assert container["logConfiguration"]["logDriver"] == "awslogs"
    script = init["command"][0]
    assert "PRIVATE KEY" not in script and "CERTIFICATE-----" not in script
    assert all(arn in script for arn in (SERVER_CERT, SERVER_KEY, CLIENT_CA))
    assert nginx["dependsOn"] == [{"containerName": "fetch-tls-material", "condition": "SUCCESS"}]
    material_mount = next(m for m in nginx["mountPoints"] if m["sourceVolume"] == "tls-material")
    assert material_mount["readOnly"] is True
    assert task.inputs["executionRoleArn"] != task.inputs["taskRoleArn"]
    assert task.inputs["requiresCompatibilities"] == ["FARGATE"] and task.inputs["networkMode"] == "awsvpc"


def test_proxy_config_forwards_to_the_api_by_name_through_its_own_endpoint(cross):
    result = cross.result
    task = result.named("pa-mtls-task", "aws:ecs/taskDefinition:TaskDefinition")
    script = json.loads(task.inputs["containerDefinitions"])[0]["command"][0]
    api_id = result.named("pa-api", f"{APIGW}/restApi:RestApi").id
    proxy_vpce = endpoint(result, "pa-proxy-execute-api")
    endpoint_dns = proxy_vpce.outputs["dnsEntries"][0]["dnsName"]
    config = script.split("<<'MTLS_PROXY_NGINX_CONF'\n", 1)[1].split("MTLS_PROXY_NGINX_CONF\n", 1)[0]
    assert f"server {endpoint_dns}:443;" in config
    assert f"proxy_ssl_name {api_id}.execute-api.us-east-1.amazonaws.com;" in config
    assert "proxy_pass https://private_api/dev/;" in config
    assert "ssl_verify_client      on;" in config and "ssl_protocols       TLSv1.2 TLSv1.3;" in config
    from components.mtls_proxy import ProxySettings

    assert config == render_nginx_conf(
        ProxySettings(
            api_host=f"{api_id}.execute-api.us-east-1.amazonaws.com", upstream_address=endpoint_dns, stage_name="dev"
        )
    )


def test_proxy_task_role_reads_exactly_its_three_documents(cross):
    result = cross.result
    document = json.loads(result.named("pa-mtls-task-material", "aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    granted = {(a, r) for s in document["Statement"] for a in s["Action"] for r in s["Resource"]}
    assert granted == {
        ("secretsmanager:GetSecretValue", SERVER_CERT),
        ("secretsmanager:GetSecretValue", SERVER_KEY),
        ("ssm:GetParameter", CLIENT_CA),
    }


def test_only_the_proxy_may_use_its_execute_api_endpoint(cross):
    result = cross.result
    _, ingress, _ = rules_on(result, "pa-proxy-execute-api")
    tasks = result.named("pa-mtls-tasks", "aws:ec2/securityGroup:SecurityGroup")
    assert [(r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"]) for r in ingress] == [(tasks.id, 443)]
    _, task_ingress, _ = rules_on(result, "pa-mtls-tasks")
    nlb_sg = result.named("pa-mtls-nlb", "aws:ec2/securityGroup:SecurityGroup")
    assert {(r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"]) for r in task_ingress} == {
        (nlb_sg.id, 443),
        (nlb_sg.id, 8080),
    }


def test_proxy_is_published_to_the_consumer_account_through_an_internal_nlb(cross):
    result = cross.result
    nlb = result.named("pa-mtls-nlb", "aws:lb/loadBalancer:LoadBalancer")
    assert nlb.inputs["internal"] is True and nlb.inputs["loadBalancerType"] == "network"
    target_group = result.named("pa-mtls-tasks", "aws:lb/targetGroup:TargetGroup").inputs
    assert (target_group["targetType"], target_group["port"], target_group["protocol"]) == ("ip", 443, "TCP")
    assert (
        target_group["healthCheck"]["protocol"],
        target_group["healthCheck"]["port"],
        target_group["healthCheck"]["path"],
    ) == ("HTTP", "8080", "/health")
    service = result.named("pa-mtls-service", "aws:ecs/service:Service").inputs
    assert service["networkConfiguration"]["assignPublicIp"] is False
    assert service["loadBalancers"][0]["containerPort"] == 443
    endpoint_service = result.named("pa-mtls-service-endpoint", "aws:ec2/vpcEndpointService:VpcEndpointService")
    assert endpoint_service.inputs["allowedPrincipals"] == [f"arn:aws:iam::{CONSUMER}:root"]
    assert endpoint_service.inputs["networkLoadBalancerArns"] == [nlb.outputs["arn"]]
    client = endpoint(result, "pa-mtls-client-endpoint")
    assert client.inputs["serviceName"] == endpoint_service.outputs["serviceName"]
    _, ingress, _ = rules_on(result, "pa-mtls-client-sg")
    assert [r.inputs["cidrIpv4"] for r in ingress] == ["10.10.0.0/16"]


# --- switches and validation ----------------------------------------------------------------


def test_patterns_are_switched_independently(pulumi_env):
    result = build(pulumi_env, one_account(), patterns=frozenset({"vpc-lambda"}))
    assert not result.of_type("aws:lb/loadBalancer:LoadBalancer")
    assert not result.of_type("aws:ecs/service:Service")
    assert [f.name for f in result.of_type("aws:lambda/function:Function")] == ["pa-api-echo", "pa-caller-fn"]
    assert len(result.of_type(f"{APIGW}/account:Account")) == 1  # one account, one Region: one setting


def test_argument_errors_name_the_problem():
    with pytest.raises(ValueError, match="mtls_server_key_arn"):
        CrossAccountPrivateApiArgs(
            None,
            None,
            "us-east-1",
            CONSUMER,
            patterns=frozenset(PATTERNS),
            mtls_server_certificate_arn=SERVER_CERT,
            mtls_client_ca_arn=CLIENT_CA,
        )
    with pytest.raises(ValueError, match="patterns"):
        CrossAccountPrivateApiArgs(None, None, "us-east-1", CONSUMER, patterns=frozenset({"carrier-pigeon"}))
    with pytest.raises(ValueError, match="not a VPC endpoint id"):
        PrivateApiArgs(None, "us-east-1", allowed_vpce_ids=["vpc-123"])
    with pytest.raises(ValueError, match="at least one allowed"):
        PrivateApiArgs(None, "us-east-1", allowed_vpce_ids=[])
    with pytest.raises(ValueError, match="authorization"):
        RegionalFrontDoorArgs(None, "us-east-1", None, "a", "dev", authorization="COGNITO")
    with pytest.raises(ValueError, match="cidr_block"):
        PrivateApiConsumerArgs(
            None, "us-east-1", "10.0.0.0/8", ["arn:aws:execute-api:us-east-1:111111111111:a1b2c3d4e5"]
        )
    with pytest.raises(ValueError, match="Secrets Manager secret ARN or an SSM parameter ARN"):
        MtlsProxyArgs(
            None, "us-east-1", None, "a", "dev", SERVER_CERT, "arn:aws:s3:::bucket/key", CLIENT_CA, [CONSUMER]
        )
    with pytest.raises(ValueError, match="min_tls_version"):
        MtlsProxyArgs(
            None,
            "us-east-1",
            None,
            "a",
            "dev",
            SERVER_CERT,
            SERVER_KEY,
            CLIENT_CA,
            [CONSUMER],
            min_tls_version="TLSv1.1",
        )


def test_endpoint_policy_needs_an_api():
    with pytest.raises(ValueError, match="at least one API"):
        endpoint_policy([])

    assert all(re.fullmatch(r"[a-z-]+", p) for p in PATTERNS)


# --- the stacks as shipped ------------------------------------------------------------------


def test_dev_stack_runs_patterns_one_and_two_in_one_account(shipped_stack):
    result = shipped_stack("dev")
    mine = [r for r in result.resources if r.custom and "::private-api-" in r.provider]
    assert mine and {r.account for r in mine} == {"111111111111"}
    assert result.outputs["privateApiFrontDoorUrl"].endswith("/v1")
    assert "privateApiCallerFunction" in result.outputs and "privateApiMtlsEndpointService" not in result.outputs
    assert not [r for r in result.resources if "blueprints:resilient_api:" in (r.urn or "")]


def test_prod_stack_splits_accounts_and_adds_mtls_and_the_two_region_api(shipped_stack):
    result = shipped_stack("prod")
    assert endpoint(result, "private-api-consumer-execute-api").account == CONSUMER
    assert result.named("private-api-api", f"{APIGW}/restApi:RestApi").account == PRODUCER
    assert "privateApiMtlsClientEndpointDns" in result.outputs
    assert result.outputs["resilientApiUrl"] == "https://private.internal.example.com/demo"
    # Only this architecture's records (other architectures have their own).
    records = [r for r in result.of_type("aws:route53/record:Record") if "blueprints:resilient_api:" in r.urn]
    assert sorted(r.inputs["setIdentifier"] for r in records) == ["us-east-1", "us-west-2"]
    # One API Gateway logging setting per account and Region across B and B2.
    accounts = [(a.account, a.region) for a in result.of_type(f"{APIGW}/account:Account")]
    assert len(accounts) == 3 and sorted(accounts) == sorted(set(accounts))


def test_a_one_az_consumer_has_one_endpoint_eni_and_the_front_door_targets_exactly_it():
    # Dev's lean setting (privateApiConsumerAvailabilityZones 1): an interface endpoint has one ENI
    # per subnet it is placed in (https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html),
    # so the front door's IP targets must be that one address, not two.
    one_az = Built(one_account(), consumer_availability_zones=1)
    vpce = endpoint(one_az.result, "pa-consumer-execute-api")
    assert len(vpce.inputs["subnetIds"]) == 1
    eni_ips = {one_az.fake._enis[eni]["privateIp"] for eni in vpce.outputs["networkInterfaceIds"]}
    attachments = one_az.result.of_type("aws:lb/targetGroupAttachment:TargetGroupAttachment")
    assert len(eni_ips) == 1 and {a.inputs["targetId"] for a in attachments} == eni_ips
