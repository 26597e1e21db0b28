"""Where the program registered each resource: the file and line of the innermost frame of the
user's program when a resource was constructed.

Used to place findings on source lines (SARIF). The registration's synchronous part runs inside the
resource's constructor (``pulumi.resource.Resource.__init__`` calls ``register_resource`` from
``pulumi/runtime/resource.py``; only the RPC is deferred to the event loop), so the constructing
frames are on the stack there. A site is keyed by the resource's type and name and its parent's type
and name, which identify it within a stack whatever URN scheme the monitor uses (the SDK's mock
monitor keeps only the parent's last type, the engine the whole chain).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["record_call_sites", "site_of"]

_STACK_TYPE = "pulumi:pulumi:Stack"
_PREVIEW_DIR = str(Path(__file__).resolve().parent)


def _in_program(filename: str, program_dir: str) -> bool:
    return (
        filename.startswith(program_dir)
        and not filename.startswith(_PREVIEW_DIR)
        and "site-packages" not in filename
        and "/.venv/" not in filename
    )


Key = tuple[str, str, str, str]  # (type, name, parent type, parent name); the stack is no parent


def _urn_type_and_name(urn: str) -> tuple[str, str]:
    # urn:pulumi:<stack>::<project>::<parent types $-joined>$<type>::<name>
    parts = urn.split("::", 3)
    if len(parts) < 4:
        return "", ""
    return parts[2].rsplit("$", 1)[-1], parts[3]


def site_of(sites: dict[Key, dict[str, Any]], urn: str, parent_urn: str | None) -> dict[str, Any] | None:
    """The call site of the resource with this URN and parent URN, if it was recorded."""
    parent_type, parent_name = _urn_type_and_name(parent_urn) if parent_urn else ("", "")
    if parent_type == _STACK_TYPE:
        parent_type, parent_name = "", ""
    kind, name = _urn_type_and_name(urn)
    return sites.get((kind, name, parent_type, parent_name))


@contextlib.contextmanager
def record_call_sites(program_dir: Path) -> Iterator[dict[Key, dict[str, Any]]]:
    """Yields the call sites (``{"file": path relative to program_dir, "line": n}``) by key, filled
    while the program runs inside the ``with`` block; see ``site_of``."""
    import pulumi.resource as resource_module

    root = str(program_dir.resolve()) + "/"
    sites: dict[Key, dict[str, Any]] = {}
    # register_resource is the SDK's internal entry (not re-exported); replacing it is the point.
    original = resource_module.register_resource  # pyright: ignore[reportPrivateImportUsage]

    def recording(res: Any, ty: str, name: str, *args: Any, **kwargs: Any) -> Any:
        opts = args[4] if len(args) > 4 else kwargs.get("opts")  # (custom, remote, new_dependency, props, opts)
        parent = getattr(opts, "parent", None)
        parent_type, parent_name = ("", "") if parent is None else (str(parent._type), str(parent._name))
        if parent_type == _STACK_TYPE:
            parent_type, parent_name = "", ""
        frame = sys._getframe(1)
        while frame is not None and not _in_program(frame.f_code.co_filename, root):
            frame = frame.f_back
        if frame is not None:
            sites[(ty, name, parent_type, parent_name)] = {
                "file": frame.f_code.co_filename[len(root) :],
                "line": frame.f_lineno,
            }
        return original(res, ty, name, *args, **kwargs)

    resource_module.register_resource = recording  # pyright: ignore[reportPrivateImportUsage]
    try:
        yield sites
    finally:
        resource_module.register_resource = original  # pyright: ignore[reportPrivateImportUsage]
