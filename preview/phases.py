"""What a first ``pulumi preview`` of a new stack would see, derived from one program run.

At a preview the providers plan each new resource: its inputs are known unless they come from a
value that is not known yet, its autonamed name is known (the provider's Check computes it), and
every other output (``id``, ARNs, DNS names, generated values) is unknown until the update. The
engine sends unknowns to analyzers as the ``UnknownStringValue`` sentinel, and the pack SDK turns a
read of one into the advisory "can't run policy ... during preview" (pulumi-policy
``sdk/python/lib/pulumi_policy/policy.py`` ``Analyze``; tests/integration/unknown_values).

The program ran once against the fake AWS, which answered every value. The preview view marks
unknown, resource by resource in dependency order:
- the computed outputs of each created resource (outputs that are not its known inputs, except the
  autonamed name and what the AWS provider plans: Region and tagsAll), and the outputs that echo
  an input found unknown;
- each input leaf whose value came from such an unknown value of a resource the input depends on
  (its property dependencies, components expanded to the resources under them): a string leaf that
  contains the unknown string (``Output.apply`` and ``Output.concat`` make the whole leaf unknown) or
  any leaf equal to an unknown value.
Resources read with ``get`` are known. A value built from an unknown through a transformation that
hides it (a hash, a length) is not recognised: the view errs toward known.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from .analyzer import StackResource

__all__ = ["UNKNOWN", "PreviewView", "preview_view"]

# pulumi/pulumi sdk/go/common/resource/plugin/rpc.go UnknownStringValue (the Python SDK's
# pulumi.runtime.rpc.UNKNOWN): how the engine sends an unknown value over gRPC.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_MIN_SUBSTRING = 6  # shorter unknown strings ("80", "true") are matched only as whole values
# Outputs the AWS provider plans before creating anything, so a preview shows them: the Region
# (pulumi-aws v7 docs: "Defaults to the Region set in the provider configuration", which is config)
# and tagsAll (terraform-provider-aws merges the provider's default tags into tags_all at plan time,
# CustomizeDiff SetTagsDiff).
_PLANNED_AWS_OUTPUTS = frozenset({"region", "tagsAll"})


def _leaves(value: Any) -> Iterable[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _is_unknown(leaf: Any, unknown: frozenset, long_strings: Sequence[str]) -> bool:
    if isinstance(leaf, bool) or leaf is None:
        return False
    if leaf in unknown:
        return True
    return isinstance(leaf, str) and any(u in leaf for u in long_strings)


def _mask(value: Any, unknown: frozenset, long_strings: Sequence[str], found: set) -> Any:
    """``value`` with the leaves that come from an unknown replaced by ``UNKNOWN``; adds them to ``found``."""
    if isinstance(value, dict):
        return {k: _mask(v, unknown, long_strings, found) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, unknown, long_strings, found) for v in value]
    if _is_unknown(value, unknown, long_strings):
        found.add(value)
        return UNKNOWN
    return value


def _hashable(leaves: Iterable[Any]) -> set:
    return {
        leaf for leaf in leaves if isinstance(leaf, (str, int, float)) and not isinstance(leaf, bool) and leaf != ""
    }


def _name_key(token: str) -> str:
    from .fake_aws.registry import TYPES

    spec = TYPES.get(token)
    return spec.name_key if spec is not None and spec.name_key else ""


class PreviewView:
    """Builds the preview view one resource at a time, in registration (dependency) order."""

    def __init__(self) -> None:
        self.children: dict[str, list[str]] = {}
        self.unknown_of: dict[str, set] = {}  # urn -> values of that resource unknown at preview
        self.every_unknown: set = set()
        self.view: dict[str, StackResource] = {}

    def _unknown_behind(self, urn: str) -> set:
        """Unknown values of a resource, or of every resource under a component."""
        found = set(self.unknown_of.get(urn, ()))
        for child in self.children.get(urn, ()):
            found |= self._unknown_behind(child)
        return found

    def add(self, r: StackResource) -> StackResource:
        """The preview's copy of ``r`` (its dependencies added before)."""
        if r.parent:
            self.children.setdefault(r.parent, []).append(r.urn)
        if r.type == "pulumi:pulumi:Stack" or r.type.startswith("pulumi:providers:"):
            return r
        masked_inputs: dict = {}
        masked_found: set = set()
        for key, value in r.inputs.items():
            values: set = set()
            for dep in r.property_dependencies.get(key, ()):
                values |= self._unknown_behind(dep)
            if not values:
                masked_inputs[key] = value
                continue
            long_strings = [v for v in values if isinstance(v, str) and len(v) >= _MIN_SUBSTRING]
            masked_inputs[key] = _mask(value, frozenset(values), long_strings, masked_found)
        outputs = r.outputs
        if r.custom and not (r.options or {}).get("read"):
            planned = {_name_key(r.type)} | (_PLANNED_AWS_OUTPUTS if r.type.startswith("aws:") else set())
            known_inputs = {k for k, v in masked_inputs.items() if v is not None}
            computed = {k for k in outputs if k not in known_inputs and k not in planned}
            unknown = _hashable(leaf for k in computed for leaf in _leaves(outputs[k])) | masked_found
            outputs = {k: (UNKNOWN if k in computed else masked_inputs.get(k, v)) for k, v in outputs.items()}
            self.unknown_of[r.urn] = unknown
            self.every_unknown |= unknown
        self.view[r.urn] = dataclasses.replace(r, inputs=masked_inputs, outputs=outputs)
        return self.view[r.urn]

    def resources(self, resources: Sequence[StackResource]) -> list[StackResource]:
        """The view of ``resources`` (each added already), component and stack outputs masked:
        they carry no dependency list, so any unknown value may reach them."""
        frozen = frozenset(self.every_unknown)
        long_strings = [v for v in self.every_unknown if isinstance(v, str) and len(v) >= _MIN_SUBSTRING]
        result = []
        for r in resources:
            masked = self.view.get(r.urn, r)
            if not r.custom:
                masked = dataclasses.replace(masked, outputs=_mask(r.outputs, frozen, long_strings, set()))
            result.append(masked)
        return result


def preview_view(resources: Sequence[StackResource]) -> list[StackResource]:
    """The resources (as ``analyzer.stack_resources`` gives them, dependencies first) as a first
    preview shows them: copies with unknown inputs and outputs replaced by ``UNKNOWN``."""
    view = PreviewView()
    for r in resources:
        view.add(r)
    return view.resources(resources)
