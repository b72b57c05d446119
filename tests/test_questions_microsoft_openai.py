"""Decision questions over the bundled ``microsoft-openai`` scenario.

Every expected answer below was written from the fact sheet (shared/facts/agreements.md),
the precedence rules of DESIGN.md ("Decisions") and the clause modelling in the scenario's
agreements.yaml, before the engine was run. Each row asserts the verdict and the exact set
of deciding clause ids. Two rows first disagreed with the engine and exposed real defects
(a selector alternative not tied to its action; ties between ended restrictions); both are
fixed.
"""

from __future__ import annotations

from typing import Any

import pytest

import charter

ALLOW, DENY, COND = "allow", "deny", "conditional"

OAI = {"principal": "openai", "action": "run"}
MS_ACCESS = {"principal": "microsoft", "action": "access"}


@pytest.fixture(scope="module")
def scenario() -> charter.Scenario:
    return charter.load_scenario()


def row(
    qid: str,
    verdict: str,
    clauses: set[str] | frozenset[str],
    *,
    events: dict[str, str] | None = None,
    xfail: str | None = None,
    **request: Any,
) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=f"engine: {xfail}")] if xfail else []
    return pytest.param(request, events, verdict, frozenset(clauses), id=qid, marks=marks)


def run(qid: str, verdict: str, clauses: set[str], **kw: Any) -> Any:
    return row(qid, verdict, clauses, **{**OAI, **kw})


def access(qid: str, verdict: str, clauses: set[str], **kw: Any) -> Any:
    return row(qid, verdict, clauses, **{**MS_ACCESS, **kw})


NONE: frozenset[str] = frozenset()

