"""The program runs in a child process and the engine's side (packs, analysis, report) in this one
(preview.isolation, preview.pipeline): registrations reach this side while the program still runs,
the run that comes back is the one the program made, and this side never loads the Pulumi SDK."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from preview.isolation import run_isolated
from preview.pipeline import ProgramRequest, run_here

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "tests" / "preview" / "fixtures" / "project_basic"


def test_each_registration_reaches_the_engine_side_while_the_program_runs(tmp_path):
    program = tmp_path / "program"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: streamed\nruntime:\n  name: python\n")
    (program / "Pulumi.dev.yaml").write_text("config: {}\n")
    # Registers a queue; the second waits (once the first is registered, in an apply on its id) for
    # this test to have seen the first.
    seen = tmp_path / "seen"
    (program / "__main__.py").write_text(
        "import time, pathlib, pulumi\n"
        f"seen = pathlib.Path({str(seen)!r})\n"
        "def wait(_):\n"
        "    deadline = time.monotonic() + 60\n"
        "    while not seen.exists() and time.monotonic() < deadline:\n"
        "        time.sleep(0.05)\n"
        "    return seen.exists()\n"
        "first = pulumi.CustomResource('aws:sqs/queue:Queue', 'first', {'name': 'first'})\n"
        "pulumi.CustomResource('aws:sqs/queue:Queue', 'second', {'name': 'second', 'saw': first.id.apply(wait)})\n"
    )
    arrived = []

    def on_record(record):
        arrived.append(record)
        if record.name == "first":
            seen.write_text("yes")

    started = time.monotonic()
    run, _ = run_isolated(ProgramRequest(program, "dev"), on_record, timeout=120)

    assert time.monotonic() - started < 60, "the program waited for a record the engine side never got"
    assert [r.urn for r in arrived] == [r.urn for r in run.resources]
    second = next(r for r in run.resources if r.name == "second")
    assert second.inputs["saw"] is True  # the first reached this side before the program ended
    assert run.fake is None  # the fake AWS stays in the program's process


def test_the_isolated_run_is_the_run_in_process():
    request = ProgramRequest(PROGRAM, "dev")
    here, here_sites = run_here(request, lambda record: None)
    there, there_sites = run_isolated(request, timeout=120)

    assert [(r.urn, r.inputs, r.outputs) for r in there.resources] == [
        (r.urn, r.inputs, r.outputs) for r in here.resources
    ]

    def said(run):  # the SDK's own debug lines interleave with its threads differently in each run
        return [log for log in run.logs if log.severity != "debug"]

    assert (there.outputs, there.warnings, said(there), there_sites) == (
        here.outputs,
        here.warnings,
        said(here),
        here_sites,
    )


def test_the_engine_side_reads_records_and_speaks_the_analyzer_protocol_without_the_pulumi_sdk():
    # Loading the SDK costs about a second of CPU, on the core the program needs (preview.analyzer
    # _analyzer_modules); a program run in the same process later still gets the SDK's own classes.
    code = f"""
import pickle, sys
sys.path.insert(0, {str(ROOT)!r})
from preview.records import ResourceRecord
from preview import analyzer
from preview.phases import PreviewView
analyzer._protos()
record = pickle.loads(pickle.dumps(ResourceRecord("aws:sqs/queue:Queue", "q", "q-1", True, "", {{}}, {{}})))
PreviewView().add(analyzer.stack_resources([record], project="p", stack="s")[-1])
assert "pulumi" not in sys.modules, sorted(m for m in sys.modules if m.startswith("pulumi"))[:5]
from pulumi.runtime.proto import analyzer_pb2
assert analyzer_pb2.AnalyzeRequest is analyzer.analyzer_pb2.AnalyzeRequest
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
