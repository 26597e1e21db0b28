"""The estimate policy's one advisory report and the budget guard, over and under the budget."""

from __future__ import annotations

import pytest

from cost_rules import budget, pricing as estimator
from cost_testkit import StackBuilder, estimate_document, run, run_with_urns

H = 730


def _stack(limit="600.00", eips=1):
    s = StackBuilder()
    parent = s.component("blueprints:budget:StackBudget", "monthly-budget")
    s.add("aws:budgets/budget:Budget", "monthly-budget", {
        "budgetType": "COST", "timeUnit": "MONTHLY", "limitAmount": limit, "limitUnit": "USD",
        "notifications": [{"subscriberSnsTopicArns": ["arn:aws:sns:us-east-1:111111111111:budget"]}]}, parent=parent)
    gaming = s.component("blueprints:gaming:GamingWorkstation", "gaming")
    for index in range(eips):
        s.add("aws:ec2/eip:Eip", f"ip-{index}", {}, parent=gaming)
    return s


def test_estimate_reports_one_advisory_message_with_the_json_document():
    s = _stack(eips=2)
    (message,) = run(budget.monthly_cost_estimate, s.args())
    assert message.startswith("Estimated monthly cost: 7.30 USD (range 7.30 - 7.30) against a budget of 600.00 (1%).")
    doc = estimate_document(message)
    assert doc["total"] == 7.3 and doc["budget"] == 600.0
    assert doc["byComponent"] == {"gaming (GamingWorkstation)": 7.3}
    assert doc["byRegion"] == {"us-east-1": 7.3}
    assert [r["type"] for r in doc["resources"]] == ["aws:ec2/eip:Eip"] * 2


def test_estimate_of_an_empty_stack_is_zero_without_a_budget():
    (message,) = run(budget.monthly_cost_estimate, StackBuilder().args())
    doc = estimate_document(message)
    assert doc == {"currency": "USD", "total": 0.0, "low": 0.0, "high": 0.0, "budget": None, "byComponent": {},
                   "byRegion": {}, "resources": []}
    assert "no monthly budget declared" in message


def test_estimate_assumptions_come_from_config():
    s = StackBuilder()
    s.add("aws:lambda/function:Function", "fn", {"memorySize": 1024, "architectures": ["arm64"]})
    doc = estimate_document(run(budget.monthly_cost_estimate, s.args({"lambdaRequestsPerMonth": 0}))[0])
    assert doc["total"] == 0.0
    doc = estimate_document(run(budget.monthly_cost_estimate, s.args({"lambdaRequestsPerMonth": 10_000_000,
                                                                     "lambdaAverageDurationMs": 100}))[0])
    assert doc["total"] == pytest.approx(round(10 * 0.20 + 10_000_000 * 0.1 * 1 * 0.0000133334, 2))


def test_guard_passes_under_the_budget():
    s = _stack(limit="10.00", eips=2)  # 7.30
    assert run(budget.stack_monthly_budget, s.args()) == []


def test_guard_breaks_over_the_budget_on_the_budget_resource():
    s = _stack(limit="5.00", eips=2)  # 7.30 > 5
    ((message, urn),) = run_with_urns(budget.stack_monthly_budget, s.args())
    assert "7.30 USD, over the budget of 5.00 USD (monthly-budget) by 2.30" in message
    assert urn == next(r.urn for r in s.resources if r.resource_type == "aws:budgets/budget:Budget")


def test_guard_on_the_high_bound():
    s = _stack(limit="10.00")
    s.add("aws:ec2/instance:Instance", "ws", {"instanceType": "g4dn.xlarge", "userData": "<powershell></powershell>",
                                              "rootBlockDevice": {"volumeSize": 10, "volumeType": "gp3"}})
    # Expected: 40 h x 0.71 + 0.80 disk + 3.65 EIP = 32.85; high: no idle stop, so 730 h.
    assert run(budget.stack_monthly_budget, s.args({"budgetBasis": "total"}))
    assert run(budget.stack_monthly_budget, s.args({"budgetBasis": "total"}))[0].startswith(
        "The estimated monthly cost (total) is 32.85 USD")
    s2 = _stack(limit="40.00")
    s2.resources += s.resources[-1:]
    assert run(budget.stack_monthly_budget, s2.args({"budgetBasis": "total"})) == []
    (message,) = run(budget.stack_monthly_budget, s2.args({"budgetBasis": "high"}))
    assert "(high) is 522.75 USD" in message  # 730 x 0.71 + 0.80 + 3.65


def test_guard_without_a_budget_uses_max_monthly_usd_or_is_not_applicable():
    s = StackBuilder()
    s.add("aws:ec2/eip:Eip", "ip", {})
    assert run(budget.stack_monthly_budget, s.args()) == []
    with pytest.raises(Exception) as raised:
        budget.stack_monthly_budget.validate(s.args(), lambda *a: None)
    assert type(raised.value).__name__ == "_NotApplicableError"
    (message,) = run(budget.stack_monthly_budget, s.args({"maxMonthlyUsd": 1}))
    assert "over the budget of 1.00 USD (maxMonthlyUsd (policy config))" in message


def test_guard_reuses_the_estimate_of_the_same_run():
    s = _stack(limit="10.00", eips=2)
    # The estimate policy runs first with this stack's assumptions: EIPs are not usage-based, so use a function.
    s.add("aws:lambda/function:Function", "fn", {"memorySize": 1024, "architectures": ["arm64"]})
    run(budget.monthly_cost_estimate, s.args({"lambdaRequestsPerMonth": 0}))
    # The guard's own (default) assumptions would add the function's 1M requests; it uses the reported estimate.
    assert run(budget.stack_monthly_budget, s.args({"lambdaRequestsPerMonth": 50_000_000})) == []
    budget.forget()
    assert run(budget.stack_monthly_budget, s.args({"lambdaRequestsPerMonth": 50_000_000}))


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
    assert "3.65  ip-0 (aws:ec2/eip:Eip)" in text


def test_guard_recognises_the_same_stack_when_assets_are_new_objects():
    """Each policy call deserializes its own asset objects: the reuse must not depend on their identity."""
    import pulumi

    def stack():
        s = _stack(limit="10.00")
        s.add("aws:lambda/function:Function", "fn", {"memorySize": 1024, "code": pulumi.FileArchive("./fn.zip")})
        return s

    run(budget.monthly_cost_estimate, stack().args({"lambdaRequestsPerMonth": 0}))
    assert run(budget.stack_monthly_budget, stack().args({"lambdaRequestsPerMonth": 50_000_000})) == []
