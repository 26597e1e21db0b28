"""The preview view: what a first `pulumi preview` shows unknown, derived from one program run."""

import json

import pulumi
import pulumi_aws as aws

from preview.analyzer import stack_resources
from preview.harness import mocked_pulumi
from preview.phases import UNKNOWN, preview_view


def _view(program):
    with mocked_pulumi("proj", "dev", config={"aws:region": "us-east-1"}) as env:
        result = env.run(program)
    resources = stack_resources(
        result.resources, project="proj", stack="dev", outputs=result.outputs, config={"aws:region": "us-east-1"}
    )
    return {r.name: r for r in resources}, {r.name: r for r in preview_view(resources)}


def test_computed_outputs_and_the_inputs_built_from_them_are_unknown():
    def program():
        bucket = aws.s3.Bucket("logs", tags={"team": "a"})
        policy = bucket.arn.apply(lambda arn: json.dumps({"Statement": [{"Resource": f"{arn}/*"}]}))
        aws.s3.BucketPolicy("logs-policy", bucket=bucket.id, policy=policy)
        queue = aws.sqs.Queue("jobs", name="jobs-queue", visibility_timeout_seconds=30)
        pulumi.export("bucketArn", bucket.arn)
        pulumi.export("queueName", queue.name)

    resolved, at_preview = _view(program)
    bucket, policy = at_preview["logs"], at_preview["logs-policy"]
    # Known at preview: literal inputs and the autonamed name (the provider's Check computes it).
    assert bucket.inputs["tags"] == {"team": "a"}
    assert bucket.outputs["bucket"] == resolved["logs"].outputs["bucket"]
    # Unknown: what AWS computes, and whatever the program built from it.
    assert bucket.outputs["arn"] == UNKNOWN and bucket.outputs["id"] == UNKNOWN
    assert policy.inputs["policy"] == UNKNOWN and policy.inputs["bucket"] == UNKNOWN
    assert resolved["logs-policy"].inputs["policy"].startswith('{"Statement"')
    # A given name and plain settings stay known; the stack output built on an ARN does not.
    assert at_preview["jobs"].inputs == resolved["jobs"].inputs
    stack = at_preview["proj-dev"]
    assert stack.outputs == {"bucketArn": UNKNOWN, "queueName": "jobs-queue"}


def test_a_resource_without_dependencies_is_analysed_as_resolved():
    def program():
        aws.sns.Topic("alerts", name="alerts")

    resolved, at_preview = _view(program)
    assert at_preview["alerts"].inputs == resolved["alerts"].inputs
