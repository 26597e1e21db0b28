"""pulumi-random: the computed values its resources return (``result``, pet names), so programs
that mix it with AWS (and the ported pulumi-policy conformance programs) run under the fake."""

from __future__ import annotations

from .registry import ALNUM, HEX, Ctx, aws_type, chars

_ADJECTIVES = ("brave", "calm", "eager", "fancy", "gentle", "happy", "jolly", "kind", "lively", "proud")
_ANIMALS = ("otter", "falcon", "lynx", "heron", "badger", "puffin", "gecko", "marten", "ibis", "wombat")


def _random_text(c: Ctx) -> str:
    return chars(c.seed + ":random", int(c.get("length", 16)), ALNUM)


@aws_type("random:index/randomString:RandomString")
def _random_string(c: Ctx):
    text = _random_text(c)
    return text, {"result": text}


@aws_type("random:index/randomPassword:RandomPassword")
def _random_password(c: Ctx):
    return "none", {"result": _random_text(c), "bcryptHash": "$2a$10$" + c.alnum(53)}


@aws_type("random:index/randomUuid:RandomUuid")
def _random_uuid(c: Ctx):
    value = c.uuid()
    return value, {"result": value}


@aws_type("random:index/randomInteger:RandomInteger")
def _random_integer(c: Ctx):
    low, high = int(c.get("min", 0)), int(c.get("max", 100))
    value = low + int(chars(c.seed, 8, HEX), 16) % max(high - low + 1, 1)
    return str(value), {"result": value}


@aws_type("random:index/randomPet:RandomPet")
def _random_pet(c: Ctx):
    digest = int(chars(c.seed, 8, HEX), 16)
    words = [_ADJECTIVES[digest % len(_ADJECTIVES)], _ANIMALS[(digest // 7) % len(_ANIMALS)]]
    prefix = c.get("prefix")
    name = c.get("separator", "-").join(([prefix] if prefix else []) + words)
    return name, {}
