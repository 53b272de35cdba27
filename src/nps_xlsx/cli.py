"""The ``nps-xlsx`` command line."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .errors import GroupByError, NpsXlsxError
from .text import plural

if TYPE_CHECKING:  # imported where used, so that --help starts fast
    from .collect.prefill import EarlierAnswers
    from .collect.rounds import PreviousRound
    from .councils import Council
    from .mail.letters import Kind, LeftOut, Letter
    from .mail.run import Delivery
    from .mail.wording import Wording
    from .output import OutputRefused
    from .rubric import Rubric

RUBRIC_HELP = "Rubric file (YAML). Default: the bundled NPS 2018 rubric."
EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
OUT_FILE = click.Path(dir_okay=False, path_type=Path)
RUBRIC_OPTION = click.option("--rubric", type=EXISTING_FILE, help=RUBRIC_HELP)


def _megabytes(name: str, default: float, help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An option giving a size limit in megabytes."""
    return click.option(name, type=click.FloatRange(min=0.001), default=default, show_default=True, help=help_text)


FORCE_HELP = (
    "Replace files at the output paths even if they are not this command's earlier outputs "
    "(never an input, nor a workbook holding a council's answers)."
)


def _previous_round(path: Path, rubric: Rubric, allow_rubric_change: bool) -> PreviousRound:
    """The earlier round's responses, read and checked: a wrong file is a usage error (``collect`` reads it while
    its workers read the returns, and stops once they are done, before writing anything)."""
    from .collect.rounds import PreviousRoundError, load_previous

    try:
        return load_previous(path, rubric, allow_rubric_change)
    except PreviousRoundError as exc:
        raise click.BadParameter(str(exc), param_hint="'--previous'") from exc


def _prefill(path: Path, rubric: Rubric, allow_rubric_change: bool, councils: list[Council]) -> EarlierAnswers:
    """The earlier round's answers for each council (a wrong file is a usage error); says how it was read."""
    from .collect.prefill import PREFILL_COLUMNS, earlier_answers
    from .collect.rounds import ResponsesCsvError, read_responses

    use = "--prefill takes the responses CSV that 'collect --csv' wrote in the earlier round"
    try:
        previous = read_responses(path, rubric, allow_rubric_change, use, keep=PREFILL_COLUMNS, as_given=True)
    except ResponsesCsvError as exc:
        raise click.BadParameter(str(exc), param_hint="'--prefill'") from exc
    for note in previous.notes:
        click.echo(note)
    return earlier_answers(previous, councils, rubric)


def _prefill_story(prefill: EarlierAnswers, councils: list[Council]) -> list[str]:
    """What the run says about pre-filling: how many copies were pre-filled, which were blank, what was left out."""
    from .text import named

    blank = [f"{councils[i].name} ({councils[i].code})" for i in prefill.missing]
    unique = list(dict.fromkeys(blank))  # a council with several respondents is named once
    lines = [
        f"Pre-filled {plural(len(councils) - len(blank), 'workbook')} with the answers from {prefill.round}; "
        f"{len(blank):,} blank" + (f" (not in {prefill.round}: {named(unique, 20, '; ')})." if blank else ".")
    ]
    dropped = [(councils[i], where, why) for i, answers in enumerate(prefill.dropped) for where, why in answers]
    if dropped:
        lines.append(f"Left {plural(len(dropped), 'answer')} blank that this rubric cannot hold:")
        lines += [f"  {council.name} ({council.code}), {where}: {why}" for council, where, why in dropped]
    return lines


def _refuse_collisions(outputs: list[tuple[str, Path | None]]) -> None:
    """A usage error if two outputs name the same file (before anything is read or written)."""
    from .output import collisions

    for first, second, path in collisions(outputs):
        raise click.UsageError(f"{first} and {second} both name the file {path}; give each output its own path.")


def _report_refused(refused: list[OutputRefused]) -> None:
    """One line on stderr per output not written, then exit with status 1."""
    for problem in refused:
        click.echo(f"Not written: {problem}", err=True)
    if refused:
        sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nps-xlsx")
def main() -> None:
    """Run the LGA National Procurement Strategy diagnostic through Excel."""


