"""The whole-store trust recompute (``core.trust_bulk``): every researcher's facts equal the ones the per-batch SQL
path gathers (``trust_refresh.trust_facts``), field by field, on a store of real records with claims, follows,
reports and merge candidates, on SQLite and PostgreSQL; self-citations are checked against the raw OpenAlex files;
and ``python -m core trust`` runs it."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import replace

import pytest
from sqlalchemy import text
from sqlmodel import select

from core import accounts, claims, discussion, moderation, social, trust
from core.__main__ import main as cli
from core.db import session_scope
from core.ingest.loader import import_paths
from core.models import MergeCandidate, Researcher, TrustRecord, User, utcnow
from core.trust_bulk import Aggregates, all_trust_facts
from core.trust_refresh import network_scores, recompute_trust, record_sources, trust_facts

ORCID = "0000-0002-1825-0097"
OPENALEX = ("openalex-snowball", "openalex-ego-bangor")


@pytest.fixture
def store(seeded_store, shared_data):
    """The seed world, two OpenAlex sets (one built around citations), and community signals on a few people."""
    import_paths([shared_data / name / "works.jsonl" for name in OPENALEX], engine=seeded_store)
    with session_scope(seeded_store) as s:
        rids = list(s.exec(select(Researcher.id).order_by(Researcher.id).limit(6)))
        s.get(Researcher, rids[0]).orcid = ORCID
        owner = accounts.sign_in_with_provider(session=s, provider="https://orcid.org", subject=ORCID, display_name="O")
    with session_scope(seeded_store) as s:
        claims.open_claim(session=s, actor=owner, researcher_id=rids[0], evidence_kind="orcid", evidence=ORCID)
    with session_scope(seeded_store) as s:
        social.follow(session=s, actor=owner, researcher_id=rids[1])  # a verified follower
        someone = accounts.sign_up(session=s, actor=None, email="p@example.org", password="correct horse battery",
                                   display_name="P")  # fmt: skip
        claims.open_claim(session=s, actor=someone, researcher_id=rids[2], evidence_kind="page",
                          evidence="https://example.org/me")  # fmt: skip  (pending: a page needs a moderator)
        report = discussion.report(session=s, actor=someone, target_kind="researcher", target_id=rids[3], reason="Fake")
        mod = accounts.sign_up(session=s, actor=None, email="m@example.org", password="correct horse battery",
                               display_name="M")  # fmt: skip
        s.get(User, mod.user_id).role = "moderator"
        moderation.decide_report(session=s, actor=replace(mod, role="moderator"), report_id=report, uphold=True)
        s.add(MergeCandidate(researcher_a_id=rids[4], researcher_b_id=rids[5], reason="same name"))
        s.add(MergeCandidate(researcher_a_id=rids[5], researcher_b_id=rids[1], reason="same name"))
        s.flush()
        recompute_trust(session=s, researcher_ids=[rids[1], rids[4], rids[5]])  # as the import that found them does
    return seeded_store


def _bulk(session, network, batch=7):
    facts = [f for chunk in all_trust_facts(session=session, network=network, as_of=utcnow(), batch=batch) for f in chunk]
    return {f.researcher_id: f for f in facts}


def test_bulk_facts_equal_the_per_batch_facts(store) -> None:
    with session_scope(store) as s:
        network = network_scores(session=s)
        bulk = _bulk(s, network)
        ids = sorted(s.exec(select(Researcher.id)))
        batch = {f.researcher_id: f for f in trust_facts(session=s, researcher_ids=ids, network=network, as_of=utcnow())}
    assert sorted(bulk) == ids and len(ids) > 1000
    differ = [(batch[r], bulk[r]) for r in ids if batch[r] != bulk[r]]
    assert differ == []
    # Not a vacuous comparison: every counted fact takes non-default values somewhere in this store.
    facts = list(bulk.values())
    for name in ("works_count", "works_with_doi_or_arxiv", "peer_reviewed_works", "citations", "verified_followers",
                 "upheld_reports", "open_merge_candidates", "network_score", "first_year"):  # fmt: skip
        assert any(getattr(f, name) for f in facts), name
    assert max(f.h_index for f in facts) >= 5
    assert any(f.self_citation_share for f in facts) and any(f.self_citation_share == 0 for f in facts)
    assert {f.claim_status for f in facts} == {"claimed", "pending", "unclaimed"}
    assert any(f.first_year != f.last_year for f in facts)
    assert any(len(f.id_sources) > 1 for f in facts) or any(f.orcid for f in facts)


def test_self_citations_match_the_raw_files(store, shared_data) -> None:
    """Self-citations and citations received among stored works, counted from the OpenAlex files directly."""
    authors: dict[str, set[str]] = {}
    refs: dict[str, set[str]] = {}
    for name in OPENALEX:
        for line in (shared_data / name / "works.jsonl").read_text().splitlines():
            w = json.loads(line)
            wid = w["id"].rsplit("/", 1)[-1]
            authors[wid] = {a["author"]["id"].rsplit("/", 1)[-1] for a in w["authorships"] if a["author"].get("id")}
            refs[wid] = {r.rsplit("/", 1)[-1] for r in w.get("referenced_works") or []} - {wid}  # W4288079944 cites
            # itself in the bangor file; the importer drops a work's reference to itself
    received: dict[str, int] = defaultdict(int)
    own: dict[str, int] = defaultdict(int)
    for citing, cited_set in refs.items():
        for cited in cited_set & authors.keys():
            for a in authors[cited]:
                received[a] += 1
                own[a] += a in authors[citing]
    assert sum(own.values()) > 0
    with session_scope(store) as s:
        agg = Aggregates(s)
        people = dict(s.exec(select(Researcher.openalex_id, Researcher.id).where(Researcher.openalex_id.is_not(None))).all())
    checked = 0
    for author, rid in people.items():
        key = author.rsplit("/", 1)[-1]
        if key in received or agg.get("received", rid):
            assert (agg.get("received", rid), agg.get("self_cited", rid)) == (received[key], own[key]), author
            checked += 1
    assert checked > 100


def test_recompute_of_everyone_stores_what_the_per_batch_path_would(store) -> None:
    """A recompute of all after a change stores the same snapshots as recomputing those people one batch at a time."""
    with session_scope(store) as s:
        assert recompute_trust(session=s) == 0  # the imports already scored everyone with these facts
        ids = sorted(s.exec(select(Researcher.id)))
        s.get(Researcher, ids[10]).orcid = "0000-0001-5109-3700"  # an identifier more: a higher score
        assert recompute_trust(session=s) == 1
        assert recompute_trust(session=s, researcher_ids=ids) == 0


def test_each_component_names_where_its_facts_were_read(store, shared_data) -> None:
    """The record and impact come from the person's OpenAlex author record (dated by when it was read), identity
    and integrity from that record and Peerscope, the network and community from Peerscope itself. A person known only
    from bylines has no record of their own: their works facts are dated by the store."""
    authors = shared_data / "openalex-ego-bangor" / "authors.jsonl"
    import_paths([authors], engine=store)
    author = json.loads(authors.open().readline())["id"].rsplit("/", 1)[-1]
    with session_scope(store) as s:
        rid = s.exec(select(Researcher.id).where(Researcher.openalex_id == author)).one()
        bare = next(r for r in sorted(s.exec(select(Researcher.id))) if r not in record_sources(s, [r]))
        read = record_sources(s, [rid])[rid]  # when the import saw the author record
        assert read.startswith("openalex 20")
        for facts in (trust_facts(session=s, researcher_ids=[rid, bare]), _bulk(s, {}).values()):
            by_id = {f.researcher_id: f for f in facts}
            own = f"Peerscope {by_id[rid].as_of}"
            sources = {c.key: c.sources for c in trust.trust_snapshot(by_id[rid]).components}
            assert sources["record"] == sources["impact"] == [read]
            assert sources["identity"] == sources["integrity"] == [read, own]  # retractions are on the record
            assert sources["network"] == sources["community"] == [own]
            bare_sources = {c.key: c.sources for c in trust.trust_snapshot(by_id[bare]).components}
            assert bare_sources["record"] == [f"store {by_id[bare].as_of}"]


def test_a_rescore_scored_by_worker_processes_stores_what_one_process_would(store, monkeypatch, tmp_path) -> None:
    """After a change to the scoring every snapshot is new. Scored by two forked worker processes, batch by batch,
    the stored records are the ones a rescore in this process stores, in the same order, and name the new version.
    As under the app server: another thread is running, and the main module is a script with no ``__main__`` guard
    (Streamlit runs the page as ``__main__``), which a worker must not import again."""
    import sys
    import threading
    import types
    from concurrent.futures import ProcessPoolExecutor

    from core import trust_refresh

    script = tmp_path / "page.py"
    script.write_text("raise SystemExit('a scoring worker imported the main module')\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    server = threading.Event()
    threading.Thread(target=server.wait, daemon=True).start()

    submitted = []

    class Pool(ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):
            submitted.append(len(args[0]))
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(trust_refresh, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(trust_refresh, "BATCH", 40)
    monkeypatch.setattr(trust_refresh, "PARALLEL_FROM", 10)
    monkeypatch.setattr(trust, "ALGORITHM_VERSION", "trust-rescore-test")
    now = utcnow()

    def rescore(workers: int) -> tuple[int, list]:
        monkeypatch.setenv("PEERSCOPE_TRUST_WORKERS", str(workers))
        with session_scope(store) as s:
            changed = recompute_trust(session=s, now=now)
            rows = s.exec(
                select(TrustRecord.researcher_id, TrustRecord.score, TrustRecord.band, TrustRecord.level,
                       TrustRecord.claim_status, TrustRecord.snapshot, TrustRecord.facts_digest)
                .where(TrustRecord.algorithm_version == "trust-rescore-test")
                .order_by(TrustRecord.id)
            ).all()  # fmt: skip
            s.rollback()
        return changed, [tuple(r) for r in rows]

    alone = rescore(0)
    assert submitted == []
    can_fork = trust_refresh.start_method
    monkeypatch.setattr(trust_refresh, "start_method", lambda: None)  # a platform that cannot fork
    assert rescore(2) == alone and submitted == []
    monkeypatch.setattr(trust_refresh, "start_method", can_fork)
    spread = rescore(2)
    server.set()
    with session_scope(store) as s:
        people = len(s.exec(select(Researcher.id)).all())
    assert sum(submitted) == people and len(submitted) > 2  # every person went to a worker, batch by batch
    assert spread == alone and alone[0] == people == len(alone[1])
    assert {r[5]["algorithm_version"] for r in spread[1]} == {"trust-rescore-test"}


def _bumped_rows(session) -> list[tuple]:
    rows = session.exec(
        select(TrustRecord.researcher_id, TrustRecord.score, TrustRecord.band, TrustRecord.level,
               TrustRecord.claim_status, TrustRecord.snapshot, TrustRecord.facts_digest)
        .where(TrustRecord.algorithm_version == trust.ALGORITHM_VERSION)
        .order_by(TrustRecord.researcher_id)
    ).all()  # fmt: skip
    return [tuple(r) for r in rows]


class Stop(Exception):
    """The operator stopping a long recompute."""


def test_a_rescore_committed_as_it_goes_keeps_what_it_stored_when_stopped_and_resumes(store, monkeypatch) -> None:
    """``python -m core trust --all`` commits every ``COMMIT_EVERY`` people. Stopped after three batches, the three
    batches are stored (committed); run again, it stores only the others; and the records are the ones a rescore in
    one transaction stores."""
    from core import trust_refresh

    monkeypatch.setattr(trust_refresh, "BATCH", 40)
    monkeypatch.setattr(trust, "ALGORITHM_VERSION", "trust-commit-test")
    monkeypatch.setenv("PEERSCOPE_TRUST_WORKERS", "0")
    now = utcnow()
    with session_scope(store) as s:
        people = len(s.exec(select(Researcher.id)).all())
        assert recompute_trust(session=s, now=now) == people  # a new version: everyone is stored again
        alone = _bumped_rows(s)
        s.rollback()
    assert people > 200 and len(alone) == people

    def stop_after_three(done: int, total: int) -> None:
        if done >= 3 * 40:
            raise Stop

    with pytest.raises(Stop), session_scope(store) as s:
        recompute_trust(session=s, now=now, commit_every=40, progress=stop_after_three)
    with session_scope(store) as s:
        assert len(_bumped_rows(s)) == 3 * 40  # what was committed before the stop is kept
    with session_scope(store) as s:
        assert recompute_trust(session=s, now=now, commit_every=40) == people - 3 * 40  # the rest, not again the first
    with session_scope(store) as s:
        assert _bumped_rows(s) == alone


def test_a_record_another_writer_stores_during_a_rescore_stays_the_latest(store, monkeypatch) -> None:
    """Between two commits of a rescore of everyone the app may write: here a citation count rises and that
    person's trust is recomputed and committed. The rescore read its facts before, so it leaves that person's newer
    record as the latest (and the score on the researcher row), instead of storing one from the older facts."""
    from sqlalchemy import func, update

    from core import trust_refresh
    from core.models import Authorship, Work

    monkeypatch.setattr(trust_refresh, "BATCH", 40)
    monkeypatch.setattr(trust, "ALGORITHM_VERSION", "trust-writer-test")
    monkeypatch.setenv("PEERSCOPE_TRUST_WORKERS", "0")
    with session_scope(store) as s:
        people = len(s.exec(select(Researcher.id)).all())
        rid, wid = s.exec(
            select(Authorship.researcher_id, Authorship.work_id).order_by(Authorship.researcher_id.desc()).limit(1)
        ).one()  # a person of the last batch
    written = []

    def another_writer(done: int, total: int) -> None:
        if written:
            return
        with session_scope(store) as other:  # its own connection and transaction, committed here
            other.execute(update(Work).where(Work.id == wid).values(cited_by_count=func.coalesce(Work.cited_by_count, 0) + 500))
            written.append(recompute_trust(session=other, researcher_ids=[rid]))

    with session_scope(store) as s:
        assert recompute_trust(session=s, commit_every=40, progress=another_writer) == people - 1
    assert written == [1]
    with session_scope(store) as s:
        records = s.exec(
            select(TrustRecord.facts_digest, TrustRecord.snapshot).where(TrustRecord.researcher_id == rid,
            TrustRecord.algorithm_version == "trust-writer-test")
        ).all()  # fmt: skip
        now_facts = trust_facts(session=s, researcher_ids=[rid])[0]
        assert len(records) == 1 and records[0][0] == trust.facts_digest(now_facts)
        assert s.get(Researcher, rid).citations == now_facts.citations


def _row_versions(session) -> dict[int, object]:
    """Each researcher row's version: PostgreSQL's ``xmin`` (a new one per update); on SQLite, none."""
    if session.get_bind().dialect.name != "postgresql":
        return {}
    return dict(session.execute(text("SELECT id, xmin::text FROM researcher")).all())


def test_a_rescore_rewrites_only_the_researcher_rows_whose_scores_change(store, monkeypatch) -> None:
    """A new method that agrees on everyone's score stores a snapshot per person and leaves the researcher rows as
    they are (no write: on PostgreSQL the same row versions; on SQLite no row changed beyond the inserted records);
    a change that moves some people's scores rewrites those rows, and only those, with the new values."""
    from sqlalchemy import func, update

    from core import trust_refresh
    from core.models import Authorship, Work

    monkeypatch.setattr(trust_refresh, "BATCH", 40)
    monkeypatch.setenv("PEERSCOPE_TRUST_WORKERS", "0")
    columns = (Researcher.id, Researcher.trust_score, Researcher.trust_band, Researcher.trust_level,
               Researcher.first_year, Researcher.citations)  # fmt: skip

    def values(s) -> dict[int, tuple]:
        return {row[0]: tuple(row[1:]) for row in s.exec(select(*columns))}

    with session_scope(store) as s:
        sqlite = s.get_bind().dialect.name == "sqlite"
        raw = s.connection().connection.driver_connection
        people, versions, changes = len(values(s)), _row_versions(s), raw.total_changes if sqlite else 0
        monkeypatch.setattr(trust, "ALGORITHM_VERSION", "trust-same-scores")
        assert recompute_trust(session=s) == people
        assert _row_versions(s) == versions
        if sqlite:
            assert raw.total_changes - changes == people  # the inserted records, and no researcher row

        rid, wid = s.exec(select(Authorship.researcher_id, Authorship.work_id).order_by(Authorship.id)).first()
        authors = set(s.exec(select(Authorship.researcher_id).where(Authorship.work_id == wid)))
        s.execute(update(Work).where(Work.id == wid).values(cited_by_count=func.coalesce(Work.cited_by_count, 0) + 5000))
        before, versions, changes = values(s), _row_versions(s), raw.total_changes if sqlite else 0
        assert recompute_trust(session=s) == len(authors)  # 5,000 citations more for each author of the work
        s.expire_all()
        after = values(s)
        moved = {k for k in after if after[k] != before[k]}
        latest = s.exec(select(TrustRecord.score).where(TrustRecord.researcher_id == rid).order_by(TrustRecord.id.desc())).first()
        assert rid in moved and moved <= authors and after[rid][0] == latest > before[rid][0]
        if sqlite:
            assert raw.total_changes - changes == len(authors) + len(moved)
        else:
            now = _row_versions(s)
            assert {k for k in now if now[k] != versions[k]} == moved


