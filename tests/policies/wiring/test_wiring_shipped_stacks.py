"""The shipped dev and prod stacks through the pack as the offline preview serves it: its own process,
over the Analyzer protocol. Every finding is listed here with the issue that fixes it; a new finding
or a fixed one changes this list on purpose.

* the search indexer's failure-queue SendMessage has no path (only an events endpoint, no NAT): issue 16;
* prod's two-Region private API hands each VPC the other Region's NLB with no route between them
  (transit-gateway peering off): issue 17."""

from pathlib import Path

import pytest

from preview.analyzer import PolicyPacks, stack_resources

PACK = Path(__file__).resolve().parents[3] / "policies" / "wiring"

EXPECTED = {
    "dev": {("wiring-vpc-compute-reaches-apis", "search-useast1-indexer", "mandatory")},
    "prod": {("wiring-vpc-compute-reaches-apis", "search-useast1-indexer", "mandatory"),
             ("wiring-vpc-compute-reaches-apis", "search-uswest2-indexer", "mandatory"),
             ("wiring-private-dns-reachable", "resilient-api-us-east-1-record", "mandatory"),
             ("wiring-private-dns-reachable", "resilient-api-us-west-2-record", "mandatory")},
}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_shipped_stacks_findings_are_the_known_defects(stack, shipped_stack):
    run = shipped_stack(stack)
    resources = stack_resources(run.resources, project="blueprints", stack=stack, outputs=run.outputs,
                                default_region="us-east-1")
    with PolicyPacks([PACK], project="blueprints", stack=stack) as packs:
        diagnostics = [d for d in packs.run(resources) if d.pack == "blueprints-wiring"]
    found = {(d.policy, d.urn.rsplit("::", 1)[-1], d.level) for d in diagnostics}
    assert found == EXPECTED[stack], "\n".join(d.message for d in diagnostics)
    if stack == "prod":
        [dns] = [d.message for d in diagnostics if d.urn.endswith("::resilient-api-us-east-1-record")]
        assert "VPC resilient-api-us-west-2-net-vpc (us-west-2)" in dns and "resilient-api-us-east-1-nlb" in dns
