"""The trust card: a person's latest trust snapshot, the components that add up to it, and how it changed.

Numbers and sentences come from ``core.trust`` (snapshots stored by ``core.trust_refresh``); this module only lays
them out. Explanations, facts and sources can carry imported names (an id source, a venue), so every string goes
through ``ui.escape_md`` or into a dataframe cell, never through HTML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.trust import BANDS, LEVEL_MEANING, WEIGHTS, explain_change
from ui import escape_md
from ui.widgets import SOURCE_NAMES, plotly_figure, source_name

COMPONENT_COLUMNS = 3
BAND_COLORS = {"Unverified": "orange", "Emerging": "blue", "Established": "green", "Trusted": "violet"}
CLAIM_BADGES = {
    "unclaimed": ("Unclaimed author", "gray", ":material/person_off:"),
    "pending": ("Claim pending", "orange", ":material/pending:"),
    "claimed": ("Claimed author", "green", ":material/verified:"),
}


def trust_card(trust: Mapping, history: Sequence[Mapping], *, key: str = "trust") -> None:
    """Score, band, verification level and claim; the components with their points; how to raise it; history.

    ``trust`` is the latest snapshot dict (``core.trust.snapshot_to_dict``); ``history`` every stored snapshot,
    oldest first. The chart and the "what changed" comparison appear once there are two snapshots.
    """
    with st.container(border=True):
        st.markdown("**Trust snapshot**")
        score_col, badge_col, raise_col = st.columns([1, 3, 3], gap="medium")
        score_col.metric("Trust score", trust["score"], help="0–100: how much verifiable evidence backs this record.")
        with badge_col:
            trust_badges(trust)
            st.caption(f"**{trust['band']}:** {escape_md(band_meaning(trust['band']))}")
            st.caption(f"**Verification {trust['level']}:** {escape_md(LEVEL_MEANING.get(trust['level'], 'unknown'))}.")
            st.caption(
                f"Computed {when(trust.get('computed_at'))} with method {escape_md(trust.get('algorithm_version'))}. "
                "A measure of verifiable evidence, not of research quality."
            )
        with raise_col:
            if trust.get("suggestions"):
                st.markdown("**How to raise it**")
                st.markdown("\n".join(f"- {escape_md(s, one_line=True)}" for s in trust["suggestions"]))
        components = list(trust["components"])
        for start in range(0, len(components), COMPONENT_COLUMNS):
            row = components[start : start + COMPONENT_COLUMNS]
            for col, c in zip(st.columns(COMPONENT_COLUMNS, gap="medium")[: len(row)], row, strict=True):
                with col:
                    component_bar(c)
        facts_col, how_col = st.columns(2)
        # Four tables in all, read by few: each is drawn when its expander is opened (a rerun), not on every view.
        facts = facts_col.expander("Facts and sources behind each component", key=f"{key}_facts", on_change="rerun")
        with facts:
            if facts.open:
                st.dataframe(facts_table(components), hide_index=True, width="stretch")
        how = how_col.expander("How the score works", key=f"{key}_how", on_change="rerun")
        with how:
            if how.open:
                how_the_score_works()
        trust_history_panel(history, key=key)


def trust_badges(trust: Mapping) -> None:
    """Three badges in a row: band, verification level, claim status."""
    band = trust["band"]
    claim, color, icon = CLAIM_BADGES.get(trust.get("claim_status") or "unclaimed", CLAIM_BADGES["unclaimed"])
    st.markdown(
        f":{BAND_COLORS.get(band, 'gray')}-badge[:material/shield: {band}] "
        f":blue-badge[:material/badge: Verification {trust['level']}] "
        f":{color}-badge[{icon} {claim}]"
    )


def component_bar(c: Mapping) -> None:
    """One component: a bar of points out of its maximum (a penalty bar for integrity), and its sentence."""
    label = escape_md(c["label"], one_line=True)
    if c["maximum"] > 0:
        frac = max(0.0, min(1.0, c["points"] / c["maximum"]))
        text = f"**{label}** · {c['points']:.1f} of {c['maximum']:g}"
    else:  # a penalty: 0 at best, down to its minimum
        low = c.get("minimum") or -1
        frac = max(0.0, min(1.0, c["points"] / low))
        text = f"**{label}** · {c['points']:.1f} (penalty, down to {low:g})"
    st.progress(frac, text=text)
    st.caption(escape_md(c["explanation"]))


def facts_table(components: Sequence[Mapping]) -> pd.DataFrame:
    """One row per component: points, where its facts were read (with dates), then the facts (the long column last,
    so the sources show without scrolling)."""
    return pd.DataFrame(
        [
            {
                "Component": c["label"],
                "Points": f"{c['points']:.1f}",
                "Sources": ", ".join(dated_source(s) for s in c.get("sources") or []) or "store",
                "Facts": "; ".join(
                    f"{k.replace('_', ' ')}: {fact_value(v)}" for k, v in (c.get("facts") or {}).items()
                ),
            }
            for c in components
        ]
    )


def dated_source(label: object) -> str:
    """A stored source label with the source's display name; Peerscope's own and the store's pass through.

    >>> dated_source("openalex 2026-11-30"), dated_source("Peerscope 2026-11-30"), dated_source("store 2026-11-30")
    ('OpenAlex 2026-11-30', 'Peerscope 2026-11-30', 'store 2026-11-30')
    """
    name, _, date = str(label).partition(" ")
    return f"{source_name(name)} {date}".strip() if name.lower() in SOURCE_NAMES else str(label)


def fact_value(v: object) -> str:
    """``["OpenAlex", "DBLP"]`` -> ``"OpenAlex, DBLP"``; ``None`` -> ``"unknown"``; others as text.

    >>> fact_value(["a", "b"]), fact_value(None), fact_value(0.25)
    ('a, b', 'unknown', '0.25')
    """
    if v is None:
        return "unknown"
    if isinstance(v, list | tuple | set):
        return ", ".join(str(x) for x in v) or "none"
    return str(v)


def how_the_score_works() -> None:
    """Bands, verification levels and component weights, straight from ``core.trust``."""
    st.markdown(
        "The score adds up the components below, each capped, and keeps the result within 0–100. Every part "
        "saturates early, so a long career or a famous paper cannot buy the score. Only verified accounts count "
        "as followers, reviewers or network ties."
    )
    uppers = [lower - 1 for lower, _, _ in BANDS[1:]] + [100]
    st.markdown("**Bands**")
    st.dataframe(
        pd.DataFrame(
            [
                {"Band": band, "Score": f"{lower}–{upper}", "Meaning": meaning}
                for (lower, band, meaning), upper in zip(BANDS, uppers, strict=True)
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    st.markdown("**Verification levels**")
    st.dataframe(
        pd.DataFrame([{"Level": lv, "Meaning": meaning} for lv, meaning in LEVEL_MEANING.items()]),
        hide_index=True,
        width="stretch",
    )
    st.markdown("**Components**")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Component": name.capitalize(),
                    "Maximum": f"{maximum:+d}" if maximum < 0 else str(maximum),
                    "Points": how,
                }
                for name, maximum, how in WEIGHTS
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def trust_history_panel(history: Sequence[Mapping], *, key: str) -> None:
    """The score over time, and a component-by-component account of what changed between two chosen snapshots."""
    if len(history) < 2:
        st.caption("One snapshot so far. A new one is kept whenever an input of the score changes.")
        return
    st.markdown(f"**Trust history** · {len(history)} snapshots")
    history_chart(history, key=f"{key}_history_chart")
    labels = [f"{i + 1}. {when(h.get('computed_at'))} · {h['score']} ({h['band']})" for i, h in enumerate(history)]
    a_col, b_col = st.columns(2)
    a = a_col.selectbox(
        "From", range(len(history)), index=len(history) - 2, format_func=labels.__getitem__, key=f"{key}_from"
    )
    b = b_col.selectbox(
        "To", range(len(history)), index=len(history) - 1, format_func=labels.__getitem__, key=f"{key}_to"
    )
    lines = explain_change(history[a], history[b])
    if a == b:
        st.caption("Choose two different snapshots to compare.")
    elif lines:
        st.markdown("\n".join(f"- {escape_md(line, one_line=True)}" for line in lines))
    else:
        st.caption("Nothing that counts towards the score changed between these snapshots.")


def history_chart(history: Sequence[Mapping], *, key: str) -> None:
    """Score per snapshot as a stepped line, with the band thresholds as dotted guides."""
    st.plotly_chart(history_figure(history), key=key, config={"displayModeBar": False})


def history_figure(history: Sequence[Mapping]) -> go.Figure:
    """The history figure, built from one dict: ``add_hline`` re-validates the whole figure for each guide, which
    cost more than the rest of the trust card."""
    guides = [lower for lower, _, _ in BANDS[1:]]
    return plotly_figure(
        {
            "data": [
                {
                    "type": "scatter",
                    "x": [h.get("computed_at") for h in history],
                    "y": [h["score"] for h in history],
                    "mode": "lines+markers",
                    "line": {"shape": "hv", "color": "#4C78A8"},
                    "hovertext": [f"{h['score']} · {h['band']} · {h['level']}" for h in history],
                    "hoverinfo": "x+text",
                    "name": "Trust score",
                }
            ],
            "layout": {
                "shapes": [
                    {
                        "type": "line",
                        "xref": "x domain",
                        "x0": 0,
                        "x1": 1,
                        "yref": "y",
                        "y0": y,
                        "y1": y,
                        "line": {"dash": "dot", "color": "#bbb", "width": 1},
                    }
                    for y in guides
                ],
                "annotations": [
                    {
                        "text": band,
                        "showarrow": False,
                        "xref": "x domain",
                        "x": 1,
                        "xanchor": "right",
                        "yref": "y",
                        "y": lower,
                        "yanchor": "bottom",
                    }
                    for lower, band, _ in BANDS[1:]
                ],
                "height": 220,
                "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
                "showlegend": False,
                "yaxis": {"range": [0, 100]},
            },
        }
    )


def band_meaning(band: str) -> str:
    """The documented meaning of a band name (``core.trust.BANDS``)."""
    return next((meaning for _, name, meaning in BANDS if name == band), "")


def when(iso: str | None) -> str:
    """``"2026-11-30T06:33:55+00:00"`` -> ``"2026-11-30 06:33 UTC"``; unknown -> ``"at an unknown time"``.

    >>> when("2026-11-30T06:33:55+00:00"), when(None)
    ('2026-11-30 06:33 UTC', 'at an unknown time')
    """
    if not iso:
        return "at an unknown time"
    s = str(iso)
    return f"{s[:10]} {s[11:16]} UTC" if len(s) >= 16 else s
