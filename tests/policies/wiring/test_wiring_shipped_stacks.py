"""The shipped dev and prod stacks through the pack as the offline preview serves it: its own process,
over the Analyzer protocol. Every finding is listed here with the issue that fixes it; a new finding
or a fixed one changes this list on purpose.

* (issue 16 fixed the indexer's path to SQS: an sqs endpoint in the leasing VPCs;)
* dev's leasing endpoints sit in one AZ by choice (leasingEndpointAvailabilityZones 1 saves 7.30 USD a
  month per endpoint, issue 19): advisory, calls from the other AZ cross zones;

Fixed: prod's two-Region private API handed each VPC the other Region's NLB with no route between
them (issue 17: transit-gateway peering is now on in prod). Prod's outbox relays put to the other
Region's bus through that Region's events endpoint, reached over the VPC peering by a private zone
named events.<region>.amazonaws.com aliasing it (EventBridge has no cross-Region endpoint;
components/leasing/network.py ``_cross_region_events``): every link of that path is in the stack, and the
pack now follows such a zone (it reported the two relays before, a false positive)."""

from pathlib import Path

import pytest

from preview.analyzer import PolicyPacks, stack_resources
from preview.engine import load_project, resolve_stack_config

PACK = Path(__file__).resolve().parents[3] / "policies" / "wiring"

EXPECTED = {
    "dev": {
        ("wiring-endpoint-zones", f"leasing-us-east-1-net-{service}", "advisory")
        for service in ("events", "sqs", "secretsmanager")
    },
    "prod": set(),
}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_shipped_stacks_findings_are_the_known_defects(stack, shipped_stack):
    run = shipped_stack(stack)
    resources = stack_resources(
        run.resources,
        project="blueprints",
        stack=stack,
        outputs=run.outputs,
        config=resolve_stack_config(load_project(PACK.parents[1]), stack)[0],
    )
    with PolicyPacks([PACK], project="blueprints", stack=stack) as packs:
        diagnostics = [d for d in packs.run(resources) if d.pack == "blueprints-wiring"]
    found = {(d.policy, d.urn.rsplit("::", 1)[-1], d.level) for d in diagnostics}
    assert found == EXPECTED[stack], "\n".join(d.message for d in diagnostics)
