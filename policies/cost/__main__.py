"""The cost policy pack. Only assembles the pack: constructing it starts the Analyzer server and
blocks, so the rules live in ``cost_rules`` where tests can import them."""

from cost_rules import POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(name="blueprints-cost", enforcement_level=EnforcementLevel.ADVISORY, policies=POLICIES)
