"""The shared per-request conversion memo (policies/shared/serving.py): every pack reports exactly
what it reports without it, the SDK converts each message once per request with it, and it stays
out on any pulumi-policy version it was not written for."""

from __future__ import annotations

import copy
import gc
import importlib
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from google.protobuf import json_format
from pulumi_policy import EnforcementLevel
from pulumi_policy import policy as sdk
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_analyzer import synthetic, wiring_synthetic  # noqa: E402
from preview.analyzer import StackResource, _analyze_request, _protos, _stack_resource_message  # noqa: E402

_protos()
from pulumi.runtime.proto import analyzer_pb2  # noqa: E402

PACKS = ("security", "cost", "wiring")


def _stack():
    """Shapes every pack reads, with findings and unknowns: the generic and the wiring benchmark
    stacks, a wildcard policy, a world-open security group, a VPC whose SQS endpoint is gone, flow
    logs on some VPCs only (a stack rule joins them by id), and values not known yet."""
    generic, wiring = synthetic(80), wiring_synthetic(120)
    resources = generic + [r for r in wiring[1:] if not (r.type.endswith("VpcEndpoint") and r.name == "sqs1")]
    resources = [copy.deepcopy(r) for r in resources]
    provider = resources[0]
    for index in (0, 2, 3):
        props = {"vpcId": f"vpc-{index}", "trafficType": "REJECT", "logDestinationType": "s3"}
        resources.append(
            StackResource(
                urn=f"urn:pulumi:bench::bench::aws:ec2/flowLog:FlowLog::flow{index}",
                type="aws:ec2/flowLog:FlowLog",
                name=f"flow{index}",
                inputs=props,
                outputs=props,
                provider=provider,
                dependencies=[provider.urn],
            )
        )
    for res in resources:
        if res.type == "aws:iam/rolePolicy:RolePolicy" and res.name == "policy2":
            res.inputs = res.outputs = {
                "role": "role-2",
                "policy": json.dumps(
                    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
                ),
            }
        if res.type == "aws:ec2/securityGroup:SecurityGroup" and res.name == "sg3":
            res.inputs = res.outputs = {
                **res.inputs,
                "ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}],
            }
        if res.type == "aws:lambda/function:Function" and res.name in ("fn4", "fn5"):
            res.inputs = res.outputs = {**res.inputs, "role": UNKNOWN_STRING_VALUE, "memorySize": UNKNOWN_STRING_VALUE}
        if res.type == "aws:sqs/queue:Queue" and res.name == "queue1":
            res.inputs = res.outputs = {**res.inputs, "kmsMasterKeyId": UNKNOWN_STRING_VALUE}
    return resources


def _serving(pack: str):
    """The pack's own copy of the shared module, as its process loads it."""
    directory = str(ROOT / "policies" / pack)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    return importlib.import_module(f"{pack}_rules"), importlib.import_module(f"{pack}_rules.serving")


@pytest.fixture(autouse=True)
def _sdk_as_shipped():
    yield
    for pack in PACKS:
        _serving(pack)[1].uninstall()


def _run(rules, requests, stack_request, threads: int = 1):
    servicer = sdk._PolicyAnalyzerServicer("blueprints-test", "0.0.1", list(rules.POLICIES), EnforcementLevel.MANDATORY)
    with ThreadPoolExecutor(threads) as pool:  # the SDK's server runs requests on 4 threads
        analyzed = list(pool.map(lambda request: servicer.Analyze(request, None), requests))
    responses = analyzed + [servicer.AnalyzeStack(stack_request, None)]
    return [json_format.MessageToDict(response) for response in responses]


@pytest.mark.parametrize("pack", PACKS)
def test_every_pack_reports_the_same_with_and_without_the_memo(pack):
    rules, serving = _serving(pack)
    resources = _stack()
    requests = [_analyze_request(r) for r in resources if not r.type.startswith("pulumi:providers:")]
    stack_request = analyzer_pb2.AnalyzeStackRequest(resources=[_stack_resource_message(r) for r in resources])

    serving.uninstall()
    without = _run(rules, requests, stack_request)
    assert serving.install() and serving.installed()
    with_memo = _run(rules, requests, stack_request, threads=4)

    assert with_memo == without
    diagnostics = [d for response in without for d in response.get("diagnostics", [])]
    assert diagnostics, "the stack must give the pack something to report, or the comparison proves nothing"


def test_the_sdk_converts_each_message_once_per_request_with_the_memo(monkeypatch):
    rules, serving = _serving("security")
    resources = _stack()
    stack_request = analyzer_pb2.AnalyzeStackRequest(resources=[_stack_resource_message(r) for r in resources])
    messages = len(resources) + sum(1 for r in resources if r.provider is not None)  # properties, provider
    stack_policies = sum(1 for p in rules.POLICIES if isinstance(p, sdk.StackValidationPolicy))
    calls = []
    original = json_format.MessageToDict

    def counted(message, *args, **kwargs):
        calls.append(message)
        return original(message, *args, **kwargs)

    serving.uninstall()
    monkeypatch.setattr(json_format, "MessageToDict", counted)
    servicer = sdk._PolicyAnalyzerServicer("blueprints-test", "0.0.1", list(rules.POLICIES), EnforcementLevel.MANDATORY)
    servicer.AnalyzeStack(stack_request, None)
    assert len(calls) == stack_policies * messages  # the SDK alone: every message again for each policy

    calls.clear()
    assert serving.install()
    servicer.AnalyzeStack(stack_request, None)
    assert len(calls) == messages


