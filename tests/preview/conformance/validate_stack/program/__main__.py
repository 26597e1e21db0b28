"""Port of pulumi/pulumi-policy@805bcbcd tests/integration/validate_stack/program/index.ts."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "common"))  # the shared stand-ins

import conformance_resources as random
import pulumi
from conformance_resources import Resource

scenario = pulumi.Config().get_int("scenario")

if scenario == 2:
    Resource("hello", {"hello": "world"})
elif scenario in (3, 4, 5):
    Resource({3: "a", 4: "b", 5: "c"}[scenario], {"state": scenario - 2})
elif scenario == 6:
    random.RandomUuid("r1")
elif scenario == 7:
    random.RandomString("r2", length=10)
elif scenario == 8:
    random.RandomPassword("r3", length=42)
elif scenario == 9:
    for name in ("x", "y", "z"):
        random.RandomInteger(name, min=0, max=10)
elif scenario == 10:
    Resource("d", {"foo": "bar"})