@main.command()
@click.option("--out", "out", type=OUT_FILE, help="Write the blank template here.")
@click.option(
    "--councils",
    type=EXISTING_FILE,
    help="CSV of councils (columns code,name) to write one personalised workbook each.",
)
@click.option(
    "--respondents",
    type=EXISTING_FILE,
    help="CSV of respondents (columns code,name,respondent_id; respondent_name,department,role optional) to write "
    "one personalised workbook each: several per council.",
)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the personalised workbooks (with --councils or --respondents).",
)
@RUBRIC_OPTION
@click.option(
    "--password",
    default="",
    help="A password for the sheet protection. The sheets are always protected; by default with no password.",
)
@click.option(
    "--prefill",
    type=EXISTING_FILE,
    help="An earlier round's responses CSV (collect --csv): pre-fill each council's copy with its answers.",
)
@click.option(
    "--allow-rubric-change",
    is_flag=True,
    help="Pre-fill from a round collected with another rubric, by value-code ID (codes it lacks are listed).",
)
@click.option("--force", is_flag=True, help=FORCE_HELP)
def generate(
    out: Path | None,
    councils: Path | None,
    respondents: Path | None,
    out_dir: Path | None,
    rubric: Path | None,
    password: str,
    prefill: Path | None,
    allow_rubric_change: bool,
    force: bool,
) -> None:
    """Write the diagnostic workbook: a blank template and/or one copy per council.

    \b
    Examples:
      nps-xlsx generate --out nps2018.xlsx
      nps-xlsx generate --councils councils.csv --out-dir workbooks/
      nps-xlsx generate --councils councils.csv --out-dir workbooks/ --prefill responses-2021.csv
      nps-xlsx generate --respondents respondents.csv --out-dir workbooks/
    """
    from dataclasses import replace

    from .councils import load_councils
    from .output import Guard, OutputRefused, build_time
    from .respondents import load_respondents
    from .rubric import load_rubric
    from .template.builder import BuildOptions
    from .template.generate import generate_personalised, generate_template, personalised_paths

    if councils and respondents:
        raise click.UsageError(
            "Give --councils (a copy per council) or --respondents (a copy per respondent), not both."
        )
    listed = councils or respondents
    option = "--councils" if councils else "--respondents"
    if listed and not out_dir:
        raise click.UsageError(f"{option} needs --out-dir (the folder to write the workbooks to).")
    if out_dir and not listed:
        raise click.UsageError("--out-dir needs --councils or --respondents (the CSV listing whom to write for).")
    if not out and not listed:
        raise click.UsageError(
            "Give --out for the blank template, or --councils (or --respondents) with --out-dir, or both."
        )
    if prefill and not listed:
        raise click.UsageError("--prefill needs --councils (or --respondents) and --out-dir (the copies to pre-fill).")
    if allow_rubric_change and not prefill:
        raise click.UsageError("--allow-rubric-change goes with --prefill.")
    protected = tuple(p for p in (rubric, councils, respondents, prefill) if p)
    try:
        respondent_list = load_respondents(respondents, click.echo) if respondents else None
        council_list = load_councils(councils, click.echo) if councils else []
    except NpsXlsxError as exc:
        raise click.ClickException(str(exc)) from exc
    whom = None
    if respondent_list is not None:
        council_list = [line.council for line in respondent_list]
        whom = [line.respondent for line in respondent_list]
    personalised = personalised_paths(council_list, out_dir or Path(), whom)
    who = [f"{w.id} of {c.name}" for c, w in zip(council_list, whom, strict=True)] if whom else None
    labels = who or [c.name for c in council_list]
    _refuse_collisions(
        [
            ("--out", out),
            *(
                (f"the workbook for {label} in --out-dir", p)
                for label, (p, _c) in zip(labels, personalised, strict=True)
            ),
        ]
    )
    refused: list[OutputRefused] = []
    try:
        loaded = load_rubric(rubric)
        guard = Guard(protected, force, loaded)
        options = BuildOptions(generated_at=build_time(), password=password)
        previous = _prefill(prefill, loaded, allow_rubric_change, council_list) if prefill else None
        if out:
            try:
                generate_template(loaded, out, options, guard)
            except OutputRefused as problem:
                refused.append(problem)
            else:
                click.echo(
                    f"Wrote the blank template to {out} ({plural(len(loaded.value_codes), 'value code')} "
                    f"in {plural(len(loaded.areas), 'key area')})."
                )
        if listed and out_dir:
            answers = previous.answers if previous else None
            if previous:
                options = replace(options, prefilled_from=previous.round)
            with click.progressbar(length=len(council_list), label="Writing workbooks", file=sys.stderr) as bar:
                written = generate_personalised(
                    loaded, council_list, out_dir, options, guard, lambda _path: bar.update(1), refused, answers, whom
                )
            click.echo(f"Wrote {plural(len(written), 'personalised workbook')} to {out_dir}.")
            for line in _prefill_story(previous, council_list) if previous else []:
                click.echo(line)
    except NpsXlsxError as exc:
        raise click.ClickException(str(exc)) from exc
    _report_refused(refused)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@RUBRIC_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (the same data as the Python API).")
