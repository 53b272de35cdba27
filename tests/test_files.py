"""Entries of a returns folder that are not plain files: every one is listed, none blocks the run.

The CLI runs in a subprocess with a timeout, so a hang (a named pipe read, a folder loop walked
for ever) fails the test instead of hanging the suite.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from nps_xlsx.output import write_atomic_with
from nps_xlsx.read import files
from nps_xlsx.read.files import NotReadable, TooLarge, is_temporary, list_entries, read_file
from nps_xlsx.read.safety import Limits
from nps_xlsx.rubric import Rubric
from nps_xlsx.validate.check import read_return

TIMEOUT = 60
pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes and symbolic links")


def nps(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the CLI in its own process; a hang fails here after TIMEOUT seconds."""
    return subprocess.run(
        [sys.executable, "-m", "nps_xlsx", *args], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT
    )


def make_socket(path: Path) -> None:
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))


@pytest.fixture
def odd_folder(tmp_path: Path, template_path: Path) -> dict[str, str]:
    """A returns folder holding one of everything a file system can hold; the expected status of each."""
    returns = tmp_path / "returns"
    (returns / "sub").mkdir(parents=True)
    shutil.copy(template_path, returns / "return.xlsx")
    shutil.copy(template_path, returns / "sub" / "nested.xlsx")
    (returns / "link.xlsx").symlink_to("return.xlsx")
    os.mkfifo(returns / "pipe.xlsx")
    (returns / "broken.xlsx").symlink_to("missing.xlsx")
    (returns / "loop1.xlsx").symlink_to("loop2.xlsx")
    (returns / "loop2.xlsx").symlink_to("loop1.xlsx")
    (returns / "zero.xlsx").symlink_to("/dev/zero")
    (returns / "null.xlsx").symlink_to("/dev/null")
    (returns / "sub" / "up").symlink_to("..")  # a folder loop
    (returns / "outside").symlink_to(tmp_path)  # a link leading out of the returns folder
    (returns / ".responses.csv.ab12cd_9.part").write_bytes(b"half a CSV")  # an older version's leftover
    (returns / ".~nps-xlsx-summary.xlsx.k2j3h4g5.part").write_bytes(b"PK\x03\x04half a zip")
    make_socket(returns / "sock.xlsx")
    return {
        "return.xlsx": "rejected",  # the blank template: no council name
        "sub/nested.xlsx": "rejected",
        "link.xlsx": "rejected",
        "pipe.xlsx": "skipped",
        "broken.xlsx": "rejected",
        "loop1.xlsx": "rejected",
        "loop2.xlsx": "rejected",
        "zero.xlsx": "skipped",
        "null.xlsx": "skipped",
        "sub/up": "skipped",
        "outside": "skipped",
        ".responses.csv.ab12cd_9.part": "skipped",
        ".~nps-xlsx-summary.xlsx.k2j3h4g5.part": "skipped",
        "sock.xlsx": "skipped",
    }


def test_the_ledger_lists_every_entry_and_nothing_blocks(tmp_path: Path, odd_folder: dict[str, str]) -> None:
    result = nps("collect", "returns", "--out", "out/summary.xlsx", "--ledger", "out/files.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with (tmp_path / "out" / "files.csv").open(encoding="utf-8-sig", newline="") as stream:
        ledger = {row["path"].removeprefix("returns/"): row for row in csv.DictReader(stream)}
    assert {path: row["status"] for path, row in ledger.items()} == odd_folder
    assert all(row["first_error"] for row in ledger.values()), "every entry says why"
    assert "missing.xlsx" in ledger["broken.xlsx"]["first_error"]  # names the link's target
    assert "/dev/zero" in ledger["zero.xlsx"]["first_error"]
    assert ledger["link.xlsx"]["sha256"] == ledger["return.xlsx"]["sha256"]  # a link to a file is read


def test_validate_reports_every_entry_with_its_code(tmp_path: Path, odd_folder: dict[str, str]) -> None:
    result = nps("validate", "--json", "returns", cwd=tmp_path)
    report = {f["path"].removeprefix("returns/"): f for f in json.loads(result.stdout)["files"]}
    assert {path: f["status"] for path, f in report.items()} == odd_folder
    for name in ("broken.xlsx", "loop1.xlsx", "loop2.xlsx"):
        assert [i["code"] for i in report[name]["issues"]] == ["file-unreadable"]
    for name, entry in report.items():
        if entry["status"] == "skipped":
            assert entry["skip_reason"] and not entry["issues"], name


def test_a_named_pipe_on_the_command_line_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "return.xlsx")
    result = nps("validate", "--json", "return.xlsx", cwd=tmp_path)
    (entry,) = json.loads(result.stdout)["files"]
    assert entry["status"] == "skipped"
    assert "pipe" in entry["skip_reason"]


