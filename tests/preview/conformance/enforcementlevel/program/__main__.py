"""Port of pulumi/pulumi-policy@805bcbcd tests/integration/enforcementlevel/program/index.ts."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "common"))  # the shared stand-ins


import conformance_resources as random

random.RandomString("str", length=10)
