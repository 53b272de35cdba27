"""The ``generate`` job: the blank template, or one personalised workbook per council."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..councils import Council, workbook_filename
from ..output import NO_GUARD, Guard, OutputRefused, write_atomic
from ..rubric import Rubric
from .builder import BuildOptions, build_workbook
from .personalise import Personaliser


def generate_template(rubric: Rubric, out: Path, options: BuildOptions, guard: Guard = NO_GUARD) -> Path:
    """Write the blank template to ``out`` (raises :class:`~nps_xlsx.output.OutputRefused` if it may not)."""
    write_atomic(out, build_workbook(rubric, options), "template", guard)
    return out


def generate_personalised(
    rubric: Rubric,
    councils: list[Council],
    out_dir: Path,
    options: BuildOptions,
    guard: Guard = NO_GUARD,
    on_written: Callable[[Path], None] | None = None,
    refused: list[OutputRefused] | None = None,
) -> list[Path]:
    """Write one workbook per council into ``out_dir``; return their paths in list order.

    A workbook whose path holds something that must be kept is not written: it is added to ``refused``
    and the others are written (without ``refused``, the first such refusal is raised).
    """
    personaliser = Personaliser(rubric, options)
    written = []
    for path, council in personalised_paths(councils, out_dir):
        try:
            write_atomic(path, personaliser.build(council), "personalised", guard)
        except OutputRefused as exc:
            if refused is None:
                raise
            refused.append(exc)
        else:
            written.append(path)
        if on_written:
            on_written(path)
    return written


def personalised_paths(councils: list[Council], out_dir: Path) -> list[tuple[Path, Council]]:
    """Where each council's workbook goes, in list order."""
    return [(out_dir / workbook_filename(council), council) for council in councils]
