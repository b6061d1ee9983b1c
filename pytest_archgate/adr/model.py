"""The decision record as the rest of archgate sees it: :class:`Adr` and the five statuses.

Every layer above the ADR layer (verdicts, reports, authoring, the plugin) works on this one
frozen dataclass, whatever format the record was written in; parsing lives in
:mod:`pytest_archgate.adr.parse`, which builds it. Kept apart from parsing so that a module that
only needs the type (:mod:`pytest_archgate.adr.cost`, the renderers) imports no parser and no YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_archgate.adr.criteria import Criterion
from pytest_archgate.errors import AdrError

STATUSES = ("proposed", "accepted", "rejected", "deprecated", "superseded")


@dataclass(frozen=True, eq=False)
class Adr:
    """One parsed decision record."""

    id: str
    title: str
    path: Path
    file: str  # path as shown to users (relative to the project root where possible)
    status: str  # one of STATUSES or "unknown"
    status_raw: str | None = None
    status_line: int | None = None
    superseded_by: str | None = None  # raw reference as written (id, stem, or link target)
    number: int | None = None
    stem: str = ""
    date: str | None = None
    format: str = "plain"
    front_matter: Mapping[str, Any] = field(default_factory=dict)
    has_archgate: bool = False
    archgate_line: int | None = None
    decision: str | None = None
    baseline: str | None = None
    options: tuple[str, ...] = ()
    acceptance: tuple[Criterion, ...] = ()
    constraints: tuple[Criterion, ...] = ()
    weights: Mapping[str, float] = field(default_factory=dict)
    cost: Mapping[str, Any] = field(default_factory=dict)
    key_lines: Mapping[str, int] = field(default_factory=dict)
    family: str = "none"  # "holm": family-wise error over the confidence criteria (family.py)

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
