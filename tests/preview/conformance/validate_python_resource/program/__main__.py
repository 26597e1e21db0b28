"""Port of pulumi/pulumi-policy@805bcbcd tests/integration/validate_python_resource/program/__main__.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "common"))  # the shared stand-ins

import conformance_resources as random
import pulumi

scenario = pulumi.Config().require_int("scenario")

if scenario == 1:
    random.RandomUuid("r1")
elif scenario == 2:
    random.RandomUuid("r2", keepers={})
elif scenario == 3:
    random.RandomUuid("r3", keepers={"foo": "bar"})
