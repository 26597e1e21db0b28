"""Port of pulumi/pulumi-policy@805bcbcd tests/integration/provider/program/index.ts."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "common"))  # the shared stand-ins

import conformance_resources as random
import pulumi
from conformance_resources import Resource

Resource("empty")
random.RandomUuid("uuid")
provider = random.Provider("my-provider")
random.RandomString("str", length=10, opts=pulumi.ResourceOptions(provider=provider))
