"""The estimate policy's one advisory report and the budget guard, over and under the budget."""

from __future__ import annotations

import pytest
from cost_rules import budget
from cost_rules import pricing as estimator
from cost_testkit import StackBuilder, estimate_document, run, run_with_urns

H = 730


def _stack(limit="600.00", eips=1):
    s = StackBuilder()
    parent = s.component("blueprints:budget:StackBudget", "monthly-budget")
    s.add(
        "aws:budgets/budget:Budget",
        "monthly-budget",
        {
            "budgetType": "COST",
            "timeUnit": "MONTHLY",
            "limitAmount": limit,
            "limitUnit": "USD",
            "notifications": [{"subscriberSnsTopicArns": ["arn:aws:sns:us-east-1:111111111111:budget"]}],
        },
        parent=parent,
    )
    gaming = s.component("blueprints:gaming:GamingWorkstation", "gaming")
    for index in range(eips):
        s.add("aws:ec2/eip:Eip", f"ip-{index}", {}, parent=gaming)
    return s


def test_estimate_reports_one_advisory_message_with_the_json_document():
    s = _stack(eips=2)
    (message,) = run(budget.monthly_cost_estimate, s.args())
    assert message.startswith(
        "Estimated monthly cost: 7.30 USD = fixed 7.30 (billed with no traffic) + usage 0.00 "
        "(no usage declared); range 7.30 (idle floor) to 7.30 (ceiling the inputs allow). "
        "Prices as of 2025-06-30.\nBudget: within the budget of 600.00 USD: total 7.30 (1%); "
        "excludes the charges listed under not priced."
    )
    doc = estimate_document(message)
    assert doc["total"] == 7.3 and doc["budget"] == 600.0
    assert doc["byComponent"] == {"gaming (GamingWorkstation)": 7.3}
    assert doc["byRegion"] == {"us-east-1": 7.3}
    assert [r["type"] for r in doc["resources"]] == ["aws:ec2/eip:Eip"] * 2


def test_estimate_of_an_empty_stack_is_zero_without_a_budget():
    (message,) = run(budget.monthly_cost_estimate, StackBuilder().args())
    doc = estimate_document(message)
    assert {k: v for k, v in doc.items() if k not in ("notPriced", "assumptions")} == {
        "currency": "USD",
        "pricesAsOf": "2025-06-30",
        "usageSource": None,
        "fixed": 0.0,
        "usage": 0.0,
        "total": 0.0,
        "low": 0.0,
        "high": 0.0,
        "budget": None,
        "budgetVerdict": None,
        "byComponent": {},
        "byRegion": {},
        "resources": [],
        "dependsOnUsage": [],
    }
    assert "no monthly budget declared" in message


def _requests(count, duration_ms=100):
    """The policy config that declares a function's usage (inline, as --policy-pack-config can)."""
    return {"usage": {"resource_usage": {"fn": {"monthly_requests": count, "request_duration_ms": duration_ms}}}}


def test_estimate_usage_comes_from_config():
    s = StackBuilder()
    s.add("aws:lambda/function:Function", "fn", {"memorySize": 1024, "architectures": ["arm64"]})
    doc = estimate_document(run(budget.monthly_cost_estimate, s.args())[0])
    assert doc["total"] == 0.0 and doc["dependsOnUsage"][0]["name"] == "fn"
    doc = estimate_document(run(budget.monthly_cost_estimate, s.args(_requests(10_000_000)))[0])
    assert doc["usage"] == pytest.approx(round(10 * 0.20 + 10_000_000 * 0.1 * 1 * 0.0000133334, 2))


def test_guard_passes_under_the_budget():
    s = _stack(limit="10.00", eips=2)  # 7.30
    assert run(budget.stack_monthly_budget, s.args()) == []


