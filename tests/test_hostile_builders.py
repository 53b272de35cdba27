"""The hostile-file builders make what they claim to make (tests of the builders, not of the reader)."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
import zipfile
import zlib
from pathlib import Path

import defusedxml.ElementTree as SafeET
import openpyxl
import pytest
from defusedxml import DTDForbidden, EntitiesForbidden

from . import hostile


def test_rewrite_member_changes_only_that_member(template_path: Path, tmp_path: Path) -> None:
    out = hostile.rewrite_member(template_path, tmp_path / "copy.xlsx", "xl/workbook.xml", lambda b: b + b"<!---->")
    with zipfile.ZipFile(template_path) as a, zipfile.ZipFile(out) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            expected = a.read(name) + (b"<!---->" if name == "xl/workbook.xml" else b"")
            assert b.read(name) == expected
    with pytest.raises(KeyError):
        hostile.rewrite_member(template_path, tmp_path / "x.xlsx", "no/such.xml", lambda b: b)


def test_truncated_zip_is_not_a_zip(template_path: Path, tmp_path: Path) -> None:
    path = hostile.make_truncated_zip(tmp_path, template_path)
    assert path.stat().st_size == template_path.stat().st_size // 2
    assert path.read_bytes().startswith(b"PK\x03\x04")
    assert not zipfile.is_zipfile(path)


def test_corrupt_zip_lists_members_but_one_cannot_be_read(template_path: Path, tmp_path: Path) -> None:
    path = hostile.make_corrupt_zip(tmp_path, template_path)
    with zipfile.ZipFile(path) as zf, zipfile.ZipFile(template_path) as original:
        assert zf.namelist() == original.namelist()
        zf.read("xl/styles.xml")
        with pytest.raises((zipfile.BadZipFile, zlib.error)):
            zf.read("xl/workbook.xml")


def test_corrupt_xml_is_a_good_zip_with_bad_xml(template_path: Path, tmp_path: Path) -> None:
    path = hostile.make_corrupt_xml(tmp_path, template_path)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        with pytest.raises(ET.ParseError):
            ET.fromstring(zf.read("xl/workbook.xml"))


def test_impostors(tmp_path: Path) -> None:
    text = hostile.make_renamed_text(tmp_path)
    pdf = hostile.make_renamed_pdf(tmp_path)
    empty = hostile.make_empty(tmp_path)
    assert text.name == "return.xlsx" and text.read_text().startswith("ID,")
    assert pdf.suffix == ".xlsx" and pdf.read_bytes().startswith(b"%PDF")
    assert empty.suffix == ".xlsx" and empty.stat().st_size == 0
    assert not any(zipfile.is_zipfile(p) for p in (text, pdf, empty))


def test_mismatched_extension_is_an_ods(tmp_path: Path) -> None:
    ods = hostile.make_minimal_ods(tmp_path)
    path = hostile.make_mismatched_extension(tmp_path, ods)
    assert path.suffix == ".xlsx" and path.read_bytes() == ods.read_bytes()
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist()[0] == "mimetype"
        assert zf.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"


def test_non_nps_workbook_is_valid(tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(hostile.make_non_nps_workbook(tmp_path))
    assert workbook.sheetnames == ["Budget"]
    assert workbook["Budget"]["B2"].value == 4.2
    assert not workbook.defined_names


def test_encrypted_is_an_ole_file_with_encryption_streams(template_path: Path, tmp_path: Path) -> None:
    path = hostile.make_encrypted(tmp_path, template_path, password="pw")
    assert path.read_bytes()[:8] == hostile.OLE_MAGIC
    assert not zipfile.is_zipfile(path)
    import olefile  # a dependency of msoffcrypto-tool, present whenever make_encrypted did not skip
    from msoffcrypto.format.ooxml import OOXMLFile

    with olefile.OleFileIO(str(path)) as ole:
        assert ole.exists("EncryptionInfo") and ole.exists("EncryptedPackage")
    with path.open("rb") as f:
        office = OOXMLFile(f)
        assert office.is_encrypted()


def test_zip_bomb_is_small_on_disk_and_huge_unpacked(tmp_path: Path) -> None:
    path = hostile.make_zip_bomb(tmp_path, size=110 * 2**20)  # the default, 200 MiB, takes twice as long
    assert path.stat().st_size < 2**20
    with zipfile.ZipFile(path) as zf:
        sheet = zf.getinfo("xl/worksheets/sheet1.xml")
        assert sheet.file_size > 100 * 2**20
        assert sum(i.file_size for i in zf.infolist()) > 1000 * path.stat().st_size
        with zf.open(sheet) as f:  # starts as a well-formed sheet; don't inflate it all
            assert f.read(300).decode().endswith("0" * 10)


def test_many_members(tmp_path: Path) -> None:
    path = hostile.make_many_members(tmp_path, n=20000)
    with zipfile.ZipFile(path) as zf:
        assert len(zf.infolist()) > 20000
        assert "xl/workbook.xml" in zf.namelist()


def test_lying_sizes(template_path: Path, tmp_path: Path) -> None:
    member = "xl/sharedStrings.xml"
    path = hostile.make_lying_sizes(tmp_path, template_path, member=member, declared=100)
    data = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
        assert info.file_size == 100  # central directory
        local = data[info.header_offset : info.header_offset + 30]
        assert struct.unpack_from("<I", local, 22)[0] == 100  # local header
        name_len, extra_len = struct.unpack_from("<HH", local, 26)
        start = info.header_offset + 30 + name_len + extra_len
        raw = zlib.decompress(data[start : start + info.compress_size], -15)
        assert len(raw) > 10_000
        with pytest.raises(zipfile.BadZipFile):  # zipfile stops at the declared size, so the CRC fails
            zf.read(member)


def test_billion_laughs(template_path: Path, tmp_path: Path) -> None:
    path = hostile.make_billion_laughs(tmp_path, template_path)
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/sharedStrings.xml")
        zf.read("xl/workbook.xml")
    assert b"<!DOCTYPE sst [" in xml and b"<!ENTITY lol9 " in xml and b"<t>&lol9;</t>" in xml
    with pytest.raises(EntitiesForbidden):
        SafeET.fromstring(xml)
    small = hostile.make_billion_laughs(tmp_path, template_path, depth=2, name="small_laughs.xlsx")
    with zipfile.ZipFile(small) as zf:
        root = ET.fromstring(zf.read("xl/sharedStrings.xml"))  # stdlib expands internal entities
    first = root.find("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}si")
    assert "".join(first.itertext()) == "lol" * 100


def test_external_entity(template_path: Path, tmp_path: Path) -> None:
    path = hostile.make_external_entity(tmp_path, template_path)
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/workbook.xml")
    assert b'<!ENTITY xxe SYSTEM "file:///etc/passwd">' in xml
    assert b'<definedName name="xxe_probe">&xxe;</definedName>' in xml
    with pytest.raises((EntitiesForbidden, DTDForbidden)):
        SafeET.fromstring(xml, forbid_dtd=True)


def test_huge_grid(template_path: Path, tmp_path: Path) -> None:
    path = hostile.make_huge_grid(tmp_path, template_path)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        root = ET.fromstring(zf.read(hostile.FIRST_AREA_SHEET))
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rows = root.find(f"{ns}sheetData").findall(f"{ns}row")
    assert rows[-1].get("r") == "1048576"
    assert rows[-1].find(f"{ns}c").get("r") == hostile.LAST_CELL


def test_dimensions(template_path: Path, tmp_path: Path) -> None:
    lying = hostile.make_lying_dimension(tmp_path, template_path)
    with zipfile.ZipFile(lying) as zf:
        assert b'<dimension ref="A1:XFD1048576"/>' in zf.read(hostile.FIRST_AREA_SHEET)
    none = hostile.make_no_dimension(tmp_path, template_path)
    with zipfile.ZipFile(none) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) > 2
        for sheet in sheets:
            xml = zf.read(sheet)
            assert b"<dimension" not in xml
            ET.fromstring(xml)


def test_litter(tmp_path: Path) -> None:
    lock = hostile.make_lock_file(tmp_path, user="Jane Smith")
    assert lock.name == "~$return.xlsx" and lock.stat().st_size == 165
    data = lock.read_bytes()
    assert data[0] == len("Jane Smith") and data[1:11] == b"Jane Smith"
    assert hostile.make_ds_store(tmp_path).read_bytes()[4:8] == b"Bud1"
    apple = hostile.make_apple_double(tmp_path)
    assert apple.name == "._return.xlsx" and apple.read_bytes()[:4] == b"\x00\x05\x16\x07"
    thumbs = hostile.make_thumbs_db(tmp_path)
    assert thumbs.name == "Thumbs.db" and thumbs.read_bytes()[:8] == hostile.OLE_MAGIC
