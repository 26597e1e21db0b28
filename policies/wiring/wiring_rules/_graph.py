"""The stack as an index built once per AnalyzeStack: resources by type and by every string other
resources use to refer to them (id, ARN, name, URL, DNS name...). Every join the rules make is a
dictionary look-up, so a rule's cost grows with the stack, never with its square."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from ._core import Res, Undecided, UndecidedError, Unknown, plain

# Properties whose (string) value names the resource for others. Queues are referred to by URL (their
# id), topics and functions by ARN or name, load balancers by DNS name in alias records.
IDENTITY_KEYS = (
    "id",
    "arn",
    "name",
    "url",
    "executionArn",
    "dnsName",
    "endpoint",
    "zoneId",
    "bucket",
    "functionName",
    "invokeArn",
    "qualifiedArn",
    "readerEndpoint",
)

ARN = re.compile(r"^arn:(?P<partition>[^:]*):(?P<service>[^:]*):(?P<region>[^:]*):(?P<account>[^:]*):(?P<rest>.*)$")


def arn_parts(arn: str) -> dict[str, str] | None:
    match = ARN.match(arn)
    return match.groupdict() if match else None


def arn_region(arn: str) -> str | None:
    parts = arn_parts(arn)
    return (parts["region"] or None) if parts else None


def _norm(ref: str) -> str:
    # DNS names compare without the trailing dot, case and the alias "dualstack." prefix
    # (Route 53 alias targets: https://docs.aws.amazon.com/Route53/latest/APIReference/API_AliasTarget.html).
    ref = ref.strip().rstrip(".").lower()
    return ref[len("dualstack.") :] if ref.startswith("dualstack.") else ref


class Graph:
    def __init__(self, resources: Sequence[Res]):
        self.resources = list(resources)
        self._by_type: dict[str, list[Res]] = defaultdict(list)
        self._by_ref: dict[str, list[Res]] = defaultdict(list)
        for res in self.resources:
            self._by_type[res.type].append(res)
            for key in IDENTITY_KEYS:
                value = res.props.get(key)
                if isinstance(value, str) and value:
                    self._by_ref[_norm(value)].append(res)
            if res.type == "aws:ec2/vpcEndpoint:VpcEndpoint":
                entries = res.props.get("dnsEntries")  # computed: an Unknown at a first preview
                for entry in entries if isinstance(entries, list) else []:
                    if isinstance(entry, dict) and isinstance(entry.get("dnsName"), str):
                        self._by_ref[_norm(entry["dnsName"])].append(res)

    @classmethod
    def of(cls, policy_resources: Iterable[Any], types: set[str] | None = None) -> Graph:
        """From pulumi-policy's ``PolicyResource`` objects (stack validation), keeping the ``types``
        the rules read (all when None)."""
        views = []
        for r in policy_resources:
            if types is not None and r.resource_type not in types:
                continue
            region = None
            if r.provider is not None:
                try:
                    region = r.provider.props.get("region")
                except UnknownValueError:
                    region = None
            views.append(
                Res(
                    r.resource_type,
                    r.name,
                    r.urn,
                    plain(r.props),
                    region if isinstance(region, str) and region not in ("",) else None,
                )
            )
        return cls(views)

    def of_type(self, *types: str) -> list[Res]:
        return [r for t in types for r in self._by_type.get(t, ())]

    def lookup(self, ref: Any, *types: str, region: str | None = None) -> list[Res]:
        """Resources of ``types`` that ``ref`` (an id, ARN, name, URL...) names. An ARN with a
        qualifier (``function:name:alias``) also finds the unqualified resource. Several
        same-named resources in different Regions (a global bus) are told apart by ``region``."""
        if not isinstance(ref, str) or not ref:
            return []
        found = [r for r in self._by_ref.get(_norm(ref), []) if not types or r.type in types]
        if not found:
            parts = arn_parts(ref)
            if parts and parts["service"] == "lambda" and parts["rest"].count(":") >= 2:
                found = [r for r in self._by_ref.get(_norm(ref.rsplit(":", 1)[0]), []) if not types or r.type in types]
        region = region or (arn_region(ref) if ref.startswith("arn:") else None)
        if len(found) > 1 and region:
            narrowed = [r for r in found if self.region_of(r) == region]
            found = narrowed or found
        return found

    def one(
        self, ref: Any, *types: str, region: str | None = None, owner: Res | None = None, why: str = ""
    ) -> Res | None:
        """The resource ``ref`` names, None when it is not in the stack; an unknown ``ref`` raises
        :class:`UndecidedError` (the caller says what it was checking in ``why``)."""
        if isinstance(ref, Unknown):
            raise UndecidedError(Undecided(owner, ref.path, why))
        found = self.lookup(ref, *types, region=region)
        return found[0] if found else None

    def region_of(self, res: Res) -> str | None:
        """The Region a resource lives in: its provider's, else the Region in its ARN."""
        if res.region:
            return res.region
        for key in ("arn", "id"):
            value = res.props.get(key)
            if isinstance(value, str) and value.startswith("arn:"):
                return arn_region(value)
        return None
