"""Writing the report: a reader that leaves early ends the preview quietly with its verdict; a
failed write is exit 2 with a message (issue 14)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = Path(__file__).parent / "fixtures" / "bad_pack_program"
COMMAND = [sys.executable, "-m", "preview", "--program", str(PROGRAM), "--stack", "dev"]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_closed_pipe_ends_quietly_with_the_verdict(fmt):
    # As `python -m preview | head -0`: the reader is gone before the report is written.
    process = subprocess.Popen([*COMMAND, "--format", fmt], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr and "Exception ignored" not in stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_disk_is_exit_2_with_a_message():
    with open("/dev/full", "w") as full:
        done = subprocess.run(COMMAND, cwd=ROOT, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "error: cannot write the report to stdout: No space left on device" in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
