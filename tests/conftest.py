"""Shared fixtures: the bundled scenarios and a builder for tiny scenarios in a temp folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import charter

BUNDLED = ("microsoft-openai", "acme-cloud")
#: The vocabulary tiny scenarios declare (the same words as the bundled microsoft-openai).
VOCABULARY = Path(__file__).parent / "fixtures" / "base" / "vocabulary.yaml"


@pytest.fixture(autouse=True)
def _signing_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test its own ledger signing key and checkpoint file (PostgreSQL tests share one
    database, dropped between tests)."""
    monkeypatch.setenv("CHARTER_SIGNING_KEY", str(tmp_path / "keys" / "ledger.key"))


@pytest.fixture(scope="session")
def mo() -> charter.Scenario:
    return charter.load_scenario("microsoft-openai")


@pytest.fixture(scope="session")
def acme() -> charter.Scenario:
    return charter.load_scenario("acme-cloud")


def write_scenario(
    folder: Path,
    amendments: list[dict[str, Any]],
    *,
    parties: tuple[str, ...] = ("lab", "cloud", "other", "gov"),
    providers: dict[str, str] | None = None,
    events: list[dict[str, Any]] | None = None,
    segments: tuple[str, ...] = ("commercial", "government"),
) -> Path:
    """Write a minimal scenario (one agreement between the first two parties)."""
    providers = providers or {"cloudy": "cloud", "elsewhere": "other"}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scenario.yaml").write_text(
        yaml.safe_dump({"name": "tiny", "title": "Tiny", "segments": list(segments)})
    )
    (folder / "parties.yaml").write_text(
        yaml.safe_dump([{"id": p, "name": p.title()} for p in parties])
    )
    (folder / "providers.yaml").write_text(
        yaml.safe_dump([{"id": k, "owner": v, "name": k} for k, v in providers.items()])
    )
    (folder / "events.yaml").write_text(
        yaml.safe_dump(events or [{"id": "milestone", "name": "Milestone"}])
    )
    (folder / "agreements.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "deal",
                "title": "Deal",
                "parties": list(parties[:2]),
                "amendments": amendments,
            },
            sort_keys=False,
        )
    )
    (folder / "vocabulary.yaml").write_text(VOCABULARY.read_text())
    return folder


def clause(cid: str, kind: str, **fields: Any) -> dict[str, Any]:
    """A clause dict with the required common fields filled in."""
    return {
        "id": cid,
        "kind": kind,
        "title": f"{kind} {cid}",
        "confidence": "primary",
        "sources": ["test"],
        **fields,
    }


def amendment(date: str, *clauses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "date": date,
        "title": f"version {date}",
        "sources": ["test"],
        "clauses": list(clauses),
        **extra,
    }


Builder = Callable[..., charter.Scenario]


@pytest.fixture
def build(tmp_path: Path) -> Builder:
    """Build and load a tiny scenario from amendments."""
    counter = iter(range(10_000))

    def _build(*amendments: dict[str, Any], **kw: Any) -> charter.Scenario:
        folder = write_scenario(tmp_path / f"s{next(counter)}", list(amendments), **kw)
        return charter.load_scenario(folder)

    return _build
