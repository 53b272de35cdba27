"""Read one return against a rubric: every problem becomes a located issue, never an exception."""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from . import layout
from .identity import check_identity, read_identity
from .issues import Issue, Location, make_issue
from .raw import RawCell, RawSheet, RawWorkbook, ReadFailure
from .response import Answer, Response
from .rubric import Rubric
from .safety import ZIP_OPEN_ERRORS, Limits, Package, check_zip, is_encrypted_ole, skip_reason, sniff
from .scores import read_score

FileStatus = Literal["accepted", "accepted-with-warnings", "rejected", "skipped"]
MAX_CELL_TEXT = 32_767
# Characters XML 1.0 cannot hold (spreadsheets smuggle them in as _xHHHH_ escapes); tab, LF and CR are fine.
_ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
EXTENSIONS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".ods": "ods", ".xls": "xls"}
FIX_DROPDOWN = 'choose 1 to {n} or "{unscored}" from the drop-down'


@dataclass(slots=True)
class FileFacts:
    """What the ledger records about any file: size, modification time (epoch seconds) and SHA-256."""

    size: int | None = None
    modified: float | None = None
    sha256: str | None = None


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

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def to_dict(self) -> dict:
        """Plain data for JSON output."""
        return {
            "path": self.path,
            "status": self.status,
            "format": self.format,
            "skip_reason": self.skip_reason,
            "sha256": self.facts.sha256,
            "size": self.facts.size,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "issues": [issue.to_dict() for issue in self.issues],
            "response": self.response.to_dict() if self.response else None,
        }


def read_return(path: Path | str, rubric: Rubric, limits: Limits | None = None) -> FileReport:
    """Read and check one returned workbook. Never raises for a problem in the file."""
    path = Path(path)
    shown = str(path)
    limits = limits or Limits()
    facts = FileFacts()
    issues: list[Issue] = []
    book = response = None
    reason = skip_reason(path)
    try:
        data = _read_bytes(path, limits, facts)
        if not reason:
            book = _read_book(path, data, limits, issues)
            response = _interpret(book, rubric, shown, issues)
    except ReadFailure as failure:
        issues.append(make_issue(failure.code, Location(shown), _with_fix(failure.code, failure.detail)))
        book = response = None
    except Exception as exc:  # last resort: a file must never crash the run
        detail = f"the file could not be read ({type(exc).__name__}: {exc}); open it, save it again and resend it"
        issues.append(make_issue("corrupt-file", Location(shown), detail))
        book = response = None
    if reason:
        return FileReport(shown, "skipped", skip_reason=reason, facts=facts)
    status: FileStatus = "accepted"
    if any(i.severity == "error" for i in issues):
        status = "rejected"
    elif issues:
        status = "accepted-with-warnings"
    return FileReport(shown, status, book.format if book else None, response, issues, facts=facts)


def _read_bytes(path: Path, limits: Limits, facts: FileFacts) -> bytes:
    """The file's bytes, after checking its size; records size, time and SHA-256 in ``facts``."""
    try:
        stat = path.stat()
        facts.size, facts.modified = stat.st_size, stat.st_mtime
        if stat.st_size > limits.max_file_bytes:
            raise ReadFailure("file-too-large", f"the file is {stat.st_size:,} bytes (limit {limits.max_file_bytes:,})")
        data = path.read_bytes()
    except OSError as exc:
        raise ReadFailure("file-unreadable", f"the file cannot be read ({exc.strerror or exc})") from exc
    facts.sha256 = hashlib.sha256(data).hexdigest()
    return data


FIXES = {
    "file-unreadable": "check the file is in place and readable",
    "file-empty": "ask the council to send the workbook again",
    "file-too-large": "ask the council to send the workbook again without extra content",
    "not-a-spreadsheet": "ask the council to send the completed workbook itself",
    "corrupt-file": "ask the council to open the workbook, save it again and resend it",
    "encrypted": "ask the council to remove the password and send it again",
    "zip-bomb": "the file is not a normal workbook; do not open it, and ask for the workbook again",
    "xml-entities": "the file is not a normal workbook; do not open it, and ask for the workbook again",
    "too-many-cells": "ask the council to delete the extra content and send it again",
    "unsupported-format": "ask the council to open it in their spreadsheet program, save it as an Excel Workbook "
    "(.xlsx) and send that file",
}


def _with_fix(code: str, detail: str) -> str:
    return f"{detail}; {FIXES[code]}" if code in FIXES else detail


