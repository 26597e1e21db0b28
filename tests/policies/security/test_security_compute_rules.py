"""Compute rules (Lambda, ECS, ECR, EC2): a resource that breaks each rule and a close neighbour that passes."""

import base64
import json

from security_policy_helpers import UNKNOWN, R, check, check_stack

PERMISSION = "aws:lambda/permission:Permission"
FUNCTION = "aws:lambda/function:Function"
INSTANCE = "aws:ec2/instance:Instance"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
RULE_ARN = "arn:aws:events:us-east-1:111111111111:rule/lease-failover"


# --- lp-lambda-permission-scoped --------------------------------------------------------------------------------


def test_permission_for_everyone_or_an_unbound_service_is_caught():
    outcome = check(
        "lp-lambda-permission-scoped",
        PERMISSION,
        {"action": "lambda:InvokeFunction", "principal": "*", "function": "f"},
        name="open-invoke",
    )
    assert outcome.with_token("Principal::*")[0].startswith("open-invoke (Permission)")
    unbound = check("lp-lambda-permission-scoped", PERMISSION, {"principal": "events.amazonaws.com", "function": "f"})
    assert unbound.with_token("Principal::events.amazonaws.com")
    wild = check(
        "lp-lambda-permission-scoped",
        PERMISSION,
        {"principal": "events.amazonaws.com", "function": "f", "sourceArn": "arn:aws:events:us-east-1:1:rule/*"},
    )
    assert wild.with_token("SourceArn::arn:aws:events:us-east-1:1:rule/*")


def test_permission_bound_to_its_rule_or_organization_passes():
    assert check(
        "lp-lambda-permission-scoped",
        PERMISSION,
        {"principal": "events.amazonaws.com", "function": "f", "sourceArn": RULE_ARN},
    ).passed
    # The rule ARN is computed (unknown at preview): set, but whether it names one rule is decided at up.
    computed = check(
        "lp-lambda-permission-scoped",
        PERMISSION,
        {"principal": "events.amazonaws.com", "function": "f", "sourceArn": UNKNOWN},
    )
    assert not computed.violations and "sourceArn" in computed.undecided
    assert check(
        "lp-lambda-permission-scoped", PERMISSION, {"principal": "*", "function": "f", "principalOrgId": "o-sabhong3hu"}
    ).passed
    # Any stage, method and path of one API: bound to that API.
    assert check(
        "lp-lambda-permission-scoped",
        PERMISSION,
        {
            "principal": "apigateway.amazonaws.com",
            "function": "f",
            "sourceArn": "arn:aws:execute-api:us-east-1:111111111111:e30xevolzo/*/*",
        },
    ).passed
    assert check(
        "lp-lambda-permission-scoped",
        PERMISSION,
        {
            "principal": "apigateway.amazonaws.com",
            "function": "f",
            "sourceArn": "arn:aws:execute-api:us-east-1:111111111111:*/*/*",
        },
    ).violations


# --- lp-lambda-url-auth --------------------------------------------------------------------------------------------


def test_function_url_without_auth_is_caught_iam_passes():
    url = "aws:lambda/functionUrl:FunctionUrl"
    assert (
        check("lp-lambda-url-auth", url, {"functionName": "f", "authorizationType": "NONE"}, name="public-url")
        .with_token("AuthorizationType::NONE")[0]
        .startswith("public-url (FunctionUrl)")
    )
    assert check("lp-lambda-url-auth", url, {"functionName": "f", "authorizationType": "AWS_IAM"}).passed
    assert check("lp-lambda-url-auth", PERMISSION, {"principal": "*", "functionUrlAuthType": "NONE"}).with_token(
        "FunctionUrlAuthType::NONE"
    )


# --- lp-lambda-in-vpc -----------------------------------------------------------------------------------------------


def test_database_function_outside_the_vpc_is_caught_inside_passes():
    props = {"runtime": "python3.13", "environment": {"variables": {"DB_HOST": "proxy.example", "DB_NAME": "leases"}}}
    outcome = check("lp-lambda-in-vpc", FUNCTION, props, name="lease-api")
    assert outcome.with_token("VpcConfig::subnetIds")[0].startswith("lease-api (Function)")
    inside = dict(props, vpcConfig={"subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"]})
    assert check("lp-lambda-in-vpc", FUNCTION, inside).passed


