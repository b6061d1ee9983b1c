"""The base branch's report as a :class:`~pytest_archgate.verdict.baseline.Baseline`.

A pull request's run is given the report its base branch wrote (``--archgate-base-report``).
The file comes in through the one loader (:func:`~.load.load_report`), so a hostile one (NaN,
huge, wrong types, a newer version) is a one-line :class:`ReportError`, never a pass. Then:

* **age**: a report written more than ``archgate_base_max_age`` ago (default 30 days), without
  a readable ``generated_at``, or dated in the future is *stale*: every ``vs @base`` criterion
  is ``unmeasured`` with that reason;
* **merge base**: when git is at hand and the report names its commit, a commit that is not
  the merge base of ``HEAD`` and that commit (the base branch moved on, or the report is from
  elsewhere) is *flagged* beside every comparison, and the comparison is still made;
* **rows**: per-row predictions travel with a report in a folder next to it,
  ``<report>.rows/`` (see :func:`write_rows`), one ``.npz`` file per evaluation, named by its
  SHA-256; the measurement's ``rows`` key names the file, its hash and size. A file is used only
  when its size and hash match, it holds one-dimensional numeric ``y_true`` and ``y_score`` of
  one length, and ``y_true`` has the measurement's data fingerprint; anything else is a
  one-line error. Without them a comparison is unpaired, and the report says so.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from pytest_archgate.errors import ReportError
from pytest_archgate.measure.environment import git_hash
from pytest_archgate.measure.estimate import Measurement
from pytest_archgate.report.build import adr_from_json
from pytest_archgate.report.load import load_report
from pytest_archgate.report.schema import Report, RowsFile
from pytest_archgate.safe_io import read_regular
from pytest_archgate.verdict.baseline import BASE_VS, Baseline

__all__ = [
    "DEFAULT_MAX_AGE",
    "MAX_ROWS_BYTES",
    "load_baseline",
    "merge_base",
    "parse_age",
    "rows_folder",
    "write_rows",
]

DEFAULT_MAX_AGE = "30d"
#: at most this many bytes of per-row predictions are written beside a report, and read back
MAX_ROWS_BYTES = 256 * 1024 * 1024

_AGE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dhm]?)\s*$")
_UNITS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "": 86400.0}
_ROWS_NAME = re.compile(r"^[0-9a-f]{64}\.npz$")


def parse_age(text: str, *, source: str) -> float:
    """``"30d"``, ``"36h"``, ``"90m"`` or a number of days, in seconds; a ValueError names
    ``source`` otherwise."""
    match = _AGE_RE.match(text)
    seconds = float(match.group(1)) * _UNITS[match.group(2)] if match else 0.0
    if not seconds > 0:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise ValueError(
            f"{source}: {shown!r} is not an age; write a positive number of days, hours or "
            'minutes such as "30d", "36h" or "90m"'
        )
    return seconds


def rows_folder(report_path: Path) -> Path:
    """The folder of per-row predictions that travels with a report."""
    return report_path.with_name(report_path.name + ".rows")


def _age_problem(generated_at: str | None, now: _dt.datetime, max_age: float) -> str | None:
    if not generated_at:
        return "the base report does not say when it was written"
    try:
        when = _dt.datetime.fromisoformat(generated_at)
    except ValueError:
        return "the base report's generated_at is not an ISO 8601 date"
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.UTC)
    age = (now - when).total_seconds()
    if age < -3600:
        return "the base report is dated in the future"
    if age > max_age:
        return (
            f"the base report is {age / 86400:.1f} days old, older than archgate_base_max_age "
            f"({max_age / 86400:g} days)"
        )
    return None


def merge_base(root: Path, commit: str, *, timeout: float = 5.0) -> str | None:
    """``git merge-base HEAD commit`` in ``root``, or None (no git, no such commit, timeout)."""
    if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", commit) is None:
        return None
    return git_hash(["merge-base", "HEAD", commit], root, timeout=timeout)


def _check_rows(path: Path, entry: RowsFile, fingerprint: str | None, where: str) -> Path | None:
    """The checked rows file of one measurement; None when it is not there (unpaired then)."""
    import numpy as np

    name = entry.get("file")
    if not isinstance(name, str) or _ROWS_NAME.fullmatch(name) is None:
        raise ReportError("rows file must be a <sha256>.npz name", file=str(path), field=where)
    target = rows_folder(path) / name
    if not target.exists() and not target.is_symlink():
        return None
    size = entry.get("bytes")
    if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= MAX_ROWS_BYTES:
        raise ReportError("rows file size is missing or too large", file=str(path), field=where)
    data = read_regular(target, size, "rows file")
    if len(data) != size or hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        raise ReportError(
            f"rows file {name} does not match its size and SHA-256 (changed after the run?)",
            file=str(path),
            field=where,
        )
    import io
    import zipfile

    from pytest_archgate.measure.metrics import data_fingerprint

    try:
        # np.savez stores its members uncompressed: a compressed member could expand far
        # beyond the size checked above, so it is refused before anything is decompressed
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if any(i.compress_type != zipfile.ZIP_STORED for i in z.infolist()):
                raise ValueError("compressed member")
        with np.load(io.BytesIO(data), allow_pickle=False) as f:
            y, s = f["y_true"], f["y_score"]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ReportError(
            f"rows file {name} is not an archgate rows file ({type(exc).__name__})",
            file=str(path),
            field=where,
        ) from None
    ok = (
        y.ndim == 1
        and s.shape == y.shape
        and y.dtype.kind in "fiub"
        and s.dtype.kind in "fiub"
        and bool(np.isfinite(y).all() and np.isfinite(s).all())
    )
    if not ok or data_fingerprint(y) != fingerprint:
        raise ReportError(
            f"rows file {name} does not hold the rows of this measurement (y_true, y_score of "
            "one length, finite, with the measurement's data fingerprint)",
            file=str(path),
            field=where,
        )
    return target


def load_baseline(
    path: Path,
    *,
    max_age: float,
    root: Path | None = None,
    now: _dt.datetime | None = None,
) -> Baseline:
    """The base report at ``path`` as a :class:`Baseline` (see the module docstring)."""
    report = load_report(path)
    now = now or _dt.datetime.now(_dt.UTC)
    stale = []
    flags = []
    if (why := _age_problem(report.get("generated_at"), now, max_age)) is not None:
        stale.append(why)
    commit = report.get("commit")
    if commit and root is not None:
        mb = merge_base(root, commit)
        if mb is None:
            flags.append(f"the base report's commit {commit[:12]} is not in this clone")
        elif mb != commit:
            flags.append(f"the base report's commit {commit[:12]} is not the merge base {mb[:12]}")
    measurements = []
    paired_rows = False
    missing = 0
    envs = report.get("environments") or {}
    for i, m in enumerate(report.get("measurements") or ()):
        try:
            measurement = Measurement.from_json(m)
        except (ValueError, TypeError, KeyError) as exc:
            raise ReportError(
                f"unreadable measurement ({type(exc).__name__})",
                file=str(path),
                field=f"measurements[{i}]",
            ) from None
        measurement = Measurement(
            adr=measurement.adr,
            option=measurement.option,
            metric=measurement.metric,
            estimate=measurement.estimate,
            nodeid=measurement.nodeid,
            device=measurement.device,
            fingerprint=measurement.fingerprint,
            predictions=None,  # a path in a report is never followed; only checked rows are
            environment=envs.get(str(m.get("environment")), {}),
            replicate=measurement.replicate,
        )
        rows = m.get("rows")
        if rows is not None:
            target = _check_rows(path, rows, measurement.fingerprint, f"measurements[{i}].rows")
            if target is None:
                missing += 1
            else:
                measurement = replace(measurement, predictions=str(target))
                paired_rows = True
        measurements.append(measurement)
    if missing:
        flags.append(
            f"{missing} rows file(s) named by the base report are missing from "
            f"{rows_folder(path).name}: those comparisons are unpaired"
        )
    adrs = {e["id"]: adr_from_json(e) for e in report["adrs"] if e.get("definition")}
    return Baseline(
        file=path.name,
        commit=commit,
        generated_at=report.get("generated_at"),
        measurements=tuple(measurements),
        adrs=adrs,
        stale=tuple(stale),
        flags=tuple(flags),
        paired_rows=paired_rows,
    )


def _write_bytes_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".archgate-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_rows(
    report: Report, measurements: Sequence[Measurement], report_path: Path
) -> str | None:
    """Copy the per-row predictions that ``vs @base`` criteria need beside the report.

    ``report``'s measurements (in the order of ``measurements``) get a ``rows`` key each. Returns
    a note when some rows were left out (over :data:`MAX_ROWS_BYTES`), else None.
    """
    wanted = set()
    for a in report["adrs"]:
        d = a.get("definition") or {}
        for c in (*(d.get("acceptance") or ()), *(d.get("constraints") or ())):
            if c.get("vs") == BASE_VS:
                wanted.add((a["id"], c["metric"]))
    entries = report.get("measurements") or []
    folder = rows_folder(report_path)
    total = 0
    skipped = 0
    written: dict[str, RowsFile] = {}
    for m, entry in zip(measurements, entries, strict=False):
        if (m.adr, m.metric) not in wanted or not m.predictions:
            continue
        src = Path(m.predictions)
        if src.as_posix() in written:
            entry["rows"] = written[src.as_posix()]
            continue
        try:
            data = read_regular(src, MAX_ROWS_BYTES, "predictions")
        except ReportError:
            skipped += 1
            continue
        if total + len(data) > MAX_ROWS_BYTES:
            skipped += 1
            continue
        digest = hashlib.sha256(data).hexdigest()
        folder.mkdir(parents=True, exist_ok=True)
        _write_bytes_atomic(folder / f"{digest}.npz", data)
        total += len(data)
        rows: RowsFile = {"file": f"{digest}.npz", "sha256": digest, "bytes": len(data)}
        written[src.as_posix()] = entry["rows"] = rows
    if skipped:
        return (
            f"{skipped} evaluation(s) kept no per-row predictions beside the report (unreadable, "
            f"or over {MAX_ROWS_BYTES // 2**20} MiB in all): base-branch comparisons with them "
            "are unpaired"
        )
    return None
