"""`python -m preview` end to end, plus the report's cost handling."""

import json
import subprocess
import sys
from pathlib import Path

from preview.__main__ import default_packs, main
from preview.analyzer import Diagnostic
from preview.report import extract_cost, render_text

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
PROGRAM = FIXTURES / "project_basic"


def _preview(*args):
    return subprocess.run(
        [sys.executable, "-m", "preview", "--program", str(PROGRAM), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_json_output_holds_resources_and_the_mandatory_violation():
    done = _preview("--stack", "dev", "--policy-pack", str(FIXTURES / "pack_rules"), "--format", "json")
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    assert (document["project"], document["stack"]) == ("fixture-basic", "dev")
    buckets = [r for r in document["resources"] if r["type"] == "aws:s3/bucket:Bucket"]
    assert len(buckets) == 1 and buckets[0]["outputs"]["arn"].startswith("arn:aws:s3:::data-bucket-0-")
    assert {"urn", "type", "name", "parent", "provider", "custom", "inputs", "outputs"} <= set(buckets[0])
    mandatory = [v for v in document["violations"] if v["level"] == "mandatory"]
    assert [(v["policy"], v["urn"]) for v in mandatory] == [("bucket-owner-tag", buckets[0]["urn"])]
    assert document["summary"]["verdict"] == "fail" and document["cost"] is None


def test_modes_say_what_pulumi_preview_and_pulumi_up_show():
    up = _preview("--stack", "dev", "--policy-pack", str(FIXTURES / "pack_rules"), "--format", "json")
    findings = json.loads(up.stdout)["violations"]
    # The missing owner tag is plain at preview: `pulumi up` stops after its preview phase.
    assert json.loads(up.stdout)["mode"] == "up" and all(v["atPreview"] is True for v in findings)
    plain = _preview(
        "--stack", "dev", "--policy-pack", str(FIXTURES / "pack_rules"), "--format", "json", "--mode", "preview"
    )
    document = json.loads(plain.stdout)
    assert plain.returncode == 1 and document["mode"] == "preview"
    assert [v["policy"] for v in document["violations"] if v["level"] == "mandatory"] == ["bucket-owner-tag"]
    assert all("atPreview" not in v for v in document["violations"])
    bad = _preview("--stack", "dev", "--mode", "apply")
    assert bad.returncode == 2 and "invalid choice: 'apply'" in bad.stderr


def test_text_output_shows_the_tree_cost_and_verdict():
    done = _preview(
        "--stack", "prod", "--policy-pack", str(FIXTURES / "pack_rules"), "--policy-pack", str(FIXTURES / "pack_cost")
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert (
        " +   ├─ fixture:storage:Storage   data " in out and " +   │  ├─ aws:s3:Bucket          data-bucket-4 " in out
    )
    assert "Estimated monthly cost (USD)" in out and "over by 5.80" in out
    assert "monthly-cost-estimate" not in out  # the estimate is not listed as a violation
    assert out.strip().splitlines()[-1].startswith("PASS with 2 advisory violation(s)")


def test_errors_exit_2_with_a_message_and_no_traceback(capsys):
    assert main(["--program", str(PROGRAM), "--stack", "crash", "--policy-pack", str(FIXTURES / "pack_rules")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: program failed: KeyError: 'missing-key'") and "Traceback" not in err

    assert main(["--program", str(PROGRAM), "--stack", "dev", "--policy-pack", str(FIXTURES / "pack_crash")]) == 2
    err = capsys.readouterr().err
    assert "policy pack pack_crash" in err and "missing price table" in err

    assert main(["--program", str(PROGRAM), "--stack", "nope"]) == 2
    assert "no stack file Pulumi.nope.yaml" in capsys.readouterr().err


def test_cost_estimate_is_lifted_out_of_the_violations():
    doc = {
        "currency": "USD",
        "total": 12.5,
        "low": 10,
        "high": 20,
        "budget": None,
        "byComponent": {"a": 12.5},
        "byRegion": {"us-east-1": 12.5},
        "resources": [],
    }
    estimate = Diagnostic(
        "cost", "monthly-cost-estimate", "advisory", "", f"Monthly cost.\nCOST_ESTIMATE_JSON {json.dumps(doc)}"
    )
    other = Diagnostic("cost", "nat-gateway-count", "advisory", "urn:x", "too many")
    cost, rest, warnings = extract_cost([other, estimate])
    assert cost == doc and rest == [other] and warnings == []
    _, rest, warnings = extract_cost(
        [Diagnostic("cost", "monthly-cost-estimate", "advisory", "", "COST_ESTIMATE_JSON {broken")]
    )
    assert rest == [] and "unreadable cost estimate" in warnings[0]


def test_without_an_estimate_the_cost_section_says_so():
    from rich.console import Console

    console = Console(record=True, width=100)
    render_text(
        {
            "project": "p",
            "stack": "s",
            "resources": [],
            "providers": [],
            "violations": [],
            "cost": None,
            "packs": [],
            "warnings": [],
            "logs": [],
            "summary": {
                "resources": 0,
                "components": 0,
                "providers": 0,
                "byType": {},
                "violations": {"mandatory": 0, "advisory": 0},
                "verdict": "pass",
            },
        },
        console,
    )
    text = console.export_text()
    assert "no estimate available" in text and "PASS" in text


def test_default_packs_are_the_policy_dirs_of_the_program(tmp_path):
    for name, has_yaml in (("security", True), ("cost", True), ("notes", False)):
        (tmp_path / "policies" / name).mkdir(parents=True)
        if has_yaml:
            (tmp_path / "policies" / name / "PulumiPolicy.yaml").write_text("runtime: python\n")
    assert [p.name for p in default_packs(tmp_path)] == ["cost", "security"]
