"""What every command that writes to the decision log shares.

The refusal type (:class:`Refused`, exit 1), the checks of text from the command line that is
written into an ADR, one-line operating-system errors, paths as shown to the user, reading a file
exactly as it is, and re-parsing an edited text with the plugin's own parser before anything is
written: the rules that make ``new``, ``accept`` and ``supersede`` refuse or fail the same way.
"""

from __future__ import annotations

import datetime as _dt
import errno
import os
import tempfile
import unicodedata
from pathlib import Path

from pytest_archgate.adr.files import MAX_ADR_BYTES, encoding_problem
from pytest_archgate.adr.log import AdrLog
from pytest_archgate.adr.model import Adr
from pytest_archgate.adr.parse import parse_adr
from pytest_archgate.errors import AdrError, ArchgateError, CommandError, UnknownAdrError


class Refused(CommandError):
    """A command declined to change the log in its current state (exit status 1).

    Usage mistakes (an unknown template, an empty title, a missing ADR folder) stay plain
    :class:`CommandError` and exit with status 2.
    """


def today_date() -> _dt.date:
    """Today, for the ``date:`` an ADR gets. Called through the module
    (``common.today_date()``) so that a test can fix the date in one place."""
    return _dt.date.today()


def read_exact(path: Path, display: str) -> str:
    """The exact text of ``path``: no newline translation, so CRLF files stay CRLF (and a
    UTF-8 BOM stays). Read as the plugin reads ADRs: regular files only, without blocking,
    capped, UTF-8 without NUL bytes."""
    from pytest_archgate.safe_io import read_regular

    try:
        data = read_regular(path, MAX_ADR_BYTES, "ADR file")
    except ArchgateError as exc:
        raise Refused(exc.message, file=display) from None
    problem = encoding_problem(data)
    if problem is not None:
        raise Refused(problem, file=display)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(f"not UTF-8 text ({exc.reason})", file=display) from None


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


def safe_text(text: str) -> str:
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
    shown = safe_text(shown_path(target)) if target is not None else None
    folder = safe_text(shown_path(target.parent)) if target is not None else "the folder"
    reason = exc.strerror or type(exc).__name__
    hint = _OS_HINTS.get(exc.errno or -1, "")
    message = f"cannot {action}: {safe_text(reason)}"
    if hint:
        message += "; " + hint.format(folder=folder)
    if unchanged:
        message += " (no file was changed)"
    return CommandError(message, file=shown)


def parse_text(text: str, path: Path, display: str) -> Adr:
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


def shown_path(path: Path, root: Path | None = None) -> str:
    try:
        base = root or Path.cwd()
        return path.resolve().relative_to(base.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # elsewhere, no cwd, a symlink loop
        return str(path)


def lookup_adr(log: AdrLog, ref: str) -> Adr:
    try:
        return log.lookup(ref)
    except UnknownAdrError as exc:
        hint = ""
        if log.errors:
            hint = f"; {len(log.errors)} file(s) could not be parsed, first: {log.errors[0]}"
        raise Refused(exc.message + hint) from None
