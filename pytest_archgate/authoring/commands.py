"""Writing decisions: ``archgate new``, ``archgate accept`` and ``archgate supersede``.

An ADR is only useful as a gate if writing one is cheap and accepting one leaves a trail. ``new``
starts a record from a template that already asks the questions a senior ML architect would ask
(latency budget, training data, cost, team capabilities...) and already carries measurable
criteria. ``accept`` flips a proposed record to accepted only on measured evidence: it checks the
report against the file (same criteria, same commit, the option passes) and writes the comparison
table, the environment and the rationale into the record, so that a reviewer reading the ADR a
year later sees what the decision was based on. ``supersede`` links an old record to its
successor in whichever format the log uses.

These commands edit files people wrote by hand, so they change only the fields they must (see
:mod:`pytest_archgate.authoring.frontmatter`), re-read every result with the same parser the plugin
uses before writing it, and write through a temporary file and a rename: a refused or failed
command leaves every file exactly as it was. They hold the ADR folder's lock (:func:`adr_lock`)
from before they read the files they change until those are written, so concurrent runs are
serialised, and every operating-system error (a full disk, a read-only folder, a file where the
folder should be) ends as one :class:`~pytest_archgate.errors.CommandError` line.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as _dt
import errno
import importlib
import itertools
import os
import re
import secrets
import stat
import sys
import tempfile
import textwrap
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_archgate.adr.parse import (
    _DATE_PREFIX_RE,
    _HEADING_RE,
    _NUMBER_RE,
    _SECTION_RE,
    MAX_ADR_BYTES,
    Adr,
    AdrLog,
    _encoding_problem,
    _strip_md,
    adr_files,
    lint_log,
    load_log,
    normalise_status,
    outside_fences,
    parse_adr,
)
from pytest_archgate.authoring.frontmatter import newline_of, set_key, split_document
from pytest_archgate.errors import AdrError, ArchgateError, CommandError, UnknownAdrError

__all__ = [
    "AcceptResult",
    "LockTimeout",
    "Refused",
    "accept_adr",
    "adr_lock",
    "load_template",
    "new_adr",
    "slugify",
    "supersede_adr",
    "template_names",
]

DEFAULT_TEMPLATE = "blank"
SLUG_MAX = 60

_PLACEHOLDER_RE = re.compile(r"\{(title|date|id)\}")
_STATUS_BULLET_RE = re.compile(r"^(\s*)([-*+])(\s+\**status\**\s*:\s*\**\s*)(.*?)\s*$", re.I)
_LINE_NO_RE = re.compile(r":\d+: ")
_VERDICT_RANK = {"fail": 2, "unmeasured": 1, "pass": 0}
Handler = Callable[[argparse.Namespace], int]

if TYPE_CHECKING:
    from pytest_archgate.report.schema import Report


class Refused(CommandError):
    """A command declined to change the log in its current state (exit status 1).

    Usage mistakes (an unknown template, an empty title, a missing ADR folder) stay plain
    :class:`CommandError` and exit with status 2.
    """


# --------------------------------------------------------------------------------------------
# files


def _today() -> _dt.date:
    return _dt.date.today()


def _read(path: Path, display: str) -> str:
    """The exact text of ``path``: no newline translation, so CRLF files stay CRLF (and a
    UTF-8 BOM stays). Read as the plugin reads ADRs: regular files only, without blocking,
    capped, UTF-8 without NUL bytes."""
    from pytest_archgate.safe_io import read_regular

    try:
        data = read_regular(path, MAX_ADR_BYTES, "ADR file")
    except ArchgateError as exc:
        raise Refused(exc.message, file=display) from None
    problem = _encoding_problem(data)
    if problem is not None:
        raise Refused(problem, file=display)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(f"not UTF-8 text ({exc.reason})", file=display) from None


MAX_TITLE_CHARS = 200
"""The longest title ``archgate new`` accepts (it becomes a heading and a file name)."""
MAX_OVERRIDE_CHARS = 2000
"""The longest ``--override`` reason (it is written into the ADR's Evidence section)."""
# bidirectional overrides and isolates: they make text read differently from what it says
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def check_text_argument(value: str, *, field: str, what: str, max_chars: int) -> str:
    """``value`` with runs of spaces collapsed, or :class:`CommandError` naming ``field``.

    Text from the command line that is written into an ADR (a title, an override reason)
    must be one line of printable text: a newline would start a new Markdown line (a heading,
    a front-matter key, a workflow command in a log), a control or bidirectional-override
    character hides what the text says, and 10 KB is not a title.
    """
    for i, ch in enumerate(value):
        if ch in "\r\n" or unicodedata.category(ch) in ("Zl", "Zp"):
            raise CommandError(
                f"{what} contains a line break (position {i + 1}); write it on one line",
                field=field,
            )
        if (unicodedata.category(ch) == "Cc" and ch != "\t") or ch in _BIDI_CONTROLS:
            raise CommandError(
                f"{what} contains the control character U+{ord(ch):04X} (position {i + 1}); "
                "use plain printable text",
                field=field,
            )
    text = " ".join(value.split())
    if not text:
        raise CommandError(f"{what} is empty; give one", field=field)
    if len(text) > max_chars:
        raise CommandError(
            f"{what} is {len(text):,} characters long; keep it under {max_chars:,}", field=field
        )
    return text


# Locking. Every command that writes to a log (new, accept, supersede) holds an exclusive lock
# on the log's folder from before it reads the files it will change until after it has written
# them, so concurrent runs are serialised: the second one reads the first one's result. The lock
# is ``fcntl.flock`` on ``.archgate.lock`` inside the ADR folder (one lock per folder, whatever
# spelling of the path a command was given). The file is removed while the lock is still held,
# and a waiter that wins the lock on a removed file retries on the new one, so no lock file is
# left behind. flock locks die with their process: a crashed command never leaves a stale lock;
# a live holder is waited for at most LOCK_TIMEOUT_S, then the command stops with a clear error.
# On Windows the same file is locked with msvcrt.locking and left in place; where neither exists,
# or the file system refuses locks (some network mounts), commands run unlocked.

LOCK_NAME = ".archgate.lock"
LOCK_TIMEOUT_S = 30.0
_LOCK_POLL_S = 0.02
_UNLOCKABLE = {
    getattr(errno, name)
    for name in ("ENOLCK", "EOPNOTSUPP", "ENOTSUP", "ENOSYS", "EINVAL")
    if hasattr(errno, name)
}

if sys.platform == "win32":  # pragma: no cover - CI runs Linux and macOS
    import msvcrt

    _CAN_LOCK = True
    _REMOVE_LOCK_FILE = False

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except PermissionError:
            return False
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EDEADLK):
                return False
            raise
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - a platform without fcntl (WASI, Emscripten)
        _CAN_LOCK = False
    else:
        _CAN_LOCK = True
    _REMOVE_LOCK_FILE = True

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class LockTimeout(CommandError):
    """Another archgate command held the ADR folder's lock for longer than the timeout."""


