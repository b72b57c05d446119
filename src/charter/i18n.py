"""Message catalog for explanations: English and German.

Only module holding user-facing sentence templates of the engine, and the formats of dates,
numbers and amounts in each language (:func:`date`, :func:`number`, :func:`money`,
:func:`percent`). Verdicts and JSON keys stay English in every language (the CLI prints a
verdict's word in the language through :func:`word`); clause titles and summaries come from
the scenario files' ``translations:``, the phrases for request attributes from the
vocabulary (``phrases:``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

__all__ = ["LANGS", "date", "join", "money", "number", "percent", "t", "word"]

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
    "caveat.unclear": "{clause}: the public record is unclear here",
    "caveat.figure": "{clause}: {figure} rests on {grade} sources only",
    "caveat.figures": "{clause}: {figure} rest on {grade} sources only",
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
    "part.ended_event": "{clause} ended on {date} (assuming: {event} on {event_date})",
    "part.narrowed": (
        "{clause} was narrowed on {date} and no longer reaches this: it now applies only to {where}"
    ),
    "narrowed.note": "narrowed on {date} by a clarification: applies only to {where}",
    # selectors in words
    "where.everything": "every request",
    "where.and": " and ",
    "where.or": " or ",
    "term.value": "{attribute} {value}",
    "term.not": "anything but {what}",
    "term.present": "with {attribute} given",
    "term.absent": "without {attribute} given",
    # how a clause ends
    "end.open": "open-ended",
    "end.with": "ends with {clauses}",
    "end.removed": "removed {date}",
    "end.removed_by": "removed {date} by {by}",
    "end.until": "until {until}",
    "end.until_day": "until {until}, i.e. before {day}",
    "until.event": "{event}",
    "until.first_of": "the first of {options}",
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
    "owes.assumed": "{clause} ends on {date}, assuming {event} on that day.",
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
    "label.event_on": "{event} on {date}",
    "dash.title": "Dashboard",
    "dash.skip": "Skip to the content",
    "dash.nav": "Pages",
    "dash.nav.timeline": "Timeline",
    "dash.nav.ask": "Ask",
    "dash.nav.compare": "Compare versions",
    "dash.nav.plan": "Plan",
    "dash.nav.commitments": "Commitments",
    "dash.nav.rofr": "ROFR inbox",
    "dash.nav.revenue": "Revenue share",
    "dash.nav.ledger": "Ledger",
    "dash.signed_in_as": "{party} ({role})",
    "dash.signin": "Sign in",
    "dash.signout": "Sign out",
    "dash.signin_failed": "That token is not valid (or has been revoked).",
    "dash.token": "Token",
    "dash.token_hint": (
        "A token from `charter token create --party PARTY`; it is kept in a "
        "session cookie no script can read."
    ),
    "dash.csrf": (
        "This form has expired or did not come from this dashboard; reload the page and try again."
    ),
    "dash.in_force_on": "Clauses in force on",
    "dash.assume": "Assume {event} on",
    "dash.show": "Show",
    "dash.decide": "May a party do this?",
    "dash.principal": "Party acting",
    "dash.action": "Action",
    "dash.ask_button": "Ask",
    "dash.owes": "What is owed?",
    "dash.revenue": "Revenue of the period",
    "dash.owes_forbidden": "{party} may see only the revenue shares it pays or receives.",
    "dash.from_version": "From version",
    "dash.to_version": "To version",
    "dash.compare": "Compare",
    "dash.draft": "Draft amendment (YAML)",
    "dash.compare_draft": "Price the draft",
    "dash.inbox": "Open requests addressed to {party}",
    "dash.inbox_empty": "Nothing waits for an answer.",
    "dash.what": "Capacity",
    "dash.deadline": "Answer by",
    "dash.match": "Match",
    "dash.decline": "Decline",
    "dash.requests_seen": "Other requests you may see",
    "dash.status": "Status",
    "dash.intact": "The ledger verifies: {n} events intact.",
    "dash.broken": "The ledger does not verify",
    "dash.checkpoint": "Last signed checkpoint: size {size}, root {root}…",
    "dash.event_kind": "Event kind",
    "dash.filter": "Filter",
    "dash.content": "Content",
    "dash.no_events": "No events you may see.",
    "dash.more": "Older events →",
    "dash.share": "Revenue share",
    "dash.cap_progress": "Progress toward the cap",
    "dash.no_shares": "No revenue share involves this party.",
    "dash.as_of": "Spend recorded in the ledger, as of {date}.",
    "dash.no_commitments": "No commitment with an amount involves this party.",
    "dash.c.committed": "Committed",
    "dash.c.spent": "Spent to date",
    "dash.c.remaining": "Remaining",
    "dash.c.pace_needed_by_now": "Pace needed by now",
    "dash.c.run_rate_per_day": "Run rate per day",
    "dash.c.projected_at_window_end": "Projected at the window's end",
    "dash.c.projected_shortfall": "Projected shortfall",
    "dash.time_limit": "Time limit (seconds)",
    "dash.run_plan": "Plan the portfolio",
    "dash.plan_file": "Plan file (charter plan --out)",
    "dash.load_plan": "Load the plan",
    "dash.planning": "Planning…",
    "dash.plan_headline": "Plan: {status}, cost {cost}",
    "dash.plan_bound": "bound {bound}, gap {gap}",
    "dash.placements": "Placements",
    "dash.assuming": "Assuming {events}",
    "dash.clause_costs": "also price every clause in force (slower)",
    "dash.with_plans": "plan the portfolio under both versions (money, slower)",
    "dash.rofr_implied": "Capacity to offer to the ROFR holder first ({n})",
    "dash.col.workload": "Workload",
    "dash.col.offer": "Offer",
    "dash.col.provider": "Provider",
    "dash.col.period": "Month",
    "dash.col.hours": "Hours",
    "dash.col.cost": "Cost",
    "diff.title": "{title}: {a} → {b}, compared from {since}",
    "diff.clauses": "Clauses",
    "diff.none": "no clause changes",
    "diff.flips": (
        "Decisions that flip: {flipped} of {classes} request classes ({seconds} s; complete: "
        "every class of requests the clauses can tell apart was decided in both versions)"
    ),
    "diff.kind.verdict": "verdict flips",
    "diff.kind.obligations": "obligation flips (same verdict, other obligations)",
    "diff.kind.reason": "reason flips (same answer, other deciding clauses)",
    "diff.group": "{statements} statements, {classes} classes",
    "diff.more": "… and {n} more (--all, or --json)",
    "diff.money": "Money",
    "diff.shares": "Revenue shares",
    "diff.plan": "plan under {version}: {status}, cost {cost}, bound {bound}, gap {gap}",
    "diff.delta": (
        "Δ cost = {delta}; the least cost changes by between {lo} and {hi} (the two plans' gaps)"
    ),
    "diff.no_delta": "no cost difference: one of the versions has no plan",
    "diff.driver.added": "{clause} (added): {part} of Δ (re-planned without it: {status})",
    "diff.driver.removed": "{clause} (removed): {part} of Δ (re-planned keeping it: {status})",
    "diff.parties": "Change per party and year (to − from)",
    "diff.no_party_change": "no party's spend, revenue or revenue share changes",
    "diff.except": "{attr} other than {values}",
    "diff.draft": "{file} (draft, {date})",
    "diff.ended": "{clauses} ended",
    "diff.sides": "from {before} to {after}",
    "diff.example": "e.g. {text}",
    "diff.who": "{action} by {principal}",
    "diff.from": "from {date}",
    "diff.between": "{start} to {end}",
    "diff.not": "not {attr}",
    "diff.other": "any other",
    "diff.absent": "none",
    "diff.or": " or ",
    "label.ends": "ends {clause}",
    "label.starting": "from {date}",
    "label.uncertain_see": "uncertain: see the caveats",
    "label.note_on": "note on",
    "label.ask_more": (
        "Ask your own: charter decide --help; see every clause: charter timeline --at DATE"
    ),
    "label.cap": "cap {cap}; used before {used}; left after {left}",
    "label.from": "from {date}",
    "label.narrowed": "narrowed",
    # charts and the report (charter.charts, charter.report)
    "chart.month": "month",
    "chart.year": "year",
    "chart.date": "date",
    "chart.hours": "accelerator-hours",
    "chart.spend": "spend",
    "chart.share": "share of hours",
    "chart.clause": "clause",
    "chart.hours.title": "Accelerator-hours per month by provider",
    "chart.spend.title": "Spend per year by provider",
    "chart.holder.title": "Share of hours on the commitment holder ({providers})",
    "chart.clause_costs.title": "What each clause costs (with − without)",
    "chart.clause_costs.none": "The plan prices no clause (charter plan --clause-costs does)",
    "chart.clause_costs.cost": "cost",
    "chart.burn.committed": "committed",
    "chart.burn.pace": "linear pace",
    "chart.burn.spent": "spent to date",
    "chart.burn.needed": "pace needed from today",
    "chart.burn.projected": "projection at the current run rate",
    "chart.burn.title": "{clause}: projected shortfall {shortfall} (as of {date})",
    "chart.burn.open": "{clause}: open-ended, no pace",
    "chart.timeline.title": "Amendments and clarifications (+ clauses added / − ended)",
    "chart.timeline.amendment": "amendment",
    "chart.timeline.clarification": "clarification",
    "report.title": "{title}: report",
    "report.timeline": "Amendment timeline",
    "report.in_force": "Clauses in force on {date}",
    "report.plan": "Plan",
    "report.headline": "{status}; cost {cost}; bound {bound}; gap {gap}",
    "report.plan_from": "plan read from {file}",
    "report.no_bound": "no bound",
    "report.no_plan": "The plan has no placements.",
    "report.clause_costs": "What each clause costs",
    "report.commitments": "Commitments: committed against planned spend",
    "report.commitments.none": "The plan carries no commitments.",
    "report.committed": "committed",
    "report.planned": "planned spend",
    "report.shortfall": "shortfall",
    "plan.unmet": (
        "Demand left unmet: {hours} accelerator-hours across {workloads} jobs, at a penalty "
        "of {penalty} (included in the cost)."
    ),
    "report.providers": "providers",
    "report.diff": "What changed: {a} → {b}",
    "report.diff.flips": "Verdict flips, grouped by change of answer",
    "report.diff.other": (
        "{obligations} obligation flips and {reason} reason flips are not listed here "
        "(charter diff lists them)."
    ),
    "report.diff.none": "No verdict flips.",
}

_DE: dict[str, str] = {
    "deny.default": (
        "Abgelehnt: keine geltende Klausel gewährt {principal} dies; „{describe}“ ist verboten, "
        "solange keine Klausel es gewährt."
    ),
    "deny.by": "Abgelehnt wegen {items}.",
    "deny.ended": "Abgelehnt: {items}; keine geltende Klausel gewährt {principal} dies.",
    "caveats": "Vorbehalte: {items}.",
    "caveat.grade": "{clause} stützt sich nur auf {grade} Quellen",
    "caveat.assumed": "{clause} nimmt an: {what}",
    "caveat.note": "{clause}: {note}",
    "caveat.unclear": "{clause}: die öffentlichen Quellen sind hier unklar",
    "caveat.figure": "{clause}: {figure} stützt sich nur auf {grade} Quellen",
    "caveat.figures": "{clause}: {figure} stützen sich nur auf {grade} Quellen",
    "caveat.open": "{clause} ist offen: {note}",
    "grade.reported": "berichtete",
    "grade.weak": "schwache",
    "conditional": "Unter Bedingungen: {items}.",
    "allow.none": "Erlaubt: keine geltende Klausel schränkt dies ein ({describe}).",
    "allow.parts": "Erlaubt: {items}.",
    "part.lift": "{clause} hebt {lifted} auf",
    "part.grant": "{clause} gewährt es",
    "part.satisfied": "{clause} ist erfüllt",
    "part.ended": "{clause} endete am {date}",
    "part.ran_through": "{clause} galt bis einschließlich {date}",
    "part.ended_by": "{clause} endete am {date}, durch {by}",
    "part.ended_event": "{clause} endete am {date} (angenommen: {event} am {event_date})",
    "part.narrowed": (
        "{clause} wurde am {date} eingeschränkt und erfasst dies nicht mehr: sie gilt nur noch "
        "für {where}"
    ),
    "narrowed.note": "am {date} durch eine Klarstellung eingeschränkt: gilt nur noch für {where}",
    "where.everything": "jede Anfrage",
    "where.and": " und ",
    "where.or": " oder ",
    "term.value": "{attribute} {value}",
    "term.not": "alles außer {what}",
    "term.present": "mit Angabe „{attribute}“",
    "term.absent": "ohne Angabe „{attribute}“",
    "end.open": "unbefristet",
    "end.with": "endet mit {clauses}",
    "end.removed": "aufgehoben am {date}",
    "end.removed_by": "aufgehoben am {date} durch {by}",
    "end.until": "bis {until}",
    "end.until_day": "bis {until}, also vor dem {day}",
    "until.event": "„{event}“",
    "until.first_of": "zum ersten von: {options}",
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
    "owes.assumed": "{clause} endet am {date}, angenommen „{event}“ an diesem Tag.",
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
    "label.event_on": "„{event}“ am {date}",
    "dash.title": "Übersicht",
    "dash.skip": "Zum Inhalt springen",
    "dash.nav": "Seiten",
    "dash.nav.timeline": "Zeitleiste",
    "dash.nav.ask": "Fragen",
    "dash.nav.compare": "Fassungen vergleichen",
    "dash.nav.plan": "Plan",
    "dash.nav.commitments": "Abnahmezusagen",
    "dash.nav.rofr": "Vorkaufsrecht: Eingang",
    "dash.nav.revenue": "Umsatzbeteiligung",
    "dash.nav.ledger": "Journal",
    "dash.signed_in_as": "{party} ({role})",
    "dash.signin": "Anmelden",
    "dash.signout": "Abmelden",
    "dash.signin_failed": "Dieses Token ist ungültig (oder widerrufen).",
    "dash.token": "Token",
    "dash.token_hint": (
        "Ein Token von `charter token create --party PARTEI`; es liegt in "
        "einem Sitzungs-Cookie, das kein Skript lesen kann."
    ),
    "dash.csrf": (
        "Dieses Formular ist abgelaufen oder stammt nicht von dieser "
        "Übersicht; bitte die Seite neu laden."
    ),
    "dash.in_force_on": "Geltende Klauseln am",
    "dash.assume": "Angenommen: {event} am",
    "dash.show": "Anzeigen",
    "dash.decide": "Darf eine Partei das?",
    "dash.principal": "Handelnde Partei",
    "dash.action": "Handlung",
    "dash.ask_button": "Fragen",
    "dash.owes": "Was ist geschuldet?",
    "dash.revenue": "Umsatz des Zeitraums",
    "dash.owes_forbidden": "{party} sieht nur die Umsatzbeteiligungen, die es zahlt oder erhält.",
    "dash.from_version": "Von Fassung",
    "dash.to_version": "Zu Fassung",
    "dash.compare": "Vergleichen",
    "dash.draft": "Entwurf einer Änderung (YAML)",
    "dash.compare_draft": "Entwurf bewerten",
    "dash.inbox": "Offene Anfragen an {party}",
    "dash.inbox_empty": "Keine Anfrage wartet auf Antwort.",
    "dash.what": "Kapazität",
    "dash.deadline": "Antwort bis",
    "dash.match": "Übernehmen",
    "dash.decline": "Ablehnen",
    "dash.requests_seen": "Weitere sichtbare Anfragen",
    "dash.status": "Stand",
    "dash.intact": "Das Journal ist geprüft: {n} Ereignisse unversehrt.",
    "dash.broken": "Das Journal besteht die Prüfung nicht",
    "dash.checkpoint": "Letzter signierter Prüfpunkt: Größe {size}, Wurzel {root}…",
    "dash.event_kind": "Ereignisart",
    "dash.filter": "Filtern",
    "dash.content": "Inhalt",
    "dash.no_events": "Keine sichtbaren Ereignisse.",
    "dash.more": "Ältere Ereignisse →",
    "dash.share": "Umsatzbeteiligung",
    "dash.cap_progress": "Ausschöpfung der Obergrenze",
    "dash.no_shares": "Keine Umsatzbeteiligung betrifft diese Partei.",
    "dash.as_of": "Im Journal erfasste Ausgaben, Stand {date}.",
    "dash.no_commitments": "Keine bezifferte Abnahmezusage betrifft diese Partei.",
    "dash.c.committed": "Zugesagt",
    "dash.c.spent": "Bisher ausgegeben",
    "dash.c.remaining": "Verbleibend",
    "dash.c.pace_needed_by_now": "Bis heute nötiges Tempo",
    "dash.c.run_rate_per_day": "Aktuelle Rate pro Tag",
    "dash.c.projected_at_window_end": "Hochrechnung zum Fristende",
    "dash.c.projected_shortfall": "Erwartete Unterdeckung",
    "dash.time_limit": "Zeitlimit (Sekunden)",
    "dash.run_plan": "Portfolio planen",
    "dash.plan_file": "Plandatei (charter plan --out)",
    "dash.load_plan": "Plan laden",
    "dash.planning": "Plane…",
    "dash.plan_headline": "Plan: {status}, Kosten {cost}",
    "dash.plan_bound": "Schranke {bound}, Lücke {gap}",
    "dash.placements": "Zuweisungen",
    "dash.assuming": "Angenommen: {events}",
    "dash.clause_costs": "auch jede geltende Klausel bewerten (langsamer)",
    "dash.with_plans": "das Portfolio unter beiden Fassungen planen (Geld, langsamer)",
    "dash.rofr_implied": "Zuerst dem Inhaber des Vorkaufsrechts anzubietende Kapazität ({n})",
    "dash.col.workload": "Arbeitslast",
    "dash.col.offer": "Angebot",
    "dash.col.provider": "Anbieter",
    "dash.col.period": "Monat",
    "dash.col.hours": "Stunden",
    "dash.col.cost": "Kosten",
    "diff.title": "{title}: {a} → {b}, verglichen ab {since}",
    "diff.clauses": "Klauseln",
    "diff.none": "keine Klausel geändert",
    "diff.flips": (
        "Entscheidungen, die sich ändern: {flipped} von {classes} Klassen von Anfragen "
        "({seconds} s; vollständig: jede Klasse, die die Klauseln unterscheiden können, wurde "
        "in beiden Fassungen entschieden)"
    ),
    "diff.kind.verdict": "anderes Ergebnis",
    "diff.kind.obligations": "andere Auflagen (gleiches Ergebnis)",
    "diff.kind.reason": "andere Begründung (gleiche Antwort, andere maßgebliche Klauseln)",
    "diff.group": "{statements} Aussagen, {classes} Klassen",
    "diff.more": "… und {n} weitere (--all oder --json)",
    "diff.money": "Geld",
    "diff.shares": "Umsatzbeteiligungen",
    "diff.plan": "Plan unter {version}: {status}, Kosten {cost}, Schranke {bound}, Lücke {gap}",
    "diff.delta": (
        "Δ Kosten = {delta}; die geringsten Kosten ändern sich um {lo} bis {hi} (die Lücken "
        "beider Pläne)"
    ),
    "diff.no_delta": "kein Kostenvergleich: eine der Fassungen hat keinen Plan",
    "diff.driver.added": "{clause} (hinzu): {part} von Δ (neu geplant ohne sie: {status})",
    "diff.driver.removed": "{clause} (aufgehoben): {part} von Δ (neu geplant mit ihr: {status})",
    "diff.parties": "Änderung je Partei und Jahr (neu − alt)",
    "diff.no_party_change": (
        "Ausgaben, Erlöse und Umsatzbeteiligungen bleiben für jede Partei gleich"
    ),
    "diff.except": "{attr} außer {values}",
    "diff.draft": "{file} (Entwurf, {date})",
    "diff.ended": "{clauses} beendet",
    "diff.sides": "von {before} zu {after}",
    "diff.example": "z. B. {text}",
    "diff.who": "{action} durch {principal}",
    "diff.from": "ab {date}",
    "diff.between": "{start} bis {end}",
    "diff.not": "nicht {attr}",
    "diff.other": "jeder andere Wert",
    "diff.absent": "keiner",
    "diff.or": " oder ",
    "label.ends": "beendet {clause}",
    "label.starting": "ab {date}",
    "label.uncertain_see": "unsicher: siehe Vorbehalte",
    "label.note_on": "Hinweis zu",
    "label.ask_more": (
        "Eigene Fragen: charter decide --help; alle Klauseln: charter timeline --at DATUM"
    ),
    "label.cap": "Obergrenze {cap}; zuvor genutzt {used}; danach übrig {left}",
    "label.from": "ab {date}",
    "label.narrowed": "eingeschränkt",
    "chart.month": "Monat",
    "chart.year": "Jahr",
    "chart.date": "Datum",
    "chart.hours": "Beschleunigerstunden",
    "chart.spend": "Ausgaben",
    "chart.share": "Anteil der Stunden",
    "chart.clause": "Klausel",
    "chart.hours.title": "Beschleunigerstunden je Monat und Anbieter",
    "chart.spend.title": "Ausgaben je Jahr und Anbieter",
    "chart.holder.title": "Anteil der Stunden beim Inhaber der Zusage ({providers})",
    "chart.clause_costs.title": "Was jede Klausel kostet (mit − ohne)",
    "chart.clause_costs.none": (
        "Der Plan bepreist keine Klausel (charter plan --clause-costs tut es)"
    ),
    "chart.clause_costs.cost": "Kosten",
    "chart.burn.committed": "zugesagt",
    "chart.burn.pace": "linearer Verlauf",
    "chart.burn.spent": "bisher ausgegeben",
    "chart.burn.needed": "nötiges Tempo ab heute",
    "chart.burn.projected": "Hochrechnung beim jetzigen Tempo",
    "chart.burn.title": "{clause}: erwartete Unterdeckung {shortfall} (Stand {date})",
    "chart.burn.open": "{clause}: unbefristet, kein Verlauf",
    "chart.timeline.title": "Änderungen und Klarstellungen (+ Klauseln hinzu / − beendet)",
    "chart.timeline.amendment": "Änderung",
    "chart.timeline.clarification": "Klarstellung",
    "report.title": "{title}: Bericht",
    "report.timeline": "Zeitleiste der Vertragsänderungen",
    "report.in_force": "In Kraft am {date}",
    "report.plan": "Plan",
    "report.headline": "{status}; Kosten {cost}; Schranke {bound}; Lücke {gap}",
    "report.plan_from": "Plan gelesen aus {file}",
    "report.no_bound": "keine Schranke",
    "report.no_plan": "Der Plan hat keine Platzierungen.",
    "report.clause_costs": "Was jede Klausel kostet",
    "report.commitments": "Abnahmezusagen: zugesagt und geplante Ausgaben",
    "report.commitments.none": "Der Plan enthält keine Abnahmezusagen.",
    "report.committed": "zugesagt",
    "report.planned": "geplante Ausgaben",
    "report.shortfall": "Unterdeckung",
    "plan.unmet": (
        "Ungedeckter Bedarf: {hours} Beschleunigerstunden bei {workloads} Arbeitslasten, "
        "zu Strafkosten von {penalty} (in den Kosten enthalten)."
    ),
    "report.providers": "Anbieter",
    "report.diff": "Was sich geändert hat: {a} → {b}",
    "report.diff.flips": "Geänderte Ergebnisse, nach Änderung der Antwort",
    "report.diff.other": (
        "{obligations} Änderungen der Auflagen und {reason} der Begründung stehen nicht hier "
        "(charter diff nennt sie)."
    ),
    "report.diff.none": "Kein Ergebnis ändert sich.",
}

_CATALOG = {"en": _EN, "de": _DE}

#: Single words and table headers by group, in German; English is the key itself (a
#: verdict, effect, clause kind or grade is its own English word, spaced for reading).
_WORDS_DE: dict[str, dict[str, str]] = {
    "verdict": {"allow": "erlaubt", "deny": "abgelehnt", "conditional": "unter Bedingungen"},
    "effect": {
        "forbid": "verbietet",
        "obligation": "verpflichtet",
        "grant": "gewährt",
        "lift": "hebt auf",
        "satisfied": "erfüllt",
        "ended": "beendet",
        "narrowed": "eingeschränkt",
        "owed": "geschuldet",
        "capped": "gedeckelt",
        "no-rate": "ohne Satz",
    },
    "figure_short": {
        "amount": "Betrag",
        "bound": "Grenze",
        "cap": "Obergrenze",
        "rate": "Satz",
        "stake": "Anteil",
    },
    "figure": {
        "amount": "der Betrag",
        "bound": "die Grenze",
        "cap": "die Obergrenze",
        "rate": "der Satz",
        "stake": "der Anteil",
    },
    "kind": {
        "approval": "Zustimmung",
        "carve_out": "Ausnahme",
        "commitment": "Abnahmezusage",
        "equity": "Beteiligung",
        "exclusivity": "Exklusivität",
        "first_ship": "Erstveröffentlichung",
        "ip_rights": "IP-Rechte",
        "limit": "Grenze",
        "permission": "Erlaubnis",
        "revenue_share": "Umsatzbeteiligung",
        "rofr": "Vorkaufsrecht",
        "term": "Laufzeit",
        "trigger": "Auslöser",
    },
    "grade": {
        "primary": "Primärquelle",
        "quoted": "zitiert",
        "reported": "berichtet",
        "weak": "schwach",
    },
    "header": {
        "id": "ID",
        "kind": "Art",
        "title": "Titel",
        "since": "seit",
        "ends": "endet",
        "grade": "Beleg",
        "clause": "Klausel",
        "effect": "Wirkung",
        "amendment": "Änderung",
        "source": "Quelle",
        "from": "von",
        "to": "bis",
        "days": "Tage",
        "rate": "Satz",
        "amount": "Betrag",
        "date": "Datum",
        "change": "Änderung",
        "added": "hinzu",
        "ended": "beendet",
        "uncertain": "unsicher",
        "clarification": "Klarstellung",
        "payer": "Zahler",
        "payee": "Empfänger",
        "period": "Zeitraum",
        "delta": "Differenz",
        "party": "Partei",
        "year": "Jahr",
        "compute_spend": "Rechenausgaben",
        "provider_revenue": "Erlös als Anbieter",
        "shares_paid": "Beteiligung gezahlt",
        "shares_received": "Beteiligung erhalten",
    },
}


def t(lang: str, key: str, **values: Any) -> str:
    """The message ``key`` in ``lang`` (English if missing), filled with ``values``."""
    table = _CATALOG.get(lang, _EN)
    return table.get(key, _EN[key]).format(**values)


#: English words for the keys that do not read as words themselves
_WORDS_EN: dict[str, dict[str, str]] = {
    "figure": {
        "amount": "the amount",
        "bound": "the bound",
        "cap": "the cap",
        "rate": "the rate",
        "stake": "the stake",
    },
    "kind": {
        "carve_out": "carve-out",
        "first_ship": "first ship",
        "ip_rights": "IP rights",
        "revenue_share": "revenue share",
        "rofr": "ROFR",
    },
}


def word(lang: str, group: str, key: str) -> str:
    """One word of ``group`` (verdict, effect, kind, grade, header) in ``lang``: its German
    word if there is one, in English the key itself unless it needs a word of its own."""
    found = (_WORDS_DE if lang == "de" else _WORDS_EN).get(group, {}).get(key)
    return key if found is None else found


_DE_DIGITS = str.maketrans(",.", ".,")


def number(lang: str, x: float, decimals: int = 0) -> str:
    """``x`` with thousands grouped: 1,234,567.8 in English, 1.234.567,8 in German."""
    text = f"{x:,.{decimals}f}"
    if lang == "de":
        text = text.translate(_DE_DIGITS)
    return text


def money(lang: str, x: float, currency: str) -> str:
    """An amount in whole units with its currency code: 1,234 USD, 1.234 USD."""
    return f"{number(lang, x)} {currency}"


def percent(lang: str, fraction: float) -> str:
    """A rate as a percentage, as short as exact: 20%, in German 20 % (and 12,5 %)."""
    text = f"{fraction * 100:g}"
    return f"{text.replace('.', ',')} %" if lang == "de" else f"{text}%"


def date(lang: str, d: dt.date | str | None) -> str:
    """A date: ISO (2026-04-27) in English, 27.04.2026 in German; ``""`` for none."""
    if d is None or d == "":
        return ""
    day = d if isinstance(d, dt.date) else dt.date.fromisoformat(d)
    return f"{day:%d.%m.%Y}" if lang == "de" else day.isoformat()


def join(lang: str, items: Iterable[str], key: str = "where.or") -> str:
    """Items joined by commas and, before the last, the word of ``key`` (or, and)."""
    xs = list(items)
    if len(xs) <= 1:
        return "".join(xs)
    return ", ".join(xs[:-1]) + t(lang, key) + xs[-1]
