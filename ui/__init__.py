"""Streamlit-only helpers: the cached engine and read results (``ui.state``), reusable widgets (``ui.widgets``),
and the text helpers below, which make imported text safe to show through Streamlit's Markdown renderer.

Titles, names and abstracts come from outside sources: a ``*`` or ``[`` in a title must not turn into emphasis or
a link, a ``$`` must not start LaTeX, and ``:red[...]`` must not colour anything. Nothing here touches HTML: pages
never use ``unsafe_allow_html`` and Streamlit's Markdown escapes raw HTML on its own. ``core`` never imports ``ui``.
"""

from __future__ import annotations

import re
import string
from urllib.parse import quote

# CommonMark lets every ASCII punctuation character be backslash-escaped, which makes it literal.
_MD_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
_SPACES = re.compile(r"\s+")


def escape_md(text: object, *, one_line: bool = False) -> str:
    r"""``text`` as Markdown that renders exactly as the characters it holds.

    >>> escape_md("Deep *nets* [v2] cost $5")
    'Deep \\*nets\\* \\[v2\\] cost \\$5'
    >>> escape_md(":red[x] <b>")
    '\\:red\\[x\\] \\<b\\>'
    >>> escape_md("two\nlines", one_line=True)
    'two lines'
    >>> escape_md(None)
    ''
    """
    if text is None:
        return ""
    s = str(text)
    if one_line:
        s = _SPACES.sub(" ", s).strip()
    return _MD_SPECIAL.sub(r"\\\1", s)


def safe_url(url: object) -> str | None:
    """``url`` if it is an http(s) address, percent-encoding what would end a Markdown link; else ``None``.

    >>> safe_url("https://github.com/a/b (code)")
    'https://github.com/a/b%20%28code%29'
    >>> safe_url("javascript:alert(1)") is None
    True
    """
    if not url:
        return None
    s = str(url).strip()
    if not s.lower().startswith(("http://", "https://")):
        return None
    return quote(s, safe=":/?#@!$&'*+,;=%-._~")


def md_link(label: object, url: object) -> str:
    """A Markdown link with an escaped label, or just the escaped label when the URL is not http(s).

    >>> md_link("doi [x]", "https://doi.org/10.1/x")
    '[doi \\\\[x\\\\]](https://doi.org/10.1/x)'
    >>> md_link("local", "file:///etc/passwd")
    'local'
    """
    href = safe_url(url)
    text = escape_md(label, one_line=True)
    return f"[{text}]({href})" if href else text
