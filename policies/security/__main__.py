"""The least-privilege policy pack. Only assembles the pack: constructing it starts the Analyzer server and
blocks, so the rules live in ``security_rules`` where tests can import them."""

from pulumi_policy import EnforcementLevel, PolicyPack
from security_rules import POLICIES
from security_rules.serving import prepare

prepare()  # the SDK's per-request conversion done once, and fewer GC passes (policies/shared/serving.py)
PolicyPack(name="blueprints-security", enforcement_level=EnforcementLevel.MANDATORY, policies=POLICIES)
