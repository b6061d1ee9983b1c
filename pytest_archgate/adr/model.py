"""The decision record as the rest of archgate sees it: :class:`Adr` and the five statuses.

Every layer above the ADR layer (verdicts, reports, authoring, the plugin) works on this one
immutable record, whatever format the record was written in; parsing lives in
:mod:`pytest_archgate.adr.parse`, which builds it. Kept apart from parsing so that a module that
only needs the type (:mod:`pytest_archgate.adr.cost`, the renderers) imports no parser and no YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_archgate.adr.criteria import Criterion
from pytest_archgate.errors import AdrError
from pytest_archgate.record import Record

STATUSES = ("proposed", "accepted", "rejected", "deprecated", "superseded")


class Adr(Record):
    """One parsed decision record (immutable; equal only to itself, as records of two files
    that read alike are still two decisions)."""

    __slots__ = (  # noqa: RUF023 (declaration order: repr and fields() follow it)
        "id",
        "title",
        "path",
        "file",
        "status",
        "status_raw",
        "status_line",
        "superseded_by",
        "number",
        "stem",
        "date",
        "format",
        "front_matter",
        "has_archgate",
        "archgate_line",
        "decision",
        "baseline",
        "options",
        "acceptance",
        "constraints",
        "weights",
        "cost",
        "key_lines",
        "family",
    )
    id: str
    title: str
    path: Path
    file: str  # path as shown to users (relative to the project root where possible)
    status: str  # one of STATUSES or "unknown"
    status_raw: str | None
    status_line: int | None
    superseded_by: str | None  # raw reference as written (id, stem, or link target)
    number: int | None
    stem: str
    date: str | None
    format: str
    front_matter: Mapping[str, Any]
    has_archgate: bool
    archgate_line: int | None
    decision: str | None
    baseline: str | None
    options: tuple[str, ...]
    acceptance: tuple[Criterion, ...]
    constraints: tuple[Criterion, ...]
    weights: Mapping[str, float]
    cost: Mapping[str, Any]
    key_lines: Mapping[str, int]
    family: str  # "holm": family-wise error over the confidence criteria (family.py)

    def __init__(
        self,
        id: str,
        title: str,
        path: Path,
        file: str,
        status: str,
        status_raw: str | None = None,
        status_line: int | None = None,
        superseded_by: str | None = None,
        number: int | None = None,
        stem: str = "",
        date: str | None = None,
        format: str = "plain",
        front_matter: Mapping[str, Any] | None = None,
        has_archgate: bool = False,
        archgate_line: int | None = None,
        decision: str | None = None,
        baseline: str | None = None,
        options: tuple[str, ...] = (),
        acceptance: tuple[Criterion, ...] = (),
        constraints: tuple[Criterion, ...] = (),
        weights: Mapping[str, float] | None = None,
        cost: Mapping[str, Any] | None = None,
        key_lines: Mapping[str, int] | None = None,
        family: str = "none",
    ) -> None:
        self._init(
            id=id,
            title=title,
            path=path,
            file=file,
            status=status,
            status_raw=status_raw,
            status_line=status_line,
            superseded_by=superseded_by,
            number=number,
            stem=stem,
            date=date,
            format=format,
            front_matter=front_matter if front_matter is not None else {},
            has_archgate=has_archgate,
            archgate_line=archgate_line,
            decision=decision,
            baseline=baseline,
            options=options,
            acceptance=acceptance,
            constraints=constraints,
            weights=weights if weights is not None else {},
            cost=cost if cost is not None else {},
            key_lines=key_lines if key_lines is not None else {},
            family=family,
        )

    # identity, not field equality: two files that read alike are two decisions
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return self.acceptance + self.constraints

    @property
    def enforced(self) -> bool:
        return self.status == "accepted"

    def summary(self) -> dict[str, Any]:
        """The JSON shape ``archgate list --format json`` prints for one ADR."""
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "status_raw": self.status_raw,
            "file": self.file,
            "date": self.date,
            "format": self.format,
            "superseded_by": self.superseded_by,
            "decision": self.decision,
            "baseline": self.baseline,
            "options": list(self.options),
            "acceptance": [c.to_json() for c in self.acceptance],
            "constraints": [c.to_json() for c in self.constraints],
        }


class DuplicateAdrIdError(AdrError):
    """Several files of one log read as the same ADR id."""
