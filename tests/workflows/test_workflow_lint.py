"""The GitHub Actions workflows pass actionlint and zizmor, and keep their security properties."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = BIN / name if (BIN / name).exists() else shutil.which(name)
    assert path, f"{name} is not installed (uv sync installs it)"
    return str(path)


def test_there_are_workflows_for_tests_preview_and_deploy():
    assert {p.stem for p in WORKFLOWS} >= {"tests", "preview", "deploy"}


def test_actionlint_is_clean():
    result = subprocess.run(
        [tool("actionlint"), "-no-color", *map(str, WORKFLOWS)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_script_injection(tmp_path):
    """The linter really runs: an untrusted expression in run: is reported."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: issues\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.issue.title }}\n"
    )
    result = subprocess.run([tool("actionlint"), "-no-color", str(bad)], capture_output=True, text=True)
    assert result.returncode == 1 and "potentially untrusted" in result.stdout


def test_zizmor_is_clean_even_pedantic():
    result = subprocess.run(
        [tool("zizmor"), "--offline", "--persona", "pedantic", "--no-progress", str(ROOT / ".github" / "workflows")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_by_commit_sha(workflow):
    for line in workflow.read_text().splitlines():
        match = re.search(r"uses:\s*(\S+)", line)
        if match and not match.group(1).startswith("./"):
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", match.group(1)), line
            assert "#" in line, f"pinned action without its version comment: {line}"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_empty_by_default_and_granted_per_job(workflow):
    document = yaml.safe_load(workflow.read_text())
    assert document["permissions"] == {}
    for name, job in document["jobs"].items():
        assert "permissions" in job, f"job {name} relies on default permissions"
        assert "write-all" not in str(job["permissions"])


def test_only_deploy_and_pulumi_preview_get_an_oidc_token():
    granted = {}
    for workflow in WORKFLOWS:
        for name, job in yaml.safe_load(workflow.read_text())["jobs"].items():
            if job["permissions"].get("id-token") == "write":
                granted[f"{workflow.stem}.{name}"] = job
    assert set(granted) == {"deploy.up", "preview.pulumi"}
    assert "github.event.pull_request.head.repo.full_name == github.repository" in granted["preview.pulumi"]["if"]
