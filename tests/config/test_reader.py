"""config.reader: the schema in Pulumi.yaml, typed values, and one error listing every problem."""

from pathlib import Path

import pulumi
import pytest
import yaml

from components.rules.formats import cidr_problem
from config import ConfigError, ConfigReader, load_schema, parse

ROOT = Path(__file__).resolve().parents[2]


def stack_values(stack: str) -> dict:
    """The values of a shipped stack file, as the engine passes them (strings; lists as JSON)."""
    import json

    raw = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {
        k: v
        if isinstance(v, str)
        else json.dumps(v)
        if isinstance(v, list)
        else str(v).lower()
        if isinstance(v, bool)
        else str(v)
        for k, v in raw.items()
    }


def problems_of(values: dict, stack: str = "test") -> dict[str, list]:
    with pytest.raises(ConfigError) as caught:
        parse(values, stack=stack)
    result: dict[str, list] = {}
    for problem in caught.value.problems:
        result.setdefault(problem.key, []).append(problem)
    return result


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_shipped_stacks_are_valid(stack):
    config = parse(stack_values(stack), stack=stack)
    assert config.settings.environment == stack
    assert config.settings.primary_region != config.settings.secondary_region


def test_defaults_come_from_the_schema():
    config = parse({}, stack="scratch")
    _, schema = load_schema()
    assert config.settings.primary_region == schema["primaryRegion"]["default"]
    assert config.settings.monthly_budget_usd == schema["monthlyBudgetUsd"]["default"]
    assert config.settings.consumer_account_id is None
    assert not config.settings.has_separate_consumer_account


def test_every_declared_key_has_type_description_and_default():
    _, schema = load_schema()
    assert schema, "Pulumi.yaml declares no config"
    for key, spec in schema.items():
        assert spec.get("description"), f"{key} has no description"
        assert "default" in spec, f"{key} has no default"
        assert spec["type"] in ("string", "integer", "boolean", "array"), key


def test_values_are_converted_from_engine_strings():
    config = parse(
        {
            "blueprints:monthlyBudgetUsd": "750",
            "blueprints:protectStatefulResources": "true",
            "blueprints:budgetAlertEmails": '["a@example.com", "b@example.com"]',
        },
        stack="t",
    )
    assert config.settings.monthly_budget_usd == 750
    assert config.settings.protect_stateful_resources is True
    assert config.settings.budget_alert_emails == ("a@example.com", "b@example.com")


def test_unknown_key_in_the_project_namespace_is_an_error():
    problems = problems_of({"blueprints:primaryRegoin": "eu-west-1"})
    assert "blueprints:primaryRegoin" in problems
    assert "not in Pulumi.yaml" in problems["blueprints:primaryRegoin"][0].expected


def test_other_namespaces_are_left_alone():
    parse({"aws:region": "eu-west-1", "pulumi:tags": "{}"}, stack="t")


def test_every_problem_is_reported_at_once_with_key_value_and_expectation():
    values = {
        "blueprints:primaryRegion": "us-east-9",
        "blueprints:secondaryRegion": "us-east-9",
        "blueprints:monthlyBudgetUsd": "lots",
        "blueprints:environment": "staging",
        "blueprints:budgetAlertEmails": '["not-an-address"]',
        "blueprints:producerAccountId": "12345",
    }
    with pytest.raises(ConfigError) as caught:
        parse(values, stack="t")
    message = str(caught.value)
    for key, given in [
        ("primaryRegion", "us-east-9"),
        ("monthlyBudgetUsd", "lots"),
        ("environment", "staging"),
        ("budgetAlertEmails", "not-an-address"),
        ("producerAccountId", "12345"),
    ]:
        assert f'blueprints:{key}: got "{given}"' in message, message
    assert "a Region other than primaryRegion" in message
    assert isinstance(caught.value, pulumi.RunError)  # printed without a traceback by the CLI


def test_secondary_region_must_differ_from_primary():
    problems = problems_of({"blueprints:primaryRegion": "eu-west-1", "blueprints:secondaryRegion": "eu-west-1"})
    assert list(problems) == ["blueprints:secondaryRegion"]


def test_prod_needs_a_consumer_account():
    problems = problems_of({"blueprints:environment": "prod"})
    assert "blueprints:consumerAccountId" in problems


def test_separate_consumer_account_needs_a_role_in_that_account():
    problems = problems_of({"blueprints:consumerAccountId": "222222222222"})
    assert "blueprints:consumerRoleArn" in problems
    problems = problems_of(
        {
            "blueprints:consumerAccountId": "222222222222",
            "blueprints:consumerRoleArn": "arn:aws:iam::333333333333:role/deploy",
        }
    )
    assert "consumer account 222222222222" in problems["blueprints:consumerRoleArn"][0].expected


def test_malformed_values_name_what_is_expected():
    problems = problems_of(
        {
            "blueprints:protectStatefulResources": "yes",
            "blueprints:budgetAlertEmails": "a@example.com",
            "blueprints:consumerRoleArn": "deploy-role",
        }
    )
    assert "boolean" in problems["blueprints:protectStatefulResources"][0].expected
    assert "JSON array" in problems["blueprints:budgetAlertEmails"][0].expected
    assert "role ARN" in problems["blueprints:consumerRoleArn"][0].expected


def test_cidr_problem_explains_the_notation():
    assert cidr_problem("198.51.100.7/32") is None
    assert cidr_problem("2001:db8::/64") is None
    assert "CIDR" in cidr_problem("198.51.100.7/24")  # host bits set
    assert "CIDR" in cidr_problem("not-a-cidr")
    assert "prefix length" in cidr_problem("198.51.100.7")


def test_reading_an_undeclared_key_is_a_programming_error():
    reader = ConfigReader("blueprints", {}, {})
    with pytest.raises(KeyError, match="not declared in Pulumi.yaml"):
        reader.boolean("somethingNew")


# Values that pass a type check and still broke the run (issue 14): each is now a problem naming
# its key before any resource is registered.
@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        # NaN passes every range comparison: the run never ended.
        ("blueprints:privateApiThrottleRateLimit", "nan", "not NaN or infinity"),
        ("blueprints:leasingAuroraMinCapacity", "NaN", "not NaN or infinity"),
        ("blueprints:leasingAuroraMaxCapacity", "inf", "not NaN or infinity"),
        # An empty name reached a component's Args (or AWS) as "".
        ("blueprints:eventsBusName", "", "a non-empty value such as the default orders-bus"),
        ("blueprints:privateApiStageName", " ", "a non-empty value"),
        ("blueprints:leasingSearchEngineVersion", "", "a non-empty value"),
        ("blueprints:leasingOutboxRelaySchedule", "", "a non-empty value"),
        # No AWS setting takes a number beyond 32 bits.
        ("blueprints:monthlyBudgetUsd", str(10**30), "an integer between 1 and 2147483647"),
        # The AWS provider's own Region key.
        ("aws:region", "us-east-9", "an AWS Region code such as us-east-1"),
    ],
)
def test_values_that_pass_the_type_check_but_break_the_run_are_problems(key, value, expected):
    problems = problems_of({"blueprints:privateApiEnabled": "true", "blueprints:leasingEnabled": "true", key: value})
    assert key in problems, problems
    assert expected in problems[key][0].expected


def test_a_long_value_is_shortened_and_escaped_in_the_message():
    problems = problems_of({"blueprints:environment": "x" * 10_000 + "\x1b[31m"})
    message = str(problems["blueprints:environment"][0])
    assert "one of dev, prod" in message
    assert len(message) < 400 and "10" in message  # the full length is said, not echoed
    assert "\x1b" not in message
