"""Moderation queue: open reports, waiting claims and disputes (moderators and admins only)."""

import streamlit as st

from core import accounts, claims, moderation
from core.permissions import PermissionDenied, role_at_least
from ui import escape_md, session, state
from ui.widgets import empty_state, person_link

state.ensure_app_shell()

st.title("Moderation")
me = session.refresh()
if me is None:
    st.warning("The moderation queue is for moderators. Sign in with a moderator account to see it.")
    session.sign_in_prompt("moderate")
    st.stop()
if not role_at_least(me.role, "moderator"):
    st.error("Only moderators and admins can see the moderation queue.", icon=":material/block:")
    st.stop()

try:
    queue = session.read(lambda s: moderation.moderation_queue(session=s, actor=me))
except PermissionDenied as exc:
    st.error(str(exc), icon=":material/block:")
    st.stop()

session.flash("moderation")
REFRESH = [state._researcher_profile, state._trust_history]


def claim_card(c: claims.ClaimRead) -> None:
    with st.container(border=True):
        person_link(c.researcher_id, c.researcher_name, note="dispute: profile already owned" if c.is_dispute else None)
        who = session.read(lambda s: accounts.user_read(session=s, user_id=c.user_id))
        name = escape_md(who.display_name if who else f"account {c.user_id}", one_line=True)
        st.caption(f"Claim {c.id} by {name} · evidence: {escape_md(c.evidence_kind)} · {c.created_at:%Y-%m-%d}")
        st.text(c.evidence)
        if c.note:
            st.caption("Claimant's note:")
            st.text(c.note)
        with st.form(f"decide_claim_{c.id}", border=False):
            reason = st.text_input("Reason (required to reject)", key=f"claim_reason_{c.id}")
            approve_col, reject_col = st.columns(2)
            approve = approve_col.form_submit_button("Approve", icon=":material/check:")
            reject = reject_col.form_submit_button("Reject", icon=":material/close:")
            if approve or reject:
                session.act(
                    lambda s: claims.decide_claim(
                        session=s, actor=me, claim_id=c.id, approve=approve, reason=reason or None
                    ),
                    done=f"Claim {c.id} {'approved' if approve else 'rejected'}.",
                    scope="moderation",
                    invalidate=REFRESH,
                )


claims_tab, disputes_tab, reports_tab = st.tabs(
    [f"Claims ({len(queue.claims)})", f"Disputes ({len(queue.disputes)})", f"Reports ({len(queue.reports)})"]
)
with claims_tab:
    for c in queue.claims:
        claim_card(c)
    if not queue.claims:
        empty_state("No claims waiting.", "Claims that could not be verified automatically appear here.")
with disputes_tab:
    for c in queue.disputes:
        claim_card(c)
    if not queue.disputes:
        st.caption("No disputes over owned profiles.")
with reports_tab:
    for r in queue.reports:
        with st.container(border=True):
            st.markdown(f"**{escape_md(r.target_kind)} {r.target_id}** · reported {r.created_at:%Y-%m-%d %H:%M}")
            st.text(r.reason)
            with st.form(f"decide_report_{r.id}", border=False):
                note = st.text_input("Note to the reporter (optional)", key=f"report_note_{r.id}")
                uphold_col, dismiss_col = st.columns(2)
                uphold = uphold_col.form_submit_button("Uphold (remove)", icon=":material/gavel:")
                dismiss = dismiss_col.form_submit_button("Dismiss", icon=":material/close:")
                if uphold or dismiss:
                    session.act(
                        lambda s, rid=r.id, up=uphold, why=note: moderation.decide_report(
                            session=s, actor=me, report_id=rid, uphold=up, note=why or None
                        ),
                        done=f"Report {r.id} {'upheld' if uphold else 'dismissed'}.",
                        scope="moderation",
                        invalidate=REFRESH,
                    )
    if not queue.reports:
        st.caption("No open reports.")
