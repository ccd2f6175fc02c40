"""Reading a file only when it is a file: never block on a FIFO, a socket or a device."""

from __future__ import annotations

import errno
import os
import select
import stat


def file_kind(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def not_regular(mode: int) -> str:
    """Why a file of this ``st_mode`` is not read."""
    return f"{file_kind(mode)}, not a regular file; it is not opened"


def read_regular(path: str | os.PathLike[str], size: int = -1) -> bytes:
    """Up to ``size`` bytes (all when negative) of a regular file; OSError for anything else.

    The kind is checked before opening, and again on the descriptor, opened without
    blocking: a FIFO, a socket or a device put in a file's place is never read, so it
    cannot hang the reader or feed it without end.
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise OSError(errno.EINVAL, not_regular(mode))
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as fh:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # swapped since the check above
            raise OSError(errno.EINVAL, not_regular(mode))
        return fh.read(size)


def read_pipe(path: str | os.PathLike[str], grace: float = 0.5) -> bytes:
    """All bytes a pipe's writer sends (``--actuals <(query)``); nothing when it has none.

    Opened without blocking; a writer has ``grace`` seconds to connect. With a writer (a
    slow query is fine), the pipe is read to its end; with none, a read ends at once, so
    a FIFO nobody writes to cannot hang the reader.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb", buffering=0) as fh:
        select.select([fd], [], [], grace)
        try:
            first = os.read(fd, 1 << 16)
        except BlockingIOError:  # a writer is there, with nothing written yet
            first = None
        if first == b"":
            return b""  # no writer
        os.set_blocking(fd, True)
        return (first or b"") + fh.read()
