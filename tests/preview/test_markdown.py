"""The markdown report (pull-request comment): plan, Mermaid diagram, cost table, findings."""

import re
import subprocess
import sys
from pathlib import Path

from preview.markdown import render_markdown

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"


def test_markdown_of_a_two_account_fixture_project():
    done = subprocess.run(
        [sys.executable, "-m", "preview", "--program", str(FIXTURES / "project_basic"), "--stack", "prod",
         "--policy-pack", str(FIXTURES / "pack_rules"), "--policy-pack", str(FIXTURES / "pack_cost"),
         "--format", "markdown"], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("### Offline preview: `fixture-basic` / `prod` — ✅ pass")
    # The plan: resources per component and place.
    assert "| data | 111111111111 / eu-west-1 | 6 |" in out
    assert "| replica | 222222222222 / us-west-2 | 2 |" in out
    # The diagram: each component inside its account and Region.
    diagram = out.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert diagram.startswith("flowchart LR")
    account_block = diagram.split('subgraph acct_222222222222["account 222222222222"]', 1)[1].split("\n  end", 1)[0]
    assert '["us-west-2"]' in account_block and "replica<br/>fixture:storage:Storage" in account_block
    assert "data<br/>" not in account_block
    # The cost table and the budget verdict.
    assert "| **total** | **15.80** |" in out and "| budget | 10.00 (over budget) |" in out
    # Findings, advisory ones with their resource.
    assert re.search(r"\| advisory \| fixture-rules \| `queue-retention` \| data-queue \| retention 1209600 s", out)
    assert "monthly-cost-estimate" not in out.split("#### Policy findings", 1)[1]


def document(resources, violations=(), cost=None):
    return {"project": "p", "stack": "s", "resources": resources, "violations": list(violations), "cost": cost,
            "warnings": [], "summary": {"resources": sum(r["custom"] for r in resources), "components": 1,
                                        "byType": {}, "violations": {"mandatory": 1, "advisory": 0},
                                        "verdict": "fail"}}


def resource(urn, type_, parent, custom=True, region=None, account="111111111111"):
    return {"urn": urn, "type": type_, "name": urn.rsplit("::", 1)[1], "parent": parent, "custom": custom,
            "region": region, "account": account}


def test_a_component_in_two_regions_appears_in_both_and_is_linked():
    stack = "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s"
    api = "urn:pulumi:s::p::x:api:Api::api"
    doc = document([
        resource(api, "x:api:Api", stack, custom=False),
        resource("urn:pulumi:s::p::x:api:Api$aws:lb/loadBalancer:LoadBalancer::east", "aws:lb/loadBalancer:LoadBalancer", api, region="us-east-1"),
        resource("urn:pulumi:s::p::x:api:Api$aws:lb/loadBalancer:LoadBalancer::west", "aws:lb/loadBalancer:LoadBalancer", api, region="us-west-2"),
    ], violations=[{"pack": "sec", "policy": "lp-nlb-internal", "level": "mandatory",
                    "urn": "urn:pulumi:s::p::x:api:Api$aws:lb/loadBalancer:LoadBalancer::east",
                    "message": "NLBs are internal.\nscheme is internet-facing | fix it"}])
    out = render_markdown(doc)
    assert "— ❌ fail" in out.splitlines()[0]
    assert "n0_111111111111_us_east_1 -.- n0_111111111111_us_west_2" in out
    assert "| **mandatory** | sec | `lp-nlb-internal` | east | scheme is internet-facing \\| fix it |" in out
    assert "_No cost estimate" in out
