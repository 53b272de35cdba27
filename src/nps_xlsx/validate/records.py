"""What a report is made of crosses from a worker process to the parent, a hundred records a return."""

from __future__ import annotations

from dataclasses import MISSING, fields, is_dataclass
from operator import attrgetter
from typing import Any, ClassVar, TypeVar

_FIELDS: dict[type[Any], attrgetter[Any]] = {}  # each class's fields, got in C as one tuple
R = TypeVar("R", bound="ByConstructor")


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


def slot_init(cls: type[R]) -> type[R]:
    """Give a frozen slots dataclass (made by ``@dataclass(frozen=True, slots=True)``, under this) an ``__init__``
    that sets each field through its slot, in C.

    The one dataclasses writes sets each through ``object.__setattr__`` (the class's own refuses), looked up by
    name, which is three times as slow: a report's hundred records are made in the worker, then again in the
    parent as they are unpickled. Fields are plain: positional, perhaps with a default value (no factory), and
    no ``__post_init__``; anything else is refused here, when the class is made.
    """
    if not is_dataclass(cls) or not cls.__dataclass_params__.frozen or "__slots__" not in vars(cls):
        raise TypeError(f"{cls.__name__} is not a frozen slots dataclass")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__")
    params, lines, names = [], [], {}
    for i, field in enumerate(fields(cls)):
        if field.default_factory is not MISSING or field.kw_only or not field.init:
            raise TypeError(f"{cls.__name__}.{field.name} is not a plain field")
        if field.default is MISSING:
            params.append(field.name)
        else:
            params.append(f"{field.name}=_default{i}")
            names[f"_default{i}"] = field.default
        names[f"_set{i}"] = getattr(cls, field.name).__set__  # the slot's descriptor
        lines.append(f"    _set{i}(self, {field.name})\n")
    exec(f"def __init__(self, {', '.join(params)}):\n{''.join(lines)}", names)  # as dataclasses makes its own
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init
    return cls
