"""The README's set-up: `make setup` / `make preview` on a machine with only an externally managed
python3 (Debian/Ubuntu, PEP 668) and make, and `make preview > file` holding only the report."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "preview" / "fixtures"
# The system interpreter of Debian/Ubuntu; its stdlib directory carries the PEP 668 marker.
SYSTEM_PYTHON = Path("/usr/bin/python3")
SYSTEM_PATH = "/usr/bin:/bin"


def _system_python_is_externally_managed() -> bool:
    if not SYSTEM_PYTHON.exists():
        return False
    stdlib = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return (Path(stdlib) / "EXTERNALLY-MANAGED").is_file()


@pytest.mark.skipif(
    not _system_python_is_externally_managed()
    or shutil.which("uv", path=SYSTEM_PATH) is not None
    or shutil.which("make", path=SYSTEM_PATH) is None,
    reason="needs a Debian/Ubuntu python3 with the EXTERNALLY-MANAGED marker, make, and no uv in /usr/bin:/bin",
)
def test_setup_works_with_only_an_externally_managed_python3_and_make(tmp_path):
    env = {"HOME": str(Path.home()), "PATH": SYSTEM_PATH, "LANG": "C.UTF-8"}  # no uv, no venv active
    # The machine is what the issue describes: pip refuses to install into the system python3.
    refused = subprocess.run(
        ["python3", "-m", "pip", "install", "--dry-run", "uv"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0 and "externally-managed-environment" in refused.stderr

    for name in ("Makefile", "pyproject.toml", "uv.lock", "scripts/bootstrap-uv.sh"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    done = subprocess.run(["make", "setup"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # nothing on stdout, so `make preview > file` is the report alone
    assert (tmp_path / ".build/uv-bootstrap/bin/uv").is_file()
    imported = subprocess.run(
        [str(tmp_path / ".venv/bin/python"), "-c", "import pulumi, pulumi_aws, rich"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert imported.returncode == 0, imported.stderr
    # Running it again reuses both environments.
    again = subprocess.run(["make", "setup"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and again.stdout == "" and "installing uv" not in again.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_make_preview_redirected_to_a_file_is_exactly_the_report(fmt):
    program = ["--program", str(FIXTURES / "project_basic"), "--policy-pack", str(FIXTURES / "pack_rules")]
    done = subprocess.run(
        ["make", "preview", f"FORMAT={fmt}", f"PREVIEW_ARGS={' '.join(program)}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # The fixture has a mandatory violation: the preview exits 1, which make reports as its own 2.
    assert done.returncode == 2, done.stderr
    json.loads(done.stdout)  # no echoed command line, no make chatter
    direct = subprocess.run(
        [sys.executable, "-m", "preview", "--stack", "dev", "--format", fmt, *program],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.stdout == direct.stdout
