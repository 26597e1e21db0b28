"""config.value_checks, directly: each case is a value a user wrote that passed the type check
and then hung the run, reached AWS as "" or was reported as a value never typed (issue 14)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.value_checks import AWS_REGIONS, INTEGER_LIMIT, Problem, check_value, region_problems, shorten
from preview.raw_inputs import SourceInt


@pytest.mark.parametrize("raw", ["nan", "NaN", " -nan", "inf", "-Infinity", "1e400", math.nan, math.inf])
def test_non_finite_numbers_are_refused(raw):
    # "nan" passed every range comparison (privateApiThrottleRateLimit), then the run never ended.
    [problem] = check_value("p:privateApiThrottleRateLimit", "string", raw, numeric=True, minimum=0, maximum=10000)
    assert problem.key == "p:privateApiThrottleRateLimit" and "finite number" in problem.expected


def test_numeric_strings_in_range_pass_and_out_of_range_say_the_bounds():
    assert check_value("p:rate", "string", "100", numeric=True, minimum=0, maximum=10000) == []
    assert check_value("p:rate", "string", "0.5", numeric=True, minimum=0.5, maximum=256) == []
    assert check_value("p:rate", "string", 100, numeric=True, minimum=0, maximum=10000) == []  # unquoted
    [problem] = check_value("p:rate", "string", "20000", numeric=True, minimum=0, maximum=10000)
    assert problem == Problem("p:rate", '"20000"', "a number between 0 and 10000")
    [problem] = check_value("p:rate", "string", "fast", numeric=True)
    assert problem.expected == "a number such as 0.5"


@pytest.mark.parametrize("raw", ["", "   ", "\t"])
def test_empty_names_are_refused(raw):
    # eventsBusName: "" skipped the pattern check and failed inside a component naming no key.
    [problem] = check_value("p:eventsBusName", "string", raw, name=True)
    assert problem.expected == "a non-empty name"
    assert check_value("p:eventsBusName", "string", raw) == []  # optional strings may be empty


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (1e30, "an integer between 1 and 2147483647"),
        ("1e30", "an integer between 1 and 2147483647"),
        (10**40, "an integer between 1 and 2147483647"),
        ("nan", "a whole number"),
        (2.5, "a whole number"),
        (0, "an integer between 1 and 2147483647"),
    ],
)
def test_integers_are_whole_finite_and_bounded(raw, problem):
    # monthlyBudgetUsd: 1e30 was accepted.
    [found] = check_value("p:monthlyBudgetUsd", "integer", raw, minimum=1)
    assert found.expected == problem


def test_integers_within_bounds_pass():
    assert check_value("p:monthlyBudgetUsd", "integer", 500, minimum=1) == []
    assert check_value("p:monthlyBudgetUsd", "integer", "500", minimum=1) == []
    assert check_value("p:count", "integer", INTEGER_LIMIT) == []
    assert check_value("p:count", "integer", "many") == []  # not a number: the reader's type error


def test_an_unquoted_account_id_is_reported_as_typed_and_asked_in_quotes():
    # YAML 1.1 reads 012345670123 as octal 1402433619; the message must show what was typed.
    typed = SourceInt(0o12345670123, "012345670123")
    [problem] = check_value("p:producerAccountId", "string", typed, digits=12)
    assert problem.value == "012345670123" and "1402433619" not in str(problem)
    assert 'quote it, p:producerAccountId: "012345670123"' in problem.expected and "octal" in problem.expected
    [problem] = check_value("p:producerAccountId", "string", 123456789012, digits=12)
    assert problem.value == "123456789012" and "octal" not in problem.expected


def test_account_ids_are_twelve_digits_or_empty():
    assert check_value("p:producerAccountId", "string", "012345670123", digits=12) == []
    assert check_value("p:producerAccountId", "string", "", digits=12) == []
    [problem] = check_value("p:producerAccountId", "string", "12345", digits=12)
    assert problem.expected.startswith("12 digits in quotes")


def test_regions_must_exist():
    # aws:region: us-east-9 was accepted.
    [problem] = check_value("aws:region", "string", "us-east-9", region=True)
    assert problem.value == '"us-east-9"' and "us-east-1" in problem.expected and "us-east-2" in problem.expected
    assert check_value("aws:region", "string", "eu-central-2", region=True) == []
    assert region_problems("p:primaryRegion", "") and region_problems("p:primaryRegion", 5)
    assert {"us-east-1", "cn-north-1", "us-gov-west-1"} <= AWS_REGIONS and "aws-global" not in AWS_REGIONS


def test_shorten_bounds_and_escapes():
    assert shorten("x" * 500) == '"' + "x" * 59 + "... (502 characters)"
    assert "\x1b" not in shorten("\x1b[31mred") and shorten([1, 2]) == "[1, 2]"


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=300, deadline=None, database=None)
@given(
    declared=st.sampled_from(["string", "integer", "boolean", "array"]),
    raw=_VALUES,
    name=st.booleans(),
    numeric=st.booleans(),
    region=st.booleans(),
    digits=st.sampled_from([None, 12]),
)
def test_any_value_gives_problems_naming_the_key_and_never_raises(declared, raw, name, numeric, region, digits):
    problems = check_value(
        "p:key", declared, raw, name=name, numeric=numeric, region=region, digits=digits, minimum=0, maximum=100
    )
    for problem in problems:
        assert problem.key == "p:key" and problem.expected and len(problem.value) <= 90
