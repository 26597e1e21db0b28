"""Run the program in a child process, so nothing it does can end, hang or fake the preview.

The program (the user's ``__main__.py`` under the fake AWS) runs in a fresh interpreter started by
``run_isolated``, as the CLI runs it in a language host apart from the engine: this process stays
the engine (``preview.pipeline.run_preview``: the packs and the analysis of each registration), and
the child streams each registration to it as it is made, so the analysis runs on another core while
the program runs. The child has:

- its own session (``start_new_session``): Ctrl-C and signals it sends to its group stay in it;
- a wall-clock limit (``--timeout``) after which the whole group is killed; just before, the
  child dumps its Python stacks (``faulthandler`` on SIGUSR1) so the message can say which line
  of the program it was running;
- an address-space limit (``RLIMIT_AS``: allocations past it fail with ENOMEM, see
  https://man7.org/linux/man-pages/man2/setrlimit.2.html), so a memory blow-up is a
  ``MemoryError`` in the child and not the machine's OOM killer choosing a victim;
- its stdout and stderr go to a pipe the preview drains (bounded: the first and last
  ``OUTPUT_KEEP`` bytes are forwarded to stderr after the run), so program prints never mix with
  the report on stdout;
- registrations and then the result come back over a separate pipe as length-prefixed pickles
  (``("record", record)`` frames, then one final frame). The run counts only when the final frame
  is complete *and* the child then exits 0: ``os._exit(0)`` in the middle of the program gives no
  result and so an error, never a clean preview.

Any failure becomes a ``ProgramError`` with a one-line message (exit code 2 in the CLI).
"""

from __future__ import annotations

import dataclasses
import faulthandler
import os
import pickle
import re
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

from .analyzer import _die_with_parent
from .engine import ConfigError, PreviewError, ProgramError, ProgramRun
from .pipeline import ProgramRequest
from .raw_inputs import escape_controls

__all__ = ["DEFAULT_MEMORY_MB", "DEFAULT_TIMEOUT", "run_isolated"]

# A prod run takes under a minute on a loaded 2-core machine; ten minutes means "stuck", not "slow".
DEFAULT_TIMEOUT = 600.0
# Address space of the program process. A Python process with gRPC threads maps ~1 GB before it
# allocates anything (thread stacks, arenas), so the limit leaves room above that.
DEFAULT_MEMORY_MB = 4096
OUTPUT_KEEP = 32 * 1024
_HEADER = struct.Struct("!Q")
_ROOT = Path(__file__).resolve().parent.parent
_ERROR_KINDS = {"config": ConfigError, "program": ProgramError, "preview": PreviewError}
_RECORD = "record"  # the kind of a frame carrying one registration


# --------------------------------------------------------------------------------------------
# Parent side
# --------------------------------------------------------------------------------------------


def _limit_child(memory_mb: int) -> None:
    """In the child before exec: die with the preview, and cap the address space."""
    _die_with_parent()
    limit = memory_mb * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # e.g. macOS refuses to lower RLIMIT_AS: run without the cap
        pass


