"""The wiring pack's tests import ``wiring_rules`` the way the CLI runs the pack (its own directory
on sys.path), and the shared helpers in ``wiring_helpers``."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACK = HERE.parents[2] / "policies" / "wiring"
for path in (PACK, HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
