"""The delivery rules: each receiving end without the grant beside the twin with it."""

from wiring_helpers import ACCOUNT, R, allow, arn, check, function, policy, queue, role, topic

RULE_ARN = arn("events", "rule/orders/to-consumer")
OTHER_RULE_ARN = arn("events", "rule/orders/another")


def event_rule() -> R:
    return R(
        "aws:cloudwatch/eventRule:EventRule",
        "to-consumer",
        {"name": "to-consumer", "eventBusName": "orders", "arn": RULE_ARN},
    )


def target(target_arn: str, **extra) -> R:
    return R(
        "aws:cloudwatch/eventTarget:EventTarget",
        "target",
        {"rule": "to-consumer", "eventBusName": "orders", "arn": target_arn, **extra},
    )


def permission(function_name: str, principal: str, source_arn: str | None, name: str = "invoke", **extra) -> R:
    props = {"function": function_name, "principal": principal, "action": "lambda:InvokeFunction", **extra}
    if source_arn:
        props["sourceArn"] = source_arn
    return R("aws:lambda/permission:Permission", name, props)


def consumer() -> list[R]:
    return [*role("consumer-role", allow("logs:PutLogEvents", "*")), function("consumer", "consumer-role")]


def queue_policy(name: str, principal: str, source_arn: str) -> R:
    q = queue(name)
    return R(
        "aws:sqs/queuePolicy:QueuePolicy",
        f"{name}-policy",
        {
            "queueUrl": q.props["url"],
            "policy": policy(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": principal},
                    "Action": "sqs:SendMessage",
                    "Resource": q.props["arn"],
                    "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}},
                }
            ),
        },
    )


# --- EventBridge targets -------------------------------------------------------------------


def test_a_lambda_target_needs_a_permission_naming_the_rule():
    base = [event_rule(), *consumer(), target(arn("lambda", "function:consumer-fn"))]
    [message] = check("wiring-event-targets-authorised", base).on("target")
    assert "Delivery::lambda" in message and RULE_ARN in message and "aws.lambda.Permission" in message
    for_other_rule = permission("consumer-fn", "events.amazonaws.com", OTHER_RULE_ARN)
    assert check("wiring-event-targets-authorised", base + [for_other_rule]).on("target")
    granted = permission("consumer-fn", "events.amazonaws.com", RULE_ARN)
    assert check("wiring-event-targets-authorised", base + [granted]).passed


def test_an_sqs_target_needs_a_queue_policy_for_eventbridge_and_its_dlq_too():
    base = [
        event_rule(),
        queue("inbox"),
        target(arn("sqs", "inbox"), deadLetterConfig={"arn": arn("sqs", "dlq")}),
        queue("dlq"),
    ]
    outcome = check("wiring-event-targets-authorised", base)
    messages = outcome.on("target")
    assert any("Delivery::sqs" in m and "no queue policy" in m for m in messages)
    assert any("DeadLetter::sqs" in m and "would be lost" in m for m in messages)
    granted = base + [
        queue_policy("inbox", "events.amazonaws.com", RULE_ARN),
        queue_policy("dlq", "events.amazonaws.com", RULE_ARN),
    ]
    assert check("wiring-event-targets-authorised", granted).passed


def test_an_sns_target_encrypted_with_a_customer_key_needs_the_key_to_grant_eventbridge():
    key_arn = arn("kms", "key/k-1")
    topic_policy = R(
        "aws:sns/topicPolicy:TopicPolicy",
        "topic-policy",
        {
            "arn": arn("sns", "leases"),
            "policy": policy(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": arn("sns", "leases"),
                }
            ),
        },
    )

    def key(*services: str) -> R:
        statements = [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ]
        if services:
            statements.append(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": list(services)},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                }
            )
        return R("aws:kms/key:Key", "key", {"id": "k-1", "arn": key_arn, "policy": policy(*statements)})

    base = [event_rule(), topic("leases", kmsMasterKeyId=key_arn), topic_policy, target(arn("sns", "leases"))]
    [message] = check("wiring-event-targets-authorised", base + [key()]).on("target")
    assert "does not let events.amazonaws.com use it" in message
    assert check("wiring-event-targets-authorised", base + [key("events.amazonaws.com")]).passed
    aws_managed = [
        event_rule(),
        topic("leases", kmsMasterKeyId="alias/aws/sns"),
        topic_policy,
        target(arn("sns", "leases")),
    ]
    assert "AWS managed key" in check("wiring-event-targets-authorised", aws_managed).on("target")[0]


