"""The wiring policy pack. Only assembles the pack: constructing it starts the Analyzer server and
blocks, so the rules live in ``wiring_rules`` where tests can import them."""

import gc

from pulumi_policy import EnforcementLevel, PolicyPack
from wiring_rules import POLICIES

# AnalyzeStack makes the SDK rebuild every resource once per stack policy (millions of short-lived
# objects for a large stack); the default collection thresholds then spend most of the time in
# full collections of a growing heap. A short-lived process can afford fewer collections
# (https://docs.python.org/3/library/gc.html#gc.set_threshold); measured in benchmarks/bench_analyzer.py.
gc.set_threshold(100_000, 50, 1_000)

PolicyPack(name="blueprints-wiring", enforcement_level=EnforcementLevel.MANDATORY, policies=POLICIES)
