"""The harness: clean state between runs, failures inside applies surface, records and config."""

import asyncio
import os

import pulumi
import pulumi_aws as aws
import pytest

from preview.harness import mocked_pulumi


class Pair(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("test:pair:Pair", name, None, opts)
        self.first = aws.sqs.Queue(f"{name}-a", opts=pulumi.ResourceOptions(parent=self))
        self.second = aws.sqs.Queue(
            f"{name}-b", redrive_policy=self.first.arn.apply(lambda a: a), opts=pulumi.ResourceOptions(parent=self)
        )
        self.register_outputs({"firstArn": self.first.arn})


def test_two_runs_in_one_process_with_the_same_names_are_clean():
    results = []
    for _ in range(2):
        with mocked_pulumi("harnessproj", "dev") as env:
            result = env.run(lambda: Pair("pair"))
            results.append(result)
            assert len(env.records) == 3  # nothing left over from the previous block
    assert [r.urn for r in results[0].resources] == [r.urn for r in results[1].resources]
    # State is reset afterwards.
    assert pulumi.runtime.get_config("aws:region") is None
    assert pulumi.runtime.settings.get_root_resource() is None
    assert "OFFLINE_PREVIEW" not in os.environ


def test_records_carry_parent_dependencies_and_component_outputs():
    with mocked_pulumi("harnessproj", "dev") as env:
        result = env.run(lambda: Pair("pair"))
    component = result.named("pair")
    first, second = result.named("pair-a"), result.named("pair-b")
    assert component.urn == "urn:pulumi:dev::harnessproj::test:pair:Pair::pair"
    assert first.parent == component.urn and not component.custom and first.custom
    assert second.property_dependencies["redrivePolicy"] == [first.urn]
    assert first.urn in second.dependencies
    assert component.outputs == {"firstArn": first.outputs["arn"]}


def test_a_failing_assertion_inside_apply_surfaces():
    with mocked_pulumi("harnessproj", "dev") as env:

        def body():
            queue = aws.sqs.Queue("q")
            return queue.arn.apply(lambda arn: _fail_unless(arn.startswith("arn:aws:sns:")))

        with pytest.raises(AssertionError, match="expected an SNS ARN"):
            env.run_test(body)
        # The handle stays usable after a failure.
        assert env.run(lambda: aws.sqs.Queue("again").name).value.startswith("again-")


def _fail_unless(condition):
    assert condition, "expected an SNS ARN"


def test_config_is_set_as_the_engine_does_and_exports_are_collected():
    config = {"size": 3, "enabled": True, "zones": ["a", "b"], "aws:region": "eu-west-1"}
    with mocked_pulumi("harnessproj", "prod", config=config) as env:

        def program():
            cfg = pulumi.Config()
            assert os.environ["OFFLINE_PREVIEW"] == "1"
            pulumi.export("size", cfg.require_int("size"))
            pulumi.export("enabled", cfg.require_bool("enabled"))
            pulumi.export("zones", cfg.require_object("zones"))
            pulumi.export("stack", pulumi.get_stack())
            pulumi.export("bucket", aws.s3.Bucket("b").region)

        result = env.run(program)
    assert result.outputs == {"size": 3, "enabled": True, "zones": ["a", "b"], "stack": "prod", "bucket": "eu-west-1"}


def test_pulumi_runtime_test_decorator_works_inside_the_block():
    with mocked_pulumi("harnessproj", "dev") as env:
        seen = []

        @pulumi.runtime.test
        def check():
            return aws.sqs.Queue("decorated").arn.apply(seen.append)

        check()
        assert seen and seen[0].startswith("arn:aws:sqs:us-east-1:")
        assert env.fake.named("decorated").type == "aws:sqs/queue:Queue"


def test_stack_transform_registered_at_top_level_does_not_need_a_running_loop_trick():
    def tag_everything(args):
        if args.type_.startswith("aws:") and "tags" in args.props:
            return pulumi.ResourceTransformResult(args.props, args.opts)
        return None

    with mocked_pulumi("harnessproj", "dev") as env:

        def program():
            pulumi.runtime.register_resource_transform(tag_everything)
            aws.sqs.Queue("q", tags={"a": "b"})

        result = env.run(program)
        assert [r.name for r in result.resources] == ["q"]
    assert asyncio.get_event_loop_policy() is not None


def test_the_placeholder_root_stacks_empty_outputs_never_overwrite_a_runs_exports(monkeypatch):
    """``mocked_pulumi`` makes a placeholder root Stack, as ``set_mocks`` does, whose ``_finish``
    registers empty outputs under the same URN as the run's Stack. Each RegisterResourceOutputs runs on
    the SDK's thread pool, so under load the placeholder's could land after the run's and erase every
    export (seen as ``"outputs": {}`` in 2 of 48 loaded previews). This monitor forces that order if
    the placeholder's call is still pending when the run starts."""
    import threading

    from preview import harness

    run_landed, placeholder_landed = threading.Event(), threading.Event()

    class SlowPlaceholderMonitor(harness.RecordingMonitor):
        def RegisterResourceOutputs(self, request):
            if "pulumi:pulumi:Stack" not in request.urn:
                return super().RegisterResourceOutputs(request)
            if not request.outputs.fields:  # the placeholder: wait for the run's exports, then land
                run_landed.wait(timeout=0.5)
                response = super().RegisterResourceOutputs(request)
                placeholder_landed.set()
                return response
            response = super().RegisterResourceOutputs(request)
            run_landed.set()
            placeholder_landed.wait(timeout=0.5)
            return response

    monkeypatch.setattr(harness, "RecordingMonitor", SlowPlaceholderMonitor)

    def program():
        pulumi.export("answer", 42)

    with mocked_pulumi("harnessproj", "dev") as env:
        result = env.run(program)
    assert result.outputs == {"answer": 42}


def test_the_run_waits_for_outstanding_outputs_in_a_few_passes_not_one_per_output(monkeypatch):
    """The SDK's ``wait_for_rpcs`` waits for every outstanding output. Waiting with one
    ``asyncio.wait`` per completion, each over all the pending outputs, is quadratic when they complete
    one after another (a chain of dependent resources, as the shipped stacks have): about 40 % of the
    prod program's run. Every output is still awaited and its value delivered."""
    sizes: list[int] = []
    real_wait = asyncio.wait

    async def measuring_wait(fs, **kwargs):
        sizes.append(len(fs))
        return await real_wait(fs, **kwargs)

    monkeypatch.setattr(asyncio, "wait", measuring_wait)
    seen: list[str] = []

    def program():
        previous = None
        for index in range(150):  # each queue waits for the one before: completions come one by one
            tags = None if previous is None else {"after": previous.arn}
            previous = aws.sqs.Queue(f"q{index}", tags=tags)
            previous.arn.apply(seen.append)

    with mocked_pulumi("harnessproj", "dev") as env:
        result = env.run(program)
    assert len(result.resources) == 150 and len(seen) == 150
    assert sum(sizes) < 4 * max(sizes), f"{len(sizes)} waits over {sum(sizes)} outputs in all"
