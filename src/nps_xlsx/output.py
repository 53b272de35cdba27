"""Writing output files atomically, never over an input."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import OutputError
from .files import TEMP_PREFIX, TEMP_SUFFIX


def write_atomic(path: Path, data: bytes, protected: tuple[Path, ...] = ()) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename, so no half-written file is ever seen.

    The temporary file, in the same folder, is named ``.~nps-xlsx-<name>.<random>.part``; if a run is
    killed and leaves one behind, discovery recognises it and skips it.

    ``protected`` are input files that must never be overwritten.
    """
    write_atomic_with(path, lambda temp: temp.write_bytes(data), protected)


def write_atomic_with(path: Path, write: Callable[[Path], object], protected: tuple[Path, ...] = ()) -> None:
    """Like :func:`write_atomic`, for a writer that needs a file path: ``write(temp_path)`` fills the file."""
    target = Path(os.path.realpath(path))  # never raises, even for a link that loops
    for other in protected:
        if os.path.exists(other) and os.path.realpath(other) == str(target):
            raise OutputError(f"{path}: refusing to overwrite an input file")
    if target.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(
            prefix=f"{TEMP_PREFIX}{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent
        )
        os.close(handle)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write here: {exc.strerror or exc}") from exc
    try:
        write(Path(temp_name))
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
