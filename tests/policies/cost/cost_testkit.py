"""Builders for the cost pack tests: PolicyResources as the engine sends them, validator runners,
and protobuf requests for the in-process Analyzer servicer."""

from __future__ import annotations

import json
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime import proto
from pulumi_policy import (
    EnforcementLevel,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.policy import PolicyCustomTimeouts, _PolicyAnalyzerServicer

PROJECT = "blueprints"


def _options(parent: str | None = None) -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], parent)


class StackBuilder:
    """A stack of PolicyResources with providers, components and references, like AnalyzeStack builds."""

    def __init__(self, stack: str = "dev"):
        self.stack = stack
        self.resources: list[PolicyResource] = []
        self.providers: dict[str, PolicyResource] = {}

    def _urn(self, token: str, name: str, parent: PolicyResource | None) -> str:
        chain = token
        if parent is not None:
            chain = parent.urn.split("::")[2] + "$" + token
        return f"urn:pulumi:{self.stack}::{PROJECT}::{chain}::{name}"

    def provider(self, region: str = "us-east-1", name: str | None = None, **props: Any) -> PolicyResource:
        key = name or f"aws-{region}"
        if key not in self.providers:
            values = {"region": region, **props}
            resource = PolicyResource(
                "pulumi:providers:aws",
                values,
                self._urn("pulumi:providers:aws", key, None),
                key,
                _options(),
                None,
                None,
                [],
                {},
            )
            self.providers[key] = resource
            self.resources.append(resource)
        return self.providers[key]

    def component(self, token: str, name: str, parent: PolicyResource | None = None) -> PolicyResource:
        resource = PolicyResource(
            token,
            {},
            self._urn(token, name, parent),
            name,
            _options(parent.urn if parent else None),
            None,
            parent,
            [],
            {},
        )
        self.resources.append(resource)
        return resource

    def add(
        self,
        token: str,
        name: str,
        props: dict[str, Any] | None = None,
        *,
        region: str = "us-east-1",
        parent: PolicyResource | None = None,
        depends_on: list[PolicyResource] | None = None,
        property_dependencies: dict[str, list[PolicyResource]] | None = None,
        provider: PolicyResource | None = None,
    ) -> PolicyResource:
        provider = provider or self.provider(region)
        provider_resource = PolicyProviderResource(provider.resource_type, provider.props, provider.urn, provider.name)
        resource = PolicyResource(
            token,
            dict(props or {}),
            self._urn(token, name, parent),
            name,
            _options(parent.urn if parent else None),
            provider_resource,
            parent,
            list(depends_on or []),
            dict(property_dependencies or {}),
        )
        self.resources.append(resource)
        return resource

    def args(self, config: dict[str, Any] | None = None) -> StackValidationArgs:
        return StackValidationArgs(self.resources, config)


def resource_args(
    token: str,
    props: dict[str, Any],
    config: dict[str, Any] | None = None,
    *,
    region: str = "us-east-1",
    provider_props: dict[str, Any] | None = None,
) -> ResourceValidationArgs:
    provider = PolicyProviderResource(
        "pulumi:providers:aws",
        {"region": region, **(provider_props or {})},
        "urn:pulumi:dev::blueprints::pulumi:providers:aws::aws",
        "aws",
    )
    return ResourceValidationArgs(
        token, props, f"urn:pulumi:dev::blueprints::{token}::r", "r", _options(), provider, config
    )


def run(policy, args) -> list[str]:
    """Violations a policy reports, by message; a not-applicable policy reports none."""
    found: list[str] = []
    try:
        policy.validate(args, lambda message, urn=None: found.append(message))
    except Exception as err:  # the SDK's not-applicable signal
        if type(err).__name__ != "_NotApplicableError":
            raise
    return found


def run_with_urns(policy, args) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    policy.validate(args, lambda message, urn=None: found.append((message, urn)))
    return found


# --- the in-process Analyzer servicer (policy-anchors §4.4, way 2) ----------------------------------
def servicer(policies, enforcement_level=EnforcementLevel.ADVISORY) -> _PolicyAnalyzerServicer:
    return _PolicyAnalyzerServicer(
        name="blueprints-cost", version="0.1.0", policies=list(policies), enforcement_level=enforcement_level
    )


def struct(values: dict[str, Any]) -> struct_pb2.Struct:
    result = struct_pb2.Struct()
    result.update(json.loads(json.dumps(values)))
    return result


def configure(service: _PolicyAnalyzerServicer, config: dict[str, dict[str, Any]]) -> None:
    policy_config = {}
    for name, values in config.items():
        values = dict(values)
        level = values.pop("enforcementLevel", "advisory")
        policy_config[name] = proto.PolicyConfig(
            enforcementLevel={"advisory": proto.ADVISORY, "mandatory": proto.MANDATORY, "disabled": proto.DISABLED}[
                level
            ],
            properties=struct(values),
        )
    service.Configure(proto.ConfigureAnalyzerRequest(policyConfig=policy_config), None)


def analyze(service, token: str, props: dict[str, Any], *, region: str = "us-east-1", name: str = "r"):
    request = proto.AnalyzeRequest(
        type=token, properties=struct(props), urn=f"urn:pulumi:dev::blueprints::{token}::{name}", name=name
    )
    request.provider.CopyFrom(
        proto.AnalyzerProviderResource(
            type="pulumi:providers:aws",
            properties=struct({"region": region}),
            urn="urn:pulumi:dev::blueprints::pulumi:providers:aws::aws",
            name="aws",
        )
    )
    return service.Analyze(request, None)


def analyze_stack(service, builder: StackBuilder):
    resources = []
    for resource in builder.resources:
        item = proto.AnalyzerResource(
            type=resource.resource_type,
            properties=struct(dict(resource.props)),
            urn=resource.urn,
            name=resource.name,
            parent=resource.parent.urn if resource.parent else "",
            dependencies=[d.urn for d in resource.dependencies],
        )
        for key, deps in resource.property_dependencies.items():
            item.propertyDependencies[key].urns.extend(d.urn for d in deps)
        if resource.provider is not None:
            item.provider.CopyFrom(
                proto.AnalyzerProviderResource(
                    type=resource.provider.resource_type,
                    properties=struct(dict(resource.provider.props)),
                    urn=resource.provider.urn,
                    name=resource.provider.name,
                )
            )
        resources.append(item)
    return service.AnalyzeStack(proto.AnalyzeStackRequest(resources=resources), None)


def estimate_document(message: str) -> dict[str, Any]:
    lines = [line for line in message.splitlines() if line.startswith("COST_ESTIMATE_JSON ")]
    assert len(lines) == 1, message
    return json.loads(lines[0][len("COST_ESTIMATE_JSON ") :])
