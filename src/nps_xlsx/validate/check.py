"""Read one return against a rubric: every problem becomes a located issue, never an exception."""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from functools import partial
from pathlib import Path

from .. import a1, layout
from ..councils import same_council
from ..read.messages import MessageFacts
from ..read.own_outputs import not_a_return
from ..read.raw import RawCell, RawSheet, RawWorkbook, ReadFailure
from ..read.safety import Limits, skip_reason
from ..read.workbook import FileFacts, read_bytes, read_workbook
from ..rubric import KeyArea, Rubric
from ..text import EXCEL_CELL_LIMIT, clean_text, display_path, utf16_len
from .identity import check_identity, read_identity, read_issued, read_respondent
from .issues import HOLD_CODES, Issue, Location, make_issue
from .prefill import compare_issued
from .response import Answer, Response, Target
from .scores import read_choice, read_score, read_target

FIX_DROPDOWN = 'choose 1 to {n} or "{unscored}" from the drop-down'
FIX_BLANK = 'choose a level from the drop-down, or "{unscored}" to leave it unscored'
CHOICES = {"priority": layout.PRIORITY_CHOICES, "support": layout.SUPPORT_CHOICES}


class FileStatus(str, Enum):
    """What became of a file. The values are the strings the JSON report, the CSV ledger and scripts see."""

    ACCEPTED = "accepted"
    ACCEPTED_WITH_WARNINGS = "accepted-with-warnings"
    HELD = "held"  # a finding needs the coordinator's decision: neither used nor rejected
    REJECTED = "rejected"
    SKIPPED = "skipped"  # not a return at all (a lock file, one of our outputs...)
    SUPERSEDED = "superseded"  # collect only: another return from the same council is used

    def __str__(self) -> str:
        return self.value


@dataclass(slots=True)
class FileReport:
    """The outcome for one file: its status, what it said (if readable) and its issues."""

    path: str
    status: FileStatus
    format: str | None = None
    response: Response | None = None
    issues: list[Issue] = field(default_factory=list)
    skip_reason: str | None = None
    facts: FileFacts = field(default_factory=FileFacts)
    message: MessageFacts | None = None  # the saved email it came in (a workbook attachment, or the message itself)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON output."""
        return {
            "path": self.path,
            "status": str(self.status),
            "format": self.format,
            "skip_reason": self.skip_reason,
            "sha256": self.facts.sha256,
            "size": self.facts.size,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "issues": [issue.to_dict() for issue in self.issues],
            "response": self.response.to_dict() if self.response else None,
            "message": self.message.to_dict() if self.message else None,
        }


def read_return(path: Path | str, rubric: Rubric, limits: Limits | None = None) -> FileReport:
    """Read and check one returned workbook. Never raises for a problem in the file."""
    path = Path(path)
    limits = limits or Limits()
    facts = FileFacts()
    load = partial(read_bytes, path, limits, facts)
    return check_bytes(display_path(path), path.name, load, rubric, limits, facts, skip_reason(path))


def check_bytes(
    shown: str,
    name: str,
    load: Callable[[], bytes],
    rubric: Rubric,
    limits: Limits,
    facts: FileFacts,
    reason: str | None = None,
) -> FileReport:
    """Read and check the workbook whose bytes ``load`` gives (a file's, or an attachment's), shown as ``shown``;
    its ``name``'s extension is compared with its content. ``load`` records the bytes' size, time and SHA-256 in
    ``facts``; ``reason`` says why it is not a return at all (a lock file). Never raises for a problem in it."""
    issues: list[Issue] = []
    book = response = None
    interpreting = False
    try:
        data = load()
        reason = reason or not_a_return(data)  # a CSV of ours
        if not reason:
            book, findings = read_workbook(Path(name), data, limits)
            issues.extend(make_issue(f.code, Location(shown), f.detail) for f in findings)
            reason = not_a_return(data, book)  # a summary or feedback workbook of ours
        if not reason:
            interpreting = True
            assert book is not None  # read above: no reason to stop means the book was read
            response = _interpret(book, rubric, shown, issues, _latest_date(facts))
    except ReadFailure as failure:
        issues.append(make_issue(failure.code, Location(shown), failure.detail))
        book = response = None
    except Exception as exc:  # last resort: a file must never crash the run, nor be blamed for our fault
        # Every problem a file can have is a ReadFailure or an issue; anything else is a fault of ours.
        issues.append(internal_error(exc, shown, "interpreting" if interpreting else "reading"))
        book = response = None
    if reason:
        return FileReport(shown, FileStatus.SKIPPED, skip_reason=reason, facts=facts)
    return FileReport(shown, status_of(issues), book.format if book else None, response, issues, facts=facts)


