"""Hostile files: build each resource case of issue 9 in code, validate it in its own process, report the worst.

Run with the Python that has nps_xlsx installed (``nps-xlsx`` is looked up next to it)::

    python bench/hostile.py [--workdir DIR] [--only NAME[,NAME...]] [--timeout 120] [--memory-gb 8]

Each case is built once and cached in the work directory (``hostile-<name>.<ext>``; delete it to rebuild;
the ``.xls`` case is converted by LibreOffice the first time). Each is then measured as
``nps-xlsx validate FILE --json`` in a fresh process started by the small launcher of ``bench/run.py``,
so the peak RSS (``ru_maxrss`` from ``os.wait4``) is that process's own. Each run is capped with
``timeout`` and ``prlimit --as``: a case that hits a cap is a FAIL with the cap as its figure.
Targets: every file up to the 50 MB size limit is read or rejected within 5 s and 500 MB peak RSS.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # tests.mail_files builds the Outlook case
import meter
from meter import Launcher, cli_command, log
from report import machine_lines

from nps_xlsx.a1 import column_letter

TARGET_SECONDS = 5.0
TARGET_MB = 500.0
RECIPE_VERSION = 2  # bump when a recipe changes, so cached files are rebuilt
SEED = 9

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"'
)

# ---------------------------------------------------------------------------------------------------------------
# Building packages
# ---------------------------------------------------------------------------------------------------------------


def write_xlsx(
    path: Path,
    sheet_entries: list[tuple[str, str]],
    parts: dict[str, Callable[[], Iterator[bytes]] | bytes],
    shared_strings: Callable[[], Iterator[bytes]] | bytes | None = None,
    defined_names: bytes = b"",
    compression: int = zipfile.ZIP_DEFLATED,
) -> None:
    """An .xlsx whose workbook lists ``sheet_entries`` (name, worksheet part) and holds the given parts.

    A part is bytes, or a function yielding its bytes piece by piece (written streaming, never held whole).
    """
    targets = sorted(set(part for _name, part in sheet_entries))
    rel_ids = {part: f"rId{i + 1}" for i, part in enumerate(targets)}
    sheets = "".join(
        f'<sheet name="{name}" sheetId="{i + 1}" r:id="{rel_ids[part]}"/>'
        for i, (name, part) in enumerate(sheet_entries)
    )
    workbook = (
        (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{NS}" xmlns:r="{REL_NS}">'
            f"<sheets>{sheets}</sheets>"
        ).encode()
        + (b"<definedNames>" + defined_names + b"</definedNames>" if defined_names else b"")
        + b"</workbook>"
    )
    rels = "".join(
        f'<Relationship Id="{rel_ids[p]}" Type="{DOC_REL}/worksheet" Target="{p.removeprefix("xl/")}"/>'
        for p in targets
    )
    if shared_strings is not None:
        rels += f'<Relationship Id="rIdS" Type="{DOC_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    overrides = "".join(
        f'<Override PartName="/{p}" ContentType="application/vnd.openxmlformats-officedocument.'
        f'spreadsheetml.worksheet+xml"/>'
        for p in targets
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}</Types>"
    )
    root_rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{DOC_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", compression, compresslevel=6) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", root_rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}">{rels}'
            "</Relationships>",
        )
        all_parts = dict(parts)
        if shared_strings is not None:
            all_parts["xl/sharedStrings.xml"] = shared_strings
        for name, content in all_parts.items():
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            with archive.open(name, "w", force_zip64=True) as stream:
                for piece in content():
                    stream.write(piece)


def sheet_xml(rows: Iterator[bytes]) -> Iterator[bytes]:
    """A worksheet part around ``rows`` (each a ``<row>`` element), yielded in pieces."""
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS}"><sheetData>'.encode()
    batch: list[bytes] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= 2000:
            yield b"".join(batch)
            batch.clear()
    yield b"".join(batch)
    yield b"</sheetData></worksheet>"


def number_rows(n_rows: int, n_cols: int, rng: random.Random, digits: int = 6) -> Iterator[bytes]:
    """Rows of ``n_cols`` numeric cells with random values (so they do not compress to nothing)."""
    top = 10**digits
    for r in range(1, n_rows + 1):
        cells = "".join(f'<c r="{column_letter(c)}{r}"><v>{rng.randrange(top)}</v></c>' for c in range(n_cols))
        yield f'<row r="{r}">{cells}</row>'.encode()


def write_ods(path: Path, body: bytes) -> None:
    """A minimal .ods: ``mimetype`` (stored, first) and ``content.xml`` with ``body`` as the spreadsheet."""
    content = (
        (
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS}><office:body><office:spreadsheet>'
        ).encode()
        + body
        + b"</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr(zipfile.ZipInfo("content.xml"), content, zipfile.ZIP_DEFLATED, 9)


# ---------------------------------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------------------------------


def build_sheet_entries(path: Path) -> None:
    """~640 KB: 2,000 <sheet> entries in the workbook, all pointing at one worksheet part (~1.4 MB inflated)."""
    rng = random.Random(SEED)
    part = "xl/worksheets/sheet1.xml"
    rows = list(number_rows(6_500, 20, rng, digits=3))
    write_xlsx(path, [(f"S{i}", part) for i in range(2000)], {part: lambda: sheet_xml(iter(rows))})


def ods_repeated(tables: int) -> bytes:
    """``tables`` sheets, each one row of one number cell repeated 199,999 times (just under the sheet cap)."""
    table = (
        '<table:table table:name="T{i}"><table:table-row><table:table-cell table:number-columns-repeated="199999" '
        'office:value-type="float" office:value="1"/></table:table-row></table:table>'
    )
    return "".join(table.format(i=i) for i in range(tables)).encode()


def build_ods_small(path: Path) -> None:
    """~530 bytes: repeated non-empty cells that expand to millions of cells."""
    write_ods(path, ods_repeated(16))


def build_ods_large(path: Path) -> None:
    """~1.1 KB: the same, more sheets."""
    write_ods(path, ods_repeated(200))


def build_ods_rows_repeated(path: Path) -> None:
    """< 1 KB: one cell repeated across 1,000 columns and 199 rows per sheet, on 40 sheets."""
    table = (
        '<table:table table:name="R{i}"><table:table-row table:number-rows-repeated="199">'
        '<table:table-cell table:number-columns-repeated="1000" office:value-type="string">'
        "<text:p>x</text:p></table:table-cell></table:table-row></table:table>"
    )
    write_ods(path, "".join(table.format(i=i) for i in range(40)).encode())


def build_ods_text_spaces(path: Path) -> None:
    """< 1 KB: 20 cells each holding ``<text:s text:c="100000000"/>`` (100 million spaces)."""
    cell = (
        '<table:table-cell office:value-type="string"><text:p>a<text:s text:c="100000000"/>b</text:p>'
        "</table:table-cell>"
    )
    body = f'<table:table table:name="S"><table:table-row>{cell * 20}</table:table-row></table:table>'
    write_ods(path, body.encode())


def build_many_cells(path: Path, cells_per_sheet: int = 450_000, sheets: int = 11) -> None:
    """~14 MB: 11 sheets of 450,000 numeric cells each (30 columns)."""
    rng = random.Random(SEED)
    cols = 30
    parts = {
        f"xl/worksheets/sheet{i + 1}.xml": (lambda: sheet_xml(number_rows(cells_per_sheet // cols, cols, rng, 2)))
        for i in range(sheets)
    }
    write_xlsx(path, [(f"S{i + 1}", f"xl/worksheets/sheet{i + 1}.xml") for i in range(sheets)], parts)


def build_many_cells_under_cap(path: Path) -> None:
    """~3 MB: 11 sheets of 99,990 cells each: under the per-sheet cap (100,000), far over the workbook's."""
    build_many_cells(path, cells_per_sheet=99_990)


