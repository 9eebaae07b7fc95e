"""Docs are tests: the README names every command and option a steward can use, and the
two set-up commands come first."""
from pathlib import Path

from pipeline.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_and_option_is_in_readme():
    for name, command in cli.commands.items():
        assert f"crm-pipeline {name}" in README, name
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt not in ("--help", "--quiet", "--limit", "--seed", "--rows"):
                    assert opt in README, f"{name} {opt}"


def test_readme_opens_with_the_two_setup_commands():
    first_block = README.split("```", 2)[1]
    assert "make demo" in first_block and "make test" in first_block


def test_every_make_target_in_readme_exists():
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text(encoding="utf-8")
    for target in ("install", "demo", "run", "test", "bench", "docs"):
        assert f"\n{target}:" in makefile and f"make {target}" in README
