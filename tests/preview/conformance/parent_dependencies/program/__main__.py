"""Port of pulumi/pulumi-policy@805bcbcd tests/integration/parent_dependencies/program/index.ts."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "common"))  # the shared stand-ins

import conformance_resources as random
import pulumi
from conformance_resources import Resource

parent = Resource("parent")
Resource("child", opts=pulumi.ResourceOptions(parent=parent))
a = Resource("a")
Resource("b", opts=pulumi.ResourceOptions(depends_on=[a]))
text = random.RandomString("str", length=10)
random.RandomPet("pet", prefix=text.result)
