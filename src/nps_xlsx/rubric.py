"""The rubric: key areas, value codes and level statements, loaded from YAML.

A rubric file is data; any file following the schema below works with
``--rubric``. Loading is strict: a missing or unknown key, a duplicate ID or a
value code without one statement per level fails with the file, line and place.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import yaml

from .errors import RubricError
from .layout import check_sheet_name

SCHEMA = "nps-xlsx-rubric/1"
ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,15}$")
MIN_LEVELS, MAX_LEVELS = 2, 9

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class ValueCode:
    """One scored question, with a statement for each level."""

    id: str
    name: str
    description: str
    statements: tuple[str, ...]


@dataclass(frozen=True)
class KeyArea:
    """A key area: its introduction and its value codes, shown on one sheet."""

    id: str
    name: str
    sheet: str
    introduction: str
    what_it_is: str
    why_it_is_important: str
    value_codes: tuple[ValueCode, ...]


@dataclass(frozen=True)
class Guidance:
    """Text for the cover sheet."""

    about: str
    how_to_complete: str


@dataclass(frozen=True)
class Rubric:
    """A whole diagnostic. ``fingerprint`` is a hash of all of its content."""

    id: str
    version: str
    title: str
    short_title: str
    levels: tuple[str, ...]
    unscored: str
    guidance: Guidance
    areas: tuple[KeyArea, ...]

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the rubric's content in a canonical JSON form."""
        canonical = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def value_codes(self) -> tuple[ValueCode, ...]:
        """Every value code, in rubric order."""
        return tuple(code for area in self.areas for code in area.value_codes)

    def area_of(self, code_id: str) -> KeyArea:
        """The key area holding the value code ``code_id``."""
        for area in self.areas:
            if any(code.id == code_id for code in area.value_codes):
                return area
        raise KeyError(code_id)


def default_rubric_path() -> Path:
    """The bundled NPS 2018 rubric (inside the installed package, or the repo's ``rubric/``)."""
    bundled = resources.files("nps_xlsx") / "rubric" / "nps2018.yaml"
    if bundled.is_file():
        return Path(str(bundled))
    return Path(__file__).resolve().parents[2] / "rubric" / "nps2018.yaml"


def load_rubric(path: Path | str | None = None) -> Rubric:
    """Load and check a rubric file; ``None`` loads the bundled NPS 2018 rubric."""
    path = Path(path) if path is not None else default_rubric_path()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError(f"{path}: cannot read the rubric file: {exc}") from exc
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise RubricError(f"{path}: not valid YAML: {exc}") from exc
    if root is None:
        raise RubricError(f"{path}: the rubric file is empty")
    return _RubricReader(path).rubric(root)


