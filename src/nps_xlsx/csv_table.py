"""Reading the small CSV files a coordinator writes (the council list, the assignments file).

One reader, so that both accept the same files: UTF-8 with or without a BOM, a header line
whose column names are compared without case or surrounding spaces, and blank lines skipped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from .errors import NpsXlsxError


def read_table(
    path: Path, shown: str, what: str, error: type[NpsXlsxError]
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header (lower case, stripped) and the non-blank rows, each with its line number.

    A file that cannot be read or decoded raises ``error`` saying ``{shown}: cannot read the {what}: …``.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{shown}: cannot read the {what}: {exc}") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [column.strip().lower() for column in next(reader, [])]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for row in reader:
            if any(cell.strip() for cell in row):
                yield reader.line_num, row

    return header, rows()
