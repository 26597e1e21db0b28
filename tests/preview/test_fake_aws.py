"""FakeAws: IDs, ARNs, Region/account per provider, computed outputs, invokes, awsx."""

import json
import re

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx
import pytest

from preview.fake_aws import DEFAULT_ACCOUNT, FakeAws, availability_zones
from preview.harness import mocked_pulumi

WEST_ROLE = "arn:aws:iam::222222222222:role/deployer"


@pytest.fixture
def env():
    with mocked_pulumi("fakeproj", "dev", config={"aws:region": "us-east-2"}) as handle:
        yield handle


def _west():
    return aws.Provider(
        "west",
        region="us-west-2",
        assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=WEST_ROLE, session_name="ci")],
        default_tags=aws.ProviderDefaultTagsArgs(tags={"env": "prod"}),
    )


def test_arns_and_ids_follow_provider_region_and_account(env):
    def program():
        west = pulumi.ResourceOptions(provider=_west())
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.1.0.0/16", opts=west)
        fn = aws.lambda_.Function(
            "fn",
            role="arn:aws:iam::222222222222:role/r",
            runtime="python3.13",
            handler="h.handler",
            code=pulumi.AssetArchive({}),
            publish=True,
            opts=west,
        )
        default_queue = aws.sqs.Queue("queue")
        return {
            "vpc_id": vpc.id,
            "vpc_arn": vpc.arn,
            "fn_arn": fn.arn,
            "invoke": fn.invoke_arn,
            "qualified": fn.qualified_arn,
            "version": fn.version,
            "queue_arn": default_queue.arn,
            "queue_url": default_queue.url,
        }

    v = env.run(program).value
    assert re.fullmatch(r"vpc-0[0-9a-f]{16}", v["vpc_id"])
    assert v["vpc_arn"] == f"arn:aws:ec2:us-west-2:222222222222:vpc/{v['vpc_id']}"
    assert re.fullmatch(r"arn:aws:lambda:us-west-2:222222222222:function:fn-[0-9a-f]{7}", v["fn_arn"])
    assert v["invoke"] == (f"arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/{v['fn_arn']}/invocations")
    assert v["version"] == "1" and v["qualified"] == v["fn_arn"] + ":1"
    # No explicit provider: the default one, Region from aws:region config, default account.
    assert v["queue_arn"].startswith(f"arn:aws:sqs:us-east-2:{DEFAULT_ACCOUNT}:queue-")
    assert v["queue_url"].startswith(f"https://sqs.us-east-2.amazonaws.com/{DEFAULT_ACCOUNT}/queue-")


def test_per_resource_region_overrides_provider_and_default_tags_merge(env):
    def program():
        west = _west()
        bus = aws.cloudwatch.EventBus(
            "bus", name="orders", region="eu-west-1", tags={"team": "a"}, opts=pulumi.ResourceOptions(provider=west)
        )
        return {"arn": bus.arn, "tags_all": bus.tags_all}

    result = env.run(program)
    assert result.value["arn"] == "arn:aws:events:eu-west-1:222222222222:event-bus/orders"
    assert result.value["tags_all"] == {"env": "prod", "team": "a"}
    record = result.named("bus")
    assert (record.region, record.account) == ("eu-west-1", "222222222222")
    assert record.provider.endswith("::" + env.fake.provider_of(record).id)


def test_global_resources_have_no_region(env):
    def program():
        role = aws.iam.Role("role", assume_role_policy="{}", opts=pulumi.ResourceOptions(provider=_west()))
        check = aws.route53.HealthCheck(
            "hc",
            type="CLOUDWATCH_METRIC",
            cloudwatch_alarm_name="a",
            cloudwatch_alarm_region="us-east-1",
            insufficient_data_health_status="Healthy",
        )
        return {"role": role.arn, "hc_id": check.id, "hc_arn": check.arn}

    v = env.run(program).value
    assert re.fullmatch(r"arn:aws:iam::222222222222:role/role-[0-9a-f]{7}", v["role"])
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", v["hc_id"])
    assert v["hc_arn"] == f"arn:aws:route53:::healthcheck/{v['hc_id']}"


