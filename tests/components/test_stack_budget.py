"""The stack budget under the fake AWS: an SNS topic receives every notification (so alerts exist
without e-mails), only this account's budgets may publish to it, e-mails are added when given."""

from __future__ import annotations

import json

import pytest

from components.budget import NOTIFICATIONS, StackBudget, StackBudgetArgs


def _run(pulumi_env, **kwargs):
    args = StackBudgetArgs(limit_usd=600, **kwargs)
    return pulumi_env.run(lambda: StackBudget("budget", args))


def test_every_notification_goes_to_the_stack_topic_even_without_emails(pulumi_env):
    result = _run(pulumi_env)
    topic = result.named("budget-alerts", "aws:sns/topic:Topic")
    budget = result.named("budget", "aws:budgets/budget:Budget").inputs
    assert len(budget["notifications"]) == len(NOTIFICATIONS)
    for notification in budget["notifications"]:
        assert notification["subscriberSnsTopicArns"] == [topic.outputs["arn"]]
        assert not notification.get("subscriberEmailAddresses")


def test_emails_are_notified_as_well(pulumi_env):
    budget = (
        _run(pulumi_env, alert_emails=("ops@example.com", "lead@example.com"))
        .named("budget", "aws:budgets/budget:Budget")
        .inputs
    )
    assert all(
        n["subscriberEmailAddresses"] == ["ops@example.com", "lead@example.com"] and n["subscriberSnsTopicArns"]
        for n in budget["notifications"]
    )


def test_only_this_accounts_budgets_may_publish_to_the_topic(pulumi_env):
    result = _run(pulumi_env)
    topic = result.named("budget-alerts", "aws:sns/topic:Topic")
    policy_record = result.named("budget-alerts", "aws:sns/topicPolicy:TopicPolicy")
    assert policy_record.inputs["arn"] == topic.outputs["arn"]
    (statement,) = json.loads(policy_record.inputs["policy"])["Statement"]
    account = topic.outputs["arn"].split(":")[4]
    assert statement["Principal"] == {"Service": "budgets.amazonaws.com"}
    assert statement["Action"] == "SNS:Publish" and statement["Resource"] == topic.outputs["arn"]
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": account},
        "ArnLike": {"aws:SourceArn": f"arn:aws:budgets::{account}:budget/*"},
    }


def test_budget_waits_for_the_topic_policy(pulumi_env):
    result = _run(pulumi_env)
    budget = result.named("budget", "aws:budgets/budget:Budget")
    policy_record = result.named("budget-alerts", "aws:sns/topicPolicy:TopicPolicy")
    assert policy_record.urn in budget.dependencies


def test_limit_must_be_positive():
    with pytest.raises(ValueError, match="limit_usd must be positive, got 0"):
        StackBudgetArgs(limit_usd=0)