@dataclass
class _Held:
    fd: int
    path: Path


def _safe(text: str) -> str:
    """A path or OS message on one line, whatever characters a file name holds."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


_OS_HINTS: dict[int, str] = {
    errno.ENOSPC: "free some disk space and run the command again",
    errno.EACCES: "check that you may write to {folder}",
    errno.EPERM: "check that you may write to {folder}",
    errno.EROFS: "{folder} is on a read-only file system; run the command in a writable checkout",
    errno.ENOTDIR: "a part of the path is a regular file where a folder should be",
    errno.EISDIR: "a folder is where the file should be; move it away",
    errno.ENOENT: "a folder on that path does not exist (any more)",
    errno.EEXIST: "something is in the way; move it away",
}
if hasattr(errno, "EDQUOT"):
    _OS_HINTS[errno.EDQUOT] = "your disk quota is used up; free some space and run it again"


def os_error(
    exc: OSError, *, action: str, path: Path | str | None = None, unchanged: bool = True
) -> CommandError:
    """One :class:`CommandError` line for an operating-system error: what failed, on which
    path, why, and what to do (no traceback, no errno soup)."""
    target = Path(path) if path is not None else None
    if target is None and exc.filename is not None:
        target = Path(os.fsdecode(exc.filename))
    shown = _safe(_display(target)) if target is not None else None
    folder = _safe(_display(target.parent)) if target is not None else "the folder"
    reason = exc.strerror or type(exc).__name__
    hint = _OS_HINTS.get(exc.errno or -1, "")
    message = f"cannot {action}: {_safe(reason)}"
    if hint:
        message += "; " + hint.format(folder=folder)
    if unchanged:
        message += " (no file was changed)"
    return CommandError(message, file=shown)


def _holder(fd: int) -> str:
    """``another archgate command (pid 123: archgate accept ADR-0002)`` from the lock file we
    opened; only text in that shape is shown."""
    try:
        raw = os.pread(fd, 200, 0) if hasattr(os, "pread") else b""
    except OSError:
        raw = b""
    text = " ".join(raw.decode("utf-8", "replace").split())
    if re.fullmatch(r"pid \d+: archgate [^\x00-\x1f]*", text):
        return f"another archgate command ({text})"
    return "another archgate command"


def _open_lock_file(lock_path: Path, flags: int) -> int:
    """Open the lock file without following a symbolic link (a link planted in a repository
    must not make archgate truncate the file it points to) and check that it is a file."""
    fd = os.open(
        lock_path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o644
    )
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        os.close(fd)
        raise
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise OSError(errno.EISDIR if stat.S_ISDIR(mode) else errno.EINVAL, "not a regular file")
    return fd


def _acquire(directory: Path, timeout: float) -> _Held | None:
    lock_path = directory / LOCK_NAME
    deadline = time.monotonic() + timeout
    if lock_path.is_symlink():
        raise CommandError(
            "is a symbolic link, not archgate's lock file; remove it and run the command again",
            file=_safe(_display(lock_path)),
        )
    while True:
        try:
            fd = _open_lock_file(lock_path, os.O_RDWR | os.O_CREAT)
            writable = True
        except OSError as exc:
            if not isinstance(exc, PermissionError) and exc.errno != errno.EROFS:
                raise os_error(exc, action="lock the ADR folder", path=lock_path) from None
            try:  # a lock file someone else created and we may only read
                fd = _open_lock_file(lock_path, os.O_RDONLY)
                writable = False
            except OSError:
                # The folder is not writable: no command can write to it either, so there is
                # nothing to serialise; the write itself will fail with a clear error.
                return None
        try:
            while True:
                try:
                    if _try_lock(fd):
                        break
                except OSError as exc:
                    if exc.errno in _UNLOCKABLE:  # the file system does not do locks
                        os.close(fd)
                        return None
                    raise os_error(exc, action="lock the ADR folder", path=lock_path) from None
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        f"{_holder(fd)} has held the lock on this ADR folder for more "
                        f"than {timeout:g}s; wait for it to finish (or stop it) and run this "
                        "command again",
                        file=_safe(_display(lock_path)),
                    )
                time.sleep(_LOCK_POLL_S)
            if _same_file(fd, lock_path):
                if writable:
                    _note_holder(fd)
                return _Held(fd=fd, path=lock_path)
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the holder before us removed the file we locked: lock the new one


def _same_file(fd: int, path: Path) -> bool:
    try:
        mine, now = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (mine.st_dev, mine.st_ino) == (now.st_dev, now.st_ino)


def _note_holder(fd: int) -> None:
    """Write who holds the lock into the lock file, for the message of whoever waits."""
    argv = " ".join(sys.argv[1:3])
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}: archgate {argv}\n".encode("utf-8", "replace"))
    except OSError:
        pass  # only a courtesy


def _release(held: _Held) -> None:
    try:
        if _REMOVE_LOCK_FILE:
            with contextlib.suppress(OSError):
                held.path.unlink()  # while still locked: a waiter on this file retries
        with contextlib.suppress(OSError):  # closing the descriptor releases it anyway
            _unlock(held.fd)
    finally:
        os.close(held.fd)


@contextlib.contextmanager
def adr_lock(directory: Path, *, timeout: float | None = None) -> Iterator[None]:
    """Hold the exclusive lock of the ADR folder ``directory`` (see the comment above).

    Raises :class:`LockTimeout` when another process holds it longer than ``timeout`` seconds
    (default :data:`LOCK_TIMEOUT_S`); the lock is released however the block ends.
    """
    if not _CAN_LOCK:  # pragma: no cover - platforms without fcntl or msvcrt
        yield
        return
    held = _acquire(directory, LOCK_TIMEOUT_S if timeout is None else timeout)
    try:
        yield
    finally:
        if held is not None:
            _release(held)


# Atomic writes: a temporary file in the same folder, written in full, fsync'ed, then renamed
# over the target with os.replace (atomic on POSIX and Windows). A failure at any step removes
# the temporary file and leaves the target as it was.


def _temp_beside(path: Path, data: bytes) -> Path:
    """Write ``data`` to a new hidden file next to ``path``, with ``path``'s permissions."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if path.exists():
            os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable; best effort (not every platform can)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_all(changes: Sequence[tuple[Path, str]]) -> None:
    """Write every file through a temporary file and ``os.replace``, none half-written.

    Every temporary file is written before the first rename; if a rename fails, the files
    already replaced get their old bytes back, so a command changes all of its files or none.
    OS errors become one-line :class:`CommandError`.
    """
    temps: list[tuple[Path, Path]] = []
    replaced: list[tuple[Path, bytes | None]] = []
    try:
        for path, text in changes:
            try:
                temps.append((_temp_beside(path, text.encode("utf-8")), path))
            except OSError as exc:
                raise os_error(exc, action="write", path=path) from None
        for tmp, path in temps:
            try:
                original = path.read_bytes() if path.exists() else None
                os.replace(tmp, path)
            except OSError as exc:
                failed = _restore(replaced)
                error = os_error(exc, action="write", path=path, unchanged=not failed)
                if failed:
                    error = CommandError(
                        f"{error.message}; restoring {', '.join(failed)} failed too: check them "
                        "with git diff",
                        file=error.file,
                    )
                raise error from None
            replaced.append((path, original))
        for folder in {path.parent for _tmp, path in temps}:
            _sync_folder(folder)
    finally:
        for tmp, _path in temps:
            tmp.unlink(missing_ok=True)


