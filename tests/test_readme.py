"""The README's copy-paste examples run against the real service, as a user would run them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from convdiag.settings import Settings
from testkit.support import ROOT
from tests.conftest import KEY_ACME

README = (ROOT / "README.md").read_text()
EXAMPLES = re.findall(r"<!-- example -->\n```(python|sh)\n(.*?)```", README, flags=re.S)


def test_the_readme_has_an_example_for_each_kind_of_user() -> None:
    sections = ("### A training script", "### A platform", "### A polling script")
    assert all(section in README for section in sections)
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize(("language", "code"), EXAMPLES, ids=[f"example-{i}" for i in range(len(EXAMPLES))])
def test_example_runs(language: str, code: str, api_url: str, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = {
        **os.environ,
        "CONVDIAG_URL": api_url,
        "CONVDIAG_API_KEY": KEY_ACME,
        # The examples call `convdiag` and `python3` as a user's shell would find them.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    command = (
        [sys.executable, "-c", code] if language == "python" else ["bash", "-euo", "pipefail", "-c", code]
    )
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    if "report.html" in code:
        assert "<svg" in (tmp_path / "report.html").read_text()


def test_every_setting_is_documented() -> None:
    configuration = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    for name in Settings.model_fields:
        assert f"`{name.upper()}`" in configuration, name
