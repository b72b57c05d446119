"""The engine is generic: no party, provider or clause id of the bundled scenario appears in
its code (only under ``scenarios/``)."""

from __future__ import annotations

import re
from pathlib import Path

import charter

SRC = Path(charter.__file__).parent


def test_engine_code_names_no_party_provider_or_clause_of_the_bundled_scenario() -> None:
    s = charter.load_scenario("microsoft-openai")
    names = set(s.parties) | set(s.providers) | {s.name}
    ids = {r.id for r in s.clauses}
    word = re.compile(
        r"(?<![A-Za-z0-9])(" + "|".join(re.escape(n) for n in sorted(names)) + r")(?![A-Za-z0-9])",
        re.IGNORECASE,
    )
    ident = re.compile(r"\b(" + "|".join(re.escape(i) for i in sorted(ids)) + r")\b")
    hits = []
    files = [p for p in SRC.rglob("*") if p.is_file() and "scenarios" not in p.parts]
    assert len(files) > 10
    for path in files:
        if path.suffix not in {".py", ".yaml", ".json", ".txt", ".md", ".html", ".js", ".css"}:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in (*word.finditer(line), *ident.finditer(line)):
                hits.append(f"{path.relative_to(SRC)}:{n}: {m.group(0)}")
    assert not hits, "scenario names in engine code:\n" + "\n".join(hits)


def test_the_checker_itself_finds_a_planted_name(tmp_path: Path) -> None:
    # guard against a test that cannot fail: the same pattern catches a planted name
    s = charter.load_scenario("microsoft-openai")
    some_party = sorted(s.parties)[0]
    line = f"x = '{some_party.upper()}'  # planted"
    pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(some_party)}(?![A-Za-z0-9])", re.I)
    assert pattern.search(line)
