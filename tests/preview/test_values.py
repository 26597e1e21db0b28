"""Property values handed to the packs: assets and archives in the engine's serialized form."""

import pulumi
from google.protobuf import struct_pb2

from preview._values import plain

SIG = "4dabf18193072939515e22adb298388d"


def test_archives_and_assets_become_plain_serializable_data():
    value = {
        "code": pulumi.FileArchive("/tmp/fn.zip"),
        "bundle": pulumi.AssetArchive({"a.txt": pulumi.StringAsset("hi"), "b": pulumi.FileAsset("/tmp/b")}),
        "remote": pulumi.RemoteArchive("https://example.com/x.zip"),
        "size": 3.0,
    }
    result = plain(value)
    assert result["code"] == {SIG: "0def7320c3a5731c473e5ecbe6d01bc7", "path": "/tmp/fn.zip"}
    assert result["bundle"]["assets"]["a.txt"] == {SIG: "c44067f5952c0a294b673a41bacd8c17", "text": "hi"}
    assert result["remote"]["uri"] == "https://example.com/x.zip" and result["size"] == 3
    struct_pb2.Struct().update(result)  # what the analyzer sends: must not raise
