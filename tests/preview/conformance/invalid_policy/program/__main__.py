"""Port of pulumi/pulumi-policy@805bcbcd tests/integration/invalid_policy/program/index.ts: empty."""
