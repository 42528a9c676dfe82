"""Importing files: format detection, one transaction per import, idempotency and the summary.

>>> s = ImportSummary(); s.count("added"); s.count("unchanged"); s.as_dict()["read"]
2
"""

from __future__ import annotations

import gc
import importlib
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core import lab_snapshots
from core.aggregates import refresh_after_import
from core.db import session_scope
from core.ingest import bulk, bulk_sql
from core.ingest.ids import record_hash
from core.ingest.jsonfiles import head_text
from core.ingest.records import InstitutionRec, Parsed, ParseError, PersonRec, TopicRec, VenueRec, WorkRec
from core.ingest.upsert import Upserter
from core.models import ImportRun, Provenance, utcnow
from core.trust_refresh import recompute_trust

FORMATS = ("openalex", "arxiv", "crossref", "s2", "bibtex", "publist", "orcid", "dblp", "seed")
# Sniffing order: most specific first.
SNIFF_ORDER = ("seed", "openalex", "s2", "crossref", "orcid", "dblp", "bibtex", "publist", "arxiv")
ENTITY = {WorkRec: "work", PersonRec: "researcher", InstitutionRec: "institution", VenueRec: "venue", TopicRec: "topic"}


class ImportFailed(Exception):
    """The import stopped; nothing was written. ``str()`` names the file, the record and the problem."""

    def __init__(self, path: str, location: str, problem: str):
        self.path, self.location, self.problem = path, location, problem
        super().__init__(f"{path}: {location}: {problem}")


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0  # records of kinds the store does not hold (publishers, funders)
    by_entity: dict[str, dict[str, int]] = field(default_factory=dict)
    rejections: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why records were skipped
    trust_recomputed: int = 0  # trust snapshots that changed because of this import
    labs_outdated: int = 0  # stored lab maps this import made out of date (core.lab_snapshots)
    files: list[str] = field(default_factory=list)

    def count(self, outcome: str, entity: str | None = None) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        if entity:
            per = self.by_entity.setdefault(entity, {})
            per[outcome] = per.get(outcome, 0) + 1

    @property
    def read(self) -> int:
        return self.added + self.updated + self.unchanged + self.rejected + self.skipped

    def as_dict(self) -> dict:
        d = asdict(self)
        d["read"] = self.read
        return d


def parser_for(fmt: str):
    if fmt not in FORMATS:
        raise ImportFailed("-", "format", f"unknown format {fmt!r}; choose one of: auto, {', '.join(FORMATS)}")
    return importlib.import_module(f"core.ingest.{fmt}")


def detect_format(path: Path) -> str:
    """The format of ``path`` by content (and extension as a hint); ``ImportFailed`` when nothing fits."""
    if not path.exists():
        raise ImportFailed(str(path), "file", "no such file")
    if path.is_dir():
        raise ImportFailed(str(path), "file", "is a directory (give the files inside it)")
    head = head_text(path)
    for fmt in SNIFF_ORDER:
        try:
            mod = parser_for(fmt)
        except ModuleNotFoundError:
            continue
        if mod.sniff(path, head):
            return fmt
    raise ImportFailed(
        str(path),
        "file",
        "unknown format: not OpenAlex, arXiv, Crossref, Semantic Scholar, BibTeX, "
        "a publication list CSV, ORCID XML, DBLP XML or the seed world (use --format to say which)",
    )


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, with directories expanded to the data files inside them (README/SOURCE notes left out)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file() and not f.name.startswith(".") and f.suffix.lower() not in {".txt", ".md"}
                )
            )
        else:
            out.append(p)
    return out


def import_paths(
    paths: Iterable[str | Path],
    *,
    engine: Engine,
    fmt: str = "auto",
    skip_bad: bool = False,
    on_record: Callable[[Path, int], None] | None = None,
) -> ImportSummary:
    """Import files in one transaction. Raises ``ImportFailed`` (store untouched) on the first bad record
    unless ``skip_bad``, in which case bad records are reported in ``summary.rejections``."""
    files = expand_paths(paths)
    if not files:
        raise ImportFailed(", ".join(map(str, paths)) or "-", "arguments", "no files to import")
    plan = [(f, detect_format(f) if fmt == "auto" else (parser_for(fmt) and fmt)) for f in files]
    summary = ImportSummary(files=[str(f) for f in files])
    size = sum(f.stat().st_size for f in files if f.is_file())
    with (
        _fewer_collections(),
        session_scope(engine) as session,
        session.no_autoflush,
        bulk_sql.import_pragmas(session, size),
    ):
        up = Upserter(session)
        for path, file_fmt in plan:
            mod = parser_for(file_fmt)
            try:
                load_records(session, up, mod.parse_file(path), file=str(path), summary=summary, skip_bad=skip_bad,
                             on_record=(lambda n, p=path: on_record(p, n)) if on_record else None)
            except ParseError as exc:
                raise ImportFailed(exc.path, exc.location, exc.problem) from None
        finish_import(session, up, summary)
        session.add(
            ImportRun(files=summary.files, formats=sorted({f for _, f in plan}), status="done",
                      finished_at=utcnow(), summary={k: v for k, v in summary.as_dict().items() if k != "files"})
        )
    return summary


