"""The engine is generic: no party, provider or clause id of the bundled scenario, and no word
its vocabulary.yaml adds to the base (actions, attributes, values), appears in its code (only
under ``scenarios/``)."""

from __future__ import annotations

import re
from pathlib import Path

import charter
from charter.vocab import BASE

SRC = Path(charter.__file__).parent
SUFFIXES = {".py", ".yaml", ".json", ".txt", ".md", ".html", ".js", ".css"}


def _pattern(words: set[str]) -> re.Pattern[str]:
    if not words:
        return re.compile(r"(?!)")  # matches nothing
    alts = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    return re.compile(rf"(?<![A-Za-z0-9_-])({alts})(?![A-Za-z0-9_-])", re.IGNORECASE)


def _patterns(s: charter.Scenario) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    names = set(s.parties) | set(s.providers) | {s.name}
    word = re.compile(
        r"(?<![A-Za-z0-9])(" + "|".join(re.escape(n) for n in sorted(names)) + r")(?![A-Za-z0-9])",
        re.IGNORECASE,
    )
    ids = {r.id for r in s.clauses}
    ident = re.compile(r"\b(" + "|".join(re.escape(i) for i in sorted(ids)) + r")\b")
    # the scenario's own vocabulary: pursue-agi, uses_licensed_ip, ... (a base word is generic)
    vocab = _pattern(set(s.vocabulary.new_names(BASE)))
    return word, ident, vocab


def _hits(root: Path, patterns: tuple[re.Pattern[str], ...]) -> list[str]:
    hits = []
    files = [p for p in root.rglob("*") if p.is_file() and "scenarios" not in p.parts]
    for path in files:
        if path.suffix not in SUFFIXES:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern in patterns:
                for m in pattern.finditer(line):
                    hits.append(f"{path.relative_to(root)}:{n}: {m.group(0)}")
    return hits


def test_engine_code_names_no_party_provider_or_clause_of_the_bundled_scenario() -> None:
    s = charter.load_scenario("microsoft-openai")
    assert len([p for p in SRC.rglob("*.py") if "scenarios" not in p.parts]) > 10
    hits = _hits(SRC, _patterns(s)[:2])
    assert not hits, "scenario names in engine code:\n" + "\n".join(hits)


def test_engine_code_uses_no_word_of_the_bundled_scenarios_vocabulary() -> None:
    for name in ("microsoft-openai", "acme-cloud"):
        s = charter.load_scenario(name)
        vocab = _patterns(s)[2]
        hits = _hits(SRC, (vocab,))
        assert not hits, f"{name}'s vocabulary in engine code:\n" + "\n".join(hits)
    words = charter.load_scenario("microsoft-openai").vocabulary.new_names(BASE)
    assert {"pursue-agi", "uses_licensed_ip", "above_compute_threshold"} <= set(words)
    assert "consumer-hardware-design" in words and "train" not in words


def test_the_checker_itself_finds_a_planted_name(tmp_path: Path) -> None:
    # guard against a test that cannot fail: the same patterns catch planted names
    s = charter.load_scenario("microsoft-openai")
    some_party = sorted(s.parties)[0]
    (tmp_path / "planted.py").write_text(
        f"x = '{some_party.upper()}'  # planted\n"
        "if request.uses_licensed_ip and action == 'pursue-agi':\n"
        "    kinds = ('consumer-hardware-design',)\n"
        "ok = 'training'  # a base word: generic\n"
    )
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "fine.py").write_text("'pursue-agi'\n")
    hits = _hits(tmp_path, _patterns(s))
    assert [h.split(": ", 1)[1].lower() for h in hits] == [
        some_party,
        "uses_licensed_ip",
        "pursue-agi",
        "consumer-hardware-design",
    ]