def test_role_targets_need_a_role_eventbridge_trusts_that_allows_the_call():
    stream = arn("kinesis", "stream/listings")
    trust = policy({"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"})
    writer = role("writer", allow("kinesis:PutRecord", stream))
    writer[0].props["assumeRolePolicy"] = trust
    no_role = [event_rule(), target(stream)]
    assert "needs a role" in check("wiring-event-targets-authorised", no_role).on("target")[0]
    reader = role("writer", allow("kinesis:GetRecords", stream))
    reader[0].props["assumeRolePolicy"] = trust
    assert (
        "does not allow kinesis:PutRecord"
        in check(
            "wiring-event-targets-authorised", [event_rule(), *reader, target(stream, roleArn=writer[0].props["arn"])]
        ).on("target")[0]
    )
    assert check(
        "wiring-event-targets-authorised", [event_rule(), *writer, target(stream, roleArn=writer[0].props["arn"])]
    ).passed


def test_a_log_group_target_needs_a_logs_resource_policy():
    group = arn("logs", "log-group:/aws/events/catch-all")
    base = [event_rule(), target(group)]
    assert check("wiring-event-targets-authorised", base).on("target")
    logs_policy = R(
        "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
        "logs",
        {
            "policyDocument": policy(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ["events.amazonaws.com", "delivery.logs.amazonaws.com"]},
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": group + ":*",
                }
            )
        },
    )
    assert check("wiring-event-targets-authorised", base + [logs_policy]).passed


# --- SNS subscriptions, alarm actions -------------------------------------------------------


def subscription(protocol: str, endpoint: str) -> R:
    return R(
        "aws:sns/topicSubscription:TopicSubscription",
        "sub",
        {"protocol": protocol, "endpoint": endpoint, "topic": arn("sns", "leases")},
    )


def test_an_sqs_subscription_needs_the_queue_policy_to_admit_the_topic():
    base = [topic("leases"), queue("inbox"), subscription("sqs", arn("sqs", "inbox"))]
    [message] = check("wiring-sns-subscriptions-authorised", base).on("sub")
    assert "sns.amazonaws.com" in message and arn("sqs", "inbox") in message
    assert check(
        "wiring-sns-subscriptions-authorised", base + [queue_policy("inbox", "sns.amazonaws.com", arn("sns", "leases"))]
    ).passed


def test_a_lambda_subscription_needs_a_permission_for_the_topic():
    base = [topic("leases"), *consumer(), subscription("lambda", arn("lambda", "function:consumer-fn"))]
    assert check("wiring-sns-subscriptions-authorised", base).on("sub")
    assert check(
        "wiring-sns-subscriptions-authorised",
        base + [permission("consumer-fn", "sns.amazonaws.com", arn("sns", "leases"))],
    ).passed


def test_an_alarm_cannot_notify_a_topic_whose_key_or_policy_shuts_cloudwatch_out():
    alarm = R(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "alarm",
        {"arn": arn("cloudwatch", "alarm:dlq"), "alarmActions": [arn("sns", "alerts")]},
    )
    assert check("wiring-alarm-actions-authorised", [alarm, topic("alerts")]).passed  # the default policy admits it
    budgets_only = R(
        "aws:sns/topicPolicy:TopicPolicy",
        "alerts-policy",
        {
            "arn": arn("sns", "alerts"),
            "policy": policy(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "budgets.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": arn("sns", "alerts"),
                }
            ),
        },
    )
    [message] = check("wiring-alarm-actions-authorised", [alarm, topic("alerts"), budgets_only]).on("alarm")
    assert "cloudwatch.amazonaws.com" in message and "Nobody would be told" in message
    encrypted = topic("alerts", kmsMasterKeyId="alias/aws/sns")
    assert check("wiring-alarm-actions-authorised", [alarm, encrypted]).on("alarm")


# --- API Gateway, Lambda failure targets ----------------------------------------------------