def build_ratio_limit(path: Path) -> None:
    """~1 MB: two worksheet parts of ~48 MB each, compressed just under the 200:1 ratio limit: each under the
    50 MB part limit and, together (96 MB), under the 100 MB a file's parts may expand to."""
    import zlib

    rng = random.Random(SEED)
    plain, noisy = b"<row><c><v>1</v></c></row>", b"<row><c><v>%d</v></c></row>"

    def rows(every: int, count: int) -> Iterator[bytes]:
        for r in range(count):
            yield noisy % rng.randrange(10**9) if r % every == 0 else plain

    def ratio(every: int) -> float:
        sample = b"".join(rows(every, 200_000))
        return len(sample) / len(zlib.compress(sample, 6))

    every = next(k for k in range(2, 400) if ratio(k) >= 190)  # the sparsest noise that stays under ~200:1
    count = 48_000_000 // len(plain)
    parts = {f"xl/worksheets/sheet{i}.xml": (lambda: sheet_xml(rows(every, count))) for i in (1, 2)}
    write_xlsx(path, [(f"S{i}", f"xl/worksheets/sheet{i}.xml") for i in (1, 2)], parts)


def random_text(rng: random.Random, length: int) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "
    return "".join(rng.choices(alphabet, k=length))


def build_shared_strings(path: Path) -> None:
    """~40 MB: 500,000 unique random shared strings (a 45 MB part, under the 50 MB part limit), used by 500,000
    cells."""
    rng = random.Random(SEED)
    count, cols = 500_000, 10

    def strings() -> Iterator[bytes]:
        yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{NS}" count="{count}">'.encode()
        for _ in range(count // 1000):
            yield "".join(f"<si><t>{random_text(rng, 80)}</t></si>" for _ in range(1000)).encode()
        yield b"</sst>"

    def rows() -> Iterator[bytes]:
        for r in range(count // cols):
            cells = "".join(f'<c r="{column_letter(c)}{r + 1}" t="s"><v>{r * cols + c}</v></c>' for c in range(cols))
            yield f'<row r="{r + 1}">{cells}</row>'.encode()

    write_xlsx(
        path, [("S1", "xl/worksheets/sheet1.xml")], {"xl/worksheets/sheet1.xml": lambda: sheet_xml(rows())}, strings
    )


def build_long_text(path: Path) -> None:
    """~34 MB: one inline-string cell of 45 million random characters (a part under the 50 MB part limit)."""
    rng = random.Random(SEED)

    def rows() -> Iterator[bytes]:
        yield b'<row r="1"><c r="A1" t="inlineStr"><is><t>'
        for _ in range(45):
            yield random_text(rng, 1_000_000).encode()
        yield b"</t></is></c></row>"

    write_xlsx(path, [("S1", "xl/worksheets/sheet1.xml")], {"xl/worksheets/sheet1.xml": lambda: sheet_xml(rows())})


def build_deep_nesting(path: Path) -> None:
    """~4 MB: a cell whose inline string is nested 1 million elements deep (random attributes keep the ratio low)."""
    rng = random.Random(SEED)
    depth, batch = 1_000_000, 10_000

    def rows() -> Iterator[bytes]:
        yield b'<row r="1"><c r="A1" t="inlineStr"><is>'
        for _ in range(depth // batch):
            yield "".join(f'<r x="{rng.randrange(10**4)}">' for _ in range(batch)).encode()
        yield b"<t>x</t>"
        for _ in range(depth // batch):
            yield b"</r>" * batch
        yield b"</is></c></row>"

    write_xlsx(path, [("S1", "xl/worksheets/sheet1.xml")], {"xl/worksheets/sheet1.xml": lambda: sheet_xml(rows())})


def build_whitespace(path: Path) -> None:
    """45 MB, stored uncompressed (a deflated run of spaces is over the 200:1 ratio limit): 45 MB of white space
    between two rows, then an element the fast path does not know (a white-space run once made the fast
    path's scan quadratic: 40 KB took 145 s)."""

    def rows() -> Iterator[bytes]:
        yield b'<row r="1"><c r="A1"><v>1</v></c></row>'
        for _ in range(45):
            yield b" " * 1_000_000
        yield b'<row r="2"><c r="A2"><v>2</v><extLst/></c></row>'

    sheet = {"xl/worksheets/sheet1.xml": lambda: sheet_xml(rows())}
    write_xlsx(path, [("S1", "xl/worksheets/sheet1.xml")], sheet, compression=zipfile.ZIP_STORED)


def build_many_names(path: Path) -> None:
    """~4 MB: 800,000 workbook-scope defined names (a 46 MB part, under the 50 MB part limit)."""
    names = b"".join(
        f'<definedName name="name_{i}">S1!$A${i % 1_000_000 + 1}</definedName>'.encode() for i in range(800_000)
    )
    sheet = sheet_xml(iter([b'<row r="1"><c r="A1"><v>1</v></c></row>']))
    write_xlsx(path, [("S1", "xl/worksheets/sheet1.xml")], {"xl/worksheets/sheet1.xml": b"".join(sheet)}, None, names)


def build_big_xls(path: Path) -> None:
    """~47 MB .xls: 8 columns x 58,500 rows of unique 80-character text on one sheet, converted once by LibreOffice
    from a CSV (the shared-string table xlrd parses in full when it opens the file)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("soffice (LibreOffice) is needed once to build the .xls case")
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / f"{path.stem}.csv"
        with csv_path.open("w", encoding="ascii") as stream:
            for _ in range(58_500):
                stream.write(",".join(random_text(rng, 80).replace(" ", "_") for _ in range(8)) + "\n")
        profile = Path(tmp) / "profile"
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xls",
            "--outdir",
            str(Path(tmp)),
            str(csv_path),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=1800)
        shutil.move(str(Path(tmp) / f"{path.stem}.xls"), path)


# --- saved emails (issue 17): each message is held to the file size limit; a mailbox read a message at a time ---

_EMAIL_HEAD = (
    b"From: a@example.org\r\nTo: b@example.org\r\nSubject: return\r\nDate: Fri, 20 Nov 2026 10:15:00 +0000\r\n"
    b"MIME-Version: 1.0\r\n"
)
_XLSX_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment_part(size: int, boundary: bytes = b"B", name: bytes = b"return.xlsx") -> bytes:
    """A MIME part of ``size`` random bytes named as a workbook, in base64 (lines of 76 characters)."""
    body = base64.encodebytes(random.Random(SEED).randbytes(size)).replace(b"\n", b"\r\n")
    return (
        b"--"
        + boundary
        + b"\r\nContent-Type: "
        + _XLSX_TYPE
        + b'\r\nContent-Disposition: attachment; filename="'
        + name
        + b'"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + body
    )


def _mixed(*parts: bytes) -> bytes:
    return _EMAIL_HEAD + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n' + b"".join(parts) + b"--B--\r\n"


def build_eml_big(path: Path) -> None:
    """~50 MB, just under the limit: one message, a 37 MB attachment in base64 (decoded, then not a workbook)."""
    path.write_bytes(_mixed(_attachment_part(37_000_000)))


def build_eml_nested(path: Path, depth: int = 10) -> None:
    """~49 MB: multipart parts nested 10 deep (the limit at this size: each line passes every level), a 36 MB
    attachment at the bottom."""
    opened = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i) for i in range(depth - 1)
    )
    closed = b"".join(b"\r\n--b%d--\r\n" % i for i in reversed(range(depth - 1)))
    inner = b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n' + _attachment_part(36_000_000) + b"--B--\r\n"
    path.write_bytes(_EMAIL_HEAD + opened + inner + closed)


def build_eml_parts(path: Path) -> None:
    """~49 MB: 999 attachments of 36 KB (the limit is 1,000 parts, the message itself one of them)."""
    path.write_bytes(_mixed(*[_attachment_part(36_000, name=b"r%d.xlsx" % i) for i in range(998)]))


def build_mbox_long_line(path: Path) -> None:
    """~51 MB mailbox: one message whose body is a single 49 MB line (mailbox.mbox would hold it whole)."""
    with path.open("wb") as stream:
        stream.write(b"From a@example.org Fri Nov 20 10:15:00 2026\nFrom: a@example.org\nSubject: long\n\n")
        for _ in range(49):
            stream.write(b"x" * (1 << 20))
        stream.write(b"\n")


def build_mbox_messages(path: Path, count: int = 1_000) -> None:
    """~4 MB mailbox: 1,000 messages, each with a 3 KB attachment (not a workbook); time grows with the count."""
    message = _mixed(_attachment_part(3_000)).replace(b"\r\n", b"\n")
    with path.open("wb") as stream:
        for _ in range(count):
            stream.write(b"From a@example.org Fri Nov 20 10:15:00 2026\n" + message + b"\n")


def build_msg_big(path: Path) -> None:
    """~48 MB Outlook file: one 47 MB attachment (random bytes named .xlsx), in a compound file."""
    from tests.mail_files import Mail, outlook_message

    data = random.Random(SEED).randbytes(47_000_000)
    path.write_bytes(outlook_message(Mail(attachments=[("return.xlsx", data)])))


@dataclass(frozen=True)
class Case:
    name: str
    extension: str
    build: Callable[[Path], None]
    what: str
    from_issue: bool = False


CASES = (
    Case("sheet-entries", "xlsx", build_sheet_entries, "2,000 <sheet> entries -> one part", True),
    Case("ods-repeat-533b", "ods", build_ods_small, "repeated cells expand (16 sheets)", True),
    Case("ods-repeat-1k", "ods", build_ods_large, "repeated cells expand (200 sheets)", True),
    Case("many-cells-14mb", "xlsx", build_many_cells, "11 sheets x 450,000 cells", True),
    Case("big-xls", "xls", build_big_xls, "47 MB .xls, 468,000 unique strings", True),
    Case("many-cells-under-cap", "xlsx", build_many_cells_under_cap, "11 sheets x 99,990 cells"),
    Case("ods-rows-repeated", "ods", build_ods_rows_repeated, "rows-repeated x columns-repeated"),
    Case("ods-text-spaces", "ods", build_ods_text_spaces, 'text:s text:c="100000000" x 20'),
    Case("ratio-limit", "xlsx", build_ratio_limit, "2 x 48 MB parts just under 200:1"),
    Case("shared-strings-50mb", "xlsx", build_shared_strings, "500,000 unique shared strings"),
    Case("long-text", "xlsx", build_long_text, "one 45-million-character cell"),
    Case("deep-nesting", "xlsx", build_deep_nesting, "an inline string 1 million elements deep"),
    Case("many-names", "xlsx", build_many_names, "800,000 defined names"),
    Case("whitespace", "xlsx", build_whitespace, "45 MB of white space, then an unknown element"),
    Case("eml-big", "eml", build_eml_big, "an email with a 37 MB attachment in base64"),
    Case("eml-nested", "eml", build_eml_nested, "multipart nested 10 deep, 36 MB at the bottom"),
    Case("eml-parts", "eml", build_eml_parts, "an email with 998 attachments of 36 KB"),
    Case("mbox-long-line", "mbox", build_mbox_long_line, "a mailbox whose message is one 49 MB line"),
    Case("mbox-1000", "mbox", build_mbox_messages, "a mailbox of 1,000 messages"),
    Case("msg-big", "msg", build_msg_big, "an Outlook file with a 47 MB attachment"),
)

# ---------------------------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------------------------


def ensure(case: Case, workdir: Path) -> Path:
    """The case's file, built now unless cached."""
    path = workdir / f"hostile-v{RECIPE_VERSION}-{case.name}.{case.extension}"
    if not path.exists():
        log(f"building {case.name} ...")
        partial = path.with_name(path.stem + ".part." + case.extension)
        case.build(partial)
        partial.rename(path)
    return path


@dataclass
class Result:
    case: Case
    size: int
    wall: float
    rss_mb: float
    outcome: str  # status and first issue code, or what stopped it
    capped: bool

    @property
    def passed(self) -> bool:
        return not self.capped and self.wall <= TARGET_SECONDS and self.rss_mb <= TARGET_MB


def outcome(run: dict, timeout: float) -> tuple[str, bool]:
    """What the run said (``rejected: zip-bomb``), or which cap stopped it."""
    if run["returncode"] in (-9, -15, 124, 137) or run["wall"] >= timeout:
        return f"killed after {timeout:.0f} s (timeout)", True
    try:
        report = json.loads(run["stdout"])
        files = report["files"] if isinstance(report, dict) and "files" in report else report
        first = files[0] if isinstance(files, list) else files
        codes = [issue["code"] for issue in first.get("issues", []) if issue.get("severity") == "error"]
        text = f"{first['status']}: {', '.join(dict.fromkeys(codes)) or '-'}"
        if "MemoryError" in run["stdout"]:  # the address-space cap, reported by the tool as a damaged file
            return f"{text} (MemoryError at the memory cap)", True
        return text, False
    except (ValueError, KeyError, IndexError, TypeError):
        tail = (run["stderr"].strip().splitlines() or ["no output"])[-1]
        capped = "MemoryError" in run["stderr"] or "Cannot allocate" in run["stderr"]
        return f"exit {run['returncode']}: {tail[:80]}", capped


def measure(case: Case, path: Path, cli: list[str], timeout: float, memory_gb: float) -> Result:
    limit = int(memory_gb * (1 << 30))
    # TERM first, so that timeout reaps the process and its peak RSS is reported; KILL 5 s later if need be
    command = ["prlimit", f"--as={limit}", "--", "timeout", "-k", "5", str(timeout), *cli, "validate", str(path)]
    log(f"validating {case.name} ...")
    run = meter._LAUNCHER[0].run([*command, "--json"])
    text, capped = outcome(run, timeout)
    peak_kb = max(run["maxrss_kb"], run["tree_peak_kb"])  # the sampled peak, should a killed run go unreaped
    return Result(case, path.stat().st_size, run["wall"], peak_kb / 1024, text, capped)


def table(results: list[Result], timeout: float, memory_gb: float) -> list[str]:
    lines = [f"{'case':22} {'what':42} {'size':>9} {'wall':>8} {'peak RSS':>9}  {'':4}  outcome"]
    for r in results:
        mark = "*" if r.case.from_issue else " "
        size = f"{r.size / 1e6:.1f} MB" if r.size >= 100_000 else f"{r.size:,} B"
        lines.append(
            f"{r.case.name:21}{mark} {r.case.what:42} {size:>9} {r.wall:7.2f}s {r.rss_mb:7.0f}MB  "
            f"{'PASS' if r.passed else 'FAIL'}  {r.outcome}"
        )
    lines.append(f"* = a case from issue 9. Caps per run: {timeout:.0f} s (timeout), {memory_gb:g} GB address space.")
    worst_time = max(results, key=lambda r: r.wall)
    worst_rss = max(results, key=lambda r: r.rss_mb)
    ok_time, ok_rss = worst_time.wall <= TARGET_SECONDS, worst_rss.rss_mb <= TARGET_MB
    lines += [
        "",
        f"worst wall time  {worst_time.wall:7.2f} s  ({worst_time.case.name})  target <= {TARGET_SECONDS:g} s   "
        + ("PASS" if ok_time and not worst_time.capped else "FAIL"),
        f"worst peak RSS   {worst_rss.rss_mb:7.0f} MB ({worst_rss.case.name})  target <= {TARGET_MB:g} MB  "
        + ("PASS" if ok_rss and not worst_rss.capped else "FAIL"),
    ]
    return lines


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "nps_xlsx_bench")
    parser.add_argument("--only", default="", help="comma-separated case names (default: all)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a run is killed (default 120)")
    parser.add_argument("--memory-gb", type=float, default=8.0, help="address-space cap per run (default 8 GB)")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for case in CASES:
            print(f"{case.name:22} {case.what}")
        return 0
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = wanted - {case.name for case in CASES}
    if unknown:
        raise SystemExit(f"unknown case(s): {', '.join(sorted(unknown))}")
    meter._LAUNCHER.append(Launcher())  # first, while this process is still small
    try:
        workdir = args.workdir.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        cli, _note = cli_command()
        started = time.perf_counter()
        results = []
        for case in CASES:
            if not wanted or case.name in wanted:
                results.append(measure(case, ensure(case, workdir), cli, args.timeout, args.memory_gb))
    finally:
        meter._LAUNCHER.pop().close()
    lines = ["", *machine_lines(), f"workdir {workdir}", "", *table(results, args.timeout, args.memory_gb)]
    lines.append(f"total {time.perf_counter() - started:.0f} s (builds included)")
    print("\n".join(lines))
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
