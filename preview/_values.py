"""Property-value helpers with no Pulumi import (the CLI uses them before Pulumi loads)."""

from __future__ import annotations

from typing import Any

_SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
_ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"


def _asset_or_archive(value: Any) -> Any:
    """The engine's serialized form of a pulumi.asset value (what analyzers receive), or None."""
    if type(value).__module__ != "pulumi.asset":
        return None
    kind = type(value).__name__
    sig = _ARCHIVE_SIG if kind.endswith("Archive") else _ASSET_SIG
    if kind in ("FileArchive", "FileAsset"):
        return {_SECRET_SIG_KEY: sig, "path": value.path}
    if kind in ("RemoteArchive", "RemoteAsset"):
        return {_SECRET_SIG_KEY: sig, "uri": value.uri}
    if kind == "StringAsset":
        return {_SECRET_SIG_KEY: sig, "text": value.text}
    if kind == "AssetArchive":
        return {_SECRET_SIG_KEY: sig, "assets": {k: plain(v) for k, v in value.assets.items()}}
    return None


def plain(value: Any) -> Any:
    """Deep copy of a deserialized property value with secret wrappers removed, assets and
    archives in the engine's serialized form, and whole numbers (which the protobuf round trip
    turns into floats) back to ints."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        if value.get(_SECRET_SIG_KEY) == _SECRET_SIG:
            return plain(value.get("value"))
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    serialized = _asset_or_archive(value)
    return value if serialized is None else serialized
