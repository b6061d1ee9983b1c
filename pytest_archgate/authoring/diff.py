"""``archgate diff``: what a change does to the decision log, criterion by criterion.

An acceptance criterion is only worth something if it cannot be relaxed quietly. A pull request
that lowers ``roc_auc: ">= 0.90"`` to ``0.85`` in the same commit as a weaker model turns a
failing build green without anyone deciding anything. This command compares the ADRs at a git
revision (the pull request's base) with the working tree and names every loosened, tightened,
added or changed criterion and every status change, so reviewers see it and CI can refuse it.

The legitimate way to relax an accepted decision is a new ADR that supersedes the old one: the
old record stays as history and the new one states why. ``--fail-on-loosened`` therefore fails
only when an ADR that was accepted at the base is loosened *in place* (a bound relaxed, a
criterion removed, the record deleted or demoted without a successor); superseding it is fine.

:func:`diff_logs` is pure and works on two parsed :class:`~pytest_archgate.adr.log.AdrLog`; only
:func:`load_log_at` talks to git (``rev-parse``, ``ls-tree`` and ``cat-file`` through
``subprocess`` with a timeout), writing the base revision's ADR files into a temporary folder so
that both sides go through the same parser.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pytest_archgate.adr.criteria import Criterion
from pytest_archgate.adr.files import is_adr_file
from pytest_archgate.adr.log import AdrLog, load_log
from pytest_archgate.adr.model import Adr
from pytest_archgate.errors import CommandError

ChangeKind = Literal[
    "adr_added",
    "adr_deleted",
    "status",
    "loosened",
    "tightened",
    "added",
    "changed",
    "dangling_supersede",
]

GIT_TIMEOUT_S = 30.0
_SECTIONS = ("acceptance", "constraints")


@dataclass(frozen=True)
class Change:
    """One difference between the base and the head decision log.

    ``criterion`` is None for ADR-level changes (added, deleted, status, decision...).
    ``enforced_before`` says whether the ADR was accepted (enforced) at the base;
    ``loosens_accepted`` whether this change relaxes such an ADR in place, the case
    ``--fail-on-loosened`` refuses.
    """

    adr: str
    kind: ChangeKind
    criterion: str | None = None
    field: str | None = None
    before: Any = None
    after: Any = None
    enforced_before: bool = False
    section: str | None = None
    file: str | None = None
    loosens_accepted: bool = False
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "adr": self.adr,
            "kind": self.kind,
            "criterion": self.criterion,
            "field": self.field,
            "before": self.before,
            "after": self.after,
            "enforced_before": self.enforced_before,
            "section": self.section,
            "file": self.file,
            "loosens_accepted": self.loosens_accepted,
            "note": self.note,
        }

    def describe(self) -> str:
        """One human-readable line, without the ADR id and kind."""
        where = f"{self.section} {self.criterion}" if self.criterion else ""
        if self.kind == "adr_added":
            text = f"new ADR ({self.after})"
        elif self.kind == "adr_deleted":
            text = f"ADR removed (was {self.before})"
        elif self.kind == "dangling_supersede":
            text = f"superseded by {self.after!r}, which is not in the log"
        elif self.kind == "added" and self.criterion:
            text = f"{where}: new criterion {self.after}"
        elif self.field == "criterion" and self.criterion:
            text = f"{where}: criterion removed (was {self.before})"
        else:
            label = f"{where}: {self.field}" if where else str(self.field)
            text = f"{label} {_show(self.before)} -> {_show(self.after)}"
        if self.note:
            text += f" ({self.note})"
        return text


@dataclass
class DiffResult:
    """Every change between two decision logs, in log order."""

    changes: list[Change] = field(default_factory=list)
    base: str = "base"
    head: str = "working tree"
    adr_dir: str | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def loosened_accepted(self) -> list[Change]:
        """Changes that relax an ADR accepted at the base in place (what the gate refuses)."""
        return [c for c in self.changes if c.loosens_accepted]

    def to_json(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "head": self.head,
            "adr_dir": self.adr_dir,
            "changes": [c.to_json() for c in self.changes],
            "loosened_accepted": [c.to_json() for c in self.loosened_accepted],
            "errors": list(self.errors),
        }

    def to_text(self) -> str:
        where = f" ({self.adr_dir})" if self.adr_dir else ""
        lines = [f"archgate diff {self.base} -> {self.head}{where}"]
        if not self.changes:
            lines.append("no changes to the decision log")
        width = max((len(c.adr) for c in self.changes), default=0)
        for c in self.changes:
            flag = "  [loosens an accepted ADR in place]" if c.loosens_accepted else ""
            lines.append(f"  {c.adr:<{width}}  {c.kind:<18}  {c.describe()}{flag}")
        for err in self.errors:
            lines.append(f"  note: {err}")
        n = len(self.loosened_accepted)
        if n:
            lines.append(
                f"{n} change(s) loosen an ADR accepted at {self.base} in place; supersede it "
                "with a new ADR instead"
            )
        return "\n".join(lines)


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, float) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------------------------
# comparing


def _criteria_by_section(adr: Adr) -> dict[tuple[str, str], Criterion]:
    out: dict[tuple[str, str], Criterion] = {}
    for c in adr.acceptance:
        out[("acceptance", c.name)] = c
    for c in adr.constraints:
        out[("constraints", c.name)] = c
    return out


def _same_spec(a: Criterion, b: Criterion) -> bool:
    """Equal bounds, ignoring name and line (a renamed criterion).

    A metric that defaults to the criterion's name counts as equal on both sides.
    """

    def spec(c: Criterion) -> tuple[Any, ...]:
        metric = None if c.metric == c.name else c.metric
        return (metric, c.min, c.max, c.min_strict, c.max_strict, c.vs, c.confidence, c.device)

    return spec(a) == spec(b)


Direction = Literal["loosened", "tightened", "changed"]


def _bound_changes(before: Criterion, after: Criterion) -> list[tuple[Direction, str, Any, Any]]:
    """(direction, field, before, after) for every field of a criterion that changed."""
    out: list[tuple[Direction, str, Any, Any]] = []
    if before.metric != after.metric:
        out.append(("changed", "metric", before.metric, after.metric))
    if before.vs != after.vs:
        out.append(("changed", "vs", before.vs, after.vs))
    # min: lower or removed is looser; at an equal value, strict -> inclusive is looser
    if before.min != after.min:
        if after.min is None or (before.min is not None and after.min < before.min):
            out.append(("loosened", "min", before.min, after.min))
        else:
            out.append(("tightened", "min", before.min, after.min))
    elif before.min is not None and before.min_strict != after.min_strict:
        way: Direction = "loosened" if before.min_strict else "tightened"
        out.append((way, "min_strict", before.min_strict, after.min_strict))
    if before.max != after.max:
        if after.max is None or (before.max is not None and after.max > before.max):
            out.append(("loosened", "max", before.max, after.max))
        else:
            out.append(("tightened", "max", before.max, after.max))
    elif before.max is not None and before.max_strict != after.max_strict:
        way = "loosened" if before.max_strict else "tightened"
        out.append((way, "max_strict", before.max_strict, after.max_strict))
    # a higher one-sided confidence is a more conservative bound
    if before.confidence != after.confidence:
        if after.confidence is None or (
            before.confidence is not None and after.confidence < before.confidence
        ):
            out.append(("loosened", "confidence", before.confidence, after.confidence))
        else:
            out.append(("tightened", "confidence", before.confidence, after.confidence))
    if before.device != after.device:
        if after.device is None:
            way = "loosened"
        elif before.device is None:
            way = "tightened"
        else:
            way = "changed"
        out.append((way, "device", before.device, after.device))
    return out


def _vs_note(c: Criterion | None, fld: str) -> str | None:
    if c is not None and c.vs is not None and fld in ("min", "max", "min_strict", "max_strict"):
        return f"margin over {c.vs}"
    return None


def _criterion_changes(base: Adr, head: Adr, *, in_place: bool) -> list[Change]:
    enforced = base.status == "accepted"
    b = _criteria_by_section(base)
    h = _criteria_by_section(head)
    out: list[Change] = []

    def add(kind: ChangeKind, key: tuple[str, str], fld: str, before: Any, after: Any) -> None:
        out.append(
            Change(
                adr=head.id,
                kind=kind,
                criterion=key[1],
                field=fld,
                before=before,
                after=after,
                enforced_before=enforced,
                section=key[0],
                file=head.file,
                loosens_accepted=kind == "loosened" and enforced and in_place,
                note=_vs_note(h.get(key) or b.get(key), fld),
            )
        )

    removed = [k for k in b if k not in h]
    added = [k for k in h if k not in b]
    # a criterion renamed with the same bounds is one change, not a removal and an addition
    for old in list(removed):
        for new in added:
            if old[0] == new[0] and _same_spec(b[old], h[new]):
                add("changed", new, "name", old[1], new[1])
                for direction, fld, before, after in _bound_changes(b[old], h[new]):
                    add(direction, new, fld, before, after)
                removed.remove(old)
                added.remove(new)
                break
    # a criterion moved from acceptance to constraints is no longer enforced
    for old in list(removed):
        for new in added:
            if old[1] == new[1] and old[0] != new[0]:
                kind: ChangeKind = "loosened" if old[0] == "acceptance" else "tightened"
                add(kind, new, "section", old[0], new[0])
                for direction, fld, before, after in _bound_changes(b[old], h[new]):
                    add(direction, new, fld, before, after)
                removed.remove(old)
                added.remove(new)
                break
    for key in b:
        if key in h:
            for direction, fld, before, after in _bound_changes(b[key], h[key]):
                add(direction, key, fld, before, after)
    for key in removed:
        add("loosened", key, "criterion", b[key].bound, None)
    for key in added:
        add("added", key, "criterion", None, h[key].bound)
    return out


def _adr_field_changes(base: Adr, head: Adr) -> list[Change]:
    out: list[Change] = []
    for name in ("decision", "baseline"):
        before, after = getattr(base, name), getattr(head, name)
        if before != after:
            out.append(
                Change(
                    adr=head.id,
                    kind="changed",
                    field=name,
                    before=before,
                    after=after,
                    enforced_before=base.status == "accepted",
                    file=head.file,
                )
            )
    if base.options != head.options:
        out.append(
            Change(
                adr=head.id,
                kind="changed",
                field="options",
                before=list(base.options),
                after=list(head.options),
                enforced_before=base.status == "accepted",
                file=head.file,
            )
        )
    return out


def _legitimately_superseded(adr: Adr, log: AdrLog) -> bool:
    return adr.status == "superseded" and log.successor(adr) is not None


def diff_logs(base: AdrLog, head: AdrLog) -> DiffResult:
    """Compare two decision logs (ADRs matched by id)."""
    result = DiffResult()
    base_by_id = {a.id: a for a in base.adrs}
    head_by_id = {a.id: a for a in head.adrs}
    order = [a.id for a in head.adrs] + [a.id for a in base.adrs if a.id not in head_by_id]
    for adr_id in order:
        old = base_by_id.get(adr_id)
        new = head_by_id.get(adr_id)
        if new is None:
            assert old is not None
            result.changes.append(
                Change(
                    adr=adr_id,
                    kind="adr_deleted",
                    field="status",
                    before=old.status,
                    enforced_before=old.enforced,
                    file=old.file,
                    loosens_accepted=old.enforced,
                    note="its criteria are no longer checked" if old.criteria else None,
                )
            )
            continue
        if old is None:
            result.changes.append(
                Change(
                    adr=adr_id,
                    kind="adr_added",
                    field="status",
                    after=new.status,
                    file=new.file,
                    note=f"{len(new.criteria)} criteria" if new.criteria else None,
                )
            )
        else:
            if old.status != new.status:
                demoted = old.enforced and not new.enforced
                legit = _legitimately_superseded(new, head)
                note = None
                if new.status == "superseded":
                    succ = head.successor(new)
                    note = f"by {succ.id}" if succ is not None else f"by {new.superseded_by}"
                elif demoted:
                    note = "no longer enforced"
                result.changes.append(
                    Change(
                        adr=adr_id,
                        kind="status",
                        field="status",
                        before=old.status,
                        after=new.status,
                        enforced_before=old.enforced,
                        file=new.file,
                        loosens_accepted=demoted and not legit,
                        note=note,
                    )
                )
            # still accepted: any loosening is in place; superseded/demoted is judged above
            in_place = old.enforced and new.enforced
            result.changes.extend(_adr_field_changes(old, new))
            result.changes.extend(_criterion_changes(old, new, in_place=in_place))
        if new.superseded_by and head.successor(new) is None:
            was_dangling = (
                old is not None
                and old.superseded_by == new.superseded_by
                and base.successor(old) is None
            )
            if not was_dangling:
                result.changes.append(
                    Change(
                        adr=adr_id,
                        kind="dangling_supersede",
                        field="superseded_by",
                        before=old.superseded_by if old is not None else None,
                        after=new.superseded_by,
                        enforced_before=old.enforced if old is not None else False,
                        file=new.file,
                    )
                )
    result.errors = [f"cannot parse at the base, not compared: {e}" for e in base.errors]
    return result


# --------------------------------------------------------------------------------------------
# git


def _git(args: Sequence[str], *, cwd: Path, what: str) -> bytes:
    """Run git and return stdout; any failure is a one-line :class:`CommandError`."""
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
            env=env,
            check=False,
        )
    except OSError as exc:
        # a missing working folder is a FileNotFoundError too, naming the folder
        if isinstance(exc, FileNotFoundError) and exc.filename in (None, "git"):
            raise CommandError(
                f"git is not installed or not on PATH (needed while {what}); install git"
            ) from None
        raise CommandError(f"cannot run git while {what}: {exc.strerror or exc}") from None
    except subprocess.TimeoutExpired:
        raise CommandError(f"git timed out after {GIT_TIMEOUT_S:g}s while {what}") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = msg[-1] if msg else f"exit status {proc.returncode}"
        raise CommandError(f"git failed while {what}: {detail}")
    return proc.stdout


def repo_top(cwd: Path) -> Path:
    """The top folder of the git checkout containing ``cwd``."""
    try:
        out = _git(["rev-parse", "--show-toplevel"], cwd=cwd, what="finding the repository")
    except CommandError as exc:
        raise CommandError(f"{cwd} is not inside a git checkout ({exc.message})") from None
    return Path(out.decode("utf-8", "replace").strip())


def resolve_commit(ref: str, *, top: Path) -> str:
    """The full commit id of ``ref``; a ref git does not know is a :class:`CommandError`."""
    if not ref or ref.startswith("-") or "\0" in ref:
        raise CommandError(f"invalid git revision {ref!r}", field="--base")
    try:
        out = _git(
            ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
            cwd=top,
            what=f"resolving {ref}",
        )
    except CommandError:
        raise CommandError(
            f"unknown git revision {ref!r} (fetch it first, e.g. git fetch origin main)",
            field="--base",
        ) from None
    return out.decode("ascii", "replace").strip()


def load_log_at(commit: str, rel_dir: PurePosixPath, *, top: Path, scratch: Path) -> AdrLog:
    """Parse the ADRs of ``rel_dir`` (relative to the repository top) as they are at ``commit``.

    The files are copied into ``scratch`` under the same relative path, so that each ADR's
    ``file`` reads the same on both sides of the diff.
    """
    listing = _git(
        ["ls-tree", "-z", "--full-tree", commit, "--", f"{rel_dir.as_posix()}/"],
        cwd=top,
        what=f"listing {rel_dir} at {commit[:12]}",
    )
    target = scratch.joinpath(*rel_dir.parts)
    target.mkdir(parents=True, exist_ok=True)
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, obj = meta.decode("ascii", "replace").split(" ")
        name = PurePosixPath(raw_path.decode("utf-8", "surrogateescape")).name
        if kind != "blob" or mode == "120000" or not is_adr_file(Path(name)):
            continue
        blob = _git(["cat-file", "blob", obj], cwd=top, what=f"reading {name} at {commit[:12]}")
        (target / name).write_bytes(blob)
    return load_log(target, root=scratch)


def diff_against(ref: str, adr_dir: Path, *, cwd: Path) -> DiffResult:
    """Compare the ADRs in ``adr_dir`` at git revision ``ref`` with the working tree."""
    top = repo_top(cwd)
    commit = resolve_commit(ref, top=top)
    try:
        rel = adr_dir.resolve().relative_to(top.resolve())
    except ValueError:
        raise CommandError(
            f"ADR folder {adr_dir} is outside the git checkout {top}", field="--adr-dir"
        ) from None
    rel_posix = PurePosixPath(rel.as_posix())
    head = load_log(adr_dir, root=top)
    if head.errors:
        raise CommandError(
            f"{len(head.errors)} ADR file(s) in the working tree cannot be parsed, first: "
            f"{head.errors[0]} (run archgate lint)"
        )
    with tempfile.TemporaryDirectory(prefix="archgate-diff-") as tmp:
        base = load_log_at(commit, rel_posix, top=top, scratch=Path(tmp))
    result = diff_logs(base, head)
    result.base = ref
    result.adr_dir = rel_posix.as_posix()
    return result


# --------------------------------------------------------------------------------------------
# command


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")
