"""Fetching works from the OpenAlex API: query planning, cursor paging, retries, resumable state, import into the store.

Only the standard library talks to the network, through a ``Transport`` (``url, headers -> status, headers, body``):
the default one is ``urllib_transport``; tests pass a transport that serves recorded responses. This module never
touches the database: ``core.fetch.pages.fetch_into_store`` imports what it fetches.

>>> plan_query("orcid", "https://orcid.org/0000-0002-1825-0097")
QueryPlan(endpoint='/works', params={'filter': 'author.orcid:0000-0002-1825-0097'})
>>> plan_query("institution", "https://ror.org/02e463172").params
{'filter': 'institutions.ror:02e463172'}
>>> plan_query("search", "  graph   drawing ").params
{'search': 'graph drawing'}
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.client import HTTPException
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

from core.config import get_settings

Transport = Callable[[str, dict[str, str]], tuple[int, dict[str, str], bytes]]

API_BASE = "https://api.openalex.org"
KINDS = ("orcid", "author", "institution", "search")
MAX_PER_PAGE = 200  # the API's limit
DEFAULT_TIMEOUT = 30.0
MAX_BACKOFF = 60.0  # seconds: the longest exponential wait
MAX_RETRY_AFTER = 300.0  # seconds: the longest Retry-After we are willing to honour
RETRYABLE_ERRORS = (urllib.error.URLError, TimeoutError, ConnectionError, HTTPException)

_ORCID_RE = re.compile(r"(?:https?://)?(?:www\.)?(?:orcid\.org/)?(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])", re.I)
_AUTHOR_RE = re.compile(r"(?:https?://)?(?:api\.)?(?:openalex\.org/)?(?:authors/)?(A\d+)", re.I)
_INST_RE = re.compile(r"(?:https?://)?(?:api\.)?(?:openalex\.org/)?(?:institutions/)?(I\d+)", re.I)
_ROR_RE = re.compile(r"(?:https?://)?(?:www\.)?(?:ror\.org/)?(0[0-9a-hjkmnp-tv-z]{6}\d{2})", re.I)
_OTHER_OPENALEX_RE = re.compile(r"(?:https?://)?(?:openalex\.org/)?(?:\w+/)?([WSCTPF]\d+)", re.I)
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


class QueryError(ValueError):
    """The query cannot be sent: unknown kind, or a value of the wrong shape (``str()`` says which and why)."""


class FetchError(RuntimeError):
    """OpenAlex refused the request or kept failing. ``state`` (when set) is the saved point to resume from."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None):
        super().__init__(message)
        self.url, self.status = url, status
        self.state: FetchState | None = None  # set by fetch_into_store
        self.summary = None  # the ImportSummary of the pages committed before the error (fetch_into_store)


# ---- query planning --------------------------------------------------------------------------------------------
class QueryPlan(NamedTuple):
    """An API endpoint and the parameters that select the records (no paging, no mailto)."""

    endpoint: str
    params: dict[str, str]

    @property
    def key(self) -> str:
        """Stable short hash naming this query (its saved state file)."""
        return hashlib.sha1(self.label.encode()).hexdigest()[:16]

    @property
    def label(self) -> str:
        """``/works?filter=author.id:A1``: readable, and the same for every run of the query."""
        return f"{self.endpoint}?{urlencode(sorted(self.params.items()), safe=':/')}"


