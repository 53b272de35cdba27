"""The differential test on files made here by real clients: LibreOffice and Gnumeric re-saves.

Some corpus files, the blank template and a filled sample return are re-saved by LibreOffice as
.xlsx, .ods and .xls and by Gnumeric as .xlsx, once per session; each copy is then read by our
reader and by the second readers, and judged by the same rules as the corpus
(:func:`tests.test_differential.check`). The ``.ods`` copies are also checked for their defined
names: those we read from the ``.ods`` must be the names openpyxl reads from LibreOffice's ``.xlsx``
of the same source.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .clients import run_program, ssconvert_convert
from .conftest import REPO, require_program
from .differential import Book, read_openpyxl, read_ours
from .test_differential import CORPUS, check

pytestmark = pytest.mark.real_client

SOURCES = (
    "calamine/date.xlsx",
    "calamine/errors.xlsx",
    "calamine/richtext-namespaced.xlsx",
    "calamine/special_cells.ods",
    "calamine/issues.xls",
    "openpyxl/guess_types.xlsx",
    "openpyxl/formulae.xlsx",
    "openpyxl/book1.xlsx",
    "xlrd/namesdemo.xls",
    "tealeg-xlsx/googleDocsTest.xlsx",
)
RETURN = REPO / "samples" / "returns" / "E07000096-dacorum-borough-council.xlsx"
LIBREOFFICE_FORMATS = ("xlsx", "ods", "xls")


@pytest.fixture(scope="module")
def sources(template_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files to re-save, under names that cannot collide (``calamine__date.xlsx``)."""
    folder = tmp_path_factory.mktemp("differential-sources")
    for name in SOURCES:
        shutil.copyfile(CORPUS / name, folder / name.replace("/", "__"))
    shutil.copyfile(template_path, folder / "nps__template.xlsx")
    shutil.copyfile(RETURN, folder / "nps__dacorum-return.xlsx")
    return folder


@pytest.fixture(scope="module")
def libreoffice(sources: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """LibreOffice re-saves, one folder per format; all files of a format in one soffice run."""
    soffice = require_program("soffice")
    root = tmp_path_factory.mktemp("differential-libreoffice")
    profile = root / "profile"
    folders = {}
    for target in LIBREOFFICE_FORMATS:
        out = root / target
        args = [soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore"]
        args += ["--convert-to", target, "--outdir", str(out), *map(str, sorted(sources.iterdir()))]
        result = run_program(args, "LibreOffice")
        assert result.returncode == 0, f"LibreOffice failed (exit {result.returncode}): {result.stderr}"
        folders[target] = out
    return folders


@pytest.fixture(scope="module")
def gnumeric(sources: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("differential-gnumeric")
    for source in sorted(sources.iterdir()):
        ssconvert_convert(source, out / f"{source.stem}.xlsx")
    return out


def _stems() -> list[str]:
    return [name.replace("/", "__").rpartition(".")[0] for name in SOURCES] + ["nps__template", "nps__dacorum-return"]


@pytest.mark.parametrize("target", LIBREOFFICE_FORMATS)
@pytest.mark.parametrize("stem", _stems())
def test_libreoffice_resave_reads_as_the_second_reader_reads_it(
    libreoffice: dict[str, Path], stem: str, target: str
) -> None:
    path = libreoffice[target] / f"{stem}.{target}"
    assert path.is_file(), f"LibreOffice wrote no {path.name}"
    check(path, f"LibreOffice {target}: {stem}")


@pytest.mark.parametrize("stem", _stems())
def test_gnumeric_resave_reads_as_the_second_reader_reads_it(gnumeric: Path, stem: str) -> None:
    check(gnumeric / f"{stem}.xlsx", f"Gnumeric xlsx: {stem}")


@pytest.mark.parametrize("stem", _stems())
def test_ods_names_match_the_xlsx_names_of_the_same_save(libreoffice: dict[str, Path], stem: str) -> None:
    """calamine cannot list .ods names, so openpyxl reads them from LibreOffice's .xlsx of the same source."""
    ours = read_ours(libreoffice["ods"] / f"{stem}.ods")
    theirs = read_openpyxl(libreoffice["xlsx"] / f"{stem}.xlsx")
    if not isinstance(ours, Book) or not isinstance(theirs, Book):
        pytest.skip(f"not readable by both: {ours!r} / {theirs!r}")
    assert theirs.names is not None
    wrong = {
        name: (ours.names.get(name), theirs.names.get(name))
        for name in sorted(set(ours.names or {}) | set(theirs.names))
        if (ours.names or {}).get(name) != theirs.names.get(name)
    }
    assert not wrong, f"{stem}.ods names (ours vs openpyxl on the .xlsx re-save): {wrong}"
