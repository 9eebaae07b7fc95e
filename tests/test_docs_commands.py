"""The commands a steward copies from README.md and docs/使用指南.md work as written on a fresh
clone: every line of the guide's ``sh`` blocks and README's ``make demo`` run in a clone of
the committed tree (no input/, output/ or demo/), with this checkout's installed .venv linked
in (installing again would need the package registry)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "使用指南.md"
README = ROOT / "README.md"


def sh_commands(text: str) -> list[str]:
    """Lines of the fenced ``sh`` blocks (comments and blank lines left out)."""
    out = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        out += [line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith("#")]
    return out


def test_the_guide_is_linked_first_from_readme():
    text = README.read_text(encoding="utf-8")
    first_link = re.search(r"\]\(([^)]+)\)", text).group(1)
    assert first_link == "docs/使用指南.md"


def test_guide_and_readme_commands_run_on_a_fresh_clone(tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    venv = ROOT / ".venv"
    if not (venv / "bin" / "crm-pipeline").exists():
        pytest.skip("no installed .venv to link")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True, timeout=120)
    (clone / ".venv").symlink_to(venv)
    old = (venv / ".installed").stat().st_mtime - 60 if (venv / ".installed").exists() else 0
    os.utime(clone / "pyproject.toml", (old, old))        # `make install` sees the venv as current
    guide = sh_commands((clone / "docs" / "使用指南.md").read_text(encoding="utf-8"))
    readme = [c.split("#")[0].strip() for c in sh_commands((clone / "README.md").read_text(encoding="utf-8"))
              if c.startswith("make demo")]
    assert readme == ["make demo"] and any(c.startswith(".venv/bin/crm-pipeline run") for c in guide)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    for command in readme + guide:
        done = subprocess.run(command, shell=True, cwd=clone, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert (clone / "demo" / "output" / "2026-11" / "report.html").is_file()
    assert (clone / "demo" / "output" / "2026Q4" / "季度客户评审.xlsx").is_file()
    assert list((clone / "demo" / "output" / "确认单" / "2026-11").glob("KH00000001_*.html"))
