"""Panels of the researcher profile that are more than a line or two: header, quick read, actions, metrics compared
with the source, close collaborators, identity (name variants, merge candidates) and provenance.

Each takes the profile dict (``core.queries.researcher_profile(...).to_dict()``) and draws; none reads the store.
Names, affiliations and source files are imported text and go through ``ui.escape_md`` or dataframe cells.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath

import pandas as pd
import streamlit as st

from ui import escape_md
from ui.widgets import empty_state, metric_row, person_link, plural, source_name

COLLABORATORS_SHOWN = 10
ACCOUNTS_LATER = "Needs an account: sign-in arrives with the accounts release."
METRICS = (("works_count", "Works"), ("citations", "Citations"), ("h_index", "h-index"), ("i10_index", "i10-index"))


def header(p: Mapping) -> None:
    """Name, the one-line summary, affiliation (or that none was imported) and 'Open to collaborate'."""
    st.caption("Researcher profile")
    st.title(escape_md(p["display_name"], one_line=True))
    st.markdown(escape_md(p["summary"]))
    where_col, open_col = st.columns([3, 1])
    aff = p["affiliation"]
    if aff:
        place = ", ".join(x for x in (aff.get("city"), aff.get("country_code")) if x)
        where_col.markdown(
            f":material/apartment: {escape_md(aff['name'], one_line=True)}"
            + (f" · {escape_md(place)}" if place else "")
        )
    else:
        where_col.markdown(":material/apartment: Affiliation not imported")
    if p["open_to_collaborate"]:
        with open_col:
            st.badge("Open to collaborate", icon=":material/handshake:", color="green")
    if p["is_placeholder"]:
        st.caption("Placeholder record: the source named this author without an identity of their own.")


def quick_read(p: Mapping, *, followers: int | None = None) -> None:
    """Works, followers, topics and close collaborators at a glance."""
    followers = p.get("followers", 0) if followers is None else followers
    with st.container(border=True, height="stretch"):
        st.markdown("**Quick read**")
        metric_row(
            [
                ("Works", p["metrics"]["works_count"]),
                ("Followers", followers),
                ("Topics", len(p["topics"])),
                ("Close collaborators", p["collaborators_total"]),
            ]
        )


def actions(p: Mapping, *, followers: int | None = None) -> None:
    """Follow, claim and invite: shown, and disabled with the reason until accounts exist."""
    followers = p.get("followers", 0) if followers is None else followers
    claimed = p.get("claim_status") == "claimed"
    invite_why = ACCOUNTS_LATER if claimed else "The author must claim this profile first."
    with st.container(border=True, height="stretch"):
        st.markdown("**Actions**")
        with st.container(horizontal=True):
            st.button(
                f"Follow researcher · {followers}",
                icon=":material/person_add:",
                disabled=True,
                key="action_follow",
                help=ACCOUNTS_LATER,
            )
            st.button(
                "Claimed" if claimed else "Claim this author",
                icon=":material/verified_user:",
                disabled=True,
                key="action_claim",
                help=ACCOUNTS_LATER,
            )
            st.button(
                "Invite to collaborate",
                icon=":material/handshake:",
                disabled=True,
                key="action_invite",
                help=invite_why,
            )
        st.caption(
            "Following, claiming and invitations need an account; they arrive with the accounts release."
            + ("" if claimed else " Invitations also need the author to have claimed this profile.")
        )


def metrics_panel(p: Mapping) -> None:
    """Our figures (from the works in this store) next to the source's, with why they can differ."""
    m, rep = p["metrics"], p["reported"]
    metric_row([(label, f"{m[k]:,}", vs_source(m, rep, k)) for k, label in METRICS])
    active = ""
    if m["first_year"]:
        span = f"{m['first_year']}–{m['last_year']}" if m["first_year"] != m["last_year"] else f"in {m['first_year']}"
        active = f" Active {span}."
    st.caption("Computed from the works in this store." + active)
    if not rep:
        st.caption("No source reported its own figures for this person, so there is nothing to compare with.")
    elif any(rep.get(k) is not None and rep[k] != m[k] for k, _ in METRICS):
        src = escape_md(source_name(rep.get("source")))
        held = f"{m['works_count']:,} of the {rep['works_count']:,}" if rep.get("works_count") else "some of the"
        st.info(
            f"**Why the figures differ.** {src} counts this person's whole record; this store holds {held} works "
            f"it reports, so figures computed here can be lower. Citation counts also move with the date each "
            f"record was fetched.",
            icon=":material/compare_arrows:",
        )


