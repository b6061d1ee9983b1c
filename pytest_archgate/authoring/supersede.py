"""``archgate supersede``: link an old decision to its successor, in the log's own format.

Both files are edited (the old one's status, the new one's ``supersedes``), both results are
parsed and the log is linted with them before either is written: a supersede that would add a
problem to the log is refused and leaves both files untouched.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pytest_archgate.adr.lint import lint_log
from pytest_archgate.adr.log import AdrLog, load_log
from pytest_archgate.adr.model import Adr
from pytest_archgate.authoring.body import append_section, status_spots, sync_body_status
from pytest_archgate.authoring.common import Refused, lookup_adr, parse_text, read_exact
from pytest_archgate.authoring.frontmatter import newline_of, set_key
from pytest_archgate.authoring.lock import adr_lock
from pytest_archgate.authoring.write import write_all
from pytest_archgate.errors import CommandError

_LINE_NO_RE = re.compile(r":\d+: ")


def _link(target: Adr, source: Adr, *, numbered: bool) -> str:
    rel = Path(os.path.relpath(target.path, source.path.parent)).as_posix()
    if numbered:
        label = f"{target.number}. {target.title}" if target.number is not None else target.title
    else:
        label = target.stem
    return f"[{label}]({rel})"


def _mark_superseded(old: Adr, new: Adr, text: str) -> str:
    front = old.front_matter
    if "status" in front and front["status"] is not None:
        edited = set_key(text, ("status",), f"superseded by {new.id}", file=old.file)
        return sync_body_status(
            edited,
            section=f"Superseded by {_link(new, old, numbered=True)}",
            bullet=f"superseded by {_link(new, old, numbered=False)}",
        )
    spots = status_spots(text)
    if spots.section_line is not None:
        start, end = spots.section_line
        return text[:start] + f"Superseded by {_link(new, old, numbered=True)}" + text[end:]
    if spots.bullet_value is not None:
        start, end = spots.bullet_value
        return text[:start] + f"superseded by {_link(new, old, numbered=False)}" + text[end:]
    if old.format == "madr":
        return set_key(text, ("status",), f"superseded by {new.id}", file=old.file)
    raise Refused(
        "has no status to mark as superseded (no front-matter status:, ## Status section or "
        "- Status: line)",
        file=old.file,
        field="status",
    )


def _add_supersedes(new: Adr, old: Adr, text: str) -> str:
    nl = newline_of(text)
    if new.format == "madr":
        current = new.front_matter.get("supersedes")
        if current is None:
            return set_key(text, ("supersedes",), old.id, file=new.file)
        if current == old.id:
            return text
        if isinstance(current, str):
            return set_key(text, ("supersedes",), [current, old.id], file=new.file)
        if isinstance(current, list) and all(isinstance(x, str) for x in current):
            if old.id in current:
                return text
            return set_key(text, ("supersedes",), [*current, old.id], file=new.file)
        raise Refused(
            f"supersedes holds {current!r}; expected an id or a list of ids",
            file=new.file,
            line=new.key_lines.get("supersedes"),
            field="supersedes",
        )
    spots = status_spots(text)
    if spots.section_end is not None:
        end = spots.section_end
        lead = nl if text[:end].endswith(("\n", "\r")) else nl + nl
        line = f"Supersedes {_link(old, new, numbered=True)}"
        return text[:end] + lead + line + nl + text[end:]
    if spots.bullet_line_end is not None:
        end = spots.bullet_line_end
        lead = "" if text[:end].endswith(("\n", "\r")) else nl
        line = f"{spots.bullet_prefix}Supersedes: {_link(old, new, numbered=False)}"
        return text[:end] + lead + line + nl + text[end:]
    line = f"Supersedes {_link(old, new, numbered=True)}"
    return append_section(text, line + nl, nl)


def _problems(log: AdrLog) -> set[str]:
    return {_LINE_NO_RE.sub(": ", p) for p in lint_log(log)}


def supersede_adr(
    old_ref: str, new_ref: str, *, directory: Path, root: Path | None = None
) -> tuple[Adr, Adr]:
    """Mark ``old_ref`` superseded by ``new_ref`` and link ``new_ref`` back; returns both ADRs.

    Both files are edited in their own format, both results are parsed and the log is linted
    with them before either file is written; :class:`Refused` leaves both untouched. The ADR
    folder's lock is held throughout (see :func:`adr_lock`).
    """
    with adr_lock(directory):
        return _supersede_locked(old_ref, new_ref, directory=directory, root=root)


def _supersede_locked(
    old_ref: str, new_ref: str, *, directory: Path, root: Path | None
) -> tuple[Adr, Adr]:
    log = load_log(directory, root=root)
    old = lookup_adr(log, old_ref)
    new = lookup_adr(log, new_ref)
    if old.path.resolve() == new.path.resolve():
        raise Refused(f"{old.id} cannot supersede itself", file=old.file)
    if old.status == "superseded":
        by = f" by {old.superseded_by}" if old.superseded_by else ""
        raise Refused(
            f"{old.id} is already superseded{by}",
            file=old.file,
            line=old.status_line,
            field="status",
        )
    if new.status in ("superseded", "rejected", "deprecated"):
        raise Refused(
            f"{new.id} is {new.status}; only a proposed or accepted ADR can supersede another",
            file=new.file,
            line=new.status_line,
            field="status",
        )
    old_text = read_exact(old.path, old.file)
    new_text = read_exact(new.path, new.file)
    old_edited = _mark_superseded(old, new, old_text)
    new_edited = _add_supersedes(new, old, new_text)

    old_after = parse_text(old_edited, old.path, old.file)
    new_after = parse_text(new_edited, new.path, new.file)
    old_after = _with_path(old_after, old)
    new_after = _with_path(new_after, new)
    adrs = [old_after if a is old else new_after if a is new else a for a in log.adrs]
    after_log = AdrLog(directory=log.directory, adrs=adrs, errors=list(log.errors))
    successor = after_log.successor(old_after)
    if old_after.status != "superseded" or successor is None or successor.path != new.path:
        raise CommandError(  # pragma: no cover - the edits above always produce this
            f"the edited file does not read back as superseded by {new.id}", file=old.file
        )
    if (new_after.id, new_after.title, new_after.status) != (new.id, new.title, new.status):
        raise CommandError(  # pragma: no cover
            "the edited file changed more than its supersedes link", file=new.file
        )
    added = sorted(_problems(after_log) - _problems(log))
    if added:
        raise Refused(f"the log would have a new problem: {added[0]}")
    edits = ((old.path, old_edited, old_text), (new.path, new_edited, new_text))
    write_all([(path, edited) for path, edited, original in edits if edited != original])
    return old_after, new_after


def _with_path(parsed: Adr, original: Adr) -> Adr:
    """A probe-parsed ADR with the real file's path and display name."""
    return parsed.replace(path=original.path, file=original.file)
