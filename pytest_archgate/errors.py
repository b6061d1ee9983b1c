"""The one error tree of pytest-archgate.

Every problem a user can cause (a broken ADR, an invalid criterion, an unknown ADR id, bad data
handed to a metric, an unreadable report) is raised as a subclass of :class:`ArchgateError`.
The plugin and the CLI turn these into one-line messages naming the file, line and field; no
Python traceback reaches the user for them.

::

    ArchgateError
    ├── AdrError              an ADR file cannot be read or parsed
    │   └── CriterionError    a criterion spec is invalid
    ├── UnknownAdrError       a marker or command names an ADR that does not exist
    ├── MeasurementError      a metric or latency measurement got input it cannot judge
    ├── ReportError           a report file is missing, malformed or inconsistent
    └── CommandError          a CLI command cannot do what it was asked (bad arguments, state)

    ArchgateWarning (UserWarning)
    ├── SupersededAdrWarning  a test is linked to a superseded or deprecated ADR
    └── NeedsReviewWarning    a constraint an accepted decision rests on no longer holds

This module imports nothing: the CLI and every layer import it, and the CLI must start without
pytest. The warnings are :class:`UserWarning` subclasses here; the plugin emits subclasses of
them that are also ``pytest.PytestWarning`` (see :mod:`pytest_archgate.plugin.session` and
``adr/0014-lazy-plugin-and-cli-imports.md``), so ``-W ignore::pytest.PytestWarning`` and
``-W error::pytest_archgate.SupersededAdrWarning`` both keep matching what a run shows.
"""

from __future__ import annotations


class ArchgateError(Exception):
    """Base class of every user-facing archgate error.

    ``file``, ``line`` (1-based) and ``field`` locate the problem when known; ``str()`` renders
    ``file:line: field: message`` so that editors and CI logs can jump to it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line:
                where += f":{self.line}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class AdrError(ArchgateError):
    """An ADR file cannot be read or parsed."""


class CriterionError(AdrError):
    """A criterion spec under ``archgate.acceptance`` or ``archgate.constraints`` is invalid."""


class UnknownAdrError(ArchgateError):
    """A marker, option or command names an ADR that does not exist."""


class MeasurementError(ArchgateError):
    """A metric or latency measurement got input it cannot judge (NaN, one class, no calls...)."""


class ReportError(ArchgateError):
    """A report JSON file is missing, malformed or from an incompatible run."""


class CommandError(ArchgateError):
    """A CLI command cannot do what it was asked."""


class ArchgateWarning(UserWarning):
    """Base class of archgate's warnings."""


class SupersededAdrWarning(ArchgateWarning):
    """A test is linked to a superseded or deprecated ADR."""


class NeedsReviewWarning(ArchgateWarning):
    """A constraint that an accepted decision rests on was measured and does not hold."""
