"""The project's own dev and prod stacks, run in-process against the fake AWS: no mandatory cost
violation, the estimate within the stack's budget, every billable resource priced and every usage
declared in usage/<stack>.yaml."""

from __future__ import annotations

from pathlib import Path

import cost_rules
import pytest
from cost_rules import assumptions, budget, config
from cost_rules import pricing as estimator
from cost_testkit import _options
from pulumi_policy import (
    EnforcementLevel,
    PolicyProviderResource,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
)

from preview import engine

ROOT = Path(__file__).resolve().parents[3]


def _provider(record, providers):
    urn = record.provider.rsplit("::", 1)[0] if record.provider else None
    provider = providers.get(urn)
    if provider is None:
        return None
    return PolicyProviderResource(provider.type, provider.inputs, provider.urn, provider.name)


def _stack_resources(run) -> list[PolicyResource]:
    providers = {r.urn: r for r in run.resources if r.is_provider}
    converted: dict[str, PolicyResource] = {}
    for record in run.resources:
        converted[record.urn] = PolicyResource(
            record.type,
            record.outputs,
            record.urn,
            record.name,
            _options(record.parent),
            _provider(record, providers),
            None,
            [],
            {},
        )
    for record in run.resources:
        resource = converted[record.urn]
        resource.parent = converted.get(record.parent)
        resource.dependencies = [converted[u] for u in record.dependencies if u in converted]
        resource.property_dependencies = {
            k: [converted[u] for u in v if u in converted] for k, v in record.property_dependencies.items()
        }
    return list(converted.values())


def _mandatory_resource_violations(run) -> list[str]:
    providers = {r.urn: r for r in run.resources if r.is_provider}
    policies = [
        p
        for p in cost_rules.POLICIES
        if isinstance(p, ResourceValidationPolicy) and p.enforcement_level == EnforcementLevel.MANDATORY
    ]
    found = []
    for record in run.resources:
        if record.is_component:
            continue
        args = ResourceValidationArgs(
            record.type,
            record.inputs,
            record.urn,
            record.name,
            _options(record.parent),
            _provider(record, providers),
            None,
        )
        for policy in policies:
            policy.validate(
                args, lambda message, urn=None, p=policy.name, r=record.name: found.append(f"{p} on {r}: {message}")
            )
    return found


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_shipped_stack_passes_the_cost_pack_within_its_budget(stack, monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", stack)  # the pack picks config/<stack>.json, as under the CLI
    monkeypatch.setenv("OFFLINE_PREVIEW", "1")
    run = engine.run_program(ROOT, stack)
    assert _mandatory_resource_violations(run) == []

    resources = _stack_resources(run)
    est = estimator.estimate(resources, config.settings(budget.ESTIMATE_POLICY, assumptions.ASSUMPTIONS, None))
    assert est.budget is not None, "the stack declares no budget"
    assert est.total <= est.budget.limit, estimator.summary(est)
    assert [line.res.type for line in est.unpriced] == []
    # usage/<stack>.yaml declares every usage the stack's resources bill for: nothing priced 0 by omission.
    assert {line.res.name: line.depends_on_usage for line in est.depending_on_usage} == {}
    for policy in cost_rules.POLICIES:
        if policy.enforcement_level == EnforcementLevel.MANDATORY and not isinstance(policy, ResourceValidationPolicy):
            found = []
            policy.validate(StackValidationArgs(resources), lambda m, urn=None: found.append(m))
            assert found == [], policy.name
