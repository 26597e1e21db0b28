"""Cost allocation tags on every taggable AWS resource (own tags or the provider's default tags)."""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache
from pathlib import Path

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from .config import option, schema, settings
from .values import UNKNOWN, get, json_value, plain

OPTIONS = {
    "requiredTags": option(
        ["Project", "Stack", "CostCenter"],
        "Tag keys every taggable resource carries, so Cost Explorer and the budget's filter can attribute it.",
    ),
}

_TAGS_ARGUMENT = re.compile(r"^\s+tags: pulumi\.Input\[", re.MULTILINE)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@cache
def _module_files() -> dict[str, Path]:
    """Type token -> source file of its pulumi_aws class, read from the package's own module registry
    (without importing pulumi_aws, which takes seconds)."""
    spec = importlib.util.find_spec("pulumi_aws")
    if spec is None or spec.origin is None:
        return {}
    root = Path(spec.origin).parent
    text = (root / "__init__.py").read_text()
    match = re.search(r'resource_modules="""(.*?)"""', text, re.DOTALL)
    if not match:
        return {}
    files: dict[str, Path] = {}
    for entry in json.loads(match.group(1)):
        folder = root.joinpath(*entry["fqn"].split(".")[1:])
        module = _snake(entry["mod"].split("/")[-1])
        for token in entry.get("classes", {}):
            files[token] = folder / f"{module}.py"
    return files


@cache
def taggable(resource_type: str) -> bool | None:
    """Whether the pulumi_aws resource takes ``tags``; None when that cannot be told."""
    path = _module_files().get(resource_type)
    if path is None or not path.is_file():
        return None
    return bool(_TAGS_ARGUMENT.search(path.read_text()))


def _required_tags(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not args.resource_type.startswith("aws:"):
        return
    required = list(settings("cost-required-tags", OPTIONS, args.get_config())["requiredTags"])
    props = plain(args.props)
    tags = props.get("tags")
    if tags is UNKNOWN or props.get("tagsAll") is UNKNOWN:
        return
    if "tags" not in props and "tagsAll" not in props and not taggable(args.resource_type):
        return
    present = set(tags or {}) | set(props.get("tagsAll") or {})
    if args.provider is not None:
        default_tags = json_value(plain(args.provider.props).get("defaultTags"))
        inherited = get(default_tags, "tags")
        if isinstance(inherited, dict):
            present |= set(inherited)
    missing = [key for key in required if key not in present]
    if missing:
        report_violation(
            f"Missing cost allocation tag(s) {', '.join(missing)}: set them on the resource or in the "
            "provider's defaultTags."
        )


required_tags = ResourceValidationPolicy(
    name="cost-required-tags",
    description="Every taggable AWS resource carries the cost allocation tags (directly or via default tags).",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_required_tags,
    config_schema=schema(OPTIONS),
)

POLICIES = [required_tags]
