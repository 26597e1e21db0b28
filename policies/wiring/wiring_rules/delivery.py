"""Every delivery the stack wires up is authorised at the receiving end: EventBridge targets and
their dead-letter queues, SNS subscriptions, CloudWatch alarm actions, API Gateway integrations,
the dead-letter queues and on-failure destinations Lambda writes to, and the customer managed keys
that encrypt a receiving queue or topic. A delivery that is not allowed fails at run time, silently
to the sender (EventBridge counts FailedInvocations; SNS drops after its retries)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pulumi_policy import EnforcementLevel

from ._compute import ESM, FUNCTION, Roles
from ._core import Finding, Item, Res, Undecided, UndecidedError, Unknown, known, stack_rule
from ._documents import Statement, allows
from ._graph import Graph, arn_parts
from ._resource_policies import QUEUE, TOPIC, ResourcePolicies, arn_service

EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
INTEGRATION = "aws:apigateway/integration:Integration"
STREAM = "aws:kinesis/stream:Stream"
REST_API = "aws:apigateway/restApi:RestApi"
API_RESOURCE = "aws:apigateway/resource:Resource"
STAGE = "aws:apigateway/stage:Stage"

EVENTS = "events.amazonaws.com"
SNS = "sns.amazonaws.com"
CLOUDWATCH = "cloudwatch.amazonaws.com"
APIGATEWAY = "apigateway.amazonaws.com"

# Targets EventBridge reaches with the target's IAM role, and the action the role must allow
# (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html).
ROLE_TARGET_ACTIONS = {
    "kinesis": "kinesis:PutRecord",
    "states": "states:StartExecution",
    "api-destination": "events:InvokeApiDestination",
    "event-bus": "events:PutEvents",
    "firehose": "firehose:PutRecordBatch",
}


def _queue_or_topic(graph: Graph, arn: str) -> Res:
    found = graph.one(arn, QUEUE, TOPIC)
    if found is None:  # not in this stack: neither is its policy
        raise UndecidedError(Undecided(None, arn, "a queue or topic outside the stack", pending=False))
    return found


def _send_problem(policies: ResourcePolicies, target: Res, service: str, source_arn: str) -> str | None:
    """Why ``service`` cannot deliver to the queue or topic ``target`` for ``source_arn``."""
    action = "sqs:SendMessage" if target.type == QUEUE else "sns:Publish"
    verdict = policies.resource_allows(target, action, service, source_arn)
    if verdict is None and not (target.type == TOPIC and service == CLOUDWATCH):
        # The default queue/topic policy admits only the owner account's identities, not service
        # principals (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html).
        return (
            f"{target.name} has no {'queue' if target.type == QUEUE else 'topic'} policy, so {service} may not "
            f"{action} to it: add a policy allowing {service} {action} with aws:SourceArn {source_arn}"
        )
    if verdict is False:
        return (
            f"the policy of {target.name} does not allow {service} {action} for {source_arn}: allow it (with "
            f"aws:SourceArn {source_arn})"
        )
    return policies.key_problem(target, service)


def _lambda_problem(
    graph: Graph, policies: ResourcePolicies, function_arn: str, principal: str, source_arn: str
) -> str | None:
    function = graph.one(function_arn, FUNCTION)
    if function is None:  # not in this stack: neither are its permissions
        raise UndecidedError(Undecided(None, function_arn, "a function outside the stack", pending=False))
    parts = arn_parts(function_arn) or {}
    qualifier = parts.get("rest", "").split(":")[2] if parts.get("rest", "").count(":") >= 2 else None
    if not policies.lambda_allows(function, qualifier, principal, source_arn):
        on = f"{function.name}{':' + qualifier if qualifier else ''}"
        return (
            f"no lambda:InvokeFunction permission on {on} for {principal} with a source ARN covering "
            f"{source_arn}: add an aws.lambda.Permission (principal {principal}, source_arn {source_arn}"
            + (f", qualifier {qualifier}" if qualifier else "")
            + ")"
        )
    return None


def _stream_key_problem(
    graph: Graph, policies: ResourcePolicies, role: str, target: Res, stream_arn: str
) -> str | None:
    """A writer to a stream encrypted with a customer managed key needs kms:GenerateDataKey on the key
    (https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html)."""
    stream = graph.one(stream_arn, STREAM)
    if stream is None or stream.props.get("encryptionType") != "KMS":
        return None
    key_ref = known(stream.props.get("kmsKeyId"), stream, "the stream's key")
    if not key_ref or key_ref == "alias/aws/kinesis":  # the AWS managed key admits the account's writers
        return None
    key = policies.key_of(key_ref, graph.region_of(stream))
    if key is None:
        raise UndecidedError(Undecided(stream, "kmsKeyId", f"the key {key_ref} is not in the stack", pending=False))
    key_arn = known(key.props.get("arn"), key, "the key's ARN")
    return policies.role_allows(role, target, "kms:GenerateDataKey", key_arn, EVENTS)


def _rule_arn(graph: Graph, target: Res) -> str:
    rule_name = known(target.props.get("rule"), target, "the target's rule")
    bus = target.props.get("eventBusName")
    region = graph.region_of(target)
    for candidate in graph.lookup(rule_name, EVENT_RULE, region=region):
        if (candidate.props.get("eventBusName") or "default") == (bus or "default") and graph.region_of(
            candidate
        ) == region:
            return known(candidate.props.get("arn"), candidate, "the rule's ARN")
    account = (arn_parts(str(target.props.get("roleArn") or target.props.get("arn") or "")) or {}).get("account", "")
    return f"arn:aws:events:{region}:{account}:rule/" + (f"{bus}/" if bus and bus != "default" else "") + rule_name


def check_event_targets(graph: Graph) -> Iterator[Item]:
    policies = ResourcePolicies.of(graph)
    for target in graph.of_type(EVENT_TARGET):
        for check in (_check_target, _check_target_dlq):  # each end decided on its own
            try:
                yield from check(graph, policies, target)
            except UndecidedError as stop:
                yield stop.undecided


def _check_target(graph: Graph, policies: ResourcePolicies, target: Res) -> Iterator[Item]:
    arn = known(target.props.get("arn"), target, "the target's ARN")
    rule_arn = _rule_arn(graph, target)
    service = arn_service(arn)
    role = target.props.get("roleArn")
    problem = None
    if isinstance(role, Unknown):
        raise UndecidedError(Undecided(target, role.path, "the role EventBridge uses"))
    if service in ROLE_TARGET_ACTIONS or (role and service not in ("lambda", "sqs", "sns", "logs")):
        if not role:
            problem = (
                f"EventBridge needs a role to deliver to {service} targets (roleArn is empty): give the "
                f"target a role trusted by {EVENTS} that allows {ROLE_TARGET_ACTIONS.get(service, 'the call')}"
            )
        elif service in ROLE_TARGET_ACTIONS:
            problem = policies.role_allows(role, target, ROLE_TARGET_ACTIONS[service], arn, EVENTS)
            if problem is None and service == "kinesis":
                problem = _stream_key_problem(graph, policies, role, target, arn)
    elif service == "lambda":
        problem = _lambda_problem(graph, policies, arn, EVENTS, rule_arn)
    elif service in ("sqs", "sns"):
        problem = _send_problem(policies, _queue_or_topic(graph, arn), EVENTS, rule_arn)
    # EventBridge writes to a log group under the account's CloudWatch Logs resource policy
    # (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-cloudwatchlogs-permissions).
    elif service == "logs" and not policies.log_group_allows(arn, EVENTS):
        problem = (
            f"no CloudWatch Logs resource policy lets {EVENTS} create streams and put events in {arn}: "
            "add an aws.cloudwatch.LogResourcePolicy for it"
        )
    if problem:
        yield Finding(target, f"Delivery::{service}", f"rule {rule_arn} cannot deliver to {arn}: {problem}.")


def _check_target_dlq(graph: Graph, policies: ResourcePolicies, target: Res) -> Iterator[Item]:
    dlq = target.get("deadLetterConfig", "arn")
    if isinstance(dlq, Unknown):
        yield Undecided(target, dlq.path, "the target's dead-letter queue")
    elif dlq:
        rule_arn = _rule_arn(graph, target)
        why = _send_problem(policies, _queue_or_topic(graph, dlq), EVENTS, rule_arn)
        if why:
            yield Finding(
                target,
                "DeadLetter::sqs",
                f"undeliverable events of rule {rule_arn} cannot reach the "
                f"dead-letter queue {dlq}: {why}. They would be lost.",
            )


def check_subscriptions(graph: Graph) -> Iterator[Item]:
    """SNS delivers to SQS under the queue's policy and to Lambda under a function permission
    (https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html,
    https://docs.aws.amazon.com/sns/latest/dg/sns-lambda-as-subscriber.html)."""
    policies = ResourcePolicies.of(graph)
    for subscription in graph.of_type(SUBSCRIPTION):
        try:
            protocol = known(subscription.props.get("protocol"), subscription, "the protocol")
            if protocol not in ("sqs", "lambda"):
                continue
            topic = known(subscription.props.get("topic"), subscription, "the topic")
            endpoint = known(subscription.props.get("endpoint"), subscription, "the subscriber")
            if protocol == "sqs":
                problem = _send_problem(policies, _queue_or_topic(graph, endpoint), SNS, topic)
            else:
                problem = _lambda_problem(graph, policies, endpoint, SNS, topic)
            if problem:
                yield Finding(
                    subscription, f"Delivery::{protocol}", f"topic {topic} cannot deliver to {endpoint}: {problem}."
                )
        except UndecidedError as stop:
            yield stop.undecided


def check_alarm_actions(graph: Graph) -> Iterator[Item]:
    """CloudWatch publishes alarm notifications to SNS as cloudwatch.amazonaws.com; an encrypted
    topic's key must let it in
    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-encryption)."""
    policies = ResourcePolicies.of(graph)
    for alarm in graph.of_type(ALARM):
        for key in ("alarmActions", "okActions", "insufficientDataActions"):
            actions = alarm.props.get(key) or []
            if isinstance(actions, Unknown):
                yield Undecided(alarm, actions.path, "the alarm's actions")
                continue
            for index, action in enumerate(actions):
                if isinstance(action, Unknown):
                    yield Undecided(alarm, action.path, "an alarm action")
                    continue
                if not str(action).startswith("arn:aws:sns:"):
                    continue
                try:
                    alarm_arn = alarm.props.get("arn") if isinstance(alarm.props.get("arn"), str) else None
                    problem = _send_problem(policies, _queue_or_topic(graph, action), CLOUDWATCH, alarm_arn)
                except UndecidedError as stop:
                    yield stop.undecided
                    continue
                if problem:
                    yield Finding(
                        alarm,
                        "AlarmAction::sns",
                        f"{key}[{index}] cannot notify {action}: {problem}. Nobody would be told when the alarm fires.",
                    )


_LAMBDA_URI = re.compile(r":lambda:path/[^/]+/functions/(?P<function>arn:[^/]+)/invocations$")


def _resource_paths(graph: Graph) -> dict[str, str]:
    """Each API resource's full path, from the parent chain (``pathPart``), indexed once."""
    parents = {}
    for res in graph.of_type(API_RESOURCE):
        if isinstance(res.props.get("id"), str):
            parents[res.props["id"]] = (res.props.get("parentId"), res.props.get("pathPart"))
    paths: dict[str, str] = {}

    def path(rid: str, depth: int = 0) -> str:
        if rid in paths:
            return paths[rid]
        if rid not in parents or depth > 64:
            return ""  # the root resource (or a parent outside the stack)
        parent, part = parents[rid]
        paths[rid] = f"{path(parent, depth + 1) if isinstance(parent, str) else ''}/{part}"
        return paths[rid]

    return {rid: path(rid) for rid in parents}


def check_api_integrations(graph: Graph) -> Iterator[Item]:
    """API Gateway invokes a Lambda integration under a function permission for
    apigateway.amazonaws.com whose source ARN covers ``<api execution ARN>/<stage>/<METHOD>/<path>``
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html),
    or with the integration's ``credentials`` role."""
    policies = ResourcePolicies.of(graph)
    paths = _resource_paths(graph)
    stages: dict[str, list[str]] = {}
    for stage in graph.of_type(STAGE):
        if isinstance(stage.props.get("restApi"), str) and isinstance(stage.props.get("stageName"), str):
            stages.setdefault(stage.props["restApi"], []).append(stage.props["stageName"])
    for integration in graph.of_type(INTEGRATION):
        try:
            uri = known(integration.props.get("uri"), integration, "the integration's URI")
            match = _LAMBDA_URI.search(uri or "")
            if not match:
                continue
            function_arn = match.group("function")
            api_id = known(integration.props.get("restApi"), integration, "the integration's API")
            api = graph.one(api_id, REST_API)
            if api is None:
                continue
            execution = known(api.props.get("executionArn"), api, "the API's execution ARN")
            method = known(integration.props.get("httpMethod"), integration, "the method")
            path = paths.get(known(integration.props.get("resourceId"), integration, "the API resource"), "")
            credentials = integration.props.get("credentials")
            for stage in stages.get(api_id, ["*"]):
                source = f"{execution}/{stage}/{method}{path or '/'}"
                if credentials:
                    problem = policies.role_allows(
                        credentials, integration, "lambda:InvokeFunction", function_arn, APIGATEWAY
                    )
                else:
                    problem = _lambda_problem(graph, policies, function_arn, APIGATEWAY, source)
                if problem:
                    yield Finding(
                        integration,
                        "Invoke::lambda",
                        f"{method} {path or '/'} of API {api.name} (stage "
                        f"{stage}) cannot invoke {function_arn}: {problem}. Callers would get 500s.",
                    )
                    break
        except UndecidedError as stop:
            yield stop.undecided


def check_lambda_failure_targets(graph: Graph) -> Iterator[Item]:
    """Lambda sends to a function's dead-letter queue and to an event source mapping's on-failure
    destination with the function's execution role
    (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq,
    https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html)."""
    roles = Roles.of(graph)
    sinks: list[tuple[Res, Res, str, str]] = []  # (reported on, function, target ARN, what)
    for function in graph.of_type(FUNCTION):
        target = function.get("deadLetterConfig", "targetArn")
        if isinstance(target, Unknown):
            yield Undecided(function, target.path, "the dead-letter target")
        elif target:
            sinks.append((function, function, target, "dead-letter queue"))
    for mapping in graph.of_type(ESM):
        target = mapping.get("destinationConfig", "onFailure", "destinationArn")
        if isinstance(target, Unknown):
            yield Undecided(mapping, target.path, "the on-failure destination")
            continue
        if target:
            for function in graph.lookup(mapping.props.get("functionName"), FUNCTION):
                sinks.append((mapping, function, target, "on-failure destination"))
    for owner, function, target, what in sinks:
        try:
            role = roles.role(function.props.get("role"), function)
            action = "sns:Publish" if ":sns:" in target else "sqs:SendMessage"
            # Lambda calls as the role, an identity of the owner account: the default queue/topic
            # policy admits it, so the role's own policy decides.
            granted = [s for s in roles.statements(role) if isinstance(s, Statement)]
            problem = (
                None
                if allows(granted, action, target)
                else (f"the execution role {role.name} does not allow {action} on it")
            )
            if problem:
                yield Finding(
                    owner,
                    f"FailureTarget::{action.split(':')[0]}",
                    f"{function.name}'s {what} {target} would never receive a record: {problem}. Failed "
                    "events would be lost.",
                )
        except UndecidedError as stop:
            yield stop.undecided


RULES = [
    stack_rule(
        name="wiring-event-targets-authorised",
        description=(
            "Every EventBridge target (Lambda, SQS, SNS, CloudWatch Logs, Kinesis, Step Functions, API "
            "destination, another bus) and its dead-letter queue lets the rule deliver: a resource policy "
            "or permission naming the rule, or a role EventBridge can assume; an encrypting key that "
            "grants EventBridge."
        ),
        level=EnforcementLevel.MANDATORY,
        check=check_event_targets,
        docs=(
            "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html",
            "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html",
            "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html",
        ),
    ),
    stack_rule(
        name="wiring-sns-subscriptions-authorised",
        description=(
            "SNS subscriptions of SQS queues and Lambda functions are allowed by the queue policy or a "
            "function permission for the topic, and an encrypting key grants SNS."
        ),
        level=EnforcementLevel.MANDATORY,
        check=check_subscriptions,
        docs=(
            "https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html",
            "https://docs.aws.amazon.com/sns/latest/dg/sns-lambda-as-subscriber.html",
            "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html",
        ),
    ),
    stack_rule(
        name="wiring-alarm-actions-authorised",
        description=(
            "CloudWatch alarm actions can publish to their SNS topics: the topic policy (if any) admits "
            "CloudWatch and the topic's key grants it."
        ),
        level=EnforcementLevel.MANDATORY,
        check=check_alarm_actions,
        docs=("https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html",),
    ),
    stack_rule(
        name="wiring-api-lambda-permission",
        description=(
            "Every API Gateway Lambda integration has a lambda:InvokeFunction permission for API Gateway "
            "whose source ARN covers the API, stage, method and path (or a credentials role allowing it)."
        ),
        level=EnforcementLevel.MANDATORY,
        check=check_api_integrations,
        docs=(
            "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html",
            "https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway.html",
        ),
    ),
    stack_rule(
        name="wiring-lambda-failure-targets-authorised",
        description=(
            "A function's dead-letter queue and its event source mappings' on-failure destinations are "
            "allowed by the function's execution role."
        ),
        level=EnforcementLevel.MANDATORY,
        check=check_lambda_failure_targets,
        docs=(
            "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html",
            "https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html",
        ),
    ),
]
