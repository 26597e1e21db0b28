"""What the ported upstream programs create, without the pulumi-random package or a live engine.

- ``Resource``: a Python dynamic resource (``pulumi-python:dynamic:Resource``), the port of each
  upstream program's ``resource.ts`` (a ``pulumi.dynamic.Resource`` whose provider returns its inputs).
- ``RandomUuid``, ``RandomString``, ``RandomPet``, ``RandomPassword``, ``RandomInteger`` and
  ``Provider``: registrations with pulumi-random's type tokens and package version, as its
  generated SDK makes them (``version`` resource option; 4.0.0 is the version the upstream provider
  test asserts). The fake AWS answers their computed outputs (``preview/fake_aws/random_.py``).
"""

from __future__ import annotations

from typing import Any, Optional

import pulumi
import pulumi.dynamic

RANDOM_VERSION = "4.0.0"


class _EchoProvider(pulumi.dynamic.ResourceProvider):
    def create(self, props: dict) -> pulumi.dynamic.CreateResult:
        return pulumi.dynamic.CreateResult(id_="0", outs=dict(props))


class Resource(pulumi.dynamic.Resource):
    def __init__(self, name: str, props: Optional[dict] = None, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__(_EchoProvider(), name, dict(props or {}), opts)


def _random_opts(opts: Optional[pulumi.ResourceOptions]) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions.merge(pulumi.ResourceOptions(version=RANDOM_VERSION), opts)


class _Random(pulumi.CustomResource):
    token = ""
    computed: tuple[str, ...] = ("result",)

    def __init__(self, name: str, opts: Optional[pulumi.ResourceOptions] = None, **props: Any):
        for key in self.computed:
            props.setdefault(key, None)
        super().__init__(self.token, name, props, _random_opts(opts))


class RandomUuid(_Random):
    token = "random:index/randomUuid:RandomUuid"
    result: pulumi.Output[str]


class RandomString(_Random):
    token = "random:index/randomString:RandomString"
    result: pulumi.Output[str]


class RandomPassword(_Random):
    token = "random:index/randomPassword:RandomPassword"
    computed = ("result", "bcryptHash")


class RandomInteger(_Random):
    token = "random:index/randomInteger:RandomInteger"


class RandomPet(_Random):
    token = "random:index/randomPet:RandomPet"
    computed = ()


class Provider(pulumi.ProviderResource):
    def __init__(self, name: str, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("random", name, {}, _random_opts(opts))