def api(*extra: R, permission_source: str | None) -> list[R]:
    fn_arn = arn("lambda", "function:consumer-fn")
    resources = [
        R(
            "aws:apigateway/restApi:RestApi",
            "api",
            {"id": "a1", "executionArn": arn("execute-api", "a1"), "rootResourceId": "root"},
        ),
        R(
            "aws:apigateway/resource:Resource",
            "listings",
            {"id": "r1", "parentId": "root", "pathPart": "listings", "restApi": "a1"},
        ),
        R(
            "aws:apigateway/resource:Resource",
            "search",
            {"id": "r2", "parentId": "r1", "pathPart": "search", "restApi": "a1"},
        ),
        R("aws:apigateway/stage:Stage", "stage", {"restApi": "a1", "stageName": "v1"}),
        R(
            "aws:apigateway/integration:Integration",
            "get-search",
            {
                "restApi": "a1",
                "resourceId": "r2",
                "httpMethod": "GET",
                "type": "AWS_PROXY",
                "uri": f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{fn_arn}/invocations",
            },
        ),
        *consumer(),
        *extra,
    ]
    if permission_source:
        resources.append(permission("consumer-fn", "apigateway.amazonaws.com", permission_source))
    return resources


def test_an_api_integration_needs_a_permission_covering_stage_method_and_full_path():
    [message] = check("wiring-api-lambda-permission", api(permission_source=None)).on("get-search")
    assert "GET /listings/search" in message and "stage v1" in message
    wrong_path = api(permission_source=arn("execute-api", "a1/*/GET/search"))
    assert check("wiring-api-lambda-permission", wrong_path).on("get-search")
    assert check(
        "wiring-api-lambda-permission", api(permission_source=arn("execute-api", "a1/*/GET/listings/search"))
    ).passed


def test_a_functions_dead_letter_queue_needs_the_execution_role_to_send_to_it():
    dlq = arn("sqs", "consumer-dlq")
    broken = [*consumer(), queue("consumer-dlq")]
    broken[-2] = function("consumer", "consumer-role", deadLetterConfig={"targetArn": dlq})
    [message] = check("wiring-lambda-failure-targets-authorised", broken).on("consumer")
    assert "sqs:SendMessage" in message and dlq in message
    working = [*role("consumer-role", allow("sqs:SendMessage", dlq)), broken[-2], queue("consumer-dlq")]
    assert check("wiring-lambda-failure-targets-authorised", working).passed


def test_an_integration_invoking_an_alias_needs_the_permission_on_that_alias():
    fn_arn = arn("lambda", "function:consumer-fn")
    stack = api(permission_source=None)
    stack[4] = R(
        stack[4].type, stack[4].name, {**stack[4].props, "uri": stack[4].props["uri"].replace(fn_arn, fn_arn + ":live")}
    )
    stack.append(R("aws:lambda/alias:Alias", "live", {"arn": fn_arn + ":live", "name": "live"}))
    source = arn("execute-api", "a1/*/*/*")
    unqualified = stack + [permission("consumer-fn", "apigateway.amazonaws.com", source)]
    [message] = check("wiring-api-lambda-permission", unqualified).on("get-search")
    assert "qualifier live" in message
    assert check(
        "wiring-api-lambda-permission",
        stack + [permission("consumer-fn", "apigateway.amazonaws.com", source, qualifier="live")],
    ).passed


def test_a_receiver_outside_the_stack_is_an_advisory_saying_so_never_a_pass():
    outcome = check("wiring-event-targets-authorised", [event_rule(), target(arn("sqs", "elsewhere"))])
    assert not outcome.findings
    assert "outside this stack" in outcome.undecided and arn("sqs", "elsewhere") in outcome.undecided


def test_a_stream_encrypted_with_a_customer_key_needs_the_role_to_generate_data_keys():
    stream, key_arn = arn("kinesis", "stream/listings"), arn("kms", "key/k-2")
    trust = policy({"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"})
    key = R("aws:kms/key:Key", "stream-key", {"id": "k-2", "arn": key_arn})
    encrypted = R(
        "aws:kinesis/stream:Stream", "listings", {"arn": stream, "encryptionType": "KMS", "kmsKeyId": key_arn}
    )

    def writer(*statements):
        resources = role("writer", *statements)
        resources[0].props["assumeRolePolicy"] = trust
        return resources

    put_only = writer(allow("kinesis:PutRecord", stream))
    base = [event_rule(), key, encrypted, target(stream, roleArn=put_only[0].props["arn"])]
    [message] = check("wiring-event-targets-authorised", base + put_only).on("target")
    assert "kms:GenerateDataKey" in message and key_arn in message
    with_key = writer(allow("kinesis:PutRecord", stream), allow("kms:GenerateDataKey", key_arn))
    assert check("wiring-event-targets-authorised", base + with_key).passed
