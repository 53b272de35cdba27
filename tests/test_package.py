"""The .xlsx package layer (zip and OPC): parts found as OPC says, damage reported, costs bounded per file.

Legal but unusual packages must read exactly as the original return; damaged ones must be
rejected with one located, plain-language error; no zip error may escape or leak Python's words.
"""

from __future__ import annotations

import io
import lzma
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nps_xlsx.read import safety
from nps_xlsx.read.raw import ReadFailure
from nps_xlsx.read.safety import Budget, Limits, Package, part_key, read_member
from nps_xlsx.rubric import Rubric
from nps_xlsx.validate.check import FileReport, read_return

from . import hostile_opc as opc
from .hostile import FIRST_AREA_SHEET
from .test_hostile_files import answers_of, assert_one_error, filled_bytes, issue_keys, read_unchanged

# The sheet whose part is FIRST_AREA_SHEET, in the template.
FIRST_AREA = "Engaging Councillors"
# How a Python exception or module shows in a message: never in one meant for a person.
PYTHON_WORDS = re.compile(r"\w+(Error|Exception)\b|BadZipFile|zlib|errno|Errno|Traceback|\(b'")


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, template_path: Path, rubric: Rubric) -> Path:
    path = tmp_path_factory.mktemp("package") / "filled.xlsx"
    path.write_bytes(filled_bytes(template_path, rubric, seed=3))
    return path


@pytest.fixture(scope="module")
def original(filled: Path, rubric: Rubric) -> FileReport:
    report = read_return(filled, rubric)
    assert report.status == "accepted-with-warnings", [i.message for i in report.issues]
    return report


def assert_plain(report: FileReport) -> None:
    for issue in report.issues:
        assert not PYTHON_WORDS.search(issue.message), issue.message


# --- 1. parts are found as OPC says, not at fixed paths ----------------------------------------------------------

LEGAL: dict[str, Callable[[Path, Path], Path]] = {
    "target-case": lambda d, src: opc.make_retargeted(d, src, "worksheets/sheet2.xml", "Worksheets/Sheet2.xml"),
    "target-percent-encoded": lambda d, src: opc.make_retargeted(
        d, src, "worksheets/sheet2.xml", "worksheets/sheet%32.xml"
    ),
    "target-absolute": lambda d, src: opc.make_retargeted(d, src, "worksheets/sheet2.xml", "/xl/worksheets/sheet2.xml"),
    "shared-strings-case": opc.make_renamed_shared_strings,
    "workbook-moved": opc.make_moved_workbook,
    "workbook-moved-no-root-rels": lambda d, src: opc.make_moved_workbook(d, src, root_rels=False),
    "backslash-names": opc.make_backslash_names,
}


@pytest.mark.parametrize("case", LEGAL)
def test_legal_package_reads_as_the_original(
    case: str, filled: Path, original: FileReport, rubric: Rubric, tmp_path: Path
) -> None:
    path = LEGAL[case](tmp_path, filled)
    report = read_unchanged(path, rubric)
    assert report.status == original.status, [i.message for i in report.issues]
    assert issue_keys(report) == issue_keys(original)
    assert answers_of(report) == answers_of(original)
    assert report.response is not None and original.response is not None
    assert report.response.council_name == original.response.council_name


def test_part_names_compare_as_opc_says() -> None:
    assert (
        part_key("/XL/Worksheets/Sheet%31.xml") == part_key("xl\\worksheets\\sheet1.xml") == "xl/worksheets/sheet1.xml"
    )
    assert part_key("xl/a%20b.xml") == "xl/a b.xml"
    assert part_key("xl/100%.xml") == "xl/100%.xml"  # not an escape: left alone


def test_custom_properties_are_found_through_relationships(filled: Path, tmp_path: Path) -> None:
    """The copy's identity backup is read from wherever the root relationships say it is."""
    from nps_xlsx.read.xlsx import read_xlsx

    members = [("docProps/Custom Props.xml" if n == "docProps/custom.xml" else n, d) for n, d in opc.members_of(filled)]
    moved = opc._edit(
        members, "_rels/.rels", opc._sub(b'Target="docProps/custom.xml"', b'Target="docProps/Custom%20Props.xml"')
    )
    path = opc.write_members(tmp_path / "props.xlsx", moved)
    with zipfile.ZipFile(filled) as plain, zipfile.ZipFile(path) as renamed:
        expected = read_xlsx(Package(plain, Limits())).properties
        assert expected  # the filled copy has custom properties to find
        assert read_xlsx(Package(renamed, Limits())).properties == expected


