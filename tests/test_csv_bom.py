"""The CSV files collect writes carry a UTF-8 BOM by default, so Excel shows › and Welsh names; --no-bom omits it."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.columns import LEDGER_COLUMNS, RESPONSE_COLUMNS
from nps_xlsx.councils import Council
from nps_xlsx.read.own_outputs import recognise
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.testing import Typed, fill_bytes

from .conftest import FIXED_TIME

ANGLESEY = Council("W06000001", "Cyngor Sir Ynys Môn")


@pytest.fixture(scope="module")
def returns(rubric: Rubric, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Welsh council's return with a Welsh comment, and a rejected return (its first error holds ›)."""
    folder = tmp_path_factory.mktemp("bom") / "returns"
    folder.mkdir()
    book = build_workbook(rubric, BuildOptions(FIXED_TIME), ANGLESEY)
    cover = {"council_name": ANGLESEY.name}
    first = rubric.value_codes[0].id
    (folder / "mon.xlsx").write_bytes(fill_bytes(book, {first: Typed("2 - Developing", "Ŵyn ŷd")}, cover))
    (folder / "typed.xlsx").write_bytes(fill_bytes(book, {first: Typed("seven")}, cover))
    return folder


def collect(returns: Path, out: Path, *options: str) -> tuple[Path, Path]:
    responses, ledger = out / "responses.csv", out / "files.csv"
    args = [str(returns), "--out", str(out / "s.xlsx"), "--csv", str(responses), "--ledger", str(ledger), *options]
    result = CliRunner().invoke(main, ["collect", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return responses, ledger


def test_csv_files_start_with_a_bom_and_read_back(returns: Path, tmp_path: Path) -> None:
    responses, ledger = collect(returns, tmp_path)
    for path, kind in ((responses, "responses"), (ledger, "ledger")):
        assert path.read_bytes().startswith(codecs.BOM_UTF8)
        assert not path.read_bytes()[3:].startswith(codecs.BOM_UTF8)  # one BOM, not two
        assert recognise(path) == kind  # still known as our own output
    frame = pd.read_csv(responses, encoding="utf-8-sig", keep_default_na=False, dtype=str)
    assert list(frame.columns) == RESPONSE_COLUMNS
    assert set(frame["council"]) == {ANGLESEY.name} and "Ŵyn ŷd" in set(frame["comment"])
    with ledger.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == LEDGER_COLUMNS
    rejected = next(row for row in rows if row["path"].endswith("typed.xlsx"))
    assert rejected["status"] == "rejected" and "›" in rejected["first_error"]


def test_no_bom_writes_plain_utf8(returns: Path, tmp_path: Path) -> None:
    responses, ledger = collect(returns, tmp_path, "--no-bom")
    for path, columns, kind in ((responses, RESPONSE_COLUMNS, "responses"), (ledger, LEDGER_COLUMNS, "ledger")):
        data = path.read_bytes()
        assert data.startswith(",".join(columns).encode())
        assert next(csv.reader(io.StringIO(data.decode("utf-8"), newline=""))) == columns
        assert recognise(path) == kind
    assert ANGLESEY.name in pd.read_csv(responses, encoding="utf-8", dtype=str)["council"].tolist()
