"""Port of pulumi/pulumi-policy@805bcbcd tests/integration/validate_resource/program/index.ts."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "common"))  # the shared stand-ins

import conformance_resources as random
import pulumi
from conformance_resources import Resource

scenario = pulumi.Config().require_int("scenario")

if scenario == 2:
    Resource("hello", {"hello": "world"})
elif scenario in (3, 4, 5, 6, 9):
    name = {3: "a", 4: "b", 5: "c", 6: "d", 9: "e"}[scenario]
    Resource(name, {"state": {3: 1, 4: 2, 5: 3, 6: 4, 9: 5}[scenario]})
elif scenario == 7:
    random.RandomUuid("r1")
elif scenario == 8:
    random.RandomUuid("r2", keepers={"foo": "bar"})
elif scenario == 10:
    random.RandomPassword("pass", length=42)
elif scenario == 11:
    # A large string property: messages over 4 MB (pulumi/pulumi#4155).
    Resource("large-resource", {"state": 6, "longString": "a" * 5 * 1024 * 1024})