def _read_book(path: Path, data: bytes, limits: Limits, issues: list[Issue]) -> RawWorkbook:
    shown = str(path)
    if not data:
        raise ReadFailure("file-empty", "the file is empty (0 bytes)")
    container = sniff(data)
    expected = EXTENSIONS.get(path.suffix.lower())
    if container == "unknown":
        raise ReadFailure("not-a-spreadsheet", "the content is not a spreadsheet (not .xlsx, .xlsm, .ods or .xls)")
    if container == "ole":
        if is_encrypted_ole(data):
            raise ReadFailure("encrypted", "the workbook is password-protected (encrypted)")
        from .reader_xls import read_xls

        kind = "xls"
        book = read_xls(data, limits)
    else:
        import io

        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except ZIP_OPEN_ERRORS as exc:
            raise ReadFailure("corrupt-file", "the file is a damaged or truncated zip archive") from exc
        try:
            with archive:
                package = Package(archive, limits)
                kind = check_zip(package)
                if kind == "ods":
                    from .reader_ods import read_ods

                    book = read_ods(archive, limits)
                else:
                    from .reader_xlsx import read_xlsx

                    book = read_xlsx(package)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError) as exc:
            # members are read through safety.read_member, which says which part is damaged; this is the rest
            raise ReadFailure("corrupt-file", "a part of the workbook is damaged") from exc
    if expected != kind:
        named = path.suffix or "no extension"
        issues.append(
            make_issue(
                "extension-mismatch",
                Location(shown),
                f"the file is named {named} but holds an {kind.upper()} workbook; it was read as {kind.upper()}. "
                f"Ask the council to keep the original format",
            )
        )
    if book.has_macros:
        issues.append(
            make_issue("macros-ignored", Location(shown), "the workbook contains macros; they were ignored, never run")
        )
    return book


