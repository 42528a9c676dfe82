"""Peerscope core: data model, importers, queries and analytics. Never imports streamlit."""
