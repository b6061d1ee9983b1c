"""Links between tests and ADRs: reading ``@pytest.mark.archgate(*adr_ids, option=None)``.

A test can carry several archgate markers (function, class, module ``pytestmark``,
``pytest.param(..., marks=...)``); each names ADRs by id, bare number or file stem and may name
the option the test measures. A link is one (ADR, option) pair.

The plugin entry point imports this module in every pytest run (for the marker texts and
:func:`uses_archgate`), so it imports the ADR model for typing only: the parser and PyYAML load
when a run has an ADR folder or a test that uses archgate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import pytest

from pytest_archgate.errors import UnknownAdrError

if TYPE_CHECKING:
    from pytest_archgate.adr.log import AdrLog
    from pytest_archgate.adr.model import Adr

MARKER = "archgate"
MARKER_HELP = (
    "archgate(*adr_ids, option=None): link this test to ADRs (id such as 'ADR-0002', bare "
    "number, or file stem); option names the candidate the test measures (default: the ADR's "
    "decision)."
)
GPU_MARKER_HELP = (
    "gpu: the test needs a usable CUDA device; skipped without one, failed with "
    "--archgate-require-gpu."
)


FIXTURE = "archgate"


def uses_archgate(item: pytest.Item) -> bool:
    """Whether a collected test needs the ADR machinery: an ``archgate`` or ``gpu`` marker, or
    the ``archgate`` fixture (a fixture asked for with ``request.getfixturevalue`` is not seen;
    it then records nothing and says that the test is not linked)."""
    if FIXTURE in getattr(item, "fixturenames", ()):
        return True
    return any(mark.name in (MARKER, "gpu") for mark in item.iter_markers())


class Link(NamedTuple):
    """One (ADR, option) pair a test is linked to (a NamedTuple: cheap to define in every run)."""

    adr: Adr
    option: str | None

    def to_json(self) -> dict[str, Any]:
        return {"adr": self.adr.id, "option": self.option}


def _where(item: pytest.Item) -> str:
    path, lineno, _ = item.location
    return f"{path}:{(lineno or 0) + 1}" if lineno is not None else path


def links_from_marks(
    item: pytest.Item,
    marks: Iterable[pytest.Mark],
    log: AdrLog,
    found: dict[tuple[type, object], Adr | None] | None = None,
) -> list[Link]:
    """Resolve the archgate markers among ``marks`` (``item``'s, read once by the caller with
    the others); raises :class:`UnknownAdrError` on bad input.

    ``found`` remembers what each reference resolved to in ``log`` (the session passes one
    for the whole collection: a large suite names the same few ADRs many times).
    """
    links: list[Link] = []
    for mark in marks:
        if mark.name == MARKER:
            links.extend(_links_from_mark(mark.args, mark.kwargs, log, item, found))
    return list(dict.fromkeys(links)) if len(links) > 1 else links


def _links_from_mark(
    args: Iterable[Any],
    kwargs: Mapping[str, Any],
    log: AdrLog,
    item: pytest.Item,
    found: dict[tuple[type, object], Adr | None] | None = None,
) -> list[Link]:
    unknown = sorted(set(kwargs) - {"option"})
    if unknown:
        raise UnknownAdrError(
            f"@pytest.mark.archgate got unknown keyword argument(s) {', '.join(unknown)}; "
            "it takes ADR ids and option=",
            file=_where(item),
            field=f"{item.nodeid} marker",
        )
    ids = list(args)
    if not ids:
        raise UnknownAdrError(
            "@pytest.mark.archgate needs at least one ADR id, e.g. "
            '@pytest.mark.archgate("ADR-0002")',
            file=_where(item),
            field=f"{item.nodeid} marker",
        )
    option = kwargs.get("option")
    if option is not None and (not isinstance(option, str) or not option.strip()):
        raise UnknownAdrError(
            f"option must be an option name (a string), got {option!r}",
            file=_where(item),
            field=f"{item.nodeid} marker option",
        )
    links = []
    for ref in ids:
        if not isinstance(ref, str | int) or isinstance(ref, bool):
            raise UnknownAdrError(
                f"ADR ids are strings or numbers, got {ref!r}",
                file=_where(item),
                field=f"{item.nodeid} marker",
            )
        if found is None:
            adr = log.get(ref)
        else:
            key = (type(ref), ref)  # 2 and "2" may resolve alike, but are looked up apart
            if key not in found:
                found[key] = log.get(ref)
            adr = found[key]
        if adr is None and not log.adrs:
            # no "in no ADR folder found (0 ADRs)": say what is missing and how to point at it
            missing = (
                f"{log.directory} holds no ADR files"
                if log.directory is not None
                else "no ADR folder was found (looked for adr, docs/adr, doc/adr, docs/decisions)"
            )
            raise UnknownAdrError(
                f"no ADR {ref!r}: {missing}; set --archgate-adr-dir, ARCHGATE_ADR_DIR or the "
                "archgate_adr_dir ini key",
                file=_where(item),
            )
        if adr is None:
            adr = log.lookup(ref, where=_where(item))
        chosen = option if option is not None else adr.decision
        if option is not None and adr.options and option not in adr.options:
            raise UnknownAdrError(
                f"option {option!r} is not one of {adr.id}'s options "
                f"({', '.join(adr.options)}, in {adr.file}); add it to archgate.options",
                file=_where(item),
                field=f"{item.nodeid} marker option",
            )
        links.append(Link(adr=adr, option=chosen))
    return links
