"""Policy config: in-code defaults, the shipped per-stack files, then the engine's config."""

from __future__ import annotations

import json
from pathlib import Path

import cost_rules
import jsonschema
import pytest
from cost_rules import config, logs
from cost_testkit import resource_args, run

CONFIG_DIR = Path(config.CONFIG_DIR)
POLICIES = {policy.name: policy for policy in cost_rules.POLICIES}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_shipped_stack_file_names_real_policies_and_valid_values(stack):
    document = json.loads((CONFIG_DIR / f"{stack}.json").read_text())
    for name, values in document.items():
        assert name in POLICIES, f"{stack}.json configures unknown policy {name}"
        properties = POLICIES[name].config_schema.properties
        for key, value in values.items():
            assert key in properties, f"{stack}.json: {name} has no option {key}"
            jsonschema.validate(value, properties[key])


def test_defaults_validate_against_their_own_schema():
    for policy in cost_rules.POLICIES:
        if policy.config_schema is None:
            continue
        for key, spec in policy.config_schema.properties.items():
            assert "default" not in spec, f"{policy.name}.{key}: the engine would fill it and hide the stack file"
            assert "Default:" in spec["description"]


def test_layering_code_default_then_stack_file_then_engine(tmp_path):
    (tmp_path / "qa.json").write_text(
        json.dumps({"cost-loggroup-retention": {"maxRetentionDays": 14, "enforcementLevel": "mandatory"}})
    )

    def get(given, stack):
        return config.settings("cost-loggroup-retention", logs.OPTIONS, given, stack=stack, directory=tmp_path)

    assert get(None, None) == {"maxRetentionDays": 90}
    assert get(None, "qa") == {"maxRetentionDays": 14}
    assert get({"maxRetentionDays": 60}, "qa") == {"maxRetentionDays": 60}
    assert get(None, "no-such-stack") == {"maxRetentionDays": 90}


def test_running_stack_picks_its_shipped_file(monkeypatch):
    args = resource_args("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 60})
    assert run(logs.log_retention, args) == []  # default: 90
    monkeypatch.setenv("PULUMI_STACK", "dev")  # dev.json: 30
    assert run(logs.log_retention, args) == ["retentionInDays is 60: at most 30 days in this stack."]
    monkeypatch.setenv("PULUMI_STACK", "prod")  # prod.json: 90
    assert run(logs.log_retention, args) == []


def test_engine_numbers_arrive_as_floats_and_still_work():
    args = resource_args("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 60}, {"maxRetentionDays": 30.0})
    assert run(logs.log_retention, args) == ["retentionInDays is 60: at most 30 days in this stack."]


def test_readme_lists_every_rule_with_its_level_and_every_option():
    readme = (Path(config.CONFIG_DIR).parent / "README.md").read_text()
    for policy in cost_rules.POLICIES:
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{policy.name}` |")), None)
        assert row is not None, f"README has no row for {policy.name}"
        assert f"| {policy.enforcement_level.value} |" in row
        for key in policy.config_schema.properties if policy.config_schema else {}:
            assert f"`{key}`" in readme, f"README does not document {policy.name}.{key}"
