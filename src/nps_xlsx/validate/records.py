"""What a report is made of crosses from a worker process to the parent, a hundred records a return."""

from __future__ import annotations

from operator import attrgetter
from typing import Any, ClassVar

_FIELDS: dict[type[Any], attrgetter[Any]] = {}  # each class's fields, got in C as one tuple


class ByConstructor:
    """A frozen dataclass pickled as a call to its class with its fields, in order.

    The default pickling of a frozen slots dataclass gets and sets each field in Python; a report holds about
    sixty answers, so unpickling it that way is a third slower. Every field must be an ``__init__`` argument.
    """

    __slots__ = ()
    __match_args__: ClassVar[tuple[str, ...]]

    def __reduce__(self) -> tuple[type[Any], tuple[Any, ...]]:
        cls = type(self)
        fields = _FIELDS.get(cls)
        if fields is None:
            fields = _FIELDS[cls] = attrgetter(*cls.__match_args__)
        return cls, fields(self)
