"""The JSON-schema shapes of rule config options, written once: every rule's ``config`` is built from
these, so each option is its name, its default and what it means."""

from __future__ import annotations

from typing import Any


def list_option(default: list, description: str, *, of: str = "string", **item: Any) -> dict[str, Any]:
    """A list of ``of`` values (``item`` adds the item schema's ``pattern`` or ``enum``)."""
    return {"type": "array", "items": {"type": of, **item}, "default": default, "description": description}


def bool_option(default: bool, description: str) -> dict[str, Any]:
    return {"type": "boolean", "default": default, "description": description}


def int_option(default: int, description: str, *, minimum: int, maximum: int | None = None) -> dict[str, Any]:
    bounds = {"minimum": minimum} if maximum is None else {"minimum": minimum, "maximum": maximum}
    return {"type": "integer", **bounds, "default": default, "description": description}


def text_option(default: str, description: str) -> dict[str, Any]:
    return {"type": "string", "default": default, "description": description}
