"""A plain, indexed view of the stack the engine hands to stack policies.

Each resource gets its Region (provider ``region``, else its own ``region`` property, else the
Region in its ARN), its architecture component (the outermost ``blueprints:<module>:<Type>``
ancestor in the parent chain) and helpers to follow references between resources: through the
engine's property dependencies when present, else by matching ids, ARNs and names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .values import UNKNOWN, get, json_value, plain, region_of_arn

COMPONENT_PREFIX = "blueprints:"
NO_COMPONENT = "(stack)"
PROVIDER_PREFIX = "pulumi:providers:"


class Res:
    """One resource of the stack. Its plain properties, Region and component are worked out on first
    use: most stack rules look at a few types, so the rest of a large stack is never converted."""

    def __init__(
        self,
        urn: str,
        type: str,
        name: str,
        props: Any = None,
        provider_props: Any = None,
        parent_urn: str | None = None,
        dependencies: list[str] | None = None,
        property_dependencies: dict[str, list[str]] | None = None,
    ):
        self.urn, self.type, self.name = urn, type, name
        self.parent_urn = parent_urn
        self.dependencies = dependencies or []
        self.property_dependencies = property_dependencies or {}
        self._raw_props, self._raw_provider_props = props, provider_props
        self._props: dict[str, Any] | None = None
        self._provider_props: dict[str, Any] | None = None
        self._placed: tuple[str, str] | None = None
        self._component: str | None = None
        self._index: StackIndex | None = None

    def __repr__(self) -> str:
        return f"Res({self.type} {self.name})"

    @property
    def props(self) -> dict[str, Any]:
        if self._props is None:
            self._props = plain(self._raw_props) or {}
            self._raw_props = None
        return self._props

    @property
    def provider_props(self) -> dict[str, Any]:
        if self._provider_props is None:
            raw = plain(self._raw_provider_props) or {}
            self._provider_props = {key: json_value(value) for key, value in raw.items()}
            self._raw_provider_props = None
        return self._provider_props

    def _place(self) -> tuple[str, str]:
        if self._placed is None:
            default = self._index.default_region if self._index is not None else "us-east-1"
            self._placed = _region(self, default)
        return self._placed

    @property
    def region(self) -> str:
        return self._place()[0]

    @property
    def region_source(self) -> str:
        return self._place()[1]

    @property
    def component(self) -> str:
        if self._component is None:
            self._component = self._index.component_of(self) if self._index is not None else NO_COMPONENT
        return self._component

    def get(self, *path: str | int, default: Any = None) -> Any:
        return get(self.props, *path, default=default)

    @property
    def is_aws(self) -> bool:
        return self.type.startswith("aws:")


def _region(res: Res, default_region: str) -> tuple[str, str]:
    """The provider's ``region``, else the resource's own ``region`` input, else its ARN's Region."""
    if res.type.startswith(PROVIDER_PREFIX):
        own = res.props.get("region")
        if isinstance(own, str) and own:
            return own, "provider"
    own = res.props.get("region")
    if isinstance(own, str) and own:
        return own, "resource"
    from_provider = res.provider_props.get("region")
    if isinstance(from_provider, str) and from_provider:
        return from_provider, "provider"
    for key in ("arn", "id"):
        region = region_of_arn(res.props.get(key))
        if region:
            return region, "arn"
    return default_region, "default"


def _urn_types(urn: str) -> list[str]:
    """The qualified type chain of a URN: urn:pulumi:stack::project::parent$child::name."""
    parts = urn.split("::")
    return parts[2].split("$") if len(parts) >= 4 else []


