"""Port of pulumi/pulumi-policy@805bcbcd tests/integration/runtime_data/program/index.ts."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "common"))  # the shared stand-ins

import pulumi
from conformance_resources import Resource

# A dynamic resource that carries runtime data in its inputs; the pack checks it sees the same.
Resource(
    "Hello",
    {
        "allConfig": {key: pulumi.runtime.get_config(key) for key in ("runtime_data:aConfigValue", "aws:region")},
        "getProject": pulumi.get_project(),
        "getStack": pulumi.get_stack(),
        "isDryRun": pulumi.runtime.is_dry_run(),
    },
)
