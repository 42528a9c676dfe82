"""Fetching OpenAlex works into the store: one transaction per page, the resumable state saved after each commit.

``fetch_into_store`` is what the import page and the CLI call. Each page is imported by ``load_openalex_page``
through the same ``load_records`` / ``finish_import`` steps as ``core.ingest.loader.import_paths``, so a work
fetched online is stored exactly as the same work read from a file.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from core.db import session_scope
from core.fetch.openalex_api import (
    API_BASE,
    MAX_PER_PAGE,
    FetchError,
    FetchOptions,
    FetchState,
    Transport,
    fetch_pages,
    plan_query,
    state_path,
)
from core.ingest.ids import record_hash
from core.ingest.loader import ImportFailed, ImportSummary, finish_import, load_records
from core.ingest.openalex import SOURCE, parse_object
from core.ingest.records import Parsed
from core.ingest.upsert import Upserter
from core.models import ImportRun, utcnow

FETCH_FORMAT = "openalex-api"


@dataclass
class FetchProgress:
    """What a progress bar needs, after each committed page."""

    records: int  # fetched for this query so far (resumed runs included)
    pages: int
    total: int | None  # OpenAlex's count of matching works
    cap: int | None
    added: int = 0  # this run
    updated: int = 0
    unchanged: int = 0

    @property
    def target(self) -> int | None:
        known = [n for n in (self.total, self.cap) if n is not None]
        return min(known) if known else None

    @property
    def fraction(self) -> float | None:
        """0..1 towards the smaller of the cap and the total, when either is known."""
        if self.target is None:
            return None
        return 1.0 if self.target == 0 else min(self.records / self.target, 1.0)


@dataclass
class FetchResult:
    status: str  # done (every matching work fetched) | capped (stopped at max_records)
    summary: ImportSummary  # this run's outcomes, added/updated/unchanged per work
    state: FetchState
    resumed: bool  # this run continued a saved fetch
    pages: int = 0  # pages fetched by this run
    state_file: Path | None = field(default=None, repr=False)


def fetch_into_store(
    kind: str,
    value: str,
    *,
    engine: Engine,
    transport: Transport | None = None,
    mailto: str | None = None,
    per_page: int = MAX_PER_PAGE,
    max_records: int | None = None,
    on_progress: Callable[[FetchProgress], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    max_retries: int = 5,
    backoff: float = 1.0,
    jitter: bool = True,
    skip_bad: bool = False,
    restart: bool = False,
    state_dir: Path | None = None,
    base_url: str = API_BASE,
) -> FetchResult:
    """Fetch the query's works and import them, one transaction per page; the state is saved after each commit.

    An unfinished fetch of the same query resumes from its saved cursor (``restart=True`` starts over); a finished
    one starts again from the first page, so new works arrive and known ones count as unchanged.
    Raises ``FetchError`` (network, API) or ``ImportFailed`` (a bad record, unless ``skip_bad``), with
    ``.state`` set: pages committed before it stay in the store, and the next run resumes after them.
    """
    plan = plan_query(kind, value)
    path = state_path(plan.key, state_dir)
    saved = None if restart else FetchState.load(path)
    state = saved if saved and saved.query_key == plan.key and not saved.done else FetchState.new(plan)
    resumed = state.records > 0 or state.cursor != "*"
    source = f"{base_url}{plan.label}"
    summary = ImportSummary(files=[source])
    opts = FetchOptions(transport, mailto, per_page, sleep, max_retries, backoff, jitter, base_url)
    pages = 0
    try:
        for page in fetch_pages(plan, state, max_records=max_records, options=opts):
            part = load_openalex_page(page.results, engine=engine, file=source, page=page.number, skip_bad=skip_bad)
            merge_summary(summary, part)
            state = page.state
            state.save(path)  # only after the commit: a crash in between redoes one page, idempotently
            pages += 1
            if on_progress:
                s = summary
                on_progress(
                    FetchProgress(state.records, state.pages, state.total, max_records, s.added, s.updated, s.unchanged)
                )
    except (FetchError, ImportFailed) as exc:
        exc.state, exc.summary = state, summary
        record_fetch_run(engine, source=source, status="failed", summary=summary, state=asdict(state))
        raise
    state.save(path)
    status = "done" if state.done else "capped"
    record_fetch_run(engine, source=source, status="done", summary=summary, state=asdict(state))
    return FetchResult(status, summary, state, resumed, pages, path)


def load_openalex_page(
    objects: list[dict], *, engine: Engine, file: str, page: int, skip_bad: bool = False
) -> ImportSummary:
    """Import raw OpenAlex objects in one transaction; ``ImportFailed`` (nothing of this page written) on a bad
    record unless ``skip_bad``. ``file`` is the provenance label (the query URL, without paging or mailto)."""
    summary = ImportSummary()

    def parsed_objects():
        for n, obj in enumerate(objects, start=1):
            location = f"page {page}, result {n}"
            if isinstance(obj, dict):
                yield parse_object(obj, location, raw_hash=record_hash(obj))
            else:
                yield Parsed(location, SOURCE, error=f"not a JSON object: {type(obj).__name__}")

    with session_scope(engine) as session, session.no_autoflush:
        up = Upserter(session)
        load_records(session, up, parsed_objects(), file=file, summary=summary, skip_bad=skip_bad)
        finish_import(session, up, summary)
    return summary


def merge_summary(total: ImportSummary, part: ImportSummary) -> None:
    """Add ``part``'s counts, rejections and notes to ``total`` (in place)."""
    for outcome in ("added", "updated", "unchanged", "rejected", "skipped", "trust_recomputed", "labs_outdated"):
        setattr(total, outcome, getattr(total, outcome) + getattr(part, outcome))
    for entity, counts in part.by_entity.items():
        per = total.by_entity.setdefault(entity, {})
        for outcome, n in counts.items():
            per[outcome] = per.get(outcome, 0) + n
    total.rejections.extend(part.rejections)
    total.notes.extend(part.notes)


def record_fetch_run(engine: Engine, *, source: str, status: str, summary: ImportSummary, state: dict) -> None:
    """One ``ImportRun`` row per fetch run (status done or failed), for the import history."""
    with session_scope(engine) as session:
        session.add(
            ImportRun(
                files=[source],
                formats=[FETCH_FORMAT],
                status=status,
                finished_at=utcnow(),
                summary={**{k: v for k, v in summary.as_dict().items() if k != "files"}, "fetch": state},
            )
        )
