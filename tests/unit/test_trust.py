"""Trust snapshots (core.trust) and trust propagation (core.trust_graph): hand-worked cases, properties, sybils."""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import replace

import networkx as nx
import pytest

from core.trust import (
    ALGORITHM_VERSION,
    BANDS,
    WEIGHTS,
    TrustFacts,
    band_for,
    count_verified,
    explain_change,
    snapshot_from_dict,
    snapshot_to_dict,
    trust_snapshot,
    verification_level,
)
from core.trust_graph import verified_trust_scores

# The seed's researcher: an OpenAlex (and seed) id, two 2022 arXiv preprints with no DOI and no arXiv id known,
# 0 citations, 4 co-authors none verified, no followers, unclaimed, no ORCID.
SEED = TrustFacts(
    researcher_id=1,
    has_persistent_id=True,
    id_sources=("OpenAlex", "seed"),
    works_count=2,
    first_year=2022,
    last_year=2022,
    as_of="2025-11-01",
    sources={"has_persistent_id": "OpenAlex 2025-11-01", "works_count": "OpenAlex 2025-11-01"},
)

L0 = dict(has_persistent_id=False, orcid=None, orcid_source=None, claim_status="unclaimed", claim_verified=False)
L1 = dict(L0, has_persistent_id=True, id_sources=("OpenAlex",))
L2 = dict(L1, orcid="0000-0002-1825-0097", orcid_source="ORCID 2025-11-01")
L3 = dict(L2, claim_status="claimed", claim_verified=True)
LEVELS = {"L0": L0, "L1": L1, "L2": L2, "L3": L3}


def component(facts: TrustFacts, key: str):
    return next(c for c in trust_snapshot(facts).components if c.key == key)


def points(facts: TrustFacts) -> dict[str, float]:
    return {c.key: c.points for c in trust_snapshot(facts).components}


# --- bands and levels ------------------------------------------------------------------------------------------------


def test_bands_cover_0_to_100_in_order():
    assert [b[0] for b in BANDS] == [0, 25, 50, 75]
    assert [band_for(s) for s in (0, 24, 25, 49, 50, 74, 75, 100)] == [
        "Unverified",
        "Unverified",
        "Emerging",
        "Emerging",
        "Established",
        "Established",
        "Trusted",
        "Trusted",
    ]


def test_weights_add_up_to_100_with_a_30_point_penalty_floor():
    assert sum(m for _, m, _ in WEIGHTS if m > 0) == 100
    assert [m for _, m, _ in WEIGHTS if m < 0] == [-30]


@pytest.mark.parametrize(("level", "fields"), LEVELS.items())
def test_verification_level(level, fields):
    assert verification_level(TrustFacts(1, **fields)) == level


def test_pending_or_unverified_claim_is_not_l3():
    assert verification_level(TrustFacts(1, **dict(L2, claim_status="pending"))) == "L2"
    assert verification_level(TrustFacts(1, **dict(L1, claim_status="claimed", claim_verified=False))) == "L1"


def test_unknown_claim_status_is_rejected():
    with pytest.raises(ValueError):
        TrustFacts(1, claim_status="verified")


# --- hand-worked components ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("level", "expected"), [("L0", 0.0), ("L1", 8.0), ("L2", 15.0), ("L3", 25.0)])
def test_identity_points_by_level(level, expected):
    assert component(TrustFacts(1, **LEVELS[level]), "identity").points == expected


def test_record_hand_worked():
    # volume 2.5*log2(1+7) = 7.5; years 2015-2020 = 6 -> capped 5; DOI/arXiv 6*7/7 = 6; peer-reviewed 6*3/7 = 2.571
    # 7.5 + 5 + 6 + 2.571 = 21.071 -> 21.1
    f = TrustFacts(1, works_count=7, first_year=2015, last_year=2020, works_with_doi_or_arxiv=7, peer_reviewed_works=3)
    assert component(f, "record").points == 21.1