# --- 2. a sheet that cannot be found is damage, not an empty sheet -----------------------------------------------


def test_missing_sheet_part_is_corrupt(filled: Path, rubric: Rubric, tmp_path: Path) -> None:
    path = opc.make_missing_part(tmp_path, filled, FIRST_AREA_SHEET)
    report = read_unchanged(path, rubric)
    assert_one_error(report, path, "corrupt-file")
    assert FIRST_AREA in report.issues[0].message and FIRST_AREA_SHEET in report.issues[0].message


def test_unresolvable_sheet_relationship_is_corrupt(filled: Path, rubric: Rubric, tmp_path: Path) -> None:
    path = opc.make_dangling_relationship(tmp_path, filled, "worksheets/sheet2.xml")
    report = read_unchanged(path, rubric)
    assert_one_error(report, path, "corrupt-file")
    assert FIRST_AREA in report.issues[0].message


@pytest.mark.parametrize("member", ["xl/sharedStrings.xml", "xl/styles.xml"])
def test_missing_related_part_is_corrupt(member: str, filled: Path, rubric: Rubric, tmp_path: Path) -> None:
    path = opc.make_missing_part(tmp_path, filled, member)
    report = read_unchanged(path, rubric)
    assert_one_error(report, path, "corrupt-file")
    assert member in report.issues[0].message


# --- 3. two members with one name ----------------------------------------------------------------------------------

RENAMES: dict[str, Callable[[str], str]] = {
    "same": str,
    "case": str.upper,
    "backslash": lambda name: name.replace("/", "\\"),
    "percent": lambda name: name.replace("sheet2", "sheet%32"),
}


@pytest.mark.parametrize("rename", RENAMES)
def test_duplicate_member_names_are_corrupt(rename: str, filled: Path, rubric: Rubric, tmp_path: Path) -> None:
    path = opc.make_duplicate_member(tmp_path, filled, FIRST_AREA_SHEET, RENAMES[rename])
    report = read_unchanged(path, rubric)
    assert_one_error(report, path, "corrupt-file")
    assert FIRST_AREA_SHEET in report.issues[0].message


# --- 4. the budget: bytes inflated and cells kept, per file ----------------------------------------------------------


def _zip(members: dict[str, bytes]) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return zipfile.ZipFile(buffer)


def test_a_part_is_inflated_once_per_file() -> None:
    package = Package(_zip({"xl/a.xml": b"x" * 1000}), Limits())
    assert package.read("xl/a.xml") == package.read("XL/A.xml") == package.read("/xl/%61.xml") == b"x" * 1000
    assert package.budget.inflated == 1000


def test_inflating_stops_one_byte_past_the_budget() -> None:
    """Declared sizes are not trusted: at most what is left of the budget, plus one byte, is inflated."""
    limits = Limits(max_total_bytes=10_000)
    archive = _zip({"a.xml": b"a" * 6000, "b.xml": b"b" * 6000})
    budget = Budget(limits)
    read_member(archive, "a.xml", limits, budget)
    with pytest.raises(ReadFailure) as failure:
        read_member(archive, "b.xml", limits, budget)
    assert failure.value.code == "zip-bomb"
    assert "b.xml" in str(failure.value)
    assert budget.inflated == limits.max_total_bytes + 1


def test_member_limit_holds_whatever_the_header_says() -> None:
    limits = Limits(max_member_bytes=100)
    with pytest.raises(ReadFailure) as failure:
        read_member(_zip({"a.xml": b"a" * 1000}), "a.xml", limits)
    assert failure.value.code == "zip-bomb"