# --------------------------------------------------------------------------- run
RUN = [
    # Before V1 (2019-07-22) no agreement exists: running one's own workload is the default allow.
    run(
        "2019-01-01 training on aws, before any agreement",
        ALLOW,
        NONE,
        at="2019-01-01",
        provider="aws",
        kind="training",
    ),
    # V1.C2: all OpenAI compute runs on Azure.
    run(
        "2020-01-01 training on gcp",
        DENY,
        {"V1.C2"},
        at="2020-01-01",
        provider="gcp",
        kind="training",
    ),
    # V1.C2: Azure is the exclusivity holder's own cloud -> satisfied.
    run(
        "2020-01-01 training on azure",
        ALLOW,
        {"V1.C2"},
        at="2020-01-01",
        provider="azure",
        kind="training",
    ),
    # V1.C2 covers the API as well (V2.C3 only from 2023-01-23).
    run("2022-06-01 api on aws", DENY, {"V1.C2"}, at="2022-06-01", provider="aws", kind="api"),
    # Fact sheet §3: 2023-06-01 ChatGPT on AWS -> no, V2.C2.
    run(
        "2023-06-01 chatgpt on aws",
        DENY,
        {"V2.C2"},
        at="2023-06-01",
        provider="aws",
        kind="product-serving",
        product="chatgpt",
    ),
    # V2.C2 (all workloads) and V2.C3 (API only on Azure) both forbid.
    run(
        "2023-06-01 api on aws",
        DENY,
        {"V2.C2", "V2.C3"},
        at="2023-06-01",
        provider="aws",
        kind="api",
    ),
    # V2.C2 and V2.C3 are both satisfied on Azure.
    run(
        "2023-06-01 api on azure",
        ALLOW,
        {"V2.C2", "V2.C3"},
        at="2023-06-01",
        provider="azure",
        kind="api",
    ),
    # V2.C2 satisfied; V2.C3 concerns the API only.
    run(
        "2023-06-01 training on azure",
        ALLOW,
        {"V2.C2"},
        at="2023-06-01",
        provider="azure",
        kind="training",
    ),
    # V2.X1 starts 2024-06-11; before it OCI is just another third-party cloud under V2.C2.
    run(
        "2024-06-10 inference on oci, day before the oracle exception",
        DENY,
        {"V2.C2"},
        at="2024-06-10",
        provider="oci",
        kind="inference",
    ),
    # V2.X1 (2024-06-11): OCI as an extension of Azure for non-training work lifts V2.C2.
    run(
        "2024-07-01 inference on oci",
        ALLOW,
        {"V2.X1"},
        at="2024-07-01",
        provider="oci",
        kind="inference",
    ),
    # V2.X1 excludes training: frontier (pre-)training stayed on Microsoft systems.
    run(
        "2024-07-01 training on oci",
        DENY,
        {"V2.C2"},
        at="2024-07-01",
        provider="oci",
        kind="training",
    ),
    # V2.X1 lifts V2.C2 only; the API stays Azure-only under V2.C3.
    run("2024-07-01 api on oci", DENY, {"V2.C3"}, at="2024-07-01", provider="oci", kind="api"),
    # Stargate is OpenAI's own capacity, approved only in V3 (V3.C7); in 2024 V2.C2 forbids it.
    run(
        "2024-01-01 training on stargate, before V3",
        DENY,
        {"V2.C2"},
        at="2024-01-01",
        provider="stargate",
        kind="training",
        new_capacity=True,
    ),
    # V3.C6: new capacity must first be offered to Microsoft.
    run(
        "2025-03-01 new training capacity on gcp",
        COND,
        {"V3.C6"},
        at="2025-03-01",
        provider="gcp",
        kind="training",
        new_capacity=True,
    ),
    # V3 removed V2.C2 (by V3.C6); existing third-party capacity is allowed (flagged uncertain).
    run(
        "2025-03-01 existing training capacity on gcp",
        ALLOW,
        {"V3.C6"},
        at="2025-03-01",
        provider="gcp",
        kind="training",
        new_capacity=False,
    ),
    # V3.C6 is satisfied when the new capacity is bought from Microsoft.
    run(
        "2025-03-01 new training capacity on azure",
        ALLOW,
        {"V3.C6"},
        at="2025-03-01",
        provider="azure",
        kind="training",
        new_capacity=True,
    ),
    # V3.C3 (API exclusive to Azure) and V3.C6 (ROFR) both satisfied on Azure.
    run(
        "2025-03-01 new api capacity on azure",
        ALLOW,
        {"V3.C3", "V3.C6"},
        at="2025-03-01",
        provider="azure",
        kind="api",
        new_capacity=True,
    ),
    # V3.C3: "The OpenAI API is exclusive to Azure".
    run(
        "2025-03-01 existing api capacity on aws",
        DENY,
        {"V3.C3"},
        at="2025-03-01",
        provider="aws",
        kind="api",
        new_capacity=False,
    ),
    # A forbid (V3.C3) beats an obligation (V3.C6): deny cites only the forbid.
    run(
        "2025-03-01 new api capacity on aws",
        DENY,
        {"V3.C3"},
        at="2025-03-01",
        provider="aws",
        kind="api",
        new_capacity=True,
    ),
    # V3.C3: no government carve-out yet (DoD contract of 2025-06-16 falls under V3).
    run(
        "2025-06-16 national-security api on aws, before V4",
        DENY,
        {"V3.C3"},
        at="2025-06-16",
        provider="aws",
        kind="api",
        segment="us-national-security",
    ),
    # V3.C7: own capacity (Stargate) for research and training, lifting the ROFR V3.C6.
    run(
        "2025-06-01 new training capacity on stargate",
        ALLOW,
        {"V3.C7"},
        at="2025-06-01",
        provider="stargate",
        kind="training",
        new_capacity=True,
    ),
    # V3.C7 is "primarily for research and training": inference on Stargate still goes via ROFR.
    run(
        "2025-06-01 new inference capacity on stargate",
        COND,
        {"V3.C6"},
        at="2025-06-01",
        provider="stargate",
        kind="inference",
        new_capacity=True,
    ),
    # V3.C7 covers runs on Stargate only; a training purpose on gcp is not own capacity.
    run(
        "2025-06-01 new training capacity on gcp with purpose training",
        COND,
        {"V3.C6"},
        at="2025-06-01",
        provider="gcp",
        kind="training",
        new_capacity=True,
        purpose="training",
    ),
    # Corrected by fact sheet section 5 (2026-12-01): V2.X1 excepted from V2.C2 and ends with
    # it on 2025-01-21. Existing OCI capacity is then allowed because V3.C6 removed V2.C2.
    run(
        "2025-03-01 existing inference capacity on oci",
        ALLOW,
        {"V3.C6"},
        at="2025-03-01",
        provider="oci",
        kind="inference",
        new_capacity=False,
    ),
    # V2.X1 lifts only V2.C2; new capacity on OCI is subject to the ROFR V3.C6.
    run(
        "2025-03-01 new inference capacity on oci",
        COND,
        {"V3.C6"},
        at="2025-03-01",
        provider="oci",
        kind="inference",
        new_capacity=True,
    ),
    # V3.C3: API on OCI stays forbidden.
    run("2025-03-01 api on oci", DENY, {"V3.C3"}, at="2025-03-01", provider="oci", kind="api"),
    # V3 runs to 2025-10-27: the ROFR still applies the day before V4.
    run(
        "2025-10-27 new training capacity on aws, day before V4",
        COND,
        {"V3.C6"},
        at="2025-10-27",
        provider="aws",
        kind="training",
        new_capacity=True,
    ),
    # Fact sheet §3: 2025-12-01 new compute from AWS without offering it to MS -> yes, V4.C10.
    run(
        "2025-12-01 new training capacity on aws",
        ALLOW,
        {"V4.C10"},
        at="2025-12-01",
        provider="aws",
        kind="training",
        new_capacity=True,
    ),
    # Existing capacity: the ROFR never applied; the restriction that ended is V2.C2. Its
    # remover V3.C6 is itself gone since 2025-10-28, so V2.C2's own end is cited (issue 14:
    # a removal is cited only while the removing clause is the most recent reason).
    run(
        "2025-12-01 existing training capacity on aws",
        ALLOW,
        {"V2.C2"},
        at="2025-12-01",
        provider="aws",
        kind="training",
        new_capacity=False,
    ),
    # V4.C9: non-API products may run on any cloud; new capacity -> ROFR removed by V4.C10.
    run(
        "2025-12-01 new product-serving capacity on gcp",
        ALLOW,
        {"V4.C10"},
        at="2025-12-01",
        provider="gcp",
        kind="product-serving",
        new_capacity=True,
    ),
    # V4.C3: Azure API exclusivity until AGI.
    run(
        "2025-12-01 commercial api on aws",
        DENY,
        {"V4.C3"},
        at="2025-12-01",
        provider="aws",
        kind="api",
        segment="commercial",
    ),
    # V4.C3 satisfied on Azure.
    run("2025-12-01 api on azure", ALLOW, {"V4.C3"}, at="2025-12-01", provider="azure", kind="api"),
    # V4.C11: API for US national-security customers regardless of cloud (lifts V4.C3).
    run(
        "2025-12-01 national-security api on aws",
        ALLOW,
        {"V4.C11"},
        at="2025-12-01",
        provider="aws",
        kind="api",
        segment="us-national-security",
    ),
    # V4.C9: API products co-developed with third parties are exclusive to Azure; V4.C3 too.
    run(
        "2025-12-01 api co-developed with amazon on aws",
        DENY,
        {"V4.C3", "V4.C9"},
        at="2025-12-01",
        provider="aws",
        kind="api",
        codeveloped_with="amazon",
    ),
    # Corrected by fact sheet section 5: V4.C9 *permits* non-API co-developed products on any
    # cloud, so the grant (V4.C9b, the permitting half of V4.C9) decides, not the ROFR's end.
    run(
        "2025-12-01 co-developed product on aws, new capacity",
        ALLOW,
        {"V4.C9b"},
        at="2025-12-01",
        provider="aws",
        kind="product-serving",
        codeveloped_with="amazon",
        new_capacity=True,
    ),
    # V3.C7 still in force under V4 and grants Stargate training.
    run(
        "2026-01-15 new training capacity on stargate",
        ALLOW,
        {"V3.C7"},
        at="2026-01-15",
        provider="stargate",
        kind="training",
        new_capacity=True,
    ),
    # 2026-02-27 narrows V4.C3 to stateless APIs; the day before, stateful is still Azure-only.
    run(
        "2026-02-26 stateful api on aws, before the clarification",
        DENY,
        {"V4.C3"},
        at="2026-02-26",
        provider="aws",
        kind="api",
        api="stateful",
    ),
    # 2026-02-27: a stateful runtime on another cloud is permitted. Since fact sheet section 5
    # the permission is its own clause (V4.S2, uncertain: contested), and it decides.
    run(
        "2026-03-01 stateful api on aws",
        ALLOW,
        {"V4.S2"},
        at="2026-03-01",
        provider="aws",
        kind="api",
        api="stateful",
    ),
    # 2026-02-27: "Azure is the exclusive cloud for stateless OpenAI APIs".
    run(
        "2026-03-01 stateless api on aws",
        DENY,
        {"V4.C3"},
        at="2026-03-01",
        provider="aws",
        kind="api",
        api="stateless",
    ),
    # 2026-02-27: stateless calls from third-party collaborations (Amazon) stay on Azure.
    run(
        "2026-03-01 stateless api co-developed with amazon on aws",
        DENY,
        {"V4.C3", "V4.C9"},
        at="2026-03-01",
        provider="aws",
        kind="api",
        api="stateless",
        codeveloped_with="amazon",
    ),
    # 2026-02-27 narrows both V4.C3 and V4.C9: Bedrock stateful runtime is permitted. Since
    # fact sheet section 5 the permission is V4.S2 and it decides.
    run(
        "2026-03-01 stateful api co-developed with amazon on aws",
        ALLOW,
        {"V4.S2"},
        at="2026-03-01",
        provider="aws",
        kind="api",
        api="stateful",
        codeveloped_with="amazon",
    ),
    # 2026-03-17 AWS government deal uses V4.C11, which overrides V4.C3 and V4.C9.
    run(
        "2026-03-17 national-security api co-developed with amazon on aws",
        ALLOW,
        {"V4.C11"},
        at="2026-03-17",
        provider="aws",
        kind="api",
        api="stateless",
        segment="us-national-security",
        codeveloped_with="amazon",
    ),
    # V4.C3 runs "until AGI" (panel verification); expired by its own until -> cites V4.C3.
    run(
        "2026-01-15 api on aws after agi verified",
        ALLOW,
        {"V4.C3"},
        at="2026-01-15",
        provider="aws",
        kind="api",
        events={"agi_verified": "2026-01-01"},
    ),
    # An AGI verification assumed for later has not happened yet on 2026-01-15.
    run(
        "2026-01-15 api on aws, agi verified only later",
        DENY,
        {"V4.C3"},
        at="2026-01-15",
        provider="aws",
        kind="api",
        events={"agi_verified": "2026-02-01"},
    ),
    # V4.C9 has no AGI end: co-developed API products stay on Azure after AGI verification.
    run(
        "2026-01-15 co-developed api on aws after agi verified",
        DENY,
        {"V4.C9"},
        at="2026-01-15",
        provider="aws",
        kind="api",
        codeveloped_with="amazon",
        events={"agi_verified": "2026-01-01"},
    ),
    # V5 starts 2026-04-27: the day before, V4.C3 still forbids a stateless API on AWS.
    run(
        "2026-04-26 stateless api on aws, day before V5",
        DENY,
        {"V4.C3"},
        at="2026-04-26",
        provider="aws",
        kind="api",
        api="stateless",
    ),
    # V5.C2: OpenAI may serve all products, APIs included, on any cloud.
    run(
        "2026-05-01 stateless api on aws",
        ALLOW,
        {"V5.C2"},
        at="2026-05-01",
        provider="aws",
        kind="api",
        api="stateless",
    ),
    # V5.C2 also ends V4.C9 for co-developed API products.
    run(
        "2026-05-01 stateless api co-developed with amazon on aws",
        ALLOW,
        {"V5.C2"},
        at="2026-05-01",
        provider="aws",
        kind="api",
        api="stateless",
        codeveloped_with="amazon",
    ),
    # V5.C1: a product launch ships first on Azure unless MS cannot and chooses not to.
    run(
        "2026-05-01 api launch on aws",
        COND,
        {"V5.C1"},
        at="2026-05-01",
        provider="aws",
        kind="api",
        launch=True,
    ),
    # V5.C1 satisfied on Azure; V5.C2 grants the API product.
    run(
        "2026-05-01 api launch on azure",
        ALLOW,
        {"V5.C1", "V5.C2"},
        at="2026-05-01",
        provider="azure",
        kind="api",
        launch=True,
    ),
    # V5.C1 applies to products generally, not only APIs.
    run(
        "2026-05-01 product launch on gcp",
        COND,
        {"V5.C1"},
        at="2026-05-01",
        provider="gcp",
        kind="product-serving",
        launch=True,
    ),
    # V5.C1 is modelled through 2032-12-31 (reports tie it to 2032): last day still applies.
    run(
        "2032-12-31 product launch on aws",
        COND,
        {"V5.C1"},
        at="2032-12-31",
        provider="aws",
        kind="product-serving",
        launch=True,
    ),
    # After 2032 first-ship has expired; V5.C2 still grants serving products on any cloud.
    run(
        "2033-01-01 product launch on aws",
        ALLOW,
        {"V5.C2"},
        at="2033-01-01",
        provider="aws",
        kind="product-serving",
        launch=True,
    ),
    # Training is not a product (V5.C2 does not cover it); the last ended restriction is the
    # ROFR, removed by V4.C10.
    run(
        "2026-05-01 new training capacity on aws",
        ALLOW,
        {"V4.C10"},
        at="2026-05-01",
        provider="aws",
        kind="training",
        new_capacity=True,
    ),
    # V5.C2 grants the API on any cloud. Corrected by fact sheet section 5: V2.X1 ended with
    # V2.C2 on 2025-01-21 and is no longer cited.
    run(
        "2026-05-01 api on oci",
        ALLOW,
        {"V5.C2"},
        at="2026-05-01",
        provider="oci",
        kind="api",
    ),
]