def status_of(issues: list[Issue]) -> FileStatus:
    """Rejected if any error; held if a finding needs the coordinator's decision; else accepted."""
    if any(i.severity == "error" for i in issues):
        return FileStatus.REJECTED
    if any(i.code in HOLD_CODES for i in issues):
        return FileStatus.HELD
    return FileStatus.ACCEPTED_WITH_WARNINGS if issues else FileStatus.ACCEPTED


def _latest_date(facts: FileFacts) -> date:
    """The latest plausible completion date: today, or the day the file was last saved if earlier."""
    today = date.today()
    if facts.modified is None:
        return today
    try:
        return min(today, date.fromtimestamp(facts.modified))
    except (OverflowError, OSError, ValueError):
        return today


def internal_error(exc: BaseException, shown: str, stage: str) -> Issue:
    """A bug of ours while reading or interpreting the file: say so, and never blame the council."""
    where = "nps-xlsx"
    for frame, line in traceback.walk_tb(exc.__traceback__):
        module = str(frame.f_globals.get("__name__", ""))
        if module.startswith(f"{__package__}."):
            where = f"{module.rsplit('.', 1)[-1]}.py:{line} in {frame.f_code.co_name}"
    detail = (
        f"nps-xlsx failed while {stage} this file (internal error {type(exc).__name__} at {where}). "
        "This is a fault in nps-xlsx, not in the council's return, and the file itself may be fine"
    )
    return make_issue("internal-error", Location(shown), detail, value=type(exc).__name__)


def _interpret(
    book: RawWorkbook, rubric: Rubric, shown: str, issues: list[Issue], latest: date | None = None
) -> Response | None:
    """What the workbook says; ``latest`` is the latest plausible completion date (see :func:`_latest_date`)."""
    identity = read_identity(book)
    # a layout this nps-xlsx does not know is refused by check_identity, before the locator is used
    locator = _Locator(book, rubric, layout.layout_version((identity or {}).get("layout_version")) or layout.CURRENT)
    if identity is None:
        if not locator.id_cells:
            issues.append(
                make_issue(
                    "not-nps-workbook",
                    Location(shown),
                    "not an NPS diagnostic workbook (no identity record and no value-code rows)",
                )
            )
            return None
        issues.append(
            make_issue(
                "identity-missing",
                Location(shown),
                "the workbook's hidden identity record is missing; it was recognised by its value-code rows",
            )
        )
        identity = {}
    else:
        problem = check_identity(identity, rubric, shown)
        if problem:
            issues.append(problem)
            return None
    cover = {}
    for name, label in layout.COVER_FIELDS:
        (sheet_name, ref), cell = locator.cover_cell(name)
        where = Location(shown, sheet_name, ref)
        cover[name] = (where, _clean(_text(cell), (shown, sheet_name, ref), f"the {label.lower()}", None, issues), cell)
    name_where, council_name, _cell = cover["council_name"]
    if not council_name:
        issues.append(make_issue("council-name-missing", name_where, "the council name is blank"))
    issued = identity.get("council_name")
    if council_name and issued and not same_council(council_name, issued):
        issues.append(_name_changed(name_where, council_name, issued, identity.get("council_code")))
    answers = tuple(answer for code in rubric.value_codes if (answer := locator.answer(code.id, shown, issues)))
    targets = tuple(target for area in rubric.areas if (target := locator.target(area, shown, issues)))
    if answers and not any(answer.status != "blank" or answer.comment for answer in answers):
        _nothing_answered(shown, len(answers), issues)
    date_where, _typed, date_cell = cover["completion_date"]
    as_issued = read_issued(book)
    respondent, problem = read_respondent(identity, shown)
    issues.extend([problem] if problem else [])
    return Response(
        council_name=council_name or None,
        council_code=identity.get("council_code") or None,
        respondent_name=cover["respondent_name"][1] or None,
        respondent_role=cover["respondent_role"][1] or None,
        respondent_email=cover["respondent_email"][1] or None,
        completion_date=_plausible_date(_date(date_cell), latest, date_where, issues),
        identity=identity,
        answers=answers,
        targets=targets,
        prefill=compare_issued(as_issued, answers, targets, rubric) if as_issued else None,
        respondent=respondent,
    )