class _RubricReader:
    """Builds a :class:`Rubric` from YAML nodes, failing with file, line and place."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: yaml.Node, where: str, message: str) -> RubricError:
        return RubricError(f"{self.path}:{node.start_mark.line + 1}: {where}: {message}")

    def mapping(
        self, node: yaml.Node, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, where, "expected a mapping of keys to values")
        found: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key in found:
                raise self.fail(key_node, where, f"duplicate key {key!r}")
            if key not in required + optional:
                raise self.fail(key_node, where, f"unknown key {key!r}; expected {', '.join(required + optional)}")
            found[key] = value_node
        for key in required:
            if key not in found:
                raise self.fail(node, where, f"missing key {key!r}")
        return found

    def text(self, node: yaml.Node, where: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or not node.value.strip():
            raise self.fail(node, where, "expected non-empty text")
        return node.value.strip()

    def texts(self, node: yaml.Node, where: str) -> list[str]:
        return [self.text(item, f"{where}[{i}]") for i, item in enumerate(self.sequence(node, where))]

    def sequence(self, node: yaml.Node, where: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            raise self.fail(node, where, "expected a non-empty list")
        return node.value

    def identifier(self, node: yaml.Node, where: str, seen: dict[str, yaml.Node]) -> str:
        value = self.text(node, where)
        if not ID_PATTERN.match(value):
            raise self.fail(node, where, f"ID {value!r} must be a letter then up to 15 letters or digits")
        if value.upper() in seen:
            first = seen[value.upper()].start_mark.line + 1
            raise self.fail(node, where, f"duplicate ID {value!r} (first used on line {first})")
        seen[value.upper()] = node
        return value

    def rubric(self, root: yaml.Node) -> Rubric:
        keys = self.mapping(
            root,
            "rubric",
            ("schema", "id", "version", "title", "levels", "unscored", "guidance", "areas"),
            ("short_title",),
        )
        schema = self.text(keys["schema"], "schema")
        if schema != SCHEMA:
            raise self.fail(keys["schema"], "schema", f"is {schema!r}; this tool reads {SCHEMA!r}")
        levels = self.texts(keys["levels"], "levels")
        if not MIN_LEVELS <= len(levels) <= MAX_LEVELS:
            raise self.fail(
                keys["levels"], "levels", f"has {len(levels)} levels; expected {MIN_LEVELS} to {MAX_LEVELS}"
            )
        guidance = self.mapping(keys["guidance"], "guidance", ("about", "how_to_complete"))
        ids: dict[str, yaml.Node] = {}
        sheets: dict[str, str] = {}
        areas = tuple(
            self.area(node, f"areas[{i}]", len(levels), ids, sheets)
            for i, node in enumerate(self.sequence(keys["areas"], "areas"))
        )
        title = self.text(keys["title"], "title")
        return Rubric(
            id=self.text(keys["id"], "id"),
            version=self.text(keys["version"], "version"),
            title=title,
            short_title=self.text(keys["short_title"], "short_title") if "short_title" in keys else title,
            levels=tuple(levels),
            unscored=self.text(keys["unscored"], "unscored"),
            guidance=Guidance(
                about=self.text(guidance["about"], "guidance.about"),
                how_to_complete=self.text(guidance["how_to_complete"], "guidance.how_to_complete"),
            ),
            areas=areas,
        )

    def area(
        self, node: yaml.Node, where: str, n_levels: int, ids: dict[str, yaml.Node], sheets: dict[str, str]
    ) -> KeyArea:
        keys = self.mapping(
            node, where, ("id", "name", "introduction", "what_it_is", "why_it_is_important", "value_codes"), ("sheet",)
        )
        area_id = self.identifier(keys["id"], f"{where}.id", ids)
        name = self.text(keys["name"], f"{where}.name")
        sheet_node = keys.get("sheet", keys["name"])
        sheet = self.text(sheet_node, f"{where}.sheet")
        problem = check_sheet_name(sheet)
        if problem:
            raise self.fail(sheet_node, f"{where} ({area_id})", f"sheet name {sheet!r} {problem}; set a 'sheet' key")
        if sheet.casefold() in sheets:
            raise self.fail(
                sheet_node,
                f"{where} ({area_id})",
                f"sheet name {sheet!r} is already used by {sheets[sheet.casefold()]}",
            )
        sheets[sheet.casefold()] = area_id
        codes = tuple(
            self.value_code(code, f"{where}.value_codes[{i}]", n_levels, ids)
            for i, code in enumerate(self.sequence(keys["value_codes"], f"{where}.value_codes"))
        )
        return KeyArea(
            id=area_id,
            name=name,
            sheet=sheet,
            introduction=self.text(keys["introduction"], f"{where}.introduction"),
            what_it_is=self.text(keys["what_it_is"], f"{where}.what_it_is"),
            why_it_is_important=self.text(keys["why_it_is_important"], f"{where}.why_it_is_important"),
            value_codes=codes,
        )

    def value_code(self, node: yaml.Node, where: str, n_levels: int, ids: dict[str, yaml.Node]) -> ValueCode:
        keys = self.mapping(node, where, ("id", "name", "description", "statements"))
        code_id = self.identifier(keys["id"], f"{where}.id", ids)
        statements = self.texts(keys["statements"], f"{where}.statements ({code_id})")
        if len(statements) != n_levels:
            raise self.fail(
                keys["statements"],
                f"{where}.statements ({code_id})",
                f"has {len(statements)} statements; expected one per level ({n_levels})",
            )
        return ValueCode(
            id=code_id,
            name=self.text(keys["name"], f"{where}.name ({code_id})"),
            description=self.text(keys["description"], f"{where}.description ({code_id})"),
            statements=tuple(statements),
        )
