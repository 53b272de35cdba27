"""The records a report is made of: made through their slots, pickled as calls to their classes."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field

import pytest

from nps_xlsx.validate.issues import Issue, Location
from nps_xlsx.validate.records import ByConstructor, slot_init
from nps_xlsx.validate.response import Answer, Response, Target


@dataclass(frozen=True, slots=True)
class Plain(ByConstructor):
    """What :func:`slot_init` must give: dataclasses' own ``__init__``."""

    a: str
    b: int | None
    c: str | None = None
    d: tuple[str, ...] = ()


@slot_init
@dataclass(frozen=True, slots=True)
class Slotted(ByConstructor):
    a: str
    b: int | None
    c: str | None = None
    d: tuple[str, ...] = ()


@pytest.mark.parametrize(
    "args, kwargs",
    [(("x", 1), {}), (("x", None, "c", ("d",)), {}), (("x",), {"b": 2, "d": ("e",)}), ((), {"a": "x", "b": 3})],
)
def test_a_record_is_made_as_dataclasses_would_make_it(args: tuple, kwargs: dict) -> None:
    made, expected = Slotted(*args, **kwargs), Plain(*args, **kwargs)
    assert dataclasses.astuple(made) == dataclasses.astuple(expected)
    assert repr(made) == repr(expected).replace("Plain", "Slotted")
    assert made == Slotted(*dataclasses.astuple(expected)) and hash(made) == hash(Slotted(*dataclasses.astuple(made)))
    assert pickle.loads(pickle.dumps(made)) == made
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.a = "y"  # type: ignore[misc]
    assert dataclasses.replace(made, c="z").c == "z"


def test_wrong_arguments_are_refused_as_by_dataclasses() -> None:
    for call in (lambda cls: cls(), lambda cls: cls("x", 1, "c", (), "extra"), lambda cls: cls("x", 1, e=2)):
        with pytest.raises(TypeError):
            call(Plain)
        with pytest.raises(TypeError):
            call(Slotted)


def test_the_report_records_are_made_through_their_slots() -> None:
    location = Location("f.xlsx", "Sheet", "A1")
    records = [
        Answer("EC1", "scored", 3, "text", "Sheet", "I5", "L5", "High", "Yes", "J5", "K5"),
        Target("EC", 2, "Sheet", "C3"),
        Issue("score-blank", "warning", location, "EC1", None, "not answered"),
        location,
        Response("Council", "E1", None, None, None, None, {}, ()),
    ]
    for record in records:
        assert type(record).__init__.__qualname__ == f"{type(record).__name__}.__init__"
        assert "_set0" in type(record).__init__.__globals__  # ours, not dataclasses'
        assert pickle.loads(pickle.dumps(record)) == record


def test_only_plain_frozen_slots_dataclasses_are_taken() -> None:
    @dataclass(frozen=True)
    class NoSlots:
        a: str

    @dataclass(slots=True)
    class NotFrozen:
        a: str

    @dataclass(frozen=True, slots=True)
    class Factory:
        a: list[str] = field(default_factory=list)

    @dataclass(frozen=True, slots=True)
    class KeywordOnly:
        a: str = field(kw_only=True)

    @dataclass(frozen=True, slots=True)
    class PostInit:
        a: str

        def __post_init__(self) -> None:
            pass

    for cls in (NoSlots, NotFrozen, Factory, KeywordOnly, PostInit):
        with pytest.raises(TypeError):
            slot_init(cls)  # type: ignore[type-var]
