"""The OpenAlex fetch, end to end against recorded responses built here from the real ego-network works.

``RecordedOpenAlex`` answers ``/works`` requests the way the API does (filter on the raw records, cursor paging, the
``{"meta": ..., "results": [...]}`` envelope) and records every URL; wrappers inject errors. No network anywhere.
"""

from __future__ import annotations

import base64
import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.error import URLError
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from core import queries
from core.config import get_settings
from core.db import session_scope
from core.fetch import FetchError, FetchState, QueryError, fetch_into_store, fetch_works, plan_query
from core.fetch.openalex_api import state_path
from core.ingest.loader import ImportFailed
from core.models import ImportRun

WORKS_FILE = Path(__file__).resolve().parents[3] / "shared" / "data" / "openalex-ego-bangor" / "works.jsonl"
AUTHOR = "A5009198168"  # nine works in the file; ORCID 0000-0002-0000-4111
ORCID = "0000-0002-0000-4111"
ROR = "02e463172"  # Bangor University, I1288198617
MAILTO = "team@example.org"


@pytest.fixture(scope="module")
def works() -> list[dict]:
    if not WORKS_FILE.exists():
        pytest.skip(f"shared data absent: {WORKS_FILE}")
    return [json.loads(line) for line in WORKS_FILE.read_text().splitlines() if line.strip()]


def _bare(url: str | None) -> str | None:
    return url.rsplit("/", 1)[-1] if url else None


def author_work_ids(works: list[dict], author_id: str) -> set[str]:
    """Independently of the transport: the works listing ``author_id`` among their authors."""
    return {_bare(w["id"]) for w in works if author_id in {_bare(a["author"].get("id")) for a in w["authorships"]}}


# ---- recorded API ----------------------------------------------------------------------------------------------
def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: str) -> int:
    return 0 if cursor == "*" else int(base64.urlsafe_b64decode(cursor).decode().split(":")[1])


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


