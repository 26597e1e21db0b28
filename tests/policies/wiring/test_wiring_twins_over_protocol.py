"""Every rule's broken case and its working twin through the Analyzer servicer, as the engine calls
the pack (AnalyzeStack with each resource's provider): the broken one gets a diagnostic at the rule's
level on the resource at fault, the twin none."""

import pytest
import test_wiring_delivery as delivery
import test_wiring_lb_dns as lb_dns
import test_wiring_reachability as reach
import test_wiring_regions as regions
from pulumi.runtime import proto
from wiring_helpers import R, allow, analyze_stack, arn, function, role

TWINS = {
    "wiring-vpc-compute-reaches-apis": (
        "indexer",
        lambda: reach.network() + reach.indexer(),
        lambda: reach.network() + reach.indexer() + reach.sqs_endpoint(),
    ),
    "wiring-endpoint-zones": (
        "sqs",
        lambda: (
            reach.network()
            + reach.indexer()
            + [*reach.sqs_endpoint()[:1], reach.interface_endpoint("sqs", "sqs", "vpc-1", ["subnet-a"], ["sg-ep"])]
        ),
        lambda: reach.network() + reach.indexer() + reach.sqs_endpoint(),
    ),
    "wiring-event-targets-authorised": (
        "target",
        lambda: [delivery.event_rule(), *delivery.consumer(), delivery.target(arn("lambda", "function:consumer-fn"))],
        lambda: [
            delivery.event_rule(),
            *delivery.consumer(),
            delivery.target(arn("lambda", "function:consumer-fn")),
            delivery.permission("consumer-fn", "events.amazonaws.com", delivery.RULE_ARN),
        ],
    ),
    "wiring-sns-subscriptions-authorised": (
        "sub",
        lambda: [delivery.topic("leases"), delivery.queue("inbox"), delivery.subscription("sqs", arn("sqs", "inbox"))],
        lambda: [
            delivery.topic("leases"),
            delivery.queue("inbox"),
            delivery.subscription("sqs", arn("sqs", "inbox")),
            delivery.queue_policy("inbox", "sns.amazonaws.com", arn("sns", "leases")),
        ],
    ),
    "wiring-alarm-actions-authorised": (
        "alarm",
        lambda: [
            R("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", {"alarmActions": [arn("sns", "alerts")]}),
            delivery.topic("alerts", kmsMasterKeyId="alias/aws/sns"),
        ],
        lambda: [
            R("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", {"alarmActions": [arn("sns", "alerts")]}),
            delivery.topic("alerts"),
        ],
    ),
    "wiring-api-lambda-permission": (
        "get-search",
        lambda: delivery.api(permission_source=None),
        lambda: delivery.api(permission_source=arn("execute-api", "a1/*/GET/listings/search")),
    ),
    "wiring-lambda-failure-targets-authorised": (
        "consumer",
        lambda: [
            *role("consumer-role", allow("logs:PutLogEvents", "*")),
            delivery.queue("dlq"),
            function("consumer", "consumer-role", deadLetterConfig={"targetArn": arn("sqs", "dlq")}),
        ],
        lambda: [
            *role("consumer-role", allow("sqs:SendMessage", arn("sqs", "dlq"))),
            delivery.queue("dlq"),
            function("consumer", "consumer-role", deadLetterConfig={"targetArn": arn("sqs", "dlq")}),
        ],
    ),
    "wiring-lb-targets": (
        "ip-10.2.0.10",
        lambda: lb_dns.two_regions() + [lb_dns.target_group(), lb_dns.attachment("10.2.0.10")],
        lambda: lb_dns.two_regions() + [lb_dns.target_group(), lb_dns.attachment("10.1.0.10")],
    ),
    "wiring-private-dns-reachable": (
        "us-east-1-record",
        lb_dns.two_regions,
        lambda: lb_dns.two_regions() + lb_dns.peering(accepted=True),
    ),
    "wiring-same-region": (
        "stream",
        lambda: [
            *role("indexer-role", allow("kinesis:GetRecords", "*")),
            function("indexer", "indexer-role"),
            regions.mapping("us-west-2"),
        ],
        lambda: [
            *role("indexer-role", allow("kinesis:GetRecords", "*")),
            function("indexer", "indexer-role"),
            regions.mapping("us-east-1"),
        ],
    ),
}


def test_every_rule_has_twins():
    import wiring_rules

    assert set(TWINS) == {r.name for r in wiring_rules.RULES}


@pytest.mark.parametrize("rule", sorted(TWINS))
def test_broken_twin_is_reported_at_the_rules_level_and_the_working_twin_is_clean(rule):
    import wiring_rules

    level = {r.name: r.level.value for r in wiring_rules.RULES}[rule]
    at_fault, broken, working = TWINS[rule]
    found = [d for d in analyze_stack(broken()).diagnostics if d.policyName == rule]
    assert any(d.urn.endswith("::" + at_fault) for d in found), [d.message for d in found]
    assert {d.enforcementLevel for d in found} == {proto.ADVISORY if level == "advisory" else proto.MANDATORY}
    assert not [d for d in analyze_stack(working()).diagnostics if d.policyName == rule]