def test_networking_outputs_are_consistent(env):
    def program():
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        subnets = [aws.ec2.Subnet(f"s{i}", vpc_id=vpc.id, cidr_block=f"10.0.{i}.0/24") for i in range(2)]
        endpoint = aws.ec2.VpcEndpoint(
            "api",
            vpc_id=vpc.id,
            service_name="com.amazonaws.us-east-2.execute-api",
            vpc_endpoint_type="Interface",
            private_dns_enabled=True,
            subnet_ids=[s.id for s in subnets],
        )
        ip = endpoint.network_interface_ids.apply(lambda ids: aws.ec2.get_network_interface(id=ids[1]).private_ip)
        nlb = aws.lb.LoadBalancer("nlb", load_balancer_type="network", internal=True, subnets=[s.id for s in subnets])
        api = aws.apigateway.RestApi(
            "api", endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(types="PRIVATE")
        )
        return {
            "enis": endpoint.network_interface_ids,
            "dns": endpoint.dns_entries,
            "ip": ip,
            "suffix": nlb.arn_suffix,
            "nlb_arn": nlb.arn,
            "dns_name": nlb.dns_name,
            "zone": nlb.zone_id,
            "api_id": api.id,
            "root": api.root_resource_id,
            "exec": api.execution_arn,
        }

    v = env.run(program).value
    assert len(v["enis"]) == 2 and all(re.fullmatch(r"eni-0[0-9a-f]{16}", e) for e in v["enis"])
    assert v["ip"].startswith("10.0.1.")  # the second ENI lives in the second subnet
    assert v["dns"][0]["dns_name"].endswith(".execute-api.us-east-2.vpce.amazonaws.com")
    assert re.fullmatch(r"net/nlb-[0-9a-f]{7}/[0-9a-f]{16}", v["suffix"])
    assert v["nlb_arn"].endswith("loadbalancer/" + v["suffix"])
    assert v["dns_name"].endswith(".elb.us-east-2.amazonaws.com")
    assert v["zone"] == "ZLMOA37VPKANP"
    assert re.fullmatch(r"[a-z0-9]{10}", v["api_id"]) and re.fullmatch(r"[a-z0-9]{10}", v["root"])
    assert v["exec"] == f"arn:aws:execute-api:us-east-2:{DEFAULT_ACCOUNT}:{v['api_id']}"


def test_invokes_answer_per_provider(env):
    def program():
        west = pulumi.InvokeOptions(provider=_west())
        ident = aws.get_caller_identity_output(opts=west)
        region = aws.get_region_output(opts=west)
        azs = aws.get_availability_zones_output()
        ami = aws.ssm.get_parameter_output(name="/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base")
        doc = aws.iam.get_policy_document_output(
            statements=[
                aws.iam.GetPolicyDocumentStatementArgs(
                    actions=["execute-api:Invoke"],
                    resources=["*"],
                    principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="*", identifiers=["*"])],
                    conditions=[
                        aws.iam.GetPolicyDocumentStatementConditionArgs(
                            test="StringEquals", variable="aws:SourceVpce", values=["vpce-1", "vpce-2"]
                        )
                    ],
                )
            ]
        )
        partition = aws.get_partition_output()
        return {
            "account": ident.account_id,
            "caller": ident.arn,
            "region": region.region,
            "azs": azs.names,
            "zone_ids": azs.zone_ids,
            "ami": ami.value,
            "doc": doc.json,
            "partition": partition.partition,
        }

    v = env.run(program).value
    assert v["account"] == "222222222222"
    assert v["caller"].startswith("arn:aws:sts::222222222222:assumed-role/deployer/")
    assert v["region"] == "us-west-2"
    assert v["azs"] == ["us-east-2a", "us-east-2b", "us-east-2c"]
    assert v["zone_ids"] == ["use2-az1", "use2-az2", "use2-az3"]
    assert re.fullmatch(r"ami-0[0-9a-f]{16}", v["ami"])
    assert v["partition"] == "aws"
    statement = json.loads(v["doc"])["Statement"][0]
    assert statement == {
        "Effect": "Allow",
        "Action": "execute-api:Invoke",
        "Resource": "*",
        "Principal": "*",
        "Condition": {"StringEquals": {"aws:SourceVpce": ["vpce-1", "vpce-2"]}},
    }