def test_function_without_data_store_is_not_applicable_unless_tagged():
    props = {"runtime": "python3.13", "environment": {"variables": {"EVENT_BUS_NAME": "orders"}}}
    assert check("lp-lambda-in-vpc", FUNCTION, props).not_applicable
    tagged = check("lp-lambda-in-vpc", FUNCTION, dict(props, tags={"VpcRequired": "true"}))
    assert tagged.with_token("VpcConfig::subnetIds")


# --- lp-lambda-runtime-supported --------------------------------------------------------------------------------------


def test_runtime_support():
    assert check("lp-lambda-runtime-supported", FUNCTION, {"runtime": "python3.9"}).with_token("Runtime::python3.9")
    assert check("lp-lambda-runtime-supported", FUNCTION, {"runtime": "python3.13"}).passed
    assert check("lp-lambda-runtime-supported", FUNCTION, {"packageType": "Image"}).not_applicable


# --- lp-ecs-proxy-hardening ------------------------------------------------------------------------------------------

NGINX = {
    "name": "nginx",
    "image": "1.dkr.ecr.us-east-1.amazonaws.com/nginx:1.27",
    "readonlyRootFilesystem": True,
    "logConfiguration": {"logDriver": "awslogs"},
    "secrets": [{"name": "KEY_PASSPHRASE", "valueFrom": "arn:s"}],
}


def _task(*containers, execution="arn:aws:iam::1:role/exec", task="arn:aws:iam::1:role/task"):
    return {
        "family": "mtls-proxy",
        "containerDefinitions": json.dumps(list(containers)),
        "executionRoleArn": execution,
        "taskRoleArn": task,
    }


def test_hardened_proxy_task_passes():
    assert check("lp-ecs-proxy-hardening", "aws:ecs/taskDefinition:TaskDefinition", _task(NGINX)).passed


def test_each_proxy_weakness_is_named_with_its_container():
    weak = dict(
        NGINX,
        environment=[{"name": "TLS_KEY_PASSWORD", "value": "hunter2"}],
        privileged=True,
        readonlyRootFilesystem=False,
        logConfiguration=None,
    )
    outcome = check(
        "lp-ecs-proxy-hardening",
        "aws:ecs/taskDefinition:TaskDefinition",
        _task(weak, task="arn:aws:iam::1:role/exec"),
        name="proxy-task",
    )
    for token in (
        "Environment::TLS_KEY_PASSWORD",
        "Privileged::true",
        "ReadonlyRootFilesystem::false",
        "LogConfiguration::missing",
        "TaskRole::execution-role",
    ):
        assert outcome.with_token(token), token
    assert "containerDefinitions[nginx]" in outcome.with_token("Privileged::true")[0]
    assert "hunter2" not in " ".join(outcome.violations)


def test_service_with_public_ip_is_caught():
    service = "aws:ecs/service:Service"
    assert check(
        "lp-ecs-proxy-hardening", service, {"networkConfiguration": {"assignPublicIp": True, "subnets": ["s"]}}
    ).with_token("AssignPublicIp::true")
    assert check(
        "lp-ecs-proxy-hardening", service, {"networkConfiguration": {"assignPublicIp": False, "subnets": ["s"]}}
    ).passed


# --- lp-ecr-scan-on-push ----------------------------------------------------------------------------------------------


def test_repository_without_scan_on_push_is_caught():
    repo = "aws:ecr/repository:Repository"
    assert check(
        "lp-ecr-scan-on-push",
        repo,
        {"imageTagMutability": "MUTABLE", "imageScanningConfiguration": {"scanOnPush": False}},
        name="nginx",
    ).with_token("ScanOnPush::false")
    assert check("lp-ecr-scan-on-push", repo, {"imageScanningConfiguration": {"scanOnPush": True}}).passed
    assert check(
        "lp-ecr-scan-on-push",
        repo,
        {"imageScanningConfiguration": {"scanOnPush": True}},
        config={"requireImmutableTags": True},
    ).with_token("ImageTagMutability::MUTABLE")


# --- lp-ec2-imdsv2 / lp-ebs-encrypted --------------------------------------------------------------------------------