class RecordedOpenAlex:
    """Serves ``/works`` from raw records like the API; ``page_size`` set ignores the requested ``per-page``."""

    def __init__(self, works: list[dict], page_size: int | None = None):
        self.works = sorted(works, key=lambda w: w["id"])
        self.page_size = page_size
        self.urls: list[str] = []
        self.headers: list[dict[str, str]] = []

    def __call__(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.urls.append(url)
        self.headers.append(headers)
        assert urlsplit(url).path == "/works"
        q = _query(url)
        matches = [w for w in self.works if self._matches(w, q)]
        per_page = self.page_size or int(q.get("per-page", 25))
        offset = _offset(q["cursor"])
        chunk = matches[offset : offset + per_page]
        meta = {
            "count": len(matches),
            "per_page": per_page,
            "next_cursor": _cursor(offset + len(chunk)) if chunk else None,
        }
        return 200, {"Content-Type": "application/json"}, json.dumps({"meta": meta, "results": chunk}).encode()

    @staticmethod
    def _matches(w: dict, q: dict[str, str]) -> bool:
        if "search" in q:
            return all(word in (w.get("title") or "").lower() for word in q["search"].lower().split())
        field, _, value = q["filter"].partition(":")
        authors = [a["author"] for a in w["authorships"]]
        insts = [i for a in w["authorships"] for i in a["institutions"]]
        return {
            "author.id": lambda: any(_bare(a.get("id")) == value for a in authors),
            "author.orcid": lambda: any(_bare(a.get("orcid")) == value for a in authors),
            "institutions.ror": lambda: any(_bare(i.get("ror")) == value for i in insts),
            "institutions.id": lambda: any(_bare(i.get("id")) == value for i in insts),
        }[field]()


class Scripted:
    """Answers the first requests from ``script`` (an exception to raise, or ``(status, headers, body)``), then
    passes requests on to ``inner``; ``fail_after`` successful answers, every later request gets a 503."""

    def __init__(self, inner, script=(), fail_after: int | None = None):
        self.inner, self.script, self.fail_after = inner, list(script), fail_after
        self.urls: list[str] = []
        self.served = 0

    def __call__(self, url, headers):
        self.urls.append(url)
        if self.script:
            step = self.script.pop(0)
            if isinstance(step, Exception):
                raise step
            return step
        if self.fail_after is not None and self.served >= self.fail_after:
            return 503, {}, b'{"error": "Service Unavailable"}'
        self.served += 1
        return self.inner(url, headers)


class Sleeps(list):
    """An injected ``sleep`` that records durations instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


# ---- planning and validation -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "value", "params"),
    [
        ("orcid", "https://orcid.org/0000-0002-1825-0097", {"filter": "author.orcid:0000-0002-1825-0097"}),
        ("orcid", "0000000218250097", {"filter": "author.orcid:0000-0002-1825-0097"}),
        ("orcid", "0000-0002-1694-233x", {"filter": "author.orcid:0000-0002-1694-233X"}),
        ("author", "https://openalex.org/authors/a5009198168", {"filter": "author.id:A5009198168"}),
        ("institution", "https://ror.org/02e463172", {"filter": "institutions.ror:02e463172"}),
        ("institution", "I1288198617", {"filter": "institutions.id:I1288198617"}),
        ("search", "  immersive   analytics ", {"search": "immersive analytics"}),
    ],
)
def test_plan_query(kind, value, params):
    assert plan_query(kind, value) == ("/works", params)


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("orcid", "0000-0002-1825-0098", "fails its checksum (last character should be 7)"),
        ("orcid", "0000-0002-1825", "is not an ORCID iD"),
        ("author", "W2741809807", "W2741809807 is a work id; expected an OpenAlex author id"),
        ("author", "Jonathan Roberts", "is not an OpenAlex author id"),
        ("institution", "02e463171", "ROR id 02e463171 fails its checksum"),
        ("institution", "Bangor University", "is not a ROR id"),
        ("search", "   ", "empty search"),
        ("doi", "10.1/x", "unknown query kind 'doi': choose one of orcid, author, institution, search"),
    ],
)
def test_bad_input_is_refused_before_any_request(kind, value, message):
    calls = []
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        fetch_works(kind, value, transport=lambda url, headers: calls.append(url))
    assert calls == []


# ---- paging ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "value"), [("author", AUTHOR), ("orcid", ORCID), ("institution", ROR), ("institution", "I1288198617")]
)
def test_paging_returns_exactly_the_matching_works(works, kind, value):
    if kind == "institution":
        want = {
            _bare(w["id"])
            for w in works
            if any(i.get("ror") == f"https://ror.org/{ROR}" for a in w["authorships"] for i in a["institutions"])
        }
    else:
        want = author_work_ids(works, AUTHOR)
    assert len(want) == 9
    api = RecordedOpenAlex(works)
    got = [w["id"] for w in fetch_works(kind, value, transport=api, mailto=MAILTO, per_page=3)]
    assert len(got) == len(want) and {_bare(i) for i in got} == want
    # Full pages of 3, then the empty page that ends the cursor.
    assert len(api.urls) == math.ceil(len(want) / 3) + (len(want) % 3 == 0)
    cursors = [_query(u)["cursor"] for u in api.urls]
    assert cursors == ["*"] + [_cursor(3 * i) for i in range(1, len(api.urls))]
    assert all(_query(u)["mailto"] == MAILTO and _query(u)["per-page"] == "3" for u in api.urls)
    assert all(h["User-Agent"] == f"Peerscope (mailto:{MAILTO})" for h in api.headers)


def test_search_pages_through_matching_titles(works):
    want = {_bare(w["id"]) for w in works if "visualization" in (w.get("title") or "").lower()}
    api = RecordedOpenAlex(works)
    got = {_bare(w["id"]) for w in fetch_works("search", "Visualization", transport=api, mailto=MAILTO, per_page=2)}
    assert got == want and len(want) >= 3
    assert _query(api.urls[0])["search"] == "Visualization"


def test_mailto_comes_from_settings(works, monkeypatch):
    monkeypatch.setenv("PEERSCOPE_OPENALEX_MAILTO", "ops@peerscope.test")
    get_settings.cache_clear()
    try:
        api = RecordedOpenAlex(works)
        assert len(list(fetch_works("author", AUTHOR, transport=api, per_page=5))) == 9
        assert [_query(u)["mailto"] for u in api.urls] == ["ops@peerscope.test"] * 3  # 5 + 4 + the empty end
        monkeypatch.delenv("PEERSCOPE_OPENALEX_MAILTO")
        get_settings.cache_clear()
        anonymous = RecordedOpenAlex(works)
        list(fetch_works("author", AUTHOR, transport=anonymous, per_page=5))
        assert all("mailto" not in _query(u) for u in anonymous.urls)
        assert anonymous.headers[0]["User-Agent"] == "Peerscope"
    finally:
        get_settings.cache_clear()


def test_default_transport_over_real_http_on_localhost(works):
    """The urllib transport the app uses, against a local server replaying the recorded API (a 503 first)."""
    api = Scripted(RecordedOpenAlex(works), [(503, {"Retry-After": "0"}, b'{"error": "busy"}')])
    agents = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            agents.append(self.headers["User-Agent"])
            status, headers, body = api(f"https://api.openalex.org{self.path}", dict(self.headers))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        slept = Sleeps()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        got = list(fetch_works("author", AUTHOR, mailto=MAILTO, per_page=4, sleep=slept, base_url=base))
    finally:
        server.shutdown()
        server.server_close()
    assert {_bare(w["id"]) for w in got} == author_work_ids(works, AUTHOR) and len(got) == 9
    assert slept == [0.0] and len(api.urls) == 5  # the 503, then pages of 4, 4, 1 and the empty end
    assert agents == [f"Peerscope (mailto:{MAILTO})"] * 5


# ---- retries ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("script", "sleeps"),
    [
        ([(503, {}, b"")], [1.0]),
        ([(503, {}, b""), (502, {}, b""), (500, {}, b"")], [1.0, 2.0, 4.0]),
        ([(429, {"Retry-After": "7"}, b"")], [7.0]),
        ([(429, {"retry-after": "0"}, b""), (503, {}, b"")], [0.0, 2.0]),
        ([URLError("timed out"), TimeoutError("read timed out")], [1.0, 2.0]),
        ([(200, {}, b'{"meta": {"count": 9'), (200, {}, b"[]")], [1.0, 2.0]),  # cut short; not an object
    ],
)
def test_transient_errors_are_retried_with_backoff(works, script, sleeps):
    api = Scripted(RecordedOpenAlex(works), script)
    slept = Sleeps()
    got = list(fetch_works("author", AUTHOR, transport=api, mailto=MAILTO, per_page=3, sleep=slept, jitter=False))
    assert {_bare(w["id"]) for w in got} == author_work_ids(works, AUTHOR) and len(got) == 9
    assert slept == sleeps
    assert len(api.urls) == len(script) + 4
    assert len(set(api.urls[: len(script) + 1])) == 1  # the same first page, asked again


def test_jitter_adds_at_most_a_quarter(works):
    slept = Sleeps()
    api = Scripted(RecordedOpenAlex(works), [(503, {}, b"")] * 3)
    list(fetch_works("author", AUTHOR, transport=api, mailto=MAILTO, sleep=slept, backoff=2.0))
    assert len(slept) == 3
    for base, got in zip([2.0, 4.0, 8.0], slept, strict=True):
        assert base <= got <= base * 1.25


def test_gives_up_after_max_retries_and_keeps_mailto_out_of_the_message(works):
    api = Scripted(RecordedOpenAlex(works), fail_after=0)
    slept = Sleeps()
    records = fetch_works("author", AUTHOR, transport=api, mailto=MAILTO, sleep=slept, max_retries=3, jitter=False)
    with pytest.raises(FetchError, match=r"HTTP 503 \(gave up after 4 attempts\)") as err:
        list(records)
    assert slept == [1.0, 2.0, 4.0] and len(api.urls) == 4
    assert err.value.status == 503 and MAILTO not in str(err.value) and "author.id:A5009198168" in str(err.value)


def test_client_errors_are_not_retried(works):
    body = json.dumps({"error": "Invalid query parameters error.", "message": "author.id is not valid"}).encode()
    api = Scripted(RecordedOpenAlex(works), [(400, {}, body)])
    slept = Sleeps()
    with pytest.raises(FetchError, match="HTTP 400: Invalid query parameters error. author.id is not valid") as err:
        list(fetch_works("author", AUTHOR, transport=api, sleep=slept))
    assert err.value.status == 400 and slept == [] and len(api.urls) == 1


# ---- cap and resumable state -----------------------------------------------------------------------------------
def test_cap_stops_at_max_records_and_the_state_resumes(works):
    every = sorted(author_work_ids(works, AUTHOR))
    api = RecordedOpenAlex(works)
    state = FetchState.new(plan_query("author", AUTHOR))
    seen_states = []
    first = fetch_works(
        "author",
        AUTHOR,
        transport=api,
        mailto=MAILTO,
        per_page=3,
        max_records=4,
        state=state,
        on_page=seen_states.append,
    )
    assert [_bare(w["id"]) for w in first] == every[:4]
    # The second request asks only for the one record the cap still allows.
    assert [_query(u)["per-page"] for u in api.urls] == ["3", "1"]
    assert (state.records, state.pages, state.total, state.done, state.skip) == (4, 2, 9, False, 0)
    assert state.cursor == _cursor(4) and len(seen_states) == 2

    rest = [
        _bare(w["id"]) for w in fetch_works("author", AUTHOR, transport=api, mailto=MAILTO, per_page=3, state=state)
    ]
    assert rest == every[4:]
    assert _query(api.urls[2])["cursor"] == _cursor(4)
    assert state.done and state.records == 9


def test_cap_inside_a_page_comes_back_to_it(works):
    """A server that ignores ``per-page``: the cap stops inside a page, and the resumed run skips what was taken."""
    every = sorted(author_work_ids(works, AUTHOR))
    api = RecordedOpenAlex(works, page_size=3)
    state = FetchState.new(plan_query("author", AUTHOR))
    got = [_bare(w["id"]) for w in fetch_works("author", AUTHOR, transport=api, max_records=4, state=state)]
    assert got == every[:4]
    assert (state.cursor, state.skip, state.records) == (_cursor(3), 1, 4)
    got += [_bare(w["id"]) for w in fetch_works("author", AUTHOR, transport=api, state=state)]
    assert got == every and state.done


def test_state_saves_and_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("PEERSCOPE_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        plan = plan_query("orcid", ORCID)
        path = state_path(plan.key)
        assert path == tmp_path / "fetch_state" / f"openalex-{plan.key}.json"
    finally:
        get_settings.cache_clear()
    state = FetchState(plan.key, plan.label, cursor="abc", records=6, pages=2, total=9)
    state.save(path)
    assert FetchState.load(path) == state and FetchState.load(tmp_path / "none.json") is None
    assert plan.label == "/works?filter=author.orcid:0000-0002-0000-4111"
    with pytest.raises(ValueError, match="the state is for '/works\\?filter=author.orcid"):
        fetch_works("author", AUTHOR, state=state)


# ---- into the store --------------------------------------------------------------------------------------------
@pytest.fixture
def engine(empty_store):
    return empty_store


def _stats(engine) -> dict:
    with session_scope(engine) as s:
        return queries.store_stats(session=s)


def expected_store(works: list[dict], work_ids: set[str]) -> dict:
    mine = [w for w in works if _bare(w["id"]) in work_ids]
    return {
        "works": len(mine),
        "researchers": len({_bare(a["author"]["id"]) for w in mine for a in w["authorships"]}),
        "authorships": len({(_bare(w["id"]), _bare(a["author"]["id"])) for w in mine for a in w["authorships"]}),
    }


def test_fetch_into_store_resumes_after_a_failure(engine, works, tmp_path):
    every = sorted(author_work_ids(works, AUTHOR))
    want = expected_store(works, set(every))
    state_dir = tmp_path / "fetch_state"
    opts = dict(engine=engine, mailto=MAILTO, per_page=3, state_dir=state_dir, jitter=False)

    # Run 1: the API breaks for good after two pages.
    broken = Scripted(RecordedOpenAlex(works), fail_after=2)
    progress, slept = [], Sleeps()
    with pytest.raises(FetchError) as err:
        fetch_into_store(
            "author", AUTHOR, transport=broken, on_progress=progress.append, sleep=slept, max_retries=2, **opts
        )
    saved = err.value.state
    assert (saved.records, saved.pages, saved.done, saved.cursor) == (6, 2, False, _cursor(6))
    assert FetchState.load(state_path(saved.query_key, state_dir)) == saved
    assert [(p.records, p.pages, p.total, p.added) for p in progress] == [(3, 1, 9, 3), (6, 2, 9, 6)]
    assert [round(p.fraction, 3) for p in progress] == [0.333, 0.667]
    assert slept == [1.0, 2.0] and err.value.summary.added == 6
    assert _stats(engine)["works"] == 6

    # Run 2: a healthy API; the first request picks up at the saved cursor.
    api = RecordedOpenAlex(works)
    second = fetch_into_store("author", AUTHOR, transport=api, **opts)
    assert _query(api.urls[0])["cursor"] == _cursor(6)
    assert [_query(u)["cursor"] for u in api.urls] == [_cursor(6), _cursor(9)]
    assert second.resumed and second.status == "done" and second.pages == 2
    assert (second.summary.added, second.summary.updated, second.summary.unchanged) == (3, 0, 0)
    assert (second.state.records, second.state.done) == (9, True)
    got = _stats(engine)
    assert {k: got[k] for k in want} == want

    # Run 3: a finished fetch starts over and finds nothing new.
    again = RecordedOpenAlex(works)
    third = fetch_into_store("author", AUTHOR, transport=again, **opts)
    assert _query(again.urls[0])["cursor"] == "*" and not third.resumed and third.status == "done"
    assert (third.summary.added, third.summary.updated, third.summary.unchanged) == (0, 0, 9)
    assert third.summary.by_entity == {"work": {"unchanged": 9}}
    assert _stats(engine) == got

    with session_scope(engine) as s:
        runs = s.exec(select(ImportRun).order_by(ImportRun.id)).all()
        assert [r.status for r in runs] == ["failed", "done", "done"]
        assert runs[0].files == ["https://api.openalex.org/works?filter=author.id:A5009198168"]
        assert [r.summary["added"] for r in runs] == [6, 3, 0]


def test_a_bad_record_rolls_back_only_its_page(engine, works, tmp_path):
    every = sorted(author_work_ids(works, AUTHOR))
    inner = RecordedOpenAlex(works)

    def corrupt_page_two(url, headers):
        status, hdrs, body = inner(url, headers)
        data = json.loads(body)
        if _query(url)["cursor"] == _cursor(3):
            data["results"][1] = {"id": "not an openalex id", "title": "broken"}
        return status, hdrs, json.dumps(data).encode()

    opts = dict(engine=engine, mailto=MAILTO, per_page=3, state_dir=tmp_path)
    with pytest.raises(ImportFailed, match="page 2, result 2: not an OpenAlex object") as err:
        fetch_into_store("author", AUTHOR, transport=corrupt_page_two, **opts)
    assert (err.value.state.records, err.value.state.cursor) == (3, _cursor(3))
    assert _stats(engine)["works"] == 3  # page 2's two good works were rolled back with it

    skipped = fetch_into_store("author", AUTHOR, transport=corrupt_page_two, skip_bad=True, **opts)
    assert (skipped.summary.added, skipped.summary.rejected) == (5, 1) and skipped.status == "done"
    assert _stats(engine)["works"] == 8
    healed = fetch_into_store("author", AUTHOR, transport=RecordedOpenAlex(works), **opts)
    assert (healed.summary.added, healed.summary.unchanged) == (1, 8)
    assert _stats(engine)["works"] == len(every)


def test_cap_into_store(engine, works, tmp_path):
    progress = []
    opts = dict(engine=engine, mailto=MAILTO, per_page=3, state_dir=tmp_path, on_progress=progress.append)
    capped = fetch_into_store("orcid", ORCID, transport=RecordedOpenAlex(works), max_records=4, **opts)
    assert capped.status == "capped" and capped.state.records == 4 and capped.summary.added == 4
    assert [(p.records, p.cap, p.fraction) for p in progress] == [(3, 4, 0.75), (4, 4, 1.0)]
    assert _stats(engine)["works"] == 4
    # The same cap again: nothing left to do. A larger cap continues where the first stopped.
    same = fetch_into_store("orcid", ORCID, transport=RecordedOpenAlex(works), max_records=4, **opts)
    assert (same.status, same.pages, same.summary.read) == ("capped", 0, 0)
    api = RecordedOpenAlex(works)
    more = fetch_into_store("orcid", ORCID, transport=api, max_records=100, **opts)
    assert _query(api.urls[0])["cursor"] == _cursor(4) and more.status == "done" and more.summary.added == 5
    assert _stats(engine)["works"] == 9