def test_unknown_type_and_invoke_get_defaults_not_crashes(env):
    def program():
        thing = aws.sagemaker.Domain(
            "studio",
            auth_mode="IAM",
            default_user_settings={"execution_role": "arn:aws:iam::1:role/r"},
            subnet_ids=["subnet-1"],
            vpc_id="vpc-1",
            domain_name="studio",
        )
        other = pulumi.runtime.invoke(
            "aws:sagemaker/getPrebuiltEcrImage:getPrebuiltEcrImage", {"repositoryName": "x"}
        ).value
        return {"id": thing.id, "arn": thing.arn, "other": other}

    result = env.run(program)
    assert result.value["id"] == "studio"
    assert result.value["arn"] == f"arn:aws:sagemaker:us-east-2:{DEFAULT_ACCOUNT}:domain/studio"
    assert result.value["other"] == {}
    assert any("getPrebuiltEcrImage" in w for w in env.fake.warnings)


def test_awsx_vpc_is_one_registration_with_realistic_outputs_and_children(env):
    def program():
        vpc = awsx.ec2.Vpc(
            "net", number_of_availability_zones=2, nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy="Single")
        )
        return {
            "vpc_id": vpc.vpc_id,
            "private": vpc.private_subnet_ids,
            "public": vpc.public_subnet_ids,
            "vpc_arn": vpc.vpc.arn,
            "first_subnet_az": vpc.subnets[0].availability_zone,
        }

    result = env.run(program)
    v = result.value
    assert re.fullmatch(r"vpc-0[0-9a-f]{16}", v["vpc_id"])
    assert len(v["private"]) == 2 and len(v["public"]) == 2
    assert v["vpc_arn"].endswith(f":vpc/{v['vpc_id']}")
    assert v["first_subnet_az"] == "us-east-2a"
    component = result.named("net", "awsx:ec2:Vpc")
    children = result.children_of(component)
    assert len([c for c in children if c.type == "aws:ec2/natGateway:NatGateway"]) == 1
    assert {c.id for c in children if c.type == "aws:ec2/subnet:Subnet"} == set(v["private"] + v["public"])


def test_ids_are_deterministic_across_runs():
    def program():
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        return [vpc.id, aws.sqs.Queue("q").arn, aws.kms.Key("k").key_id]

    values = []
    for _ in range(2):
        with mocked_pulumi("fakeproj", "dev") as handle:
            values.append(handle.run(program).value)
    assert values[0] == values[1]


def test_availability_zone_ids_follow_aws_naming():
    assert availability_zones("ap-southeast-2") == (
        ["ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"],
        ["apse2-az1", "apse2-az2", "apse2-az3"],
    )
    assert availability_zones("us-east-1")[1][-1] == "use1-az6"


def test_default_region_of_the_fake_applies_without_aws_region_config():
    """A FakeAws can be passed in (e.g. with another default Region) and inspected afterwards."""
    fake = FakeAws(default_region="eu-central-1")
    with mocked_pulumi("fakeproj", "dev", fake=fake) as handle:
        value = handle.run(lambda: aws.s3.Bucket("logs", bucket="my-logs").bucket_regional_domain_name).value
    assert value == "my-logs.s3.eu-central-1.amazonaws.com"
    assert fake.named("logs").outputs["arn"] == "arn:aws:s3:::my-logs"
