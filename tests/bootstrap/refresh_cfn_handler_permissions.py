"""Regenerate ``cfn_handler_permissions.json``: what creating, updating and deleting each resource
type needs, from the CloudFormation resource provider schemas' ``handlers.<op>.permissions``.

The schemas are the AWS-published registry schemas, which cfn-lint ships (package data
``cfnlint/data/schemas/providers/us-east-1.json`` maps a type to ``resources/<hash>.json``). Only
the types named in ``resource_types.py`` are kept, so the snapshot stays small and reviewable.

    uv run --with cfn-lint==1.58.0 python -m tests.bootstrap.refresh_cfn_handler_permissions
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from tests.bootstrap.resource_types import CLOUDFORMATION_TYPES

OUTPUT = Path(__file__).with_name("cfn_handler_permissions.json")


def main() -> None:
    spec = importlib.util.find_spec("cfnlint")  # located, not imported: only its data is read
    if spec is None or spec.origin is None:
        raise SystemExit("cfn-lint is not installed: uv run --with cfn-lint==1.58.0 ...")
    schemas = Path(spec.origin).parent / "data" / "schemas"
    provider = json.loads((schemas / "providers" / "us-east-1.json").read_text())
    wanted = sorted({t for types in CLOUDFORMATION_TYPES.values() for t in types})
    snapshot = {}
    for cfn_type in wanted:
        schema = json.loads((schemas / "resources" / f"{provider[cfn_type]}.json").read_text())
        snapshot[cfn_type] = {
            op: sorted(set(schema["handlers"][op]["permissions"]))
            for op in ("create", "update", "delete")
            if op in schema.get("handlers", {})
        }
    OUTPUT.write_text(json.dumps(snapshot, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(snapshot)} resource types to {OUTPUT}")


if __name__ == "__main__":
    main()
