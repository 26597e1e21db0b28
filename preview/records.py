"""What the fake AWS remembers: resource registrations, invokes, and aws providers. Outside the
``fake_aws`` package because they are also what the program's process hands the engine's side
(``preview.isolation``), which must not load the fake (and with it the Pulumi SDK) to read them."""

from __future__ import annotations

import dataclasses
from typing import Optional


@dataclasses.dataclass
class ResourceRecord:
    """One resource registration, as the engine saw it.

    ``urn``, ``parent``, ``dependencies`` and ``property_dependencies`` are filled when the
    registration goes through ``preview.harness.RecordingMonitor`` (plain ``set_mocks`` does not
    give them to mocks). ``region``/``account`` are where the fake placed the resource
    (``None`` for components and global-only bookkeeping).
    """

    type: str
    name: str
    id: Optional[str]
    custom: bool
    provider: str  # "<provider urn>::<provider id>", or "" for the default provider
    inputs: dict
    outputs: dict
    region: Optional[str] = None
    account: Optional[str] = None
    urn: Optional[str] = None
    parent: Optional[str] = None
    remote: bool = False
    dependencies: list[str] = dataclasses.field(default_factory=list)
    property_dependencies: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    options: dict = dataclasses.field(default_factory=dict)
    secret_keys: list[str] = dataclasses.field(default_factory=list)
    version: str = ""  # the package version of the registration (``version`` resource option)

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")

    @property
    def is_component(self) -> bool:
        return not self.custom

    def to_json(self) -> dict:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "provider": self.provider,
            "custom": self.custom,
            "id": self.id,
            "region": self.region,
            "account": self.account,
            "inputs": self.inputs,
            "outputs": self.outputs,
        }


@dataclasses.dataclass
class InvokeRecord:
    token: str
    args: dict
    provider: str
    result: dict


@dataclasses.dataclass
class ProviderInfo:
    """What the fake remembers of an ``aws`` provider (explicit or the default one)."""

    id: str
    name: str
    region: str
    account: str
    default_tags: dict
    assume_role_arns: list[str]
    urn: Optional[str] = None
    region_explicit: bool = True


@dataclasses.dataclass
class LogRecord:
    """A message the program logged (``pulumi.log.warn`` etc.)."""

    severity: str  # debug | info | warning | error
    message: str
    urn: str
