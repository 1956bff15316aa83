"""Every command group documents its commands."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("group", "listed"),
    [
        ("db", {"upgrade", "downgrade", "current"}),
        ("users", {"list", "set-role", "deactivate", "activate", "delete"}),
    ],
)
def test_each_group_help_lists_its_commands(quill, group, listed):
    result = quill(group, "--help")

    assert result.exit_code == 0, result.output
    assert listed <= set(result.stdout.split("Commands:")[1].split())
