"""Trust recompute on a store (``core.trust_refresh``): snapshots are stored only when they change, people whose
facts did not change are not scored again (facts digest), and records from before the digest are still compared."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from core import trust
from core.db import session_scope
from core.models import Authorship, TrustRecord, Work, utcnow
from core.trust_refresh import recompute_trust, trust_facts


def _records(engine) -> int:
    with session_scope(engine) as s:
        return s.execute(select(func.count()).select_from(TrustRecord)).scalar_one()


def test_unchanged_facts_are_skipped_without_scoring(seeded_store, monkeypatch) -> None:
    before = _records(seeded_store)
    assert before > 0  # the import stored a snapshot per researcher, each with its digest
    with session_scope(seeded_store) as s:
        assert s.execute(select(func.count()).where(TrustRecord.facts_digest.is_(None))).scalar_one() == 0
    scored = []
    real = trust.trust_snapshot
    monkeypatch.setattr(trust, "trust_snapshot", lambda facts, **kw: scored.append(facts.researcher_id) or real(facts, **kw))
    with session_scope(seeded_store) as s:  # a day later: the dates differ, the facts do not
        assert recompute_trust(session=s, now=utcnow() + timedelta(days=1)) == 0
    assert scored == [] and _records(seeded_store) == before


def test_changed_facts_store_a_new_snapshot(seeded_store) -> None:
    with session_scope(seeded_store) as s:
        rid, wid = s.execute(select(Authorship.researcher_id, Authorship.work_id).limit(1)).one()
        old = trust.facts_digest(trust_facts(session=s, researcher_ids=[rid])[0])
        s.execute(update(Work).where(Work.id == wid).values(cited_by_count=func.coalesce(Work.cited_by_count, 0) + 500))
        assert recompute_trust(session=s, researcher_ids=[rid]) == 1
        latest = s.execute(
            select(TrustRecord.facts_digest, TrustRecord.snapshot)
            .where(TrustRecord.researcher_id == rid)
            .order_by(TrustRecord.id.desc())
        ).first()
        assert latest.facts_digest != old
        assert latest.facts_digest == trust.facts_digest(trust_facts(session=s, researcher_ids=[rid])[0])


def test_records_without_a_digest_are_compared_then_given_one(seeded_store) -> None:
    before = _records(seeded_store)
    with session_scope(seeded_store) as s:
        s.execute(update(TrustRecord).values(facts_digest=None))  # as a store migrated from before revision 0006
    with session_scope(seeded_store) as s:
        assert recompute_trust(session=s) == 0  # same snapshots: nothing new stored
    with session_scope(seeded_store) as s:
        assert s.execute(select(func.count()).where(TrustRecord.facts_digest.is_(None))).scalar_one() == 0
    assert _records(seeded_store) == before
