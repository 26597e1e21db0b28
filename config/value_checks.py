"""Value-level checks of stack config: pure functions of a declared type and a raw value.

The reader (``config/``) checks types; these checks catch the values that pass a type check and
still break a deployment or the run (issue 14):

- NaN and infinities (``"nan"`` passes every range comparison, then a run never ends);
- empty strings where a name is required (``eventsBusName: ""`` skipped the pattern check and
  reached a component, or AWS, as ``""``);
- magnitudes no AWS setting takes (``monthlyBudgetUsd: 1e30``);
- numbers where strings are expected: an unquoted account id is read by YAML 1.1 as an int, and
  with a leading 0 as octal (``012345670123`` becomes 1402433619); the message shows what was
  typed when the loader kept it (an int with a ``source`` attribute) and asks for quotes;
- AWS Region names (``aws:region: us-east-9`` is not a Region).

Each check returns a list of ``Problem`` (key, shortened value, what is expected), empty when
the value is fine, so a reader can collect every problem of a stack in one pass. Nothing here
imports Pulumi or the project: the module is testable on its own.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Optional

__all__ = ["AWS_REGIONS", "INTEGER_LIMIT", "Problem", "check_value", "region_problems", "shorten"]

# Every Region of every AWS partition, from botocore's partition data (botocore 1.44.5,
# botocore/data/partitions.json, "regions" of each partition; the "*-global" pseudo-Regions left
# out). https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html lists the
# commercial ones. A Region outside this set is a typo, or a Region newer than this list.
AWS_REGIONS = frozenset(
    {
        # aws
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-central-1",
        "ca-west-1",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "me-west-1",
        "mx-central-1",
        "sa-east-1",
        "sa-west-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        # aws-cn, aws-us-gov, aws-eusc, aws-iso*
        "cn-north-1",
        "cn-northwest-1",
        "us-gov-east-1",
        "us-gov-west-1",
        "eusc-de-east-1",
        "us-iso-east-1",
        "us-iso-west-1",
        "us-isob-east-1",
        "us-isob-west-1",
        "eu-isoe-west-1",
        "us-isof-east-1",
        "us-isof-south-1",
    }
)

# AWS API integers (counts, sizes, retention days, limits) are 32-bit; a larger value is a typo.
INTEGER_LIMIT = 2**31 - 1
_SHORT = 60
_NUMBER = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")


@dataclass(frozen=True)
class Problem:
    key: str
    value: str  # as the user typed it where known, shortened
    expected: str

    def __str__(self) -> str:
        return f"{self.key}: got {self.value}, expected {self.expected}"


def shorten(value: Any, limit: int = _SHORT) -> str:
    """``value`` as written in the stack file (the loader's ``source`` text when it kept one),
    cut to ``limit`` characters with the full length said; control characters escaped."""
    source = getattr(value, "source", None)
    if isinstance(source, str):
        text = source
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=True, default=str)
        except (ValueError, RecursionError):
            text = repr(value)
    if not text.isprintable():
        text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _as_float(value: Any) -> Optional[float]:
    """A number from a typed value or a numeric string (``"nan"``, ``"inf"`` and ``"1e400"``
    included, so the caller can refuse them), else None."""
    if _is_number(value):
        return float(value) if not isinstance(value, int) or abs(value) < 2**1023 else math.inf
    if isinstance(value, str):
        text = value.strip().lower()
        if text.lstrip("+-") in ("nan", "inf", "infinity"):
            return float(text.replace("infinity", "inf"))
        if _NUMBER.fullmatch(value):
            return float(value)
    return None


def region_problems(key: str, value: Any) -> list[Problem]:
    """``value`` must be an AWS Region code such as us-east-1."""
    if isinstance(value, str) and value in AWS_REGIONS:
        return []
    near = sorted(r for r in AWS_REGIONS if isinstance(value, str) and r.rsplit("-", 1)[0] == value.rsplit("-", 1)[0])
    hint = f" ({', '.join(near)})" if near else ""
    return [Problem(key, shorten(value), f"an AWS Region code such as us-east-1{hint}")]


def check_value(
    key: str,
    declared: str,
    raw: Any,
    *,
    name: bool = False,
    numeric: bool = False,
    minimum: Optional[float] = None,
    maximum: Optional[float] = None,
    region: bool = False,
    digits: Optional[int] = None,
) -> list[Problem]:
    """Problems of ``raw`` (the value as read from the stack file, or the string the engine
    passes) for a key declared with ``declared`` type (string, integer, boolean, array):

    - ``name``: a string that must not be empty or blank (a resource or setting name);
    - ``numeric``: a string that holds a finite number (keys declared as strings because the
      schema has no float type, such as a throttle rate);
    - ``minimum`` / ``maximum``: bounds of a number or integer (integers are always within
      ``INTEGER_LIMIT``);
    - ``region``: an AWS Region code;
    - ``digits``: a string of exactly that many digits (12 for an AWS account id), given quoted.

    Type mismatches other than numbers-for-strings are the reader's job and are not repeated.
    """
    shown = shorten(raw)
    if declared == "string":
        if numeric and _is_number(raw):  # rate: 100 unquoted is fine for a number held in a string
            return _number_problems(key, shown, _as_float(raw), minimum, maximum)
        if _is_number(raw):
            example = getattr(raw, "source", None) or shorten(raw)
            octal = " (a leading 0 makes it octal)" if str(example).startswith("0") and len(str(example)) > 1 else ""
            return [
                Problem(key, shown, f'a string: quote it, {key}: "{example}"; unquoted, YAML reads a number{octal}')
            ]
        if not isinstance(raw, str):
            return []
        if region:
            return region_problems(key, raw)
        if name and not raw.strip():
            return [Problem(key, shown, "a non-empty name")]
        if digits is not None and raw and not re.fullmatch(rf"\d{{{digits}}}", raw):
            return [Problem(key, shown, f'{digits} digits in quotes, such as "{"0" * (digits - 4)}1234"')]
        if numeric:
            return _number_problems(key, shown, _as_float(raw), minimum, maximum)
        return []
    if declared == "integer":
        value = _as_float(raw) if not isinstance(raw, bool) else None
        if value is None:
            return []  # not a number at all: the reader's type check says so
        if not math.isfinite(value) or value != math.floor(value):
            return [Problem(key, shown, "a whole number")]
        low = -INTEGER_LIMIT if minimum is None else max(minimum, -INTEGER_LIMIT)
        high = INTEGER_LIMIT if maximum is None else min(maximum, INTEGER_LIMIT)
        return _number_problems(key, shown, value, low, high, what="an integer")
    return []


def _number_problems(
    key: str,
    shown: str,
    value: Optional[float],
    minimum: Optional[float],
    maximum: Optional[float],
    what: str = "a number",
) -> list[Problem]:
    if value is None:
        return [Problem(key, shown, f"{what} such as 0.5")]
    if not math.isfinite(value):
        return [Problem(key, shown, f"a finite {what.split()[-1]} (not NaN or infinity)")]
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        if minimum is not None and maximum is not None:
            bounds = f"between {_plain(minimum)} and {_plain(maximum)}"
        else:
            bounds = f"at least {_plain(minimum)}" if minimum is not None else f"at most {_plain(maximum)}"
        return [Problem(key, shown, f"{what} {bounds}")]
    return []


def _plain(number: Optional[float]) -> str:
    # 2147483647, not 2.14748e+09: the user compares it with what they typed.
    return str(int(number)) if number is not None and float(number).is_integer() else f"{number}"
