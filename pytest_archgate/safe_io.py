"""Reading and writing files safely: regular files only, capped reads, atomic writes.

Every file a hostile environment could point somewhere (a report, an ADR, ``GITHUB_EVENT_PATH``)
is read through :func:`read_regular`; every file archgate writes goes through
:func:`write_text_atomic`. Standard library only: every layer may use it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

from pytest_archgate.errors import ReportError


def read_regular(path: str | Path, limit: int, what: str, *, head: bool = False) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or :class:`ReportError`.

    Every file a hostile environment could point somewhere (a report, ``GITHUB_EVENT_PATH``, an
    ADR) is read through here. The file is opened with ``O_NONBLOCK`` and checked with
    ``fstat`` before anything is read, so a FIFO (which would block ``open`` until a writer
    comes), a device (``/dev/zero`` never ends, a terminal waits for input), a socket or a
    folder is refused at once with one line, and a regular file is read with a cap. With
    ``head``, a larger file gives its first ``limit`` bytes instead of an error.
    """
    p = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(p, flags)
    except FileNotFoundError:
        raise ReportError(f"{what} file not found", file=str(p)) from None
    except IsADirectoryError:
        raise ReportError(f"{what} is a folder, not a file", file=str(p)) from None
    except OSError as exc:
        raise ReportError(f"cannot read {what}: {exc.strerror or exc}", file=str(p)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ReportError(f"{what} is a folder, not a file", file=str(p))
        if not stat.S_ISREG(info.st_mode):
            raise ReportError(
                f"{what} is a {_file_kind(info.st_mode)}, not a regular file; archgate reads "
                "only regular files",
                file=str(p),
            )
        if info.st_size > limit and not head:
            raise ReportError(
                f"{what} is {info.st_size:,} bytes, more than the {limit:,} archgate reads",
                file=str(p),
            )
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)  # a regular file never blocks; reads are plain from here
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise ReportError(f"cannot read {what}: {exc.strerror or exc}", file=str(p)) from None
    finally:
        os.close(fd)
    if head:
        return b"".join(chunks)[:limit]
    if total > limit:  # the file grew while it was read
        raise ReportError(f"{what} is more than the {limit:,} bytes archgate reads", file=str(p))
    return b"".join(chunks)


def _file_kind(mode: int) -> str:
    """What a non-regular file is, in words (``stat.S_IS*``)."""
    for test, name in (
        (stat.S_ISFIFO, "named pipe (FIFO)"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return name
    return "special file"


def write_text_atomic(path: Path, text: str) -> None:
    """Write text through a temporary file and a rename: never a half-written file.

    The file gets the permissions a plain ``open(path, "w")`` would give it (the temporary
    file ``mkstemp`` makes is private to its owner).
    """
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        pass
    else:
        # the rename would replace a folder's entry, a FIFO or a device node (/dev/null as
        # root) with a plain file: refuse, as one OSError naming the path
        if not stat.S_ISREG(mode):
            raise OSError(
                errno.EINVAL,
                "exists and is not a regular file (a folder, pipe or device); archgate "
                "replaces only regular files",
                str(path),
            )
    # imported here: reading (every ADR, every report) is on the CLI's start-up path, and
    # tempfile pulls in random and hashlib's relatives; only writing needs it
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON through a temporary file and a rename: never a half-written report."""
    import json

    write_text_atomic(path, json.dumps(data, indent=2, allow_nan=False) + "\n")