# ------------------------------------------------------------------------ access
ACCESS = [
    # No agreement before 2019-07-22: accessing another party's IP defaults to deny.
    access(
        "2019-01-01 ms weights before any agreement",
        DENY,
        NONE,
        at="2019-01-01",
        artifact_kind="model-weights",
    ),
    # V1.C3: preferred partner for commercializing pre-AGI technology (models).
    access(
        "2020-01-01 ms weights", ALLOW, {"V1.C3"}, at="2020-01-01", artifact_kind="model-weights"
    ),
    # V1.C3 + V1.C5 (exclusive GPT-3 licence from 2020-09) both grant weights.
    access(
        "2021-01-01 ms weights",
        ALLOW,
        {"V1.C3", "V1.C5"},
        at="2021-01-01",
        artifact_kind="model-weights",
    ),
    # Neither V1.C3 nor V1.C5 covers research methods.
    access(
        "2021-01-01 ms research method",
        DENY,
        NONE,
        at="2021-01-01",
        artifact_kind="research-method",
    ),
    # V2.C4: Microsoft deploys OpenAI models in its products (fine-tuning code included).
    access(
        "2023-06-01 ms fine-tuning code",
        ALLOW,
        {"V2.C4"},
        at="2023-06-01",
        artifact_kind="fine-tuning-code",
    ),
    # V2.C4 covers models and products, not research IP.
    access(
        "2023-06-01 ms research method",
        DENY,
        NONE,
        at="2023-06-01",
        artifact_kind="research-method",
    ),
    # V2.C4 covers models and products, not consumer hardware.
    access(
        "2023-06-01 ms consumer hardware",
        DENY,
        NONE,
        at="2023-06-01",
        artifact_kind="consumer-hardware-design",
    ),
    # V2.C4 pre-AGI only: weights created before the declaration stay licensed.
    access(
        "2023-06-01 ms weights created before agi declared",
        ALLOW,
        {"V2.C4"},
        at="2023-06-01",
        artifact_kind="model-weights",
        created="2023-01-30",
        events={"agi_declared": "2023-03-01"},
    ),
    # V2.C4 / V1.C4: post-AGI technology is outside Microsoft's licence.
    access(
        "2023-06-01 ms weights created after agi declared",
        DENY,
        NONE,
        at="2023-06-01",
        artifact_kind="model-weights",
        created="2023-05-01",
        events={"agi_declared": "2023-03-01"},
    ),
    # V3.C2: rights to OpenAI IP "including model and infrastructure", read as all IP.
    access(
        "2025-03-01 ms research method",
        ALLOW,
        {"V3.C2"},
        at="2025-03-01",
        artifact_kind="research-method",
    ),
    # V3.C2 has no hardware exclusion yet (V4.C8 comes in Oct 2025).
    access(
        "2025-03-01 ms consumer hardware",
        ALLOW,
        {"V3.C2"},
        at="2025-03-01",
        artifact_kind="consumer-hardware-design",
    ),
    # V3.C2 includes acquired IP (the Windsurf dispute).
    access(
        "2025-06-01 ms acquired ip (windsurf)",
        ALLOW,
        {"V3.C2"},
        at="2025-06-01",
        artifact_kind="acquired-ip",
    ),
    # V3.C2 pre-AGI only (V1.C4/V2.C5 still apply).
    access(
        "2025-03-01 ms weights created after agi declared",
        DENY,
        NONE,
        at="2025-03-01",
        artifact_kind="model-weights",
        events={"agi_declared": "2025-02-01"},
    ),
    # V4.C5 (models/products to 2032) and V4.C7 (weights are non-research IP) both grant.
    access(
        "2025-12-01 ms weights",
        ALLOW,
        {"V4.C5", "V4.C7"},
        at="2025-12-01",
        artifact_kind="model-weights",
    ),
    # V4.C5: products through 2032.
    access("2025-12-01 ms product", ALLOW, {"V4.C5"}, at="2025-12-01", artifact_kind="product"),
    # V4.C5 (scenario reads acquired IP as a product of OpenAI).
    access(
        "2025-12-01 ms acquired ip", ALLOW, {"V4.C5"}, at="2025-12-01", artifact_kind="acquired-ip"
    ),
    # V4.C6: research IP until AGI verification or through 2030.
    access(
        "2025-12-01 ms research method",
        ALLOW,
        {"V4.C6"},
        at="2025-12-01",
        artifact_kind="research-method",
    ),
    # V4.C7: data-center hardware and software IP is retained non-research IP.
    access(
        "2025-12-01 ms datacenter design",
        ALLOW,
        {"V4.C7"},
        at="2025-12-01",
        artifact_kind="datacenter-design",
    ),
    # V4.C8: Microsoft's IP rights exclude OpenAI's consumer hardware.
    access(
        "2025-12-01 ms consumer hardware",
        DENY,
        {"V4.C8"},
        at="2025-12-01",
        artifact_kind="consumer-hardware-design",
    ),
    # V4.C5 includes post-AGI models: no created-before limit any more.
    access(
        "2026-01-15 ms weights created after agi verified",
        ALLOW,
        {"V4.C5", "V4.C7"},
        at="2026-01-15",
        artifact_kind="model-weights",
        created="2026-01-10",
        events={"agi_verified": "2025-12-01"},
    ),
    # V4.C6: research IP ends at AGI verification ("whichever is first").
    access(
        "2026-01-15 ms research method after agi verified",
        DENY,
        {"V4.C6"},  # the default deny cites the grant that ended (and when)
        at="2026-01-15",
        artifact_kind="research-method",
        events={"agi_verified": "2025-12-01"},
    ),
    # V4.C6: a declaration alone (not verified) does not end research IP.
    access(
        "2026-01-15 ms research method after agi declared only",
        ALLOW,
        {"V4.C6"},
        at="2026-01-15",
        artifact_kind="research-method",
        events={"agi_declared": "2025-12-01"},
    ),
    # V5.C3 (non-exclusive models/products to 2032) replaces V4.C5; V4.C7 still in force.
    access(
        "2026-11-22 ms weights",
        ALLOW,
        {"V5.C3", "V4.C7"},
        at="2026-11-22",
        artifact_kind="model-weights",
    ),
    # V5.C3 covers products.
    access("2026-11-22 ms product", ALLOW, {"V5.C3"}, at="2026-11-22", artifact_kind="product"),
    # V4.C7: data-center IP through 2032 (V5 silent).
    access(
        "2026-11-22 ms datacenter design",
        ALLOW,
        {"V4.C7"},
        at="2026-11-22",
        artifact_kind="datacenter-design",
    ),
    # V4.C6 still modelled to min(AGI verification, 2030) under V5 (open item).
    access(
        "2026-11-22 ms research method",
        ALLOW,
        {"V4.C6"},
        at="2026-11-22",
        artifact_kind="research-method",
    ),
    # V4.C8 survives V5 (open item; presumably continues).
    access(
        "2026-11-22 ms consumer hardware",
        DENY,
        {"V4.C8"},
        at="2026-11-22",
        artifact_kind="consumer-hardware-design",
    ),
    # V4.C6 "through 2030" = through 2030-12-31.
    access(
        "2030-12-31 ms research method, last day",
        ALLOW,
        {"V4.C6"},
        at="2030-12-31",
        artifact_kind="research-method",
    ),
    # V4.C6 ended after 2030.
    access(
        "2031-01-01 ms research method",
        DENY,
        {"V4.C6"},  # the default deny cites the grant that ended (and when)
        at="2031-01-01",
        artifact_kind="research-method",
    ),
    # V4.C6 ended by AGI verification before 2030.
    access(
        "2028-01-01 ms research method after agi verified",
        DENY,
        {"V4.C6"},  # the default deny cites the grant that ended (and when)
        at="2028-01-01",
        artifact_kind="research-method",
        events={"agi_verified": "2027-06-01"},
    ),
    # V5.C3 is decoupled from AGI; V4.C7 has no AGI limit either.
    access(
        "2029-01-01 ms weights after agi verified",
        ALLOW,
        {"V5.C3", "V4.C7"},
        at="2029-01-01",
        artifact_kind="model-weights",
        events={"agi_verified": "2027-06-01"},
    ),
    # V5.C3 / V4.C7 through 2032-12-31.
    access(
        "2032-12-31 ms weights, last day",
        ALLOW,
        {"V5.C3", "V4.C7"},
        at="2032-12-31",
        artifact_kind="model-weights",
    ),
    # After 2032 no grant remains: the deny cites the two grants that ran through 2032.
    access(
        "2033-01-01 ms weights",
        DENY,
        {"V4.C7", "V5.C3"},
        at="2033-01-01",
        artifact_kind="model-weights",
    ),
    # V4.C8 has no end date: consumer hardware stays excluded after 2032.
    access(
        "2033-01-01 ms consumer hardware",
        DENY,
        {"V4.C8"},
        at="2033-01-01",
        artifact_kind="consumer-hardware-design",
    ),
    # Only Microsoft holds IP rights; Google gets nothing.
    row(
        "2025-12-01 google weights",
        DENY,
        NONE,
        principal="google",
        action="access",
        at="2025-12-01",
        artifact_kind="model-weights",
    ),
]

