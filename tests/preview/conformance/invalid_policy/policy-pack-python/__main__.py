# Python port of pulumi/pulumi-policy@805bcbcd3a6d826eab5574bd8976301161008acf
# tests/integration/invalid_policy/policy-pack/index.ts (upstream has no Python pack): the same three
# invalid packs, which the Python SDK refuses in pulumi_policy/policy.py with its own wording.

from pulumi import Config
from pulumi_policy import EnforcementLevel, PolicyConfigSchema, PolicyPack, ResourceValidationPolicy


def never(args, report_violation):
    raise AssertionError("Should never run.")


scenario = Config().require_int("scenario")
if scenario == 1:
    policy = ResourceValidationPolicy(
        name="all", description="Invalid policy name.", validate=never, enforcement_level=EnforcementLevel.MANDATORY
    )
elif scenario == 2:
    policy = ResourceValidationPolicy(
        name="foo",
        description="Invalid schema: enforcementLevel cannot be added to `properties`.",
        validate=never,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(properties={"enforcementLevel": {"type": "string"}}),
    )
else:
    policy = ResourceValidationPolicy(
        name="foo",
        description="Invalid schema: enforcementLevel cannot be added to `required`.",
        validate=never,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(properties={"foo": {"type": "string"}}, required=["enforcementLevel"]),
    )

PolicyPack(name="invalid-policy", policies=[policy])
