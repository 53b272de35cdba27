"""The comment spool: comments move to disk and come back as they were, in answer order."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nps_xlsx.collect.collection import Collection
from nps_xlsx.collect.ledger import LedgerEntry
from nps_xlsx.collect.spool import CommentSpool
from nps_xlsx.validate.check import FileReport, FileStatus
from nps_xlsx.validate.response import Answer, Response, Target


def response(comments: list[str]) -> Response:
    answers = tuple(
        Answer(f"C{i}", "scored", 1 + i % 4, comment, sheet="Area", score_cell=f"D{i + 5}", priority="High")
        for i, comment in enumerate(comments)
    )
    return Response("A council", "E0001", None, None, None, None, {}, answers)


@pytest.fixture
def spool():
    spool = CommentSpool()
    yield spool
    spool.close()


def test_comments_go_to_disk_and_come_back(spool: CommentSpool) -> None:
    comments = ["", "first\nline two", "", "=SUM(A1)", "Cymraeg: ŵ ŷ", "x" * 40_000, "\x01 control"]
    original = response(comments)
    kept = spool.stash("a.xlsx", original)
    assert [a.comment for a in kept.answers] == [""] * len(comments)
    # everything but the comment is as it was
    for before, after in zip(original.answers, kept.answers, strict=True):
        assert (before.code_id, before.score, before.sheet, before.score_cell, before.priority) == (
            after.code_id,
            after.score,
            after.sheet,
            after.score_cell,
            after.priority,
        )
    assert spool.comments("a.xlsx") == tuple(comments)


def test_a_return_without_comments_is_kept_as_it_is(spool: CommentSpool) -> None:
    original = response(["", "", ""])
    assert spool.stash("b.xlsx", original) == original
    assert spool.comments("b.xlsx") is None


def test_answers_of_the_same_value_are_kept_once(spool: CommentSpool) -> None:
    """An answer that another return gave too (apart from its comment) is that return's answer object, and so are
    equal target levels; answers that differ in anything but the comment stay apart, and each keeps its value."""
    first = spool.stash("a.xlsx", response(["said", "", ""]))
    second = replace(response(["", "", "other"]), targets=(Target("EC", 3, "Area", "D4"),))
    second = spool.stash("b.xlsx", second)
    third = replace(response(["", "", ""]), targets=(Target("EC", 3, "Area", "D4"),))
    third = spool.stash("c.xlsx", replace(third, answers=(*third.answers[:2], replace(third.answers[2], score=4))))
    assert all(a is b for a, b in zip(first.answers, second.answers, strict=True))
    assert third.answers[0] is first.answers[0] and third.answers[2] is not first.answers[2]
    assert third.answers[2].score == 4 and first.answers[2].score == 3
    assert second.targets[0] is third.targets[0]
    assert second.answers == response(["", "", ""]).answers
    assert [spool.comments(p) for p in ("a.xlsx", "b.xlsx", "c.xlsx")] == [("said", "", ""), ("", "", "other"), None]


def test_collection_gives_each_return_its_own_comments(spool: CommentSpool) -> None:
    with_comments, without = response(["", "said", ""]), response(["", "", ""])
    reports = [
        FileReport("a.xlsx", FileStatus.ACCEPTED, response=spool.stash("a.xlsx", with_comments)),
        FileReport("b.xlsx", FileStatus.ACCEPTED, response=spool.stash("b.xlsx", without)),
    ]
    collection = Collection([LedgerEntry(r, r.status) for r in reports], spool=spool)
    assert [collection.comments(e) for e in collection.entries] == [("", "said", ""), ("", "", "")]


def test_a_path_stashed_again_without_comments_has_none(spool: CommentSpool) -> None:
    spool.stash("a.xlsx", response(["said"]))
    spool.stash("a.xlsx", response([""]))
    assert spool.comments("a.xlsx") is None


def test_comment_rows_are_the_commented_response_rows(spool: CommentSpool, rubric) -> None:
    """The Comments table's rows, made from the answers with a comment only, are those of response_rows that have
    one, in the same order, with the same levels (scored, Unscored, not answered)."""
    from nps_xlsx.collect.tables import comment_rows, response_rows

    codes = [code.id for code in rubric.value_codes]
    statuses = [("scored", 2), ("unscored", None), ("blank", None), ("scored", len(rubric.levels))]
    reports = []
    for r in range(3):
        answers = tuple(
            Answer(code, statuses[(i + r) % 4][0], statuses[(i + r) % 4][1], f"note {r}.{i}" if (i + r) % 3 else "")
            for i, code in enumerate(codes)
        )
        response = Response(f"Council {r}", None, None, None, None, None, {}, answers)
        if r == 2:  # a return without any comment
            response = Response(
                f"Council {r}",
                None,
                None,
                None,
                None,
                None,
                {},
                tuple(Answer(a.code_id, a.status, a.score, "") for a in answers),
            )
        path = f"r{r}.xlsx"
        reports.append(FileReport(path, FileStatus.ACCEPTED, response=spool.stash(path, response)))
    collection = Collection([LedgerEntry(r, r.status) for r in reports], spool=spool)
    plain = [(r[1], r[4], r[5], r[6], r[7], r[8]) for r in response_rows(collection, rubric) if r[8]]
    assert list(comment_rows(collection, rubric)) == plain
    assert {row[4] for row in plain} == {rubric.levels[1], rubric.unscored, "", rubric.levels[-1]}
    assert len(plain) == sum(1 for i in range(len(codes)) for r in range(2) if (i + r) % 3)