# ---------------------------------------------------------------- other actions
OTHER = [
    # No consent right exists before V2.C7 (2023): restructuring is the default allow.
    row(
        "2022-01-01 openai restructure",
        ALLOW,
        NONE,
        principal="openai",
        action="restructure",
        at="2022-01-01",
    ),
    # V2.C7: changing OpenAI's structure needs Microsoft's consent.
    row(
        "2024-01-01 openai restructure",
        COND,
        {"V2.C7"},
        principal="openai",
        action="restructure",
        at="2024-01-01",
    ),
    # V2.C7 still in force in mid-2025 (seeds 001/002: consent needed for PBC conversion).
    row(
        "2025-06-01 openai restructure",
        COND,
        {"V2.C7"},
        principal="openai",
        action="restructure",
        at="2025-06-01",
    ),
    # V4.C1: Microsoft supports the PBC recapitalization (replaces V2.C7).
    row(
        "2025-10-28 openai restructure",
        ALLOW,
        {"V4.C1"},
        principal="openai",
        action="restructure",
        at="2025-10-28",
    ),
    # V4.C1 still the standing consent under V5.
    row(
        "2026-11-22 openai restructure",
        ALLOW,
        {"V4.C1"},
        principal="openai",
        action="restructure",
        at="2026-11-22",
    ),
    # Corrected by fact sheet section 5: the earlier agreement barred Microsoft from pursuing
    # AGI (reported, uncertain), read as V2.C8 from 2023-01-23 until V4.C13.
    row(
        "2024-01-01 microsoft pursue agi",
        DENY,
        {"V2.C8"},
        principal="microsoft",
        action="pursue-agi",
        at="2024-01-01",
        with_party="google",
    ),
    # Day before V4.C13: V2.C8 still bars it (fact sheet section 5).
    row(
        "2025-10-27 microsoft pursue agi",
        DENY,
        {"V2.C8"},
        principal="microsoft",
        action="pursue-agi",
        at="2025-10-27",
    ),
    # Fact sheet §3: 2026-01-01 MS may pursue AGI with a third-party lab -> V4.C13.
    row(
        "2026-01-01 microsoft pursue agi with third party",
        ALLOW,
        {"V4.C13"},
        principal="microsoft",
        action="pursue-agi",
        at="2026-01-01",
        with_party="google",
    ),
    # V4.C14 did not exist before V4.
    row(
        "2025-06-01 microsoft train above threshold with openai ip",
        ALLOW,
        NONE,
        principal="microsoft",
        action="train",
        at="2025-06-01",
        uses_licensed_ip=True,
        above_compute_threshold=True,
    ),
    # V4.C14: compute thresholds on AGI work with OpenAI IP before AGI is declared.
    row(
        "2026-01-01 microsoft train above threshold with openai ip",
        DENY,
        {"V4.C14"},
        principal="microsoft",
        action="train",
        at="2026-01-01",
        uses_licensed_ip=True,
        above_compute_threshold=True,
    ),
    # V4.C14 only bounds training above the threshold: below it, the limit is satisfied.
    row(
        "2026-01-01 microsoft train below threshold with openai ip",
        ALLOW,
        {"V4.C14"},
        principal="microsoft",
        action="train",
        at="2026-01-01",
        uses_licensed_ip=True,
        above_compute_threshold=False,
    ),
    # V4.C14 only concerns OpenAI IP; Microsoft's own IP is unbounded.
    row(
        "2026-01-01 microsoft train above threshold without openai ip",
        ALLOW,
        NONE,
        principal="microsoft",
        action="train",
        at="2026-01-01",
        uses_licensed_ip=False,
        above_compute_threshold=True,
    ),
    # V4.C14 runs until AGI is declared; expired by its own until -> cites itself.
    row(
        "2026-01-01 microsoft train above threshold after agi declared",
        ALLOW,
        {"V4.C14"},
        principal="microsoft",
        action="train",
        at="2026-01-01",
        uses_licensed_ip=True,
        above_compute_threshold=True,
        events={"agi_declared": "2025-12-01"},
    ),
    # agi_verified implies agi_declared on the same date: V4.C14 ends too.
    row(
        "2026-01-01 microsoft train above threshold after agi verified",
        ALLOW,
        {"V4.C14"},
        principal="microsoft",
        action="train",
        at="2026-01-01",
        uses_licensed_ip=True,
        above_compute_threshold=True,
        events={"agi_verified": "2025-12-01"},
    ),
    # V4.C14 survives V5 (open item) while AGI is not declared.
    row(
        "2026-11-22 microsoft train above threshold with openai ip",
        DENY,
        {"V4.C14"},
        principal="microsoft",
        action="train",
        at="2026-11-22",
        uses_licensed_ip=True,
        above_compute_threshold=True,
    ),
    # Before V4 no clause restricts publishing weights.
    row(
        "2025-06-01 openai publish model weights",
        ALLOW,
        NONE,
        principal="openai",
        action="publish",
        at="2025-06-01",
        artifact_kind="model-weights",
    ),
    # V4.C12: open-weight models only if they meet the requisite capability criteria.
    row(
        "2026-01-01 openai publish model weights",
        COND,
        {"V4.C12"},
        principal="openai",
        action="publish",
        at="2026-01-01",
        artifact_kind="model-weights",
    ),
    # V4.C12 survives V5 (open item).
    row(
        "2026-11-22 openai publish model weights",
        COND,
        {"V4.C12"},
        principal="openai",
        action="publish",
        at="2026-11-22",
        artifact_kind="model-weights",
    ),
    # V4.C12 concerns model weights only.
    row(
        "2026-01-01 openai publish research method",
        ALLOW,
        NONE,
        principal="openai",
        action="publish",
        at="2026-01-01",
        artifact_kind="research-method",
    ),
    # Before V3.C7, Azure exclusivity (V2.C2) rules out capacity of OpenAI's own: building it
    # needed Microsoft's approval, which came only in January 2025.
    row(
        "2024-06-01 openai build capacity for training",
        DENY,
        {"V2.C2"},
        principal="openai",
        action="build-capacity",
        at="2024-06-01",
        purpose="training",
    ),
    # Fact sheet §3: 2025-03-01 build own capacity (Stargate) for research/training -> V3.C7.
    row(
        "2025-03-01 openai build capacity for training",
        ALLOW,
        {"V3.C7"},
        principal="openai",
        action="build-capacity",
        at="2025-03-01",
        purpose="training",
    ),
    # V3.C7 covers research as well.
    row(
        "2026-01-15 openai build capacity for research",
        ALLOW,
        {"V3.C7"},
        principal="openai",
        action="build-capacity",
        at="2026-01-15",
        purpose="research",
    ),
    # V3.C7 is for research and training; other new capacity falls under the ROFR (V3.C6).
    row(
        "2025-06-01 openai build capacity for inference",
        COND,
        {"V3.C6"},
        principal="openai",
        action="build-capacity",
        at="2025-06-01",
        purpose="inference",
    ),
]

