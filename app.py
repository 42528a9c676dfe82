"""Peerscope: page config, navigation over pages/, and the shared sidebar (global search, store summary).

Run with ``streamlit run app.py``. On first start with an empty store the seed world is loaded (``ui.state``).
"""

import streamlit as st

from ui import runtime, session, state
from ui.widgets import plural, register_pages

st.set_page_config(page_title="Peerscope", page_icon=":material/travel_explore:", layout="wide")

home = st.Page("pages/home.py", title="Search", icon=":material/search:", url_path="home", default=True)
pages = [
    home,
    st.Page("pages/researcher.py", title="Researcher", icon=":material/person:", url_path="researcher"),
    st.Page("pages/paper.py", title="Paper", icon=":material/article:", url_path="paper"),
    st.Page("pages/explorer.py", title="Explorer", icon=":material/hub:", url_path="explorer"),
    st.Page("pages/lab.py", title="Lab map", icon=":material/groups:", url_path="lab"),
    st.Page("pages/import_data.py", title="Import", icon=":material/upload_file:", url_path="import_data"),
]
pages += [  # accounts and moderation (ui.session holds the signed-in actor)
    st.Page("pages/account.py", title="Account", icon=":material/account_circle:", url_path="account"),
    st.Page("pages/moderation.py", title="Moderation", icon=":material/gavel:", url_path="moderation"),
]
current = st.navigation(pages)
register_pages({f"pages/{p.url_path}.py": p for p in pages})  # page links by object: no path lookup per link

state.get_engine()  # migrates the store, and loads the seed world into an empty one (with a spinner)

with st.sidebar:
    with st.form("global_search", border=False):
        query = st.text_input("Search", placeholder="Researchers, works, topics, institutions", key="global_q")
        submitted = st.form_submit_button("Search", icon=":material/search:")
    if submitted and query.strip():
        st.switch_page(home, query_params={"q": query.strip()})

    stats = state.store_stats()
    st.caption(
        f"Store: {plural(stats['works'], 'work')} · {plural(stats['researchers'], 'researcher')} · "
        f"{plural(stats['institutions'], 'institution')} · {plural(stats['topics'], 'topic')}"
    )
    session.sidebar_widget()  # 'Signed in as …' / 'Sign in'

try:
    current.run()
finally:
    runtime.settle_long_lived_objects()  # once per process: see ui.runtime
