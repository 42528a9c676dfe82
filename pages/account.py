"""Your account: sign up / sign in / sign out, change password, your claims, collections, notifications, inbox."""

import streamlit as st

from core import accounts, claims, email_confirm, invitations, notifications, work_collections
from ui import escape_md, session, state
from ui.widgets import empty_state, paper_link, person_link

state.ensure_app_shell()

me = session.refresh()
st.title("Account")
session.flash("account")
if me is None:
    st.caption("Sign in to follow researchers, vote, rate, save, review, discuss, claim your profile and invite.")
    session.sign_in_forms()
    st.stop()

st.markdown(f"Signed in as **{escape_md(me.display_name, one_line=True)}** · role: {escape_md(me.role)}")
user = session.read(lambda s: accounts.user_read(session=s, user_id=me.user_id))
unread = session.read(lambda s: notifications.unread_count(session=s, actor=me))
notes_tab, inbox_tab, coll_tab, claims_tab, settings_tab = st.tabs(
    [f"Notifications ({unread})", "Invitations", "Collections", "Claims", "Settings"],
    key="account_tab",  # keeps the open tab across reruns (a form's error shows where the person is)
)

with notes_tab:
    notes = session.read(lambda s: notifications.my_notifications(session=s, actor=me))
    if unread and st.button("Mark all read", icon=":material/done_all:", key="mark_read"):
        session.act(lambda s: notifications.mark_read(session=s, actor=me), scope="account")
    for n in notes:
        st.markdown(("" if n.is_read else "**New** · ") + escape_md(n.message, one_line=True))
        st.caption(f"{n.kind} · {n.created_at:%Y-%m-%d %H:%M}")
    if not notes:
        st.caption("No notifications yet.")

with inbox_tab:
    st.subheader("Received")
    for inv in session.read(lambda s: invitations.inbox(session=s, actor=me)):
        with st.container(border=True):
            st.markdown(
                f"From **{escape_md(inv.from_name, one_line=True)}** to your profile "
                f"{escape_md(inv.to_researcher_name, one_line=True)} · {escape_md(inv.status)}"
            )
            st.text(inv.message)
            if inv.status == "pending":
                with st.container(horizontal=True):
                    for accept, label in ((True, "Accept"), (False, "Decline")):
                        if st.button(label, key=f"inv_{inv.id}_{label}"):
                            session.act(
                                lambda s, a=accept, i=inv.id: invitations.answer_invitation(
                                    session=s, actor=me, invitation_id=i, accept=a
                                ),
                                done=f"Invitation {'accepted' if accept else 'declined'}.",
                                scope="account",
                            )
    st.caption("Only owners of claimed profiles receive invitations.")
    st.subheader("Sent")
    sent = session.read(lambda s: invitations.sent_invitations(session=s, actor=me))
    for inv in sent:
        st.markdown(f"To {escape_md(inv.to_researcher_name, one_line=True)} · {escape_md(inv.status)}")
    if not sent:
        st.caption("You have not sent any invitations.")

with coll_tab:
    mine = session.read(lambda s: work_collections.my_collections(session=s, actor=me))
    for c in mine:
        label = f"{escape_md(c.name, one_line=True)} · {'public' if c.is_public else 'private'} · {c.items} works"
        with st.expander(label):
            items = session.read(
                lambda s, cid=c.id: work_collections.collection_items(session=s, actor=me, collection_id=cid)
            )
            for it in items:
                paper_link(it.work_id, it.title, year=it.year)
                if it.note:
                    st.text(it.note)
            if st.button("Delete collection", icon=":material/delete:", key=f"del_coll_{c.id}"):
                session.act(
                    lambda s, cid=c.id: work_collections.delete_collection(session=s, actor=me, collection_id=cid),
                    done="Collection deleted.",
                    scope="account",
                )
    if not mine:
        empty_state("No collections yet.", "Open a paper and use “Save” to start one.")

with claims_tab:
    my = session.read(lambda s: claims.my_claims(session=s, actor=me))
    for c in my:
        with st.container(border=True):
            person_link(c.researcher_id, c.researcher_name, note=escape_md(c.status))
            st.caption(f"Evidence: {escape_md(c.evidence_kind)}")
            st.text(c.evidence)
            if c.decision_reason:
                st.caption("Moderator's reason:")
                st.text(c.decision_reason)
            if c.status == "pending" and st.button("Withdraw", key=f"withdraw_{c.id}"):
                session.act(
                    lambda s, cid=c.id: claims.withdraw_claim(session=s, actor=me, claim_id=cid),
                    done="Claim withdrawn.",
                    scope="account",
                )
    if not my:
        empty_state("No claims.", "Open your researcher profile and use “Claim this author”.")

with settings_tab:
    if user is not None and user.email:
        st.subheader("Email")
        if user.email_verified:
            st.markdown(f":material/mark_email_read: {escape_md(user.email)} · **confirmed**")
        else:
            st.markdown(f":material/mail: {escape_md(user.email)} · not confirmed yet")
            st.caption(
                "Confirm the address to make it count as evidence: a claim with a confirmed address at an affiliated "
                "institution's domain is verified at once."
            )
            if st.button("Send confirmation code", icon=":material/forward_to_inbox:", key="send_code"):
                session.act(
                    lambda s: email_confirm.send_code(session=s, actor=me),
                    done=f"A 6-digit code is on its way to {user.email}; it is valid for 30 minutes.",
                    scope="account",
                )
            with st.form("confirm_email", clear_on_submit=True):
                code = st.text_input("Confirmation code", key="email_code", max_chars=12, placeholder="123456")
                if st.form_submit_button("Confirm address", icon=":material/verified:"):
                    session.act(
                        lambda s: email_confirm.confirm_code(session=s, actor=me, code=code),
                        done="Address confirmed.",
                        scope="account",
                    )
    if user is not None and user.provider == accounts.LOCAL:
        st.subheader("Password")
        with st.form("change_password", clear_on_submit=True):
            current_pw = st.text_input("Current password", type="password", key="pw_current")
            new_pw = st.text_input("New password", type="password", key="pw_new", help="At least 10 characters.")
            if st.form_submit_button("Change password", icon=":material/key:"):
                fresh = session.act(
                    lambda s: accounts.change_password(
                        session=s, actor=me, current_password=current_pw, new_password=new_pw
                    ),
                    rerun=False,
                )
                if fresh is not None:
                    session.set_current(fresh)
                    st.session_state[session.FLASH_KEY] = ("account", "Password changed; other sessions ended.")
                    st.rerun()
    with st.container(horizontal=True):
        if st.button("Sign out", icon=":material/logout:", key="sign_out"):
            session.sign_out()
        if st.button("Sign out everywhere", icon=":material/devices:", key="sign_out_all"):
            session.sign_out(everywhere=True)
