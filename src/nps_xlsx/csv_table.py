"""Reading the small CSV files a coordinator writes (the council list, the respondent list, the assignments file),
and writing ours so that a spreadsheet program opens them safely.

One reader, so that both accept the same files, as Excel and other programs save them:

- encoding: UTF-8 with or without a BOM; UTF-16 with a BOM (Excel's "Unicode Text"); otherwise
  Windows-1252 (Excel's plain "CSV (Comma delimited)"). Anything but UTF-8 is reported
  (:meth:`Table.note`), so that a wrong guess shows.
- delimiter: comma, semicolon (Excel in many European locales) or tab, chosen on the header line
  (or named by Excel's ``sep=;`` line).
- headers: compared with case, spaces and punctuation folded, with aliases (``Council code``, ``GSS code``).
- blank lines are skipped, and every error names the file and the line.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO

from .errors import NpsXlsxError
from .text import clean_text

DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}  # in order of preference on a tie
SAVE_AS_UTF8 = 'in Excel, use File › Save As › "CSV UTF-8 (Comma delimited) (*.csv)"'
WORKBOOK_MAGICS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # xlsx/ods, xls
MAX_HEADERS_SHOWN = 8
_CHUNK = 1 << 20  # bytes checked at a time when choosing the encoding
SEP_LINE = re.compile(r"sep=([,;\t])\r?\n")  # a first line that tells Excel the delimiter


def fold(header: str) -> str:
    """A header as compared: lower case, letters and digits only (``"Council_Code "`` -> ``"councilcode"``)."""
    return "".join(ch for ch in header.casefold() if ch.isalnum())


@dataclass(frozen=True)
class Column:
    """A column the reader looks for: its name, what it holds, and other headers that mean it."""

    key: str  # the name the README gives, e.g. "code"
    meaning: str  # e.g. "the council code"
    aliases: tuple[str, ...] = ()  # other headers, as people write them, e.g. "GSS code"
    pattern: str | None = None  # a regular expression over the folded header, e.g. ONS's "LAD23CD"
    required: bool = True  # a file without it is refused; an optional column's values are "" when it is absent

    def exact(self, header: str) -> bool:
        return fold(header) == fold(self.key)

    def alias(self, header: str) -> bool:
        folded = fold(header)
        return folded in {fold(a) for a in self.aliases} or bool(self.pattern and re.fullmatch(self.pattern, folded))

    def asked(self) -> str:
        """How an error asks for it: ``'code' (or 'Council code', 'GSS code')``."""
        others = ", ".join(f"'{a}'" for a in self.aliases[:3])
        return f"'{self.key}'" + (f" (or {others})" if others else "")


@dataclass
class Table:
    """A CSV file's header (as written, stripped), where each column looked for is, and its rows."""

    header: list[str]
    at: dict[str, int]  # Column.key -> index in the header
    rows: Iterator[tuple[int, list[str]]]  # non-blank rows after the header, each with its line number
    encoding: str  # "UTF-8", "UTF-16" or "Windows-1252"
    delimiter: str

    def note(self, shown: str) -> str | None:
        """``Read councils.csv as Windows-1252 (not UTF-8), separated by semicolons.``, unless UTF-8 with commas."""
        parts = [f"as {self.encoding} (not UTF-8)"] if self.encoding != "UTF-8" else []
        if self.delimiter != ",":
            parts.append(f"separated by {DELIMITERS[self.delimiter]}")
        return f"Read {shown} {', '.join(parts)}." if parts else None

    def others(self) -> list[tuple[int, str]]:
        """The named columns not looked for, as (index, header) in file order."""
        used = set(self.at.values())
        return [(i, name) for i, name in enumerate(self.header) if i not in used and name]


