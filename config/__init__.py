"""The one place that reads stack configuration: ``Pulumi.<stack>.yaml`` -> typed, validated sections.

``reader`` turns the schema declared in ``Pulumi.yaml`` into typed values and collects problems;
``settings`` holds what every architecture shares; one module per architecture reads its keys,
applies its rules (``components/rules``, naming the stack key) and builds its component's Args
(``stack.events.args(providers)``). Every problem is raised at once as one :class:`ConfigError`.

Adding a key: declare it in ``Pulumi.yaml`` under its section, add a field to the section's
dataclass and read it in that section's ``read`` method (and pass it on in ``args``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi

from config.events import EventsConfig
from config.gaming import GamingConfig
from config.leasing import LeasingConfig, LeasingSearchConfig
from config.private_api import PrivateApiConfig
from config.reader import PROJECT_FILE, ConfigError, ConfigReader, Problem, load_schema
from config.resilient_api import ResilientApiConfig
from config.settings import StackSettings

__all__ = [
    "ConfigError",
    "ConfigReader",
    "EventsConfig",
    "GamingConfig",
    "LeasingConfig",
    "LeasingSearchConfig",
    "PrivateApiConfig",
    "Problem",
    "ResilientApiConfig",
    "StackConfig",
    "StackSettings",
    "load",
    "load_schema",
    "parse",
]


@dataclass(frozen=True)
class StackConfig:
    settings: StackSettings
    events: EventsConfig
    private_api: PrivateApiConfig
    resilient_api: ResilientApiConfig
    leasing: LeasingConfig
    gaming: GamingConfig


def parse(values: Mapping[str, Any], *, stack: str, project_file: Path = PROJECT_FILE) -> StackConfig:
    """Builds the stack config from namespaced values (``blueprints:key``); pure and testable."""
    project, schema = load_schema(project_file)
    reader = ConfigReader(project, schema, values)
    settings = StackSettings.read(reader, stack)
    private_api = PrivateApiConfig.read(reader, settings)
    config = StackConfig(
        settings=settings,
        events=EventsConfig.read(reader, settings),
        private_api=private_api,
        resilient_api=ResilientApiConfig.read(reader, settings, log_retention_days=private_api.log_retention_days),
        leasing=LeasingConfig.read(reader, settings),
        gaming=GamingConfig.read(reader, settings),
    )
    if reader.problems:
        raise ConfigError(stack, reader.problems)
    return config


def load() -> StackConfig:
    """Reads the running stack's config (under the Pulumi CLI, the offline preview or the tests)."""
    from pulumi.runtime import config as runtime_config

    values = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    return parse(values, stack=pulumi.get_stack())