_GC_LOCK = threading.Lock()
_GC_STATE: dict = {"active": 0, "before": None}


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run Python's cycle collector less often while an import runs, then as configured again.

    An import allocates millions of short-lived, acyclic objects (parsed records, row dicts); with the default
    thresholds the collector ran thousands of times and rescanned every long-lived object (the loaded modules, the
    import's caches) in each full pass: about a sixth of a 10k-work import. Objects alive before the import are
    frozen out of those scans; garbage cycles are still collected, in larger batches.
    """
    with _GC_LOCK:  # imports may run side by side (threads of the app): the first sets, the last restores
        _GC_STATE["active"] += 1
        if _GC_STATE["active"] == 1:
            _GC_STATE["before"] = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(50_000, 20, 10)
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_STATE["active"] -= 1
            if _GC_STATE["active"] == 0:
                gc.set_threshold(*_GC_STATE["before"])
                gc.unfreeze()


def load_records(session: Session, up: Upserter, records: Iterable[Parsed], *, file: str, summary: ImportSummary,
                 skip_bad: bool = False, on_record: Callable[[int], None] | None = None) -> None:
    """Write parsed records through ``up``, counting outcomes in ``summary``. A bad record raises ``ImportFailed``
    (the caller's transaction then rolls back) unless ``skip_bad``, which records it in ``summary.rejections``."""
    location = "record 0"
    batch: list[Parsed] = []
    planner: bulk_sql.PlannerStatistics | None = None  # made at the first full batch: small imports never need it
    try:
        for n, parsed in enumerate(records, start=1):
            location = parsed.location
            if on_record:
                on_record(n)
            if parsed.error:
                if not skip_bad:
                    raise ImportFailed(file, parsed.location, parsed.error)
                summary.count("rejected")
                summary.rejections.append(f"{file}: {parsed.location}: {parsed.error}")
                continue
            if parsed.item is None:
                summary.count("skipped")
                if parsed.note:
                    summary.notes.append(f"{file}: {parsed.location}: {parsed.note}")
                continue
            if isinstance(parsed.item, WorkRec) and parsed.key:
                batch.append(parsed)
                if len(batch) >= bulk.BATCH:
                    _load_batch(session, up, batch, file, summary)
                    batch = []
                    if planner is None:
                        planner = bulk_sql.PlannerStatistics(session)
                    planner.after_batch(session, summary.by_entity.get("work", {}).get("added", 0))
                continue
            _load_batch(session, up, batch, file, summary)
            batch = []
            outcome, entity = load_parsed(session, up, parsed, file)
            summary.count(outcome, entity)
        location = "end of file"
        _load_batch(session, up, batch, file, summary)
    except (ImportFailed, ParseError):
        raise
    except Exception as exc:  # a bug or a record of an unexpected shape: name where it happened
        raise ImportFailed(file, location, f"{type(exc).__name__}: {exc}") from exc


def _load_batch(session: Session, up: Upserter, batch: list[Parsed], file: str, summary: ImportSummary) -> None:
    """Works in bulk where they are certainly new; the rest one by one (see ``core.ingest.bulk``)."""
    if not batch:
        return
    unchanged, fast, slow = bulk.split_batch(session, batch)
    for _ in unchanged:
        summary.count("unchanged", "work")
    if fast:
        bulk.write_new_works(session, up, fast, file)
        for _ in fast:
            summary.count("added", "work")
    for parsed in slow:
        outcome, entity = load_parsed(session, up, parsed, file)
        summary.count(outcome, entity)


def finish_import(session: Session, up: Upserter, summary: ImportSummary) -> None:
    """What every import does once its records are in: link references and parent institutions, then
    recompute the trust of every researcher the import touched."""
    session.flush()
    bulk_sql.refresh_planner_statistics(session, summary.by_entity.get("work", {}).get("added", 0))
    up.resolve_citations()
    up.resolve_institution_parents()
    session.flush()
    summary.trust_recomputed += recompute_trust(session=session, researcher_ids=up.touched)
    # Stored lab maps of the institutions whose members this import touched: rebuilt on their next view
    summary.labs_outdated += len(lab_snapshots.mark_outdated(session=session, researcher_ids=up.touched))
    refresh_after_import(session=session, researcher_ids=up.touched)  # the kept store counts (core.aggregates)


def load_parsed(session: Session, up: Upserter, parsed: Parsed, file: str) -> tuple[str, str]:
    """Write one parsed record; returns ``(outcome, entity_type)`` with outcome added/updated/unchanged."""
    item = parsed.item
    entity = ENTITY[type(item)]
    key = parsed.key or _fallback_key(item)
    digest = parsed.raw_hash or record_hash(asdict(item))
    seen = session.exec(
        select(Provenance).where(
            Provenance.source == parsed.source, Provenance.source_key == key, Provenance.entity_type == entity
        )
    ).all()
    if any(p.record_hash == digest for p in seen):
        return "unchanged", entity
    if isinstance(item, WorkRec):
        entity_id, created = up.work(item, parsed.source)
    elif isinstance(item, PersonRec):
        entity_id, created = up.person(item)
        up.person_details(entity_id, item, parsed.source)
    else:
        up.forget(item)  # a full record: look it up for real, not through the import's cache
        writer = {InstitutionRec: up.institution, VenueRec: up.venue, TopicRec: up.topic}[type(item)]
        entity_id, created = writer(item), up.last_created
    prov = next((p for p in seen if p.file == file), None) or Provenance(
        entity_type=entity, entity_id=entity_id, source=parsed.source, source_key=key, file=file
    )
    prov.entity_id, prov.location, prov.record_hash, prov.last_seen = entity_id, parsed.location, digest, utcnow()
    session.add(prov)
    # Keep the unit of work small: the flush cost grows with every object the session holds.
    session.flush()
    session.expunge_all()
    return ("added" if created else "updated"), entity


def _fallback_key(item) -> str:
    for attr in ("openalex_id", "doi", "arxiv_id", "orcid", "s2_id", "ror", "seed_key"):
        v = getattr(item, attr, None)
        if v:
            return f"{attr}:{v}"
    return record_hash(asdict(item))[:20]