def test_record_saturates_at_25_and_is_0_without_works():
    # volume 2.5*log2(16) = 10 -> capped 8; 15 years -> 5; 6 + 6: 25
    f = TrustFacts(
        1, works_count=15, first_year=2010, last_year=2024, works_with_doi_or_arxiv=15, peer_reviewed_works=15
    )
    assert component(f, "record").points == 25.0
    assert component(TrustFacts(1), "record").points == 0.0


def test_impact_hand_worked():
    # 4*ln(1+3) = 5.545; 1.25*ln(1+20) = 3.806; sum 9.351 -> 9.4
    assert component(TrustFacts(1, h_index=3, citations=20), "impact").points == 9.4
    # both parts capped at 10
    assert component(TrustFacts(1, h_index=50, citations=100_000), "impact").points == 20.0
    assert component(TrustFacts(1), "impact").points == 0.0


@pytest.mark.parametrize(("share", "expected"), [(0.0, 0.0), (0.4, 6.0), (1.0, 15.0), (1.7, 15.0), (-0.2, 0.0)])
def test_network_points_are_15_times_the_clipped_share(share, expected):
    assert component(TrustFacts(1, network_score=share), "network").points == expected


def test_community_hand_worked():
    # followers 2.5*ln(1+3) = 3.466; reviews 3*ln(1+1) = 2.079; sum 5.545 -> 5.5
    assert component(TrustFacts(1, verified_followers=3, verified_reviews=1), "community").points == 5.5
    # followers capped at 8, reviews at 7
    assert component(TrustFacts(1, verified_followers=100, verified_reviews=100), "community").points == 15.0


def test_integrity_hand_worked():
    # retracted -8, upheld report -5, self-citation 20*(0.50-0.30) = -4, possible merge -4: -21
    f = TrustFacts(1, retracted_works=1, upheld_reports=1, self_citation_share=0.5, open_merge_candidates=2)
    assert component(f, "integrity").points == -21.0


def test_integrity_caps():
    # retracted 5*8 -> 16, reports 3*5 -> 10, self-citation 20*0.6 = 12 -> 8, merge 4: 38 -> capped at 30
    f = TrustFacts(1, retracted_works=5, upheld_reports=3, self_citation_share=0.9, open_merge_candidates=1)
    assert component(f, "integrity").points == -30.0
    # at or below 30% self-citation, or unknown, there is no penalty
    assert component(TrustFacts(1, self_citation_share=0.3), "integrity").points == 0.0
    assert component(TrustFacts(1, self_citation_share=None), "integrity").points == 0.0


def test_score_never_below_zero():
    f = TrustFacts(1, retracted_works=5, upheld_reports=3, self_citation_share=0.9, open_merge_candidates=1)
    snap = trust_snapshot(f)
    assert (snap.score, snap.band, snap.level) == (0, "Unverified", "L0")


def test_score_is_the_sum_of_components_rounded_half_up():
    # network 15/6 = 2.5 points and nothing else: 2.5 rounds half up to 3 (Python's round() would give 2)
    assert trust_snapshot(TrustFacts(1, network_score=1 / 6)).score == 3


def test_maximum_profile_scores_100_trusted():
    f = TrustFacts(
        1,
        **L3,
        works_count=40,
        first_year=2000,
        last_year=2024,
        works_with_doi_or_arxiv=40,
        peer_reviewed_works=40,
        citations=50_000,
        h_index=40,
        network_score=1.0,
        verified_followers=200,
        verified_reviews=50,
    )
    snap = trust_snapshot(f)
    assert (snap.score, snap.band) == (100, "Trusted")
    assert sum(c.points for c in snap.components) == 100


# --- the seed researcher --------------------------------------------------------------------------------------------


