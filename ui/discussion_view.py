"""A work's threaded discussion: comments and replies (indented by depth), edit and delete by their author, reports.

Comment bodies and author names are user text: bodies go through ``st.text``, names through ``ui.escape_md``.
"""

from __future__ import annotations

import streamlit as st

from core import discussion
from core.permissions import Actor
from ui import escape_md, session
from ui.paper_social import write

MAX_INDENT = 4
REPLY_KEY = "peerscope_reply_to"


def discussion_section(work_id: int, me: Actor | None) -> None:
    comments = session.read(lambda s: discussion.thread(session=s, work_id=work_id))
    live = sum(1 for c in comments if c.body is not None)
    st.subheader(f"Work discussion ({live})")
    session.flash("discussion")
    if me is None:
        session.sign_in_prompt("comment")
    else:
        with st.expander("Add a comment"):
            _comment_form(work_id, me, key="comment_new")
    for c in comments:
        indent = min(c.depth, MAX_INDENT)
        body_col = st.columns([indent, 12 - indent])[1] if indent else st.container()
        with body_col, st.container(border=True):
            _comment(work_id, c, me)
    if not comments:
        st.caption("No discussion yet. The first strong comment sets the tone.")


def _comment(work_id: int, c: discussion.CommentRead, me: Actor | None) -> None:
    when = c.created_at.strftime("%Y-%m-%d %H:%M") if c.created_at else ""
    edited = " · edited" if c.edited_at else ""
    st.caption(f"{escape_md(c.author_name, one_line=True)} · {when}{edited}" + (" · reply" if c.depth else ""))
    if c.body is None:
        st.caption("Comment deleted." if c.status == "deleted" else "Comment removed by a moderator.")
        return
    st.text(c.body)
    if me is None:
        return
    mine = me.user_id == c.user_id
    with st.container(horizontal=True):
        if st.button("Reply", icon=":material/reply:", key=f"reply_{c.id}"):
            st.session_state[REPLY_KEY] = c.id
        if mine and st.button("Delete", icon=":material/delete:", key=f"delete_{c.id}"):
            write(
                lambda s: discussion.delete_comment(session=s, actor=me, comment_id=c.id),
                done="Comment deleted.",
                scope="discussion",
            )
    if st.session_state.get(REPLY_KEY) == c.id:
        _comment_form(work_id, me, key=f"reply_form_{c.id}", parent_id=c.id)
    if mine:
        with st.expander("Edit"), st.form(f"edit_{c.id}", border=False):
            body = st.text_area("Comment", value=c.body, key=f"edit_body_{c.id}")
            if st.form_submit_button("Save edit"):
                write(
                    lambda s: discussion.edit_comment(session=s, actor=me, comment_id=c.id, body=body),
                    done="Comment edited.",
                    scope="discussion",
                )
    else:
        report_form("comment", c.id, me)


def _comment_form(work_id: int, me: Actor, *, key: str, parent_id: int | None = None) -> None:
    with st.form(key, border=False, clear_on_submit=True):
        body = st.text_area("Your reply" if parent_id else "Your comment", key=f"{key}_body")
        if st.form_submit_button("Post reply" if parent_id else "Post comment", icon=":material/send:"):
            st.session_state.pop(REPLY_KEY, None)
            write(
                lambda s: discussion.add_comment(session=s, actor=me, work_id=work_id, body=body, parent_id=parent_id),
                done="Reply posted." if parent_id else "Comment posted.",
                scope="discussion",
            )


def report_form(kind: str, target_id: int, me: Actor) -> None:
    """'Report' with a reason, sent to the moderators (one report per person and thing)."""
    with st.popover("Report", icon=":material/flag:"), st.form(f"report_{kind}_{target_id}", border=False):
        reason = st.text_input("What is wrong?", key=f"report_reason_{kind}_{target_id}")
        if st.form_submit_button("Send report"):
            write(
                lambda s: discussion.report(session=s, actor=me, target_kind=kind, target_id=target_id, reason=reason),
                done="Reported: a moderator will look at it.",
                scope="discussion" if kind == "comment" else "reviews",
            )
