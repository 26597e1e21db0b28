"""The pull-request comment of the offline preview: one section per stack, under GitHub's size limit.

Reads what each stack's job left in DIR: ``preview-<stack>.md`` (the markdown report), or, when the
preview stopped before writing one, ``preview-<stack>.err`` and ``preview-<stack>.exit``: a failed
stack shows its error instead of vanishing from the comment. The body starts with MARKER, by which
the workflow finds its own comment again (never another tool's, such as pulumi/actions' comment,
posted by the same github-actions[bot] account). Over the limit, each stack keeps an equal share,
cut at a line with its open code fence and <details> closed, and points to the run's artifacts.

    python3 scripts/pr_comment.py --dir DIR --run-url URL dev prod > comment.md

Standard library only: the comment job installs nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

MARKER = "<!-- blueprints-offline-preview -->"
# GitHub refuses a comment body longer than 65,536 characters (REST API: "body is too long").
LIMIT = 65_536
_ERROR_LINES = 40


def stack_section(directory: Path, stack: str) -> str:
    report = directory / f"preview-{stack}.md"
    if report.is_file() and report.read_text(encoding="utf-8").strip():
        return report.read_text(encoding="utf-8")
    error = directory / f"preview-{stack}.err"
    exit_file = directory / f"preview-{stack}.exit"
    code = exit_file.read_text().strip() if exit_file.is_file() else "unknown"
    lines = error.read_text(encoding="utf-8", errors="replace").splitlines() if error.is_file() else []
    shown = "\n".join(lines[-_ERROR_LINES:]).replace("```", "'''")  # cannot close the block early
    shown = shown or "(no output: the job stopped before the preview ran)"
    return (
        f"### Offline preview: `{stack}` — ⛔ error (exit {code})\n\n"
        f"The preview of `{stack}` stopped before producing a report:\n\n```text\n{shown}\n```\n"
    )


def _close_open_blocks(text: str) -> str:
    fences = sum(1 for line in text.splitlines() if line.startswith("```"))
    closing = "\n```" if fences % 2 else ""
    details = text.count("<details") - text.count("</details>")
    return text + closing + "\n\n</details>" * max(details, 0)


def _truncate(section: str, budget: int, note: str) -> str:
    if len(section) <= budget:
        return section
    room = max(budget - len(note) - 200, 0)  # 200: the closing fence and details tags
    cut = section[:room].rsplit("\n", 1)[0]
    return _close_open_blocks(cut) + "\n\n" + note + "\n"


def build_comment(sections: list[str], run_url: str, limit: int = LIMIT) -> str:
    footer = (
        f"\n---\nFull reports (JSON, markdown, SARIF) of each stack: the `offline-preview-<stack>` artifacts "
        f"of [this run]({run_url}).\n"
    )
    note = f"_Cut to fit a comment: the full report is in the artifacts of [this run]({run_url})._"
    budget = limit - len(MARKER) - len(footer) - 2 * len(sections) - 16
    # Equal shares, smallest section first, so what a small one leaves unused goes to the larger ones.
    kept: dict[int, str] = {}
    for position, index in enumerate(sorted(range(len(sections)), key=lambda i: len(sections[i]))):
        kept[index] = _truncate(sections[index], budget // (len(sections) - position), note)
        budget -= len(kept[index])
    return MARKER + "\n" + "\n\n".join(kept[i].rstrip("\n") for i in range(len(sections))) + "\n" + footer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--dir", type=Path, default=Path("."), help="where the stacks' artifacts were downloaded")
    parser.add_argument("--run-url", required=True, help="the workflow run, whose artifacts hold the full reports")
    parser.add_argument("stacks", nargs="+")
    args = parser.parse_args(argv)
    sys.stdout.write(build_comment([stack_section(args.dir, s) for s in args.stacks], args.run_url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
