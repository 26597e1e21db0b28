"""The cost policy pack. Only assembles the pack: constructing it starts the Analyzer server and
blocks, so the rules live in ``cost_rules`` where tests can import them."""

from cost_rules import POLICIES
from cost_rules.serving import prepare
from pulumi_policy import EnforcementLevel, PolicyPack

prepare()  # the SDK's per-request conversion done once, and fewer GC passes (policies/shared/serving.py)
PolicyPack(name="blueprints-cost", enforcement_level=EnforcementLevel.ADVISORY, policies=POLICIES)
