"""The ``generate`` job: the blank template, or one personalised workbook per council."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from ..councils import Council, workbook_filename
from ..output import NO_GUARD, Guard, OutputRefused, write_atomic
from ..respondents import Respondent, respondent_filename
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
    answers: Sequence[Mapping[str, str] | None] | None = None,
    respondents: Sequence[Respondent] | None = None,
) -> list[Path]:
    """Write one workbook per council into ``out_dir``; return their paths in list order.

    With ``respondents`` (one per council: the respondent list's lines, whose councils repeat), each copy is that
    respondent's, named by :func:`~nps_xlsx.respondents.respondent_filename`.

    With ``answers`` (one per council) and ``options.prefilled_from``, a council's copy is pre-filled with its
    answers (see :meth:`Personaliser.build`); a council whose answers are ``None`` gets a blank copy.
    A workbook whose path holds something that must be kept is not written: it is added to ``refused``
    and the others are written (without ``refused``, the first such refusal is raised).
    """
    given = list(answers) if answers is not None else [None] * len(councils)
    prefilled = Personaliser(rubric, options) if any(a is not None for a in given) else None
    plain = replace(options, prefilled_from=None)
    blank = Personaliser(rubric, plain) if any(a is None for a in given) else None
    written = []
    paths = personalised_paths(councils, out_dir, respondents)
    whose = list(respondents) if respondents is not None else [None] * len(councils)
    for (path, council), previous, respondent in zip(paths, given, whose, strict=True):
        try:
            if previous is not None and prefilled is not None:
                workbook = prefilled.build(council, previous, respondent)
            else:
                assert blank is not None
                workbook = blank.build(council, respondent=respondent)
            write_atomic(path, workbook, "personalised", guard)
        except OutputRefused as exc:
            if refused is None:
                raise
            refused.append(exc)
        else:
            written.append(path)
        if on_written:
            on_written(path)
    return written


def personalised_paths(
    councils: list[Council], out_dir: Path, respondents: Sequence[Respondent] | None = None
) -> list[tuple[Path, Council]]:
    """Where each council's workbook goes (each respondent's, with ``respondents``), in list order."""
    if respondents is not None:
        pairs = zip(councils, respondents, strict=True)
        return [(out_dir / respondent_filename(council, respondent), council) for council, respondent in pairs]
    return [(out_dir / workbook_filename(council), council) for council in councils]