def read_table(path: Path, shown: str, what: str, columns: Sequence[Column], error: type[NpsXlsxError]) -> Table:
    """Read, decode and parse the file; every column in ``columns`` must be found.

    Errors are ``error("{shown}:{line}: …")`` and say how to fix the file; a missing column's names the headers found.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"{shown}: cannot read the {what}: {exc.strerror or exc}") from exc
    if data.startswith(WORKBOOK_MAGICS):
        raise error(f"{shown}: the {what} is a workbook, not a CSV file; {SAVE_AS_UTF8}")
    codec, encoding = _encoding(data, shown, what, error)
    if (line := _nul_line(data, codec)) is not None:
        raise error(f"{shown}:{line}: the {what} holds NUL characters, so it is not a text file; {SAVE_AS_UTF8}")
    start = _text(data, codec).read(65536)
    hint = SEP_LINE.match(start)
    delimiter = hint[1] if hint else _choose_delimiter(start, columns)
    records = _records(_text(data, codec), delimiter, shown, error)
    if hint:
        next(records)
    line, header = next(records, (1, []))
    header = [name.strip() for name in header]
    if not header:
        raise error(f"{shown}: the {what} is empty; its first line must name the columns, e.g. {_example(columns)}")
    at = _locate(header, columns, f"{shown}:{line}", error)
    return Table(header, at, records, encoding, delimiter)


def _text(data: bytes, codec: str) -> io.TextIOWrapper:
    """The file's text, decoded as it is read (a whole decoded copy of a large file would take up to four bytes a
    character, twice over in a ``StringIO``)."""
    return io.TextIOWrapper(io.BytesIO(data), encoding=codec, newline="")


def _nul_line(data: bytes, codec: str) -> int | None:
    """The line of the first NUL character, if any (in UTF-8 and Windows-1252 a NUL byte is one)."""
    if codec == "utf-16":
        text = data.decode(codec)
        return text[: text.index("\x00")].count("\n") + 1 if "\x00" in text else None
    at = data.find(b"\x00")
    return data[:at].count(b"\n") + 1 if at >= 0 else None


def _encoding(data: bytes, shown: str, what: str, error: type[NpsXlsxError]) -> tuple[str, str]:
    """The codec that decodes all of ``data``, and its name as reported: checked a chunk at a time."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        attempts = [("utf-16", "UTF-16")]
    else:
        attempts = [("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252")]
    failure: UnicodeDecodeError | None = None
    for codec, name in attempts:
        decoder = codecs.getincrementaldecoder(codec)()
        try:
            for start in range(0, len(data), _CHUNK):
                decoder.decode(data[start : start + _CHUNK])
            decoder.decode(b"", final=True)
            return codec, name
        except UnicodeDecodeError:
            try:  # the same failure, placed in the whole file (it is only on the way to an error)
                data.decode(codec)
            except UnicodeDecodeError as exc:
                failure = exc
    assert failure is not None
    line = failure.object[: failure.start].decode(attempts[-1][0], "replace").count("\n") + 1
    byte = failure.object[failure.start]
    names = [name for _codec, name in attempts]
    tried = f"neither {names[0]} nor {names[1]}" if len(names) == 2 else f"not {names[0]}"
    raise error(
        f"{shown}:{line}: cannot read the {what}: byte 0x{byte:02x} is {tried} text; {SAVE_AS_UTF8}"
    ) from failure


