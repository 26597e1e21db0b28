"""The type and invoke registries, the context a type function gets, and the deterministic
generators every family uses (IDs derive from a hash of the URN, so two runs give the same IDs)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Optional

from ..records import ProviderInfo

if TYPE_CHECKING:
    from .mocks import FakeAws


DEFAULT_ACCOUNT = "111111111111"


DEFAULT_REGION = "us-east-1"


PARTITION = "aws"


HEX = "0123456789abcdef"


LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def chars(seed: str, n: int, alphabet: str) -> str:
    out: list[str] = []
    counter = 0
    while len(out) < n:
        digest = hashlib.sha256(f"{seed}#{counter}".encode()).digest()
        out.extend(alphabet[b % len(alphabet)] for b in digest)
        counter += 1
    return "".join(out[:n])


def seeded_uuid(seed: str) -> str:
    return str(uuid.UUID(hashlib.md5(seed.encode()).hexdigest(), version=4))


_AZ_COUNT = {"us-east-1": 6, "us-west-1": 2, "ap-northeast-1": 3}


_DIRECTIONS = {
    "east": "e",
    "west": "w",
    "north": "n",
    "south": "s",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}


def published_zone_id(table: dict[str, str], region: str, salt: str) -> str:
    return table.get(region) or "Z" + chars(f"{salt}:{region}", 13, UPPER_ALNUM)


def availability_zones(region: str) -> tuple[list[str], list[str]]:
    """AZ names and zone IDs of a Region: ``us-east-1a``.. and ``use1-az1``.."""
    parts = region.split("-")
    prefix = parts[0] + _DIRECTIONS.get(parts[1], parts[1][:1]) + parts[-1] if len(parts) >= 3 else region
    count = _AZ_COUNT.get(region, 3)
    names = [f"{region}{chr(ord('a') + i)}" for i in range(count)]
    zone_ids = [f"{prefix}-az{i + 1}" for i in range(count)]
    return names, zone_ids


def account_of_arn(arn: Any) -> Optional[str]:
    if isinstance(arn, str):
        parts = arn.split(":")
        if len(parts) >= 5 and re.fullmatch(r"\d{12}", parts[4]):
            return parts[4]
    return None


def maybe_json(value: Any) -> Any:
    """Provider inputs with structure arrive JSON-encoded (pulumi-aws ``to_json``)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class Ctx:
    """What a type function gets: the resource, where it lives, and deterministic generators."""

    def __init__(
        self,
        fake: FakeAws,
        typ: str,
        name: str,
        inputs: dict,
        region: str,
        account: str,
        seed: str,
        physical_name: Optional[str],
    ):
        self.fake = fake
        self.type = typ
        self.name = name  # logical (Pulumi) name
        self.inputs = inputs  # plain (secrets unwrapped)
        self.region = region
        self.account = account
        self.partition = PARTITION
        self.seed = seed
        self.physical_name = physical_name  # the name AWS knows it by (given or autonamed)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.inputs.get(key)
        return default if value is None else value

    def hex(self, n: int, salt: str = "") -> str:
        return chars(f"{self.seed}:{salt}:hex", n, HEX)

    def lower(self, n: int, salt: str = "") -> str:
        return chars(f"{self.seed}:{salt}:lower", n, LOWER_ALNUM)

    def upper(self, n: int, salt: str = "") -> str:
        return chars(f"{self.seed}:{salt}:upper", n, UPPER_ALNUM)

    def alnum(self, n: int, salt: str = "") -> str:
        return chars(f"{self.seed}:{salt}:alnum", n, ALNUM)

    def uuid(self, salt: str = "") -> str:
        return seeded_uuid(f"{self.seed}:{salt}")

    def ec2_id(self, prefix: str, salt: str = "") -> str:
        """EC2-style ID: ``vpc-0`` followed by 16 hex digits."""
        return f"{prefix}-0{self.hex(16, f'{prefix}:{salt}')}"

    def arn(self, service: str, resource: str, *, regional: bool = True, account: bool = True) -> str:
        return ":".join(
            [
                "arn",
                self.partition,
                service,
                self.region if regional else "",
                self.account if account else "",
                resource,
            ]
        )

    def ip_in(self, cidr: Optional[str], salt: str = "") -> str:
        return self.fake._ip_in(cidr, f"{self.seed}:{salt}")


TypeFn = Callable[[Ctx], tuple[str, dict]]


@dataclasses.dataclass(frozen=True)
class AwsType:
    token: str
    build: TypeFn
    name_key: Optional[str]  # input carrying the physical name; autonamed like Pulumi when absent
    max_name: int
    global_: bool  # no Region (IAM, Route 53, budgets...)


TYPES: dict[str, AwsType] = {}


InvokeFn = Callable[["FakeAws", "InvokeCtx"], dict]


INVOKES: dict[str, InvokeFn] = {}


def aws_type(
    token: str, *, name: Optional[str] = None, max_name: int = 255, global_: bool = False
) -> Callable[[TypeFn], TypeFn]:
    """Register the fake behaviour of a resource type (see the module docstring)."""

    def register(fn: TypeFn) -> TypeFn:
        TYPES[token] = AwsType(token, fn, name, max_name, global_)
        return fn

    return register


def aws_invoke(token: str) -> Callable[[InvokeFn], InvokeFn]:
    def register(fn: InvokeFn) -> InvokeFn:
        INVOKES[token] = fn
        return fn

    return register


def autoname(logical: str, seed: str, max_len: int) -> str:
    # Pulumi autonaming: logical name plus a dash and 7 random characters.
    suffix = "-" + chars(seed + ":autoname", 7, HEX)
    return logical[: max(1, max_len - len(suffix))] + suffix


class InvokeCtx:
    def __init__(self, token: str, args: dict, provider: ProviderInfo):
        self.token = token
        self.args = args
        self.provider = provider
        self.region = args.get("region") or provider.region
        self.account = provider.account
        self.seed = f"{token}:{json.dumps(args, sort_keys=True, default=str)}:{self.region}:{self.account}"

    def hex(self, n: int, salt: str = "") -> str:
        return chars(f"{self.seed}:{salt}", n, HEX)
