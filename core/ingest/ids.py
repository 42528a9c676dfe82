"""Normalising scholarly identifiers so that the same thing always has the same key.

>>> norm_doi("https://doi.org/10.7717/PEERJ.4375")
'10.7717/peerj.4375'
>>> norm_openalex("https://openalex.org/W2741809807")
'W2741809807'
>>> norm_orcid("https://orcid.org/0000-0002-1825-009x")
'0000-0002-1825-009X'
>>> norm_arxiv("arXiv:2105.14573v3")
'2105.14573'
>>> norm_arxiv("hep-th/0701001v2")
'hep-th/0701001'
"""

from __future__ import annotations

import hashlib
import json
import re

_DOI_RE = re.compile(r"(10\.\d{4,9}/\S+)", re.I)
_ORCID_RE = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", re.I)
_ARXIV_NEW = re.compile(r"(\d{4}\.\d{4,5})(v\d+)?", re.I)
_ARXIV_OLD = re.compile(r"([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?", re.I)
_OPENALEX_RE = re.compile(
    r"(?:openalex\.org/)?(?:(?:works|authors|institutions|sources|concepts|topics|publishers|funders)/)?([WAISCTPF]\d+)$",
    re.I,
)


def norm_doi(value: str | None) -> str | None:
    """Lower-case DOI without resolver prefix, or None."""
    if not value:
        return None
    m = _DOI_RE.search(str(value).strip())
    if not m:
        return None
    return m.group(1).rstrip(".,;").lower()


def norm_orcid(value: str | None) -> str | None:
    if not value:
        return None
    m = _ORCID_RE.search(str(value))
    return m.group(1).upper() if m else None


def norm_arxiv(value: str | None) -> str | None:
    """arXiv identifier without ``arXiv:`` prefix and without version suffix."""
    if not value:
        return None
    v = str(value).strip()
    v = re.sub(r"^(https?://arxiv\.org/(abs|pdf)/|arxiv:)", "", v, flags=re.I).removesuffix(".pdf")
    m = _ARXIV_NEW.fullmatch(v) or _ARXIV_OLD.fullmatch(v)
    if not m:
        m = _ARXIV_NEW.search(v)
        if not m:
            return None
    return m.group(1)


_OPENALEX_URL = "https://openalex.org/"
_OPENALEX_URL_LEN = len(_OPENALEX_URL)
_OPENALEX_KINDS = frozenset("WAISCTPF")
_HIERARCHY_RE = re.compile(r"(?:subfields|fields|domains|keywords)/[\w\-]+")


def norm_openalex(value: str | None) -> str | None:
    """Bare OpenAlex id (``W123``, ``A123``, ...); topic hierarchy ids keep their path (``subfields/2613``).

    >>> norm_openalex("https://openalex.org/subfields/2613"), norm_openalex("w12"), norm_openalex("https://openalex.org/X1")
    ('subfields/2613', 'W12', None)
    """
    if not value:
        return None
    if type(value) is str and value.startswith(_OPENALEX_URL):
        # The canonical forms, some forty times per work record: answered without searching the whole string.
        bare = value[_OPENALEX_URL_LEN:]
        if bare[:1] in _OPENALEX_KINDS and bare[1:].isdecimal():
            return bare
        if _HIERARCHY_RE.fullmatch(bare):
            return bare
    v = str(value).strip().rstrip("/")
    m = re.search(r"openalex\.org/((?:subfields|fields|domains|keywords)/[\w\-]+)$", v)
    if m:
        return m.group(1)
    m = _OPENALEX_RE.search(v)
    return m.group(1).upper() if m else None


def norm_ror(value: str | None) -> str | None:
    if not value:
        return None
    v = str(value).strip().rstrip("/")
    return v.rsplit("/", 1)[-1].lower() or None


_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str)  # json.dumps makes one per call


def record_hash(obj) -> str:
    """Stable short hash of a raw record (dict or text), for provenance and idempotency.

    >>> record_hash({"b": 1, "a": "é"}) == record_hash({"a": "é", "b": 1}) == hashlib.sha1(
    ...     json.dumps({"a": "é", "b": 1}, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    True
    """
    if not isinstance(obj, (str, bytes)):
        obj = _CANONICAL.encode(obj)
    if isinstance(obj, str):
        obj = obj.encode("utf-8")
    return hashlib.sha1(obj).hexdigest()
