"""The README and ``--help`` name the same options (issue 10, point 11).

Each command's section of the README (``### `nps-xlsx <command>` ``) has a table of its options,
one row each, starting ``| `--option``. That set must equal the options the command's
``--help`` lists (bar ``--help`` itself), so neither can gain or lose an option alone. The options that
the commands of a group share (``mail invite``, ``mail chase``, ``mail replies``) are in the group's
section (``### `nps-xlsx mail` ``).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner

from nps_xlsx.cli import main

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "") -> list[str]:
    """Every command, a group's subcommands as ``group sub`` (``mail invite``)."""
    found = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += commands(command, f"{prefix}{name} ")
        else:
            found.append(prefix + name)
    return found


COMMANDS = commands(main)
OPTION = re.compile(r"--[a-z0-9][a-z0-9-]*")


def readme_section(command: str) -> str:
    """The README from the command's heading to the next heading of the same or a higher level."""
    match = re.search(rf"^### `nps-xlsx {command}`\n(.*?)(?=^#{{1,3}} )", README + "\n## end", re.S | re.M)
    assert match, f"README has no section '### `nps-xlsx {command}`'"
    return match[1]


def table_options(section: str) -> list[str]:
    """The options in the first column of a section's option table, in order."""
    rows = re.findall(r"^\| `([^`|]*)`", section, re.M)
    return [OPTION.match(cell)[0] for cell in rows if OPTION.match(cell)]


def readme_options(command: str) -> list[str]:
    """The options of the command's section, then, for a command of a group (``mail invite``), those of the
    group's section (``### `nps-xlsx mail` ``): the options its commands share."""
    options = table_options(readme_section(command))
    group = command.rpartition(" ")[0]
    return options + (table_options(readme_section(group)) if group else [])


def command_of(path: str) -> click.Command:
    command: click.Command = main
    for name in path.split():
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def help_text(command: str) -> str:
    result = CliRunner().invoke(main, [*command.split(), "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def help_options(command: str) -> set[str]:
    """Every long option the command accepts (as its --help lists them), bar --help."""
    names = set()
    for param in command_of(command).params:
        if isinstance(param, click.Option):
            names.update(name for name in (*param.opts, *param.secondary_opts) if name.startswith("--"))
    return names - {"--help"}


def test_every_command_has_an_option_table() -> None:
    assert COMMANDS
    for command in COMMANDS:
        assert table_options(readme_section(command)), f"README section for {command} has no option table"


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_table_lists_each_option_once(command: str) -> None:
    options = readme_options(command)
    assert len(options) == len(set(options))


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_options_are_the_help_options(command: str) -> None:
    assert set(readme_options(command)) == help_options(command)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_every_option(command: str) -> None:
    shown = set(OPTION.findall(help_text(command)))
    assert help_options(command) <= shown


@pytest.mark.parametrize("password", [None, "s3cret"])
def test_sheets_are_always_protected_with_a_password_only_when_given(tmp_path: Path, password: str | None) -> None:
    """What the README and --help say of --password: always protected; no password by default."""
    out = tmp_path / "template.xlsx"
    args = ["generate", "--out", str(out)] + (["--password", password] if password else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))
    assert all(sheet.protection.sheet for sheet in book.worksheets)
    assert all(bool(sheet.protection.password) == bool(password) for sheet in book.worksheets)
