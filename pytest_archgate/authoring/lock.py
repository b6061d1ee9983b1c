"""The ADR folder's lock: one command that writes to a log at a time.

Every command that writes to a log (new, accept, supersede) holds an exclusive lock
on the log's folder from before it reads the files it will change until after it has written
them, so concurrent runs are serialised: the second one reads the first one's result. The lock
is ``fcntl.flock`` on ``.archgate.lock`` inside the ADR folder (one lock per folder, whatever
spelling of the path a command was given). The file is removed while the lock is still held,
and a waiter that wins the lock on a removed file retries on the new one, so no lock file is
left behind. flock locks die with their process: a crashed command never leaves a stale lock;
a live holder is waited for at most LOCK_TIMEOUT_S, then the command stops with a clear error.
On Windows the same file is locked with msvcrt.locking and left in place; where neither exists,
or the file system refuses locks (some network mounts), commands run unlocked.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pytest_archgate.authoring.common import os_error, safe_text, shown_path
from pytest_archgate.errors import CommandError

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
            file=safe_text(shown_path(lock_path)),
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
                        file=safe_text(shown_path(lock_path)),
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
