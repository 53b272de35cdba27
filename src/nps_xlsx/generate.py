"""The ``generate`` job: the blank template, or one personalised workbook per council."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from .councils import Council, workbook_filename
from .output import write_atomic
from .personalise import Personaliser
from .rubric import Rubric
from .template import BuildOptions, build_workbook


def generate_template(rubric: Rubric, out: Path, options: BuildOptions, protected: tuple[Path, ...] = ()) -> Path:
    """Write the blank template to ``out``."""
    write_atomic(out, build_workbook(rubric, options), protected)
    return out


def generate_personalised(
    rubric: Rubric,
    councils: list[Council],
    out_dir: Path,
    options: BuildOptions,
    protected: tuple[Path, ...] = (),
    on_written: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Write one workbook per council into ``out_dir``; return their paths in list order."""
    personaliser = Personaliser(rubric, options)
    written = []
    for council, path in _targets(councils, out_dir):
        write_atomic(path, personaliser.build(council), protected)
        written.append(path)
        if on_written:
            on_written(path)
    return written


def _targets(councils: list[Council], out_dir: Path) -> Iterator[tuple[Council, Path]]:
    for council in councils:
        yield council, out_dir / workbook_filename(council)
