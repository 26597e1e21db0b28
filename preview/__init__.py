"""Offline preview: run a Pulumi Python program against a fake AWS and serve policy packs.

Modules:
- ``fake_aws``: ``FakeAws``, the Pulumi mocks that behave like AWS (IDs, ARNs, invokes).
- ``harness``: the one way tests and the preview run Pulumi code under ``FakeAws``.
- ``engine``: run a Pulumi project directory for a stack (Pulumi.yaml + Pulumi.<stack>.yaml).
- ``analyzer``: start policy packs as the CLI does and talk the Analyzer gRPC protocol.
- ``report`` / ``__main__``: the ``python -m preview`` command line.
"""
