"""Names and confidence levels: the checks the ADR parser shares with the measurement code.

These lived in :mod:`pytest_archgate.measure.estimate` (which re-exports them). The ADR parser,
``archgate list`` and ``archgate lint`` need only these few functions; importing the estimate
module for them pulled in :mod:`statistics` (with ``fractions``, ``decimal`` and ``random``),
``json`` and a dozen dataclasses, a third of the CLI's start-up (issue 12). Standard library
only: ``unicodedata``.
"""

from __future__ import annotations

import unicodedata

#: The longest metric, option or method name a measurement may carry.
MAX_NAME_LENGTH = 200


def level_key(level: float) -> float:
    """Normalise a confidence level so it can be used as a dict key."""
    return round(float(level), 6)


def two_sided_level(confidence: float) -> float:
    """The two-sided level whose lower (or upper) end is the one-sided bound at ``confidence``."""
    return level_key(2.0 * confidence - 1.0)


def bad_name_reason(name: object) -> str | None:
    """Why ``name`` is not a usable metric, option or criterion name (None when it is).

    A name is a non-empty string of at most :data:`MAX_NAME_LENGTH` characters, without
    surrounding whitespace and without control, format or line/paragraph separator characters
    (a newline in a name could start a new line, e.g. a CI workflow command, wherever the name
    is printed).
    """
    if not isinstance(name, str):
        return f"must be a string, got {type(name).__name__} {name!r}"
    if not name.strip():
        return f"must be a non-empty name, got {name!r}"
    if len(name) > MAX_NAME_LENGTH:
        return f"is {len(name)} characters long; at most {MAX_NAME_LENGTH} are allowed"
    # printable ASCII (U+0020..U+007E) holds none of the refused categories: skip the
    # per-character look-up for the names nearly everyone writes (every criterion, option
    # and metric name of every ADR read passes here)
    if not (name.isascii() and name.isprintable()):
        for ch in name:
            if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
                return f"must not contain control characters, got {name!r}"
    if name != name.strip():
        return f"must not start or end with whitespace, got {name!r}"
    return None


def short_repr(value: object, limit: int = 80) -> str:
    """A bounded repr for error messages (a 10**400 or a huge list stays readable)."""
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__
        text = f"<{type(value).__name__}>"
    if isinstance(value, int) and not isinstance(value, bool) and len(text) > limit:
        return f"an integer of {len(text)} digits"
    return text if len(text) <= limit else text[: limit - 3] + "..."
