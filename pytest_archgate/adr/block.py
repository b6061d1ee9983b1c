"""The ``archgate:`` block of a decision: options, criteria, weights, cost and family.

The machine-readable part of a decision lives under this one front-matter key, so an ADR stays a
valid file of its own format. Each value is checked here, with the line of its key, before the
decision can take part in gating.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_archgate.adr.criteria import Criterion, Kind, check_archgate_block, parse_criterion
from pytest_archgate.adr.model import Adr
from pytest_archgate.errors import AdrError, CriterionError
from pytest_archgate.measure.names import short_repr

ARCHGATE_KEYS = (
    "decision",
    "baseline",
    "options",
    "constraints",
    "acceptance",
    "weights",
    "cost",
    "family",
)


def _as_name_list(raw: Any, *, field: str, file: str, line: int | None) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise AdrError(
            f"expected a list of option names, got {short_repr(raw)}",
            file=file,
            line=line,
            field=field,
        )
    names = tuple(x.strip() for x in raw)
    dupes = sorted({x for x in names if names.count(x) > 1})
    if dupes:
        raise AdrError(
            f"option(s) listed twice: {', '.join(dupes)}", file=file, line=line, field=field
        )
    return names


def parse_archgate_block(adr: Adr, block: Any, key_lines: Mapping[str, int]) -> Adr:
    file = adr.file
    line = key_lines.get("archgate")
    if block is None:
        block = {}
    if not isinstance(block, Mapping):
        raise AdrError(
            f"archgate must be a mapping (decision, options, acceptance...), got "
            f"{type(block).__name__}",
            file=file,
            line=line,
            field="archgate",
        )
    unknown = sorted(str(k) for k in block if k not in ARCHGATE_KEYS)
    if unknown:
        bad = unknown[0]
        raise AdrError(
            f"unknown key {short_repr(bad)}; allowed: {', '.join(ARCHGATE_KEYS)}",
            file=file,
            line=key_lines.get(f"archgate.{bad}", line),
            field=f"archgate.{bad}",
        )

    def single(name: str) -> str | None:
        raw = block.get(name)
        if raw is None:
            return None
        if not isinstance(raw, str) or not raw.strip():
            raise AdrError(
                f"expected an option name, got {short_repr(raw)}",
                file=file,
                line=key_lines.get(f"archgate.{name}", line),
                field=f"archgate.{name}",
            )
        return raw.strip()

    decision = single("decision")
    baseline = single("baseline")
    options = _as_name_list(
        block.get("options"),
        field="archgate.options",
        file=file,
        line=key_lines.get("archgate.options", line),
    )
    if options:
        for name, value in (("decision", decision), ("baseline", baseline)):
            if value is not None and value not in options:
                raise AdrError(
                    f"{value!r} is not one of archgate.options ({', '.join(options)})",
                    file=file,
                    line=key_lines.get(f"archgate.{name}", line),
                    field=f"archgate.{name}",
                )
    else:
        options = tuple(dict.fromkeys(x for x in (decision, baseline) if x is not None))

    def criteria(section: str, kind: Kind) -> tuple[Criterion, ...]:
        raw = block.get(section)
        if raw is None:
            return ()
        if not isinstance(raw, Mapping):
            raise CriterionError(
                f"expected a mapping of criterion name to spec, got {type(raw).__name__}",
                file=file,
                line=key_lines.get(f"archgate.{section}", line),
                field=f"archgate.{section}",
            )
        return tuple(
            parse_criterion(
                name,
                spec,
                kind=kind,
                options=options,
                file=file,
                line=key_lines.get(f"archgate.{section}.{name}", line),
            )
            for name, spec in raw.items()
        )

    acceptance = criteria("acceptance", "acceptance")
    constraints = criteria("constraints", "constraint")
    check_archgate_block(
        decision=decision,
        baseline=baseline,
        options=options,
        acceptance=acceptance,
        constraints=constraints,
        file=file,
        line_of=lambda key: key_lines.get(key, line),
    )

    weights_raw = block.get("weights") or {}
    weights: dict[str, float] = {}
    if not isinstance(weights_raw, Mapping):
        raise AdrError(
            "weights must map acceptance criterion names to numbers",
            file=file,
            line=key_lines.get("archgate.weights", line),
            field="archgate.weights",
        )
    names = {c.name for c in acceptance}
    for wname, wval in weights_raw.items():
        wline = key_lines.get(f"archgate.weights.{wname}", line)
        if wname not in names:
            raise AdrError(
                f"weight for {wname!r}, which is not an acceptance criterion "
                f"({', '.join(sorted(names)) or 'none defined'})",
                file=file,
                line=wline,
                field=f"archgate.weights.{wname}",
            )
        if isinstance(wval, bool) or not isinstance(wval, int | float) or not 0 <= wval <= 1e300:
            raise AdrError(
                f"weight must be a non-negative number, got {str(wval)[:40]}",
                file=file,
                line=wline,
                field=f"archgate.weights.{wname}",
            )
        weights[str(wname)] = float(wval)

    cost_raw = block.get("cost") or {}
    if not isinstance(cost_raw, Mapping):
        raise AdrError(
            "cost must be a mapping (usd_per_hour, volume_per_day, prices...)",
            file=file,
            line=key_lines.get("archgate.cost", line),
            field="archgate.cost",
        )
    from pytest_archgate.adr.cost import parse_cost

    parse_cost(cost_raw, file=file, line_of=key_lines.get, options=options)

    from pytest_archgate.adr.criteria import check_family

    try:
        family = check_family(block.get("family"), source="family")
    except ValueError as exc:
        raise AdrError(
            str(exc).removeprefix("family: "),
            file=file,
            line=key_lines.get("archgate.family", line),
            field="archgate.family",
        ) from None

    return _replace(
        adr,
        has_archgate=True,
        archgate_line=line,
        decision=decision,
        baseline=baseline,
        options=options,
        acceptance=acceptance,
        constraints=constraints,
        weights=weights,
        cost=dict(cost_raw),
        family=family,
    )


def _replace(adr: Adr, **changes: Any) -> Adr:
    return adr.replace(**changes)
