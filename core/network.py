"""Collaboration graphs (networkx): strengths, close collaborators.

Collaboration strength follows Newman (2001): each shared work adds ``1 / (n - 1)`` for a work with ``n`` authors,
so a 100-author paper does not make everyone close.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def collaboration_strengths(bylines: Iterable[list[int]]) -> dict[tuple[int, int], float]:
    """Newman-weighted strength of every co-author pair over the given bylines (lists of researcher ids).

    >>> s = collaboration_strengths([[1, 2], [1, 2, 3]])
    >>> round(s[(1, 2)], 3), round(s[(1, 3)], 3)
    (1.5, 0.5)
    """
    strength: dict[tuple[int, int], float] = defaultdict(float)
    for byline in bylines:
        people = sorted(set(byline))
        n = len(people)
        if n < 2:
            continue
        w = 1.0 / (n - 1)
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                strength[(a, b)] += w
    return dict(strength)


def strengths_for(person: int, bylines: Iterable[list[int]]) -> dict[int, float]:
    """Strength between ``person`` and each co-author, over bylines that include ``person``.

    >>> strengths_for(1, [[1, 2], [1, 2, 3], [2, 3]])
    {2: 1.5, 3: 0.5}
    """
    out: dict[int, float] = defaultdict(float)
    for byline in bylines:
        people = set(byline)
        if person not in people or len(people) < 2:
            continue
        w = 1.0 / (len(people) - 1)
        for other in people - {person}:
            out[other] += w
    return dict(sorted(out.items()))
