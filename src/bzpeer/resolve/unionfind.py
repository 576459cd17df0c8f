"""The union-find under every cluster of a name block, with the constraints
that keep two people apart: disagreeing given names or initials, two ORCID
iDs, two existing author records, or a correction that forbids a record."""

from __future__ import annotations

from collections import Counter

from bzpeer.resolve.mentions import MentionRecord


def _signature(given: tuple[str, ...]) -> tuple[dict[int, set[str]], tuple[str, ...]]:
    """Full given names by position, and the initials they spell.

    ``Jing-Fei`` -> ({0: {jingfei}}, (j, f)); ``Mark A.`` -> ({0: {mark}}, (m, a)).
    """
    full = {i: {g.replace("-", "")} for i, g in enumerate(given) if len(g) > 1}
    initials = tuple(part[0] for g in given for part in g.split("-") if part)
    return full, initials


class UnionFind:
    """Union-find with per-cluster constraints.

    A cluster keeps every full given name it holds, not just one: joining
    ``Juan`` and ``Jing-Fei`` through an ambiguous ``J.-F.`` is refused
    whatever order the unions come in.
    """

    def __init__(self, mentions: list[MentionRecord]) -> None:
        self.parent = list(range(len(mentions)))
        signatures = [_signature(m.name.given) for m in mentions]
        self.full = [full for full, _ in signatures]
        self.initials = [initials for _, initials in signatures]
        self.orcids = [{m.orcid} if m.orcid else set() for m in mentions]
        self.authors = [{m.author_id} if m.author_id else set() for m in mentions]
        self.forbidden = [set(m.forbidden) for m in mentions]
        self.coauthor_df: Counter[str] | None = None  # mentions per co-author, once counted

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int, *, checked: bool) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self._forbidden(ra, rb) or (checked and not self._compatible(ra, rb)):
            return False
        self.parent[rb] = ra
        for position, names in self.full[rb].items():
            self.full[ra].setdefault(position, set()).update(names)
        if len(self.initials[rb]) > len(self.initials[ra]):
            self.initials[ra] = self.initials[rb]
        self.orcids[ra] |= self.orcids[rb]
        self.authors[ra] |= self.authors[rb]
        self.forbidden[ra] |= self.forbidden[rb]
        return True

    def may_join(self, a: int, b: int) -> bool:
        """Whether ``union(a, b, checked=True)`` would join two different clusters."""
        ra, rb = self.find(a), self.find(b)
        return ra != rb and not self._forbidden(ra, rb) and self._compatible(ra, rb)

    def _forbidden(self, ra: int, rb: int) -> bool:
        """A correction keeps them apart: stronger than any evidence."""
        return bool(self.authors[ra] & self.forbidden[rb] or self.authors[rb] & self.forbidden[ra])

    def _compatible(self, ra: int, rb: int) -> bool:
        a, b = self.full[ra], self.full[rb]
        if any(len(a[i] | b[i]) > 1 for i in a.keys() & b.keys()):
            return False
        if any(x != y for x, y in zip(self.initials[ra], self.initials[rb], strict=False)):
            return False
        if self.orcids[ra] and self.orcids[rb] and not self.orcids[ra] & self.orcids[rb]:
            return False
        return not (
            self.authors[ra] and self.authors[rb] and not self.authors[ra] & self.authors[rb]
        )
