"""The engine: Pulumi.yaml schema and stack config like the CLI, program errors, clean state."""

import os
import sys
from pathlib import Path

import pulumi
import pytest

from preview.engine import SECRET_PLACEHOLDER, ConfigError, ProgramError, load_project, run_program

BASIC = Path(__file__).parent / "fixtures" / "project_basic"


def _buckets(run):
    return [r for r in run.resources if r.type == "aws:s3/bucket:Bucket"]


def test_schema_defaults_apply_and_stack_values_override():
    dev = run_program(BASIC, "dev")
    assert dev.config["fixture-basic:bucketCount"] == "1"  # schema default, as a string like the engine
    assert dev.config["fixture-basic:zones"] == '["a", "b"]'  # stack value, JSON
    assert dev.config["aws:region"] == "us-east-1"  # `value:` of another namespace in Pulumi.yaml
    assert dev.outputs["zones"] == ["a", "b"] and dev.outputs["bucketCount"] == 1
    assert len(_buckets(dev)) == 1

    clean = run_program(BASIC, "clean")
    assert len(_buckets(clean)) == 2
    assert {b.inputs["tags"]["owner"] for b in _buckets(clean)} == {"platform-team"}
    queue = next(r for r in clean.resources if r.type == "aws:sqs/queue:Queue")
    assert queue.inputs["messageRetentionSeconds"] == 3600


def test_secure_values_are_placeholders_and_regions_follow_config_and_providers():
    prod = run_program(BASIC, "prod")
    assert prod.config["fixture-basic:apiKey"] == SECRET_PLACEHOLDER
    assert "fixture-basic:apiKey" in prod.secret_keys
    assert prod.outputs["apiKeyIsSet"] is True
    placements = {(b.name, b.region, b.account) for b in _buckets(prod)}
    assert ("data-bucket-0", "eu-west-1", "111111111111") in placements
    assert ("replica-bucket-0", "us-west-2", "222222222222") in placements


def test_type_errors_are_all_reported_like_the_cli():
    with pytest.raises(ConfigError) as caught:
        run_program(BASIC, "badtype")
    message = str(caught.value)
    # The CLI names the key as Pulumi.yaml declares it (workspace/config.go validateStackConfigValue).
    assert "Stack 'badtype' with configuration key 'bucketCount' must be of type 'integer'" in message
    assert "Stack 'badtype' with configuration key 'secondRegion' must be of type 'boolean'" in message


def test_missing_value_without_default_and_wrong_runtime(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: needs\nruntime: python\nconfig:\n  owner:\n    type: string\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text("")
    with pytest.raises(ConfigError, match="Stack 'dev' is missing configuration value 'owner'"):
        run_program(tmp_path, "dev")
    (tmp_path / "Pulumi.yaml").write_text("name: needs\nruntime: nodejs\n")
    with pytest.raises(ConfigError, match="runtime is 'nodejs'"):
        load_project(tmp_path)


def test_run_error_gives_just_its_message():
    with pytest.raises(ProgramError) as caught:
        run_program(BASIC, "runerror")
    assert str(caught.value) == "fixture-basic:fail asks for a RunError: check your stack config"


def test_exception_gives_one_line_and_location_in_the_user_program():
    with pytest.raises(ProgramError) as caught:
        run_program(BASIC, "crash")
    assert caught.value.short == "program failed: KeyError: 'missing-key'"
    assert caught.value.location.startswith("storage.py:")
    assert "in explode" in caught.value.location
    assert "site-packages" not in str(caught.value)


def test_process_state_is_clean_after_failures_and_runs_repeat():
    cwd, path = os.getcwd(), list(sys.path)
    with pytest.raises(ProgramError):
        run_program(BASIC, "crash")
    assert os.getcwd() == cwd and sys.path == path
    assert "storage" not in sys.modules  # the program's modules are imported afresh next time
    assert pulumi.runtime.settings.get_root_resource() is None
    assert pulumi.runtime.get_config("fixture-basic:fail") is None
    first = run_program(BASIC, "dev")
    second = run_program(BASIC, "dev")
    assert [(r.urn, r.id) for r in first.resources] == [(r.urn, r.id) for r in second.resources]
