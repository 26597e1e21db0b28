"""The Lambda archive: deterministic, cached by content, dependencies built for arm64 (offline here)."""

import zipfile
from pathlib import Path

import pytest

from components.lambda_function import CODE_ONLY, LambdaBuildError, build_archive


def make_function(root: Path, name: str = "demo", requirements: str = "") -> Path:
    package = root / "lambdas" / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "handler.py").write_text("def handler(event, context):\n    return event\n")
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "handler.cpython-311.pyc").write_bytes(b"junk")
    if requirements:
        (package / "requirements.txt").write_text(requirements)
    return package


def make_wheel(directory: Path, name: str = "tinydep", version: str = "1.0") -> None:
    """A minimal pure-Python wheel, so the dependency build is tested without a registry."""
    directory.mkdir(parents=True, exist_ok=True)
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": "VALUE = 42\n",
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files[f"{dist_info}/RECORD"] = "".join(f"{path},,\n" for path in files) + f"{dist_info}/RECORD,,\n"
    with zipfile.ZipFile(directory / f"{name}-{version}-py3-none-any.whl", "w") as wheel:
        for path, text in files.items():
            wheel.writestr(path, text)


def test_archive_holds_the_package_folder_without_caches(tmp_path):
    make_function(tmp_path)
    archive = build_archive(
        "demo", with_dependencies=False, lambdas_dir=tmp_path / "lambdas", build_dir=tmp_path / "build"
    )
    names = zipfile.ZipFile(archive.path).namelist()
    assert names == ["demo/__init__.py", "demo/handler.py"]
    assert not archive.with_dependencies


def test_same_content_gives_the_same_bytes_and_reuses_the_cache(tmp_path):
    make_function(tmp_path)
    kwargs = dict(with_dependencies=False, lambdas_dir=tmp_path / "lambdas")
    first = build_archive("demo", build_dir=tmp_path / "a", **kwargs)
    second = build_archive("demo", build_dir=tmp_path / "b", **kwargs)
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.sha256_base64 == second.sha256_base64
    mtime = first.path.stat().st_mtime_ns
    assert build_archive("demo", build_dir=tmp_path / "a", **kwargs).path.stat().st_mtime_ns == mtime


def test_a_source_change_gives_a_new_archive(tmp_path):
    package = make_function(tmp_path)
    kwargs = dict(with_dependencies=False, lambdas_dir=tmp_path / "lambdas", build_dir=tmp_path / "build")
    before = build_archive("demo", **kwargs)
    (package / "handler.py").write_text("def handler(event, context):\n    return None\n")
    after = build_archive("demo", **kwargs)
    assert after.path != before.path and after.sha256_base64 != before.sha256_base64


def test_dependencies_are_installed_at_the_archive_root(tmp_path):
    make_function(tmp_path, requirements="tinydep==1.0\n")
    make_wheel(tmp_path / "wheels")
    archive = build_archive(
        "demo",
        with_dependencies=True,
        lambdas_dir=tmp_path / "lambdas",
        build_dir=tmp_path / "build",
        pip_args=["--no-index", "--find-links", str(tmp_path / "wheels")],
    )
    names = zipfile.ZipFile(archive.path).namelist()
    assert "tinydep/__init__.py" in names and "demo/handler.py" in names
    assert archive.with_dependencies


def test_code_only_packaging_skips_the_dependency_build(tmp_path, monkeypatch):
    # The environment no longer decides: the function's packaging option does.
    monkeypatch.delenv("OFFLINE_PREVIEW", raising=False)
    make_function(tmp_path, requirements="tinydep==1.0\n")
    archive = build_archive(
        "demo",
        with_dependencies=CODE_ONLY.build_dependencies,
        lambdas_dir=tmp_path / "lambdas",
        build_dir=tmp_path / "build",
    )
    assert not archive.with_dependencies
    assert "tinydep/__init__.py" not in zipfile.ZipFile(archive.path).namelist()


def test_the_stack_builds_dependencies_unless_the_offline_preview_runs_it(monkeypatch):
    from config import parse

    monkeypatch.delenv("OFFLINE_PREVIEW", raising=False)
    assert parse({}, stack="test").settings.lambda_packaging.build_dependencies
    monkeypatch.setenv("OFFLINE_PREVIEW", "1")  # set by preview/harness.py while a program runs
    assert parse({}, stack="test").settings.lambda_packaging == CODE_ONLY


def test_a_failed_dependency_build_says_why(tmp_path):
    make_function(tmp_path, requirements="tinydep==9.9\n")
    make_wheel(tmp_path / "wheels")
    with pytest.raises(LambdaBuildError, match="tinydep"):
        build_archive(
            "demo",
            with_dependencies=True,
            lambdas_dir=tmp_path / "lambdas",
            build_dir=tmp_path / "build",
            pip_args=["--no-index", "--find-links", str(tmp_path / "wheels")],
        )


def test_a_folder_that_is_not_a_package_is_refused(tmp_path):
    (tmp_path / "lambdas" / "loose").mkdir(parents=True)
    with pytest.raises(LambdaBuildError, match="not a Lambda package"):
        build_archive("loose", with_dependencies=False, lambdas_dir=tmp_path / "lambdas", build_dir=tmp_path / "build")


def test_a_linked_shared_module_is_copied_into_the_archive(tmp_path):
    package = make_function(tmp_path)
    shared = tmp_path / "lambdas" / "shared"
    shared.mkdir()
    (shared / "pg.py").write_text("CONNECT = 'proxy'\n")
    (package / "pg.py").symlink_to("../shared/pg.py")
    archive = build_archive("demo", with_dependencies=False, lambdas_dir=tmp_path / "lambdas", build_dir=tmp_path / "b")
    assert zipfile.ZipFile(archive.path).read("demo/pg.py") == b"CONNECT = 'proxy'\n"