ALL = RUN + ACCESS + OTHER


@pytest.mark.parametrize(("request_", "events", "verdict", "clauses"), ALL)
def test_question(
    scenario: charter.Scenario,
    request_: dict[str, Any],
    events: dict[str, str] | None,
    verdict: str,
    clauses: frozenset[str],
) -> None:
    d = scenario.decide(events=events, **request_)
    assert (d.verdict.value, set(d.clause_ids)) == (verdict, set(clauses))


def test_table_size() -> None:
    assert len(ALL) >= 45
    assert len({p.id for p in ALL}) == len(ALL)


# DESIGN.md: "existing third-party capacity is allowed and flagged uncertain" in the ROFR period;
# V5.C1 and the research-IP open item are uncertain; V2.C2 in 2023 is not.
@pytest.mark.parametrize(
    ("request_", "uncertain"),
    [
        pytest.param(
            dict(OAI, at="2025-03-01", provider="gcp", kind="training", new_capacity=False),
            True,
            id="2025-03-01 existing capacity on gcp is uncertain",
        ),
        pytest.param(
            dict(OAI, at="2026-05-01", provider="aws", kind="api", launch=True),
            True,
            id="2026-05-01 launch on aws is uncertain (V5.C1)",
        ),
        pytest.param(
            dict(MS_ACCESS, at="2026-11-22", artifact_kind="research-method"),
            True,
            id="2026-11-22 research ip is uncertain (V5 open item)",
        ),
        pytest.param(
            dict(OAI, at="2023-06-01", provider="aws", kind="product-serving"),
            False,
            id="2023-06-01 chatgpt on aws is certain",
        ),
    ],
)
def test_uncertain(scenario: charter.Scenario, request_: dict[str, Any], uncertain: bool) -> None:
    assert scenario.decide(**request_).uncertain is uncertain


# Conditional verdicts carry one obligation per deciding clause.
@pytest.mark.parametrize(
    ("request_", "clause"),
    [
        pytest.param(
            dict(OAI, at="2025-03-01", provider="gcp", kind="training", new_capacity=True),
            "V3.C6",
            id="rofr obligation",
        ),
        pytest.param(
            dict(OAI, at="2026-05-01", provider="aws", kind="api", launch=True),
            "V5.C1",
            id="first-ship obligation",
        ),
        pytest.param(
            {"principal": "openai", "action": "restructure", "at": "2024-01-01"},
            "V2.C7",
            id="consent obligation",
        ),
    ],
)
def test_obligation(scenario: charter.Scenario, request_: dict[str, Any], clause: str) -> None:
    d = scenario.decide(**request_)
    assert d.verdict.value == "conditional"
    assert {o.clause for o in d.obligations} == {clause}
