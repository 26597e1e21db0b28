"""The shared building blocks under the fake AWS: providers, network, Lambda function, budget."""

import json

import pulumi
import pytest

from components.budget import StackBudget, StackBudgetArgs
from components.iam import statement
from components.lambda_function import CODE_ONLY, PythonFunction, PythonFunctionArgs
from components.network import Network, NetworkArgs
from components.providers import ArchitectureProviders
from config import parse
from preview.harness import engine_config


def settings_with(**values):
    return parse(engine_config("blueprints", values), stack="test").settings


def test_providers_carry_region_account_and_default_tags(pulumi_env):
    settings = settings_with(
        producerAccountId="111111111111",
        consumerAccountId="222222222222",
        consumerRoleArn="arn:aws:iam::222222222222:role/deploy",
        costCenter="games",
    )

    def program():
        providers = ArchitectureProviders(settings.providers, "gaming")
        return [providers.primary.urn, providers.secondary.urn, providers.consumer_primary.urn]

    result = pulumi_env.run(program)
    providers = {r.name: r for r in result.of_type("pulumi:providers:aws")}
    assert set(providers) == {"gaming-us-east-1", "gaming-us-west-2", "gaming-consumer-us-east-1"}
    primary = providers["gaming-us-east-1"].inputs
    assert primary["region"] == "us-east-1"
    assert json.loads(primary["allowedAccountIds"]) == ["111111111111"]
    tags = json.loads(primary["defaultTags"])["tags"]
    assert tags == {
        "Project": "blueprints",
        "Stack": "test",
        "Architecture": "gaming",
        "CostCenter": "games",
        "Environment": "dev",
    }
    consumer = providers["gaming-consumer-us-east-1"].inputs
    assert json.loads(consumer["assumeRoles"])[0]["roleArn"] == "arn:aws:iam::222222222222:role/deploy"
    assert json.loads(consumer["allowedAccountIds"]) == ["222222222222"]


def test_single_account_consumer_is_the_producer_provider(pulumi_env):
    settings = settings_with()
    holder = {}

    def program():
        providers = ArchitectureProviders(settings.providers, "private-api")
        holder["same"] = providers.consumer_primary is providers.primary
        with pytest.raises(ValueError, match="neither the primary nor the secondary"):
            providers.for_region("eu-west-1")

    result = pulumi_env.run(program)
    assert holder["same"]
    assert [r.name for r in result.of_type("pulumi:providers:aws")] == ["private-api-us-east-1"]


def test_network_private_subnets_endpoints_and_no_nat_by_default(pulumi_env):
    settings = settings_with()

    def program():
        provider = ArchitectureProviders(settings.providers, "leasing").primary
        return Network(
            "net",
            NetworkArgs(
                region="us-east-1",
                cidr_block="10.20.0.0/16",
                interface_endpoints=("execute-api", "secretsmanager"),
                gateway_endpoints=("s3",),
            ),
            opts=pulumi.ResourceOptions(provider=provider),
        )

    result = pulumi_env.run(program)
    subnets = result.of_type("aws:ec2/subnet:Subnet")
    assert [s.inputs["cidrBlock"] for s in subnets] == ["10.20.0.0/20", "10.20.16.0/20"]
    assert len({s.inputs["availabilityZone"] for s in subnets}) == 2
    assert not result.of_type("aws:ec2/natGateway:NatGateway")
    assert not result.of_type("aws:ec2/internetGateway:InternetGateway")
    endpoints = {r.inputs["serviceName"]: r for r in result.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert set(endpoints) == {
        "com.amazonaws.us-east-1.execute-api",
        "com.amazonaws.us-east-1.secretsmanager",
        "com.amazonaws.us-east-1.s3",
    }
    execute_api = endpoints["com.amazonaws.us-east-1.execute-api"].inputs
    assert execute_api["vpcEndpointType"] == "Interface" and execute_api["privateDnsEnabled"] is True
    assert len(execute_api["subnetIds"]) == 2
    assert endpoints["com.amazonaws.us-east-1.s3"].inputs["vpcEndpointType"] == "Gateway"
    ingress = result.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert [(r.inputs["fromPort"], r.inputs["toPort"], r.inputs["cidrIpv4"]) for r in ingress] == [
        (443, 443, "10.20.0.0/16")
    ]
    assert all(r.region == "us-east-1" for r in subnets)


def test_network_with_public_subnets_and_a_nat_per_az(pulumi_env):
    def program():
        return Network(
            "edge", NetworkArgs(region="us-west-2", cidr_block="10.1.0.0/16", public_subnets=True, nat_gateways=2)
        )

    result = pulumi_env.run(program)
    assert len(result.of_type("aws:ec2/natGateway:NatGateway")) == 2
    routes = result.of_type("aws:ec2/route:Route")
    assert sorted(bool(r.inputs.get("natGatewayId")) for r in routes) == [False, True, True]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(cidr_block="10.0.0.0/33"), "does not appear to be"),
        (dict(cidr_block="10.0.0.0/16", nat_gateways=1), "NAT gateways need both"),
        (dict(cidr_block="10.0.0.0/16", gateway_endpoints=("sqs",)), "gateway endpoints exist only"),
        (dict(cidr_block="10.0.0.0/28", availability_zones=3, public_subnets=True), "cannot hold"),
    ],
)
def test_network_args_are_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        NetworkArgs(region="us-east-1", **kwargs)