def test_reading_stops_at_the_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"PK\x03\x04" + b"\x00" * 1000)
    with pytest.raises(TooLarge) as caught:
        read_file(big, 100)
    assert not caught.value.grew and caught.value.size == 1004
    assert read_file(big, 1004).data == big.read_bytes()


@pytest.mark.skipif(not Path("/proc/self/maps").is_file(), reason="needs /proc")
def test_a_file_larger_than_its_stated_size_is_read_only_to_the_limit() -> None:
    # /proc files are regular files that state a size of 0 and hold more: as a file growing while read.
    assert os.stat("/proc/self/maps").st_size == 0
    with pytest.raises(TooLarge) as caught:
        read_file(Path("/proc/self/maps"), 100)
    assert caught.value.grew and caught.value.size == 101


def test_read_return_reports_growth_as_too_large(rubric: Rubric) -> None:
    if not Path("/proc/self/maps").is_file():
        pytest.skip("needs /proc")
    report = read_return(Path("/proc/self/maps"), rubric, Limits(max_file_bytes=100))
    assert [i.code for i in report.issues] == ["file-too-large"]


def test_devices_are_never_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "zero.xlsx").symlink_to("/dev/zero")
    opened = []
    monkeypatch.setattr(files.os, "open", lambda *args: opened.append(args) or pytest.fail("opened"))
    with pytest.raises(NotReadable):
        read_file(tmp_path / "zero.xlsx", 100)
    assert not opened


def test_a_folder_that_cannot_be_listed_is_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "a.xlsx").write_bytes(b"x")
    scandir = os.scandir

    def refuse(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    assert list_entries([tmp_path]) == [tmp_path / "a.xlsx", tmp_path / "locked"]
    with pytest.raises(NotReadable) as caught:
        monkeypatch.setattr(os, "listdir", refuse)
        read_file(tmp_path / "locked", 100)
    assert "Permission denied" in caught.value.reason


def test_our_temporary_files_are_recognised(tmp_path: Path) -> None:
    seen = []
    write_atomic_with(
        tmp_path / "responses.csv", lambda temp: seen.append(temp.name) or temp.write_text("x"), "responses"
    )
    assert is_temporary(seen[0])
    assert not is_temporary("responses.csv") and not is_temporary("return.xlsx.part")
    assert list(tmp_path.iterdir()) == [tmp_path / "responses.csv"]


def test_a_leftover_temporary_file_is_skipped(tmp_path: Path, rubric: Rubric, template_path: Path) -> None:
    leftover = tmp_path / ".~nps-xlsx-summary.xlsx.abcdefgh.part"
    shutil.copy(template_path, leftover)  # even when it holds a whole workbook
    report = read_return(leftover, rubric)
    assert report.status == "skipped" and not report.issues


def test_a_named_pipe_as_an_output_does_not_hang(tmp_path: Path, template_path: Path) -> None:
    (tmp_path / "returns").mkdir()
    shutil.copy(template_path, tmp_path / "returns" / "return.xlsx")
    os.mkfifo(tmp_path / "files.csv")  # checked for being an earlier run's ledger before it is replaced
    result = nps("collect", "returns", "--out", "summary.xlsx", "--ledger", "files.csv", cwd=tmp_path)
    assert result.returncode == 1, result.stderr  # not ours: kept, the other outputs written
    assert stat.S_ISFIFO(os.lstat(tmp_path / "files.csv").st_mode) and (tmp_path / "summary.xlsx").is_file()
    result = nps("collect", "returns", "--out", "summary.xlsx", "--ledger", "files.csv", "--force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "files.csv").is_file()
