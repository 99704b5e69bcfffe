"""Every file we write for people follows the umask but stays readable by the group (core.files).

A child process with the umask under test distributes templates, ingests a good and a bad file, writes the
report and keeps it as final; the parent then reads every mode in the workspace. Expected modes are written
out by hand for each umask.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support import REPO

CHILD = """
import os, sys
os.umask(int(sys.argv[2], 8))
from datetime import date
from pathlib import Path
from dvctt.distribution import distribute
from dvctt.pipeline import build_report, ingest
from dvctt.schedule import keep_final
from tests.support.factory import drop, set_ratio, template_for

ws = Path(sys.argv[1])
distribute(ws)
good, bad = template_for(ws, "12-SKHCN"), template_for(ws, "12-SNV")
set_ratio(good, "CB_TRUYENTHONG", 40, 50)
set_ratio(bad, "CB_TRUYENTHONG", 60, 50)
drop(ws, "12-SKHCN", good, "dung.xlsx")
drop(ws, "12-SNV", bad, "sai.xlsx")
summary = ingest(ws)
assert sorted(f.status for f in summary.files) == ["accepted", "quarantined"], summary.files
keep_final(ws, 2025, build_report(ws).path, date(2025, 12, 13), "thu")
"""
NOT_FOR_PEOPLE = {"workspace.yaml", "warehouse.sqlite", ".ingest.lock", ".migrate.lock"}
DROPPED = {"dung.xlsx", "sai.xlsx"}  # the units' own files, written by the child as a clerk would


@pytest.mark.parametrize(("umask", "file_mode", "dir_mode"), [(0o077, 0o640, 0o750), (0o002, 0o664, 0o775)],
                         ids=["restrictive_077", "permissive_002"])
def test_files_we_write_follow_the_umask_and_the_group_can_read_them(small_ws: Path, umask: int, file_mode: int,
                                                                     dir_mode: int) -> None:
    config = yaml.safe_load((small_ws / "workspace.yaml").read_text(encoding="utf-8"))
    config["reporting_levels"] = ["department", "press"]  # a dozen templates: the test stays fast
    (small_ws / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("DVCTT_WAREHOUSE_URL", None)
    done = subprocess.run([sys.executable, "-c", CHILD, str(small_ws), oct(umask)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    files, folders = {}, {}
    for path in small_ws.rglob("*"):
        if path.name in NOT_FOR_PEOPLE or path.name.startswith("warehouse.sqlite") or path.name in DROPPED:
            continue
        mode = stat.S_IMODE(path.lstat().st_mode)
        (folders if path.is_dir() else files)[path.relative_to(small_ws).as_posix()] = mode
    kinds = {
        "template": "outbox/bieu_mau/2025/bieu_mau_dvctt_12-SKHCN_2025.xlsx",
        "feedback": "inbox/12-SNV/phan_hoi/sai.phan_hoi.xlsx",
        "feedback text": "inbox/12-SNV/phan_hoi/sai.phan_hoi.txt",
        "report": "outbox/2025/bao_cao_dvctt_12_2025.xlsx",
        "final report": "outbox/2025/bao_cao_dvctt_12_2025_chinh_thuc_20251213.xlsx",
        "run page": "outbox/tiep_nhan/moi_nhat.html",
    }
    for kind, name in kinds.items():
        assert name in files, (kind, sorted(files))
    assert any(n.startswith("quarantine/12-SNV/") and n.endswith("-sai.xlsx") for n in files)
    assert any(n.endswith(".ly_do.txt") for n in files) and any(n.startswith("archive/") for n in files)
    assert {n: oct(m) for n, m in files.items() if m != file_mode} == {}
    assert {n: oct(m) for n, m in folders.items() if m != dir_mode} == {}
    assert "inbox/12-SKHCN" in folders and "inbox/12-SNV/phan_hoi" in folders