def test_postgresql_compresses_trust_snapshots_with_lz4(store) -> None:
    """Revision 0012: on a PostgreSQL server built with lz4 the snapshots are compressed with it."""
    with session_scope(store) as s:
        if s.get_bind().dialect.name != "postgresql":
            pytest.skip("PostgreSQL only")
        methods = s.execute(text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")).scalar()
        method = s.execute(text(
            "SELECT attcompression FROM pg_attribute WHERE attrelid = 'trustrecord'::regclass AND attname = 'snapshot'"
        )).scalar()  # fmt: skip
        used = s.execute(text(
            "SELECT DISTINCT pg_column_compression(snapshot) FROM trustrecord WHERE pg_column_compression(snapshot) IS NOT NULL"
        )).scalars().all()  # fmt: skip
    if "lz4" not in methods:
        pytest.skip("this PostgreSQL server has no lz4")
    assert method == "l" and used == ["lz4"]


def test_cli_recomputes_everyone_or_the_named(store, capsys) -> None:
    url = store.url.render_as_string(hide_password=False)
    assert cli(["trust", "--all", "--json", "--db", url]) == 0
    out = json.loads(capsys.readouterr().out)
    with session_scope(store) as s:
        everyone = len(list(s.exec(select(Researcher.id))))
        rid = s.exec(select(Researcher.id).where(Researcher.openalex_id.is_not(None))).first()
    assert out["researchers"] == everyone and out["changed"] == 0
    assert cli(["trust", str(rid), "--db", url]) == 0
    assert "of 1 researcher(s)" in capsys.readouterr().out
    assert cli(["trust", "--db", url]) == 2  # neither names nor --all
    assert "name researchers" in capsys.readouterr().err
    assert cli(["trust", "--all", str(rid), "--db", url]) == 2


def test_an_import_of_most_of_the_store_recomputes_through_the_one_read(empty_store, shared_data, monkeypatch) -> None:
    """An import whose authors are most of the store takes the whole-store path; its snapshots are the ones the
    per-batch path stores (recomputing them batch by batch afterwards changes nothing)."""
    import core.trust_bulk as bulk
    from core import trust_refresh

    used = []
    real = bulk.all_trust_facts
    monkeypatch.setattr(bulk, "all_trust_facts", lambda **kw: used.append(1) or real(**kw))
    monkeypatch.setattr(trust_refresh, "BULK_FROM", 100)  # the real threshold is for stores of 100k+ people
    summary = import_paths([shared_data / name / "works.jsonl" for name in OPENALEX], engine=empty_store)
    assert used and summary.trust_recomputed > 1000
    monkeypatch.setattr(trust_refresh, "BULK_FROM", 10**9)
    with session_scope(empty_store) as s:
        ids = sorted(s.exec(select(Researcher.id)))
        assert recompute_trust(session=s, researcher_ids=ids) == 0
    assert len(used) == 1


def test_cli_stopped_keeps_what_it_committed_and_the_next_run_goes_on(store, capsys, monkeypatch) -> None:
    """Ctrl-C during ``trust --all``: a message (no traceback), exit 130, the committed batches kept; run again, it
    stores only the others."""
    from core import trust_refresh

    monkeypatch.setattr(trust_refresh, "BATCH", 40)
    monkeypatch.setattr(trust_refresh, "COMMIT_EVERY", 40)
    monkeypatch.setattr(trust, "ALGORITHM_VERSION", "trust-cli-stop")
    monkeypatch.setenv("PEERSCOPE_TRUST_WORKERS", "0")
    real = trust_refresh.recompute_trust

    def stopped_by_the_operator(**kw):
        shown = kw["progress"]

        def progress(done: int, total: int) -> None:
            shown(done, total)
            if done >= 80:
                raise KeyboardInterrupt

        return real(**{**kw, "progress": progress})

    monkeypatch.setattr(trust_refresh, "recompute_trust", stopped_by_the_operator)
    url = store.url.render_as_string(hide_password=False)
    assert cli(["trust", "--all", "--db", url]) == 130
    err = capsys.readouterr().err
    assert "stopped after 80 researcher(s)" in err and "run it again" in err and "Traceback" not in err
    with session_scope(store) as s:
        people = len(s.exec(select(Researcher.id)).all())
        assert len(_bumped_rows(s)) == 80
    monkeypatch.setattr(trust_refresh, "recompute_trust", real)
    assert cli(["trust", "--all", "--json", "--db", url]) == 0
    assert json.loads(capsys.readouterr().out)["changed"] == people - 80
