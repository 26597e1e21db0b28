"""wiring-same-region: links AWS accepts only within one Region."""

from wiring_helpers import R, allow, arn, check, function, role

RULE = "wiring-same-region"


def mapping(source_region: str) -> R:
    return R(
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        "stream",
        {
            "functionName": arn("lambda", "function:indexer-fn"),
            "eventSourceArn": arn("kinesis", "stream/listings", source_region),
        },
    )


def test_an_event_source_in_another_region_is_found_and_its_twin_passes():
    base = [*role("indexer-role", allow("kinesis:GetRecords", "*")), function("indexer", "indexer-role")]
    [message] = check(RULE, base + [mapping("us-west-2")]).on("stream")
    assert "SourceRegion::us-west-2" in message and "us-east-1" in message
    assert check(RULE, base + [mapping("us-east-1")]).passed


def test_a_dead_letter_queue_or_target_in_another_region_is_found_but_a_remote_bus_is_allowed():
    base = [*role("fn-role", allow("sqs:SendMessage", "*"))]
    remote_dlq = function("fn", "fn-role", deadLetterConfig={"targetArn": arn("sqs", "dlq", "us-west-2")})
    assert check(RULE, base + [remote_dlq]).on("fn")
    assert check(RULE, base + [function("fn", "fn-role", deadLetterConfig={"targetArn": arn("sqs", "dlq")})]).passed

    def target(target_arn: str) -> R:
        return R("aws:cloudwatch/eventTarget:EventTarget", "target", {"rule": "r", "arn": target_arn})

    assert check(RULE, [target(arn("events", "event-bus/orders", "us-west-2"))]).passed
    assert "TargetRegion::us-west-2" in check(RULE, [target(arn("sqs", "inbox", "us-west-2"))]).on("target")[0]


def test_an_alarm_notifying_a_topic_in_another_region_is_found():
    alarm = R("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", {"alarmActions": [arn("sns", "alerts", "us-west-2")]})
    assert check(RULE, [alarm]).on("alarm")
    assert check(RULE, [R(alarm.type, "alarm", {"alarmActions": [arn("sns", "alerts")]})]).passed


def test_an_sqs_dead_letter_queue_in_another_region_is_found():
    import json

    from wiring_helpers import queue

    def source(dlq_region: str) -> R:
        return queue(
            "buffer",
            redrivePolicy=json.dumps(
                {"deadLetterTargetArn": arn("sqs", "buffer-dlq", dlq_region), "maxReceiveCount": 5}
            ),
        )

    assert "DeadLetterRegion::us-west-2" in check(RULE, [source("us-west-2")]).on("buffer")[0]
    assert check(RULE, [source("us-east-1")]).passed