def _nothing_answered(shown: str, blank: int, issues: list[Issue]) -> None:
    """One error for a return with no score and no comment anywhere, in place of a warning per blank score."""
    issues[:] = [issue for issue in issues if issue.code != "score-blank"]
    issues.append(
        make_issue(
            "nothing-answered",
            Location(shown),
            f"nothing is answered (none of the {blank} value codes has a score or a comment), so the workbook "
            "came back unfilled",
        )
    )


def _name_changed(where: Location, typed: str, issued: str, code: str | None) -> Issue:
    """A personalised copy with another council's name typed on it: held, never used or superseding silently."""
    to = f"{issued!r}" + (f" ({code})" if code else "")
    return make_issue(
        "council-name-changed",
        where,
        f"the council name typed is {typed!r}, but this copy was issued to {to}; the return is held for review "
        "and not used for either council",
        value=typed,
    )


Where = tuple[str, str | None, str | None]  # a Location's file, sheet and cell, made into one only for an issue


def _clean(text: str, where: Where, what: str, code_id: str | None, issues: list[Issue]) -> str:
    """``text`` without the characters no output can hold, stripped; says so at ``where`` if any were removed."""
    cleaned, removed = clean_text(text)
    if removed:
        issues.append(
            make_issue(
                "control-characters-removed",
                Location(*where),
                f"{what} held {removed} invisible or invalid character(s) (control characters, or half of an "
                "emoji), which were removed",
                code_id,
            )
        )
        return cleaned.strip()
    return cleaned


def _plausible_date(completed: date | None, latest: date | None, where: Location, issues: list[Issue]) -> date | None:
    """``completed``, unless it is more than a day after ``latest`` (then a warning, and ``None``)."""
    if completed is None or latest is None or completed <= latest + timedelta(days=1):
        return completed
    issues.append(
        make_issue(
            "completion-date-in-future",
            where,
            f"the completion date {completed.isoformat()} is after the file was last saved or received "
            f"({latest.isoformat()}); it was not used to choose between this council's returns",
            value=completed.isoformat(),
        )
    )
    return None


def _text(cell: RawCell | None) -> str:
    if cell is None or cell.value is None or cell.kind == "uncached":
        return ""
    number = cell.number()
    if number is not None and number.is_integer():
        return str(int(number))
    if isinstance(cell.value, datetime):
        return cell.value.date().isoformat()
    return str(cell.value).strip()


def _date(cell: RawCell | None) -> date | None:
    if cell is None:
        return None
    if isinstance(cell.value, datetime):
        return cell.value.date()
    if cell.kind == "text":
        for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y"):
            try:
                return datetime.strptime(str(cell.value).strip(), pattern).date()
            except ValueError:
                continue
    return None


