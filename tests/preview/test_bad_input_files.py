"""Raw input files, stack names and numeric settings are checked before use (issue 14): each
problem names the file, the key, a shortened value and what is expected; all problems of a file
come together; never a traceback, never exit 1."""

import pytest

from preview.__main__ import main, safe_document
from preview.engine import ConfigError, PreviewError
from preview.raw_inputs import (
    MAX_EXPANDED_NODES,
    check_stack_name,
    env_seconds,
    load_json_config,
    load_yaml,
    read_pulumi_yaml,
    shorten,
)

PROJECT = "name: bad-files\nruntime: python\nconfig:\n  count:\n    type: integer\n    default: 1\n"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text(PROJECT)
    (tmp_path / "__main__.py").write_text("raise SystemExit('the program must not run')\n")
    return tmp_path


def run(project, stack="dev", *args):
    return main(["--program", str(project), "--stack", stack, *args])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("- a\n- b\n", "Pulumi.dev.yaml: the file is a list (expected a mapping with a 'config:' key)"),
        ("just words\n", 'Pulumi.dev.yaml: the file is the string "just words" (expected a mapping'),
        ("config:\n  - a\n", "'config' is a list (expected a mapping of config keys to values)"),
        ("config: 42\n", "'config' is the number 42 (expected a mapping of config keys to values)"),
        (
            "config:\n  bad-files:count: 1\n  bad-files:count: 2\n",
            'line 3: key "bad-files:count" appears more than once (expected unique keys',
        ),
        ("config: [\n", "Pulumi.dev.yaml: invalid YAML: line 2, column 1"),
    ],
)
def test_a_malformed_stack_file_is_exit_2_with_what_is_expected(project, capsys, content, expected):
    (project / "Pulumi.dev.yaml").write_text(content)
    assert run(project) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_every_problem_of_a_stack_file_is_reported_together(project, capsys):
    (project / "Pulumi.dev.yaml").write_text("config:\n  a:b: 1\n  a:b: 2\n  7: x\n  c:d: {e: 1, e: 2}\n")
    assert run(project) == 2
    err = capsys.readouterr().err
    assert 'key "a:b" appears more than once' in err and 'key "e" appears more than once' in err
    assert "config key 7 under 'config' is not a name" in err


@pytest.mark.parametrize("name", ["Pulumi.dev.yaml", "Pulumi.yaml"])
def test_invalid_utf8_names_the_file_and_line(project, capsys, name):
    (project / "Pulumi.dev.yaml").write_text("config: {}\n")
    (project / name).write_bytes((project / name).read_bytes() + b"# caf\xe9\n")
    assert run(project) == 2
    err = capsys.readouterr().err
    assert f"{name}: line " in err and "is not UTF-8" in err and "Traceback" not in err


def test_project_file_levels_are_checked_together(project, capsys):
    (project / "Pulumi.yaml").write_text("name: bad-files\nruntime: python\nconfig:\n  - count\n")
    (project / "Pulumi.dev.yaml").write_text("config: {}\n")
    assert run(project) == 2
    assert "Pulumi.yaml:\n  'config' is a list (expected a mapping of config keys to values)" in capsys.readouterr().err
    (project / "Pulumi.yaml").write_text("name: [x]\nruntime: 3\nconfig:\n  k:\n    type: 5\n    items: text\n")
    with pytest.raises(ConfigError) as caught:
        read_pulumi_yaml(project / "Pulumi.yaml")
    problems = caught.value.args[0]
    assert problems.count("\n  ") == 4  # name, runtime, type, items: all at once


def test_nested_aliases_are_refused_before_they_expand(tmp_path):
    # 1 KB that used to become 10^8 items, 5 GB of memory and a 172 MB error message.
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for index in range(1, 8):
        prev, name = chr(ord("a") + index - 1), chr(ord("a") + index)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    path = tmp_path / "Pulumi.bomb.yaml"
    path.write_text("config:\n  " + "\n  ".join(levels) + "\n")
    with pytest.raises(ConfigError, match=f"YAML aliases expand to more than {MAX_EXPANDED_NODES} values"):
        read_pulumi_yaml(path)
    # A few honest aliases are fine.
    path.write_text("config:\n  p:a: &z [1, 2]\n  p:b: *z\n")
    assert read_pulumi_yaml(path) == {"config": {"p:a": [1, 2], "p:b": [1, 2]}}


def test_an_oversized_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "Pulumi.big.yaml"
    path.write_text("config:\n  p:k: " + "x" * (2 * 1024 * 1024) + "\n")
    with pytest.raises(ConfigError, match="at most 1048576 are read"):
        read_pulumi_yaml(path)