def test_guard_breaks_over_the_budget_on_the_budget_resource():
    s = _stack(limit="5.00", eips=2)  # 7.30 > 5
    ((message, urn),) = run_with_urns(budget.stack_monthly_budget, s.args())
    assert message.startswith(
        "The estimated monthly cost is OVER the budget of 5.00 USD: total 7.30 (146%); "
        "excludes the charges listed under not priced (monthly-budget), 2.30 over."
    )
    assert urn == next(r.urn for r in s.resources if r.resource_type == "aws:budgets/budget:Budget")


def test_guard_on_the_high_bound():
    s = _stack(limit="10.00")
    s.add(
        "aws:ec2/instance:Instance",
        "ws",
        {
            "instanceType": "g4dn.xlarge",
            "userData": "<powershell></powershell>",
            "rootBlockDevice": {"volumeSize": 10, "volumeType": "gp3"},
        },
    )
    # Declared 40 h x 0.71 + 0.80 disk + 3.65 EIP = 32.85; high: no idle stop, so 730 h.
    played = {"usage": {"resource_usage": {"ws": {"monthly_hours": 40}}}}
    assert run(budget.stack_monthly_budget, s.args({"budgetBasis": "total", **played}))[0].startswith(
        "The estimated monthly cost is OVER the budget of 10.00 USD: total 32.85"
    )
    s2 = _stack(limit="40.00")
    s2.resources += s.resources[-1:]
    assert run(budget.stack_monthly_budget, s2.args({"budgetBasis": "total", **played})) == []
    (message,) = run(budget.stack_monthly_budget, s2.args({"budgetBasis": "high", **played}))
    assert "high 522.75 (1307%)" in message  # 730 x 0.71 + 0.80 + 3.65


def test_guard_without_a_budget_uses_max_monthly_usd_or_is_not_applicable():
    s = StackBuilder()
    s.add("aws:ec2/eip:Eip", "ip", {})
    assert run(budget.stack_monthly_budget, s.args()) == []
    with pytest.raises(Exception) as raised:
        budget.stack_monthly_budget.validate(s.args(), lambda *a: None)
    assert type(raised.value).__name__ == "_NotApplicableError"
    (message,) = run(budget.stack_monthly_budget, s.args({"maxMonthlyUsd": 1}))
    assert "OVER the budget of 1.00 USD: total 3.65" in message and "(maxMonthlyUsd (policy config))" in message


def test_guard_reuses_the_estimate_of_the_same_run():
    s = _stack(limit="10.00", eips=2)
    # The estimate policy runs first with this stack's assumptions: EIPs are not usage-based, so use a function.
    s.add("aws:lambda/function:Function", "fn", {"memorySize": 1024, "architectures": ["arm64"]})
    run(budget.monthly_cost_estimate, s.args())
    # The guard's own config would declare 50M requests; it uses the estimate reported in this run.
    assert run(budget.stack_monthly_budget, s.args(_requests(50_000_000))) == []
    budget.forget()
    assert run(budget.stack_monthly_budget, s.args(_requests(50_000_000)))


def test_estimate_failure_is_reported_not_raised(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(budget, "estimate", broken)
    (message,) = run(budget.monthly_cost_estimate, StackBuilder().args())
    assert message == "The cost estimate failed: RuntimeError: boom"


def test_summary_lists_largest_and_components():
    s = _stack(eips=1)
    text = estimator.summary(estimator.estimate(s.resources))
    assert "By component: gaming (GamingWorkstation) 3.65" in text
    assert "3.65  ip-0 (aws:ec2/eip:Eip): public IPv4 address (Elastic IP) 3.65" in text


def test_guard_recognises_the_same_stack_when_assets_are_new_objects():
    """Each policy call deserializes its own asset objects: the reuse must not depend on their identity."""
    import pulumi

    def stack():
        s = _stack(limit="10.00")
        s.add("aws:lambda/function:Function", "fn", {"memorySize": 1024, "code": pulumi.FileArchive("./fn.zip")})
        return s

    run(budget.monthly_cost_estimate, stack().args())
    assert run(budget.stack_monthly_budget, stack().args(_requests(50_000_000))) == []
