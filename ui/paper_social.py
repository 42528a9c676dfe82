"""The social sections of the paper page: counts, votes, rating, save-to-collection, structured reviews, related
papers with their reasons, and the citation export.

Anonymous visitors see every count and every review read-only, with a 'Sign in to …' link in place of each action.
User-written text (reviews, collection names, display names) is shown with ``st.text`` or through ``ui.escape_md``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from core import export, reviews, social, work_collections
from core.permissions import Actor
from ui import escape_md, session, state
from ui.widgets import metric_row

RECOMMENDATIONS = {
    "accept": "Accept",
    "minor-revision": "Minor revision",
    "major-revision": "Major revision",
    "reject": "Reject",
}
VIEWED_KEY = "peerscope_viewed_works"


def write(fn, **kwargs):
    """``ui.session.act`` that also clears the cached paper view model (it carries the social counts)."""
    return session.act(fn, invalidate=(state._paper_detail,), **kwargs)


def count_view(work_id: int, me: Actor | None) -> None:
    """Count one view per work per browser session (reruns and clicks on the page do not count again)."""
    seen = st.session_state.setdefault(VIEWED_KEY, set())
    if work_id not in seen:
        seen.add(work_id)
        write(lambda s: social.record_view(session=s, actor=me, work_id=work_id), rerun=False)


def counts_row(work_id: int, d: Mapping) -> social.WorkCounts:
    """Citations, references, reviews, saves, views and the rating, counted from the rows."""
    c = session.read(lambda s: social.work_counts(session=s, work_id=work_id))
    rating = f"{c.rating_mean:.1f} ★" if c.rating_mean is not None else "—"
    counts = d["counts"]
    metric_row(
        [
            ("Citations (reported)", f"{counts['cited_by_reported']:,}"),
            ("Citing works in store", counts["cited_by_in_store"]),
            ("References", counts["references"], f"{counts['references_in_store']} in the store"),
            ("Authors", len(d["authors"])),
        ]
    )
    metric_row(
        [
            ("Reviews", c.reviews),
            ("Saves", c.saves),
            ("Views", c.views),
            ("Rating", rating, f"{c.ratings} rating{'s' if c.ratings != 1 else ''}"),
            ("Likes", c.likes, f"{c.dislikes} dislike{'s' if c.dislikes != 1 else ''}"),
        ]
    )
    return c


def actions(work_id: int, me: Actor | None) -> None:
    """Like / dislike, the 1-5 rating and save-to-collection; sign-in links for anonymous visitors."""
    st.subheader("Next steps")
    session.flash("paper_actions")
    if me is None:
        with st.container(horizontal=True):
            session.sign_in_prompt("vote")
            session.sign_in_prompt("rate")
            session.sign_in_prompt("save to a collection")
        return
    mine = session.read(lambda s: social.my_work_state(session=s, actor=me, work_id=work_id))
    vote_col, rate_col, save_col = st.columns([2, 2, 3], gap="large")
    with vote_col:
        st.markdown("**Your vote**")
        with st.container(horizontal=True):
            for value, label, icon in ((1, "Like", ":material/thumb_up:"), (-1, "Dislike", ":material/thumb_down:")):
                on = mine.vote == value
                if st.button(label, icon=icon, type="primary" if on else "secondary", key=f"vote_{value}"):
                    new = 0 if on else value
                    write(
                        lambda s, v=new: social.vote(session=s, actor=me, work_id=work_id, value=v),
                        done="Vote withdrawn." if new == 0 else f"{label}d.",
                        scope="paper_actions",
                    )
    with rate_col, st.form("rate_form", border=False):
        options = [0, 1, 2, 3, 4, 5]
        stars = st.selectbox(
            "Your rating",
            options,
            index=mine.stars or 0,
            format_func=lambda n: "No rating" if n == 0 else "★" * n,
            key="rate_stars",
        )
        if st.form_submit_button("Rate", icon=":material/star:"):
            write(
                lambda s: social.rate(session=s, actor=me, work_id=work_id, stars=stars or None),
                done="Rating saved." if stars else "Rating withdrawn.",
                scope="paper_actions",
            )
    with save_col:
        _save_form(work_id, me, mine.collection_ids)


def _save_form(work_id: int, me: Actor, in_collections: tuple[int, ...]) -> None:
    mine = session.read(lambda s: work_collections.my_collections(session=s, actor=me))
    names = {c.id: c.name for c in mine}
    if in_collections:
        st.caption("Saved in: " + ", ".join(escape_md(names.get(i, "?"), one_line=True) for i in in_collections))
    with st.form("save_form", border=False):
        NEW = 0
        target = st.selectbox(
            "Save to collection",
            [NEW, *names],
            format_func=lambda i: "New collection…" if i == NEW else names[i],
            key="save_target",
        )
        new_name = st.text_input("New collection name", key="save_new_name", placeholder="Only for a new collection")
        public = st.checkbox("Public collection", key="save_public")
        note = st.text_input("Note (optional)", key="save_note")
        if st.form_submit_button("Save", icon=":material/bookmark_add:"):

            def save(s):
                cid = target or work_collections.create_collection(session=s, actor=me, name=new_name, is_public=public)
                work_collections.save_work(session=s, actor=me, collection_id=cid, work_id=work_id, note=note or None)

            write(save, done="Saved to the collection.", scope="paper_actions")


def reviews_section(work_id: int, me: Actor | None) -> None:
    """Structured reviews: each tied to the version reviewed; its author can edit it and see its history."""
    items = session.read(lambda s: reviews.work_reviews(session=s, work_id=work_id))
    st.subheader(f"Structured reviews ({len(items)})")
    session.flash("reviews")
    for r in items:
        with st.container(border=True):
            who = escape_md(r.author_name, one_line=True) + (" · verified author" if r.author_verified else "")
            version = escape_md(r.version_label or "version of record", one_line=True)
            st.markdown(f"**{RECOMMENDATIONS.get(r.recommendation, r.recommendation)}** · by {who}")
            st.caption(f"Reviewed version: {version}" + (f" · edited {r.edits}×" if r.edits else ""))
            for label, text in (
                ("Summary", r.summary),
                ("Strengths", r.strengths),
                ("Concerns", r.concerns),
                ("Method questions", r.method_questions),
            ):
                if text:
                    st.caption(label)
                    st.text(text)
            if me is not None and me.user_id == r.user_id:
                with st.expander("Edit your review"):
                    _review_form(work_id, me, r)
            if r.edits:
                with st.expander(f"History ({r.edits} earlier version{'s' if r.edits != 1 else ''})"):
                    for old in session.read(lambda s, rid=r.id: reviews.review_history(session=s, review_id=rid)):
                        st.caption(f"{old.get('written_at')} · {RECOMMENDATIONS.get(old.get('recommendation'), '')}")
                        st.text(old.get("summary") or "")
            if me is not None and me.user_id != r.user_id:
                _report_button("review", r.id, me)
    if not items:
        st.caption("No structured reviews yet. High-signal critique starts here.")
    if me is None:
        session.sign_in_prompt("write a review")
    elif not any(r.user_id == me.user_id for r in items):
        with st.expander("Write a structured review"):
            _review_form(work_id, me, None)


def _review_form(work_id: int, me: Actor, old: reviews.ReviewRead | None) -> None:
    key = f"review_{old.id}" if old else "review_new"
    with st.form(key):
        summary = st.text_area("Summary", value=old.summary if old else "", key=f"{key}_summary")
        strengths = st.text_area("Strengths", value=old.strengths if old else "", key=f"{key}_strengths")
        concerns = st.text_area("Concerns", value=old.concerns if old else "", key=f"{key}_concerns")
        questions = st.text_area("Method questions", value=old.method_questions if old else "", key=f"{key}_method")
        recs = list(RECOMMENDATIONS)
        rec = st.selectbox(
            "Recommendation",
            recs,
            index=recs.index(old.recommendation) if old else 1,
            format_func=RECOMMENDATIONS.get,
            key=f"{key}_rec",
        )
        versions = session.read(lambda s: reviews.reviewable_versions(session=s, work_id=work_id))
        version_id = None
        if versions:
            ids = [v for v, _ in versions]
            version_id = st.selectbox(
                "Version you reviewed",
                ids,
                index=ids.index(old.work_version_id) if old and old.work_version_id in ids else 0,
                format_func=dict(versions).get,
                key=f"{key}_version",
                help="The version of record is listed first; pick the preprint if that is what you read.",
            )
        if st.form_submit_button("Save review" if old else "Publish review", icon=":material/rate_review:"):
            fields = dict(
                summary=summary, strengths=strengths, concerns=concerns, method_questions=questions, recommendation=rec,
                work_version_id=version_id,
            )  # fmt: skip
            if old:
                fn = lambda s: reviews.edit_review(session=s, actor=me, review_id=old.id, **fields)  # noqa: E731
            else:
                fn = lambda s: reviews.write_review(session=s, actor=me, work_id=work_id, **fields)  # noqa: E731
            write(fn, done="Review saved." if old else "Review published.", scope="reviews")


def _report_button(kind: str, target_id: int, me: Actor) -> None:
    from ui.discussion_view import report_form

    report_form(kind, target_id, me)


def related_section(d: Mapping) -> None:
    """Related papers, each with the reasons it is related (a table: titles and reasons are imported text)."""
    st.subheader("Related papers")
    related = d.get("related") or []
    if not related:
        st.caption("No related papers in the store yet.")
        return
    rows = [
        {"Paper": r["title"], "Year": r["year"], "Why related": " · ".join(r["reasons"]), "Open": f"paper?id={r['id']}"}
        for r in related
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={"Open": st.column_config.LinkColumn("Open", display_text="Open paper")},
    )


def export_buttons(d: Mapping) -> None:
    """Download the citation as BibTeX or RIS."""
    st.subheader("Cite")
    stem = f"peerscope-{d['id']}"
    with st.container(horizontal=True):
        st.download_button(
            "BibTeX", export.bibtex(dict(d)), f"{stem}.bib", "application/x-bibtex", on_click="ignore",
            icon=":material/download:"
        )
        st.download_button(
            "RIS", export.ris(dict(d)), f"{stem}.ris", "application/x-research-info-systems", on_click="ignore",
            icon=":material/download:"
        )
