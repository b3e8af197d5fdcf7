"""Every command of the CLI is documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.cli import COMMANDS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_cli_command_is_documented_in_readme(command):
    assert f"python -m training {command}" in README