def vs_source(m: Mapping, rep: Mapping | None, key: str) -> str | None:
    """ "OpenAlex reports 120 · 90 more than in the store", or ``None`` when the source gave no figure.

    >>> vs_source({"h_index": 2}, {"source": "openalex", "h_index": 5}, "h_index")
    'OpenAlex reports 5 · 3 more than in the store'
    """
    if not rep or rep.get(key) is None:
        return None
    diff = rep[key] - m[key]
    gap = "same as in the store" if diff == 0 else f"{abs(diff):,} {'more' if diff > 0 else 'fewer'} than in the store"
    return f"{escape_md(source_name(rep.get('source')))} reports {rep[key]:,} · {gap}"


def collaborators_panel(p: Mapping) -> None:
    """The strongest co-authors with shared works, strength, institutions and years; the rest folded away."""
    collaborators = p["close_collaborators"]
    if not collaborators:
        empty_state("No co-authors in the store.", "Import more of this person's works to see who they write with.")
        return
    for c in collaborators[:COLLABORATORS_SHOWN]:
        name_col, shared_col, where_col = st.columns([3, 2, 3])
        with name_col:
            person_link(c["id"], c["name"])
        shared_col.caption(f"{plural(c['shared_works'], 'shared work')} · strength {c['strength']:g}")
        years = (
            f"{c['first_year']}–{c['last_year']}" if c["first_year"] != c["last_year"] else str(c["first_year"] or "")
        )
        where_col.caption(
            escape_md(", ".join(c["institutions"]) or "Affiliation not imported") + (f" · {years}" if years else "")
        )
    if len(collaborators) > COLLABORATORS_SHOWN:
        total = p["collaborators_total"]
        more = (
            f"All {total} co-authors"
            if total <= len(collaborators)
            else f"Top {len(collaborators)} of {total} co-authors"
        )
        with st.expander(more):
            for c in collaborators[COLLABORATORS_SHOWN:]:
                person_link(c["id"], c["name"], note=plural(c["shared_works"], "shared work"))
    st.caption("Strength: the sum over shared works of 1/(co-authors − 1), Newman's collaboration weight.")


def identity_panel(p: Mapping) -> None:
    """Other spellings of the name, open merge candidates, and the person's identifiers."""
    st.subheader("Name variants")
    st.markdown(", ".join(escape_md(v, one_line=True) for v in p["name_variants"]) or "No other spellings recorded.")
    st.subheader("Possible duplicates")
    for mc in p["merge_candidates"]:
        score = f" · score {mc['score']:.2f}" if mc["score"] is not None else ""
        person_link(mc["other_id"], mc["other_name"], note=escape_md(mc["reason"] or "similar name") + score)
    if not p["merge_candidates"]:
        st.caption("No merge candidates open.")
    ids = {k: v for k, v in p["ids"].items() if v}
    if ids:
        st.caption("Identifiers: " + " · ".join(f"{escape_md(k)} {escape_md(v)}" for k, v in ids.items()))


def sources_panel(p: Mapping) -> None:
    """Where the person's record and works came from, how many records each, and when last seen (freshness)."""
    st.subheader("Data sources and freshness")
    sources = p["sources"]
    if not sources:
        st.caption("No provenance recorded.")
        return
    table = pd.DataFrame(
        [
            {
                "Source": source_name(s["source"]),
                "File": PurePath(s["file"] or "").name or "—",
                "Records": s["records"],
                "Last seen": s["last_seen"],
            }
            for s in sources
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    newest = max((s["last_seen"] for s in sources if s["last_seen"] and s["last_seen"] != "None"), default=None)
    if newest:
        st.caption(f"Most recently seen in a source: {escape_md(newest)}. Figures are as fresh as that import.")
