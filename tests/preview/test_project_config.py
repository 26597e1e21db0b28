"""Pulumi.yaml and stack config are accepted and refused exactly where the CLI accepts and refuses
them (pulumi/pulumi sdk/go/common/workspace/project.go ``Project.Validate`` and
``ValidateConfigValue``; workspace/config.go ``mergeConfig``), with the CLI's messages."""

import pytest
import yaml

from preview.engine import ConfigError, load_project, resolve_stack_config


def _project(tmp_path, config_yaml: str, stack_yaml: str = "config: {}\n"):
    (tmp_path / "Pulumi.yaml").write_text("name: proj\nruntime: python\nconfig:\n" + config_yaml)
    (tmp_path / "Pulumi.dev.yaml").write_text(stack_yaml)
    (tmp_path / "__main__.py").write_text("")
    return load_project(tmp_path)


ACCEPTED = {
    "project-prefixed key with type and default": "  proj:size:\n    type: integer\n    default: 3\n",
    "integer default written 4.0": "  size:\n    type: integer\n    default: 4.0\n",
    "integer default as a numeric string": "  size:\n    type: integer\n    default: '12'\n",
    "object type": "  tags:\n    type: object\n    default: {team: a}\n",
    "boolean default true": "  enabled:\n    type: boolean\n    default: true\n",
    "other namespace with value": "  aws:region:\n    value: eu-west-1\n",
    "other namespace shorthand": "  aws:region: eu-west-1\n",
    "array of arrays": "  grid:\n    type: array\n    items:\n      type: array\n      items:\n        type: integer\n"
    "    default: [[1, 2]]\n",
}

REFUSED = {
    "array without items": (
        "  zones:\n    type: array\n    default: []\n",
        "The configuration key 'zones' declares an array but does not specify the underlying "
        "type via the 'items' attribute",
    ),
    "string default 123": (
        "  name:\n    type: string\n    default: 123\n",
        "The default value specified for configuration key 'name' is not of the expected type 'string'",
    ),
    "default and value": (
        "  name:\n    default: a\n    value: b\n",
        "project config 'name' cannot have both a 'default' and 'value' attribute",
    ),
    "typed key of another namespace": (
        "  aws:region:\n    type: string\n    value: us-east-1\n",
        "Configuration key 'aws:region' is not namespaced by the project and should not define a type",
    ),
    "other namespace without value": (
        "  aws:region:\n    secret: false\n",
        "Configuration key 'aws:region' is namespaced and must provide an attribute 'value'",
    ),
    "other namespace with default": (
        "  aws:region:\n    default: us-east-1\n",
        "Did you mean to use the 'value' attribute instead of 'default'?",
    ),
    "boolean default 'True'": (
        "  enabled:\n    type: boolean\n    default: 'True'\n",
        "The default value specified for configuration key 'enabled' is not of the expected type 'boolean'",
    ),
    "array items of the wrong type": (
        "  ports:\n    type: array\n    items:\n      type: integer\n    default: [a]\n",
        "not of the expected type 'array<integer>'",
    ),
    "integer default 4.5": ("  size:\n    type: integer\n    default: 4.5\n", "not of the expected type 'integer'"),
}


@pytest.mark.parametrize("config_yaml", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_pulumi_yaml_the_cli_accepts(tmp_path, config_yaml):
    project = _project(tmp_path, config_yaml)
    resolve_stack_config(project, "dev")


@pytest.mark.parametrize("config_yaml,message", REFUSED.values(), ids=REFUSED.keys())
def test_pulumi_yaml_the_cli_refuses(tmp_path, config_yaml, message):
    with pytest.raises(ConfigError) as caught:
        _project(tmp_path, config_yaml)
    assert message in str(caught.value)


def test_project_defaults_and_values_reach_the_program_as_engine_strings(tmp_path):
    project = _project(
        tmp_path,
        "  proj:size:\n    type: integer\n    default: 4.0\n  tags:\n    type: object\n"
        "    default: {team: a}\n  aws:region: eu-west-1\n",
    )
    config, _ = resolve_stack_config(project, "dev")
    assert config == {"proj:size": "4", "proj:tags": '{"team": "a"}', "aws:region": "eu-west-1"}


@pytest.mark.parametrize(
    "stack_value,ok",
    [
        ("'7'", True),
        ("7", True),
        ("7.5", False),
        ("seven", False),
    ],
)
def test_stack_integer_values_follow_validate_config_value(tmp_path, stack_value, ok):
    project = _project(tmp_path, "  size:\n    type: integer\n", f"config:\n  proj:size: {stack_value}\n")
    if ok:
        assert resolve_stack_config(project, "dev")[0]["proj:size"] == str(yaml.safe_load(stack_value))
    else:
        with pytest.raises(ConfigError, match="Stack 'dev' with configuration key 'size' must be of type 'integer'"):
            resolve_stack_config(project, "dev")


def test_every_missing_project_key_is_named_in_one_message(tmp_path):
    project = _project(
        tmp_path,
        "  a:\n    type: string\n  b:\n    description: untyped, still required\n  aws:profile:\n    value: x\n",
    )
    with pytest.raises(ConfigError, match="Stack 'dev' is missing configuration values 'a', 'b'"):
        resolve_stack_config(project, "dev")


def test_a_secret_key_must_be_encrypted_in_the_stack(tmp_path):
    project = _project(tmp_path, "  token:\n    type: string\n    secret: true\n", "config:\n  proj:token: plain\n")
    message = "Stack 'dev' with configuration key 'token' must be encrypted as it's secret"
    with pytest.raises(ConfigError, match=message):
        resolve_stack_config(project, "dev")