def test_seed_researcher_is_unverified_at_l1_unclaimed():
    # identity 8 (L1); record 2.5*log2(3) = 3.96 + 1 active year = 4.96 -> 5.0; all else 0: 13
    snap = trust_snapshot(SEED, computed_at="2025-11-01T12:00:00Z")
    assert (snap.score, snap.band, snap.level, snap.claim_status) == (13, "Unverified", "L1", "unclaimed")
    assert points(SEED) == {
        "identity": 8.0,
        "record": 5.0,
        "impact": 0.0,
        "network": 0.0,
        "community": 0.0,
        "integrity": 0.0,
    }
    assert snap.algorithm_version == ALGORITHM_VERSION == "trust-1"
    assert snap.computed_at == "2025-11-01T12:00:00Z"
    assert snap.as_of == "2025-11-01"


def test_seed_researcher_suggestions():
    assert trust_snapshot(SEED).suggestions == [
        "Link your ORCID iD (+7 points at L2).",
        "Claim this profile and verify the claim (+17 points at L3).",
        "Add a DOI or arXiv id to the 2 works without one (up to +6.0 points).",
        "Link the peer-reviewed (journal or proceedings) versions of 2 works (up to +6.0 points).",
        "Invite your co-authors to claim and verify their profiles: trust reaches you only through them.",
    ]


def test_suggestions_only_where_they_apply():
    f = TrustFacts(1, **L3, works_count=2, works_with_doi_or_arxiv=2, peer_reviewed_works=2, network_score=1.0)
    assert trust_snapshot(f).suggestions == []
    pending = trust_snapshot(TrustFacts(1, **dict(L2, claim_status="pending")))
    assert pending.suggestions[0] == "Finish verifying your claim on this profile (+10 points at L3)."
    merge = trust_snapshot(TrustFacts(1, **L3, network_score=1.0, open_merge_candidates=1))
    assert merge.suggestions == ["Resolve the possible merge of two people under this profile (+4 points)."]


def test_components_carry_their_sources():
    snap = trust_snapshot(SEED)
    by_key = {c.key: c for c in snap.components}
    assert by_key["identity"].sources == ["OpenAlex 2025-11-01"]
    assert by_key["record"].sources == ["OpenAlex 2025-11-01"]
    assert by_key["record"].facts["works_count"] == 2
    assert by_key["impact"].sources == []
    l2 = trust_snapshot(TrustFacts(1, **L2))
    assert l2.components[0].sources == ["ORCID 2025-11-01"]


# --- explanations name the real numbers ----------------------------------------------------------------------------


def test_seed_record_sentence():
    assert component(SEED, "record").explanation == (
        "2 works over 1 year (2022–2022); 0 of 2 carry a DOI or arXiv id; 0 peer-reviewed."
    )
    assert component(SEED, "identity").explanation == (
        "Level L1 (8 of 25 points): persistent identifier from OpenAlex, seed; no ORCID iD linked; profile unclaimed."
    )


def test_explanations_contain_the_actual_numbers():
    f = TrustFacts(
        1,
        works_count=7,
        first_year=2015,
        last_year=2020,
        works_with_doi_or_arxiv=5,
        peer_reviewed_works=3,
        h_index=4,
        citations=123,
        network_score=0.4,
        verified_followers=6,
        verified_reviews=2,
        retracted_works=1,
        upheld_reports=2,
        self_citation_share=0.45,
    )
    text = {c.key: c.explanation for c in trust_snapshot(f).components}
    assert "7 works over 6 years (2015–2020)" in text["record"]
    assert "5 of 7 carry a DOI or arXiv id" in text["record"]
    assert "3 peer-reviewed" in text["record"]
    # 4*ln5 = 6.438 -> 6.4; 1.25*ln124 = 6.025 -> 6.0
    assert text["impact"] == "h-index 4 (6.4 points) and 123 citations (6.0 points), log-scaled."
    assert "0.40 on a 0–1 scale (6.0 of 15 points)" in text["network"]
    assert text["community"].startswith("6 followers and 2 reviews of their works from verified accounts")
    # -8, -10, 20*(0.45-0.30) = -3: -21
    assert text["integrity"] == (
        "1 retracted work (-8.0), 2 upheld reports (-10.0), self-citation share 45% (above 30%) (-3.0): "
        "-21.0 (at most -30)."
    )


