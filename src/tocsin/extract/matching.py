"""Bipartite matching: can every row of a boolean matrix take a column of its own?

``names`` asks it of two names' tokens ("does each token of the shorter name match a
different token of the longer one?"). Trying every assignment, as a search does, takes
time exponential in the names' length; augmenting paths take polynomial time.
"""

from __future__ import annotations


def can_assign(match: list[list[bool]], columns: int) -> bool:
    """Whether each row can take a different column it matches (augmenting paths, Kuhn)."""
    owner = [-1] * columns  # the row that holds each column
    return all(_augment(match, owner, row) for row in range(len(match)))


def _augment(match: list[list[bool]], owner: list[int], row: int) -> bool:
    """Give ``row`` a column, moving other rows along an alternating path if need be."""
    came_from: dict[int, tuple[int, int]] = {}  # column -> (row that reached it, its column)
    frontier = [(row, -1)]
    seen: set[int] = set()
    while frontier:
        r, via = frontier.pop()
        for column, ok in enumerate(match[r]):
            if not ok or column in seen:
                continue
            seen.add(column)
            came_from[column] = (r, via)
            if owner[column] < 0:
                while column >= 0:  # flip the path back to ``row``
                    r, previous = came_from[column]
                    owner[column] = r
                    column = previous
                return True
            frontier.append((owner[column], column))
    return False
