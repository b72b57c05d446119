"""Message catalog for explanations: English and German.

Only module holding user-facing sentence templates of the engine. Verdict words
(allow/deny/conditional) and JSON keys stay English in every language; clause titles and
summaries come from the scenario files' ``translations:``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LANGS", "t"]

LANGS = ("en", "de")

_EN: dict[str, str] = {
    # decisions
    "deny.default": (
        "Denied: no clause in force grants {principal} this; to {describe} is denied unless a "
        "clause grants it."
    ),
    "deny.by": "Denied by {items}.",
    "deny.ended": "Denied: {items}; no clause in force grants {principal} this.",
    "caveats": "Caveats: {items}.",
    "caveat.grade": "{clause} rests on {grade} sources only",
    "caveat.assumed": "{clause} assumes {what}",
    "caveat.note": "{clause}: {note}",
    "caveat.open": "{clause} is open: {note}",
    "grade.reported": "reported",
    "grade.weak": "weak",
    "conditional": "Conditional: {items}.",
    "allow.none": "Allowed: no clause in force restricts this ({describe}).",
    "allow.parts": "Allowed: {items}.",
    "part.lift": "{clause} lifts {lifted}",
    "part.grant": "{clause} grants it",
    "part.satisfied": "{clause} is satisfied",
    "part.ended": "{clause} ended on {date}",
    "part.ran_through": "{clause} ran through {date}",
    "part.ended_by": "{clause} ended on {date}, by {by}",
    "part.narrowed": "{clause} no longer reaches this: {why}",
    "narrowed.note": "clarified {date}: applies only where {where}",
    # obligations
    "ob.rofr": (
        "offer this capacity to {holder} first; {take} only after {holder} declines or cannot "
        "meet the requirement{window}"
    ),
    "ob.rofr.take_from": "take it from {provider}",
    "ob.rofr.take_else": "build or buy it elsewhere",
    "ob.rofr.window": "; {holder} has {days} days to answer{assumed}",
    "ob.assumed": " (assumed)",
    "ob.first_ship": "launch first on {holder}'s cloud, unless {holder} {escape}",
    "ob.consent": "needs the consent of {approver}",
    "ob.criteria": "only if {criteria}",
    "ob.limit": "only within the bound: {bound}",
    # money
    "owes.none": "No revenue share from {payer} to {payee} is in force in {period}.",
    "owes.ended": "No revenue share from {payer} to {payee} in {period}: {items}.",
    "owes.amount": "{payer} owes {payee} {amount} for {period}: {items}.",
    "owes.unknown": (
        "The public record gives no rate for {clauses}, so the amount {payer} owes {payee} for "
        "{period} is unknown{known}."
    ),
    "owes.known_part": "; the parts with a known rate come to {amount}",
    "owes.part": "{clause}: {rate} of {counted} ({days} of {period_days} days)",
    "owes.part.capped": "{clause}: capped at {amount}, the rest of its {cap} cap",
    "owes.part.norate": "{clause}: no rate in the record ({days} of {period_days} days)",
    # CLI labels
    "label.timeline": "Amendment timeline",
    "label.decisions": "Representative decisions",
    "label.in_force": "In force on {date}",
    "label.uncertain": "uncertain: the public record is unclear here",
    "label.source": "source",
    "label.removed": "removed",
    "label.replaced_by": "replaced by",
    "label.narrowed_to": "narrowed to",
    "label.stated_by": "stated by",
    "label.assumed_events": "assumed events",
    "label.note_on": "note on",
    "label.ask_more": (
        "Ask your own: charter decide --help; see every clause: charter timeline --at DATE"
    ),
}

_DE: dict[str, str] = {
    "deny.default": (
        "Abgelehnt: keine geltende Klausel gewährt {principal} dies; die Aktion „{action}“ ist "
        "verboten, solange keine Klausel sie gewährt."
    ),
    "deny.by": "Abgelehnt wegen {items}.",
    "deny.ended": "Abgelehnt: {items}; keine geltende Klausel gewährt {principal} dies.",
    "caveats": "Vorbehalte: {items}.",
    "caveat.grade": "{clause} stützt sich nur auf {grade} Quellen",
    "caveat.assumed": "{clause} nimmt an: {what}",
    "caveat.note": "{clause}: {note}",
    "caveat.open": "{clause} ist offen: {note}",
    "grade.reported": "berichtete",
    "grade.weak": "schwache",
    "conditional": "Unter Bedingungen: {items}.",
    "allow.none": "Erlaubt: keine geltende Klausel schränkt dies ein ({action}).",
    "allow.parts": "Erlaubt: {items}.",
    "part.lift": "{clause} hebt {lifted} auf",
    "part.grant": "{clause} gewährt es",
    "part.satisfied": "{clause} ist erfüllt",
    "part.ended": "{clause} endete am {date}",
    "part.ran_through": "{clause} galt bis einschließlich {date}",
    "part.ended_by": "{clause} endete am {date}, durch {by}",
    "part.narrowed": "{clause} erfasst dies nicht mehr: {why}",
    "narrowed.note": "klargestellt am {date}: gilt nur, wo {where}",
    "ob.rofr": (
        "diese Kapazität zuerst {holder} anbieten; {take} erst, wenn {holder} ablehnt oder den "
        "Bedarf nicht decken kann{window}"
    ),
    "ob.rofr.take_from": "bei {provider} einkaufen",
    "ob.rofr.take_else": "anderswo bauen oder einkaufen",
    "ob.rofr.window": "; {holder} hat {days} Tage Zeit zu antworten{assumed}",
    "ob.assumed": " (Annahme)",
    "ob.first_ship": ("zuerst in der Cloud von {holder} starten, es sei denn, {holder} {escape}"),
    "ob.consent": "braucht die Zustimmung von {approver}",
    "ob.criteria": "nur wenn {criteria}",
    "ob.limit": "nur innerhalb der Grenze: {bound}",
    "owes.none": "Zwischen {payer} und {payee} gilt in {period} keine Umsatzbeteiligung.",
    "owes.ended": "Keine Umsatzbeteiligung von {payer} an {payee} in {period}: {items}.",
    "owes.amount": "{payer} schuldet {payee} für {period} {amount}: {items}.",
    "owes.unknown": (
        "Die öffentlichen Quellen nennen keinen Satz für {clauses}; was {payer} {payee} für "
        "{period} schuldet, ist daher unbekannt{known}."
    ),
    "owes.known_part": "; die Anteile mit bekanntem Satz ergeben {amount}",
    "owes.part": "{clause}: {rate} von {counted} ({days} von {period_days} Tagen)",
    "owes.part.capped": "{clause}: gedeckelt auf {amount}, den Rest der Obergrenze von {cap}",
    "owes.part.norate": "{clause}: kein Satz bekannt ({days} von {period_days} Tagen)",
    "label.timeline": "Zeitleiste der Vertragsänderungen",
    "label.decisions": "Beispielhafte Entscheidungen",
    "label.in_force": "In Kraft am {date}",
    "label.uncertain": "unsicher: die öffentlichen Quellen sind hier unklar",
    "label.source": "Quelle",
    "label.removed": "aufgehoben",
    "label.replaced_by": "ersetzt durch",
    "label.narrowed_to": "eingeschränkt auf",
    "label.stated_by": "festgehalten in",
    "label.assumed_events": "angenommene Ereignisse",
    "label.note_on": "Hinweis zu",
    "label.ask_more": (
        "Eigene Fragen: charter decide --help; alle Klauseln: charter timeline --at DATUM"
    ),
}

_CATALOG = {"en": _EN, "de": _DE}


def t(lang: str, key: str, **values: Any) -> str:
    """The message ``key`` in ``lang`` (English if missing), filled with ``values``."""
    table = _CATALOG.get(lang, _EN)
    return table.get(key, _EN[key]).format(**values)
