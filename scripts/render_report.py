"""Render a saved JSON report (``python -m preview --format json``) as markdown or SARIF, so the
pull-request job runs each stack's preview once and derives every format from the same report.

    python scripts/render_report.py markdown|sarif REPORT.json > OUT
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from preview.markdown import render_markdown
from preview.sarif import render_sarif

RENDERERS = {"markdown": render_markdown, "sarif": lambda document: render_sarif(document) + "\n"}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in RENDERERS:
        print(f"usage: render_report.py {'|'.join(RENDERERS)} REPORT.json", file=sys.stderr)
        return 2
    try:
        document = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"error: cannot read the report {argv[1]}: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(RENDERERS[argv[0]](document))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
