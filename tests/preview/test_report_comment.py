"""The pull-request comment: one section per stack, a failed stack's error shown, under GitHub's
65,536-character limit with open blocks closed, and found again only by its own marker."""

import subprocess
import sys

import yaml

from tests.preview.reporting import PACKS, ROOT, preview, report_file

sys.path.insert(0, str(ROOT / "scripts"))
import pr_comment

WORKFLOW = ROOT / ".github" / "workflows" / "preview.yml"


def test_a_failed_stack_shows_its_error_next_to_the_other_report(tmp_path):
    (tmp_path / "preview-dev.md").write_text("### Offline preview: `blueprints` / `dev` — ✅ pass\n")
    (tmp_path / "preview-prod.err").write_text("uv sync ...\nerror: program failed: KeyError: 'x'\n  at a.py:3\n")
    (tmp_path / "preview-prod.exit").write_text("2\n")
    body = pr_comment.build_comment([pr_comment.stack_section(tmp_path, s) for s in ("dev", "prod")], "https://run")
    assert body.startswith(pr_comment.MARKER + "\n### Offline preview: `blueprints` / `dev`")
    assert "### Offline preview: `prod` — ⛔ error (exit 2)" in body
    assert "error: program failed: KeyError: 'x'\n  at a.py:3\n```" in body


def test_long_reports_are_cut_to_fit_with_their_blocks_closed():
    def huge(stack):
        rows = "\n".join(f"- finding {i} on `resource-{i}`" for i in range(4000))
        return f"### `{stack}`\n\n<details><summary>all</summary>\n\n```diff\n{rows}\n```\n\n</details>\n"

    small = "### `tiny`\n\nnothing to see\n"
    body = pr_comment.build_comment([huge("dev"), small, huge("prod")], "https://run")
    assert len(body) <= pr_comment.LIMIT < len(huge("dev")) * 2
    assert body.count("### `") == 3 and "nothing to see" in body  # every stack keeps its section
    assert sum(1 for line in body.splitlines() if line.startswith("```")) % 2 == 0
    assert body.count("<details") == body.count("</details>")
    assert body.count("_Cut to fit a comment") == 2
    assert len(body) > pr_comment.LIMIT - 2000  # the room is used, not wasted


def test_the_workflow_updates_only_its_own_comment():
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    script = "\n".join(step.get("run", "") for step in jobs["comment"]["steps"])
    assert "--edit-last" not in script  # that edits the bot's last comment, whichever tool wrote it
    assert 'startswith(\\"$marker\\")' in script and 'marker="$(head -n 1 comment.md)"' in script
    assert "scripts/pr_comment.py" in script
    upload = next(s for s in jobs["code-scanning"]["steps"] if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["category"] == "offline-preview-${{ matrix.stack }}"


def test_markdown_and_sarif_rendered_from_the_saved_report_match_the_direct_formats(tmp_path):
    saved = report_file("prod", tmp_path)
    for fmt in ("markdown", "sarif"):
        rendered = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "render_report.py"), fmt, str(saved)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert rendered == preview("--stack", "prod", *PACKS, "--format", fmt).stdout
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "render_report.py"), "markdown", str(tmp_path / "missing.json")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "cannot read the report" in done.stderr and "Traceback" not in done.stderr