def plan_query(kind: str, value: str) -> QueryPlan:
    """The endpoint and filter for ``kind`` (orcid | author | institution | search); ``QueryError`` if invalid.

    >>> plan_query("author", "https://openalex.org/a5009198168")
    QueryPlan(endpoint='/works', params={'filter': 'author.id:A5009198168'})
    >>> plan_query("institution", "I1288198617").params
    {'filter': 'institutions.id:I1288198617'}
    >>> plan_query("orcid", "0000-0002-1825-0098")
    Traceback (most recent call last):
    ...
    core.fetch.openalex_api.QueryError: ORCID iD 0000-0002-1825-0098 fails its checksum (last character should be 7)
    """
    if kind not in KINDS:
        raise QueryError(f"unknown query kind {kind!r}: choose one of {', '.join(KINDS)}")
    text = " ".join(str(value or "").split())
    if not text:
        raise QueryError(f"empty {kind}: give a value to fetch")
    if kind == "orcid":
        return QueryPlan("/works", {"filter": f"author.orcid:{valid_orcid(text)}"})
    if kind == "author":
        m = _AUTHOR_RE.fullmatch(text)
        if not m:
            raise QueryError(_id_problem(text, "an OpenAlex author id like A5023888391"))
        return QueryPlan("/works", {"filter": f"author.id:{m.group(1).upper()}"})
    if kind == "institution":
        if m := _INST_RE.fullmatch(text):
            return QueryPlan("/works", {"filter": f"institutions.id:{m.group(1).upper()}"})
        return QueryPlan("/works", {"filter": f"institutions.ror:{valid_ror(text)}"})
    return QueryPlan("/works", {"search": text})


def valid_orcid(value: str) -> str:
    """``0000-0002-1825-0097`` from any usual spelling of a valid ORCID iD; ``QueryError`` otherwise.

    >>> valid_orcid("orcid.org/0000000218250097")
    '0000-0002-1825-0097'
    """
    m = _ORCID_RE.fullmatch(value.strip())
    if not m:
        raise QueryError(f"{value!r} is not an ORCID iD: expected 16 digits like 0000-0002-1825-0097")
    orcid = "-".join(m.groups()).upper()
    digits = orcid.replace("-", "")
    total = 0
    for d in digits[:-1]:  # ISO 7064 MOD 11-2
        total = (total + int(d)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    if digits[-1] != expected:
        raise QueryError(f"ORCID iD {orcid} fails its checksum (last character should be {expected})")
    return orcid


def valid_ror(value: str) -> str:
    """The bare ROR id (``02e463172``) of a valid ROR id or URL; ``QueryError`` otherwise.

    >>> valid_ror("https://ror.org/02E463172")
    '02e463172'
    """
    m = _ROR_RE.fullmatch(value.strip())
    if not m:
        raise QueryError(
            _id_problem(value, "a ROR id like https://ror.org/02e463172 or an OpenAlex id like I1288198617")
        )
    ror = m.group(1).lower()
    number = 0
    for ch in ror[:7]:  # Crockford base32, checked with ISO 7064 MOD 97-10
        number = number * 32 + _CROCKFORD.index(ch)
    if 98 - (number * 100) % 97 != int(ror[7:]):
        raise QueryError(f"ROR id {ror} fails its checksum")
    return ror


def _id_problem(value: str, wanted: str) -> str:
    if m := _OTHER_OPENALEX_RE.fullmatch(value.strip()):
        what = {"W": "a work", "S": "a source", "C": "a concept", "T": "a topic", "P": "a publisher", "F": "a funder"}
        return f"{m.group(1).upper()} is {what[m.group(1)[0].upper()]} id; expected {wanted}"
    return f"{value!r} is not {wanted}"


# ---- resumable state -------------------------------------------------------------------------------------------
@dataclass
class FetchState:
    """Where a fetch stands: the cursor of the next request, and how much came before it.

    ``skip`` counts results of the ``cursor`` page already taken (a record cap can stop inside a page).
    """

    query_key: str
    query: str
    cursor: str = "*"
    skip: int = 0
    records: int = 0
    pages: int = 0
    total: int | None = None  # OpenAlex's count of matching records
    done: bool = False
    updated_at: str | None = None

    @classmethod
    def new(cls, plan: QueryPlan) -> FetchState:
        return cls(query_key=plan.key, query=plan.label)

    def update_from(self, other: FetchState) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(other, f.name))

    def save(self, path: Path) -> None:
        """Write atomically (a crash mid-write leaves the previous state)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(self), indent=1))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> FetchState | None:
        if not path.exists():
            return None
        data = json.loads(path.read_text())
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


def state_path(query_key: str, state_dir: Path | None = None) -> Path:
    """``<data_dir>/fetch_state/openalex-<key>.json``."""
    return (state_dir or get_settings().data_dir / "fetch_state") / f"openalex-{query_key}.json"


# ---- HTTP ------------------------------------------------------------------------------------------------------
def urllib_transport(url: str, headers: dict[str, str], *, timeout: float = DEFAULT_TIMEOUT) -> tuple[int, dict, bytes]:
    """A real GET. HTTP error statuses are returned, not raised; network failures raise ``URLError`` and kin."""
    request = urllib.request.Request(url, headers=headers, method="GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, dict(err.headers.items()) if err.headers else {}, err.read()


def get_json(
    url: str,
    headers: dict[str, str],
    *,
    transport: Transport,
    sleep: Callable[[float], None] = time.sleep,
    max_retries: int = 5,
    backoff: float = 1.0,
    jitter: bool = True,
    shown_url: str | None = None,
) -> dict:
    """GET a JSON object, retrying 429, 5xx, network errors and unreadable bodies with exponential backoff
    (``backoff * 2**attempt``, at most ``MAX_BACKOFF``, plus up to 25% jitter) or the server's ``Retry-After``."""
    shown_url = shown_url or url
    for attempt in range(max_retries + 1):
        wait = None
        try:
            status, resp_headers, body = transport(url, headers)
        except RETRYABLE_ERRORS as exc:
            status, problem = None, f"{type(exc).__name__}: {exc}"
        else:
            if 200 <= status < 300:
                try:
                    data = json.loads(body)
                    if isinstance(data, dict):
                        return data
                    problem = "the response is not a JSON object"
                except ValueError:
                    problem = "the response is not valid JSON (cut short?)"
            elif status == 429 or status >= 500:
                problem = f"HTTP {status}"
                wait = _retry_after({k.lower(): v for k, v in (resp_headers or {}).items()})
            else:
                raise FetchError(
                    f"OpenAlex refused {shown_url}: HTTP {status}: {_error_message(body)}", url=shown_url, status=status
                )
        if attempt == max_retries:
            raise FetchError(
                f"OpenAlex kept failing for {shown_url}: {problem} (gave up after {attempt + 1} attempts)",
                url=shown_url,
                status=status,
            )
        if wait is None:
            wait = min(backoff * 2**attempt, MAX_BACKOFF)
            if jitter:
                wait *= 1 + random.random() / 4
        sleep(wait)
    raise AssertionError("unreachable")


