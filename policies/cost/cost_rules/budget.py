"""The monthly estimate, the budget guard and the budget-present check (stack policies).

``monthly-cost-estimate`` reports one advisory diagnostic: a readable summary and a line
``COST_ESTIMATE_JSON {...}`` that the offline preview (and any CI step) parses.

``cost-stack-monthly-budget`` compares that same estimate with the limit of the stack's own
``aws.budgets.Budget``, so one number guards preview time (this policy) and run time (AWS Budgets
notifications). It reuses the estimate the estimate policy made in the same run for the same
resources, so the guard and the report can never disagree; when the estimate policy is disabled it
computes the estimate itself, from the same assumption keys in its own config.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy

from .assumptions import ASSUMPTIONS
from .config import option, schema, settings
from .pricing import Budget, Estimate, estimate, summary
from .stack import StackIndex
from .usage import UsageError
from .values import UNKNOWN, number

ESTIMATE_POLICY = "monthly-cost-estimate"
BUDGET_POLICY = "cost-stack-monthly-budget"
BUDGET_PRESENT_POLICY = "cost-aws-budget-present"

BUDGET_OPTIONS = {
    **ASSUMPTIONS,
    "budgetBasis": option(
        "total",
        "Which figure must stay within the budget: the expected 'total' or the 'high' bound.",
        enum=["total", "high"],
    ),
    "maxMonthlyUsd": option(0.0, "Budget used when the stack declares no aws.budgets.Budget (0: none).", minimum=0),
}
BUDGET_PRESENT_OPTIONS = {
    "maxMonthlyUsd": option(0.0, "Highest monthly budget limit a stack may declare (0: no cap).", minimum=0),
}

_lock = threading.Lock()
_last: tuple[str, Estimate] | None = None


def _stable(value: Any) -> str:
    """A repr that is the same for equal values across separate deserializations (assets, archives:
    each policy call gets its own objects), unlike the default object repr with its address."""
    for attribute in ("path", "text", "uri", "assets"):
        if hasattr(value, attribute):
            return f"{type(value).__name__}:{getattr(value, attribute)!r}"
    return repr(value) if value is UNKNOWN else type(value).__name__


def _fingerprint(stack: StackIndex) -> str:
    """The stack's content (types, names, inputs, providers): the same resources in another policy
    call of the same run give the same digest. Reads the index's plain properties, converted once."""
    digest = hashlib.sha256()
    for res in stack.resources:
        digest.update(
            json.dumps([res.urn, res.type, res.props, res.provider_props], sort_keys=True, default=_stable).encode()
        )
    return digest.hexdigest()


def _remember(stack: StackIndex, est: Estimate) -> None:
    global _last
    with _lock:
        _last = (_fingerprint(stack), est)


def _recall(stack: StackIndex) -> Estimate | None:
    with _lock:
        last = _last
    if last is not None and last[0] == _fingerprint(stack):
        return last[1]
    return None


def forget() -> None:
    """Drops the remembered estimate (tests)."""
    global _last
    with _lock:
        _last = None


def _estimate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = settings(ESTIMATE_POLICY, ASSUMPTIONS, args.get_config())
    stack = StackIndex(args.resources, default_region=str(config["defaultRegion"]))
    try:
        est = estimate(stack, config)
    except UsageError as err:
        report_violation(f"The cost estimate failed: {err}")
        return
    except Exception as err:  # noqa: BLE001 - a broken estimate must not take the preview down
        report_violation(f"The cost estimate failed: {type(err).__name__}: {err}")
        return
    _remember(stack, est)
    report_violation(summary(est))


monthly_cost_estimate = StackValidationPolicy(
    name=ESTIMATE_POLICY,
    description="Estimated monthly cost of the stack, per resource, component and Region.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_estimate,
    config_schema=schema(ASSUMPTIONS),
)


def _budget_guard(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = settings(BUDGET_POLICY, BUDGET_OPTIONS, args.get_config())
    stack = StackIndex(args.resources, default_region=str(config["defaultRegion"]))
    est = _recall(stack)
    if est is None:
        try:
            est = estimate(stack, {key: config[key] for key in ASSUMPTIONS})
        except UsageError as err:
            report_violation(f"The budget cannot be checked: {err}")
            return
    budget = est.budget
    if budget is None and float(config["maxMonthlyUsd"]) > 0:
        budget = Budget(float(config["maxMonthlyUsd"]), "", "maxMonthlyUsd (policy config)")
    if budget is None:
        args.not_applicable("the stack declares no monthly cost budget and maxMonthlyUsd is not set")
        return
    basis = config["budgetBasis"]
    figure = est.high if basis == "high" else est.total
    if figure <= budget.limit:
        return
    largest = sorted(est.lines, key=lambda line: -line.monthly)[:3]
    report_violation(
        f"The estimated monthly cost is {est.verdict(basis, budget)} ({budget.name}), "
        f"{figure - budget.limit:,.2f} over. "
        f"Largest: "
        + ", ".join(f"{line.res.name} {line.monthly:,.2f}" for line in largest)
        + ". Lower the cost, or raise monthlyBudgetUsd if the spend is intended.",
        budget.urn or None,
    )


stack_monthly_budget = StackValidationPolicy(
    name=BUDGET_POLICY,
    description="The estimated monthly cost stays within the stack's AWS Budget.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_budget_guard,
    config_schema=schema(BUDGET_OPTIONS),
)


def _budget_present(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = settings(BUDGET_PRESENT_POLICY, BUDGET_PRESENT_OPTIONS, args.get_config())
    cap = float(config["maxMonthlyUsd"])
    stack = StackIndex(args.resources)
    budgets = stack.of_type("aws:budgets/budget:Budget")
    monthly = [
        b for b in budgets if b.get("budgetType") == "COST" and b.get("timeUnit", default="MONTHLY") == "MONTHLY"
    ]
    if not monthly:
        report_violation(
            "The stack declares no monthly COST budget (aws.budgets.Budget): nothing warns when "
            "spend runs away. Set monthlyBudgetUsd in the stack config."
        )
        return
    for budget in monthly:
        limit = number(budget.get("limitAmount"))
        if cap > 0 and isinstance(limit, float) and limit > cap:
            report_violation(
                f"Budget limit {limit:,.2f} USD is above the cap of {cap:,.2f} USD for this stack.", budget.urn
            )
        notifications = budget.get("notifications", default=[]) or []
        subscribed = [
            n
            for n in notifications
            if isinstance(n, dict) and (n.get("subscriberEmailAddresses") or n.get("subscriberSnsTopicArns"))
        ]
        if not subscribed:
            report_violation(
                "The budget has no notification with a subscriber (e-mail or SNS topic): passing it would tell nobody.",
                budget.urn,
            )


aws_budget_present = StackValidationPolicy(
    name=BUDGET_PRESENT_POLICY,
    description="The stack declares a monthly COST budget with notifications that reach someone.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_budget_present,
    config_schema=schema(BUDGET_PRESENT_OPTIONS),
)

POLICIES = [monthly_cost_estimate, stack_monthly_budget, aws_budget_present]
