"""The responses CSV's ambition answers (issue 15): ``collect --csv`` writes each answer's priority and support
wanted and its key area's target; ``read_responses`` reads them back (checked, never as grouping columns), and a
CSV written before they were added reads with them empty."""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main
from nps_xlsx.collect import tables
from nps_xlsx.collect.rounds import ResponsesCsvError, load_previous, read_responses
from nps_xlsx.columns import AMBITION_COLUMNS, RESPONSE_COLUMNS, ROW_COLUMNS
from nps_xlsx.councils import Council
from nps_xlsx.csv_table import write_csv
from nps_xlsx.rubric import Rubric
from nps_xlsx.template.builder import BuildOptions, build_workbook
from nps_xlsx.testing import Typed, fill_bytes

from .conftest import REPO
from .test_template_versions import V1_RETURN

EAST = Council("E07000096", "Dacorum Borough Council")
WEST = Council("E06000023", "Bristol City Council")
V1 = Council("E07000102", "Three Rivers District Council")  # the layout-1 fixture: no ambition answers
PRIORITIES, SUPPORT = [None, "High", "Medium", "Low"], [None, "Yes", "No"]


def typed(rubric: Rubric, seed: int) -> tuple[dict[str, Typed], dict[str, int]]:
    """A council's answers (every choice of priority and support, some blank) and targets (some areas none)."""
    rng = random.Random(seed)
    answers = {
        c.id: Typed(f"{rng.randint(1, 5)}", None, rng.choice(PRIORITIES), rng.choice(SUPPORT))
        for c in rubric.value_codes
    }
    targets = {a.id: rng.randint(1, 5) for a in rubric.areas if rng.random() < 0.7}
    return answers, targets


@pytest.fixture(scope="module")
def inputs(rubric: Rubric) -> dict[str, tuple[dict[str, Typed], dict[str, int]]]:
    return {EAST.code: typed(rubric, 1), WEST.code: typed(rubric, 2)}


