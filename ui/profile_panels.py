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

from core import claims, invitations, profile_edits, social
from ui import escape_md, md_link, session, state
from ui.widgets import empty_state, metric_row, person_link, plural, source_name

COLLABORATORS_SHOWN = 10
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
    """Follow, claim and invite for signed-in visitors (and the owner's edit panel); 'Sign in to …' otherwise."""
    followers = p.get("followers", 0) if followers is None else followers
    claimed = p.get("claim_status") == "claimed"
    me = session.refresh()  # cheap, and right even when the page runs alone
    with st.container(border=True, height="stretch"):
        st.markdown("**Actions**")
        session.flash("profile")
        if me is None:
            with st.container(horizontal=True):
                st.button(f"Follow researcher · {followers}", icon=":material/person_add:", disabled=True,
                          key="action_follow", help="Sign in to follow this researcher.")  # fmt: skip
                st.button("Claimed" if claimed else "Claim this author", icon=":material/verified_user:",
                          disabled=True, key="action_claim", help="Sign in to claim this profile.")  # fmt: skip
                st.button("Invite to collaborate", icon=":material/handshake:", disabled=True, key="action_invite",
                          help="Sign in to invite." if claimed else "The author must claim this profile first.")  # fmt: skip
            session.sign_in_prompt("follow, claim or invite")
            return
        _signed_in_actions(p, me, followers, claimed)


def _signed_in_actions(p: Mapping, me, followers: int, claimed: bool) -> None:
    rid = p["id"]
    refresh = [state._researcher_profile, state._trust_history]
    followed = rid in session.read(lambda s: social.following(session=s, actor=me))
    owner = rid in session.read(lambda s: claims.owned_profiles(session=s, user_id=me.user_id))
    with st.container(horizontal=True):
        label = f"Unfollow · {followers}" if followed else f"Follow researcher · {followers}"
        if st.button(label, icon=":material/person_add:", key="action_follow", disabled=owner):
            fn = social.unfollow if followed else social.follow
            session.act(lambda s: fn(session=s, actor=me, researcher_id=rid), scope="profile", invalidate=refresh,
                        done="Unfollowed." if followed else "Following: their new works appear in your feed.")  # fmt: skip
        if owner:
            st.badge("You own this profile", icon=":material/verified_user:", color="green")
        else:
            with st.popover("Dispute this claim" if claimed else "Claim this author", icon=":material/verified_user:"):
                _claim_form(rid, me, refresh)
        with st.popover("Invite to collaborate", icon=":material/handshake:", disabled=not claimed or owner):
            _invite_form(rid, me)
    if not claimed:
        st.caption("Invitations need the author to have claimed this profile.")
    elif not p.get("open_to_collaborate"):
        st.caption("The owner is not open to collaborate at the moment; invitations are refused.")
    links = session.read(lambda s: profile_edits.profile_links(session=s, researcher_id=rid))
    if links:
        st.markdown("Links: " + " · ".join(md_link(x.label, x.url) for x in links))
    if owner:
        with st.expander("Edit your profile", icon=":material/edit:"):
            _owner_panel(p, me, links, refresh)


def _claim_form(rid: int, me, refresh: list) -> None:
    kinds = {"orcid": "ORCID iD", "email": "Institutional email", "page": "Public page (URL)"}
    with st.form("claim_form", border=False):
        kind = st.selectbox("Evidence", list(kinds), format_func=kinds.get, key="claim_kind")
        evidence = st.text_input("Value", key="claim_evidence", placeholder="0000-0002-1825-0097 / you@uni.edu / URL")
        note = st.text_area("Note for the moderators (optional)", key="claim_note")
        st.caption(
            "An ORCID iD verifies at once only when you signed in through ORCID as that iD; an email only when it "
            "is your account's confirmed address (Account → Settings) at an affiliated institution. Otherwise a "
            "moderator decides."
        )
        if st.form_submit_button("Send claim", icon=":material/send:"):
            c = session.act(
                lambda s: claims.open_claim(
                    session=s, actor=me, researcher_id=rid, evidence_kind=kind, evidence=evidence, note=note or None
                ),
                invalidate=refresh,
                rerun=False,
            )
            if c is not None:
                verified = c.status == "verified"
                msg = "Verified at once: you now own this profile." if verified else (
                    "Claim sent: it is waiting for a moderator. You will be notified of the decision "
                    "(a rejection says why); follow it under Account → Claims.")  # fmt: skip
                st.session_state[session.FLASH_KEY] = ("profile", msg)
                st.rerun()


def _invite_form(rid: int, me) -> None:
    with st.form("invite_form", border=False):
        message = st.text_area("Message", key="invite_message", placeholder="What would you like to work on?")
        if st.form_submit_button("Send invitation", icon=":material/send:"):
            session.act(
                lambda s: invitations.send_invitation(session=s, actor=me, researcher_id=rid, message=message),
                done="Invitation sent to the profile's owner.",
                scope="profile",
            )


def _owner_panel(p: Mapping, me, links: list, refresh: list) -> None:
    rid = p["id"]
    with st.form("owner_profile", border=False):
        open_ = st.toggle("Open to collaborate", value=bool(p.get("open_to_collaborate")), key="owner_open")
        summary = st.text_input("Summary line", value=p.get("summary") or "", key="owner_summary")
        text = st.text_area("Links, one per line: label | https://…", key="owner_links",
                            value="\n".join(f"{x.label} | {x.url}" for x in links))  # fmt: skip
        if st.form_submit_button("Save profile", icon=":material/save:"):
            pairs = [tuple(part.strip() for part in line.split("|", 1)) for line in text.splitlines() if "|" in line]

            def save(s):
                profile_edits.set_open_to_collaborate(session=s, actor=me, researcher_id=rid, open_=open_)
                profile_edits.set_summary(session=s, actor=me, researcher_id=rid, summary=summary)
                profile_edits.set_links(session=s, actor=me, researcher_id=rid, links=pairs)

            session.act(save, done="Profile saved.", scope="profile", invalidate=refresh)
    works = {w["id"]: w.get("title") or "Untitled work" for w in p.get("works", [])}
    if works:
        with st.form("owner_hide", border=False):
            wid = st.selectbox("A work that is not yours", list(works), format_func=works.get, key="owner_hide_work")
            reason = st.text_input("Why (optional)", key="owner_hide_reason")
            if st.form_submit_button("Hide from my profile", icon=":material/visibility_off:"):
                session.act(
                    lambda s: profile_edits.hide_work(
                        session=s, actor=me, researcher_id=rid, work_id=wid, reason=reason or None
                    ),  # fmt: skip
                    done="Work hidden from your profile (the record stays).",
                    scope="profile",
                    invalidate=refresh,
                )
    for mc in p.get("merge_candidates", []):
        st.markdown(f"Possible duplicate: {escape_md(mc['other_name'], one_line=True)}")
        same_col, other_col = st.columns(2)
        for col, confirm, label in ((same_col, True, "Same person"), (other_col, False, "Not me")):
            if col.button(label, key=f"merge_{mc['id']}_{confirm}"):
                session.act(
                    lambda s, c=confirm, m=mc["id"]: profile_edits.decide_merge_candidate(
                        session=s, actor=me, candidate_id=m, confirm=c
                    ),
                    done="Merge candidate confirmed." if confirm else "Merge candidate refused.",
                    scope="profile",
                    invalidate=refresh,
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
        # Up to ninety links: drawn when the reader opens the list (a rerun), not on every view of the profile.
        rest = st.expander(more, key=f"coauthors_all_{p['id']}", on_change="rerun")
        with rest:
            if rest.open:
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