def test_per_request_values_are_shared_within_a_request_only():
    _, serving = _serving("wiring")
    built = []
    assert serving.per_request("k", lambda: built.append(1) or len(built)) == 1
    assert serving.per_request("k", lambda: built.append(1) or len(built)) == 2  # no request: built again

    assert serving.install()
    seen = []

    class Probe(sdk.StackValidationPolicy):
        def __init__(self, name):
            super().__init__(
                name, "probe", lambda args, report: seen.append(serving.per_request("k", lambda: object()))
            )

    servicer = sdk._PolicyAnalyzerServicer("p", "0.0.1", [Probe("a"), Probe("b")], EnforcementLevel.ADVISORY)
    request = analyzer_pb2.AnalyzeStackRequest()
    servicer.AnalyzeStack(request, None)
    servicer.AnalyzeStack(request, None)
    assert seen[0] is seen[1] and seen[2] is seen[3] and seen[0] is not seen[2]


def test_another_sdk_version_is_left_alone(monkeypatch, capsys):
    _, serving = _serving("cost")
    serving.uninstall()
    originals = (
        sdk.json_format,
        sdk.deserialize_properties,
        sdk.unknown_checking_proxy,
        sdk._PolicyAnalyzerServicer.Analyze,
        sdk._PolicyAnalyzerServicer.AnalyzeStack,
    )
    monkeypatch.setattr(serving, "_sdk_version", lambda: "1.22.0")

    assert serving.install() is False
    assert not serving.installed()
    assert originals == (
        sdk.json_format,
        sdk.deserialize_properties,
        sdk.unknown_checking_proxy,
        sdk._PolicyAnalyzerServicer.Analyze,
        sdk._PolicyAnalyzerServicer.AnalyzeStack,
    )
    assert "pulumi-policy 1.22.0 is not 1.21.0" in capsys.readouterr().err


def test_every_pack_prepares_its_server_with_the_shared_module():
    shared = (ROOT / "policies" / "shared" / "serving.py").resolve()
    for pack in PACKS:
        _, serving = _serving(pack)
        assert Path(serving.__file__).resolve() == shared
        main = (ROOT / "policies" / pack / "__main__.py").read_text()
        assert main.index("prepare()") < main.index("PolicyPack(")


def test_runtime_settings_are_configured_again_only_when_their_environment_changes(monkeypatch):
    _, serving = _serving("security")
    serving.uninstall()
    configured = []
    monkeypatch.setattr(
        sdk._PolicyAnalyzerServicer,
        "_configure_runtime_settings",
        lambda self: configured.append(__import__("os").environ.get("PULUMI_STACK")),
    )
    assert serving.install()
    servicer = sdk._PolicyAnalyzerServicer(
        "p", "0.0.1", [sdk.StackValidationPolicy("s", "d", lambda a, r: None)], EnforcementLevel.ADVISORY
    )
    monkeypatch.setenv("PULUMI_STACK", "dev")
    for _ in range(3):
        servicer.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(), None)
    monkeypatch.setenv("PULUMI_STACK", "prod")
    servicer.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(), None)
    with ThreadPoolExecutor(1) as pool:  # another thread has its own runtime context: configured there too
        pool.submit(servicer.AnalyzeStack, analyzer_pb2.AnalyzeStackRequest(), None).result()
    serving.uninstall()  # before monkeypatch puts the SDK's method back
    assert configured == ["dev", "prod", "prod"]


def test_the_collector_waits_for_the_end_of_an_analyze_stack_request():
    _, serving = _serving("wiring")
    assert serving.install()
    enabled = []
    servicer = sdk._PolicyAnalyzerServicer(
        "p",
        "0.0.1",
        [sdk.StackValidationPolicy("s", "d", lambda args, report: enabled.append(gc.isenabled()))],
        EnforcementLevel.ADVISORY,
    )
    servicer.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(), None)
    assert enabled == [False] and gc.isenabled()


def test_analyze_calls_a_policy_marked_with_its_types_only_for_resources_of_those_types():
    _, serving = _serving("security")
    assert serving.install()
    calls = []

    def policy(name, types=None):
        made = sdk.ResourceValidationPolicy(name, "d", lambda args, report: calls.append((name, args.resource_type)))
        return made if types is None else serving.applies_only_to(made, types)

    stack_seen = []
    policies = [
        policy("queues", {"aws:sqs/queue:Queue"}),
        policy("any"),
        policy("buckets", {"aws:s3/bucket:Bucket"}),
        sdk.StackValidationPolicy("stack", "d", lambda args, report: stack_seen.append(len(args.resources))),
    ]
    servicer = sdk._PolicyAnalyzerServicer("p", "0.0.1", policies, EnforcementLevel.ADVISORY)
    for type_ in ("aws:sqs/queue:Queue", "aws:s3/bucket:Bucket", "aws:iam/role:Role"):
        servicer.Analyze(analyzer_pb2.AnalyzeRequest(type=type_, urn=f"urn:{type_}", name="r"), None)
    assert calls == [
        ("queues", "aws:sqs/queue:Queue"),
        ("any", "aws:sqs/queue:Queue"),
        ("any", "aws:s3/bucket:Bucket"),
        ("buckets", "aws:s3/bucket:Bucket"),
        ("any", "aws:iam/role:Role"),
    ]
    # Every other request sees every policy: the engine lists all four, stack policies still run.
    assert [p.name for p in servicer.GetAnalyzerInfo(None, None).policies] == ["queues", "any", "buckets", "stack"]
    servicer.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(), None)
    assert stack_seen == [0]

    serving.uninstall()  # the servicer keeps its policies without the patch
    calls.clear()
    servicer.Analyze(analyzer_pb2.AnalyzeRequest(type="aws:iam/role:Role", urn="urn:r", name="r"), None)
    assert [name for name, _ in calls] == ["queues", "any", "buckets"]
