"""The pulumi/pulumi-policy integration tests, run by the offline preview (see README.md).

Upstream: pulumi/pulumi-policy@805bcbcd3a6d826eab5574bd8976301161008acf tests/integration: each
scenario runs ``pulumi up --policy-pack <pack>`` (``runPolicyPackIntegrationTest``) and expects
every ``WantErrors`` text in the output, a failing command unless ``Advisory``, and a successful one
when nothing is expected. Here each scenario runs in both modes of ``python -m preview``; the output
is the CLI's "Policies:" text (``preview.report.policy_lines``) and, when the run stops, ``error: `` and
the message, as the CLI prints them (one ``error: `` line per problem). Matching rule: upstream texts
that name the Node.js dynamic resource type name the Python one (the programs are Python); nothing
else is rewritten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pytest

from preview.engine import PreviewError
from preview.pipeline import MODES, run_preview
from preview.report import exit_code, policy_lines

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Scenario:
    test: str  # the upstream directory
    number: int  # 1-based, as `pulumi config set scenario N`
    want: tuple[str, ...] = ()
    advisory: bool = False
    policy_config: Optional[dict] = None
    initial_config: dict = field(default_factory=dict)


def _dynamic(text: str) -> str:
    return text.replace("pulumi-nodejs:dynamic:Resource", "pulumi-python:dynamic:Resource")


def _scenarios(test: str, cases: list, **common) -> list[Scenario]:
    out = []
    for number, case in enumerate(cases, start=1):
        case = dict(case or {})
        case["want"] = tuple(_dynamic(w) for w in case.get("want", ()))
        out.append(Scenario(test, number, **{**common, **case}))
    return out


_NO_KEEPERS = ("Prohibits creating a RandomUuid without any 'keepers'.", "RandomUuid must not have an empty 'keepers'.")


def _violation(level: str, policy: str, where: str, *lines: str) -> dict:
    return {"want": (f"[{level}]  {policy}" + (f"  ({where})" if where else ""), *lines)}


# TestValidateResource
VALIDATE_RESOURCE = _scenarios(
    "validate_resource",
    [
        None,
        None,
        _violation(
            "mandatory",
            "dynamic-no-state-with-value-1",
            "pulumi-nodejs:dynamic:Resource: a",
            "Prohibits setting state to 1 on dynamic resources.",
            "'state' must not have the value 1.",
        ),
        _violation(
            "mandatory",
            "dynamic-no-state-with-value-2",
            "pulumi-nodejs:dynamic:Resource: b",
            "Prohibits setting state to 2 on dynamic resources.",
            "'state' must not have the value 2.",
        ),
        _violation(
            "mandatory",
            "dynamic-no-state-with-value-3-or-4",
            "pulumi-nodejs:dynamic:Resource: c",
            "Prohibits setting state to 3 or 4 on dynamic resources.",
            "'state' must not have the value 3.",
        ),
        _violation(
            "mandatory",
            "dynamic-no-state-with-value-3-or-4",
            "pulumi-nodejs:dynamic:Resource: d",
            "Prohibits setting state to 3 or 4 on dynamic resources.",
            "'state' must not have the value 4.",
        ),
        _violation("mandatory", "randomuuid-no-keepers", "random:index:RandomUuid: r1", *_NO_KEEPERS),
        None,
        _violation(
            "mandatory",
            "dynamic-no-state-with-value-5",
            "pulumi-nodejs:dynamic:Resource: e",
            "Prohibits setting state to 5 on dynamic resources.",
            "'state' must not have the value 5.",
        ),
        None,
        None,  # a 5 MB string property (messages over 4 MB, pulumi/pulumi#4155)
    ],
)

# TestValidatePythonResource
VALIDATE_PYTHON_RESOURCE = _scenarios(
    "validate_python_resource",
    [
        _violation("mandatory", "randomuuid-no-keepers", "random:index:RandomUuid: r1", *_NO_KEEPERS),
        _violation("mandatory", "randomuuid-no-keepers", "random:index:RandomUuid: r2", *_NO_KEEPERS),
        None,
    ],
)

# TestValidateStack
VALIDATE_STACK = _scenarios(
    "validate_stack",
    [
        None,
        None,
        _violation(
            "mandatory",
            "dynamic-no-state-with-value-1",
            "",
            "Prohibits setting state to 1 on dynamic resources.",
            "'state' must not have the value 1.",
        ),
        _violation(
            "mandatory",
            "dynamic-no-state-with-value-2",
            "",
            "Prohibits setting state to 2 on dynamic resources.",
            "'state' must not have the value 2.",
        ),
        _violation(
            "mandatory",
            "dynamic-no-state-with-value-3",
            "pulumi-nodejs:dynamic:Resource: c",
            "Prohibits setting state to 3 on dynamic resources.",
            "'state' must not have the value 3.",
        ),
        _violation("mandatory", "randomuuid-no-keepers", "", *_NO_KEEPERS),
        _violation(
            "mandatory",
            "no-randomstrings",
            "",
            "Prohibits RandomString resources.",
            "RandomString resources are not allowed.",
        ),
        None,
        None,
        _violation(
            "mandatory",
            "dynamic-no-foo-with-value-bar",
            "",
            "Prohibits setting foo to 'bar' on dynamic resources.",
            "'foo' must not have the value 'bar'.",
        ),
    ],
)

# TestUnknownValues
UNKNOWN_VALUES = _scenarios(
    "unknown_values",
    [
        {
            "want": (
                "unknown-values-policy@v0.0.1",
                "[advisory]  unknown-values-resource-validation  (random:index:RandomPet: pet)",
                "can't run policy 'unknown-values-resource-validation' from policy pack "
                "'unknown-values-policy@v0.0.1' during preview: string value at .prefix can't be known during preview",
                "[advisory]  unknown-values-stack-validation",
                "can't run policy 'unknown-values-stack-validation' from policy pack 'unknown-values-policy@v0.0.1' "
                "during preview: string value at .prefix can't be known during preview",
            ),
            "advisory": True,
        }
    ],
    initial_config={"aws:region": "us-west-2"},
)

# TestRuntimeData, TestResourceOptions, TestParentDependencies, TestProvider, TestDeserialize
RUNTIME_DATA = _scenarios(
    "runtime_data", [None], initial_config={"aConfigValue": "this value is a value", "aws:region": "us-west-2"}
)
RESOURCE_OPTIONS = _scenarios("resource_options", [None, None])
PARENT_DEPENDENCIES = _scenarios("parent_dependencies", [None])
PROVIDER = _scenarios("provider", [None])
DESERIALIZE = _scenarios("deserialize", [None])

# TestEnforcementLevel: scenario N = (pack level, policy level) over advisory, disabled, mandatory, unset.
_RESOURCE = ("Always reports a resource violation.", "validate-resource-violation-message")
_STACK = ("Always reports a stack violation.", "validate-stack-violation-message")


def _both(level: str) -> dict:
    return {
        "want": (
            f"[{level}]  validate-resource  (random:index:RandomString: str)",
            *_RESOURCE,
            f"[{level}]  validate-stack",
            *_STACK,
        ),
        "advisory": level == "advisory",
    }


ENFORCEMENT_LEVEL = _scenarios(
    "enforcementlevel",
    [
        _both("advisory"),
        None,
        _both("mandatory"),
        _both("advisory"),
        _both("advisory"),
        None,
        _both("mandatory"),
        None,
        _both("advisory"),
        None,
        _both("mandatory"),
        _both("mandatory"),
        _both("advisory"),
        None,
        _both("mandatory"),
        _both("advisory"),
    ],
)


# TestConfig
def _config_errors(*errors: str) -> dict:
    preamble = "error: validating policy config: config-policy 0.0.1  "
    return {
        "want": tuple(
            f"{preamble}{policy}: {e}" for e in errors for policy in ("resource-validation", "stack-validation")
        )
    }


def _policy_config(values: dict) -> dict:
    return {"policy_config": {"resource-validation": values, "stack-validation": values}}


CONFIG = _scenarios(
    "config",
    [
        _policy_config({"foo": "bar"}),
        None,
        None,
        _policy_config({"foo": "overridden"}),
        None,
        _config_errors("foo is required"),
        _config_errors("foo: Invalid type. Expected: string, given: integer"),
        _config_errors("foo: String length must be less than or equal to 3"),
        _config_errors("foo: String length must be greater than or equal to 50"),
        _config_errors('foo: foo must be one of the following: "bar", "baz"'),
        _config_errors('foo: foo does not match: "bar"'),
        {**_policy_config({"foo": 1}), **_config_errors("foo: Invalid type. Expected: string, given: integer")},
        {**_policy_config({"foo": "blah"}), **_config_errors('foo: foo must be one of the following: "bar", "baz"')},
        {**_policy_config({"foo": "blah"}), **_config_errors('foo: foo does not match: "bar"')},
        {
            **_policy_config({"foo": "this is too long", "bar": 3.14}),
            **_config_errors(
                "bar: Invalid type. Expected: integer, given: number",
                "foo: String length must be less than or equal to 3",
            ),
        },
        _policy_config({"foo": 42}),
        _policy_config({"foo": 3.14}),
        _policy_config({"foo": 42}),
        _policy_config({"foo": True}),
        _policy_config({"foo": False}),
        _policy_config({"foo": {"bar": "baz"}}),
        _policy_config({"foo": ["a", "b", "c"]}),
        _policy_config({"foo": None}),
        None,
        _policy_config({"foo": "overridden"}),
    ],
)

# TestInvalidPolicy (upstream has only a Node.js pack; the Python SDK's own messages)
INVALID_POLICY = _scenarios(
    "invalid_policy",
    [
        {"want": ('Invalid policy name "all"; "all" is a reserved name',)},
        {"want": ("enforcementLevel cannot be explicitly specified in properties",)},
        {"want": ('"enforcementLevel" cannot be specified in required',)},
    ],
)

ALL = (
    VALIDATE_RESOURCE
    + VALIDATE_PYTHON_RESOURCE
    + VALIDATE_STACK
    + UNKNOWN_VALUES
    + RUNTIME_DATA
    + RESOURCE_OPTIONS
    + PARENT_DEPENDENCIES
    + PROVIDER
    + DESERIALIZE
    + ENFORCEMENT_LEVEL
    + CONFIG
    + INVALID_POLICY
)


def run_scenario(scenario: Scenario, mode: str, tmp_path: Path, monkeypatch) -> tuple[str, int]:
    """(the output as the CLI would print it, the exit code) of one scenario."""
    stack = f"{scenario.test}-conformance"
    # The upstream packs compare get_project() / get_stack() with these (integration_test.go SetEnvVars).
    monkeypatch.setenv("PULUMI_TEST_PROJECT", scenario.test)
    monkeypatch.setenv("PULUMI_TEST_STACK", stack)
    configs = []
    if scenario.policy_config is not None:
        path = tmp_path / "policy-config.json"
        path.write_text(json.dumps(scenario.policy_config))
        configs.append(path)
    overrides = {"scenario": str(scenario.number), **scenario.initial_config}
    try:
        document = run_preview(
            HERE / scenario.test / "program",
            stack,
            [HERE / scenario.test / "policy-pack-python"],
            configs,
            mode=mode,
            config_overrides=overrides,
        )
    except PreviewError as exc:
        # The CLI prints each problem of a failed run as its own "error: " line.
        return "\n".join(f"error: {line}" for line in str(exc).splitlines()), 2
    return "\n".join(policy_lines(document)), exit_code(document)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("scenario", ALL, ids=[f"{s.test}-{s.number}" for s in ALL])
def test_upstream_scenario(scenario: Scenario, mode: str, tmp_path: Path, monkeypatch):
    output, code = run_scenario(scenario, mode, tmp_path, monkeypatch)
    missing = [w for w in scenario.want if w not in output]
    assert not missing, f"not in the output: {missing}\n--- output ---\n{output}"
    if not scenario.want or scenario.advisory:
        assert code == 0, output
    else:
        assert code != 0, output
