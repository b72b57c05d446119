"""Scenario folders: the bundled ones by name, a name or path resolved to a folder, a folder
loaded into a :class:`~charter.scenario.scenario.Scenario`, and a new folder made from a bundled
scenario or a blank one (``charter init``)."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from charter.errors import RequestError
from charter.scenario.loader import load_folder
from charter.scenario.scenario import Scenario

__all__ = [
    "bundled_scenarios",
    "default_scenario_name",
    "init_scenario",
    "load_scenario",
    "resolve_scenario",
]


def _bundled_root() -> Path:
    return Path(str(resources.files("charter") / "scenarios"))


def bundled_scenarios() -> dict[str, Path]:
    """Names and folders of the scenarios shipped with charter."""
    root = _bundled_root()
    return {
        p.name: p for p in sorted(root.iterdir()) if p.is_dir() and (p / "scenario.yaml").exists()
    }


def default_scenario_name() -> str:
    from charter.scenarios import DEFAULT

    return DEFAULT


def resolve_scenario(name_or_path: str | Path | None) -> Path:
    """A bundled scenario's name, or a folder, → the folder.

    Raises:
        RequestError: neither a bundled name nor an existing folder.
    """
    if name_or_path is None:
        name_or_path = default_scenario_name()
    p = Path(name_or_path)
    if p.is_dir():
        return p
    bundled = bundled_scenarios()
    if str(name_or_path) in bundled:
        return bundled[str(name_or_path)]
    raise RequestError(
        f"unknown scenario {str(name_or_path)!r}: not a folder, and the bundled scenarios are: "
        f"{', '.join(bundled)}"
    )


def load_scenario(name_or_path: str | Path | None = None) -> Scenario:
    """Load and validate a scenario (bundled name or folder; default: the bundled default).

    Raises:
        ScenarioError: a file is malformed (message names file, line and field).
        RequestError: no such scenario.
    """
    return Scenario(load_folder(resolve_scenario(name_or_path)))


def init_scenario(dest: Path, name: str | None = None, *, blank: bool = False) -> Path:
    """Copy a bundled scenario into ``dest`` (which must not exist or be empty), or with
    ``blank`` write a minimal one (one agreement, provider, offer and workload).

    Raises:
        RequestError: both ``name`` and ``blank`` (the message in the terms of
            ``charter init``, whose ``--from`` and ``--blank`` they are), an unknown
            scenario, or a ``dest`` that is not an empty folder.
    """
    if blank and name is not None:
        raise RequestError("give --blank or --from NAME, not both")
    src = None if blank else resolve_scenario(name)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise RequestError(f"{str(dest)!r} exists and is not an empty folder; choose another")
    dest.mkdir(parents=True, exist_ok=True)
    if src is None:
        from charter.scenario.blank import blank_files

        for file, text in blank_files(dest.resolve()).items():
            (dest / file).write_text(text, encoding="utf-8")
        return dest
    for item in sorted(src.rglob("*.yaml")):
        target = dest / item.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(item, target)
    return dest
