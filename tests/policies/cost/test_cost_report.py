"""The cost sections of the preview's text and markdown reports show what the JSON holds: fixed,
usage, the range labelled, the budget verdict with what it excludes, the price date, what depends on
usage or is not priced, the assumptions, and each resource's components on request."""

from __future__ import annotations

import io

from cost_rules.pricing import estimate
from cost_testkit import StackBuilder
from rich.console import Console

from preview.markdown import _cost
from preview.report import _print_cost


def _cost_object():
    s = StackBuilder()
    s.add("aws:budgets/budget:Budget", "budget", {"budgetType": "COST", "timeUnit": "MONTHLY", "limitAmount": "10"})
    s.add("aws:ec2/eip:Eip", "ip", {})
    s.add("aws:sqs/queue:Queue", "queue", {})
    s.add("aws:s3/bucket:Bucket", "bucket", {})
    s.add("aws:wafv2/webAcl:WebAcl", "waf", {})
    return estimate(s.resources, {"usage": {"resource_usage": {"bucket": {"storage_gb": 10}}}}).to_json()


def _text(cost, details):
    out = io.StringIO()
    _print_cost(Console(file=out, width=200), cost, details=details)
    return out.getvalue()


def test_text_cost_section():
    text = _text(_cost_object(), details=False)
    for expected in (
        "fixed (billed with no traffic)",
        "usage (declared)",
        "range: idle floor - ceiling the inputs allow",
        "Budget: within the budget of 10.00 USD: total 3.88",
        "excludes 1 resource(s) not priced, usage not declared on 1 resource(s)",
        "Prices as of 2025-06-30; usage declared in policy config.",
        "Depends on usage (priced 0, no usage declared): 1 resource(s): queue.",
        "Not priced: waf.",
        "S3 requests (bucket)",
        "taxes and AWS Support",
        "Assumptions: ",
    ):
        assert expected in text, expected
    assert "Cost components" not in text
    details = _text(_cost_object(), details=True)
    assert "Cost components" in details and "10 GB-months x 0.023" in details


def test_markdown_cost_section():
    markdown = "\n".join(_cost({"cost": _cost_object()}))
    assert "| fixed (billed with no traffic) | 3.88 |" in markdown  # 3.65 address + 10 GB x 0.023 at rest
    assert "**Budget**: within the budget of 10.00 USD" in markdown
    assert "- Not priced: waf." in markdown
    assert "<details><summary>Cost components per resource</summary>" in markdown
    assert "| bucket | Standard storage | 10 GB-months x 0.023 | fixed | 0.23 |" in markdown
