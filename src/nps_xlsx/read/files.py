"""Entries of a returns folder: listing them all, telling files from everything else, reading them safely.

A returns folder may hold anything a file system can: named pipes, sockets, devices, broken
links, links that loop, links to folders, leftovers of our own interrupted writes. Every entry
is listed (nothing goes missing without a word), nothing is ever waited on (a named pipe is never
read; files are opened non-blocking), and no read goes past the size limit (a file that grows
while read, or a link to ``/dev/zero``, cannot fill memory).
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..text import display_path

# Our own atomic writes go through a temporary file with this prefix, in the target's folder.
TEMP_PREFIX = ".~nps-xlsx-"
TEMP_SUFFIX = ".part"
# Earlier versions named them ``.<target name>.<8 random characters>.part`` (tempfile.mkstemp).
_OLD_TEMP = re.compile(r"\..+\.[a-z0-9_]{8}\.part", re.IGNORECASE)
TEMP_REASON = "a temporary file left by an interrupted nps-xlsx run"
_CHUNK = 1 << 20

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class NotReadable(Exception):
    """The entry cannot be read as a file; ``reason`` says why, in words for the ledger."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooLarge(Exception):
    """The file is larger than the limit: ``size`` bytes, or (``grew``) more than the limit, read as it grew."""

    def __init__(self, size: int, modified: float, grew: bool = False) -> None:
        super().__init__(size)
        self.size, self.modified, self.grew = size, modified, grew


@dataclass(frozen=True)
class FileData:
    """A regular file's bytes, with its size and modification time as seen on the open file."""

    data: bytes
    size: int
    modified: float


def is_temporary(name: str) -> bool:
    """Whether ``name`` is a temporary file of an nps-xlsx write (this version's or an older one's)."""
    if name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX):
        return True
    return _OLD_TEMP.fullmatch(name) is not None


def kind_of(mode: int) -> str | None:
    """``"a named pipe"`` and the like for anything that is not a regular file; ``None`` for a file."""
    return next((name for test, name in _KINDS if test(mode)), None if stat.S_ISREG(mode) else "not a regular file")


def not_a_file_reason(path: Path) -> str | None:
    """Why the entry at ``path`` is not a file at all (a pipe, a device, a link to a folder), or ``None``.

    Links are followed: a link to a workbook is read like the workbook. Entries that cannot be
    looked at (broken links, loops) give ``None`` here; reading them says why.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    kind = kind_of(mode)
    if kind is None or (kind == "a folder" and not os.path.islink(path)):
        return None  # a folder that could not be listed is unreadable, not skipped
    if os.path.islink(path):
        target = display_path(os.readlink(path))
        if stat.S_ISDIR(mode):
            return f"a link to a folder ({target}), not followed; name the folder itself to include it"
        return f"a link to {kind} ({target}), not a file"
    return f"{kind}, not a file"


def list_entries(paths: Iterable[Path]) -> list[Path]:
    """Paths given directly, and every entry under folders given, each folder's in sorted order.

    Folders are walked without following links to folders (a link can loop, or lead out of the
    returns folder); such a link is listed as an entry of its own, as is a folder that cannot be listed.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(_walk(path)))
        else:
            found.append(path)
    return found


def _walk(folder: Path) -> Iterable[Path]:
    unlisted: list[Path] = []
    for root, dirs, files in os.walk(folder, onerror=lambda exc: unlisted.append(Path(exc.filename))):
        here = Path(root)
        yield from (here / name for name in files)
        yield from (here / name for name in dirs if os.path.islink(here / name))
    yield from unlisted


def read_file(path: Path, limit: int) -> FileData:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    Raises :class:`NotReadable` (with the reason) for anything but a regular file, without opening
    it, and :class:`TooLarge` when the file is, or grows while read to be, larger than ``limit``.
    """
    with open_regular(path) as (stream, info):
        if info.st_size > limit:
            raise TooLarge(info.st_size, info.st_mtime)
        chunks, total = [], 0
        while total <= limit and (chunk := stream.read(min(_CHUNK, limit + 1 - total))):
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise TooLarge(total, info.st_mtime, grew=True)
    return FileData(b"".join(chunks), total, info.st_mtime)


@contextmanager
def open_regular(path: Path) -> Iterator[tuple[io.FileIO, os.stat_result]]:
    """The regular file at ``path`` opened for reading, unbuffered and non-blocking, with its status as opened.

    Raises :class:`NotReadable` (with the reason) for anything but a regular file, without opening it.
    """
    try:
        mode = os.stat(path).st_mode
        kind = kind_of(mode)
        if kind is not None:  # never opened: opening a device can have effects of its own
            raise NotReadable(not_a_file_reason(path) or _folder_problem(path))
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise NotReadable(_open_problem(path, exc)) from exc
    with os.fdopen(descriptor, "rb", buffering=0) as stream:
        info = os.fstat(descriptor)
        kind = kind_of(info.st_mode)
        if kind is not None:  # replaced between the look and the open
            raise NotReadable(f"{kind}, not a file")
        yield stream, info


def _open_problem(path: Path, exc: OSError) -> str:
    """What an error opening ``path`` means, in words."""
    link = _link_target(path)
    if exc.errno == errno.ELOOP:
        return f"a link that leads round in a loop (it points to {link})"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR) and link is not None:
        return f"a broken link to {link} (nothing is there)"
    if exc.errno == errno.ENOENT:
        return "there is no file of that name (check the name; or it was moved or deleted during the run)"
    if exc.errno == errno.ENXIO:
        return "a socket or a device, not a file"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return exc.strerror or str(exc)


def _folder_problem(path: Path) -> str:
    try:
        os.listdir(path)
    except OSError as exc:
        return f"a folder whose contents cannot be listed ({exc.strerror or exc})"
    return "a folder, not a file"


def _link_target(path: Path) -> str | None:
    try:
        return display_path(os.readlink(path))
    except (OSError, ValueError):
        return None