def _restore(replaced: Sequence[tuple[Path, bytes | None]]) -> list[str]:
    """Put back the files a failed multi-file write already replaced; names that failed."""
    failed: list[str] = []
    for path, original in reversed(replaced):
        try:
            if original is None:
                path.unlink(missing_ok=True)
            else:
                tmp = _temp_beside(path, original)
                try:
                    os.replace(tmp, path)
                finally:
                    tmp.unlink(missing_ok=True)
        except OSError:
            failed.append(_safe(_display(path)))
    return failed


def _parse_text(text: str, path: Path, display: str) -> Adr:
    """Parse ``text`` as if it were the file ``path`` (same name, so the same id)."""
    try:
        with tempfile.TemporaryDirectory(prefix="archgate-") as tmpdir:
            probe = Path(tmpdir) / path.name
            probe.write_bytes(text.encode("utf-8"))
            try:
                return parse_adr(probe)
            except AdrError as exc:
                raise CommandError(
                    f"the edited file would not parse ({exc.message}); nothing was written",
                    file=display,
                    field=exc.field,
                ) from None
    except OSError as exc:
        raise os_error(
            exc,
            action=f"check the edited file in the temporary folder {tempfile.gettempdir()}",
            path=display,
        ) from None


def _display(path: Path, root: Path | None = None) -> str:
    try:
        base = root or Path.cwd()
        return path.resolve().relative_to(base.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # elsewhere, no cwd, a symlink loop
        return str(path)


def _lookup(log: AdrLog, ref: str) -> Adr:
    try:
        return log.lookup(ref)
    except UnknownAdrError as exc:
        hint = ""
        if log.errors:
            hint = f"; {len(log.errors)} file(s) could not be parsed, first: {log.errors[0]}"
        raise Refused(exc.message + hint) from None


# --------------------------------------------------------------------------------------------
# new


def template_names() -> list[str]:
    """Names of the templates shipped with archgate (``blank``, ``tabular-model``...)."""
    folder = resources.files("pytest_archgate") / "templates"
    return sorted(
        entry.name.removesuffix(".md") for entry in folder.iterdir() if entry.name.endswith(".md")
    )


def load_template(name: str) -> str:
    """The text of template ``name``; :class:`CommandError` listing the templates otherwise."""
    names = template_names()
    if name not in names:
        raise CommandError(
            f"unknown template {name!r}; choose one of: {', '.join(names)}", field="--template"
        )
    entry = resources.files("pytest_archgate") / "templates" / f"{name}.md"
    return entry.read_text(encoding="utf-8")


def slugify(title: str, max_len: int = SLUG_MAX) -> str:
    """``"Use XGBoost (v2) for fraud!"`` -> ``"use-xgboost-v2-for-fraud"``: lowercase ASCII."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:
        cut = slug[:max_len]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[max_len // 2 :] else cut
        slug = slug.strip("-")
    return slug


def _next_name(directory: Path, slug: str, today: _dt.date, root: Path | None) -> tuple[str, str]:
    """(file name, id) of the next ADR in ``directory``, numbered or date-prefixed like the log."""
    numbered: dict[int, list[Path]] = {}
    dated: list[str] = []
    for path in adr_files(directory):
        date_prefix = _DATE_PREFIX_RE.match(path.stem)
        if date_prefix:
            dated.append(date_prefix.group(1))
            continue
        number = _NUMBER_RE.match(path.stem)
        if number:
            numbered.setdefault(int(number.group(1)), []).append(path)
    clashes = {n: paths for n, paths in numbered.items() if len(paths) > 1}
    if clashes:
        n = min(clashes)
        names = " and ".join(_display(p, root) for p in clashes[n])
        raise Refused(
            f"number {n:04d} is used twice ({names}); renumber one before adding an ADR",
            file=_display(directory, root),
        )
    if numbered:
        n = max(numbered) + 1
        return f"{n:04d}-{slug}.md", f"ADR-{n:04d}"
    if dated:
        prefix = today.strftime("%Y%m%d") if len(dated[-1]) == 8 else today.isoformat()
        stem = f"{prefix}-{slug}"
        return f"{stem}.md", stem
    return f"0001-{slug}.md", "ADR-0001"


def new_adr(
    title: str,
    *,
    directory: Path,
    template: str = DEFAULT_TEMPLATE,
    today: _dt.date | None = None,
    root: Path | None = None,
) -> Path:
    """Create the next ADR in ``directory`` from ``template`` and return its path.

    The file is ``NNNN-slug.md`` (one more than the highest number in the folder), or
    ``YYYYMMDD-slug.md`` / ``YYYY-MM-DD-slug.md`` in a date-prefixed log; ``{title}``,
    ``{date}`` and ``{id}`` in the template are filled in, and the result is parsed before it is
    written.
    """
    title = check_text_argument(title, field="TITLE", what="the title", max_chars=MAX_TITLE_CHARS)
    slug = slugify(title)
    if not slug:
        raise CommandError(
            f"title {title!r} has no letters or digits to name the file after", field="TITLE"
        )
    template_text = load_template(template)
    today = today or _today()
    _make_folder(directory, root)
    with adr_lock(directory):  # numbering reads the folder: one new ADR at a time
        try:
            os.listdir(directory)  # an unreadable folder would look empty and number from 1
        except OSError as exc:
            raise os_error(exc, action="list the ADR folder", path=directory) from None
        name, adr_id = _next_name(directory, slug, today, root)
        path = directory / name
        display = _display(path, root)
        if path.exists() or path.is_symlink():
            raise Refused("already exists; choose another title", file=display)
        values = {"title": title, "date": today.isoformat(), "id": adr_id}
        text = _PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], template_text)
        adr = _parse_text(text, path, display)
        if adr.status != "proposed" or adr.title != title:  # pragma: no cover - template bug
            raise CommandError(
                f"template {template!r} did not produce a proposed ADR titled {title!r}"
            )
        _write_all([(path, text)])
    return path


def _make_folder(directory: Path, root: Path | None) -> None:
    """Create the ADR folder (and its parents) or say in one line why it cannot be."""
    shown = _safe(_display(directory, root))
    if directory.is_dir():
        return
    if directory.exists() or directory.is_symlink():
        raise CommandError(
            "is not a folder (a regular file or a broken link is in the way); move it away, or "
            "pass --adr-dir DIR to keep the ADRs elsewhere",
            file=shown,
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, action="create the ADR folder", path=directory) from None


# --------------------------------------------------------------------------------------------
# accept: reading the report


def _fmt(x: Any) -> str:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return str(x)
    if x != x or x in (float("inf"), float("-inf")):
        return str(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.4g}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


@dataclass(frozen=True)
class _Row:
    """One judged criterion of one option, as the report has it."""

    name: str
    kind: str
    option: str
    bound: str
    verdict: str
    value: float | None
    ci: tuple[float, float] | None
    reason: str | None

    @classmethod
    def from_json(cls, raw: Mapping[str, Any], kind: str) -> _Row | None:
        name, option = raw.get("name"), raw.get("option")
        if not isinstance(name, str) or not isinstance(option, str):
            return None
        value = raw.get("value")
        ci = raw.get("ci")
        return cls(
            name=name,
            kind=str(raw.get("kind") or kind),
            option=option,
            bound=str(raw.get("bound") or ""),
            verdict=str(raw.get("verdict") or "unmeasured"),
            value=float(value) if isinstance(value, int | float) else None,
            ci=(float(ci[0]), float(ci[1])) if isinstance(ci, list) and len(ci) == 2 else None,
            reason=raw.get("reason") if isinstance(raw.get("reason"), str) else None,
        )

    @property
    def measured(self) -> str:
        if self.value is None:
            return "unmeasured"
        text = _fmt(self.value)
        if self.ci is not None:
            text += f" [{_fmt(self.ci[0])}, {_fmt(self.ci[1])}]"
        return text

    def cell(self) -> str:
        if self.value is None:
            return "unmeasured"
        return f"{self.measured} {self.verdict}"

    def miss(self) -> str:
        """``latency_p95_ms: 84 against <= 50`` or ``latency_p95_ms unmeasured``."""
        if self.value is None:
            return f"{self.name} unmeasured"
        return f"{self.name}: {_fmt(self.value)} against {self.bound}"


def _rows(entry: Mapping[str, Any]) -> dict[tuple[str, str, str], _Row]:
    """The worst row per (kind, criterion, option) of a report's ADR entry."""
    out: dict[tuple[str, str, str], _Row] = {}
    for section, kind in (("criteria", "acceptance"), ("constraints", "constraint")):
        raw_rows = entry.get(section)
        if not isinstance(raw_rows, list):
            continue
        for raw in raw_rows:
            if not isinstance(raw, Mapping):
                continue
            row = _Row.from_json(raw, kind)
            if row is None:
                continue
            key = (kind, row.name, row.option)
            old = out.get(key)
            if old is None or _VERDICT_RANK.get(row.verdict, 1) > _VERDICT_RANK.get(old.verdict, 1):
                out[key] = row
    return out


def _file_bounds(adr: Adr) -> dict[tuple[str, str], str]:
    return {(c.kind, c.name): c.bound for c in adr.criteria}


def _report_bounds(entry: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    definition = entry.get("definition")
    bounds: dict[tuple[str, str], str] = {}
    if isinstance(definition, Mapping):
        for section, kind in (("acceptance", "acceptance"), ("constraints", "constraint")):
            for raw in definition.get(section) or ():
                if isinstance(raw, Mapping) and isinstance(raw.get("name"), str):
                    bounds[(kind, raw["name"])] = str(raw.get("bound") or "")
        return bounds
    for (kind, name, _option), row in _rows(entry).items():
        bounds[(kind, name)] = row.bound
    return bounds


def _check_stale(adr: Adr, entry: Mapping[str, Any], report_file: str) -> None:
    mine, theirs = _file_bounds(adr), _report_bounds(entry)
    if mine == theirs:
        return
    for key in [*mine, *[k for k in theirs if k not in mine]]:
        if mine.get(key) != theirs.get(key):
            _kind, name = key
            file_side = mine.get(key, "absent")
            report_side = theirs.get(key, "absent")
            break
    raise Refused(
        f"the report is stale: criterion {name} is {file_side} in the ADR but {report_side} in "
        "the report; re-run the benchmarks",
        file=report_file,
    )


def _recommended(
    entry: Mapping[str, Any],
    rows: Mapping[tuple[str, str, str], _Row],
    references: Iterable[str] = (),
) -> str | None:
    """The report's recommended option; without a comparison in the report, the one option
    (``references`` left out) that passes every criterion judged for it, if exactly one does."""
    comparison = entry.get("comparison")
    if isinstance(comparison, Mapping):
        recommendation = comparison.get("recommendation")
        if isinstance(recommendation, Mapping):
            option = recommendation.get("option")
            if isinstance(option, str) and option:
                return option
            return None
    skip = set(references)
    per_option: dict[str, list[_Row]] = {}
    for (kind, _name, option), row in rows.items():
        if kind == "acceptance" and option not in skip:
            per_option.setdefault(option, []).append(row)
    passing = [o for o, rs in per_option.items() if rs and all(r.verdict == "pass" for r in rs)]
    return passing[0] if len(passing) == 1 else None


def _recommendation_reason(entry: Mapping[str, Any]) -> str | None:
    comparison = entry.get("comparison")
    if isinstance(comparison, Mapping):
        recommendation = comparison.get("recommendation")
        if isinstance(recommendation, Mapping):
            reason = recommendation.get("text") or recommendation.get("reason")
            if isinstance(reason, str) and reason.strip():
                return " ".join(reason.split())
    return None


# --------------------------------------------------------------------------------------------
# accept: the Evidence section


def _table(adr: Adr, option: str, rows: Mapping[tuple[str, str, str], _Row]) -> list[str]:
    options = list(adr.options)
    header = ["criterion", "bound", *[f"{o} (chosen)" if o == option else o for o in options]]
    lines = [
        "| " + " | ".join(_cell(h) for h in header) + " |",
        "|" + "---|" * len(header),
    ]
    for c in adr.criteria:
        label = c.name if c.kind == "acceptance" else f"{c.name} (constraint)"
        cells = [label, c.bound]
        for o in options:
            row = rows.get((c.kind, c.name, o))
            if row is not None:
                cells.append(row.cell())
            elif c.vs == o:
                cells.append("reference")
            else:
                cells.append("not measured")
        lines.append("| " + " | ".join(_cell(x) for x in cells) + " |")
    return lines


def _option_summary(
    adr: Adr, option: str, rows: Mapping[tuple[str, str, str], _Row], *, chosen: bool
) -> str | None:
    mine = [
        rows[("acceptance", c.name, option)]
        for c in adr.acceptance
        if ("acceptance", c.name, option) in rows
    ]
    if not mine:
        return None if not chosen else f"{option} has no measured criteria"
    passed = [r for r in mine if r.verdict == "pass"]
    missed = [r for r in mine if r.verdict != "pass"]
    if chosen:
        text = f"{option} meets {len(passed)} of {len(mine)} criteria"
        if missed:
            text += " (misses " + ", ".join(r.miss() for r in missed) + ")"
        return text
    if not missed:
        return f"{option} also meets {len(passed)} of {len(mine)} criteria"
    return f"{option} misses " + ", ".join(r.miss() for r in missed)


def _rationale(
    adr: Adr,
    option: str,
    rows: Mapping[tuple[str, str, str], _Row],
    entry: Mapping[str, Any],
) -> str:
    parts = [_option_summary(adr, option, rows, chosen=True)]
    parts += [_option_summary(adr, o, rows, chosen=False) for o in adr.options if o != option]
    broken = [
        rows[("constraint", c.name, option)]
        for c in adr.constraints
        if ("constraint", c.name, option) in rows
        and rows[("constraint", c.name, option)].verdict == "fail"
    ]
    if broken:
        parts.append("constraint " + ", ".join(r.miss() for r in broken) + " does not hold")
    text = "; ".join(p for p in parts if p) + "."
    recommended = _recommended(entry, rows, _references(adr))
    if recommended == option:
        text += f" The report recommends {option} as well."
    elif recommended is not None:
        reason = _recommendation_reason(entry)
        why = f" ({reason})" if reason else ""
        text += f" The report recommends {recommended}{why}; {option} was chosen instead."
    return text


def _join(items: Iterable[str]) -> str:
    return ", ".join(i for i in items if i)


def _environment_lines(report: Mapping[str, Any]) -> list[str]:
    env = report.get("environment")
    env = env if isinstance(env, Mapping) else {}
    lines: list[str] = []
    cpu = env.get("cpu_model")
    hw: list[str] = []
    if cpu:
        count = env.get("cpu_count")
        hw.append(f"{cpu} ({count} CPUs)" if count else str(cpu))
    if env.get("machine"):
        hw.append(str(env["machine"]))
    cuda = env.get("cuda")
    if isinstance(cuda, Mapping):
        devices = cuda.get("devices")
        names = [
            str(d.get("name")) for d in devices or () if isinstance(d, Mapping) and d.get("name")
        ]
        if names:
            hw.append("GPU " + ", ".join(names))
        elif cuda.get("available") is False:
            hw.append("no GPU")
    lines.append("hardware: " + (_join(hw) or "not recorded in the report"))
    python = env.get("python") or report.get("python")
    platform = env.get("platform") or report.get("platform")
    sw = []
    if python:
        sw.append(f"Python {python}" + (f" on {platform}" if platform else ""))
    packages = env.get("packages")
    if isinstance(packages, Mapping):
        sw.append(_join(f"{k} {v}" for k, v in sorted(packages.items()) if v))
    if report.get("archgate_version"):
        sw.append(f"pytest-archgate {report['archgate_version']}")
    lines.append("software: " + (_join(sw) or "not recorded in the report"))
    threads = env.get("threads")
    if isinstance(threads, Mapping) and threads:
        lines.append("threads: " + _join(f"{k}={v}" for k, v in sorted(threads.items())))
    return lines


def _fingerprints_per_option(report: Mapping[str, Any], adr_id: str) -> dict[str, set[str]]:
    """Option -> the data fingerprints it was evaluated on, for one ADR of a report."""
    per_option: dict[str, set[str]] = {}
    for m in report.get("measurements") or ():
        if not isinstance(m, Mapping) or m.get("adr") != adr_id:
            continue
        fp = m.get("fingerprint")
        if isinstance(fp, str) and fp:
            per_option.setdefault(str(m.get("option")), set()).add(fp)
    return per_option


def _fingerprints(report: Mapping[str, Any], adr_id: str) -> str:
    by_print: dict[str, list[str]] = {}
    for m in report.get("measurements") or ():
        if not isinstance(m, Mapping) or m.get("adr") != adr_id:
            continue
        fp = m.get("fingerprint")
        if isinstance(fp, str) and fp:
            options = by_print.setdefault(fp, [])
            opt = str(m.get("option"))
            if opt not in options:
                options.append(opt)
    env = report.get("environment")
    if not by_print and isinstance(env, Mapping) and isinstance(env.get("data_fingerprint"), str):
        return f"`{env['data_fingerprint']}`"
    if not by_print:
        return "none recorded (metrics were recorded, not evaluated on rows)"
    text = "; ".join(f"`{fp}` ({', '.join(opts)})" for fp, opts in by_print.items())
    if len(by_print) > 1:
        text += "; the options were not all measured on the same rows"
    return text


def _wrap(text: str, *, bullet: bool = False) -> list[str]:
    """Prose wrapped at 99 columns, as the rest of an ADR usually is; tables are left alone."""
    return textwrap.wrap(
        text,
        width=99,
        initial_indent="* " if bullet else "",
        subsequent_indent="  " if bullet else "",
        break_long_words=False,
        break_on_hyphens=False,
    ) or [""]


def _evidence(
    *,
    adr: Adr,
    option: str,
    today: _dt.date,
    nl: str,
    report: Mapping[str, Any] | None,
    report_name: str | None,
    entry: Mapping[str, Any] | None,
    commit: str | None,
    commit_source: str,
    override: str | None,
    overridden: Sequence[str],
) -> str:
    lines = ["## Evidence", ""]
    commit_line = f"commit: {f'`{commit}`' if commit else 'unknown'} ({commit_source})"
    if report is None or entry is None:
        lines += _wrap(
            f"Accepted on {today.isoformat()} with `archgate accept`: option **{option}**, "
            "with no measured evidence."
        )
        lines += ["", *_wrap(commit_line, bullet=True), ""]
    else:
        rows = _rows(entry)
        generated = str(report.get("generated_at") or "an unknown time")
        lines += _wrap(
            f"Accepted on {today.isoformat()} with `archgate accept`: option **{option}**, "
            f"from the report `{report_name}` generated at {generated}."
        )
        lines += ["", *_table(adr, option, rows), ""]
        lines += _wrap(f"Rationale: {_rationale(adr, option, rows, entry)}")
        lines += ["", "Measured on:", ""]
        items = [
            commit_line,
            *_environment_lines(report),
            f"data fingerprints: {_fingerprints(report, adr.id)}",
            f"report generated at: {generated}",
        ]
        for item in items:
            lines += _wrap(item, bullet=True)
        lines.append("")
    if override is not None:
        reason = " ".join(override.split())
        if overridden:
            why = f"accepted with `--override` although {'; '.join(overridden)}."
        else:
            why = "`--override` was given, though the evidence needed no override."
        lines += _wrap(f"Override: {why} Reason given: {reason}")
        lines.append("")
    return nl.join(lines)


def _append_section(text: str, section: str, nl: str) -> str:
    if not text.endswith(("\n", "\r")):
        text += nl
    if not text.endswith(nl + nl) and text.strip():
        text += nl
    return text + section


# --------------------------------------------------------------------------------------------
# accept


@dataclass(frozen=True)
class AcceptResult:
    """What ``archgate accept`` did."""

    path: Path
    adr_id: str
    option: str
    overridden: tuple[str, ...] = ()
    recommended: bool = False  # no --option: the report's recommended candidate was taken


def _git_head(directory: Path) -> str | None:
    from pytest_archgate.measure.environment import (
        git_commit,  # imports numpy: only when a report is checked
    )

    return git_commit(directory)


def accept_adr(
    ref: str,
    *,
    directory: Path,
    option: str | None = None,
    report_path: Path | None = None,
    override: str | None = None,
    today: _dt.date | None = None,
    root: Path | None = None,
) -> AcceptResult:
    """Flip proposed ADR ``ref`` to accepted with ``option`` as its decision; see the module doc.

    Raises :class:`Refused` (nothing written) when the ADR is missing or not proposed, the
    option is not one of its options, or the evidence does not support it: no report, a report
    without this ADR or this option, a stale report (other criteria than the file), a report
    from another commit, or an option failing a criterion. ``override`` (a reason) accepts
    anyway for the last three and is recorded in the Evidence section.
    """
    today = today or _today()
    if override is not None and not override.strip():
        raise CommandError("--override needs a reason", field="--override")
    if override is not None:
        override = check_text_argument(
            override, field="--override", what="the reason", max_chars=MAX_OVERRIDE_CHARS
        )
    # Work that does not depend on the ADR is done before taking the lock, to hold it briefly.
    head = _git_head(directory)
    if report_path is not None:
        importlib.import_module("pytest_archgate.report.build")  # verdicts and numpy, unlocked
    with adr_lock(directory):
        return _accept_locked(
            ref,
            directory=directory,
            option=option,
            report_path=report_path,
            override=override,
            today=today,
            root=root,
            head=head,
        )


def _references(adr: Adr) -> dict[str, str]:
    """Options that are references, not candidates: the baseline and every ``vs`` target,
    each with the words that say why (``the baseline``, ``the reference of auc_gain``)."""
    refs: dict[str, str] = {}
    for c in adr.acceptance:
        if c.vs:
            refs.setdefault(c.vs, f"the reference of {c.name}")
    if adr.baseline:
        refs[adr.baseline] = "the baseline"
    return refs


def _accept_locked(
    ref: str,
    *,
    directory: Path,
    option: str | None,
    report_path: Path | None,
    override: str | None,
    today: _dt.date,
    root: Path | None,
    head: str | None,
) -> AcceptResult:
    log = load_log(directory, root=root)
    adr = _lookup(log, ref)
    if adr.status != "proposed":
        raise Refused(
            f"{adr.id} is {adr.status_raw or adr.status}, not proposed; only a proposed ADR can "
            "be accepted",
            file=adr.file,
            line=adr.status_line,
            field="status",
        )
    if adr.format != "madr" or "status" not in adr.front_matter:
        raise Refused(
            "accept edits the status: key of MADR front matter, and this file has none",
            file=adr.file,
            field="status",
        )
    if not adr.options:
        raise Refused(
            "no options to choose from; list them under archgate.options",
            file=adr.file,
            line=adr.archgate_line,
            field="archgate.options",
        )
    if option is not None and option not in adr.options:
        raise Refused(
            f"{option!r} is not one of the options ({', '.join(adr.options)})",
            file=adr.file,
            line=adr.key_lines.get("archgate.options"),
            field="archgate.options",
        )
    text = _read(adr.path, adr.file)
    nl = newline_of(text)
    overridden: list[str] = []
    report: Report | None = None
    entry: Mapping[str, Any] | None = None
    report_name: str | None = None
    commit: str | None = None
    commit_source = "not a git checkout"
    from_recommendation = False

    if report_path is None:
        if override is None:
            raise Refused(
                f"no --report: accepting {adr.id} needs measured evidence; pass --report "
                'REPORT.json, or --override "reason" to record that there is none'
            )
        if option is None:
            raise Refused(f"pass --option NAME ({', '.join(adr.options)}): there is no report")
        overridden.append("there is no measured evidence")
        commit, commit_source = head, "working tree HEAD" if head else "not a git checkout"
    else:
        report_name = str(report_path)
        report = _load_report(report_path)  # a bad report is a ReportError: exit 2
        found = [a for a in report["adrs"] if isinstance(a, Mapping) and a.get("id") == adr.id]
        if not found:
            raise Refused(
                f"the report has no entry for {adr.id}; run the tests linked to it with "
                "--archgate-report",
                file=report_name,
            )
        entry = found[0]
        _check_stale(adr, entry, report_name)
        rows = _rows(entry)
        report_commit = report.get("commit")
        if isinstance(report_commit, str) and report_commit:
            commit, commit_source = report_commit, "from the report"
            if head and not (head.startswith(report_commit) or report_commit.startswith(head)):
                why = f"the report was measured at commit {report_commit[:12]}, HEAD is {head[:12]}"
                if override is None:
                    raise Refused(
                        f'{why}; re-run the benchmarks, or --override "reason"', file=report_name
                    )
                overridden.append(why)
        elif head:
            commit, commit_source = head, "working tree HEAD at acceptance; the report has none"
        per_option = _fingerprints_per_option(report, adr.id)
        if len({frozenset(fps) for fps in per_option.values()}) > 1:
            listed = "; ".join(f"{o}: {', '.join(sorted(fps))}" for o, fps in per_option.items())
            why = (
                f"the options of {adr.id} were evaluated on different data ({listed}): "
                "the comparison is not like for like"
            )
            if override is None:
                raise Refused(
                    f'{why}; evaluate every option on the same test set, or --override "reason"',
                    file=report_name,
                )
            overridden.append(why)
        if option is None:
            refs = _references(adr)
            option = _recommended(entry, rows, refs)
            if option is None:
                raise Refused(
                    f"the report recommends no single option for {adr.id}; pass --option NAME "
                    f"({', '.join(adr.options)})",
                    file=report_name,
                )
            if option in refs:
                candidates = [o for o in adr.options if o not in refs]
                # an option a vs criterion compares with cannot be the decision at all (the
                # criterion would compare it with itself): never suggest naming it
                compared = [c.name for c in adr.acceptance if c.vs == option]
                why = (
                    f"{', '.join(compared)} compares with it, so it cannot be the decision;"
                    if compared
                    else f"a reference is never accepted without being named; pass --option "
                    f"{option} to choose it deliberately, or"
                )
                raise Refused(
                    f"the report recommends {option}, {refs[option]}: {why} pass --option "
                    f"NAME for a candidate ({', '.join(candidates)})",
                    file=report_name,
                )
            from_recommendation = True
            if option not in adr.options:
                raise Refused(
                    f"the report recommends {option!r}, which is not one of the options "
                    f"({', '.join(adr.options)})",
                    file=adr.file,
                    field="archgate.options",
                )
        mine = [r for (kind, _n, o), r in rows.items() if o == option and kind == "acceptance"]
        if not mine and adr.acceptance:
            raise Refused(
                f"the report has no criteria judged for option {option!r} of {adr.id}; run the "
                f"tests that measure it (@pytest.mark.archgate({adr.id!r}, option={option!r}))",
                file=report_name,
            )
        judged = {r.name for r in mine}
        missing = [c.name for c in adr.acceptance if c.name not in judged and c.vs != option]
        problems = [r.miss() for r in mine if r.verdict != "pass"] + [
            f"{name} not in the report" for name in missing
        ]
        problems += [
            f"constraint {r.miss()}"
            for (kind, _n, o), r in rows.items()
            if kind == "constraint" and o == option and r.verdict == "fail"
        ]
        if problems:
            why = f"{option} does not meet its criteria ({', '.join(problems)})"
            if override is None:
                raise Refused(f'{why}; pass --override "reason" to accept anyway', file=adr.file)
            overridden.append(why)

    assert option is not None
    edited = set_key(text, ("status",), "accepted", file=adr.file)
    # a body that repeats the status (## Status / - Status:) says the same, or the file would
    # state two statuses that disagree (refused when gated)
    edited = _sync_body_status(edited, section="Accepted", bullet="accepted")
    edited = set_key(edited, ("date",), today, file=adr.file)
    edited = set_key(edited, ("archgate", "decision"), option, file=adr.file)
    section = _evidence(
        adr=adr,
        option=option,
        today=today,
        nl=nl,
        report=report,
        report_name=report_name,
        entry=entry,
        commit=commit,
        commit_source=commit_source,
        override=override,
        overridden=overridden,
    )
    edited = _append_section(edited, section, nl)

    after = _parse_text(edited, adr.path, adr.file)
    if (
        after.status != "accepted"
        or after.decision != option
        or after.id != adr.id
        or after.title != adr.title
        or _file_bounds(after) != _file_bounds(adr)
        or after.options != adr.options
    ):  # pragma: no cover - set_key verifies each edit; this guards the whole
        raise CommandError("the edited file does not read back as intended", file=adr.file)
    _write_all([(adr.path, edited)])
    return AcceptResult(
        path=adr.path,
        adr_id=adr.id,
        option=option,
        overridden=tuple(overridden),
        recommended=from_recommendation,
    )


def _load_report(path: Path) -> Report:
    from pytest_archgate.report.load import load_report

    return load_report(path)


# --------------------------------------------------------------------------------------------
# supersede


@dataclass(frozen=True)
class _Spots:
    """Where a body keeps its status (offsets into the whole text)."""

    section_line: tuple[int, int] | None = None  # first line of the "## Status" paragraph
    section_end: int | None = None  # end of that paragraph
    bullet_value: tuple[int, int] | None = None  # the value of "- Status: ..."
    bullet_line_end: int | None = None
    bullet_prefix: str = "- "


def _body_start(text: str) -> int:
    try:
        doc = split_document(text)
    except CommandError:
        return 0
    closing = doc.tail.splitlines(keepends=True)[0]
    return len(doc.head) + len(doc.front) + len(closing)


def _status_spots(text: str) -> _Spots:
    """Mirror of the body scan in :func:`pytest_archgate.adr.parse.parse_adr`, with offsets."""
    body_start = _body_start(text)
    raws = text[body_start:].splitlines(keepends=True)
    starts = list(itertools.accumulate((len(r) for r in raws), initial=body_start))
    section: str | None = None
    para_first: tuple[int, int] | None = None
    para_end: int | None = None
    bullet: tuple[int, int] | None = None
    bullet_end: int | None = None
    prefix = "- "
    seen_title = False
    for index, line in outside_fences(r.rstrip("\r\n") for r in raws):
        start, offset = starts[index], starts[index + 1]
        if not seen_title and _HEADING_RE.match(line):
            seen_title = True
            continue
        sec = _SECTION_RE.match(line)
        if sec:
            if section == "status" and para_first is not None:
                break
            section = _strip_md(sec.group(1)).lower()
            continue
        if section == "status":
            if line.strip():
                if para_first is None:
                    indent = len(line) - len(line.lstrip())
                    para_first = (start + indent, start + len(line.rstrip()))
                para_end = offset
            elif para_first is not None:
                break
            continue
        if section is None and bullet is None:
            m = _STATUS_BULLET_RE.match(line)
            if m:
                value = m.group(4)
                stars = len(value) - len(value.rstrip("*"))
                vstart = start + m.start(4)
                bullet = (vstart, vstart + len(value) - stars)
                bullet_end = offset
                prefix = m.group(1) + m.group(2) + " "
    return _Spots(
        section_line=para_first,
        section_end=para_end,
        bullet_value=bullet,
        bullet_line_end=bullet_end,
        bullet_prefix=prefix,
    )


def _sync_body_status(text: str, *, section: str, bullet: str) -> str:
    """Restate the status in the body too, where the body states one beside the front matter.

    Only a ``## Status`` paragraph or ``- Status:`` line that reads as a status is replaced
    (prose such as "see below" is left alone).
    """
    spots = _status_spots(text)
    edits: list[tuple[int, int, str]] = []
    for span, value in ((spots.section_line, section), (spots.bullet_value, bullet)):
        if span is not None and normalise_status(text[span[0] : span[1]])[0] != "unknown":
            edits.append((span[0], span[1], value))
    for start, end, value in sorted(edits, reverse=True):
        text = text[:start] + value + text[end:]
    return text


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
        return _sync_body_status(
            edited,
            section=f"Superseded by {_link(new, old, numbered=True)}",
            bullet=f"superseded by {_link(new, old, numbered=False)}",
        )
    spots = _status_spots(text)
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
    spots = _status_spots(text)
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
    return _append_section(text, line + nl, nl)


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
    old = _lookup(log, old_ref)
    new = _lookup(log, new_ref)
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
    old_text = _read(old.path, old.file)
    new_text = _read(new.path, new.file)
    old_edited = _mark_superseded(old, new, old_text)
    new_edited = _add_supersedes(new, old, new_text)

    old_after = _parse_text(old_edited, old.path, old.file)
    new_after = _parse_text(new_edited, new.path, new.file)
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
    _write_all([(path, edited) for path, edited, original in edits if edited != original])
    return old_after, new_after


def _with_path(parsed: Adr, original: Adr) -> Adr:
    """A probe-parsed ADR with the real file's path and display name."""
    return dataclasses.replace(parsed, path=original.path, file=original.file)


# --------------------------------------------------------------------------------------------
# command line
