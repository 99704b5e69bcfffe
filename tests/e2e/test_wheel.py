"""The package as a user installs it: the built wheel, in a clean venv, in a folder with nothing beside it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from tests.support import REPO


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv") or str(REPO / ".uv-tool" / "bin" / "uv")
    assert Path(found).is_file(), "uv is needed to build and install the wheel (make test provides it)"
    return found


def test_the_wheel_installs_alone_and_runs_the_demo(tmp_path: Path) -> None:
    uv = _uv()
    dist, venv, alone = tmp_path / "dist", tmp_path / "venv", tmp_path / "alone"
    alone.mkdir()
    subprocess.run([uv, "build", "--wheel", "--out-dir", str(dist), str(REPO)], check=True, capture_output=True)
    wheel = next(dist.glob("dvctt-*.whl"))
    requirements = tmp_path / "requirements.txt"
    subprocess.run([uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--project", str(REPO),
                    "--output-file", str(requirements)], check=True, capture_output=True)
    subprocess.run([uv, "venv", "--python", "3.11", str(venv)], check=True, capture_output=True)
    subprocess.run([uv, "pip", "install", "--python", str(venv / "bin" / "python"), "-r", str(requirements),
                    str(wheel)], check=True, capture_output=True, env={**os.environ, "UV_LINK_MODE": "copy"})
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")
           and not k.startswith("DVCTT_")}
    run = subprocess.run([str(venv / "bin" / "dvctt"), "demo", "--workspace", "ws", "--json"], cwd=alone, env=env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    report = Path(json.loads(run.stdout)["report"]["path"])
    assert report.is_file() and alone in report.parents
    located = subprocess.run([str(venv / "bin" / "python"), "-c", "import core.resources, dvctt; "
                              "print(core.resources.DATA, dvctt.__file__)"], cwd=alone, env=env, capture_output=True,
                             text=True, check=True).stdout
    assert str(REPO) not in located and str(venv) in located  # the installed package, not the source tree
