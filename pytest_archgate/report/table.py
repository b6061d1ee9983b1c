"""Tables as data and their plain-text writer, without the rest of the view layer.

:mod:`pytest_archgate.report.view` builds every table of a report and re-exports these names;
they live here because ``archgate list`` prints a text table, and importing the view (which
pulls in the report builder, the schema, the verdicts and the comparison) would cost the CLI
more start-up time than listing the ADRs (issue 12's target: ``archgate list`` within 1.5x of
the interpreter start plus PyYAML). This module imports nothing of archgate but the escapers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from pytest_archgate import escape
from pytest_archgate.record import Record

Style = Literal["plain", "strong", "code", "meta", "good", "bad", "break", "arrow"]
"""How a span is shown: as it is, emphasised, as code, as secondary (smaller, grey) text, as
a change for the better or the worse, as a line break between items of one cell, or as the
arrow between a before and an after."""


class Span(Record):
    """A piece of a table cell: plain text (never markup) and how to show it.

    ``href`` links the span (a URL-quoted relative path or a ``#fragment``; a writer drops a
    link whose target holds anything else). ``badge`` marks a status or verdict: a coloured
    badge in HTML, emphasised in Markdown when it is ``fail``.
    """

    __slots__ = ("text", "style", "href", "badge")  # noqa: RUF023 (declaration order)
    text: str
    style: Style
    href: str | None
    badge: str | None

    def __init__(
        self, text: str, style: Style = "plain", href: str | None = None, badge: str | None = None
    ) -> None:
        self._init(text=text, style=style, href=href, badge=badge)


Cell = tuple[Span, ...]
CellLike = str | Span | Sequence[Span] | None


def cell(value: CellLike) -> Cell:
    """Any cell value as a tuple of spans (``None`` and ``""`` give an empty cell)."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (Span(value),)
    if isinstance(value, Span):
        return (value,)
    return tuple(value)


BREAK = Span("; ", "break")
"""Between items of one cell (linked tests): a line break in HTML and Markdown, ``; `` else."""

ARROW = Span(" \u2192 ", "arrow")
"""Between a before and an after (``pass → fail``)."""


def cell_text(value: CellLike) -> str:
    """The plain text of a cell, as the terminal shows it."""
    return "".join(s.text for s in cell(value))


class Table(Record):
    """A table as data: a header (or none) and rows of cells; ``numeric`` columns align right."""

    __slots__ = ("header", "rows", "numeric")  # noqa: RUF023 (declaration order)
    header: tuple[str, ...] | None
    rows: tuple[tuple[Cell, ...], ...]
    numeric: frozenset[int]

    def __init__(
        self,
        header: tuple[str, ...] | None,
        rows: tuple[tuple[Cell, ...], ...],
        numeric: frozenset[int] = frozenset(),
    ) -> None:
        self._init(header=header, rows=rows, numeric=numeric)


def table(
    header: Sequence[str] | None,
    rows: Iterable[Sequence[CellLike]],
    *,
    numeric: Iterable[int] = (),
) -> Table:
    """Build a :class:`Table`; each cell is a string, a :class:`Span`, spans, or ``None``."""
    return Table(
        header=None if header is None else tuple(header),
        rows=tuple(tuple(cell(c) for c in row) for row in rows),
        numeric=frozenset(numeric),
    )


def text_table(t: Table) -> list[str]:
    """Left-aligned columns separated by two spaces, for a terminal or a CI log (see
    :func:`text_lines`)."""
    return text_lines(t.header, [[cell_text(c) for c in row] for row in t.rows])


def text_lines(header: Sequence[str] | None, rows: Iterable[Sequence[str]]) -> list[str]:
    """The one text-table writer: left-aligned columns separated by two spaces.

    Every cell goes through :func:`~pytest_archgate.escape.text` and every line through
    :func:`~pytest_archgate.escape.line`. Rows of plain strings come straight here (the
    terminal's section, one row per ADR of a large log), without spans.
    """
    head = [escape.text(h) for h in header or ()]
    body = [[escape.text(text) for text in row] for row in rows]
    ncols = max([len(head), *(len(r) for r in body)], default=0)
    widths = [0] * ncols
    for row in [head, *body]:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], len(text))
    out = []
    for row in [head, *body] if header is not None else body:
        padded = [text.ljust(widths[i]) for i, text in enumerate(row)]
        out.append("  ".join(padded).rstrip())
    return [escape.line(x) for x in out]
