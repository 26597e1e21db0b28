"""Policy packs served over the real Analyzer protocol (pack processes started as the CLI does)."""

from pathlib import Path

import pytest

from preview.analyzer import AnalyzerError, PolicyPacks, StackResource, reconcile_policy_config, stack_resources
from preview.engine import run_program

FIXTURES = Path(__file__).parent / "fixtures"
BUCKET_URN = "urn:pulumi:dev::fixture-basic::fixture:storage:Storage$aws:s3/bucket:Bucket::data-bucket-0"
QUEUE_URN = "urn:pulumi:dev::fixture-basic::fixture:storage:Storage$aws:sqs/queue:Queue::data-queue"


@pytest.fixture(scope="module")
def dev_run():
    return run_program(FIXTURES / "project_basic", "dev")


@pytest.fixture(scope="module")
def resources(dev_run):
    return stack_resources(
        dev_run.resources, project=dev_run.project, stack=dev_run.stack, outputs=dev_run.outputs, config=dev_run.config
    )


@pytest.fixture(scope="module")
def packs(dev_run):
    """One process for the rules pack for the whole module; tests re-send Configure."""
    with PolicyPacks(
        [FIXTURES / "pack_rules"], project=dev_run.project, stack=dev_run.stack, config=dev_run.config
    ) as started:
        yield started


def _configure(packs, config):
    settings = dict(stack="dev", project="fixture-basic", organization="organization", dry_run=True)
    return packs.packs[0].configure(config, settings)


def _by_policy(diagnostics):
    return {(d.policy, d.urn): d for d in diagnostics}


def test_mandatory_rule_names_the_resource_urn(packs, resources):
    _configure(packs, None)
    found = _by_policy(packs.run(resources))
    owner = found[("bucket-owner-tag", BUCKET_URN)]
    assert owner.level == "mandatory" and owner.pack == "fixture-rules"
    assert "bucket data-bucket-0 has no owner tag" in owner.message
    assert found[("queue-retention", QUEUE_URN)].level == "advisory"
    assert not any(d.policy == "max-buckets" for d in found.values())  # 1 bucket <= default 3


def test_config_changes_levels_and_properties(packs, resources):
    levels = _configure(
        packs,
        {
            "bucket-owner-tag": "advisory",
            "queue-retention": {"maxRetentionSeconds": 2000000},
            "max-buckets": {"enforcementLevel": "mandatory", "maxBuckets": 0},
        },
    )
    assert levels["queue-retention"] == ("advisory", {"maxRetentionSeconds": 2000000})
    found = _by_policy(packs.run(resources))
    assert found[("bucket-owner-tag", BUCKET_URN)].level == "advisory"
    assert ("queue-retention", QUEUE_URN) not in found  # the configured limit is higher
    stack_level = [d for d in found.values() if d.policy == "max-buckets"]
    assert len(stack_level) == 1 and stack_level[0].level == "mandatory"
    assert "1 buckets, more than 0" in stack_level[0].message


def test_all_sets_every_level_and_a_policy_entry_wins_over_all(packs, resources):
    levels = _configure(packs, {"all": "mandatory", "bucket-owner-tag": "disabled"})
    assert {name: level for name, (level, _) in levels.items()} == {
        "bucket-owner-tag": "disabled",
        "queue-retention": "mandatory",
        "max-buckets": "mandatory",
    }
    found = _by_policy(packs.run(resources))
    assert found[("queue-retention", QUEUE_URN)].level == "mandatory"
    assert ("bucket-owner-tag", BUCKET_URN) not in found


