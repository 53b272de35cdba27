"""``nps-xlsx collect`` end to end: generate, fill through the defined names, collect, check every output."""

from __future__ import annotations

import os
import random
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from nps_xlsx import layout
from nps_xlsx.cli import main
from nps_xlsx.columns import RESPONSE_COLUMNS
from nps_xlsx.csv_table import neutralise
from nps_xlsx.rubric import Rubric
from nps_xlsx.testing import Typed, fill_bytes, fill_workbook, random_answers

COUNCILS = (
    "code,name\nE07000096,Dacorum Borough Council\nE07000103,Watford Borough Council\n"
    "E07000098,Hertsmere Borough Council\nE07000102,Three Rivers District Council\n"
)
INJECTIONS = [
    "=1+2",
    "+44 1442 228000",
    "-2 for now",
    "@team please check",
    "https://example.org/x",
    '=HYPERLINK("http://a")',
]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def table(path: Path, sheet: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=sheet, engine="openpyxl")


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory, rubric: Rubric) -> dict:
    """Generate personalised workbooks, fill them as councils would, add problem files, then collect."""
    root = tmp_path_factory.mktemp("collect")
    councils_csv = root / "councils.csv"
    councils_csv.write_text(COUNCILS, encoding="utf-8")
    workbooks = root / "workbooks"
    assert run("generate", "--councils", str(councils_csv), "--out-dir", str(workbooks)).exit_code == 0
    returns = root / "returns"
    (returns / "late").mkdir(parents=True)
    answers = {}
    for n, name in enumerate(["E07000096-dacorum-borough-council", "E07000103-watford-borough-council"]):
        answers[name] = random_answers(rubric, random.Random(n))
        fill_workbook(
            workbooks / f"{name}.xlsx",
            returns / f"{name}.xlsx",
            answers[name],
            {"council_name": name.split("-", 1)[1].replace("-", " ").title(), "completion_date": date(2026, 11, 1)},
        )
    # Dacorum's comments hold formula- and link-like text that must stay text.
    dacorum = answers["E07000096-dacorum-borough-council"]
    for code_id, text in zip(["EC1", "EC2", "EC3", "SM1", "SM2", "SM3"], INJECTIONS, strict=True):
        dacorum[code_id] = Typed("2 - Developing", text)
    fill_workbook(
        workbooks / "E07000096-dacorum-borough-council.xlsx",
        returns / "E07000096-dacorum-borough-council.xlsx",
        dacorum,
        {"council_name": "Dacorum Borough Council", "completion_date": date(2026, 11, 1)},
    )
    # Watford resubmits later with one change (supersedes), and forwards the first one twice (identical copy).
    watford = dict(answers["E07000103-watford-borough-council"], EC1=Typed("5 - Innovator", "Updated"))
    fill_workbook(
        workbooks / "E07000103-watford-borough-council.xlsx",
        returns / "late" / "watford-v2.xlsx",
        watford,
        {"council_name": "Watford Borough Council", "completion_date": date(2026, 11, 20)},
    )
    answers["E07000103-watford-borough-council"] = watford
    (returns / "late" / "E07000103-watford-borough-council (copy).xlsx").write_bytes(
        (returns / "E07000103-watford-borough-council.xlsx").read_bytes()
    )
    # A return from a council not on the list, a rejected file, and debris.
    template = (workbooks / "E07000098-hertsmere-borough-council.xlsx").read_bytes()
    blank = root / "blank.xlsx"
    assert run("generate", "--out", str(blank)).exit_code == 0
    (returns / "elsewhere.xlsx").write_bytes(
        fill_bytes(blank.read_bytes(), {"EC1": Typed("1 - Minimum")}, {"council_name": "Somewhere Else Council"})
    )
    (returns / "broken.xlsx").write_bytes(template[: len(template) // 2])
    (returns / "~$E07000096-dacorum-borough-council.xlsx").write_bytes(b"\x04Jane" + b" " * 160)
    (returns / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    inputs = sorted(p for p in returns.rglob("*") if p.is_file())
    out = root / "out"
    result = run(
        "collect",
        str(returns),
        "--out",
        str(out / "summary.xlsx"),
        "--csv",
        str(out / "responses.csv"),
        "--ledger",
        str(out / "files.csv"),
        "--expected",
        str(councils_csv),
    )
    return {
        "result": result,
        "out": out,
        "inputs": inputs,
        "answers": answers,
        "returns": returns,
        "councils": councils_csv,
    }


def test_exit_and_summary_line(round_trip: dict) -> None:
    result = round_trip["result"]
    assert result.exit_code == 0, result.output
    assert "8 files: 0 accepted, 3 accepted with warnings, 1 rejected, 2 superseded, 2 skipped; summary written to" in (
        result.output
    )
    assert "4 expected councils: 2 returned, 2 not returned;" in result.output
    assert "Rejected: " + str(round_trip["returns"] / "broken.xlsx") in result.output
    assert "1 council not on the expected list: Somewhere Else Council." in result.output


def test_ledger_accounts_for_every_file(round_trip: dict) -> None:
    ledger = pd.read_csv(round_trip["out"] / "files.csv", keep_default_na=False)
    assert sorted(ledger["path"]) == sorted(map(str, round_trip["inputs"]))
    status = dict(zip(ledger["path"].map(lambda p: Path(p).name), ledger["status"], strict=True))
    assert status == {
        "E07000096-dacorum-borough-council.xlsx": "accepted-with-warnings",
        "E07000103-watford-borough-council.xlsx": "superseded",
        "watford-v2.xlsx": "accepted-with-warnings",
        "E07000103-watford-borough-council (copy).xlsx": "superseded",
        "elsewhere.xlsx": "accepted-with-warnings",
        "broken.xlsx": "rejected",
        "~$E07000096-dacorum-borough-council.xlsx": "skipped",
        ".DS_Store": "skipped",
    }
    rows = ledger.set_index(ledger["path"].map(lambda p: Path(p).name))
    copy_note = rows.loc["E07000103-watford-borough-council (copy).xlsx", "note"]
    assert copy_note.startswith("identical copy of ") and copy_note.endswith(
        "superseded by " + str(round_trip["returns"] / "late" / "watford-v2.xlsx")
    )
    assert rows.loc["E07000103-watford-borough-council.xlsx", "note"].startswith("superseded by ")
    assert "watford-v2.xlsx" in rows.loc["E07000103-watford-borough-council.xlsx", "note"]
    assert "not on the expected list" in rows.loc["elsewhere.xlsx", "note"]
    assert rows.loc["broken.xlsx", "first_error"].endswith(
        "ask the council to open the workbook, save it again and resend it"
    )
    assert rows.loc["broken.xlsx", "errors"] == 1
    assert all(len(h) == 64 for h in rows["sha256"])
    assert rows.loc["watford-v2.xlsx", "council_code"] == "E07000103"
    assert rows.loc["watford-v2.xlsx", "template_version"] == "lga-nps-2018 2018.1"
    workbook_ledger = table(round_trip["out"] / "summary.xlsx", "Ledger")
    assert sorted(workbook_ledger["File"]) == sorted(ledger["path"])


def test_chase_list(round_trip: dict) -> None:
    chase = table(round_trip["out"] / "summary.xlsx", "Chase list")
    missing = chase[chase["Status"] == "Not returned"]
    assert list(missing["Council code"]) == ["E07000098", "E07000102"]
    assert list(missing["Council"]) == ["Hertsmere Borough Council", "Three Rivers District Council"]
    assert set(chase["Status"]) == {"Not returned", "Returned"}


def test_responses_csv(round_trip: dict, rubric: Rubric) -> None:
    csv = pd.read_csv(round_trip["out"] / "responses.csv", keep_default_na=False, dtype=str)
    assert list(csv.columns) == RESPONSE_COLUMNS
    assert len(csv) == 3 * 59
    assert sorted(set(csv["council"])) == [
        "Dacorum Borough Council",
        "Somewhere Else Council",
        "Watford Borough Council",
    ]
    labels = layout.score_choices(rubric)
    for stem, answers in round_trip["answers"].items():
        rows = csv[csv["council_code"] == stem.split("-")[0]].set_index("code_id")
        assert len(rows) == 59
        for code_id, answer in answers.items():
            row = rows.loc[code_id]
            if answer.score is None:
                assert (row["score"], row["level"]) == ("", "")
            elif answer.score == rubric.unscored:
                assert (row["score"], row["level"]) == ("", "Unscored")
            else:
                level = labels.index(answer.score) + 1
                assert (row["score"], row["level"]) == (str(level), rubric.levels[level - 1])
            assert row["comment"] == neutralise((answer.comment or "").strip())  # see test_output_safety.py
            assert row["area"] == rubric.area_of(code_id).name
    assert rows.loc["EC1", "value_code"] == "Proc. and commercial champions"
    assert csv.loc[csv["council_code"] == "E07000103", "source_file"].iloc[0].endswith("watford-v2.xlsx")


def test_every_number_agrees_with_the_csv(round_trip: dict, rubric: Rubric) -> None:
    """Recompute the distributions and averages from responses.csv and compare with the workbook's cells."""
    summary = round_trip["out"] / "summary.xlsx"
    csv = pd.read_csv(round_trip["out"] / "responses.csv", keep_default_na=False)
    labels = layout.score_choices(rubric)
    csv["category"] = [
        labels[int(s) - 1] if s != "" else (lvl or "Not answered")
        for s, lvl in zip(csv["score"], csv["level"], strict=True)
    ]
    columns = [*labels, "Not answered"]

    def counts(by: str) -> pd.DataFrame:
        return pd.crosstab(csv[by], csv["category"]).reindex(columns=columns, fill_value=0)

    overall = table(summary, "Overall distribution")
    assert overall[columns].iloc[0].tolist() == csv["category"].value_counts().reindex(columns, fill_value=0).tolist()
    assert overall["Total"].iloc[0] == len(csv)
    by_area = table(summary, "By key area").set_index("Key area")
    expected_area = counts("area").reindex([a.name for a in rubric.areas], fill_value=0)
    pd.testing.assert_frame_equal(by_area[columns], expected_area, check_names=False, check_dtype=False)
    by_code = table(summary, "By value code").set_index("ID")
    expected_code = counts("code_id").reindex([c.id for c in rubric.value_codes], fill_value=0)
    pd.testing.assert_frame_equal(by_code[columns], expected_code, check_names=False, check_dtype=False)
    assert (by_code["Total"] == 3).all()

    averages = table(summary, "Area averages")
    scored = csv[csv["score"] != ""].astype({"score": float})
    expected_avg = scored.groupby(["council", "area"])["score"].agg(["mean", "median", "count"])
    for _, row in averages.iterrows():
        key = (row["Council"], row["Key area"])
        if key in expected_avg.index:
            assert row["Mean"] == pytest.approx(expected_avg.loc[key, "mean"])
            assert row["Median"] == pytest.approx(expected_avg.loc[key, "median"])
            assert row["n"] == expected_avg.loc[key, "count"]
        else:
            assert row["n"] == 0 and pd.isna(row["Mean"])
    assert len(averages) == 3 * len(rubric.areas)

    matrix = table(summary, "Score matrix").set_index("Council")
    for (council, code_id), group in csv.set_index(["council", "code_id"]).groupby(level=[0, 1]):
        score, level = group["score"].iloc[0], group["level"].iloc[0]
        cell = matrix.loc[council, code_id]
        if score != "":
            assert cell == int(score)
        elif level == "Unscored":
            assert cell == "U"
        else:
            assert pd.isna(cell)


def test_text_from_councils_stays_text(round_trip: dict) -> None:
    summary = round_trip["out"] / "summary.xlsx"
    book = openpyxl.load_workbook(summary)
    sheet = book["Comments"]
    header = [c.value for c in sheet[1]]
    column = header.index("Comment") + 1
    cells = [sheet.cell(row, column) for row in range(2, sheet.max_row + 1)]
    texts = {c.value for c in cells}
    assert set(INJECTIONS) <= texts
    assert all(c.data_type == "s" for c in cells)
    assert not sheet._hyperlinks
    with zipfile.ZipFile(summary) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
    assert "<f>" not in xml and "hyperlink" not in xml
    csv = pd.read_csv(round_trip["out"] / "responses.csv", keep_default_na=False)
    assert {neutralise(text) for text in INJECTIONS} <= set(csv["comment"])


def test_data_sheets_are_tables_with_one_header_row(round_trip: dict) -> None:
    book = openpyxl.load_workbook(round_trip["out"] / "summary.xlsx")
    assert book.sheetnames == [
        "Overview",
        "Overall distribution",
        "By key area",
        "By value code",
        "By value code (chart)",
        "Score matrix",
        "Area averages",
        "Value code statistics",
        "Widest spread",
        "Targets",
        "Target gaps",
        "Priorities",
        "Support wanted",
        "Excellence",
        "Comments",
        "Issues",
        "Ledger",
        "Chase list",
        "Needs review",
    ]
    for name in book.sheetnames[1:]:
        sheet = book[name]
        if name == "By value code (chart)":
            assert not sheet.tables and len(sheet._charts) == 1
            continue
        assert len(sheet.tables) == 1, name
        assert not sheet.merged_cells.ranges, name
        assert sheet.freeze_panes.endswith("2") and sheet.freeze_panes[1:] == "2", name  # the header row
        assert sheet.print_title_rows == "$1:$1"
    assert book.properties.title == "NPS 2018 diagnostic summary"
    issues = table(round_trip["out"] / "summary.xlsx", "Issues")
    assert {"File", "Sheet", "Cell", "Value code", "Code", "Message"} <= set(issues.columns)
    assert "corrupt-file" in set(issues["Code"]) and "unexpected-council" in set(issues["Code"])


def test_chart_series_point_at_the_tables(round_trip: dict, rubric: Rubric) -> None:
    with zipfile.ZipFile(round_trip["out"] / "summary.xlsx") as archive:
        charts = {n: archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart")}
        drawings = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/drawings/drawing"))
    by_title = {re.search(r"<a:t>([^<]+)</a:t>", xml)[1]: xml for xml in charts.values()}
    overall_title = "Overall score distribution (all value codes, all councils)"
    assert set(by_title) == {overall_title, "Score distribution by key area", "Which value codes were given each level"}
    assert len(charts) == 4  # the overall chart appears on the Overview and on its own sheet
    area = by_title["Score distribution by key area"]
    assert area.count("<c:ser>") == 7 and '<c:grouping val="percentStacked"/>' in area
    assert "<c:f>'By key area'!$B$2:$B$12</c:f>" in area and "<c:f>'By key area'!$H$2:$H$12</c:f>" in area
    assert "<c:f>'By key area'!$A$2:$A$12</c:f>" in area and "<c:f>'By key area'!$B$1</c:f>" in area
    codes = by_title["Which value codes were given each level"]
    assert "<c:f>'By value code'!$D$2:$D$60</c:f>" in codes and "<c:f>'By value code'!$J$2:$J$60</c:f>" in codes
    assert "<c:f>'By value code'!$A$2:$A$60</c:f>" in codes
    assert '<c:grouping val="percentStacked"/>' in codes
    overall = by_title[overall_title]  # one column per level (categories), coloured as elsewhere: no legend
    assert overall.count("<c:ser>") == 1 and "<c:legend>" not in overall
    assert "<c:f>'Overall distribution'!$B$1:$H$1</c:f>" in overall
    assert "<c:f>'Overall distribution'!$B$2:$H$2</c:f>" in overall
    assert "All value codes" not in overall.replace(overall_title, "")  # said once, in the title
    for xml in charts.values():
        assert xml.count("<c:title>") == 3  # chart title and both axis titles
    assert all("<c:legend>" in xml for xml in (area, codes))
    # the same colour for a level in every chart
    assert all("FDE725" in xml and "414487" in xml for xml in charts.values())
    assert drawings.count('descr="Chart: ') == 4


def test_strict_exits_1_when_any_file_rejected(round_trip: dict, tmp_path: Path) -> None:
    result = run("collect", str(round_trip["returns"]), "--out", str(tmp_path / "s.xlsx"), "--strict")
    assert result.exit_code == 1
    assert (tmp_path / "s.xlsx").is_file()


def test_never_overwrites_an_input(round_trip: dict) -> None:
    target = round_trip["returns"] / "broken.xlsx"
    before = target.read_bytes()
    result = run("collect", str(round_trip["returns"]), "--out", str(target))
    assert result.exit_code == 1
    assert "refusing to overwrite an input file" in result.output
    assert target.read_bytes() == before
    result = run(
        "collect",
        str(round_trip["returns"]),
        "--out",
        str(round_trip["councils"]),
        "--expected",
        str(round_trip["councils"]),
    )
    assert result.exit_code == 1


def test_output_inside_the_returns_folder_is_not_read_back(round_trip: dict) -> None:
    out = round_trip["returns"] / "summary.xlsx"
    try:
        for _ in range(2):
            result = run("collect", str(round_trip["returns"]), "--out", str(out))
            assert result.exit_code == 0
            assert result.stdout.startswith("8 files:")
    finally:
        out.unlink()
    assert not [p for p in round_trip["returns"].rglob("*.part")]


def test_parallel_and_serial_give_the_same_output(round_trip: dict, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / workers
        result = run(
            "collect",
            str(round_trip["returns"]),
            "--out",
            str(out / "s.xlsx"),
            "--csv",
            str(out / "r.csv"),
            "--ledger",
            str(out / "l.csv"),
            "--workers",
            workers,
        )
        assert result.exit_code == 0
        outputs.append([(out / n).read_bytes() for n in ("s.xlsx", "r.csv", "l.csv")])
    assert outputs[0] == outputs[1]


def test_many_files_use_worker_processes(tmp_path: Path, template_path: Path, rubric: Rubric) -> None:
    template = template_path.read_bytes()
    for n in range(12):
        (tmp_path / f"r{n:02}.xlsx").write_bytes(
            fill_bytes(template, random_answers(rubric, random.Random(n)), {"council_name": f"Council {n}"})
        )
    result = run(
        "collect",
        str(tmp_path),
        "--out",
        str(tmp_path / "out" / "s.xlsx"),
        "--csv",
        str(tmp_path / "out" / "r.csv"),
        "--workers",
        "2",
    )
    assert result.exit_code == 0, result.output
    csv = pd.read_csv(tmp_path / "out" / "r.csv")
    assert list(dict.fromkeys(csv["council"])) == [f"Council {n}" for n in range(12)]
    assert os.cpu_count() is not None


def _with_member(source: Path, target: Path, member: str, data: bytes) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, data if info.filename == member else old.read(info))
    return target


def test_recognising_an_earlier_output_is_bounded_and_never_fails(round_trip: dict, tmp_path: Path) -> None:
    """What is at an output path is ours only if it reads as ours within a few kilobytes; a member that cannot be
    inflated (Deflate64), a bomb, a damaged zip or an endless first line means "not ours", never a crash."""
    from nps_xlsx.read.own_outputs import PROBE, recognise

    from .hostile_opc import make_compression_method

    ours = round_trip["out"] / "summary.xlsx"
    custom = zipfile.ZipFile(ours).read("docProps/custom.xml")
    assert recognise(ours) == "summary" and recognise(round_trip["out"] / "responses.csv") == "responses"
    assert recognise(round_trip["out"] / "files.csv") == "ledger"
    deflate64 = make_compression_method(tmp_path, ours, "docProps/custom.xml", 9, "deflate64.xlsx")
    padded = custom.replace(b"</Properties>", b" " * (2 * PROBE) + b"</Properties>")
    bomb = _with_member(ours, tmp_path / "bomb.xlsx", "docProps/custom.xml", padded)  # ours, past what is read
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(ours.read_bytes()[: ours.stat().st_size // 2])
    endless = tmp_path / "endless.csv"
    endless.write_text(",".join(RESPONSE_COLUMNS) + "," + "x" * (2 * PROBE) + "\n", encoding="utf-8")
    undecodable = tmp_path / "undecodable.csv"
    undecodable.write_bytes(b"\xff\xfe" + ",".join(RESPONSE_COLUMNS).encode("utf-16-le"))
    for path in (deflate64, bomb, truncated, endless, undecodable, tmp_path / "absent.xlsx", tmp_path):
        assert recognise(path) is None, path.name
    # not ours: collect writes its summary over such a file only with --force
    before = deflate64.read_bytes()
    result = run("collect", str(round_trip["returns"]), "--out", str(deflate64))
    assert result.exit_code == 1 and deflate64.read_bytes() == before
    result = run("collect", str(round_trip["returns"]), "--out", str(deflate64), "--force")
    assert result.exit_code == 0, result.output
    assert recognise(deflate64) == "summary"


def test_the_large_tables_rows_are_made_by_processes_forked_before_the_tables(
    round_trip: dict, tmp_path: Path, monkeypatch
) -> None:
    """The Comments and Excellence rows are made in processes of their own, forked before the tables are built:
    each sees this process's memory as it was when forked, so it sees no call of build_tables yet, whenever it
    runs. The summary's Comments and Excellence sheets are as a serial run writes them."""
    from nps_xlsx.collect import tables

    built: list[bool] = []  # appended to by build_tables in this process, after the forks
    seen = tmp_path / "seen.txt"
    real_build, real_comments, real_excellence = tables.build_tables, tables.comment_rows, tables.excellence_rows

    def build_tables(*args, **kwargs):
        built.append(True)
        return real_build(*args, **kwargs)

    def note(what: str) -> None:
        with seen.open("a", encoding="utf-8") as file:
            file.write(f"{what} {os.getpid()} {len(built)}\n")

    def comment_rows(*args):
        note("comments")
        yield from real_comments(*args)

    def excellence_rows(*args):
        note("excellence")
        yield from real_excellence(*args)

    monkeypatch.setattr(tables, "build_tables", build_tables)
    monkeypatch.setattr(tables, "comment_rows", comment_rows)
    monkeypatch.setattr(tables, "excellence_rows", excellence_rows)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    books = []
    for workers in ("2", "1"):
        seen.unlink(missing_ok=True)
        out = tmp_path / workers / "s.xlsx"
        assert run("collect", str(round_trip["returns"]), "--out", str(out), "--workers", workers).exit_code == 0
        assert built and built.pop()
        lines = sorted(line.split() for line in seen.read_text(encoding="utf-8").splitlines())
        assert [(what, calls) for what, _pid, calls in lines] == [("comments", "0"), ("excellence", "0")]
        others = {int(pid) != os.getpid() for _what, pid, _calls in lines}
        assert others == {workers == "2"}  # in processes of their own, or here (one process) before the tables
        books.append({sheet: table(out, sheet) for sheet in ("Comments", "Excellence")})
    for sheet in ("Comments", "Excellence"):
        assert len(books[0][sheet]) > 0
        pd.testing.assert_frame_equal(books[0][sheet], books[1][sheet])


def test_a_refused_summary_stops_its_rows_processes(round_trip: dict, tmp_path: Path) -> None:
    """A summary that may not be written (its path holds a file that is not ours) is not written, the other outputs
    are, and no process is left behind."""
    import multiprocessing

    out = tmp_path / "s.xlsx"
    out.write_bytes(b"not ours")
    result = CliRunner().invoke(
        main,
        ["collect", str(round_trip["returns"]), "--out", str(out), "--csv", str(tmp_path / "r.csv"), "--workers", "2"],
    )
    assert result.exit_code != 0 and "Not written" in result.output
    assert out.read_bytes() == b"not ours"
    assert pd.read_csv(tmp_path / "r.csv")["council"].nunique() > 0
    assert multiprocessing.active_children() == []
