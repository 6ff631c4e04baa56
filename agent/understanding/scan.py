"""Searching a long alternation of rules fast, with the same answer as one regular expression.

``Alternation(sources).search(text)`` finds the match ``re.compile("|".join(f"(?:{s})" for s in
sources)).search(text)`` finds (the same span and words; its groups are those of the piece that
matched). Each source is split at its top-level "|" and a piece is searched only when the text
holds one of the literal strings every match of that piece must contain (read from its parse
tree); the first hit, leftmost and then the earlier piece, is what the one alternation returns.
Rules are parsed on the first search, not at import.

This reads CPython's parse trees (``re._parser``, pinned by Python 3.11 in pyproject); the tests
check every result against the one alternation, so a change there fails them first."""

from __future__ import annotations

import re
from collections.abc import Iterable
from re import _compiler, _parser
from re import _constants as _C  # the parse tree of a rule: which words it cannot match without

Piece = tuple[re.Pattern[str], frozenset[str] | None]


class Alternation:
    """Rules searched as one alternation, in order (see the module's docstring)."""

    def __init__(self, sources: Iterable[str]) -> None:
        self.sources = tuple(sources)
        self._pieces: list[Piece] | None = None

    def pieces(self) -> list[Piece]:
        if self._pieces is None:  # two threads may both build it: the same list either way
            self._pieces = [pc for source in self.sources for pc in _pieces(source)]
        return self._pieces

    def search(self, text: str, present: dict[str, bool] | None = None) -> re.Match[str] | None:
        """The first match in ``text``; ``present`` caches which literal strings ``text`` holds
        (share it between the alternations searched over one text)."""
        if present is None:
            present = {}
        first = None
        for pattern, need in self.pieces():
            if need is not None and not any(
                present[w] if w in present else present.setdefault(w, w in text) for w in need
            ):
                continue
            m = pattern.search(text)
            if m and (first is None or m.start() < first.start()):
                first = m
        return first


_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def _split_top_level(source: str) -> list[str]:
    """``a|(b|c)|[|]`` -> ``["a", "(b|c)", "[|]"]``: bars inside groups and classes stay."""
    pieces, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if source[i + 1 : i + 2] == "^":
                i += 1
            if source[i + 1 : i + 2] == "]":
                i += 1  # "[]...]": a first "]" is a member
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            pieces.append(source[start:i])
            start = i + 1
        i += 1
    return [*pieces, source[start:]]


def _required(items) -> frozenset[str] | None:
    """The most selective set of strings one of which every match contains; None when unknown."""
    found: list[frozenset[str]] = []
    run = ""
    for op, av in items:
        if op is _C.LITERAL:
            run += chr(av)
            continue
        if op is _C.AT:
            continue  # \b, ^: zero width, the letters either side stay adjacent
        if run:
            found.append(frozenset([run]))
            run = ""
        need = None
        if op is _C.SUBPATTERN and not av[1] and not av[2]:
            need = _required(av[3])
        elif op is _C.ATOMIC_GROUP:
            need = _required(av)
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT) and av[0] >= 1:
            need = _required(av[2])
        elif op is _C.BRANCH:
            branches = [_required(b) for b in av[1]]
            if all(branches):
                need = frozenset().union(*branches)
        if need:
            found.append(need)
    if run:
        found.append(frozenset([run]))
    return max(found, key=lambda s: (min(map(len, s)), -len(s)), default=None)


def _pieces(source: str) -> list[Piece]:
    if not _GLOBAL_FLAGS.match(source):  # with "(?i)a|b" the flags hold for every piece: kept whole
        try:
            return [_piece(piece) for piece in _split_top_level(source)]
        except re.error:  # a split this scanner does not understand: the rule stays whole
            pass
    return [(re.compile(source), None)]


def _piece(source: str) -> Piece:
    tree = _parser.parse(source)
    need = _required(tree)  # read before the compiler walks the tree
    return _compiler.compile(tree), need  # parsed once, not again by re.compile