def _retry_after(headers: dict[str, str]) -> float | None:
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _error_message(body: bytes) -> str:
    try:
        data = json.loads(body)
        if isinstance(data, dict):
            return " ".join(str(data[k]) for k in ("error", "message") if data.get(k)) or body.decode()[:300]
    except ValueError:
        pass
    return body.decode("utf-8", "replace")[:300] or "(empty body)"


# ---- paging ----------------------------------------------------------------------------------------------------
@dataclass
class Page:
    """One page of results, and the state to save once they are safely used."""

    results: list[dict]
    number: int  # 1-based, counted over the whole query (resumed runs continue the count)
    state: FetchState


@dataclass
class FetchOptions:
    """How to talk to the API (everything but the query and the cap)."""

    transport: Transport | None = None
    mailto: str | None = None
    per_page: int = MAX_PER_PAGE
    sleep: Callable[[float], None] = time.sleep
    max_retries: int = 5
    backoff: float = 1.0
    jitter: bool = True
    base_url: str = API_BASE

    def __post_init__(self) -> None:
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}, not {self.per_page}")
        if self.max_retries < 0 or self.backoff < 0:
            raise ValueError("max_retries and backoff must be 0 or more")

    def headers(self, mailto: str | None) -> dict[str, str]:
        agent = f"Peerscope (mailto:{mailto})" if mailto else "Peerscope"
        return {"User-Agent": agent, "Accept": "application/json"}


