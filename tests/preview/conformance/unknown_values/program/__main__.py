"""Port of pulumi/pulumi-policy@805bcbcd tests/integration/unknown_values/program/index.ts."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "common"))  # the shared stand-ins


import conformance_resources as random

text = random.RandomString("str", length=10)
random.RandomPet("pet", prefix=text.result)