def test_python_function_has_its_own_log_group_scoped_logging_and_arm64(pulumi_env, tmp_path, monkeypatch):
    import components.lambda_function as lf

    (tmp_path / "lambdas" / "demo").mkdir(parents=True)
    (tmp_path / "lambdas" / "demo" / "__init__.py").write_text("")
    (tmp_path / "lambdas" / "demo" / "handler.py").write_text("def handler(e, c):\n    return e\n")
    monkeypatch.setattr(lf, "LAMBDAS_DIR", tmp_path / "lambdas")
    monkeypatch.setattr(lf, "BUILD_DIR", tmp_path / "build")

    def program():
        return PythonFunction(
            "demo-fn",
            PythonFunctionArgs(
                source="demo",
                memory_mb=256,
                timeout_seconds=10,
                environment={"TABLE": "t"},
                policy_statements=[
                    statement(["dynamodb:GetItem"], ["arn:aws:dynamodb:us-east-1:111111111111:table/t"])
                ],
                subnet_ids=["subnet-1"],
                security_group_ids=["sg-1"],
                log_retention_days=14,
                packaging=CODE_ONLY,
            ),
        )

    result = pulumi_env.run(program)
    function = result.named("demo-fn", "aws:lambda/function:Function").inputs
    assert function["architectures"] == ["arm64"] and function["runtime"] == "python3.13"
    assert function["handler"] == "demo.handler.handler"
    assert function["memorySize"] == 256 and function["timeout"] == 10
    assert function["environment"]["variables"] == {"POWERTOOLS_SERVICE_NAME": "demo-fn", "TABLE": "t"}
    log_group = result.named("demo-fn-logs")
    assert log_group.inputs["retentionInDays"] == 14
    assert function["loggingConfig"]["logGroup"] == log_group.outputs["name"]
    policy = json.loads(result.named("demo-fn-policy").inputs["policy"])
    assert policy["Statement"][0] == {
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": [log_group.outputs["arn"] + ":*"],
    }
    assert policy["Statement"][1]["Action"] == ["dynamodb:GetItem"]
    attachment = result.named("demo-fn-vpc-access").inputs
    assert attachment["policyArn"].endswith("service-role/AWSLambdaVPCAccessExecutionRole")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(source="no_such_function"), "no Lambda package"),
        (dict(memory_mb=64), "memory_mb"),
        (dict(timeout_seconds=901), "timeout_seconds"),
        (dict(subnet_ids=["subnet-1"]), "both subnet_ids and security_group_ids"),
        (dict(log_retention_days=10), "log_retention_days"),
    ],
)
def test_python_function_args_are_validated(kwargs, message, tmp_path, monkeypatch):
    import components.lambda_function as lf

    (tmp_path / "lambdas" / "demo").mkdir(parents=True)
    (tmp_path / "lambdas" / "demo" / "__init__.py").write_text("")
    monkeypatch.setattr(lf, "LAMBDAS_DIR", tmp_path / "lambdas")
    values = dict(source="demo", memory_mb=128, timeout_seconds=3) | kwargs
    with pytest.raises(ValueError, match=message):
        PythonFunctionArgs(**values)


def test_budget_notifies_each_address_at_the_thresholds(pulumi_env):
    def program():
        return StackBudget(
            "budget",
            StackBudgetArgs(
                limit_usd=600, alert_emails=("ops@example.com",), cost_filter_tags=(("Project", "blueprints"),)
            ),
        )

    budget = pulumi_env.run(program).named("budget", "aws:budgets/budget:Budget").inputs
    assert budget["limitAmount"] == "600.00" and budget["timeUnit"] == "MONTHLY"
    assert [(n["notificationType"], n["threshold"]) for n in budget["notifications"]] == [
        ("ACTUAL", 80.0),
        ("ACTUAL", 100.0),
        ("FORECASTED", 100.0),
    ]
    assert all(n["subscriberEmailAddresses"] == ["ops@example.com"] for n in budget["notifications"])
    assert budget["costFilters"] == [{"name": "TagKeyValue", "values": ["user:Project$blueprints"]}]