class StackIndex:
    """The stack's resources, plain, with Region and component worked out, and reference lookups."""

    def __init__(self, resources: Sequence[Any], default_region: str = "us-east-1"):
        self.default_region = default_region
        self.resources: list[Res] = []
        self.by_urn: dict[str, Res] = {}
        self.by_type: dict[str, list[Res]] = defaultdict(list)
        for resource in resources:
            res = self._convert(resource)
            self.resources.append(res)
            self.by_urn[res.urn] = res
            self.by_type[res.type].append(res)
        self._indexes: dict[tuple[str, str], dict[Any, list[Res]]] = {}
        self._memo: dict[str, Any] = {}

    def _convert(self, resource: Any) -> Res:
        if isinstance(resource, Res):
            resource._index = self
            return resource
        provider = getattr(resource, "provider", None)
        parent = getattr(resource, "parent", None)
        parent_urn = getattr(parent, "urn", None) or getattr(getattr(resource, "opts", None), "parent", None)
        res = Res(
            urn=resource.urn,
            type=resource.resource_type,
            name=resource.name,
            props=resource.props,
            provider_props=provider.props if provider is not None else None,
            parent_urn=parent_urn or None,
            dependencies=[d.urn for d in (getattr(resource, "dependencies", None) or [])],
            property_dependencies={
                key: [d.urn for d in deps]
                for key, deps in (getattr(resource, "property_dependencies", None) or {}).items()
            },
        )
        res._index = self
        return res

    def component_of(self, res: Res) -> str:
        """The outermost blueprints component above ``res``, as "<name> (<Type>)"."""
        outermost: Res | None = None
        seen: set[str] = set()
        current = self.by_urn.get(res.parent_urn) if res.parent_urn else None
        while current is not None and current.urn not in seen:
            seen.add(current.urn)
            if current.type.startswith(COMPONENT_PREFIX):
                outermost = current
            current = self.by_urn.get(current.parent_urn) if current.parent_urn else None
        if outermost is not None:
            return component_label(outermost.type, outermost.name)
        # The parent may be missing from the list the engine sent: its type is still in the URN.
        for token in _urn_types(res.urn)[:-1]:
            if token.startswith(COMPONENT_PREFIX):
                return component_label(token, "?")
        return NO_COMPONENT

    # --- references between resources ---------------------------------------------------------
    def of_type(self, *types: str) -> list[Res]:
        result: list[Res] = []
        for typ in types:
            result.extend(self.by_type.get(typ, ()))
        return result

    def referenced(
        self, res: Res, prop: str, value: Any, types: Iterable[str], keys: Sequence[str] = ("id", "arn", "name")
    ) -> list[Res]:
        """The resources of ``types`` that property ``prop`` of ``res`` (holding ``value``) points at."""
        types = tuple(types)
        found: list[Res] = []
        for urn in res.property_dependencies.get(prop, ()):
            target = self.by_urn.get(urn)
            if target is not None and target.type in types and target not in found:
                found.append(target)
        if found:
            return found
        if value is None or value is UNKNOWN:
            return []
        wanted = _flatten(value)
        for typ in types:
            for key in keys:
                index = self._index(typ, key)
                for item in wanted:
                    for candidate in index.get(item, ()):
                        if candidate not in found:
                            found.append(candidate)
        return found

    def _index(self, typ: str, key: str) -> dict[Any, list[Res]]:
        """Resources of ``typ`` by the value of their property ``key`` (built once: lookups stay O(1)
        on stacks of thousands of resources)."""
        index = self._indexes.get((typ, key))
        if index is None:
            index = defaultdict(list)
            for res in self.by_type.get(typ, ()):
                own = res.props.get(key)
                if isinstance(own, (str, int, float)) and not isinstance(own, bool):
                    index[own].append(res)
            self._indexes[(typ, key)] = index
        return index

    def memo(self, name: str, build: Callable[[], Any]) -> Any:
        """A value derived from the whole stack, computed once per index."""
        if name not in self._memo:
            self._memo[name] = build()
        return self._memo[name]

    def depends_on(self, res: Res, target: Res) -> bool:
        if target.urn in res.dependencies:
            return True
        return any(target.urn in urns for urns in res.property_dependencies.values())


def component_label(token: str, name: str) -> str:
    return f"{name} ({token.rsplit(':', 1)[-1]})"


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, Mapping):
        return [item for sub in value.values() for item in _flatten(sub)]
    if isinstance(value, list):
        return [item for sub in value for item in _flatten(sub)]
    return [value] if isinstance(value, (str, int, float)) else []
