"""Every command has help with an example and appears in the README; every config field is
documented in config/README.md."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from cli.main import cli
from pipeline.config import documented_fields
from pipeline.rules import _CLASSIFY_KEYS, _COOCCUR_KEYS, _SECTOR_KEYS

ROOT = Path(__file__).parent.parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CONFIG_README = (ROOT / "config" / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    """Every leaf command as ('sources check', command)."""
    found = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found += commands(command, f"{full} ")
        found.append((full, command))
    return found


@pytest.mark.parametrize(("name", "command"), commands(cli))
def test_every_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    assert command.help and "Example:" in command.help, name
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts}"


@pytest.mark.parametrize(("name", "command"), commands(cli))
def test_every_command_appears_in_the_readme(name: str, command: click.Command) -> None:
    assert f"newsdesk {name}" in README, name


def documented(text: str) -> set[str]:
    """Field names written as `field` in the first column of a table."""
    return set(re.findall(r"^\| `([a-z_.]+)` \|", text, re.M))


def test_every_source_and_settings_field_is_documented() -> None:
    fields = documented_fields()
    assert fields["sources"] - documented(CONFIG_README) == set()
    assert fields["settings"] - documented(CONFIG_README) == set()


def test_every_sectors_field_is_documented() -> None:
    names = {f"classify.{k}" for k in _CLASSIFY_KEYS} | {f"sector.{k}" for k in _SECTOR_KEYS}
    names |= {"classify", "sector"}
    assert names - documented(CONFIG_README) == set()
    for key in _COOCCUR_KEYS:
        assert f"`{key}`" in CONFIG_README