@_megabytes("--max-file-mb", 50, "Reject files larger than this.")
@_megabytes("--max-expanded-mb", 100, "Reject workbooks whose parts would expand to more than this.")
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Show only the files that fail (rejected or held for review), their errors, and the closing line.",
)
def validate(
    files: tuple[Path, ...], rubric: Path | None, as_json: bool, max_file_mb: float, max_expanded_mb: float, quiet: bool
) -> None:
    """Check returned workbooks and say, for each, what is wrong and where.

    FILES are workbooks (.xlsx, .xlsm, .ods, .xls), saved emails whose attached workbooks are read
    (.eml, .mbox, .msg), or folders to search.
    Exit status: 0 if every file is accepted (warnings allowed), 1 if any is rejected
    or held for review (a council name typed that is not the council the copy was issued to),
    or if no workbook was found.

    \b
    Example:
      nps-xlsx validate returns/dacorum.xlsx returns/watford.ods
    """
    import json

    from .read.safety import Limits
    from .rubric import load_rubric
    from .validate.report import nothing_found, render_file, validate_paths

    try:
        loaded = load_rubric(rubric)
    except NpsXlsxError as exc:
        raise click.ClickException(str(exc)) from exc
    total_bytes = int(max_expanded_mb * (1 << 20))
    limits = Limits(
        max_file_bytes=int(max_file_mb * (1 << 20)),
        max_total_bytes=total_bytes,
        max_member_bytes=min(Limits().max_member_bytes, total_bytes),
    )
    report = validate_paths(files, loaded, limits)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for file_report in report.files:
            for line in render_file(file_report, len(loaded.value_codes), quiet):
                click.echo(line)
        if report.files:  # with nothing found at all, the error below says so
            click.echo(report.summary_line())
    if report.empty:
        raise click.ClickException(nothing_found(files, report.files))
    sys.exit(0 if report.valid else 1)


