"""Importers: one module per source format.

Each format module exposes ``parse_file(path: pathlib.Path) -> Iterator[Parsed]`` (pure: no database)
and ``sniff(path: pathlib.Path, head: str) -> bool`` (does this file look like my format?).
``core.ingest.loader`` writes parsed records to the store.
"""
