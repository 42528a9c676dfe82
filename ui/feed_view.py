"""The home page's feed: new works of the people a signed-in visitor follows (``core.social.feed``)."""

from __future__ import annotations

import streamlit as st

from core import social
from ui import escape_md, session
from ui.widgets import empty_state, paper_link

FEED_SHOWN = 20


def feed_section() -> None:
    """Nothing for anonymous visitors beyond a sign-in link; the feed, or how to start one, for members."""
    me = session.refresh()  # cheap, and right even when the page runs alone
    st.subheader("From people you follow")
    if me is None:
        session.sign_in_prompt("follow researchers and see their new works here")
        return
    items = session.read(lambda s: social.feed(session=s, actor=me, limit=FEED_SHOWN))
    for item in items:
        paper_link(item.work_id, item.title, year=item.year)
        st.caption(f"by {escape_md(item.researcher_name, one_line=True)} · added {item.added_at:%Y-%m-%d}")
    if not items:
        empty_state("Your feed is empty.", "Follow researchers from their profiles to see their new works here.")