def test_schema_validation_and_unknown_policies_give_clear_errors(packs):
    info = packs.packs[0].info
    with pytest.raises(AnalyzerError) as caught:
        reconcile_policy_config(info, {"queue-retention": {"maxRetentionSeconds": "long"}}, "0.2.0")
    # The CLI's wording (gojsonschema), as pulumi-policy tests/integration TestConfig expects it.
    assert str(caught.value) == (
        "validating policy config: fixture-rules 0.2.0  queue-retention: "
        "maxRetentionSeconds: Invalid type. Expected: integer, given: string"
    )
    with pytest.raises(AnalyzerError, match="less than the minimum of 60"):
        reconcile_policy_config(info, {"queue-retention": {"maxRetentionSeconds": 5}})
    with pytest.raises(AnalyzerError, match="unknown policies: no-such-policy"):
        reconcile_policy_config(info, {"no-such-policy": "mandatory"})
    with pytest.raises(AnalyzerError, match="invalid enforcement level 'fatal'"):
        reconcile_policy_config(info, {"all": "fatal"})


def test_many_resources_keep_a_deterministic_order(packs):
    _configure(packs, None)
    synthetic = [
        StackResource(
            urn=f"urn:pulumi:dev::p::aws:s3/bucket:Bucket::b{i}",
            type="aws:s3/bucket:Bucket",
            name=f"b{i}",
            inputs={"tags": {} if i % 2 else {"owner": "x"}},
            outputs={},
        )
        for i in range(300)
    ]
    diagnostics = packs.packs[0].analyze(synthetic)
    assert [d.urn for d in diagnostics] == [r.urn for r in synthetic if int(r.name[1:]) % 2]


def test_a_pack_that_crashes_on_start_reports_its_stderr(dev_run):
    with pytest.raises(AnalyzerError) as caught:
        with PolicyPacks([FIXTURES / "pack_crash"], project="fixture-basic", stack="dev", config={}):
            pass
    message = str(caught.value)
    # Exit code 1 from the pack's exception; under load gRPC can also abort (-6) or crash (-11) while
    # the interpreter exits. Either way the pack is stopped, and a death by signal is named.
    assert "policy pack pack_crash" in message and "before serving" in message
    if "was killed by SIG" in message:
        assert "exit code -" in message
    else:
        assert "exited with code" in message
        assert "fixture pack refuses to start: missing price table" in message


def test_stack_resources_link_providers_and_the_stack(resources):
    stack = resources[0]
    assert stack.type == "pulumi:pulumi:Stack" and stack.outputs["bucketCount"] == 1
    bucket = next(r for r in resources if r.urn == BUCKET_URN)
    assert bucket.provider.urn == "urn:pulumi:dev::fixture-basic::pulumi:providers:aws::default_7_51_1"
    # The engine's default provider: the package's config plus the version, no parent.
    assert bucket.provider.inputs == {"region": "us-east-1", "version": "7.51.1"}
    assert bucket.provider.parent == ""
    assert bucket.parent == "urn:pulumi:dev::fixture-basic::fixture:storage:Storage::data"
    # The SDK sends a dependency list for every input; the engine drops the empty ones.
    assert all(urns for r in resources for urns in r.property_dependencies.values())


def test_packs_are_stopped_when_the_run_is_interrupted(dev_run):
    with pytest.raises(KeyboardInterrupt):
        with PolicyPacks([FIXTURES / "pack_cost"], project="fixture-basic", stack="dev", config={}) as started:
            processes = [pack.process for pack in started.packs]
            assert all(p.poll() is None for p in processes)
            raise KeyboardInterrupt
    assert all(p.poll() is not None for p in processes)


def test_resources_link_to_their_explicit_provider_in_any_order():
    import pulumi
    import pulumi_aws as aws

    from preview.harness import mocked_pulumi

    def program():
        west = aws.Provider("west", region="us-west-2")
        aws.sns.Topic("alerts", opts=pulumi.ResourceOptions(provider=west))
        aws.sns.Topic("local")

    with mocked_pulumi("proj", "dev") as env:
        result = env.run(program)
    for records in (result.resources, list(reversed(result.resources))):
        linked = {
            r.name: r.provider.urn
            for r in stack_resources(records, project="proj", stack="dev")
            if r.provider is not None
        }
        assert linked["alerts"] == "urn:pulumi:dev::proj::pulumi:providers:aws::west"
        assert linked["local"] == "urn:pulumi:dev::proj::pulumi:providers:aws::default_7_51_1"