def test_integers_keep_the_text_the_user_typed(tmp_path):
    # YAML 1.1 reads 012345670123 as octal: a message must show what was typed, not 1402433619.
    path = tmp_path / "Pulumi.acct.yaml"
    path.write_text("config:\n  p:accountId: 012345670123\n")
    value = read_pulumi_yaml(path)["config"]["p:accountId"]
    assert value == 0o12345670123 and shorten(value) == "012345670123"


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        ("x" * 5000, "is not valid: stack names may only contain alphanumeric"),
        ("../../etc/passwd", "may not contain slashes"),
        ("dev stack", "is not valid"),
        ("", "is not valid"),
    ],
)
def test_stack_names_follow_the_cli_rule(project, capsys, stack, expected):
    assert run(project, stack) == 2
    err = capsys.readouterr().err
    assert expected in err and len(err) < 400 and "Traceback" not in err


def test_valid_stack_names_pass():
    for name in ("dev", "prod-eu_1.blue", "x" * 100):
        check_stack_name(name)


@pytest.mark.parametrize("raw", ["60s", "-1", "0", "nan", "inf", "1e999", "1e308"])
def test_environment_seconds_must_be_a_positive_finite_number(monkeypatch, raw):
    monkeypatch.setenv("PREVIEW_PACK_START_TIMEOUT", raw)
    with pytest.raises(PreviewError, match="PREVIEW_PACK_START_TIMEOUT.*expected a positive number of seconds"):
        env_seconds("PREVIEW_PACK_START_TIMEOUT", 60)


def test_environment_seconds_default_and_value(monkeypatch):
    monkeypatch.delenv("PREVIEW_PACK_START_TIMEOUT", raising=False)
    assert env_seconds("PREVIEW_PACK_START_TIMEOUT", 60) == 60
    monkeypatch.setenv("PREVIEW_PACK_START_TIMEOUT", "2.5")
    assert env_seconds("PREVIEW_PACK_START_TIMEOUT", 60) == 2.5


def test_pack_config_problems_name_every_non_finite_property(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"a": {"max": NaN, "limits": [1, Infinity]}, "b": -Infinity}')
    with pytest.raises(PreviewError) as raised:
        load_json_config(path, "policy pack config")
    message = str(raised.value)
    assert "a.max is nan" in message and "a.limits[1] is inf" in message and "b is -inf" in message
    path.write_text("[1, 2]")
    with pytest.raises(PreviewError, match="is a list \\(expected a JSON object\\)"):
        load_json_config(path, "policy pack config")


def test_only_plain_yaml_values_are_taken(tmp_path):
    # A !!binary value reached json.dumps as bytes: a TypeError traceback (found by the property tests).
    path = tmp_path / "Pulumi.tags.yaml"
    path.write_text("config:\n  p:a: !!binary aGVsbG8=\n  p:b: !!set {x}\n  p:c: 2024-01-01\n")
    with pytest.raises(ConfigError) as raised:
        read_pulumi_yaml(path)
    assert "line 2: a binary value" in str(raised.value) and "line 3: a set value" in str(raised.value)
    path.write_text("config:\n  p:c: 2024-01-01\n")
    assert read_pulumi_yaml(path) == {"config": {"p:c": "2024-01-01"}}


def test_load_yaml_of_an_empty_file_is_nothing(tmp_path):
    (tmp_path / "Pulumi.e.yaml").write_text("")
    assert load_yaml(tmp_path / "Pulumi.e.yaml") == (None, [])
    assert read_pulumi_yaml(tmp_path / "Pulumi.e.yaml") == {}


def test_the_shown_document_is_bounded_and_escaped():
    document = {
        "project": "p",
        "stack": "s",
        "resources": [{"name": "[red]x", "type": "t", "id": None}],
        "summary": {"byType": {"t": 1}},
        "providers": [],
        "packs": [{"name": "pk"}],
        "warnings": ["\x1b[2Jwarn"],
        "logs": [{"message": "ok\r"}],
        "violations": [{"pack": "pk", "policy": "p", "urn": "u", "message": "\x1b[31m" + "A" * 9000 + "[/]"}],
    }
    text = safe_document(document)
    message = text["violations"][0]["message"]
    assert "\x1b" not in message and "\\x1b[31m" in message and len(message) < 4100
    # Every format prints literally (no rich markup), so brackets stay as they are.
    assert text["resources"][0]["name"] == "[red]x" and text["warnings"] == ["\\x1b[2Jwarn"]
    assert text["logs"][0]["message"] == "ok\\r"
    assert message.endswith("left out]")
