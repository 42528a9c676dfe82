"""Bibliometric figures computed from the store: h-index, i10-index, counts by year, active years.

All functions are pure and take plain numbers, so they can be checked by hand.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


def h_index(citations: Iterable[int | None]) -> int:
    """Largest h such that h works have at least h citations each.

    >>> h_index([10, 8, 5, 4, 3])
    4
    >>> h_index([0, 0])
    0
    >>> h_index([])
    0
    """
    ranked = sorted((c or 0 for c in citations), reverse=True)
    return sum(1 for i, c in enumerate(ranked, start=1) if c >= i)


def i10_index(citations: Iterable[int | None]) -> int:
    """Number of works with at least 10 citations.

    >>> i10_index([10, 9, 25, None])
    2
    """
    return sum(1 for c in citations if (c or 0) >= 10)


def works_per_year(years: Iterable[int | None]) -> dict[int, int]:
    """Works counted by publication year (works without a year are left out), in year order.

    >>> works_per_year([2021, 2022, 2022, None])
    {2021: 1, 2022: 2}
    """
    return dict(sorted(Counter(y for y in years if y).items()))


def citations_per_year(counts_by_year: Iterable[list[dict]]) -> dict[int, int]:
    """Sum of per-work ``counts_by_year`` lists (``[{"year": 2020, "cited_by_count": 3}, ...]``).

    >>> citations_per_year([[{"year": 2020, "cited_by_count": 3}], [{"year": 2020, "cited_by_count": 1}]])
    {2020: 4}
    """
    total: Counter[int] = Counter()
    for per_work in counts_by_year:
        for entry in per_work or []:
            total[int(entry["year"])] += int(entry.get("cited_by_count") or 0)
    return dict(sorted(total.items()))


def active_years(years: Iterable[int | None]) -> tuple[int | None, int | None]:
    """First and last year with a work.

    >>> active_years([2019, None, 2022])
    (2019, 2022)
    """
    ys = [y for y in years if y]
    return (min(ys), max(ys)) if ys else (None, None)
