"""The program runs isolated: nothing it does can end, hang or fake the preview (issue 14).

Each case runs ``python -m preview`` on ``fixtures/bad_program`` with the stack that selects one
misbehaviour; the preview must end with exit 2 and one message saying what happened, or, where the
program did nothing wrong for the preview (stdout noise, a stray thread), with a clean report.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = Path(__file__).parent / "fixtures" / "bad_program"


def preview(stack, *args, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "preview", "--program", str(PROGRAM), "--stack", stack, "--format", "json", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_error(done, *fragments):
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert done.stdout == ""  # no report that CI could read as clean
    assert "Traceback" not in done.stderr
    error = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(error) == 1, done.stderr[-2000:]
    for fragment in fragments:
        assert fragment in error[0], error[0]


@pytest.mark.parametrize(
    ("stack", "fragments"),
    [
        # In-process, os._exit(0) ended the preview with exit 0 and no output: a fake clean run.
        ("early-exit-0", ["the program exited with code 0 before its run finished"]),
        ("early-exit-5", ["the program exited with code 5 before its run finished"]),
        ("self-kill", ["the program was killed by SIGKILL"]),
        ("deep-recursion", ["program failed: RecursionError"]),
        # Only the address-space limit of the program process stops this one.
        ("large-allocation", ["program failed: OSError", "Cannot allocate memory"]),
    ],
)
def test_a_program_that_dies_gives_exit_2_naming_what_happened(stack, fragments):
    assert_error(preview(stack), *fragments)


def test_an_endless_program_is_stopped_at_the_timeout():
    done = preview("infinite-loop", "--timeout", "4")
    assert_error(done, "did not finish within 4 s (--timeout); it was running __main__.py:")


def test_program_prints_go_to_stderr_escaped_and_the_report_stays_json():
    done = preview("stdout-noise")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["outputs"] == {"fault": "stdout-noise"}
    assert '{"not": "the report"}' in done.stderr
    assert "\x1b" not in done.stderr and "\\x1b[31mred" in done.stderr


def test_a_thread_the_program_leaves_running_does_not_hold_the_preview():
    done = preview("stray-thread", timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["stack"] == "stray-thread"


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "10s", "", "1e308"])
def test_invalid_timeouts_are_refused_by_the_command_line(value):
    done = preview("stray-thread", "--timeout", value, "--policy-timeout", "5")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--timeout" in done.stderr and "positive number of seconds" in done.stderr


def gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie of a process we do not own is gone for our purposes too.
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"


def test_a_process_the_program_leaves_behind_is_killed_and_does_not_hold_the_preview(tmp_path):
    pid_file = tmp_path / "pid"
    done = subprocess.run(
        [sys.executable, "-m", "preview", "--program", str(PROGRAM), "--stack", "orphan", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "BAD_PROGRAM_PID_FILE": str(pid_file)},
    )
    assert done.returncode == 0, done.stderr
    assert gone(int(pid_file.read_text()))


def test_sigterm_stops_the_preview_and_its_program(tmp_path):
    # As a cancelled CI job: exit 130, and the endless program does not outlive the preview.
    pid_file = tmp_path / "pid"
    process = subprocess.Popen(
        [sys.executable, "-m", "preview", "--program", str(PROGRAM), "--stack", "infinite-loop"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "BAD_PROGRAM_PID_FILE": str(pid_file)},
    )
    deadline = time.monotonic() + 60
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130 and b"interrupted" in stderr and b"Traceback" not in stderr
    assert gone(int(pid_file.read_text()))