@main.command()
@click.argument("returns", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", required=True, type=OUT_FILE, help="Write the summary workbook here.")
@click.option(
    "--csv",
    "responses_csv",
    type=OUT_FILE,
    help="Also write one row per (return x value code) here.",
)
@click.option(
    "--ledger",
    "ledger_csv",
    type=OUT_FILE,
    help="Also write the ledger of every file received here.",
)
@click.option(
    "--expected",
    type=EXISTING_FILE,
    help="CSV of the councils expected to return (columns code,name): lists who has not.",
)
@click.option(
    "--chase",
    "chase_csv",
    type=OUT_FILE,
    help="Also write the chase list here (with --expected): each council's status and contact columns.",
)
@click.option(
    "--group-by",
    "group_by",
    multiple=True,
    metavar="COLUMN",
    help="Break the summary and the --csv rows down by this column of the --expected list (e.g. type, region); "
    "repeatable.",
)
@RUBRIC_OPTION
@click.option(
    "--raw-csv",
    is_flag=True,
    help="Write CSV text as it is; by default text starting with = + - @ is prefixed with ' (unsafe in Excel).",
)
@click.option(
    "--assign",
    "assignments",
    type=EXISTING_FILE,
    help="CSV (columns file,council_code) saying which council a held return is from; "
    "file is its path or SHA-256 from the ledger.",
)
@click.option(
    "--no-bom",
    is_flag=True,
    help="Write the CSV files as plain UTF-8; by default they start with a byte order mark, so Excel reads them right.",
)
@click.option(
    "--excellence",
    "excellence_csv",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every Leader or Innovator answer (top two levels), with its statement and comment, here.",
)
@click.option(
    "--targets",
    "targets_csv",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write each council's target level per key area here.",
)
@click.option(
    "--priorities",
    "priorities_csv",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write, per value code, how many councils marked each priority and asked for support, here.",
)
@click.option("--round", "round_label", help="Name this round, e.g. 2025 (default: the year the summary is produced).")
@click.option(
    "--previous",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An earlier round's responses CSV (written by collect --csv): adds the movement since that round.",
)
@click.option(
    "--allow-rubric-change",
    is_flag=True,
    help="Compare with a previous round collected with another rubric, if its value-code IDs are the same.",
)
@click.option(
    "--respondents",
    type=EXISTING_FILE,
    help="The respondent list (from generate --respondents): respondent mode, the chase list per respondent.",
)
@click.option(
    "--consensus",
    type=click.Choice(["median-down", "median", "min"]),
    help="Respondent mode: each council's consensus of its respondents' scores (default median-down).",
)
@click.option(
    "--consensus-csv",
    type=OUT_FILE,
    help="Respondent mode: write the councils' consensus here, in --csv's columns of one response per council "
    "(default: beside --csv, named <stem>-consensus.csv).",
)
@click.option("--strict", is_flag=True, help="Exit with status 1 if any file was rejected or held for review.")
@click.option("--workers", type=click.IntRange(min=1), help="Processes reading returns (default: one per core).")
@click.option("--force", is_flag=True, help=FORCE_HELP)
def collect(
    returns: tuple[Path, ...],
    out: Path,
    responses_csv: Path | None,
    ledger_csv: Path | None,
    expected: Path | None,
    chase_csv: Path | None,
    group_by: tuple[str, ...],
    rubric: Path | None,
    raw_csv: bool,
    assignments: Path | None,
    no_bom: bool,
    excellence_csv: Path | None,
    targets_csv: Path | None,
    priorities_csv: Path | None,
    round_label: str | None,
    previous: Path | None,
    allow_rubric_change: bool,
    respondents: Path | None,
    consensus: str | None,
    consensus_csv: Path | None,
    strict: bool,
    workers: int | None,
    force: bool,
) -> None:
    """Consolidate returned workbooks into one summary workbook (with charts) and CSV files.

    RETURNS are workbooks, saved emails (.eml, .mbox, .msg: each attached workbook is a return) or
    folders (searched recursively). Every file appears in the
    ledger: accepted, accepted with warnings, held for review, rejected, superseded or skipped.
    A return held for review (a personalised copy with another council's name typed on it) is
    listed on the sheet "Needs review" and used only once --assign says which council it is from.

    \b
    Example:
      nps-xlsx collect returns/ --out summary.xlsx --csv responses.csv \\
          --ledger files.csv --expected councils.csv --group-by type --group-by region
    """
    from .collect.assign import load_assignments
    from .collect.job import CollectOutputs, consensus_beside, run_collect
    from .councils import group_columns, load_councils
    from .respondents import load_respondents
    from .rubric import load_rubric

    if chase_csv and not (expected or respondents):
        raise click.UsageError("--chase needs --expected (the list of councils to chase) or --respondents.")
    if group_by and not expected:
        raise click.UsageError("--group-by needs --expected (the council list whose columns it names).")
    beside = consensus_csv is None and responses_csv is not None  # the consensus CSV's default place
    if beside:
        consensus_csv = consensus_beside(responses_csv)
    outputs = CollectOutputs(
        *(out, responses_csv, ledger_csv, raw_csv, chase_csv, not no_bom, excellence_csv, targets_csv, priorities_csv),
        consensus_csv=consensus_csv,
    )
    _refuse_collisions(
        [
            ("--out", out),
            ("--csv", responses_csv),
            ("--ledger", ledger_csv),
            ("--chase", chase_csv),
            ("--excellence", excellence_csv),
            ("--targets", targets_csv),
            ("--priorities", priorities_csv),
            ("--consensus-csv" + (" (beside --csv)" if beside else ""), consensus_csv),
        ]
    )
    refused: list[OutputRefused] = []
    notes: list[str] = []
    protected = tuple(p for p in (rubric, expected, assignments, previous, respondents) if p)
    try:
        loaded = load_rubric(rubric)
        earlier = partial(_previous_round, previous, loaded, allow_rubric_change) if previous else None
        expected_list = load_councils(expected, click.echo) if expected else None
        listed = load_respondents(respondents, click.echo) if respondents else None
        if group_by:
            try:
                group_by = tuple(group_columns(expected_list or [], group_by))
            except GroupByError as exc:
                raise click.UsageError(str(exc)) from exc
        decided = load_assignments(assignments, expected_list, click.echo) if assignments else None
        with contextlib.ExitStack() as stack:
            bars: list[Callable[[int], None]] = []  # the progress bar's update, once the number of files is known

            def start(total: int) -> None:
                bar = stack.enter_context(click.progressbar(length=total, label="Reading returns", file=sys.stderr))
                bars.append(bar.update)

            collection = run_collect(
                list(returns),
                loaded,
                outputs,
                expected_list,
                protected=protected,
                progress=lambda n: bars[0](n) if bars else None,
                on_discovered=start,
                workers=workers,
                assignments=decided,
                force=force,
                refused=refused,
                group_by=group_by,
                previous=earlier,
                round_label=round_label,
                notes=notes,
                respondents=listed,
                consensus=consensus,
            )
    except NpsXlsxError as exc:
        raise click.ClickException(str(exc)) from exc
    from .collect.story import closing_lines  # pandas, loaded by now

    not_written = {problem.path for problem in refused}
    if consensus_csv is not None and collection.respondent_mode is None:
        not_written.add(consensus_csv)  # no consensus in one response per council
    elif consensus_csv is not None and consensus_csv not in not_written:
        how = " (beside --csv; name it with --consensus-csv)" if beside else ""
        notes.append(f"The councils' consensus, in the columns of one response per council: {consensus_csv}{how}.")
    written = [p for p in outputs.paths() if p not in not_written]
    for line in [*closing_lines(collection, written, out if out in written else None, chase_csv), *notes]:
        click.echo(line)
    counts = collection.counts()
    if decided:
        for unused in decided.unused():
            click.echo(
                f"warning: {decided.source}:{unused.line}: no file of this run matches {unused.file!r}", err=True
            )
    _report_refused(refused)
    if strict and (counts["rejected"] or counts["held"]):
        sys.exit(1)


@main.command()
@click.argument("responses", type=EXISTING_FILE)
@click.option(
    "--out-dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the feedback workbooks (one per council).",
)
@click.option(
    "--expected",
    type=EXISTING_FILE,
    help="The council list (columns code,name and others): the --group-by columns are read from it.",
)
@click.option(
    "--group-by",
    "group_by",
    multiple=True,
    metavar="COLUMN",
    help="Compare each council with the councils that have its value in this column (e.g. type), of the --expected "
    "list or else of the responses CSV; repeatable (the chart shows the first).",
)
@click.option(
    "--previous",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An earlier round's responses CSV (written by collect --csv): adds each council's change since then.",
)
@click.option(
    "--respondents-csv",
    "respondents_csv",
    type=EXISTING_FILE,
    help="In respondent mode, RESPONSES being the consensus CSV: the CSV collect --csv wrote beside it (a row per "
    "respondent); adds each council's own respondents' spread and departments.",
)
@click.option(
    "--min-cohort",
    type=click.IntRange(min=3),
    default=5,
    show_default=True,
    help="Show a figure for a group of councils only where at least this many contribute (never below 3).",
)
@click.option(
    "--councils",
    "councils",
    multiple=True,
    metavar="CODE",
    help="Write the workbooks of these councils only (their codes); repeatable. Default: every council.",
)
@click.option("--pdf", is_flag=True, help="Also render each workbook to PDF with LibreOffice (soffice).")
@RUBRIC_OPTION
@click.option("--workers", type=click.IntRange(min=1), help="Processes writing workbooks (default: one per core).")
@click.option("--force", is_flag=True, help=FORCE_HELP)
def feedback(
    responses: Path,
    out_dir: Path,
    expected: Path | None,
    group_by: tuple[str, ...],
    previous: Path | None,
    respondents_csv: Path | None,
    min_cohort: int,
    councils: tuple[str, ...],
    pdf: bool,
    rubric: Path | None,
    workers: int | None,
    force: bool,
) -> None:
    """Write one feedback workbook per council: where it stands against the cohort and similar councils.

    RESPONSES is the responses CSV that collect --csv wrote (in respondent mode, its consensus CSV).
    Figures for a group of councils are shown only where at least --min-cohort councils contribute;
    no other council is named.

    \b
    Example:
      nps-xlsx feedback out/responses.csv --out-dir out/feedback --expected councils.csv --group-by type
    """
    from .councils import load_councils
    from .feedback.job import FeedbackOptions, load_round, run_feedback
    from .output import Guard
    from .rubric import load_rubric

    if expected and not group_by:
        raise click.UsageError(
            "--expected is read for --group-by; give the column to compare by, e.g. --group-by type."
        )
    refused: list[OutputRefused] = []
    protected = tuple(p for p in (responses, rubric, expected, previous, respondents_csv) if p)
    try:
        if pdf:  # before anything is read: LibreOffice must be there
            from .feedback.pdf import soffice

            soffice()
        loaded = load_rubric(rubric)
        earlier = _previous_round(previous, loaded, False) if previous else None
        expected_list = load_councils(expected, click.echo) if expected else None
        try:
            figures = load_round(responses, loaded, min_cohort, expected_list, group_by, earlier, respondents_csv)
        except GroupByError as exc:
            raise click.UsageError(str(exc)) from exc
        options = FeedbackOptions(min_cohort, councils, pdf)
        total = len(councils) or len(figures.sources())
        with click.progressbar(length=total, label="Writing feedback workbooks", file=sys.stderr) as bar:
            guard = Guard(protected, force, loaded)
            written = run_feedback(figures, loaded, out_dir, options, guard, bar.update, refused, workers)
    except NpsXlsxError as exc:
        raise click.ClickException(str(exc)) from exc
    books = [p for p in written if p.suffix == ".xlsx"]
    pdfs = f" and {plural(len(written) - len(books), 'PDF')}" if pdf else ""
    click.echo(
        f"Wrote {plural(len(books), 'feedback workbook')}{pdfs} to {out_dir} (round {figures.label or 'unnamed'}, "
        f"{plural(len(figures.sources()), 'council')} in the cohort; figures for a group need {min_cohort} or more)."
    )
    _report_refused(refused)


@main.group()
def mail() -> None:
    """Email the councils: invitations, reminders and replies, as drafts (the default) or over SMTP (--send).

    Each command writes one draft (.eml, opened by Outlook, Thunderbird and Apple Mail as a message to edit and
    send) per council into the outbox, with a report of every message and of every council left out (no
    address, no workbook); with --send it sends the same messages instead, keeping a sent log in the outbox so
    that a run stopped half-way can be run again without sending anyone a message twice.
    """


def _mail_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options every mail command has: the outbox, the wording, and how to send."""
    options = [
        click.option(
            "--outbox",
            required=True,
            type=click.Path(file_okay=False, path_type=Path),
            help="Folder for the drafts, the run's report and the sent log.",
        ),
        click.option(
            "--template",
            type=EXISTING_FILE,
            help="The message's text (UTF-8), with {placeholders}; a "
            "first line 'Subject: ...' gives the subject. Default: the built-in text.",
        ),
        click.option("--subject", help="The subject, with {placeholders} (default: the template's, or the built-in)."),
        click.option("--deadline", help="The date to return the workbook by, for {deadline}, e.g. '31 January 2026'."),
        click.option("--contact", help="Whom to ask, for {contact}: a name, address or phone (default: --from)."),
        click.option(
            "--from",
            "sender",
            metavar="ADDRESS",
            help="The sender, e.g. 'NPS team <nps@hub.gov.uk>' (required with --send).",
        ),
        RUBRIC_OPTION,
        click.option(
            "--send/--dry-run",
            default=False,
            help="Send over SMTP. Default: a dry run, which writes drafts and says what would be sent.",
        ),
        click.option("--smtp-host", envvar="NPS_SMTP_HOST", show_envvar=True, help="The SMTP server (with --send)."),
        click.option(
            "--smtp-port",
            type=click.IntRange(1, 65535),
            envvar="NPS_SMTP_PORT",
            show_envvar=True,
            help="Its port. Default: 587 (starttls), 465 (tls), 25 (none).",
        ),
        click.option(
            "--smtp-user",
            envvar="NPS_SMTP_USER",
            show_envvar=True,
            help="Log in as this user; the password is read from NPS_SMTP_PASSWORD, else asked for.",
        ),
        click.option(
            "--smtp-security",
            type=click.Choice(["starttls", "tls", "none"]),
            default="starttls",
            show_default=True,
            envvar="NPS_SMTP_SECURITY",
            show_envvar=True,
            help="STARTTLS, implicit TLS, or none (a server on this machine).",
        ),
        click.option(
            "--rate",
            type=click.FloatRange(min=0.1),
            default=20,
            show_default=True,
            help="Send at most this many messages a minute.",
        ),
        click.option(
            "--mailing",
            default="",
            help="Name this mailing (e.g. 'second reminder'): messages already "
            "sent are sent again only under a new name.",
        ),
        click.option(
            "--force", is_flag=True, help="Replace files in the outbox that are not drafts or reports of ours."
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _delivery(options: dict[str, Any], protected: tuple[Path, ...]) -> Delivery:
    """The delivery the options ask for; usage errors for --send without a server or a sender."""
    from .mail.addresses import usable
    from .mail.run import Delivery
    from .mail.smtp import Server
    from .output import Guard

    if options["sender"] and not usable(options["sender"]):
        raise click.BadParameter(
            f"{options['sender']!r} is not an email address (e.g. 'NPS team <nps@hub.gov.uk>')", param_hint="'--from'"
        )
    server = None
    if options["send"]:
        if not options["smtp_host"]:
            raise click.UsageError("--send needs --smtp-host (or NPS_SMTP_HOST): the server to send through.")
        if not options["sender"]:
            raise click.UsageError("--send needs --from: the address the messages are from.")
        server = Server(
            options["smtp_host"], options["smtp_port"], options["smtp_security"], options["smtp_user"] or None
        )
        if problem := server.problem():
            raise click.UsageError(problem)
        if server.user:
            import os
            from dataclasses import replace

            password = os.environ.get("NPS_SMTP_PASSWORD")
            if password is None:
                password = click.prompt(f"SMTP password for {server.user}", hide_input=True, err=True)
            server = replace(server, password=password)
    guard = Guard(protected, options["force"])
    return Delivery(options["outbox"], options["sender"], server, options["rate"], options["mailing"], guard)


def _wording(
    options: dict[str, Any], default: Wording, own: tuple[str, ...], sample: Council
) -> tuple[Wording, dict[str, str | None]]:
    """The run's wording and the placeholder values its messages share, checked (an unknown placeholder, or one
    whose option was not given, is an error)."""
    from .mail.wording import check_wording, load_wording, run_values
    from .rubric import load_rubric

    rubric = load_rubric(options["rubric"])
    wording = load_wording(options["template"], options["subject"], default)
    contact = options["contact"] or options["sender"]
    shared = run_values(rubric, options["deadline"], contact)
    check_wording(wording, shared, own, sample)
    return wording, shared


def _mail_run(
    kind: Kind, letters: list[Letter], left_out: list[LeftOut], delivery: Delivery, extra: tuple[str, ...] = ()
) -> None:
    """Deliver, say what became of each message, write the report; exit 1 if anything needs the coordinator."""
    from .mail.run import run_mail
    from .mail.story import closing_lines, outcome_line

    run = run_mail(kind, letters, left_out, delivery, lambda outcome: click.echo(outcome_line(outcome)))
    for line in [*closing_lines(kind, run, delivery.outbox, delivery.server), *extra]:
        click.echo(line)
    _report_refused(run.refused)
    if run.problems or run.stopped:
        sys.exit(1)


WORKBOOKS_OPTION = click.option(
    "--workbooks",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The folder of personalised workbooks (generate --councils --out-dir): each council's is attached.",
)


@mail.command()
@click.option(
    "--councils", required=True, type=EXISTING_FILE, help="The council list (columns code,name,email): one each."
)
@WORKBOOKS_OPTION
@_mail_options
def invite(councils: Path, workbooks: Path, **options: Any) -> None:
    """Invite each council: a message to its email address with its personalised workbook attached.

    \b
    Example:
      nps-xlsx mail invite --councils councils.csv --workbooks workbooks/ --outbox outbox/invite \\
          --deadline "31 January 2026" --from "NPS team <nps@hub.gov.uk>"
    """
    from .councils import load_councils
    from .mail import invite as invitation
    from .mail.wording import INVITE

    try:
        listed = load_councils(councils, click.echo)
        delivery = _delivery(options, (councils, *(p for p in (options["template"], options["rubric"]) if p)))
        wording, shared = _wording(options, INVITE, invitation.OWN, listed[0])
        letters, left_out = invitation.invitations(listed, workbooks, wording, shared)
        _mail_run("invite", letters, left_out, delivery)
    except NpsXlsxError as exc:
        raise click.ClickException(str(exc)) from exc


@mail.command()
@click.option(
    "--chase", "chase_csv", required=True, type=EXISTING_FILE, help="The chase list that collect --chase wrote."
)
@WORKBOOKS_OPTION
@_mail_options
def chase(chase_csv: Path, workbooks: Path, **options: Any) -> None:
    """Remind each council on the chase list that has not returned, or whose return was blank.

    \b
    Example:
      nps-xlsx mail chase --chase out/chase.csv --workbooks workbooks/ --outbox outbox/chase \\
          --deadline "14 February 2026" --from "NPS team <nps@hub.gov.uk>"
    """
    from .collect.chase import LABELS
    from .councils import Council
    from .mail import chase as reminder
    from .mail.wording import CHASE

    try:
        entries = reminder.read_chase(chase_csv)
        sample = entries[0].council if entries else Council("", "")
        delivery = _delivery(options, (chase_csv, *(p for p in (options["template"], options["rubric"]) if p)))
        wording, shared = _wording(options, CHASE, reminder.OWN, sample)
        letters, left_out = reminder.reminders(entries, workbooks, wording, shared)
        others = reminder.not_chased(entries)
        said = ", ".join(f"{n:,} {LABELS[s].lower()}" for s, n in others.items())
        replied = " (mail replies writes to the rejected and held)" if {"rejected", "held"} & set(others) else ""
        _mail_run("chase", letters, left_out, delivery, (f"Not chased: {said}{replied}.",) if others else ())
    except NpsXlsxError as exc:
        raise click.ClickException(str(exc)) from exc


@mail.command()
@click.option("--ledger", required=True, type=EXISTING_FILE, help="The ledger that collect --ledger wrote.")
@click.option("--councils", required=True, type=EXISTING_FILE, help="The council list (columns code,name,email).")
@click.option(
    "--returns",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The folder of returns, where a file is looked for when it is not at the ledger's path.",
)
@_mail_options
def replies(ledger: Path, councils: Path, returns: Path | None, **options: Any) -> None:
    """Reply to each rejected or held return: its problems, each with its cell and how to fix it, and the file.

    \b
    Example:
      nps-xlsx mail replies --ledger out/files.csv --councils councils.csv --outbox outbox/replies \\
          --from "NPS team <nps@hub.gov.uk>"
    """
    from .councils import load_councils
    from .mail import replies as reply
    from .mail.wording import REPLY
    from .rubric import load_rubric

    try:
        listed = load_councils(councils, click.echo)
        rows = reply.read_ledger(ledger)
        protected = (ledger, councils, *(p for p in (options["template"], options["rubric"]) if p))
        delivery = _delivery(options, protected)
        wording, shared = _wording(options, REPLY, reply.OWN, listed[0])
        replying = reply.Replying(listed, load_rubric(options["rubric"]), returns, wording, shared)
        letters, left_out = reply.replies(rows, replying)
        _mail_run("reply", letters, left_out, delivery)
    except NpsXlsxError as exc:
        raise click.ClickException(str(exc)) from exc
