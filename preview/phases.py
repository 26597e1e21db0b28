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
  autonamed name), and the outputs that echo an input found unknown;
- each input leaf whose value came from such an unknown value of a resource the input depends on
  (its property dependencies, components expanded to the resources under them): a string leaf that
  contains the unknown string (``Output.apply`` and ``Output.concat`` make the whole leaf unknown) or
  any leaf equal to an unknown value.
Resources read with ``get`` are known. A value built from an unknown through a transformation that
hides it (a hash, a length) is not recognised: the view errs toward known.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .analyzer import StackResource

__all__ = ["UNKNOWN", "preview_view"]

# pulumi/pulumi sdk/go/common/resource/plugin/rpc.go UnknownStringValue (the Python SDK's
# pulumi.runtime.rpc.UNKNOWN): how the engine sends an unknown value over gRPC.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_MIN_SUBSTRING = 6  # shorter unknown strings ("80", "true") are matched only as whole values


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
    return {leaf for leaf in leaves if isinstance(leaf, (str, int, float)) and not isinstance(leaf, bool)
            and leaf != ""}


def _name_key(token: str) -> str:
    from .fake_aws.registry import TYPES

    spec = TYPES.get(token)
    return spec.name_key if spec is not None and spec.name_key else ""


def preview_view(resources: Sequence[StackResource]) -> list[StackResource]:
    """The resources (as ``analyzer.stack_resources`` gives them, dependencies first) as a first
    preview shows them: copies with unknown inputs and outputs replaced by ``UNKNOWN``."""
    import dataclasses

    by_urn = {r.urn: r for r in resources}
    children: dict[str, list[str]] = {}
    for r in resources:
        if r.parent:
            children.setdefault(r.parent, []).append(r.urn)
    unknown_of: dict[str, set] = {}  # urn -> values of that resource unknown at preview
    every_unknown: set = set()

    def unknown_behind(urn: str) -> set:
        """Unknown values of a resource, or of every resource under a component."""
        found = set(unknown_of.get(urn, ()))
        for child in children.get(urn, ()):
            found |= unknown_behind(child)
        return found

    view: dict[str, StackResource] = {}
    for r in resources:
        if r.type == "pulumi:pulumi:Stack" or r.type.startswith("pulumi:providers:"):
            continue
        masked_inputs: dict = {}
        masked_found: set = set()
        for key, value in r.inputs.items():
            values = set()
            for dep in r.property_dependencies.get(key, ()):
                values |= unknown_behind(dep) if dep in by_urn else set()
            if not values:
                masked_inputs[key] = value
                continue
            frozen = frozenset(values)
            long_strings = [v for v in values if isinstance(v, str) and len(v) >= _MIN_SUBSTRING]
            masked_inputs[key] = _mask(value, frozen, long_strings, masked_found)
        outputs = r.outputs
        if r.custom and not (r.options or {}).get("read"):
            name_key = _name_key(r.type)
            known_inputs = {k for k, v in masked_inputs.items() if v is not None}
            computed = {k for k in outputs if k not in known_inputs and k != name_key}
            unknown = _hashable(leaf for k in computed for leaf in _leaves(outputs[k])) | masked_found
            outputs = {k: (UNKNOWN if k in computed else masked_inputs.get(k, v)) for k, v in outputs.items()}
            unknown_of[r.urn] = unknown
            every_unknown |= unknown
        view[r.urn] = dataclasses.replace(r, inputs=masked_inputs, outputs=outputs)

    # Component outputs and stack outputs carry no dependency list: any unknown value may reach them.
    frozen_all = frozenset(every_unknown)
    long_all = [v for v in every_unknown if isinstance(v, str) and len(v) >= _MIN_SUBSTRING]
    result = []
    for r in resources:
        masked = view.get(r.urn, r)
        if not r.custom:
            masked = dataclasses.replace(masked, outputs=_mask(r.outputs, frozen_all, long_all, set()))
        result.append(masked)
    return result
