"""``FakeAws``: the ``pulumi.runtime.Mocks`` that answer registrations and invokes from the registry."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable
from typing import Any, Optional

import pulumi
from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks

from .._values import _SECRET_SIG, _SECRET_SIG_KEY, plain
from ..records import InvokeRecord, ProviderInfo, ResourceRecord
from .awsx import AwsxChildren, awsx_component
from .generic import generic_type
from .registry import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    HEX,
    INVOKES,
    TYPES,
    Ctx,
    InvokeCtx,
    account_of_arn,
    autoname,
    chars,
    maybe_json,
    seeded_uuid,
)


def secret_keys_of(inputs: dict) -> list[str]:
    return sorted(k for k, v in inputs.items() if isinstance(v, dict) and v.get(_SECRET_SIG_KEY) == _SECRET_SIG)


class FakeAws(Mocks):
    """Pulumi mocks that answer like AWS. See the module docstring.

    Attributes for assertions: ``records`` (every registration, in order), ``invokes``,
    ``warnings`` (unknown invokes, awsx types without fake outputs), ``providers`` (by ID).
    """

    def __init__(self, *, default_account: str = DEFAULT_ACCOUNT, default_region: Optional[str] = None):
        self.default_account = default_account
        self._default_region = default_region
        self._lock = threading.RLock()
        self.records: list[ResourceRecord] = []
        self.invokes: list[InvokeRecord] = []
        self.warnings: list[str] = []
        self.providers: dict[str, ProviderInfo] = {}
        self._subnets: dict[str, dict] = {}
        self._enis: dict[str, dict] = {}
        self._ssm_values: dict[str, Any] = {}
        self._by_urn: dict[str, ResourceRecord] = {}
        # Called with each new record as it is registered (the preview analyses while the program runs).
        self.listeners: list[Callable[[ResourceRecord], None]] = []

    # ---- queries for tests ----

    def of_type(self, token: str) -> list[ResourceRecord]:
        return [r for r in self.records if r.type == token]

    def named(self, name: str, token: Optional[str] = None) -> ResourceRecord:
        """The one record with this logical name (and type); raises KeyError otherwise."""
        found = [r for r in self.records if r.name == name and (token is None or r.type == token)]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources named {name!r}" + (f" of type {token}" if token else ""))
        return found[0]

    def by_urn(self, urn: str) -> ResourceRecord:
        return self._by_urn[urn]

    def provider_of(self, record: ResourceRecord) -> ProviderInfo:
        return self._provider(record.provider)

    # ---- Region / account resolution ----

    @property
    def default_region(self) -> str:
        configured = pulumi.runtime.get_config("aws:region")
        return configured or self._default_region or DEFAULT_REGION

    def default_provider(self) -> ProviderInfo:
        tags = maybe_json(pulumi.runtime.get_config("aws:defaultTags")) or {}
        if isinstance(tags, dict) and isinstance(tags.get("tags"), dict):
            tags = tags["tags"]
        roles = maybe_json(pulumi.runtime.get_config("aws:assumeRoles")) or []
        role_arns = [r.get("roleArn") for r in roles if isinstance(r, dict) and r.get("roleArn")]
        account = next((a for a in map(account_of_arn, reversed(role_arns)) if a), self.default_account)
        return ProviderInfo(
            id="default",
            name="default",
            region=self.default_region,
            account=account,
            default_tags=tags if isinstance(tags, dict) else {},
            assume_role_arns=role_arns,
            region_explicit=False,
        )

    def _provider(self, ref: Optional[str]) -> ProviderInfo:
        if ref:
            provider_id = ref.rsplit("::", 1)[-1]
            info = self.providers.get(provider_id)
            if info is not None:
                return info
        return self.default_provider()

    def _register_provider(self, provider_id: str, name: str, inputs: dict, urn: Optional[str]) -> ProviderInfo:
        role_arns = []
        for role in maybe_json(inputs.get("assumeRoles")) or []:
            if isinstance(role, dict) and role.get("roleArn"):
                role_arns.append(role["roleArn"])
        single = maybe_json(inputs.get("assumeRole"))
        if isinstance(single, dict) and single.get("roleArn"):
            role_arns.append(single["roleArn"])
        account = next((a for a in map(account_of_arn, reversed(role_arns)) if a), None)
        allowed = maybe_json(inputs.get("allowedAccountIds")) or []
        if account is None and isinstance(allowed, list) and len(allowed) == 1:
            account = str(allowed[0])
        tags = maybe_json(inputs.get("defaultTags")) or {}
        if isinstance(tags, dict) and isinstance(tags.get("tags"), dict):
            tags = tags["tags"]
        region = inputs.get("region")
        info = ProviderInfo(
            id=provider_id,
            name=name,
            region=region or self.default_region,
            account=account or self.default_account,
            default_tags=tags if isinstance(tags, dict) else {},
            assume_role_arns=role_arns,
            urn=urn,
            region_explicit=bool(region),
        )
        self.providers[provider_id] = info
        return info

    # ---- helpers shared with type functions ----

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def _ip_in(self, cidr: Optional[str], seed: str) -> str:
        try:
            network = ipaddress.ip_network(cidr, strict=False) if cidr else ipaddress.ip_network("10.0.0.0/16")
        except ValueError:
            network = ipaddress.ip_network("10.0.0.0/16")
        usable = max(network.num_addresses - 5, 1)  # AWS reserves the first four and the last address
        offset = 4 + int(chars(seed + ":ip", 8, HEX), 16) % usable
        return str(network.network_address + offset)

    def _public_ip(self, seed: str) -> str:
        h = chars(seed + ":pub", 6, HEX)
        return f"54.{int(h[0:2], 16) % 200 + 10}.{int(h[2:4], 16)}.{int(h[4:6], 16) % 250 + 2}"

    def _vpc_of_subnets(self, subnet_ids: Any) -> Optional[str]:
        for sid in subnet_ids or []:
            vpc = self._subnets.get(sid, {}).get("vpcId")
            if vpc:
                return vpc
        return None

    # ---- Mocks interface ----

    def new_resource(self, args: MockResourceArgs) -> tuple[Optional[str], dict]:
        with self._lock:
            return self._new_resource(args)

    def _new_resource(self, args: MockResourceArgs) -> tuple[Optional[str], dict]:
        typ, name = args.typ, args.name
        raw_inputs = dict(args.inputs or {})
        inputs = plain(raw_inputs)
        urn = getattr(args, "urn", None)
        seed = urn or f"{typ}::{name}::{args.provider or ''}"
        custom = bool(args.custom) or typ.startswith("pulumi:providers:")
        remote = bool(getattr(args, "remote", False))
        region = account = None
        outputs: dict = dict(raw_inputs)

        if typ.startswith("pulumi:providers:"):
            resource_id = seeded_uuid(seed)
            if typ == "pulumi:providers:aws":
                info = self._register_provider(resource_id, name, inputs, urn)
                region, account = info.region, info.account
        elif not custom and not typ.startswith("awsx:"):
            resource_id = None  # a component: the engine gives it no ID
            outputs = {}
        else:
            provider = self._provider(args.provider)
            region = inputs.get("region") or provider.region
            account = provider.account
            if args.resource_id and not typ.startswith("awsx:"):
                # A read (`get`) or import: the ID is given; answer the inputs plus what we compute.
                pass
            if typ.startswith("awsx:"):
                c = Ctx(self, typ, name, inputs, region, account, seed, None)
                resource_id = None
                kids = AwsxChildren(self, c, urn)
                outputs.update(awsx_component(self, c, kids))
            else:
                spec = TYPES.get(typ)
                physical = None
                if spec is not None and spec.name_key:
                    physical = inputs.get(spec.name_key)
                    if physical is None:
                        prefix = inputs.get(spec.name_key + "Prefix")
                        physical = (
                            (prefix + chars(seed + ":prefix", 26, HEX))
                            if prefix
                            else autoname(name, seed, spec.max_name)
                        )
                        outputs[spec.name_key] = physical
                if spec is not None and spec.global_:
                    region = None
                c = Ctx(self, typ, name, inputs, region or provider.region, account, seed, physical)
                build = spec.build if spec is not None else (generic_type if typ.startswith("aws:") else None)
                if build is not None:
                    resource_id, computed = build(c)
                else:
                    resource_id, computed = f"{name}-{c.hex(8)}", {}
                if args.resource_id:
                    resource_id = args.resource_id
                for key, value in computed.items():
                    if value is not None and (key not in outputs or outputs[key] is None or key in ("arn",)):
                        outputs[key] = value
                if typ.startswith("aws:"):
                    if "region" not in outputs and region is not None:
                        outputs["region"] = region
                    tags = inputs.get("tags")
                    if provider.default_tags or tags is not None:
                        outputs["tagsAll"] = {**provider.default_tags, **(tags or {})}
                outputs.setdefault("id", resource_id)

        record = ResourceRecord(
            type=typ,
            name=name,
            id=resource_id,
            custom=custom,
            provider=args.provider or "",
            inputs=inputs,
            outputs=plain(outputs),
            region=region,
            account=account,
            urn=urn,
            parent=getattr(args, "parent", None),
            remote=remote,
            dependencies=list(getattr(args, "dependencies", []) or []),
            property_dependencies=dict(getattr(args, "property_dependencies", {}) or {}),
            options=dict(getattr(args, "options", {}) or {}),
            secret_keys=secret_keys_of(raw_inputs),
            version=str(getattr(args, "version", "") or ""),
        )
        added = [record] + (kids.records if typ.startswith("awsx:") else [])
        for one in added:
            self.records.append(one)
            if one.urn:
                self._by_urn[one.urn] = one
            for listener in self.listeners:
                listener(one)
        outputs.pop("id", None)
        return resource_id, outputs

    def call(self, args: MockCallArgs) -> tuple[dict, Optional[list[tuple[str, str]]]]:
        with self._lock:
            token = args.token
            call_args = plain(dict(args.args or {}))
            provider = self._provider(args.provider)
            fn = INVOKES.get(token)
            if fn is None:
                self._warn(f"no fake answer for invoke {token}; returned {{}}")
                result: dict = {}
            else:
                result = fn(self, InvokeCtx(token, call_args, provider))
            self.invokes.append(InvokeRecord(token, call_args, args.provider or "", result))
            return result, []

    def set_component_outputs(self, urn: str, outputs: dict) -> None:
        """Record what a component passed to ``register_outputs`` (called by the harness)."""
        with self._lock:
            record = self._by_urn.get(urn)
            if record is not None and not record.custom:
                record.outputs = plain(outputs)