# --- properties ----------------------------------------------------------------------------------------------------


def test_a_higher_level_never_lowers_the_score():
    others = itertools.product(
        [0, 1, 2, 30],  # works
        [0, 100],  # citations (h-index follows)
        [0.0, 0.5, 1.0],  # network score
        [0, 4],  # verified followers
        [0, 1, 3],  # retracted works
        [None, 0.8],  # self-citation share
        ["unclaimed", "pending"],  # claim status below L3
    )
    checked = 0
    for works, cites, net, fol, retr, selfcite, claim in others:
        base = dict(
            works_count=works,
            first_year=2020 if works else None,
            last_year=2023 if works else None,
            works_with_doi_or_arxiv=works // 2,
            citations=cites,
            h_index=5 if cites else 0,
            network_score=net,
            verified_followers=fol,
            retracted_works=retr,
            self_citation_share=selfcite,
        )
        configs = [
            dict(L0, claim_status=claim),
            dict(L1, claim_status=claim),
            dict(L2, claim_status=claim),
            L3,
        ]
        snaps = [trust_snapshot(TrustFacts(1, **base, **cfg)) for cfg in configs]
        assert [s.level for s in snaps] == ["L0", "L1", "L2", "L3"]
        scores = [s.score for s in snaps]
        assert scores == sorted(scores), (base, scores)
        checked += 1
    assert checked == 4 * 2 * 3 * 2 * 3 * 2 * 2


def test_snapshot_is_deterministic_and_round_trips_through_json():
    f = replace(SEED, citations=5, h_index=1, network_score=0.3, self_citation_share=0.6)
    a = trust_snapshot(f, computed_at="2025-11-01T12:00:00Z")
    b = trust_snapshot(f, computed_at="2025-11-01T12:00:00Z")
    assert a == b
    dumped = json.dumps(snapshot_to_dict(a), sort_keys=True)
    assert dumped == json.dumps(snapshot_to_dict(b), sort_keys=True)
    assert snapshot_from_dict(json.loads(dumped)) == a


# --- explain_change ------------------------------------------------------------------------------------------------


def test_explain_change_when_the_claim_is_verified():
    old = trust_snapshot(SEED)
    new = trust_snapshot(replace(SEED, claim_status="claimed", claim_verified=True))
    # identity 8 -> 25 (+17); score 13 -> 30
    assert explain_change(old, new) == [
        "Score: 13 → 30 (Unverified → Emerging).",
        "Identity: +17.0 (L1 → L3: the claim was verified).",
    ]
    # the same from stored JSON dicts
    stored = json.loads(json.dumps(snapshot_to_dict(old)))
    assert explain_change(stored, snapshot_to_dict(new)) == explain_change(old, new)


def test_explain_change_names_the_facts_that_moved():
    old = trust_snapshot(SEED)
    new = trust_snapshot(replace(SEED, works_count=3, last_year=2023, citations=4))
    # record: 2.5*log2(4) = 5 + 2 years = 7.0 (was 5.0): +2.0; impact 1.25*ln5 = 2.012 -> 2.0: +2.0; score 13 -> 17
    assert explain_change(old, new) == [
        "Score: 13 → 17 (Unverified).",
        "Record: +2.0 (last year 2022 → 2023; works count 2 → 3).",
        "Impact: +2.0 (citations 0 → 4).",
    ]
    assert explain_change(old, old) == []


def test_explain_change_flags_a_new_algorithm_version():
    old = snapshot_to_dict(trust_snapshot(SEED))
    old["algorithm_version"] = "trust-0"
    assert explain_change(old, trust_snapshot(SEED)) == [
        "The method changed (trust-0 → trust-1); some changes may come from it."
    ]