def test_launch_template_imds_and_encryption():
    weak = {
        "metadataOptions": {"httpTokens": "optional", "httpPutResponseHopLimit": 2},
        "blockDeviceMappings": [{"deviceName": "/dev/sda1", "ebs": {"volumeType": "gp3", "encrypted": "false"}}],
    }
    imds = check("lp-ec2-imdsv2", TEMPLATE, weak, name="workstation-lt")
    assert imds.with_token("HttpTokens::optional") and imds.with_token("HopLimit::2")
    assert check("lp-ebs-encrypted", TEMPLATE, weak).with_token("Encrypted::/dev/sda1")
    good = {
        "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1, "httpEndpoint": "enabled"},
        "blockDeviceMappings": [{"deviceName": "/dev/sda1", "ebs": {"volumeType": "gp3", "encrypted": "true"}}],
    }
    assert check("lp-ec2-imdsv2", TEMPLATE, good).passed and check("lp-ebs-encrypted", TEMPLATE, good).passed


def test_instance_from_a_template_defers_to_it_and_a_bare_instance_is_checked():
    from_template = {"launchTemplate": {"id": "lt-1", "version": "$Latest"}}
    assert check("lp-ec2-imdsv2", INSTANCE, from_template).not_applicable
    assert check("lp-ebs-encrypted", INSTANCE, from_template).passed
    bare = {"ami": "ami-1", "rootBlockDevice": {"volumeSize": 150}, "ebsBlockDevices": [{"deviceName": "xvdf"}]}
    assert check("lp-ec2-imdsv2", INSTANCE, bare).with_token("HttpTokens::unset")
    outcome = check("lp-ebs-encrypted", INSTANCE, bare)
    assert outcome.with_token("Encrypted::root") and outcome.with_token("Encrypted::xvdf")
    assert check("lp-ebs-encrypted", INSTANCE, bare, config={"accountEncryptionByDefault": True}).passed
    assert check("lp-ebs-encrypted", "aws:ebs/volume:Volume", {"size": 20, "encrypted": True}).passed


# --- lp-ec2-public-ip-only-with-eip-optin (stack) ---------------------------------------------------------------------


def test_public_ip_without_elastic_ip_is_caught_with_it_passes():
    instance = R(INSTANCE, "workstation", {"associatePublicIpAddress": True, "arn": "arn:aws:ec2:r:1:instance/i-0abc"})
    outcome = check_stack("lp-ec2-public-ip-only-with-eip-optin", [instance])
    assert outcome.with_token("PublicIp::associatePublicIpAddress")[0].startswith("workstation (Instance)")
    eip = R(
        "aws:ec2/eip:Eip", "workstation-eip", {"instance": "i-0abc", "domain": "vpc"}, {"instance": ["workstation"]}
    )
    assert check_stack("lp-ec2-public-ip-only-with-eip-optin", [instance, eip]).passed
    instance.props["associatePublicIpAddress"] = False
    assert check_stack("lp-ec2-public-ip-only-with-eip-optin", [instance]).passed


def test_launch_template_public_interface_without_opt_in():
    template = R(TEMPLATE, "workstation-lt", {"networkInterfaces": [{"associatePublicIpAddress": "true"}]})
    assert check_stack("lp-ec2-public-ip-only-with-eip-optin", [template]).with_token(
        "PublicIp::associatePublicIpAddress"
    )
    template.props["networkInterfaces"] = [{"associatePublicIpAddress": "false", "subnetId": "s"}]
    assert check_stack("lp-ec2-public-ip-only-with-eip-optin", [template]).passed


# --- lp-ec2-userdata-no-secrets ---------------------------------------------------------------------------------------


def test_user_data_with_a_password_or_key_is_caught_without_echoing_it():
    script = '<powershell>\n$Password = "Sup3rSecret!"\nnet user gamer $Password\n</powershell>'
    outcome = check("lp-ec2-userdata-no-secrets", TEMPLATE, {"userData": base64.b64encode(script.encode()).decode()})
    assert outcome.with_token("UserData::password") and "Sup3rSecret" not in outcome.violations[0]
    keyed = check("lp-ec2-userdata-no-secrets", INSTANCE, {"userData": "export AWS_KEY=AKIAABCDEFGHIJKLMNOP"})
    assert keyed.with_token("UserData::aws-access-key")


def test_user_data_that_fetches_secrets_at_boot_passes():
    script = (
        "<powershell>\n$Password = (Get-SECSecretValue -SecretId gaming/admin).SecretString\n"
        "Read-S3Object -BucketName nvidia-gaming -KeyPrefix windows/latest -LocalFolder C:\\drivers\n"
        "</powershell>"
    )
    encoded = base64.b64encode(script.encode()).decode()
    assert check("lp-ec2-userdata-no-secrets", TEMPLATE, {"userData": encoded}).passed
