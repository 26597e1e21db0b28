"""Budgets, Step Functions, EventBridge Scheduler."""

from __future__ import annotations

from .registry import Ctx, aws_type


@aws_type("aws:budgets/budget:Budget", name="name", global_=True)
def _budget(c: Ctx):
    return f"{c.account}:{c.physical_name}", {
        "arn": f"arn:{c.partition}:budgets::{c.account}:budget/{c.physical_name}",
        "accountId": c.get("accountId", c.account),
    }


@aws_type("aws:sfn/stateMachine:StateMachine", name="name", max_name=80)
def _state_machine(c: Ctx):
    arn = c.arn("states", f"stateMachine:{c.physical_name}")
    return arn, {"arn": arn, "stateMachineVersionArn": "", "status": "ACTIVE"}


@aws_type("aws:scheduler/schedule:Schedule", name="name", max_name=64)
def _schedule(c: Ctx):
    group = c.get("groupName", "default")
    return f"{group}/{c.physical_name}", {"arn": c.arn("scheduler", f"schedule/{group}/{c.physical_name}")}