class _Locator:
    """Finds each input: by defined name first, by the value-code ID column as fallback and cross-check."""

    def __init__(self, book: RawWorkbook, rubric: Rubric, version: layout.Version) -> None:
        self.book, self.rubric, self.version = book, rubric, version
        self.columns: dict[str, dict[str, int]] = {}  # per sheet: each input header found, and its column
        n_levels = len(rubric.levels)
        # where the workbook's layout version puts the score and the comment
        score, comment = version.column(n_levels, "score"), version.column(n_levels, "comment")
        assert score is not None and comment is not None  # every layout has both
        self._usual = (score, comment)
        self._sheet_names: dict[str, str] = {}  # as read -> safe for every output
        sheets = {sheet_name: book.sheet(sheet_name) for sheet_name in {target[0] for target in book.names.values()}}
        self._named = {  # each defined name whose sheet exists: its cell
            name: (sheet, row, col)
            for name, (sheet_name, row, col) in book.names.items()
            if (sheet := sheets[sheet_name]) is not None
        }
        self.id_cells: dict[str, list[tuple[RawSheet, int, int]]] = {}
        # Sheets the score names point at are scanned for value-code IDs first; the others
        # only when a value code is still unaccounted for (names lost, rows moved to another sheet).
        named = {t[0].casefold() for n, t in book.names.items() if n.startswith("score_")}
        first = [s for s in book.sheets if s.name.casefold() in named]
        self._scan(first)
        if len(self.id_cells) < len(rubric.value_codes):
            self._scan([s for s in book.sheets if s.name.casefold() not in named])

    def _scan(self, sheets: list[RawSheet]) -> None:
        wanted = {code.id.upper(): code.id for code in self.rubric.value_codes}
        for sheet in sheets:
            for (row, col), (value, kind, _formula) in sheet.cells.items():
                # the cell unpacked rather than read by RawCell.text(): every cell of a sheet passes here
                if kind == "text" and isinstance(value, str) and len(value) <= 20:
                    code_id = wanted.get(value.strip().upper())
                    if code_id:
                        self.id_cells.setdefault(code_id, []).append((sheet, row, col))

    def cover_cell(self, name: str) -> tuple[tuple[str | None, str | None], RawCell | None]:
        """The cover input ``name``: by defined name, else by its label on the cover."""
        target = self.book.names.get(name)
        if target and (sheet := self.book.sheet(target[0])):
            return (sheet.name, a1.cell_ref(target[1], target[2])), sheet.cells.get((target[1], target[2]))
        label = dict(layout.COVER_FIELDS)[name].casefold()
        for sheet in self.book.sheets:
            for (row, col), cell in sheet.cells.items():
                if cell.kind == "text" and str(cell.value).strip().casefold() == label:
                    ref = a1.cell_ref(row, col + 1)
                    return (sheet.name, ref), sheet.cells.get((row, col + 1))
        return (layout.COVER_SHEET, None), None

    def _headers(self, sheet: RawSheet) -> dict[str, int]:
        """Each input (``score``, ``comment``, ...) whose header is on ``sheet``, and its column."""
        if sheet.name not in self.columns:
            wanted = {header.casefold(): which for which, header in layout.INPUT_HEADERS.items()}
            found: dict[str, int] = {}
            for (_row, col), cell in sheet.cells.items():
                if cell.kind == "text" and (which := wanted.get(str(cell.value).strip().casefold())):
                    found[which] = col
            self.columns[sheet.name] = found
        return self.columns[sheet.name]

    def _header_columns(self, sheet: RawSheet) -> tuple[int | None, int | None]:
        headers = self._headers(sheet)
        return headers.get("score"), headers.get("comment")

    def _by_name(self, name: str) -> tuple[RawSheet, int, int] | None:
        return self._named.get(name.lower())

    @staticmethod
    @functools.lru_cache(maxsize=1024)
    def _keys(code_id: str) -> tuple[str, str, str, str]:
        """A value code's defined names as looked up (lower case): its score, comment, priority and support cells'."""
        names = (layout.score_name, layout.comment_name, layout.priority_name, layout.support_name)
        score, comment, priority, support = (name(code_id).lower() for name in names)
        return score, comment, priority, support

    def _column(self, sheet: RawSheet, which: int, offset: int) -> int:
        """Column ``which`` (0 score, 1 comment) of ``sheet``: where its header is, else where the template puts it."""
        found = self._header_columns(sheet)[which]
        return self._usual[which] + offset if found is None else found

    def _in_column(self, at: tuple[RawSheet, int, int], sheet: RawSheet, row: int, which: int, offset: int) -> bool:
        """Whether a defined name's cell is in the ID's row and in column ``which`` (0 score, 1 comment).

        The header row is looked at only when the name is not where the template put it (columns inserted).
        """
        if at[0] is not sheet or at[1] != row:
            return False
        return at[2] == self._usual[which] + offset or self._header_columns(sheet)[which] in (None, at[2])

    @staticmethod
    def _ref(at: tuple[RawSheet, int, int]) -> str:
        return f"{at[0].name}!{a1.cell_ref(at[1], at[2])}"

    def answer(self, code_id: str, shown: str, issues: list[Issue]) -> Answer | None:
        hits = self.id_cells.get(code_id, ())
        if len(hits) > 1:
            places = ", ".join(f"{s.name}!{a1.cell_ref(r, c)}" for s, r, c in hits)
            sheet, row, col = hits[1]
            issues.append(
                make_issue(
                    "value-code-duplicated",
                    Location(shown, sheet.name, a1.cell_ref(row, col)),
                    f"the value code appears in more than one row ({places})",
                    code_id,
                )
            )
            return None
        score_key, comment_key, priority_key, support_key = self._keys(code_id)
        score_at, comment_at = self._named.get(score_key), self._named.get(comment_key)
        offset = 0
        if hits:
            id_sheet, id_row, id_col = hits[0]
            offset = id_col - layout.ID_COL
            score_ok = score_at is not None and self._in_column(score_at, id_sheet, id_row, 0, offset)
            comment_ok = comment_at is not None and self._in_column(comment_at, id_sheet, id_row, 1, offset)
            astray = [(layout.score_name(code_id), score_at, 0)] if score_at and not score_ok else []
            astray += [(layout.comment_name(code_id), comment_at, 1)] if comment_at and not comment_ok else []
            # (an ok cell is never None: said again for the type checker)
            if not score_ok or score_at is None:
                score_at = (id_sheet, id_row, self._column(id_sheet, 0, offset))
            if not comment_ok or comment_at is None:
                comment_at = (id_sheet, id_row, self._column(id_sheet, 1, offset))
            if astray:
                used = ((score_at, layout.SCORE_HEADER), (comment_at, layout.COMMENT_HEADER))
                detail = "; ".join(
                    f"the defined name {name} points at {self._ref(at)}, not at this row's {used[which][1]!r} cell, "
                    f"so {self._ref(used[which][0])} was used"
                    for name, at, which in astray
                )
                issues.append(
                    make_issue(
                        "name-mismatch",
                        Location(shown, id_sheet.name, a1.cell_ref(id_row, id_col)),
                        detail,
                        code_id,
                    )
                )
        if score_at is None:
            issues.append(
                make_issue(
                    "value-code-missing",
                    Location(shown),
                    "the value code's row cannot be found (no defined name and no row labelled with its ID)",
                    code_id,
                )
            )
            return None
        sheet, row, col = score_at
        if comment_at is None or comment_at[0] is not sheet or comment_at[1] != row:
            comment_at = (sheet, row, self._header_columns(sheet)[1] or self._usual[1])
        score_ref, comment_ref = a1.cell_ref(row, col), a1.cell_ref(row, comment_at[2])
        cells = sheet.cells
        raw_value = cells.get((row, col))
        if raw_value is not None and raw_value.kind == "text":
            text = _clean(str(raw_value.value), (shown, sheet.name, score_ref), "the score", code_id, issues)
            raw_value = raw_value if text == raw_value.value else raw_value._replace(value=text)
        reading = read_score(raw_value, self.rubric)
        if reading.status == "blank":
            fix = FIX_BLANK.format(unscored=self.rubric.unscored)
            where = Location(shown, sheet.name, score_ref)
            issues.append(make_issue("score-blank", where, "not answered", code_id, fix=fix))
        elif reading.problem:
            value = None if raw_value is None else raw_value.value
            fix = FIX_DROPDOWN.format(n=len(self.rubric.levels), unscored=self.rubric.unscored)
            where = Location(shown, sheet.name, score_ref)
            issues.append(make_issue(reading.problem, where, reading.detail, code_id, value, fix))
        comment = self._comment(cells.get((row, comment_at[2])), (shown, sheet.name, comment_ref), code_id, issues)
        priority, priority_ref = self._choice(sheet, row, "priority", priority_key, offset, shown, code_id, issues)
        support, support_ref = self._choice(sheet, row, "support", support_key, offset, shown, code_id, issues)
        return Answer(
            code_id,
            reading.status,
            reading.score,
            comment,
            self._sheet_name(sheet),
            score_ref,
            comment_ref,
            priority,
            support,
            priority_ref,
            support_ref,
        )

    def _sheet_name(self, sheet: RawSheet) -> str:
        """The sheet's name as every output can hold it."""
        return self._sheet_names.get(sheet.name) or self._sheet_names.setdefault(sheet.name, clean_text(sheet.name)[0])

    def _choice_col(self, sheet: RawSheet, row: int, which: str, key: str, offset: int) -> int | None:
        """The column of a value code's ``priority`` or ``support`` (its defined name looked up as ``key``): its
        defined name's, if in the row; else where its header is; else where the return's layout puts it (``None``:
        the layout has none)."""
        at = self._named.get(key)
        if at is not None and at[0] is sheet and at[1] == row:
            return at[2]
        found = self._headers(sheet).get(which)
        if found is not None:
            return found
        usual = self.version.column(len(self.rubric.levels), which)
        return None if usual is None else usual + offset

    def _choice(
        self,
        sheet: RawSheet,
        row: int,
        which: str,
        key: str,
        offset: int,
        shown: str,
        code_id: str,
        issues: list[Issue],
    ) -> tuple[str | None, str | None]:
        """A value code's ``priority`` or ``support`` answer (its defined name looked up as ``key``), and its cell
        (``None``: no such input)."""
        col = self._choice_col(sheet, row, which, key, offset)
        if col is None:
            return None, None
        ref = a1.cell_ref(row, col)
        cell = sheet.cells.get((row, col))
        if cell is None:  # blank: no answer, nothing to say
            return None, ref
        header = layout.INPUT_HEADERS[which]
        if cell is not None and cell.kind == "text":
            text = _clean(str(cell.value), (shown, sheet.name, ref), f"the {header.lower()} answer", code_id, issues)
            cell = cell if text == cell.value else cell._replace(value=text)
        reading = read_choice(cell, CHOICES[which])
        if reading.problem:
            value = None if cell is None else cell.value
            where = Location(shown, sheet.name, ref)
            issues.append(make_issue(reading.problem, where, f"{header}: {reading.detail}", code_id, value))
        return reading.value, ref

    def _area_sheet(self, area: KeyArea) -> RawSheet | None:
        """The sheet holding the key area's value codes (found by their IDs), else the sheet of its name."""
        for code in area.value_codes:
            hits = self.id_cells.get(code.id)
            if hits:
                return hits[0][0]
        return self.book.sheet(area.sheet)

    def target(self, area: KeyArea, shown: str, issues: list[Issue]) -> Target | None:
        """The key area's target level: by defined name, else beside its label, else where the return's layout
        puts it; ``None`` if there is none (layout 1)."""
        at = self._by_name(layout.target_name(area.id))
        sheet = at[0] if at else self._area_sheet(area)
        if at is None and sheet is not None:
            label = layout.TARGET_LABEL.casefold()
            beside = [
                (sheet, row, col + 1)
                for (row, col), cell in sheet.cells.items()
                if cell.kind == "text" and str(cell.value).strip().casefold() == label
            ]
            at = beside[0] if beside else (sheet, *self.version.target) if self.version.target else None
        if at is None or sheet is None:
            return None
        sheet, row, col = at
        ref = a1.cell_ref(row, col)
        cell = sheet.cells.get((row, col))
        if cell is not None and cell.kind == "text":
            text = _clean(str(cell.value), (shown, sheet.name, ref), "the target level", None, issues)
            cell = cell if text == cell.value else cell._replace(value=text)
        reading = read_target(cell, self.rubric)
        if reading.problem:
            value = None if cell is None else cell.value
            fix = "choose a level from the drop-down, or leave the target blank"
            detail = f"the target level for {area.name}: {reading.detail}"
            issues.append(make_issue(reading.problem, Location(shown, sheet.name, ref), detail, None, value, fix))
        return Target(area.id, reading.score, self._sheet_name(sheet), ref)

    @staticmethod
    def _comment(cell: RawCell | None, where: Where, code_id: str, issues: list[Issue]) -> str:
        """The comment in ``cell``, at ``where``."""
        if cell is None:
            return ""
        if cell.kind == "uncached":
            issues.append(
                make_issue(
                    "formula-without-value",
                    Location(*where),
                    "the comment is a formula that has never been calculated",
                    code_id,
                    fix="type the comment as text",
                )
            )
            return ""
        text = _clean(_text(cell), where, "the comment", code_id, issues)
        length = utf16_len(text) if len(text) > EXCEL_CELL_LIMIT // 2 else len(text)
        if length > EXCEL_CELL_LIMIT:
            issues.append(
                make_issue(
                    "comment-too-long",
                    Location(*where),
                    f"the comment is {length:,} characters long as Excel counts them (UTF-16 units), more than a "
                    f"spreadsheet cell can hold ({EXCEL_CELL_LIMIT:,}); the file was not saved by a spreadsheet "
                    "program, so the comment was not used",
                    code_id,
                    f"{text[:40]}…",
                )
            )
            return ""
        return text
