"""``charter diff``: versions, the complete enumeration of flips, the money and its
uncertainty, draft amendments with located errors, and the command in both languages."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import charter
from charter.diff import diff
from charter.diff.flips import Flip, Side
from charter.diff.versions import resolve_version
from charter.errors import RequestError, ScenarioError
from charter.planner import plan
from tests.conftest import amendment, clause, write_scenario

DAY = dt.timedelta(days=1)


def run_cli(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(
        [sys.executable, "-m", "charter", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )
    if ok:
        assert r.returncode == 0, r.stderr
    return r


# ------------------------------------------------------------------ a small scenario
PARTIES = ("lab", "cloud", "other", "gov")
PROVIDERS = {"cloudy": "cloud", "elsewhere": "other", "third": "other"}


def small(tmp: Path, name: str = "small") -> charter.Scenario:
    """Three versions: exclusivity with a carve-out, then a ROFR on new capacity and a
    permission for APIs elsewhere, then the exclusivity narrowed to training and a
    first-ship obligation."""
    v1 = amendment(
        "2024-01-01",
        clause("A.X", "exclusivity", principal="lab", providers=["cloudy"], holder="cloud"),
        clause(
            "A.G",
            "carve_out",
            principal="lab",
            overrides=["A.X"],
            where={"segment": ["government"]},
        ),
    )
    v2 = amendment(
        "2025-01-01",
        clause("B.R", "rofr", principal="lab", holder="cloud", where={"new_capacity": True}),
        clause("B.P", "permission", principal="lab", where={"kind": ["api"]}, until="2026-06-30"),
        removes=[{"clause": "A.X", "by": "B.R"}],
    )
    v3 = amendment(
        "2026-01-01",
        clause(
            "C.X",
            "exclusivity",
            principal="lab",
            providers=["cloudy"],
            holder="cloud",
            where={"kind": ["training"]},
        ),
        clause("C.F", "first_ship", principal="lab", holder="cloud"),
    )
    folder = write_scenario(tmp / name, [v1, v2, v3], parties=PARTIES, providers=PROVIDERS)
    return charter.load_scenario(folder)


@pytest.fixture
def sc(tmp_path: Path) -> charter.Scenario:
    return small(tmp_path)


def test_versions_by_date_position_and_latest(sc: charter.Scenario) -> None:
    assert resolve_version(sc, "V2").date == dt.date(2025, 1, 1)
    assert resolve_version(sc, "2026-01-01").label == "V3"
    assert resolve_version(sc, "latest").date == dt.date(2026, 1, 1)
    v1 = resolve_version(sc, "V1").scenario
    assert {r.id for r in v1.clauses} == {"A.X", "A.G"}
    with pytest.raises(
        RequestError, match=r"--from: 'V9' is not a version of tiny; .*\(V1 = 2024-01-01"
    ):
        resolve_version(sc, "V9")
    with pytest.raises(RequestError, match="is not a version"):
        resolve_version(sc, "2025-06-01")


def test_a_version_diffed_with_itself_is_empty(sc: charter.Scenario) -> None:
    for v in ("V1", "V2", "V3"):
        d = diff(sc, before=v, after=v, plans=False)
        assert d.empty and d.flipped == 0 and d.classes > 0, v
        assert d.clauses == [] and d.flips == []


def _flip_covers(f: Flip, req: dict[str, Any], at: dt.date) -> bool:
    """Whether the statement ``f`` is about the request (every cell it names holds)."""
    if (req["principal"], req["action"]) != (f.principal, f.action):
        return False
    if at < f.since or (f.until is not None and at > f.until):
        return False
    for attr, cells in f.where.items():
        v = req.get(attr)
        named = {c.value for c in f.universe.get(attr, ()) if not c.other}
        if not any(
            (c.other and v is not None and v not in named) or (not c.other and c.value == v)
            for c in cells
        ):
            return False
    return True


def _side(d: Any) -> Side:
    ob = tuple(sorted({(o.kind, o.party) for o in d.obligations}, key=repr))
    ended = tuple(c.ends or c.record.id for c in d.clauses if c.effect == "ended")
    return Side(d.verdict.value, ob, d.clause_ids, ended)


def test_the_class_enumeration_finds_exactly_the_flips_of_the_full_product(
    sc: charter.Scenario,
) -> None:
    """Every request of a grid over all values of every attribute the small scenario's
    clauses can read (and one they never read), on every boundary day and the days around
    it: a request flips exactly when a reported statement covers it, with the same before
    and after."""
    for before, after in (("V1", "V2"), ("V2", "V3"), ("V1", "V3"), ("V3", "V1")):
        d = diff(sc, before=before, after=after, plans=False)
        a = resolve_version(sc, before).scenario
        b = resolve_version(sc, after).scenario
        since = dt.date.fromisoformat(d.since)
        days = {since, since + DAY, dt.date(2026, 6, 30), dt.date(2026, 7, 1), dt.date(2027, 1, 1)}
        values = {
            "provider": ["cloudy", "elsewhere", "third"],  # run needs one
            "kind": [None, "training", "api", "batch", "inference"],
            "segment": [None, "commercial", "government"],
            "new_capacity": [False, True],
            "launch": [False, True],
            "product": [None, "x"],  # read by no clause: must never split a statement
        }
        names = list(values)
        grid = [
            {"at": at, "principal": "lab", "action": "run", **dict(zip(names, combo, strict=True))}
            for at in sorted(days)
            for combo in itertools.product(*values.values())
        ]
        da, db = a.decide_many(grid), b.decide_many(grid)
        flips_seen = 0
        for i, req in enumerate(grid):
            sa, sb = _side(da[i]), _side(db[i])
            covering = [f for f in d.flips if _flip_covers(f, req, req["at"])]
            if sa == sb:
                assert not covering, (before, after, req, [f.sentence() for f in covering])
                continue
            flips_seen += 1
            assert len(covering) == 1, (before, after, req, [f.sentence() for f in covering])
            f = covering[0]
            assert (f.before, f.after) == (sa, sb), (req, f.sentence())
        assert flips_seen or before == after
    # and some statements were about this grid at all
    assert d.flips


def test_every_statement_matches_decide_on_both_sides(mo: charter.Scenario) -> None:
    d = mo.diff(before="2025-10-28", after="2026-04-27", plans=False)
    assert d.flipped and d.flips
    a = resolve_version(mo, "2025-10-28").scenario
    b = resolve_version(mo, "2026-04-27").scenario
    for f in d.flips[:: max(1, len(d.flips) // 40)]:
        req = dict(f.example)
        assert _side(a.decide(**req)) == f.before, f.sentence()
        assert _side(b.decide(**req)) == f.after, f.sentence()
    kinds = d.counts()
    assert kinds["verdict"] > 0 and sum(kinds.values()) == len(d.flips)


def test_bundled_april_2026_flips_include_the_api_exclusivity_ending(
    mo: charter.Scenario,
) -> None:
    d = mo.diff(before="V4", after="V5", plans=False)
    changes = {(c.change, c.clause) for c in d.clauses}
    assert ("removed", "V4.C3") in changes and ("added", "V5.C2") in changes
    assert ("replaced", "V4.C15") in changes
    api = [
        f
        for f in d.flips
        if f.kind == "verdict"
        and f.before.verdict == "deny"
        and "V4.C3" in f.before.clauses
        and f.after == Side("allow", (), ("V5.C2",))
    ]
    assert api, [f.sentence() for f in d.flips]
    assert any("kind api" in f.requests() for f in api)
    assert d.to_json()["enumeration"]["complete"] is True


# ------------------------------------------------------------------ money
OFFERS = [
    {
        "id": "c1",
        "provider": "cloudy",
        "region": "r1",
        "family": "h100",
        "price": 3.0,
        "capacity": 1000,
    },
    {
        "id": "e1",
        "provider": "elsewhere",
        "region": "r1",
        "family": "h100",
        "price": 2.0,
        "capacity": 1000,
    },
]
WORKLOADS = [
    {
        "id": "t1",
        "kind": "training",
        "families": ["h100"],
        "demand": 200,
        "start": "2026-01",
        "end": "2026-03",
        "new_capacity": False,
    },
    {
        "id": "s1",
        "kind": "batch",
        "families": ["h100"],
        "demand": 300,
        "start": "2026-01",
        "end": "2026-03",
        "new_capacity": False,
    },
]


def priced(tmp: Path, name: str = "priced") -> charter.Scenario:
    """The small scenario with a portfolio on existing capacity: V1 keeps everything on the
    dearer cloud, V2 frees it, V3 keeps training there (200 hours a month at 3 instead of 2:
    600 over the three months)."""
    s = small(tmp, name)
    folder = s.folder
    meta = yaml.safe_load((folder / "scenario.yaml").read_text())
    meta["plan"] = {"party": "lab", "from": "2026-01", "to": "2026-03"}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(meta))
    (folder / "offers.yaml").write_text(yaml.safe_dump(OFFERS))
    (folder / "workloads.yaml").write_text(yaml.safe_dump(WORKLOADS))
    return charter.load_scenario(folder)


def test_delta_is_the_difference_of_the_plans_and_its_range_holds_the_truth(
    tmp_path: Path,
) -> None:
    s = priced(tmp_path)
    d = diff(s, before="V2", after="V3")
    m = d.money
    assert m is not None
    a, b = m.plans["from"], m.plans["to"]
    assert a.cost is not None and b.cost is not None
    assert m.delta == pytest.approx(b.cost - a.cost)
    assert m.delta == pytest.approx(600.0)  # training goes back to the dearer cloud
    rng = m.delta_range
    assert rng is not None and rng[0] <= m.delta <= rng[1]
    # the true difference of least costs, solved to optimality
    true = [plan(resolve_version(s, v).scenario, gap=0.0, explain=False).cost for v in ("V2", "V3")]
    assert true[0] is not None and true[1] is not None
    assert rng[0] - 1e-6 <= true[1] - true[0] <= rng[1] + 1e-6
    lab = [r for r in m.parties if r["party"] == "lab"]
    assert sum(r["compute_spend"]["delta"] for r in lab) == pytest.approx(m.delta)
    same = diff(s, before="V3", after="V3")
    assert same.money is not None and same.money.delta == 0.0


def test_drivers_price_each_added_clause(tmp_path: Path) -> None:
    s = priced(tmp_path)
    d = diff(s, before="V2", after="V3", drivers=True)
    assert d.money is not None
    parts = {p["clause"]: p["part"] for p in d.money.drivers}
    assert set(parts) == {"C.X", "C.F"}
    assert parts["C.X"] == pytest.approx(600.0) and parts["C.F"] == pytest.approx(0.0)
    assert d.to_json()["money"]["drivers_unattributed"] == pytest.approx(
        d.money.delta - sum(parts.values())
    )
    # a removal is priced by keeping the removed clause: V2 frees the exclusivity of V1
    d = diff(s, before="V1", after="V2", drivers=True)
    assert d.money is not None and d.money.delta == pytest.approx(-1500.0)
    by = {p["clause"]: p for p in d.money.drivers}
    assert by["A.X"]["change"] == "removed" and by["A.X"]["part"] == pytest.approx(-1500.0)
    assert {c for c, p in by.items() if p["change"] == "added"} == {"B.R", "B.P"}
    assert d.to_json()["money"]["drivers_unattributed"] == pytest.approx(0.0)


def test_revenue_shares_under_both_versions(mo: charter.Scenario) -> None:
    d = mo.diff(before="V4", after="V5", plans=False, revenue=[("2026", 20e9), ("2031", 10e9)])
    assert d.money is not None
    rows = {(r.payer, r.payee, r.period): r for r in d.money.shares}
    assert rows[("openai", "microsoft", "2026")].before == pytest.approx(4e9)
    # V5.C5 runs through 2030; V4.C15 until AGI is verified, which no one assumed
    late = rows[("openai", "microsoft", "2031")]
    assert late.after == 0.0 and late.before == pytest.approx(2e9)
    assert late.delta == pytest.approx(-2e9)


# ------------------------------------------------------------------ drafts
DRAFT = {
    "date": "2027-01-01",
    "title": "Proposed: open training",
    "sources": ["draft"],
    "removes": [{"clause": "C.X", "by": "D.P"}],
    "clauses": [
        {
            "id": "D.P",
            "kind": "permission",
            "title": "Training anywhere",
            "principal": "lab",
            "where": {"kind": ["training"]},
            "confidence": "primary",
            "sources": ["draft"],
        }
    ],
}


def test_a_draft_amendment_is_priced_before_it_is_signed(tmp_path: Path) -> None:
    s = priced(tmp_path)
    path = tmp_path / "draft.yaml"
    path.write_text(yaml.safe_dump(DRAFT, sort_keys=False))
    d = diff(s, before="V3", draft=path, plans=False)
    assert d.after.draft == "draft.yaml" and d.since == "2027-01-01"
    assert {(c.change, c.clause) for c in d.clauses} == {("added", "D.P"), ("removed", "C.X")}
    assert any(f.after.clauses == ("D.P",) for f in d.flips)


BAD_DRAFTS = [
    ("malformed", "date: 2027-01-01\ntitle: [x\n", "draft.yaml:3: malformed YAML"),
    (
        "unknown field",
        {**DRAFT, "clauses": [{**DRAFT["clauses"][0], "wher": {}}]},
        "draft.yaml:19: clauses[0].wher: unknown field 'wher'; did you mean 'where'?",
    ),
    (
        "unknown kind",
        {**DRAFT, "clauses": [{**DRAFT["clauses"][0], "kind": "allowance"}]},
        "draft.yaml:10: clauses[0].kind: unknown clause kind 'allowance'",
    ),
    (
        "unknown party",
        {**DRAFT, "clauses": [{**DRAFT["clauses"][0], "principal": "labb"}]},
        "draft.yaml:12: clauses[0].principal: unknown party 'labb'",
    ),
    (
        "removes a clause not in force",
        {**DRAFT, "removes": [{"clause": "A.X", "by": "D.P"}]},
        "draft.yaml:6: removes[0].clause: cannot remove clause 'A.X': it is not in force",
    ),
    (
        "duplicate id",
        {**DRAFT, "clauses": [{**DRAFT["clauses"][0], "id": "C.F"}], "removes": []},
        "draft.yaml:7: clauses[0].id: duplicate clause id 'C.F' (first at agreements.yaml:",
    ),
    (
        "not after",
        {**DRAFT, "date": "2025-06-01"},
        "draft.yaml:1: date: a draft must come after the version it amends: 2025-06-01 is not",
    ),
    ("not a mapping", ["x"], "draft.yaml:1: expected one amendment"),
]


@pytest.mark.parametrize(("case", "content", "message"), BAD_DRAFTS, ids=[c[0] for c in BAD_DRAFTS])
def test_a_bad_draft_gets_a_located_message(
    tmp_path: Path, case: str, content: Any, message: str
) -> None:
    s = small(tmp_path)
    path = tmp_path / "draft.yaml"
    path.write_text(
        content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
    )
    with pytest.raises(ScenarioError) as info:
        diff(s, before="V3", draft=path, plans=False)
    assert str(info.value).startswith(message), (case, str(info.value))


def test_a_bad_draft_exits_2_on_the_command_line(tmp_path: Path) -> None:
    s = small(tmp_path)
    path = tmp_path / "draft.yaml"
    path.write_text(yaml.safe_dump({**DRAFT, "date": "2025-06-01"}))
    r = run_cli("diff", str(s.folder), "--from", "V3", "--to-file", str(path), ok=False)
    assert r.returncode == 2 and r.stderr.startswith("error: draft.yaml:"), r.stderr
    assert "Traceback" not in r.stderr
    r = run_cli("diff", str(s.folder), "--from", "V7", ok=False)
    assert r.returncode == 2 and "is not a version" in r.stderr


# ------------------------------------------------------------------ the command
def test_cli_in_english_and_german_and_json(tmp_path: Path) -> None:
    s = priced(tmp_path)
    en = run_cli("diff", str(s.folder), "--from", "V2", "--to", "V3").stdout
    assert "Decisions that flip:" in en and "complete" in en
    assert "+ C.X" in en and "Δ cost =" in en
    de = run_cli("diff", str(s.folder), "--from", "V2", "--to", "V3", "--lang", "de").stdout
    assert "Entscheidungen, die sich ändern:" in de and "Δ Kosten =" in de
    assert "01.01.2026" in de
    doc = json.loads(run_cli("diff", str(s.folder), "--from", "V2", "--to", "V3", "--json").stdout)
    assert set(doc) >= {"from", "to", "clauses", "flips", "enumeration", "money"}
    assert set(doc["flips"]) == {"verdict", "obligations", "reason"}
    assert doc["enumeration"]["complete"] is True
    m = doc["money"]
    assert m["delta_range"][0] <= m["delta"] <= m["delta_range"][1]