def fetch_pages(
    plan: QueryPlan, state: FetchState, *, max_records: int | None = None, options: FetchOptions | None = None
) -> Iterator[Page]:
    """Pages from ``state`` onwards, until the results end or ``state.records`` reaches ``max_records``.
    ``state`` is not changed: each page carries the state after it, for the caller to keep once it has used it.
    Arguments are checked at the call, before any request."""
    if max_records is not None and max_records < 0:
        raise ValueError(f"max_records must be 0 or more, not {max_records}")
    return _pages(plan, state, max_records, options or FetchOptions())


def _pages(plan: QueryPlan, state: FetchState, max_records: int | None, opts: FetchOptions) -> Iterator[Page]:
    transport = opts.transport or urllib_transport
    mailto = opts.mailto if opts.mailto is not None else get_settings().openalex_mailto
    cur = FetchState(**asdict(state))
    while not cur.done:
        remaining = None if max_records is None else max_records - cur.records
        if remaining is not None and remaining <= 0:
            return
        # Ask only for what the cap still allows (the cursor marks a position, not a page size).
        size = opts.per_page if remaining is None else min(opts.per_page, cur.skip + remaining)
        size = min(max(size, cur.skip + 1), MAX_PER_PAGE)
        params = {**plan.params, "per-page": str(size), "cursor": cur.cursor}
        shown = f"{opts.base_url}{plan.endpoint}?{urlencode(params, safe=':/*,')}"
        url = shown + (f"&{urlencode({'mailto': mailto}, safe='@')}" if mailto else "")
        data = get_json(
            url,
            opts.headers(mailto),
            transport=transport,
            sleep=opts.sleep,
            max_retries=opts.max_retries,
            backoff=opts.backoff,
            jitter=opts.jitter,
            shown_url=shown,
        )
        raw = data.get("results")
        meta = data.get("meta") or {}
        if not isinstance(raw, list):
            raise FetchError(f"unexpected response from {shown}: no 'results' list", url=shown)
        taken = raw[cur.skip :]
        if remaining is not None:
            taken = taken[:remaining]
        nxt = FetchState(**asdict(cur))
        nxt.records += len(taken)
        nxt.pages += 1
        nxt.total = meta.get("count", cur.total)
        nxt.updated_at = datetime.now(UTC).isoformat(timespec="seconds")
        if cur.skip + len(taken) < len(raw):  # stopped inside the page by the cap: come back to it
            nxt.skip = cur.skip + len(taken)
        else:
            nxt.cursor, nxt.skip = meta.get("next_cursor"), 0
            nxt.done = not raw or not nxt.cursor
        yield Page(results=taken, number=nxt.pages, state=nxt)
        cur = nxt


def fetch_works(
    kind: str,
    value: str,
    *,
    transport: Transport | None = None,
    mailto: str | None = None,
    per_page: int = MAX_PER_PAGE,
    max_records: int | None = None,
    state: FetchState | None = None,
    on_page: Callable[[FetchState], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    max_retries: int = 5,
    backoff: float = 1.0,
    jitter: bool = True,
    base_url: str = API_BASE,
) -> Iterator[dict]:
    """Raw OpenAlex work objects matching the query, page by page (cursor paging).

    ``mailto`` (default: settings' ``openalex_mailto``) puts the requests in OpenAlex's polite pool.
    ``state`` resumes an earlier fetch and is updated in place once each page's records have all been consumed,
    then ``on_page(state)`` is called (save it there). ``max_records`` caps ``state.records`` (resumed runs included).
    """
    plan = plan_query(kind, value)
    if state is None:
        state = FetchState.new(plan)
    elif state.query_key != plan.key:
        raise ValueError(f"the state is for {state.query!r}, not {plan.label!r}")
    opts = FetchOptions(transport, mailto, per_page, sleep, max_retries, backoff, jitter, base_url)
    pages = fetch_pages(plan, state, max_records=max_records, options=opts)  # checks its arguments now
    return _records(pages, state, on_page)


def _records(pages: Iterator[Page], state: FetchState, on_page: Callable[[FetchState], None] | None) -> Iterator[dict]:
    for page in pages:
        yield from page.results
        state.update_from(page.state)
        if on_page:
            on_page(state)
