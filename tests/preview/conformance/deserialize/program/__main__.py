"""Port of pulumi/pulumi-policy@805bcbcd tests/integration/deserialize/program/index.ts."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "common"))  # the shared stand-ins

import pulumi
from conformance_resources import Resource

Resource(
    "hello",
    {
        "secret": pulumi.Output.secret("a secret value"),
        "fileAsset": pulumi.FileAsset("__main__.py"),
        "stringAsset": pulumi.StringAsset("some text"),
        "fileArchive": pulumi.FileArchive("."),
        "assetArchive": pulumi.AssetArchive(
            {
                "fileAsset": pulumi.FileAsset("__main__.py"),
                "stringAsset": pulumi.StringAsset("some text"),
                "fileArchive": pulumi.FileArchive("."),
            }
        ),
    },
)
