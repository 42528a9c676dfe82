"""The floor of a page run: a Streamlit script that draws one line and reads nothing."""

import streamlit as st

st.write("empty")
