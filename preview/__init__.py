"""Offline preview: run a Pulumi Python program against a fake AWS and serve policy packs.

Modules:
- ``fake_aws``: ``FakeAws``, the Pulumi mocks that behave like AWS (IDs, ARNs, invokes), by service family.
- ``harness``: the one way tests and the preview run Pulumi code under ``FakeAws``.
- ``project_config``: Pulumi.yaml and stack config, validated by the CLI's rules.
- ``engine``: run a Pulumi project directory for a stack (Pulumi.yaml + Pulumi.<stack>.yaml).
- ``analyzer``: start policy packs as the CLI does and talk the Analyzer gRPC protocol.
- ``phases``: what a first ``pulumi preview`` sees unknown, derived from one program run.
- ``session``: analyse each resource as it is registered; the preview and update phases of ``pulumi up``.
- ``pipeline``: one preview end to end (plain data in, the JSON document out).
- ``report`` / ``markdown`` / ``__main__``: the ``python -m preview`` command line and its renderings.
"""
