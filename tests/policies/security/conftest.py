"""The security pack's tests import ``security_rules`` the way the CLI runs the pack (its own directory
on sys.path), and the shared helpers in ``security_policy_helpers``."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACK = HERE.parents[2] / "policies" / "security"
for path in (PACK, HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