def _interpret(book: RawWorkbook, rubric: Rubric, shown: str, issues: list[Issue]) -> Response | None:
    identity = read_identity(book)
    locator = _Locator(book, rubric)
    if identity is None:
        if not locator.id_cells:
            issues.append(
                make_issue(
                    "not-nps-workbook",
                    Location(shown),
                    "not an NPS diagnostic workbook (no identity record and no value-code rows); "
                    "send the council the workbook generated by nps-xlsx",
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
    cover = {name: locator.cover_cell(name) for name, _label in layout.COVER_FIELDS}
    council_name = _text(cover["council_name"][1])
    name_sheet, name_cell = cover["council_name"][0]
    if not council_name:
        issues.append(
            make_issue(
                "council-name-missing",
                Location(shown, name_sheet, name_cell),
                "the council name is blank; type the council's name on the cover",
            )
        )
    issued = identity.get("council_name")
    if council_name and issued and _same_name(council_name, issued) is False:
        issues.append(
            make_issue(
                "council-name-changed",
                Location(shown, name_sheet, name_cell),
                f"the council name is {council_name!r} but this copy was issued to {issued!r}; "
                "check the return came from the right council",
                value=council_name,
            )
        )
    answers = tuple(answer for code in rubric.value_codes if (answer := locator.answer(code.id, shown, issues)))
    return Response(
        council_name=council_name or None,
        council_code=identity.get("council_code") or None,
        respondent_name=_text(cover["respondent_name"][1]) or None,
        respondent_role=_text(cover["respondent_role"][1]) or None,
        respondent_email=_text(cover["respondent_email"][1]) or None,
        completion_date=_date(cover["completion_date"][1]),
        identity=identity,
        answers=answers,
    )


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _text(cell: RawCell | None) -> str:
    if cell is None or cell.value is None or cell.kind == "uncached":
        return ""
    if cell.kind == "number" and float(cell.value).is_integer():  # type: ignore[arg-type]
        return str(int(cell.value))  # type: ignore[arg-type]
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

    def __init__(self, book: RawWorkbook, rubric: Rubric) -> None:
        self.book, self.rubric = book, rubric
        self.columns: dict[str, tuple[int | None, int | None]] = {}
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
                if kind == "text" and len(value) <= 20:  # type: ignore[arg-type]
                    code_id = wanted.get(value.strip().upper())  # type: ignore[union-attr]
                    if code_id:
                        self.id_cells.setdefault(code_id, []).append((sheet, row, col))

    def cover_cell(self, name: str) -> tuple[tuple[str | None, str | None], RawCell | None]:
        """The cover input ``name``: by defined name, else by its label on the cover."""
        target = self.book.names.get(name)
        if target and (sheet := self.book.sheet(target[0])):
            return (sheet.name, layout.cell_ref(target[1], target[2])), sheet.cells.get((target[1], target[2]))
        label = dict(layout.COVER_FIELDS)[name].casefold()
        for sheet in self.book.sheets:
            for (row, col), cell in sheet.cells.items():
                if cell.kind == "text" and str(cell.value).strip().casefold() == label:
                    ref = layout.cell_ref(row, col + 1)
                    return (sheet.name, ref), sheet.cells.get((row, col + 1))
        return (layout.COVER_SHEET, None), None

    def _header_columns(self, sheet: RawSheet) -> tuple[int | None, int | None]:
        if sheet.name not in self.columns:
            score = comment = None
            for (_row, col), cell in sheet.cells.items():
                if cell.kind == "text":
                    text = str(cell.value).strip().casefold()
                    if text == layout.SCORE_HEADER.casefold():
                        score = col
                    elif text == layout.COMMENT_HEADER.casefold():
                        comment = col
            self.columns[sheet.name] = (score, comment)
        return self.columns[sheet.name]

    def _by_name(self, name: str) -> tuple[RawSheet, int, int] | None:
        target = self.book.names.get(name.lower())
        sheet = self.book.sheet(target[0]) if target else None
        return (sheet, target[1], target[2]) if sheet and target else None

    def answer(self, code_id: str, shown: str, issues: list[Issue]) -> Answer | None:
        hits = self.id_cells.get(code_id, [])
        if len(hits) > 1:
            places = ", ".join(f"{s.name}!{layout.cell_ref(r, c)}" for s, r, c in hits)
            sheet, row, col = hits[1]
            issues.append(
                make_issue(
                    "value-code-duplicated",
                    Location(shown, sheet.name, layout.cell_ref(row, col)),
                    f"the value code appears in more than one row ({places}); delete the copied row",
                    code_id,
                )
            )
            return None
        score_at = self._by_name(layout.score_name(code_id))
        comment_at = self._by_name(layout.comment_name(code_id))
        if hits:
            id_sheet, id_row, id_col = hits[0]
            if score_at and (score_at[0] is not id_sheet or score_at[1] != id_row):
                name_ref = f"{score_at[0].name}!{layout.cell_ref(score_at[1], score_at[2])}"
                issues.append(
                    make_issue(
                        "name-mismatch",
                        Location(shown, id_sheet.name, layout.cell_ref(id_row, id_col)),
                        f"the defined name {layout.score_name(code_id)} points at {name_ref}, not at this row; "
                        "the row labelled with the value code was used",
                        code_id,
                    )
                )
                score_at = comment_at = None
            if score_at is None:
                score_col, comment_col = self._header_columns(id_sheet)
                offset = id_col - layout.ID_COL
                score_col = score_col if score_col is not None else layout.score_col(self.rubric) + offset
                comment_col = comment_col if comment_col is not None else layout.comment_col(self.rubric) + offset
                score_at = (id_sheet, id_row, score_col)
                comment_at = (id_sheet, id_row, comment_col)
        if score_at is None:
            issues.append(
                make_issue(
                    "value-code-missing",
                    Location(shown),
                    "the value code's row cannot be found (no defined name and no row labelled with its ID); "
                    "ask the council to use the workbook as sent, without deleting rows",
                    code_id,
                )
            )
            return None
        sheet, row, col = score_at
        if comment_at is None or comment_at[0] is not sheet or comment_at[1] != row:
            comment_at = (sheet, row, self._header_columns(sheet)[1] or layout.comment_col(self.rubric))
        score_ref, comment_ref = layout.cell_ref(row, col), layout.cell_ref(row, comment_at[2])
        raw_value = sheet.cells.get((row, col))
        reading = read_score(raw_value, self.rubric)
        if reading.status == "blank":
            detail = (
                f'not answered; choose a level from the drop-down, or "{self.rubric.unscored}" to leave it unscored'
            )
            issues.append(make_issue("score-blank", Location(shown, sheet.name, score_ref), detail, code_id))
        elif reading.problem:
            value = None if raw_value is None else raw_value.value
            fix = FIX_DROPDOWN.format(n=len(self.rubric.levels), unscored=self.rubric.unscored)
            where = Location(shown, sheet.name, score_ref)
            issues.append(make_issue(reading.problem, where, f"{reading.detail}; {fix}", code_id, value))
        comment = self._comment(sheet, row, comment_at[2], shown, code_id, issues)
        return Answer(code_id, reading.status, reading.score, comment, sheet.name, score_ref, comment_ref)

    def _comment(self, sheet: RawSheet, row: int, col: int, shown: str, code_id: str, issues: list[Issue]) -> str:
        cell = sheet.cells.get((row, col))
        where = Location(shown, sheet.name, layout.cell_ref(row, col))
        if cell is not None and cell.kind == "uncached":
            issues.append(
                make_issue(
                    "formula-without-value",
                    where,
                    "the comment is a formula that has never been calculated; type the comment as text",
                    code_id,
                )
            )
            return ""
        text = _text(cell)
        cleaned = _ILLEGAL_CHARACTERS.sub("", text)
        if cleaned != text:
            issues.append(
                make_issue(
                    "control-characters-removed",
                    where,
                    f"the comment held {len(text) - len(cleaned)} invisible control character(s), which were removed",
                    code_id,
                )
            )
            text = cleaned
        if len(text) > MAX_CELL_TEXT:
            issues.append(
                make_issue(
                    "comment-too-long",
                    where,
                    f"the comment is {len(text):,} characters long, more than a spreadsheet cell can hold "
                    f"({MAX_CELL_TEXT:,}); the file was not saved by a spreadsheet program, so it was not used",
                    code_id,
                    f"{text[:40]}…",
                )
            )
            return ""
        return text
