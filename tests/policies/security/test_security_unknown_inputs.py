"""Every rule on inputs it cannot know: never a crash, never a silent pass.

Each resource rule runs on each of its types with every input of that type (as pulumi-aws 7 declares
them) unknown, as on a first preview, and with no inputs at all. Each stack rule runs on a stack holding
one resource of every type the pack checks, all outputs unknown."""

import re
from functools import cache
from pathlib import Path

import pulumi_aws
import pytest
import security_rules
from pulumi.runtime import proto
from security_policy_helpers import UNKNOWN, R, analyze, check, check_stack, diagnostics, servicer

RESOURCE_RULES = [(rule.name, type_) for rule in security_rules.RULES if rule.types for type_ in sorted(rule.types)]
STACK_RULES = [rule.name for rule in security_rules.RULES if rule.types is None]
PULUMI_AWS = Path(pulumi_aws.__file__).parent


@cache
def input_names(type_: str) -> tuple[str, ...]:
    """The camelCase inputs pulumi-aws declares for a type token such as aws:iam/role:Role (read from
    the SDK's source: importing two dozen pulumi_aws modules would take seconds)."""
    _, module_path, cls = type_.split(":")
    module = module_path.split("/")[0]
    source = (PULUMI_AWS / ("lambda_" if module == "lambda" else module) / f"{_snake(cls)}.py").read_text()
    start = source.index(f"\nclass {cls}Args:")
    following = re.search(r"^class ", source[start + 10 :], re.MULTILINE)
    block = source[start : start + 10 + following.start()] if following else source[start:]
    return tuple(
        camel or name for camel, name in re.findall(r'@pulumi.getter(?:\(name="(\w+)"\))?\s+def (\w+)\(self\)', block)
    )


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_the_rules_check_types_and_inputs_that_exist_in_pulumi_aws():
    for _, type_ in RESOURCE_RULES:
        assert input_names(type_), type_


@pytest.fixture(autouse=True)
def _protected_stack(monkeypatch):
    """Rules that apply to protected stacks only must not pass silently there either."""
    monkeypatch.setenv("PULUMI_CONFIG", '{"blueprints:protectStatefulResources": "true"}')


@pytest.mark.parametrize("rule, type_", RESOURCE_RULES)
def test_a_rule_on_unknown_inputs_says_it_cannot_decide(rule, type_):
    outcome = check(rule, type_, {name: UNKNOWN for name in input_names(type_)})
    assert not any("internal error" in v for v in outcome.violations), outcome.violations
    assert outcome.undecided or outcome.violations, "passed without knowing its inputs"
    assert outcome.not_applicable is None


@pytest.mark.parametrize("rule, type_", RESOURCE_RULES)
def test_a_rule_on_missing_inputs_does_not_crash(rule, type_):
    outcome = check(rule, type_, {})
    assert not any("internal error" in v for v in outcome.violations), outcome.violations


@pytest.mark.parametrize("rule", STACK_RULES)
def test_a_stack_rule_on_unknown_outputs_does_not_crash_or_pass_silently(rule):
    types = sorted(
        {t for _, t in RESOURCE_RULES}
        | {
            "aws:iam/role:Role",
            "aws:iam/rolePolicy:RolePolicy",
            "aws:apigateway/method:Method",
            "aws:apigateway/restApiPolicy:RestApiPolicy",
            "aws:route53/healthCheck:HealthCheck",
            "aws:route53/zone:Zone",
            "aws:route53/record:Record",
            "aws:secretsmanager/secretRotation:SecretRotation",
            "aws:ec2/eip:Eip",
            "aws:ec2/eipAssociation:EipAssociation",
            "aws:cloudwatch/eventEndpoint:EventEndpoint",
            "aws:apigatewayv2/route:Route",
            "aws:ec2/vpc:Vpc",
            "aws:ec2/flowLog:FlowLog",
            "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
            "aws:cloudwatch/logGroup:LogGroup",
        }
    )
    stack = [R(t, f"r{i}", {name: UNKNOWN for name in input_names(t)}) for i, t in enumerate(types)]
    outcome = check_stack(rule, stack)
    assert not any("internal error" in v for v in outcome.violations), outcome.violations
    assert outcome.undecided or outcome.violations or outcome.not_applicable, "passed without knowing the outputs"


# --- the four rules that used to pass silently on one unknown input ---------------------------------------------


@pytest.mark.parametrize(
    "rule, type_, props, path",
    [
        (
            "lp-lambda-permission-scoped",
            "aws:lambda/permission:Permission",
            {"principal": "events.amazonaws.com", "function": "f", "sourceArn": UNKNOWN},
            "sourceArn",
        ),
        (
            "lp-ecs-proxy-hardening",
            "aws:ecs/taskDefinition:TaskDefinition",
            {
                "executionRoleArn": UNKNOWN,
                "taskRoleArn": "arn:aws:iam::111111111111:role/task",
                "containerDefinitions": "[]",
            },
            "executionRoleArn",
        ),
        (
            "lp-lambda-in-vpc",
            "aws:lambda/function:Function",
            {"environment": {"variables": {"LOG_LEVEL": "INFO"}}, "tags": UNKNOWN},
            "tags",
        ),
        (
            "lp-vpce-execute-api-policy",
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            {
                "serviceName": "com.amazonaws.us-east-1.execute-api",
                "vpcEndpointType": "Interface",
                "securityGroupIds": UNKNOWN,
                "policy": '{"Statement": []}',
            },
            "securityGroupIds",
        ),
    ],
)
def test_one_unknown_input_is_reported_not_passed(rule, type_, props, path):
    outcome = check(rule, type_, props)
    assert outcome.undecided and path in outcome.undecided, outcome
    assert outcome.not_applicable is None
    # Over the Analyzer protocol: the engine gets one advisory naming the value.
    [advisory] = diagnostics(analyze(servicer(), type_, props), rule)
    assert advisory.enforcementLevel == proto.ADVISORY and path in advisory.message


@pytest.mark.parametrize(
    "rule, type_, props",
    [
        (
            "lp-lambda-permission-scoped",
            "aws:lambda/permission:Permission",
            {
                "principal": "events.amazonaws.com",
                "function": "f",
                "sourceArn": "arn:aws:events:us-east-1:111111111111:rule/orders",
            },
        ),
        (
            "lp-ecs-proxy-hardening",
            "aws:ecs/taskDefinition:TaskDefinition",
            {
                "executionRoleArn": "arn:aws:iam::111111111111:role/exec",
                "taskRoleArn": "arn:aws:iam::111111111111:role/task",
                "containerDefinitions": "[]",
            },
        ),
        (
            "lp-vpce-execute-api-policy",
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            {
                "serviceName": "com.amazonaws.us-east-1.execute-api",
                "vpcEndpointType": "Interface",
                "securityGroupIds": ["sg-0123456789abcdef0"],
                "policy": '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", '
                '"Resource": "arn:aws:execute-api:us-east-1:111111111111:a1b2c3d4e5/*"}]}',
            },
        ),
    ],
)
def test_the_known_twin_decides(rule, type_, props):
    assert check(rule, type_, props).passed


def test_a_function_whose_tags_are_known_and_unmarked_is_out_of_scope():
    outcome = check(
        "lp-lambda-in-vpc",
        "aws:lambda/function:Function",
        {"environment": {"variables": {"LOG_LEVEL": "INFO"}}, "tags": {"team": "x"}},
    )
    assert outcome.not_applicable and not outcome.undecided
