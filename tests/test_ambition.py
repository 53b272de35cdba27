"""collect's ambition outputs: targets.csv, the Targets and Target gaps sheets, and priorities and support wanted
(the priorities CSV and the Priorities and Support wanted sheets), overall and per segment."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.councils import Council
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.testing import Typed, fill_bytes

from .test_template_versions import V1_RETURN

EAST = Council("E07000096", "Dacorum Borough Council")
WEST = Council("E06000023", "Bristol City Council")
V1 = Council("E07000102", "Three Rivers District Council")  # the layout-1 fixture: no targets, priorities or support


@pytest.fixture(scope="module")
def run(rubric: Rubric, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("ambition")
    returns = root / "returns"
    returns.mkdir()
    options = BuildOptions(datetime(2026, 1, 1, tzinfo=timezone.utc))
    ec, sm = rubric.areas[0], rubric.areas[1]
    every = {c.id: Typed("3 - Mature") for c in rubric.value_codes}
    # Dacorum: Engaging Councillors all at 2 (median 2), target 4; Engaging senior managers median 3, target 2
    east = {**every, **{c.id: Typed("2 - Developing") for c in ec.value_codes}}
    east.update({sm.value_codes[0].id: Typed("4 - Leader"), sm.value_codes[1].id: Typed("1 - Minimum")})
    east[ec.value_codes[0].id] = Typed("2 - Developing", None, "High", "Yes")
    east[ec.value_codes[1].id] = Typed("2 - Developing", None, "High", "No")
    # Bristol: Engaging Councillors at 4, 5 and Unscored (median 4.5), target 4
    west = {**every, ec.value_codes[0].id: Typed("4 - Leader", None, "high", "Yes")}
    west[ec.value_codes[1].id] = Typed("5 - Innovator", None, "Medium")
    west[ec.value_codes[2].id] = Typed("Unscored", None, "Low", "yes")
    for name, council, answers, targets in (
        ("a-east.xlsx", EAST, east, {ec.id: "4 - Leader", sm.id: 2}),
        ("b-west.xlsx", WEST, west, {ec.id: "Leader"}),
    ):
        data = build_workbook(rubric, options, council)
        (returns / name).write_bytes(fill_bytes(data, answers, {"completion_date": date(2026, 2, 1)}, targets))
    (returns / "c-v1.xlsx").write_bytes(V1_RETURN.read_bytes())
    councils = root / "councils.csv"
    rows = [("code", "name", "region"), (EAST.code, EAST.name, "East"), (WEST.code, WEST.name, "West")]
    rows.append((V1.code, V1.name, "East"))
    councils.write_text("".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    out = root / "out"
    args = ["collect", str(returns), "--expected", str(councils), "--group-by", "region", "--out", str(out / "s.xlsx")]
    args += ["--targets", str(out / "targets.csv"), "--priorities", str(out / "priorities.csv")]
    out.mkdir()
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out / "s.xlsx")
    sheets = {name: [list(r) for r in book[name].iter_rows(values_only=True)] for name in book.sheetnames}
    return {
        "targets": _csv(out / "targets.csv"),
        "priorities": _csv(out / "priorities.csv"),
        "sheets": sheets,
        "ec": ec,
        "sm": sm,
    }


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _table(rows: list[list[object]]) -> list[dict[str, object]]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_targets_csv_has_a_row_per_return_and_key_area(run: dict, rubric: Rubric) -> None:
    rows = run["targets"]
    assert list(rows[0]) == ["council", "council_code", "area", "target"]
    assert [(r["council_code"], r["area"]) for r in rows] == [
        (c.code, a.name) for c in (EAST, WEST, V1) for a in rubric.areas
    ]
    chosen = {(r["council_code"], r["area"]): r["target"] for r in rows if r["target"]}
    assert chosen == {
        (EAST.code, run["ec"].name): "4",
        (EAST.code, run["sm"].name): "2",
        (WEST.code, run["ec"].name): "4",
    }


def test_targets_sheet_counts_targets_and_gaps_per_key_area(run: dict, rubric: Rubric) -> None:
    table = {row["Key area"]: row for row in _table(run["sheets"]["Targets"])}
    assert list(table) == [a.name for a in rubric.areas]
    ec, sm = table[run["ec"].name], table[run["sm"].name]
    # Engaging Councillors: two councils aim at 4 (gaps 4 - 2 = 2 and 4 - 4.5 = -0.5); the layout-1 return has none
    assert (ec["4 - Leader"], ec["No target"], ec["Councils"], ec["Median target"]) == (2, 1, 3, 4)
    assert (ec["Median gap"], ec["Below target"], ec["At or above target"]) == (pytest.approx(0.75), 1, 1)
    assert (sm["2 - Developing"], sm["No target"], sm["Median gap"], sm["Below target"]) == (1, 2, -1, 0)
    other = table[rubric.areas[2].name]
    assert (other["No target"], other["Median target"], other["Below target"]) == (3, None, 0)


def test_target_gaps_sheet_has_each_council_target_against_its_area_median(run: dict) -> None:
    gaps = [
        (r["Council"], r["Key area"], r["Area median"], r["Target"], r["Gap"])
        for r in _table(run["sheets"]["Target gaps"])
    ]
    ec, sm = run["ec"].name, run["sm"].name
    assert gaps == [(EAST.name, ec, 2, 4, 2), (EAST.name, sm, 3, 2, -1), (WEST.name, ec, 4.5, 4, -0.5)]


def test_priorities_csv_counts_ranks_and_names_the_councils_asking(run: dict, rubric: Rubric) -> None:
    rows = run["priorities"]
    ids = [c.id for c in rubric.value_codes]
    scopes = list(dict.fromkeys((r["grouping"], r["segment"]) for r in rows))
    assert scopes == [("All councils", "All councils"), ("region", "East"), ("region", "West")]
    assert [r["code_id"] for r in rows] == ids * 3
    overall = {r["code_id"]: r for r in rows if r["grouping"] == "All councils"}
    ec1, ec2, ec3 = (overall[c.id] for c in run["ec"].value_codes)
    assert [(r["returns"], r["high"], r["medium"], r["low"]) for r in (ec1, ec2, ec3)] == [
        ("3", "2", "0", "0"),
        ("3", "1", "1", "0"),
        ("3", "0", "0", "1"),
    ]
    assert [(r["support_yes"], r["support_no"]) for r in (ec1, ec2, ec3)] == [("2", "0"), ("0", "1"), ("1", "0")]
    assert [(r["high_rank"], r["support_rank"]) for r in (ec1, ec2, ec3)] == [("1", "1"), ("2", "3"), ("3", "2")]
    assert overall[ids[-1]]["high_rank"] == "3" and overall[ids[-1]]["support_councils"] == ""
    assert (ec1["support_councils"], ec3["support_councils"]) == (f"{EAST.name}; {WEST.name}", WEST.name)
    east = {r["code_id"]: r for r in rows if r["segment"] == "East"}
    assert (east[ec1["code_id"]]["returns"], east[ec1["code_id"]]["high"]) == ("2", "1")  # Dacorum and Three Rivers
    assert east[ec1["code_id"]]["support_councils"] == EAST.name


def test_priority_and_support_sheets_list_each_scope_by_rank(run: dict) -> None:
    priorities = _table(run["sheets"]["Priorities"])
    first = [r for r in priorities if r["Grouping"] == "All councils"][:2]
    assert [(r["Rank"], r["ID"], r["High"]) for r in first] == [
        (1, run["ec"].value_codes[0].id, 2),
        (2, run["ec"].value_codes[1].id, 1),
    ]
    support = _table(run["sheets"]["Support wanted"])
    top = next(r for r in support if r["Segment"] == "West")
    assert (top["Rank"], top["ID"], top["Councils asking for support"]) == (1, run["ec"].value_codes[0].id, WEST.name)
    ranks = [r["Rank"] for r in support if r["Segment"] == "East"]
    assert ranks == sorted(ranks)
