"""Every pack on sys.path, as the CLI runs each (its own directory on the path): the shared helpers
are tested as each pack imports them."""

import sys
from pathlib import Path

POLICIES = Path(__file__).resolve().parents[3] / "policies"
for pack in ("security", "cost", "wiring"):
    if str(POLICIES / pack) not in sys.path:
        sys.path.insert(0, str(POLICIES / pack))