def _records(
    text: io.TextIOBase | str, delimiter: str, shown: str, error: type[NpsXlsxError]
) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records, each with the line it ends on."""
    reader = csv.reader(io.StringIO(text, newline="") if isinstance(text, str) else text, delimiter=delimiter)
    start = 1  # the line the next record starts on
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                yield reader.line_num, row
            start = reader.line_num + 1
    except csv.Error as exc:  # a field longer than the csv module allows: most often a quote never closed
        raise error(f'{shown}:{start}: {exc}; check for a quote (") that is not closed') from exc


def _choose_delimiter(text: str, columns: Sequence[Column]) -> str:
    """The delimiter under which the header line names the most columns looked for, then has the most fields.

    The header is parsed as CSV for each candidate, so a comma inside quotes counts for nothing.
    """

    def score(delimiter: str) -> tuple[int, int, int]:
        try:
            _line, header = next(_records(text[:65536], delimiter, "", NpsXlsxError), (0, []))
        except NpsXlsxError:
            return (0, 0, 0)
        found = sum(any(c.exact(h) or c.alias(h) for h in header) for c in columns)
        return (found, len(header), -list(DELIMITERS).index(delimiter))

    return max(DELIMITERS, key=score)


def _locate(header: list[str], columns: Sequence[Column], where: str, error: type[NpsXlsxError]) -> dict[str, int]:
    """Where each column is: a header equal to its name wins, else the one header that is an alias."""
    at: dict[str, int] = {}
    for column in columns:
        exact = [i for i, name in enumerate(header) if column.exact(name)]
        found = exact[:1] or [i for i, name in enumerate(header) if column.alias(name) and i not in at.values()]
        if len(found) > 1:
            names = " and ".join(f"'{_shown(header[i])}'" for i in found)
            raise error(
                f"{where}: the headers {names} could each be {column.meaning}; "
                f"name the one to use '{column.key}' (or rename the other)"
            )
        if found:
            at[column.key] = found[0]
    missing = [c for c in columns if c.key not in at and c.required]
    if missing:
        shown = ", ".join(f"'{_shown(name)}'" for name in header[:MAX_HEADERS_SHOWN])
        if len(header) > MAX_HEADERS_SHOWN:
            shown += f" and {len(header) - MAX_HEADERS_SHOWN} more"
        what = " nor for ".join(c.meaning for c in missing)
        ask = " and ".join(c.asked() for c in missing)
        raise error(
            f"{where}: no column for {what}; the headers found are {shown}; "
            f"call {'the column' if len(missing) == 1 else 'the columns'} {ask}"
        )
    return at


def _shown(header: str) -> str:
    text = clean_text(header)[0]
    return text if len(text) <= 40 else text[:39] + "…"


def _example(columns: Sequence[Column]) -> str:
    return "'" + ",".join(c.key for c in columns) + "'"


# What makes a spreadsheet program read a CSV cell as a formula (OWASP, "CSV injection"); the
# full-width forms too, which Excel turns into formulas in East Asian input modes.
FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would read as a formula, prefixed with ``'`` (as OWASP recommends); all else as is.

    Numbers stay numbers: only text is ever changed.
    """
    if type(value) is str and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def unneutralise(text: str) -> str:
    """Text as typed: the ``'`` that :func:`neutralise` put before a would-be formula removed."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_STARTS else text


def write_csv(
    path: Path, columns: list[str], rows: Iterable[Iterable[object]], raw: bool = False, bom: bool = True
) -> None:
    """A CSV file (UTF-8, a header line, ``None`` as empty), streamed a batch of rows at a time.

    With ``bom`` (the default) the file starts with a byte order mark, so that Excel reads it as UTF-8
    rather than in the local code page (which garbles ``›`` and Welsh names). Unless ``raw``, text
    cells that would start a formula in Excel are neutralised (:func:`neutralise`).
    """
    starts = FORMULA_STARTS
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
        _write_rows(stream, [columns])
        remaining = iter(rows)
        while batch := list(islice(remaining, _BATCH)):
            if not raw:  # neutralise(), inlined: this runs for every cell of the responses CSV
                batch = [[("'" + v) if type(v) is str and v[:1] in starts else v for v in row] for row in batch]
            _write_rows(stream, batch)


_BATCH = 1000  # rows formatted in memory and written to the file at once (cheaper than a row at a time)


def write_csv_groups(
    path: Path,
    columns: list[str],
    rows: Iterable[Sequence[Sequence[object]]],
    cached: Sequence[bool],
    raw: bool = False,
    bom: bool = True,
) -> None:
    """:func:`write_csv` for rows given as groups of fields (a row is its groups' fields, in order; an empty group
    has none), the same file byte for byte. A group marked in ``cached`` (fields that recur from row to row: a
    return's, an answer's) is made CSV text once per distinct group, which is most of the work of a large file."""
    text = _GroupText(raw)
    memos: list[dict[Sequence[object], str | None] | None] = [{} if c else None for c in cached]
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
        _write_rows(stream, [columns])
        lines: list[str] = []
        for groups in rows:
            parts = []
            for group, memo in zip(groups, memos, strict=True):
                if memo is None:
                    part = text(group)
                elif (part := memo.get(group)) is None and group not in memo:
                    part = memo[group] = text(group)
                if part is not None:
                    parts.append(part)
            lines.append(",".join(parts) or ('""' if parts else ""))  # a line of one empty field: as csv writes it
            if len(lines) == _BATCH:
                stream.write("\r\n".join(lines) + "\r\n")
                lines.clear()
        if lines:
            stream.write("\r\n".join(lines) + "\r\n")


_QUOTED = re.compile('[,"\r\n]')  # a field holding one of these is quoted (the default dialect, QUOTE_MINIMAL)


class _GroupText:
    """Fields as :func:`write_csv` writes them within a line (neutralised unless ``raw``), ``None`` for none."""

    def __init__(self, raw: bool) -> None:
        self._raw = raw
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")  # as write_csv's: it decides what is quoted

    def __call__(self, fields: Sequence[object]) -> str | None:
        if not fields:
            return None
        if len(fields) == 1 and (fields[0] is None or fields[0] == ""):
            return ""  # a line of one empty field is written '""'; within a line, nothing
        if not self._raw:
            fields = [("'" + v) if type(v) is str and v[:1] in FORMULA_STARTS else v for v in fields]
        if len(fields) == 1 and type(text := fields[0]) is str:  # a text alone (a comment): quoted as csv would
            return '"' + text.replace('"', '""') + '"' if _QUOTED.search(text) else text
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        self._writer.writerow(fields)
        return buffer.getvalue()[:-2]


def _write_rows(stream: IO[str], rows: Iterable[Iterable[object]]) -> None:
    """``rows`` as CSV (RFC 4180; a field holding a CR or LF is quoted), written to ``stream`` in one piece."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    stream.write(text.getvalue())
