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
from security_policy_helpers import UNKNOWN, R, check, check_stack

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
    following = re.search(r"^class ", source[start + 10:], re.MULTILINE)
    block = source[start:start + 10 + following.start()] if following else source[start:]
    return tuple(camel or name for camel, name in
                 re.findall(r'@pulumi.getter(?:\(name="(\w+)"\))?\s+def (\w+)\(self\)', block))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_the_rules_check_types_and_inputs_that_exist_in_pulumi_aws():
    for _, type_ in RESOURCE_RULES:
        assert input_names(type_), type_


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
    types = sorted({t for _, t in RESOURCE_RULES} | {
        "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:apigateway/method:Method",
        "aws:apigateway/restApiPolicy:RestApiPolicy", "aws:route53/healthCheck:HealthCheck",
        "aws:route53/zone:Zone", "aws:route53/record:Record", "aws:secretsmanager/secretRotation:SecretRotation",
        "aws:ec2/eip:Eip", "aws:ec2/eipAssociation:EipAssociation", "aws:cloudwatch/eventEndpoint:EventEndpoint",
        "aws:apigatewayv2/route:Route"})
    stack = [R(t, f"r{i}", {name: UNKNOWN for name in input_names(t)}) for i, t in enumerate(types)]
    outcome = check_stack(rule, stack)
    assert not any("internal error" in v for v in outcome.violations), outcome.violations
    assert outcome.undecided or outcome.violations or outcome.not_applicable, "passed without knowing the outputs"