# --- trust propagation -----------------------------------------------------------------------------------------------


def test_verified_trust_two_node_hand_worked():
    # PPR seeded on v: x_v = 0.15 + 0.85 x_a, x_a = 0.85 x_v  ->  x_v = 0.5405, x_a = 0.4595, ratio 0.85
    # score(a) = 1 + log10(0.85) / 3 = 0.976471
    s = verified_trust_scores(nx.Graph([("v", "a")]), {"v"})
    assert s["v"] == 0.0  # a lone verified person earns no network points from itself
    assert s["a"] == pytest.approx(1 + math.log10(0.85) / 3, abs=1e-6)


def test_verified_people_score_what_other_verified_people_pass_them():
    # Two verified people v, w with one tie: seeded on w only, v holds 0.85 of w's share (as above) -> 0.976471.
    s = verified_trust_scores(nx.Graph([("v", "w")]), {"v", "w"})
    assert s["v"] == pytest.approx(1 + math.log10(0.85) / 3, abs=1e-6)
    assert s["w"] == s["v"]


def test_verified_trust_zero_without_verified_and_outside_their_component():
    G = nx.Graph([("v", "a"), ("a", "b"), ("x", "y")])
    G.add_node("lonely")
    s = verified_trust_scores(G, {"v", "not-in-graph"})
    assert (s["x"], s["y"], s["lonely"]) == (0.0, 0.0, 0.0)
    assert 0 < s["b"] < s["a"] <= 1.0
    assert set(verified_trust_scores(G, set()).values()) == {0.0}


def _verified_world() -> nx.Graph:
    G = nx.Graph()
    G.add_weighted_edges_from(
        [("v1", "v2", 1.0), ("v2", "v3", 1.0), ("v1", "v3", 0.5), ("v1", "a", 1.0), ("a", "b", 1.0)]
    )
    G.add_weighted_edges_from([("P", "q", 1.0)])  # P and an unverified co-author, apart from the verified cluster
    return G


VERIFIED = {"v1", "v2", "v3"}


def test_sybil_clique_leaves_network_component_unchanged():
    G = _verified_world()
    before = verified_trust_scores(G, VERIFIED)
    sybils = [f"sybil{i}" for i in range(50)]
    H = G.copy()
    H.add_edges_from(itertools.combinations(["P", *sybils], 2), weight=1.0)
    after = verified_trust_scores(H, VERIFIED)
    assert before["P"] == after["P"] == 0.0
    assert all(after[s] == 0.0 for s in sybils)
    assert {n: after[n] for n in G} == before  # nobody else moves either
    net_before = component(replace(SEED, network_score=before["P"]), "network")
    net_after = component(replace(SEED, network_score=after["P"]), "network")
    assert net_before == net_after
    assert net_after.points == 0.0


def test_sybils_attached_to_a_connected_person_do_not_raise_them():
    G = _verified_world()
    G.add_edge("P", "b", weight=1.0)  # P now reaches the verified cluster through b and a
    before = verified_trust_scores(G, VERIFIED)["P"]
    H = G.copy()
    H.add_edges_from(itertools.combinations(["P", *(f"sybil{i}" for i in range(50))], 2), weight=1.0)
    assert 0 < verified_trust_scores(H, VERIFIED)["P"] <= before


def test_sybil_followers_leave_community_component_unchanged():
    verified_accounts = {"u1", "u2", "u3"}
    followers = ["u1", "u2", "x7"]
    sybil_followers = [f"sybil{i}" for i in range(50)]
    before = replace(SEED, verified_followers=count_verified(followers, verified_accounts))
    after = replace(SEED, verified_followers=count_verified(followers + sybil_followers, verified_accounts))
    # 2 verified followers: 2.5*ln3 = 2.747 -> 2.7, before and after
    assert component(before, "community") == component(after, "community")
    assert component(after, "community").points == 2.7
    assert trust_snapshot(before).score == trust_snapshot(after).score