def test_sheets_sharing_one_part_inflate_it_once(rubric: Rubric, tmp_path: Path) -> None:
    """2,000 <sheet> entries pointing at one 100 KB part: under a 1 MB budget it is read (once), not 2,000 times."""
    path = opc.make_many_sheets_one_part(tmp_path, n=2000, padding=100_000)
    with zipfile.ZipFile(path) as archive:
        total = sum(info.file_size for info in archive.infolist())
    limits = Limits(max_total_bytes=total + 1000)  # room for each part once (and no more)
    report = read_unchanged(path, rubric, limits)
    assert_one_error(report, path, "not-nps-workbook")  # read all the way, and found not to be the diagnostic


def test_sheets_sharing_one_part_count_their_cells_each(rubric: Rubric, tmp_path: Path) -> None:
    """The workbook's cell cap counts every sheet, even when sheets share a part (2,000 x 10 cells)."""
    path = opc.make_many_sheets_one_part(tmp_path, n=2000, cells=10)
    assert_one_error(read_unchanged(path, rubric, Limits(max_cells_per_workbook=19_999)), path, "too-many-cells")
    assert_one_error(read_unchanged(path, rubric, Limits(max_cells_per_workbook=20_000)), path, "not-nps-workbook")


def test_workbook_cell_cap_counts_the_cells_of_every_sheet(filled: Path, original: FileReport, rubric: Rubric) -> None:
    """No sheet of the return is over the cap on its own; together they are (the validator reads most of them)."""
    from nps_xlsx.read.xlsx import read_xlsx

    with zipfile.ZipFile(filled) as archive:
        book = read_xlsx(Package(archive, Limits()))
    per_sheet = [len(sheet.cells) for sheet in book.sheets]
    low = Limits(max_cells_per_sheet=max(per_sheet), max_cells_per_workbook=sum(per_sheet) // 2)
    assert max(per_sheet) < low.max_cells_per_workbook
    assert_one_error(read_unchanged(filled, rubric, low), filled, "too-many-cells")
    enough = Limits(max_cells_per_sheet=max(per_sheet), max_cells_per_workbook=sum(per_sheet))
    assert answers_of(read_unchanged(filled, rubric, enough)) == answers_of(original)


def test_defined_names_are_counted_before_the_workbook_part_is_parsed(filled: Path, rubric: Rubric) -> None:
    """A million names in a few MB took 10 s and 600 MB to parse; the count is checked first, in C."""
    with zipfile.ZipFile(filled) as archive:
        names = len(re.findall(rb"<definedName\b", archive.read("xl/workbook.xml")))
    assert names > 100
    assert read_unchanged(filled, rubric, Limits(max_defined_names=names)).status != "rejected"
    report = read_unchanged(filled, rubric, Limits(max_defined_names=names - 1))
    assert_one_error(report, filled, "too-many-names")
    assert_plain(report)


def test_shared_strings_are_counted_before_they_are_parsed(
    filled: Path, rubric: Rubric, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More different texts than the workbook may have cells: refused without parsing the table."""
    from nps_xlsx.read import xlsx as reader_xlsx

    with zipfile.ZipFile(filled) as archive:
        strings = len(re.findall(rb"<si>", archive.read("xl/sharedStrings.xml")))
    assert strings > 100

    def must_not_parse(data: bytes, member: str) -> list[str]:
        raise AssertionError("the shared-string table was parsed")

    monkeypatch.setattr(reader_xlsx, "_shared_strings", must_not_parse)
    report = read_unchanged(filled, rubric, Limits(max_cells_per_workbook=strings - 1))
    assert_one_error(report, filled, "too-many-cells")
    assert f"{strings:,} different texts" in report.issues[0].message


# --- 5. formats and compressions we cannot read get their own message --------------------------------------------


@pytest.mark.parametrize("declared", ["default", "override", "none"])
def test_binary_workbook_is_unsupported(declared: str, rubric: Rubric, tmp_path: Path) -> None:
    path = opc.make_xlsb(tmp_path, declared)
    report = read_unchanged(path, rubric)
    assert_one_error(report, path, "unsupported-format")
    assert ".xlsb" in report.issues[0].message and ".xlsx" in report.issues[0].message


@pytest.mark.parametrize("method", [9, 6, 98, 93, 99])
def test_unsupported_compression_is_named(method: int, filled: Path, rubric: Rubric, tmp_path: Path) -> None:
    path = opc.make_compression_method(tmp_path, filled, FIRST_AREA_SHEET, method)
    report = read_unchanged(path, rubric)
    assert_one_error(report, path, "unsupported-format")
    assert FIRST_AREA_SHEET in report.issues[0].message
    if method == 9:
        assert "Deflate64" in report.issues[0].message
    assert_plain(report)


# --- 6. every zip error becomes a plain, located issue -------------------------------------------------------------

DAMAGED: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    # EOFError: the part runs past the end of the file
    "overlong-member": (lambda d, src: opc.make_overlong_member(d, src, FIRST_AREA_SHEET), "corrupt-file"),
    # UnicodeDecodeError (a ValueError) while opening the archive
    "bad-name-encoding": (lambda d, src: opc.make_bad_name_encoding(d, src, FIRST_AREA_SHEET), "corrupt-file"),
    # OSError from bz2
    "garbled-bzip2": (
        lambda d, src: opc.make_garbled_member(d, src, FIRST_AREA_SHEET, zipfile.ZIP_BZIP2),
        "corrupt-file",
    ),
    # LZMAError
    "garbled-lzma": (
        lambda d, src: opc.make_garbled_member(d, src, FIRST_AREA_SHEET, zipfile.ZIP_LZMA, keep=9),
        "corrupt-file",
    ),
    # NotImplementedError for zip features
    "strong-encryption": (lambda d, src: opc.make_flagged(d, src, FIRST_AREA_SHEET, 0x40), "encrypted"),
    "patched-data": (lambda d, src: opc.make_flagged(d, src, FIRST_AREA_SHEET, 0x20), "unsupported-format"),
}


@pytest.mark.parametrize("case", DAMAGED)
def test_zip_errors_become_plain_issues(case: str, filled: Path, rubric: Rubric, tmp_path: Path) -> None:
    build, code = DAMAGED[case]
    path = build(tmp_path, filled)
    report = read_unchanged(path, rubric)
    assert_one_error(report, path, code)
    assert_plain(report)


def test_docx_is_not_a_spreadsheet(rubric: Rubric, tmp_path: Path) -> None:
    """Format detection follows the main part's content type, not the presence of a folder."""
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    path = opc.write_members(
        tmp_path / "letter.xlsx",
        [
            (
                "[Content_Types].xml",
                b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                b'<Override PartName="/word/document.xml" ContentType="' + word.encode() + b'"/></Types>',
            ),
            (
                "_rels/.rels",
                b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                b'<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats.org/'
                b'officeDocument/2006/relationships/officeDocument"/></Relationships>',
            ),
            ("word/document.xml", b"<document/>"),
            ("xl/stray.xml", b"<x/>"),
        ],
    )
    assert_one_error(read_unchanged(path, rubric), path, "not-a-spreadsheet")


class _Failing(zipfile.ZipFile):
    """A zip whose members fail to open with a given exception, as zipfile can fail on damaged input."""

    error: Exception

    def open(self, *_args: object, **_kwargs: object):  # type: ignore[override]
        raise self.error


@pytest.mark.parametrize(
    "error",
    [
        zipfile.BadZipFile("Bad magic number for file header"),
        zipfile.LargeZipFile("Zipfile size would require ZIP64 extensions"),
        zlib.error("Error -3 while decompressing data: invalid distance too far back"),
        EOFError(),
        NotImplementedError("That compression method is not supported"),
        RuntimeError("File 'a.xml' is encrypted, password required for extraction"),
        ValueError("negative seek value -1"),
        OSError("Invalid data stream"),
        struct.error("unpack requires a buffer of 30 bytes"),
        lzma.LZMAError("Corrupt input data"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_every_zip_error_becomes_a_plain_failure(error: Exception) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.xml", b"<a/>")
    failing = _Failing(buffer)
    failing.error = error
    with pytest.raises(ReadFailure) as failure:
        read_member(failing, "a.xml", Limits())
    assert failure.value.code in {"corrupt-file", "unsupported-format", "encrypted"}
    assert "a.xml" in failure.value.detail
    assert not PYTHON_WORDS.search(failure.value.detail), failure.value.detail


# --- 7. a member in the plain form is inflated straight from the archive's bytes, exactly as zipfile reads it ------


def _outcome(read: Callable[[], bytes]) -> bytes | tuple[str, str]:
    try:
        return read()
    except ReadFailure as failure:
        return failure.code, failure.detail


def _members(data: bytes, limits: Limits) -> list[tuple[bytes | tuple[str, str], bytes | tuple[str, str]]]:
    """Each member read straight from ``data`` and through zipfile, as a pair of outcomes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, struct.error, NotImplementedError):
        return []  # not opened: no member is read at all
    return [
        (
            _outcome(lambda info=info: read_member(archive, info, limits, Budget(limits), raw=data)),
            _outcome(lambda info=info: read_member(archive, info, limits, Budget(limits))),
        )
        for info in infos
    ]


def _archive(flags: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("xl/stored.xml"), b"<a>stored</a>" * 20, zipfile.ZIP_STORED)
        archive.writestr("xl/deflated.xml", b"<b>deflated</b>" * 300, zipfile.ZIP_DEFLATED)
        archive.writestr("xl/empty.xml", b"", zipfile.ZIP_DEFLATED)
        archive.writestr("xl/caf\u00e9.xml", b"<c/>", zipfile.ZIP_DEFLATED)  # a UTF-8 name
    data = bytearray(buffer.getvalue())
    if flags:  # set general-purpose flags in every local and central header
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            at = data.find(signature)
            while at >= 0:
                data[at + offset] |= flags
                at = data.find(signature, at + 4)
    return bytes(data)


@pytest.mark.parametrize("flags", [0, 0x08])  # 0x08: sizes in a data descriptor, as some writers do
def test_plain_members_are_read_straight_from_the_archive(flags: int) -> None:
    data = _archive(flags)
    pairs = _members(data, Limits())
    assert len(pairs) == 4 and all(isinstance(straight, bytes) and straight == zipped for straight, zipped in pairs)
    assert [straight for straight, _ in pairs][:2] == [b"<a>stored</a>" * 20, b"<b>deflated</b>" * 300]
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert all(safety._inflate_plain(data, info, 1 << 20) == archive.read(info) for info in archive.infolist())
    tight = Limits(max_member_bytes=100)  # more than the limit: one byte past it read, then refused, either way
    assert all(straight == zipped for straight, zipped in _members(data, tight))
    assert _members(data, tight)[1][0] == ("zip-bomb", "member xl/deflated.xml expands to more than 100 bytes")


DAMAGE = [b"\x00", b"\xff", b"PK\x03\x04", b"PK\x01\x02", b"\x08", b"\x01", b"\x20", b"\x40", b"x", b""]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_damaged_member_reads_or_fails_exactly_as_through_zipfile(data: st.DataObject) -> None:
    """Whatever is damaged (a header, a name, a size, a CRC, the data), the outcome is zipfile's: the same bytes,
    or the same failure."""
    archive = bytearray(_archive(data.draw(st.sampled_from([0, 0x08]))))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(archive) - 1))
        archive[at : at + data.draw(st.integers(0, 2))] = data.draw(st.sampled_from(DAMAGE))
    for straight, zipped in _members(bytes(archive), Limits(max_member_bytes=2_000)):
        assert straight == zipped


def test_a_member_running_into_the_next_is_left_to_zipfile() -> None:
    """Where this Python's zipfile knows where the next member starts (3.12 on), a member whose data would run into
    it (overlapping members, a zip bomb's trick) is not read straight: zipfile refuses it."""
    data = _archive()
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo("xl/deflated.xml")
    assert safety._inflate_plain(data, info, 1 << 20) == b"<b>deflated</b>" * 300
    fields = ("compress_type", "flag_bits", "header_offset", "orig_filename", "compress_size", "file_size", "CRC")
    bounded = SimpleNamespace(**{name: getattr(info, name) for name in fields})  # as zipfile 3.12 leaves it:
    bounded._end_offset = info.header_offset + 40  # the next member starts inside this one's data
    assert safety._inflate_plain(data, bounded, 1 << 20) is None  # type: ignore[arg-type]
    bounded._end_offset = info.header_offset + 4_000
    assert safety._inflate_plain(data, bounded, 1 << 20) == b"<b>deflated</b>" * 300  # type: ignore[arg-type]
