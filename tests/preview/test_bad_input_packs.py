"""Policy packs that misbehave end the preview with exit 2 and one line naming the pack and the
call, never a hang, a traceback or a clean result (issue 14)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
PROGRAM = FIXTURES / "bad_pack_program"


def preview(*args, env=None, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "preview", "--program", str(PROGRAM), "--stack", "dev", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def error_line(done):
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr and done.stdout == ""
    lines = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, done.stderr[-2000:]
    return lines[0]


@pytest.mark.parametrize(
    ("pack", "fragments"),
    [
        # Before: no deadline on the calls, the preview waited for ever.
        (
            "bad_pack_stall",
            [
                "policy pack bad_pack_stall",
                "did not answer Analyze of urn:pulumi:dev::fixture-bad-pack-program::aws:s3/bucket:Bucket",
                "within 3 s (--policy-timeout)",
            ],
        ),
        (
            "bad_pack_import_crash",
            [
                "policy pack bad_pack_import_crash",
                "exited with code 1 before serving",
                "No module named 'module_that_does_not_exist'",
            ],
        ),
        # Before: a TimeoutExpired traceback and exit 1.
        (
            "bad_pack_garbage_port",
            ["policy pack bad_pack_garbage_port", "wrote a non-numeric port to stdout", "starting up, please wait"],
        ),
        # Before: both were ignored and the run exited 0.
        ("bad_pack_bad_yaml", ["policy pack bad_pack_bad_yaml", "PulumiPolicy.yaml: invalid YAML: line 3"]),
    ],
)
def test_a_broken_pack_gives_exit_2_naming_the_pack(pack, fragments):
    line = error_line(preview("--policy-pack", str(FIXTURES / pack), "--policy-timeout", "3"))
    for fragment in fragments:
        assert fragment in line, line


def test_a_missing_virtualenv_is_named_with_what_is_expected():
    done = preview("--policy-pack", str(FIXTURES / "bad_pack_missing_venv"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert (
        "'runtime.options.virtualenv' is \"venv-that-is-not-there\", which doesn't appear to be a virtual environment"
    ) in done.stderr


def test_huge_pack_output_is_drained_and_its_message_bounded_and_escaped_in_the_terminal():
    done = preview("--policy-pack", str(FIXTURES / "bad_pack_huge_output"))
    assert done.returncode == 0, done.stderr[-2000:]
    # The 2 MB message ends with "[/bold]": as rich markup it would have been a MarkupError.
    assert "\x1b" not in done.stdout and "\\x1b[2J" in done.stdout
    assert len(done.stdout) < 40_000 and "more characters left out" in done.stdout.replace("\n", "")


def test_an_invalid_pack_start_timeout_is_a_clear_error():
    # Before: float("60s") raised at import, a traceback with exit 1. Other values: test_bad_input_files.
    line = error_line(preview("--policy-pack", str(FIXTURES / "pack_rules"), env={"PREVIEW_PACK_START_TIMEOUT": "60s"}))
    assert 'environment variable PREVIEW_PACK_START_TIMEOUT="60s" is not valid' in line


def test_nan_in_a_pack_config_names_the_property(tmp_path):
    config = tmp_path / "rules.json"
    config.write_text('{"bucket-owner-tag": {"enforcementLevel": "mandatory", "max": NaN}}')
    done = preview("--policy-pack", str(FIXTURES / "pack_rules"), "--policy-pack-config", str(config))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "bucket-owner-tag.max is nan (expected a finite number" in done.stderr
