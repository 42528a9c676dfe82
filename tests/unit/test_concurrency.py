"""20 concurrent writers: no lost writes, no duplicate one-per-person rows, counts equal to the rows.

Each writer is a thread with its own session (and pooled connection), released together by a barrier; every
action runs through ``core.writes.run_write``, which retries a transaction SQLite refused with "database is locked".
"""

from __future__ import annotations

import threading

import pytest
from sqlmodel import func, select

from core import accounts, discussion, social
from core.db import session_scope
from core.models import Comment, Follow, Researcher, User, Work, WorkRating, WorkView, WorkVote
from core.permissions import Actor
from core.writes import run_write

WRITERS = 20
PW = "correct horse battery"


@pytest.fixture
def engine(seeded_store):
    return seeded_store


def _people(engine, n: int):
    with session_scope(engine) as s:
        out = []
        for i in range(n):
            me = accounts.sign_up(session=s, actor=None, email=f"w{i}@example.org", password=PW, display_name=f"W{i}")
            out.append(me)
        return out


def _targets(engine) -> tuple[int, int]:
    with session_scope(engine) as s:
        work = s.exec(select(Work.id).where(Work.seed_key == "seed:work:embedding-principle")).one()
        person = s.exec(select(Researcher.id).where(Researcher.seed_key == "seed:person:zhongwang-zhang")).one()
    return work, person


def _race(jobs) -> list:
    """Run the jobs in threads released at once; re-raise the first error."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list = []

    def run(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    if errors:
        raise errors[0]
    return results


def _rows(engine, model, *where) -> int:
    with session_scope(engine) as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def test_twenty_people_act_on_one_work_at_once(engine):
    work, person = _targets(engine)
    people = _people(engine, WRITERS)

    def act(i, me):
        def job(s):
            social.vote(session=s, actor=me, work_id=work, value=1 if i % 4 else -1)
            social.rate(session=s, actor=me, work_id=work, stars=i % 5 + 1)
            social.record_view(session=s, actor=me, work_id=work)
            social.follow(session=s, actor=me, researcher_id=person)
            discussion.add_comment(session=s, actor=me, work_id=work, body=f"Comment {i}")

        return lambda: run_write(engine, job)

    _race([act(i, me) for i, me in enumerate(people)])
    with session_scope(engine) as s:
        counts = social.work_counts(session=s, work_id=work)
        followers = social.follower_count(session=s, researcher_id=person)
    # i % 4 == 0 for i in 0, 4, 8, 12, 16: five dislikes; stars i % 5 + 1 cycle 1..5 four times: mean 3.
    assert (counts.likes, counts.dislikes, counts.ratings, counts.rating_mean) == (15, 5, 20, 3.0)
    assert (counts.views, counts.comments, followers) == (20, 20, 20)
    # And the counts are the rows.
    assert _rows(engine, WorkVote, WorkVote.work_id == work) == counts.likes + counts.dislikes
    assert _rows(engine, WorkRating, WorkRating.work_id == work) == counts.ratings
    assert _rows(engine, WorkView, WorkView.work_id == work) == counts.views
    assert _rows(engine, Comment, Comment.work_id == work) == counts.comments
    assert _rows(engine, Follow, Follow.researcher_id == person) == followers


def test_one_person_voting_from_twenty_tabs_keeps_one_vote(engine):
    work, person = _targets(engine)
    [me] = _people(engine, 1)

    def tab(i):
        def job(s):
            social.vote(session=s, actor=me, work_id=work, value=1 if i % 2 else -1)
            social.rate(session=s, actor=me, work_id=work, stars=i % 5 + 1)
            return social.follow(session=s, actor=me, researcher_id=person)

        return lambda: run_write(engine, job)

    new_follows = _race([tab(i) for i in range(WRITERS)])
    assert sorted(new_follows) == [False] * (WRITERS - 1) + [True]
    assert _rows(engine, WorkVote) == 1
    assert _rows(engine, WorkRating) == 1
    assert _rows(engine, Follow) == 1
    with session_scope(engine) as s:
        counts = social.work_counts(session=s, work_id=work)
        state = social.my_work_state(session=s, actor=me, work_id=work)
    assert counts.likes + counts.dislikes == 1 and counts.ratings == 1
    assert (state.vote, state.stars) == (1 if counts.likes else -1, round(counts.rating_mean))


def test_twenty_concurrent_sign_ups_with_one_email_make_one_account(engine):
    def sign_up(i):
        return lambda: run_write(
            engine,
            lambda s: accounts.sign_up(
                session=s, actor=None, email="same@example.org", password=PW, display_name=f"S{i}"
            ),
        )

    def guarded(job):
        def run():
            try:
                return job()
            except Exception as exc:  # the store's unique key refuses every second account
                return type(exc).__name__

        return run

    outcomes = _race([guarded(sign_up(i)) for i in range(WRITERS)])
    winners = [o for o in outcomes if isinstance(o, Actor)]
    assert len(winners) == 1
    assert set(o for o in outcomes if not isinstance(o, Actor)) <= {"IntegrityError", "InvalidInput"}
    assert _rows(engine, User) == 1
