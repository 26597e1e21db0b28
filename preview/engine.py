"""Run the program of a Pulumi Python project directory for a stack, as the engine would.

- ``Pulumi.yaml``: ``name``, ``runtime`` (must be python), optional ``main``, and the ``config:``
  schema; ``Pulumi.<stack>.yaml``: ``config:`` values (``secure:`` values become a clearly fake
  placeholder, marked secret). Both are validated by the CLI's rules and handed to the program as
  the engine does (``preview.project_config``).
- The program runs in-process under the fake AWS (``preview.harness``): program dir on
  ``sys.path`` and as the working directory during the run, ``__main__.py`` executed with
  ``runpy.run_path(..., run_name="__main__")``. Modules imported from the program dir are dropped
  afterwards so the next run imports them afresh.

Errors: ``ConfigError`` (bad project/stack config) and ``ProgramError`` (the program failed; a
``pulumi.RunError`` gives just its message, any other exception a one-line message plus the
location in the user's program).
"""

from __future__ import annotations

import dataclasses
import os
import runpy
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from .project_config import SECRET_PLACEHOLDER, ConfigKey, parse_schema, stack_config

if TYPE_CHECKING:  # imported lazily: reading config must not wait for Pulumi to load
    from .fake_aws import FakeAws
    from .records import LogRecord, ProviderInfo, ResourceRecord

__all__ = [
    "SECRET_PLACEHOLDER",
    "ConfigError",
    "PreviewError",
    "ProgramError",
    "ProgramRun",
    "Project",
    "load_project",
    "resolve_stack_config",
    "run_program",
]


class PreviewError(Exception):
    """An error the preview reports as a message (exit code 2), never as a traceback."""


class ConfigError(PreviewError):
    pass


class ProgramError(PreviewError):
    def __init__(self, message: str, location: Optional[str] = None):
        super().__init__(message if not location else f"{message}\n  at {location}")
        self.short = message
        self.location = location


@dataclasses.dataclass(frozen=True)
class Project:
    name: str
    directory: Path
    main: Path  # the file runpy runs
    schema: dict[str, ConfigKey]


@dataclasses.dataclass
class ProgramRun:
    project: str
    stack: str
    program_dir: Path
    config: dict[str, str]  # as handed to the program
    secret_keys: list[str]
    resources: list[ResourceRecord]
    outputs: dict
    warnings: list[str]
    logs: list[LogRecord]
    fake: Optional[FakeAws]  # None once the run crossed from a child process (preview.isolation)
    default_provider: Optional[ProviderInfo] = None


def _read_yaml(path: Path) -> Any:
    # Bounded, UTF-8, no duplicate keys, each level's type checked: see preview.raw_inputs.
    from .raw_inputs import read_pulumi_yaml

    return read_pulumi_yaml(path)


def load_project(program_dir: Path | str) -> Project:
    directory = Path(program_dir).resolve()
    path = directory / "Pulumi.yaml"
    if not path.is_file():
        alt = directory / "Pulumi.yml"
        if not alt.is_file():
            raise ConfigError(f"no Pulumi.yaml in {directory}")
        path = alt
    data = _read_yaml(path)
    if not isinstance(data, dict) or not data.get("name"):
        raise ConfigError(f"{path.name}: missing project 'name'")
    name = str(data["name"])
    runtime = data.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise ConfigError(f"{path.name}: runtime is {runtime_name!r}; the offline preview runs Python programs only")
    main = directory / str(data.get("main") or ".")
    if main.is_dir():
        main = main / "__main__.py"
    if not main.is_file():
        raise ConfigError(f"{path.name}: program entry point {main} not found")

    schema = parse_schema(name, data.get("config"), path.name)
    return Project(name, directory, main, schema)


