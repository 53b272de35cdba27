"""write_csv_groups: rows given as groups of fields, some made CSV text once per distinct group, give the file
write_csv gives for the same rows, byte for byte."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from nps_xlsx.csv_table import write_csv, write_csv_groups

AWKWARD = ["", None, "plain", "a,b", 'say "hi"', "line\nbreak", "cr\rhere", "=1+2", "+44", "-x", "@me", "\t tab",
           "＝full", " lead", "trail ", "ŵ ŷ", 0, 7, -3, 2.5, float("nan"), True, '"', ",", "\r\n"]  # fmt: skip


def grouped(rng: random.Random, shape: list[int], rows: int) -> list[tuple[tuple[object, ...], ...]]:
    """Rows of groups of ``shape`` sizes (0: an empty group), drawn from a few values so that groups recur."""
    pool = [[tuple(rng.choice(AWKWARD) for _ in range(size)) for _ in range(3)] for size in shape]
    return [tuple(rng.choice(choices) for choices in pool) for _ in range(rows)]


@pytest.mark.parametrize("raw", [False, True])
@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_grouped_rows_are_written_as_their_fields_would_be(tmp_path: Path, raw: bool, bom: bool, seed: int) -> None:
    rng = random.Random(seed)
    shape = [rng.choice([0, 1, 1, 2, 3]) for _ in range(rng.randint(1, 6))]
    if not sum(shape):
        shape.append(2)
    rows = grouped(rng, shape, 2_500)  # more than a batch of lines
    cached = [rng.random() < 0.7 for _ in shape]
    columns = [f"c{i}" for i in range(sum(shape))]
    write_csv(tmp_path / "plain.csv", columns, [sum(row, ()) for row in rows], raw, bom)
    write_csv_groups(tmp_path / "grouped.csv", columns, rows, cached, raw, bom)
    assert (tmp_path / "grouped.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()


def test_a_row_of_one_empty_field_is_written_as_write_csv_writes_it(tmp_path: Path) -> None:
    """A line whose only field is empty is '""' (else it would be a blank line); within a longer line, nothing."""
    rows = [((None,), ()), (("",), ()), (("",), ("x",)), ((None,), (None,))]
    write_csv(tmp_path / "plain.csv", ["a"], [sum(row, ()) for row in rows])
    write_csv_groups(tmp_path / "grouped.csv", ["a"], rows, [True, False])
    assert (tmp_path / "grouped.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()
    assert (tmp_path / "grouped.csv").read_bytes().split(b"\r\n")[1:5] == [b'""', b'""', b",x", b","]


@pytest.mark.parametrize("raw", [False, True])
def test_a_text_alone_in_its_group_is_quoted_as_csv_quotes_it(tmp_path: Path, raw: bool) -> None:
    """A group of one text (a comment) is quoted without the csv module: random texts of awkward characters, each
    alone in its group between others, give write_csv's bytes."""
    rng = random.Random(7)
    alphabet = "ab ,\"\r\n\t\x00\x0b'=+-@ŵ😀\u2028"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(3_000)]
    rows = [(("x", i), (text,), (None,)) for i, text in enumerate(texts)]
    write_csv(tmp_path / "plain.csv", ["a", "b", "c", "d"], [sum(row, ()) for row in rows], raw)
    write_csv_groups(tmp_path / "grouped.csv", ["a", "b", "c", "d"], rows, [True, False, True], raw)
    assert (tmp_path / "grouped.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()
