"""Immutable records for the classes every ``archgate`` command and linked pytest run creates.

The ADR record, its criteria, the decision log and the table cells were frozen dataclasses.
Importing :mod:`dataclasses` imports :mod:`inspect` (and with it ``ast``, ``dis``,
``tokenize``): about 12 ms of CPU time on the 2-core machine of the README's figures, the
largest single cost of ``archgate list`` once its ADRs come from the parse cache (issue 12's
target: within 1.5x of the interpreter start plus PyYAML's import). pytest imports
``dataclasses`` anyway, so the plugin gains nothing; the CLI does. ADR-0022 records the choice.

A :class:`Record` subclass lists its fields in ``__slots__`` and sets them in ``__init__``
through :meth:`Record._init`; it then behaves as a frozen dataclass: fields cannot be set or
deleted, two records are equal when they are of the same class with equal fields (a subclass
may opt out, as :class:`~pytest_archgate.adr.model.Adr` does, for identity), equal records hash
alike, ``repr`` shows every field, :meth:`Record.replace` is ``dataclasses.replace``, and
:mod:`copy` and :mod:`pickle` rebuild them through ``__init__``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self, TypeVar

_T = TypeVar("_T")

# each record class's slot setters, in declaration order (see Record._from_fields)
_SETTERS: dict[type, tuple[Any, ...]] = {}


class Record:
    """Base of an immutable record whose fields are its ``__slots__`` (see the module doc)."""

    __slots__: tuple[str, ...] = ()

    def _init(self, **values: Any) -> None:
        """Set every field (``__init__`` passes each one); for ``__init__`` only: the record is
        immutable afterwards."""
        setter = object.__setattr__
        for name, value in values.items():
            setter(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot delete {name!r}")

    @classmethod
    def _from_fields(cls, values: Iterable[Any]) -> Self:
        """A record from the values of its fields in declaration order, without ``__init__``.

        For a reader that has checked every value already (the parse cache, which rebuilds
        the ADRs of a whole log at every pytest start): setting the slots directly is about
        three times faster than ``__init__``. Exactly one value per field, or ``ValueError``.
        """
        setters = _SETTERS.get(cls)
        if setters is None:
            setters = _SETTERS[cls] = tuple(getattr(cls, name).__set__ for name in cls.__slots__)
        record = object.__new__(cls)
        for setter, value in zip(setters, values, strict=True):
            setter(record, value)
        return record

    def fields(self) -> dict[str, Any]:
        """The fields by name, in declaration order."""
        return {name: getattr(self, name) for name in self.__slots__}

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((self.__class__.__name__, self._values()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{self.__class__.__name__}({inner})"

    def replace(self, **changes: Any) -> Self:
        """A copy with some fields changed (``dataclasses.replace``); unknown names raise."""
        unknown = set(changes) - set(self.__slots__)
        if unknown:
            raise TypeError(f"{self.__class__.__name__} has no field {sorted(unknown)[0]!r}")
        values = self.fields()
        values.update(changes)
        return self.__class__(**values)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.__class__, self.fields()))


def _rebuild(cls: type[Record], values: dict[str, Any]) -> Record:
    return cls(**values)


def replace(obj: _T, /, **changes: Any) -> _T:
    """``dataclasses.replace`` for records and dataclasses alike (the judge copies both)."""
    if isinstance(obj, Record):
        return obj.replace(**changes)
    import dataclasses

    return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