def resolve_stack_config(
    project: Project, stack: str, overrides: Optional[dict[str, Any]] = None
) -> tuple[dict[str, str], list[str]]:
    """The config the engine hands to the program for ``stack``: (key -> string, secret keys).
    Raises ``ConfigError`` listing every problem."""
    stack_file = project.directory / f"Pulumi.{stack}.yaml"
    raw: dict[str, Any] = {}
    if stack_file.is_file():
        data = _read_yaml(stack_file)
        raw = dict((data or {}).get("config") or {})
    elif not overrides:
        raise ConfigError(f"no stack file Pulumi.{stack}.yaml in {project.directory}")
    for key, value in (overrides or {}).items():
        raw[key if ":" in key else f"{project.name}:{key}"] = value

    return stack_config(project.name, project.schema, stack, raw)


def _user_location(exc: BaseException, program_dir: Path) -> Optional[str]:
    """The innermost traceback frame that is in the user's program, as 'file:line in func: code'."""
    location = None
    seen: set[int] = set()
    current: Optional[BaseException] = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for frame in traceback.extract_tb(current.__traceback__):
            filename = Path(frame.filename)
            try:
                relative = filename.resolve().relative_to(program_dir)
            except (ValueError, OSError):
                continue
            if ".venv" in relative.parts or "site-packages" in relative.parts:
                continue
            code = f": {frame.line.strip()}" if frame.line else ""
            location = f"{relative}:{frame.lineno} in {frame.name}{code}"
        if location:
            return location
        current = current.__cause__ or current.__context__
    return location


def _purge_modules(program_dir: Path, before: set[str]) -> None:
    prefix = str(program_dir) + os.sep
    for name, module in list(sys.modules.items()):
        if name in before:
            continue
        file = getattr(module, "__file__", None) or ""
        if file.startswith(prefix) and ".venv" not in file and "site-packages" not in file:
            del sys.modules[name]


def run_program(
    program_dir: Path | str,
    stack: str = "dev",
    *,
    fake: Optional[FakeAws] = None,
    config_overrides: Optional[dict[str, Any]] = None,
    dry_run: bool = False,
) -> ProgramRun:
    """Run the project's program for ``stack`` under the fake AWS; return what it registered.
    ``dry_run``: what ``pulumi.runtime.is_dry_run()`` tells the program (true at ``pulumi preview``)."""
    from .fake_aws import FakeAws
    from .harness import mocked_pulumi

    project = load_project(program_dir)
    config, secret_keys = resolve_stack_config(project, stack, config_overrides)
    fake = fake if fake is not None else FakeAws()
    program_dir = project.directory
    main = str(project.main)

    import pulumi  # imported here so `python -m preview --help` stays fast

    modules_before = set(sys.modules)
    path_before = list(sys.path)
    cwd_before = os.getcwd()
    try:
        with mocked_pulumi(
            project.name,
            stack,
            config=config,
            fake=fake,
            secret_keys=secret_keys,
            root_directory=str(program_dir),
            dry_run=dry_run,
        ) as env:
            sys.path.insert(0, str(program_dir))
            os.chdir(program_dir)
            try:

                def program() -> None:
                    runpy.run_path(main, run_name="__main__")

                result = env.run(program)
                default_provider = fake.default_provider()  # needs the config, which is reset on exit
            except pulumi.RunError as exc:
                raise ProgramError(str(exc)) from None
            except (KeyboardInterrupt, ProgramError):
                raise
            except BaseException as exc:  # noqa: BLE001 - any failure of the user's program
                message = f"{type(exc).__name__}: {exc}".strip().splitlines()[0] if str(exc) else type(exc).__name__
                if isinstance(exc, SystemExit):
                    message = f"program called sys.exit({exc.code!r})"
                raise ProgramError(f"program failed: {message}", _user_location(exc, program_dir)) from None
    finally:
        os.chdir(cwd_before)
        sys.path[:] = path_before
        _purge_modules(program_dir, modules_before)

    return ProgramRun(
        project=project.name,
        stack=stack,
        program_dir=program_dir,
        config=config,
        secret_keys=secret_keys,
        resources=result.resources,
        outputs=result.outputs,
        warnings=result.warnings,
        logs=result.logs,
        fake=fake,
        default_provider=default_provider,
    )