class _Drain(threading.Thread):
    """Reads a pipe to its end; keeps everything (result) or only its head and tail (output)."""

    def __init__(self, fd: int, keep: Optional[int]):
        super().__init__(daemon=True)
        self.fd, self.keep = fd, keep
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0

    def run(self) -> None:
        with os.fdopen(self.fd, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                if self.keep is None or len(self.head) + len(chunk) <= self.keep:
                    self.head += chunk
                    continue
                room = max(0, self.keep - len(self.head))
                self.head += chunk[:room]
                self.tail += chunk[room:]
                if len(self.tail) > self.keep:
                    self.dropped += len(self.tail) - self.keep
                    del self.tail[: len(self.tail) - self.keep]

    def text(self) -> str:
        gap = f"\n[... {self.dropped} bytes of program output left out ...]\n" if self.dropped else ""
        text = bytes(self.head).decode(errors="replace") + gap + bytes(self.tail).decode(errors="replace")
        return escape_controls(text)


class _Frames(threading.Thread):
    """Reads the child's result pipe: hands each ``("record", record)`` frame to ``on_record`` as it
    arrives and keeps the frame after the last record (the result). ``final`` stays None when the
    pipe ends in the middle of a frame or before a result."""

    def __init__(self, fd: int, on_record: Callable[[Any], None]):
        super().__init__(daemon=True)
        self.fd, self.on_record = fd, on_record
        self.final: Any = None
        self.error: Optional[BaseException] = None

    def run(self) -> None:
        with os.fdopen(self.fd, "rb") as pipe:
            while header := pipe.read(_HEADER.size):
                (size,) = _HEADER.unpack(header) if len(header) == _HEADER.size else (-1,)
                body = pipe.read(size) if size >= 0 else b""
                if size < 0 or len(body) != size:
                    self.final = None  # cut short: no result
                    return
                try:
                    kind, value = pickle.loads(body)
                except Exception as exc:  # noqa: BLE001 - a corrupt frame is the program's doing
                    self.error, self.final = exc, None
                    return
                if kind == _RECORD and self.final is None:
                    self.on_record(value)
                else:
                    self.final = (kind, value)


def _kill_session(process: subprocess.Popen) -> None:
    """Kill the child and whatever it started in its session (our own child's group only)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if process.poll() is None:
        process.kill()
        process.wait()


def _ended(code: int) -> str:
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else f"signal {-code}"
        hint = " (out of memory?)" if -code == signal.SIGKILL else ""
        return f"was killed by {name}{hint}"
    return f"exited with code {code}"


_FRAME = re.compile(r'File "(?P<file>.+)", line (?P<line>\d+) in (?P<func>.+)')


def _where(stacks: bytes, program: Path) -> str:
    """The innermost frame of the user's program in a faulthandler dump, as '; it was at ...'."""
    for match in _FRAME.finditer(stacks.decode(errors="replace")):
        file = Path(match["file"])
        try:
            relative = file.relative_to(program)
        except ValueError:
            continue
        if not {".venv", "site-packages"} & set(relative.parts):
            return f"; it was running {relative}:{match['line']} in {match['func']}"
    return ""


def _stop_with_stacks(process: subprocess.Popen, stacks: Any, program: Path) -> str:
    """Ask the child for its stacks (SIGUSR1, see ``_child``), then kill it; where it was."""
    try:
        process.send_signal(signal.SIGUSR1)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and os.fstat(stacks.fileno()).st_size == 0:
        time.sleep(0.05)
    time.sleep(0.1)  # let the dump finish
    _kill_session(process)
    stacks.seek(0)
    return _where(stacks.read(1024 * 1024), program)


def run_isolated(
    request: ProgramRequest,
    on_record: Callable[[Any], None] = lambda record: None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    forward_output: Any = None,
) -> tuple[ProgramRun, dict]:
    """Run the program of ``request`` in a child process, calling ``on_record`` (on another
    thread) with each registration as the child makes it; return the run and its call sites (as
    ``preview.pipeline.run_here``) or raise a ``PreviewError`` saying what happened. Program output
    is written to ``forward_output`` (default ``sys.stderr``) after the run, bounded."""
    program = request.program
    result_read, result_write = os.pipe()
    output_read, output_write = os.pipe()
    # Both are handed to the child as file descriptors and closed in the finally blocks below.
    stacks = tempfile.TemporaryFile()  # noqa: SIM115
    request_file = tempfile.TemporaryFile()  # noqa: SIM115
    request_file.write(pickle.dumps(request))
    request_file.seek(0)
    code = f"import sys; sys.path.insert(0, {str(_ROOT)!r}); from preview.isolation import _child; _child()"
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", code, str(result_write), str(stacks.fileno())],
            stdin=request_file,
            stdout=output_write,
            stderr=output_write,
            pass_fds=(result_write, stacks.fileno()),
            start_new_session=True,
            preexec_fn=lambda: _limit_child(memory_mb),
        )
    finally:
        os.close(result_write)
        os.close(output_write)
        request_file.close()
    result, output = _Frames(result_read, on_record), _Drain(output_read, OUTPUT_KEEP)
    result.start()
    output.start()
    try:
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            where = _stop_with_stacks(process, stacks, Path(program).resolve())
            raise ProgramError(f"the program did not finish within {timeout:g} s (--timeout){where}") from None
        _kill_session(process)  # a process the program started could hold the pipes open
        result.join(timeout=5)
        output.join(timeout=5)
    finally:
        _kill_session(process)
        stacks.close()
        text = output.text()
        if text.strip():
            stream = forward_output or sys.stderr
            stream.write(text if text.endswith("\n") else text + "\n")
    if result.error is not None:
        raise ProgramError(f"the program's result could not be read ({type(result.error).__name__})")
    payload = result.final if not result.is_alive() else None
    if payload is None:
        raise ProgramError(f"the program {_ended(returncode)} before its run finished (no result)")
    kind, value = payload
    if kind in _ERROR_KINDS:
        raise _ERROR_KINDS[kind](value)
    if returncode != 0:
        raise ProgramError(f"the program {_ended(returncode)} after its run finished")
    return value


# --------------------------------------------------------------------------------------------
# Child side
# --------------------------------------------------------------------------------------------


class _Sender:
    """The child's end of the result pipe: one length-prefixed pickle per frame, whole frames only
    (the fake AWS reports registrations from any thread)."""

    def __init__(self, fd: int):
        self._pipe = os.fdopen(fd, "wb")
        self._lock = threading.Lock()

    def send(self, kind: str, value: Any) -> None:
        body = pickle.dumps((kind, value), protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self._pipe.write(_HEADER.pack(len(body)) + body)
            self._pipe.flush()

    def record(self, record: Any) -> None:
        self.send(_RECORD, record)


def _child() -> None:
    """Entry point of the child: run the program, stream its registrations, send the result, exit
    without running the program's leftovers (non-daemon threads, atexit hooks) that could hang or
    change the exit."""
    result_fd, stacks_fd = int(sys.argv[1]), int(sys.argv[2])
    request: ProgramRequest = pickle.load(sys.stdin.buffer)
    faulthandler.register(signal.SIGUSR1, file=stacks_fd, all_threads=True)  # for the timeout message
    os.dup2(2, 1)  # stdout and stderr already share the output pipe; keep Python's objects in step
    from .pipeline import run_here

    sender = _Sender(result_fd)
    try:
        run, sites = run_here(request, sender.record)
        # The fake AWS stays here: the engine's side needs what it registered, not its state.
        value: Any = (dataclasses.replace(run, fake=None), sites)
        kind = "ok"
    except ConfigError as exc:
        kind, value = "config", str(exc)
    except ProgramError as exc:
        kind, value = "program", str(exc)
    except PreviewError as exc:
        kind, value = "preview", str(exc)
    except BaseException as exc:  # noqa: BLE001 - whatever happens, one line to the parent
        kind, value = "program", f"the program run failed: {type(exc).__name__}: {exc}".splitlines()[0]
    try:
        sender.send(kind, value)
    except Exception as exc:  # noqa: BLE001 - e.g. an output that cannot be pickled
        sender.send("program", f"the program's result could not be sent: {type(exc).__name__}: {exc}".splitlines()[0])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