def collect(returns: Path, out: Path, *more: str) -> Path:
    councils = out / "councils.csv"
    out.mkdir(parents=True, exist_ok=True)
    rows = [("code", "name", "region"), (EAST.code, EAST.name, "East"), (WEST.code, WEST.name, "=West")]
    councils.write_text("".join(",".join(r) + "\n" for r in [*rows, (V1.code, V1.name, "East")]), encoding="utf-8")
    csv_path = out / "responses.csv"
    args = ["collect", str(returns), "--expected", str(councils), "--group-by", "region", "--out", str(out / "s.xlsx")]
    result = CliRunner().invoke(main, [*args, "--csv", str(csv_path), "--workers", "1", *more], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return csv_path


@pytest.fixture(scope="module")
def returns(rubric: Rubric, inputs: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ambition-csv") / "returns"
    folder.mkdir()
    options = BuildOptions(datetime(2026, 1, 1, tzinfo=timezone.utc))
    for name, council in (("a-east.xlsx", EAST), ("b-west.xlsx", WEST)):
        answers, targets = inputs[council.code]
        data = build_workbook(rubric, options, council)
        (folder / name).write_bytes(fill_bytes(data, answers, {"completion_date": date(2026, 2, 1)}, targets))
    (folder / "c-v1.xlsx").write_bytes(V1_RETURN.read_bytes())
    return folder


@pytest.fixture(scope="module")
def written(returns: Path) -> Path:
    return collect(returns, returns.parent / "out")


def plain(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_collect_csv_carries_each_answers_priority_support_and_target(
    written: Path, rubric: Rubric, inputs: dict
) -> None:
    frame = plain(written)
    ours = [*ROW_COLUMNS, "round", "rubric_fingerprint", "priority", "support", "target"]  # as AGREED15.md says
    assert list(frame.columns) == [*ours, "region"]
    area_id = {a.name: a.id for a in rubric.areas}
    for code, (answers, targets) in inputs.items():
        mine = frame[frame["council_code"] == code]
        assert list(mine["code_id"]) == [c.id for c in rubric.value_codes]
        assert list(mine["priority"]) == [answers[i].priority or "" for i in mine["code_id"]]
        assert list(mine["support"]) == [answers[i].support or "" for i in mine["code_id"]]
        assert list(mine["target"]) == [str(targets.get(area_id[a], "")) for a in mine["area"]]
    assert set(frame["priority"]) == {"", "High", "Medium", "Low"} and set(frame["support"]) == {"", "Yes", "No"}
    layout_1 = frame[frame["council_code"] == V1.code]
    assert len(layout_1) == len(rubric.value_codes)
    assert (layout_1[AMBITION_COLUMNS] == "").all().all()
    assert set(frame.loc[frame["council_code"] == WEST.code, "region"]) == {"'=West"}  # the grouping still follows


def test_read_responses_returns_them_as_columns_never_as_groupings(written: Path, rubric: Rubric) -> None:
    read = read_responses(written, rubric)
    assert read.extra == ["region"]
    assert list(read.responses.columns) == [*ROW_COLUMNS, *AMBITION_COLUMNS, "region"]
    assert str(read.responses["target"].dtype) == "Int64"
    expected = plain(written)
    for name in ("priority", "support"):
        assert read.responses[name].tolist() == expected[name].tolist()
    target = [None if t == "" else int(t) for t in expected["target"]]
    assert [None if pd.isna(t) else int(t) for t in read.responses["target"]] == target
    assert read.responses["target"].notna().sum() == sum(t is not None for t in target) > 0
    previous = load_previous(written, rubric)  # collect --previous reads it as before
    assert previous.responses["score"].tolist() == read.responses["score"].tolist()


def test_the_ambition_columns_are_neutralised_as_every_text_column(
    returns: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A choice is validated to High/Medium/Low or Yes/No, so no formula can reach the CSV; the columns go through
    the same neutralising all the same (here fed formula-like text)."""
    real = tables.answer_ambition

    def formulas(collection, rubric):  # type: ignore[no-untyped-def]
        return (("=HYPERLINK(1)", "+1", 2) for _ in real(collection, rubric))

    monkeypatch.setattr(tables, "answer_ambition", formulas)
    frame = plain(collect(returns, tmp_path / "safe"))
    assert set(frame["priority"]) == {"'=HYPERLINK(1)"} and set(frame["support"]) == {"'+1"}
    assert set(frame["target"]) == {"2"}  # a number stays a number
    raw = plain(collect(returns, tmp_path / "raw", "--raw-csv"))
    assert set(raw["priority"]) == {"=HYPERLINK(1)"} and set(raw["support"]) == {"+1"}


def old_csv(path: Path, rubric: Rubric) -> Path:
    """A responses CSV as collect wrote it before the ambition answers: fingerprint last, then a grouping."""
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow([*ROW_COLUMNS, "round", "rubric_fingerprint", "type"])
        for n, code in enumerate(rubric.value_codes):
            area = rubric.area_of(code.id).name
            row = ["r/a.xlsx", "A Council", "X1", area, code.id, code.name, 1 + n % 5, "", "", "2021"]
            writer.writerow([*row, rubric.fingerprint, "Unitary"])
    return path


def test_an_older_csv_reads_with_the_ambition_answers_empty(rubric: Rubric, tmp_path: Path) -> None:
    read = read_responses(old_csv(tmp_path / "old.csv", rubric), rubric)
    assert read.extra == ["type"] and read.label == "2021"
    assert list(read.responses.columns) == [*ROW_COLUMNS, *AMBITION_COLUMNS, "type"]
    assert (read.responses["priority"] == "").all() and (read.responses["support"] == "").all()
    assert read.responses["target"].isna().all() and str(read.responses["target"].dtype) == "Int64"
    assert read.responses["score"].tolist() == [1 + n % 5 for n in range(len(rubric.value_codes))]
    sample = REPO / "samples" / "previous" / "responses-2021.csv"  # an old-format file, kept as it is
    assert "priority" not in sample.read_text(encoding="utf-8-sig").splitlines()[0]
    read = read_responses(sample, rubric)
    assert read.extra == [] and read.responses["target"].isna().all()
    assert (read.responses[["priority", "support"]] == "").all().all()
    assert read.responses["score"].notna().sum() == pd.read_csv(sample, encoding="utf-8-sig")["score"].notna().sum()


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("priority", "Urgent", "priority 'Urgent' is not one of High, Medium, Low nor empty"),
        ("priority", "high", "priority 'high' is not one of High, Medium, Low nor empty"),
        ("support", "Maybe", "support 'Maybe' is not one of Yes, No nor empty"),
        ("target", "7", "target '7' is not a level (1 to 5) nor empty"),
        ("target", "3.5", "target '3.5' is not a level (1 to 5) nor empty"),
        ("target", "Leader", "target 'Leader' is not a level (1 to 5) nor empty"),
        (
            "target",
            "2",
            "target '2' differs from the target '4' of the same return and key area 'Engaging Councillors' ",
        ),
        (
            "target",
            "",
            "target empty differs from the target '4' of the same return and key area 'Engaging Councillors' ",
        ),
    ],
)
def test_a_bad_ambition_value_is_a_located_error(
    rubric: Rubric, tmp_path: Path, column: str, value: str, message: str
) -> None:
    rows = []
    for n, code in enumerate(rubric.value_codes):
        row = dict.fromkeys(RESPONSE_COLUMNS, "")
        row |= {"source_file": "r/a.xlsx", "council": "A Council", "council_code": "X1", "code_id": code.id}
        row |= {"area": rubric.area_of(code.id).name, "score": 3, "priority": "High", "support": "No", "target": 4}
        row["rubric_fingerprint"] = rubric.fingerprint
        if n == 2:
            row[column] = value
        rows.append([row[c] for c in RESPONSE_COLUMNS])
    path = tmp_path / "bad.csv"
    write_csv(path, RESPONSE_COLUMNS, rows)
    assert len(rubric.areas[0].value_codes) > 2  # the third row is of the first key area, as the first two
    with pytest.raises(ResponsesCsvError) as caught:
        read_responses(path, rubric)
    assert str(caught.value).startswith(f"{path}:4: {message}")  # line 1 the header, the third row on line 4
    assert "on line 2; every row of a key area has its one target" in str(caught.value) or "differs" not in message
