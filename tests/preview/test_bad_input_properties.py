"""Property-based tests over the config schema in Pulumi.yaml (issue 14): for any value of any
declared key, the preview ends in bounded time with exit 0, 1 or 2, no traceback, and a message
naming the key when it is 2.

Two levels, to keep the suite fast:
- the preview's own config stage (stack file read, project schema, type checks), in-process,
  many cases;
- the whole preview (``python -m preview``, program in its own process, bounded by --timeout),
  a few cases, on a copy of the project without its policy packs and with every architecture
  off, so one run costs one program start.

Generated cases: ``CONFIG_STAGE_CASES`` + ``END_TO_END_CASES`` (see the settings below).

``BAD_INPUT_ENABLE_SECTIONS=1`` also switches on the architecture the key belongs to, so its
value reaches the components (minutes per case). Before the value checks of
``config/value_checks.py`` are wired into the reader, this finds the hangs of issue 14
(``privateApiThrottleRateLimit: "nan"``): they now end at --timeout with exit 2, without the key.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from preview.engine import ConfigError, load_project, resolve_stack_config

ROOT = Path(__file__).resolve().parents[2]
CONFIG_STAGE_CASES = 100
END_TO_END_CASES = 4
PROJECT = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
NAME = PROJECT["name"]
KEYS = sorted(k for k in PROJECT["config"] if ":" not in k) + ["aws:region"]

# Values as YAML text, including what YAML reads in surprising ways (octal, NaN, anchors).
RAW_SNIPPETS = [
    "012345670123",
    ".nan",
    "-.inf",
    "1e30",
    "1.0e+30",
    "''",
    "' '",
    "~",
    "0x1F",
    "[]",
    "{}",
    "[[[[1]]]]",
    "&a [1, *a]",
    "!!binary aGVsbG8=",
    "2024-01-01",
    "!!set {x}",
    "'\U0001f680'",
    "yes",
    "-5",
    "99999999999999999999",
    "'nan'",
    "'us-east-9'",
    "{a: {b: {c: 1}}}",
]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.lists(st.one_of(st.text(max_size=8), st.integers()), max_size=4),
    st.dictionaries(st.text(max_size=6), st.one_of(st.text(max_size=6), st.integers()), max_size=3),
)
SNIPPETS = st.one_of(
    st.sampled_from(RAW_SNIPPETS),
    VALUES.map(lambda v: yaml.safe_dump(v, default_flow_style=True, width=10**6).strip().removesuffix("...").strip()),
)


ENABLE_SECTIONS = os.environ.get("BAD_INPUT_ENABLE_SECTIONS") == "1"
_SWITCHES = [k.removesuffix("Enabled") for k in PROJECT["config"] if k.endswith("Enabled") and ":" not in k]
# eventsEnabled, not eventsProducerEnabled: a section's switch has no other switch as its prefix.
SECTION_SWITCHES = sorted(f"{s}Enabled" for s in _SWITCHES if not any(s != o and s.startswith(o) for o in _SWITCHES))


def stack_text(key: str, snippet: str, enable_section: bool = False) -> str:
    full = key if ":" in key else f"{NAME}:{key}"
    lines = [f"  {full}: {snippet}"]
    if enable_section:  # eventsBusName -> eventsEnabled: true
        lines += [
            f"  {NAME}:{switch}: true"
            for switch in SECTION_SWITCHES
            if key.startswith(switch.removesuffix("Enabled")) and switch != key
        ]
    return "config:\n" + "\n".join(lines) + "\n"


def names_the_key(message: str, key: str) -> bool:
    return key in message


@settings(
    max_examples=CONFIG_STAGE_CASES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(key=st.sampled_from(KEYS), snippet=SNIPPETS)
def test_the_config_stage_accepts_or_names_the_key(tmp_path, key, snippet):
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "Pulumi.prop.yaml").write_text(stack_text(key, snippet))
    project = load_project(tmp_path)
    try:
        config, _ = resolve_stack_config(project, "prop")
    except ConfigError as exc:
        # Problems of the file as a whole (YAML syntax, alias expansion) name the file and line.
        assert names_the_key(str(exc), key) or "Pulumi.prop.yaml" in str(exc), str(exc)
        return
    assert all(isinstance(v, str) for v in config.values())


@pytest.fixture(scope="module")
def project_without_packs(tmp_path_factory):
    """The project by symlinks, minus its policy packs and stack files."""
    root = tmp_path_factory.mktemp("project")
    for entry in ROOT.iterdir():
        if entry.name in ("policies", "tests", ".venv", ".git", "benchmarks") or entry.name.startswith("Pulumi."):
            continue
        (root / entry.name).symlink_to(entry)
    (root / "Pulumi.yaml").symlink_to(ROOT / "Pulumi.yaml")
    return root


@settings(
    max_examples=END_TO_END_CASES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(key=st.sampled_from(KEYS), snippet=SNIPPETS)
def test_the_whole_preview_ends_with_0_1_or_2_and_names_the_key(project_without_packs, key, snippet):
    (project_without_packs / "Pulumi.prop.yaml").write_text(stack_text(key, snippet, ENABLE_SECTIONS))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "preview",
            "--program",
            str(project_without_packs),
            "--stack",
            "prop",
            "--format",
            "json",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode in (0, 1, 2), done.stderr[-2000:]
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    if done.returncode == 2:
        assert names_the_key(done.stderr, key) or "Pulumi.prop.yaml" in done.stderr, done.stderr[-2000:]
