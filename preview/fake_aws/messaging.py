"""Messaging and streams: SQS, SNS, Kinesis, DynamoDB."""

from __future__ import annotations

from .registry import Ctx, aws_type


@aws_type("aws:sqs/queue:Queue", name="name", max_name=80)
def _sqs_queue(c: Ctx):
    name = c.physical_name
    if c.get("fifoQueue") and not name.endswith(".fifo"):
        name = name[:75] + ".fifo"
    url = f"https://sqs.{c.region}.amazonaws.com/{c.account}/{name}"
    return url, {"arn": c.arn("sqs", name), "url": url, "name": name}


@aws_type("aws:sqs/queuePolicy:QueuePolicy")
def _sqs_queue_policy(c: Ctx):
    return c.get("queueUrl", c.name), {}


@aws_type("aws:sqs/redrivePolicy:RedrivePolicy")
def _sqs_redrive(c: Ctx):
    return c.get("queueUrl", c.name), {}


@aws_type("aws:sns/topic:Topic", name="name", max_name=256)
def _sns_topic(c: Ctx):
    arn = c.arn("sns", c.physical_name)
    return arn, {"arn": arn, "owner": c.account}


@aws_type("aws:sns/topicSubscription:TopicSubscription")
def _sns_subscription(c: Ctx):
    arn = f"{c.get('topic', c.arn('sns', 'topic'))}:{c.uuid()}"
    return arn, {"arn": arn, "ownerId": c.account}


@aws_type("aws:sns/topicPolicy:TopicPolicy")
def _sns_topic_policy(c: Ctx):
    return c.get("arn", c.name), {"owner": c.account}


@aws_type("aws:dynamodb/table:Table", name="name", max_name=255)
def _dynamodb_table(c: Ctx):
    arn = c.arn("dynamodb", f"table/{c.physical_name}")
    stream = c.get("streamEnabled")
    return c.physical_name, {
        "arn": arn,
        "streamArn": f"{arn}/stream/2024-01-01T00:00:00.000" if stream else "",
        "streamLabel": "2024-01-01T00:00:00.000" if stream else "",
        "billingMode": c.get("billingMode", "PROVISIONED"),
    }


@aws_type("aws:kinesis/stream:Stream", name="name", max_name=128)
def _kinesis_stream(c: Ctx):
    arn = c.arn("kinesis", f"stream/{c.physical_name}")
    return arn, {"arn": arn}


@aws_type("aws:kinesis/streamConsumer:StreamConsumer", name="name")
def _kinesis_consumer(c: Ctx):
    arn = f"{c.get('streamArn', c.arn('kinesis', 'stream/s'))}/consumer/{c.physical_name}:1704067200"
    return arn, {"arn": arn}
