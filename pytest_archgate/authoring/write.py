"""Writing the files a command changed: all of them or none.

Atomic writes: a temporary file in the same folder, written in full, fsync'ed, then renamed
over the target with os.replace (atomic on POSIX and Windows). A failure at any step removes
the temporary file and leaves the target as it was.

Every temporary file is written before the first rename; if a rename fails, the files already
replaced get their old bytes back.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Sequence
from pathlib import Path

from pytest_archgate.authoring.common import os_error, safe_text, shown_path
from pytest_archgate.errors import CommandError


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


def write_all(changes: Sequence[tuple[Path, str]]) -> None:
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
            failed.append(safe_text(shown_path(path)))
    return failed
