"""Every `dvctt` command given bad input ends as one Vietnamese line on stderr with a non-zero exit, never a
traceback and never English (issue 16.10): exit 1 when the data, configuration or environment is wrong, exit 2
when the command line itself cannot be read (as click does, but in Vietnamese).

The table runs in-process (typer's CliRunner: the same `_Commands.main` as the installed script); a few cases
run the installed `dvctt` script in a subprocess, where a traceback would really reach the terminal.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from core.resources import MERGES_FILE, REGISTRY_FILE, data_file
from dvctt.cli import app
from tests.support.messages import assert_vietnamese_line

DVCTT = Path(sys.executable).with_name("dvctt")


@dataclass
class Env:
    tmp: Path
    ws: Path  # a valid Lai Châu 2025 workspace (configuration only)

    @property
    def a_file(self) -> Path:
        path = self.tmp / "a_file.txt"
        path.write_text("không phải thư mục")
        return path

    def config(self, **changes: object) -> Path:
        """A copy of the workspace with keys of workspace.yaml changed (None removes one)."""
        ws = self.tmp / f"ws_{len(list(self.tmp.glob('ws_*')))}"
        shutil.copytree(self.ws, ws)
        data = yaml.safe_load((ws / "workspace.yaml").read_text(encoding="utf-8"))
        for key, value in changes.items():
            if value is None:
                data.pop(key)
            else:
                data[key] = value
        (ws / "workspace.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return ws

    def yaml_text(self, text: str) -> Path:
        ws = self.tmp / f"ws_{len(list(self.tmp.glob('ws_*')))}"
        ws.mkdir()
        (ws / "workspace.yaml").write_text(text, encoding="utf-8")
        return ws

    def registry(self, damage: Callable[[Path], None]) -> Path:
        folder = self.tmp / f"units_{len(list(self.tmp.glob('units_*')))}"
        folder.mkdir()
        for name in (REGISTRY_FILE, MERGES_FILE):
            (folder / f"{name}.gz").write_bytes(data_file(f"units/{name}.gz").read_bytes())
        damage(folder)
        return self.config(registry={"dir": str(folder)})


def _corrupt_json(folder: Path) -> None:
    (folder / f"{REGISTRY_FILE}.gz").unlink()
    (folder / REGISTRY_FILE).write_text('{"data": [{"level1_id": "01", ', encoding="utf-8")


def _corrupt_gzip(folder: Path) -> None:
    packed = folder / f"{REGISTRY_FILE}.gz"
    packed.write_bytes(packed.read_bytes()[:1000])


def _truncated_json_in_gzip(folder: Path) -> None:
    (folder / f"{MERGES_FILE}.gz").write_bytes(gzip.compress(b'{"data": [ {"level1_id": '))


W = "--workspace"
# (id, arguments from the environment, exit code, a fragment the line must hold)
CASES: list[tuple[str, Callable[[Env], list[str]], int, str]] = [
    # workspace folder
    ("ingest-missing-folder", lambda e: ["ingest", W, str(e.tmp / "khong_co")], 1, "Không tìm thấy thư mục workspace"),
    ("ingest-a-file", lambda e: ["ingest", W, str(e.a_file)], 1, "là một tệp, không phải thư mục"),
    ("portal-a-file", lambda e: ["portal", W, str(e.a_file)], 1, "là một tệp"),
    ("report-no-yaml", lambda e: ["report", W, str(e.tmp)], 1, "workspace.yaml"),
    ("run-missing-folder", lambda e: ["run", W, str(e.tmp / "khong_co")], 1, "Không tìm thấy thư mục"),
    ("reminders-a-file", lambda e: ["reminders", W, str(e.a_file)], 1, "là một tệp"),
    ("template-a-file", lambda e: ["template", W, str(e.a_file), "--unit", "03386", "-o", str(e.tmp / "m.xlsx")], 1,
     "là một tệp"),
    ("init-unknown-profile", lambda e: ["init", W, str(e.tmp / "moi"), "--profile", "ha-noi"], 1,
     "Không có hồ sơ địa phương «ha-noi»"),
    ("init-over-a-config", lambda e: ["init", W, str(e.ws), "--profile", "lai-chau"], 1, "không ghi đè"),
    ("deadline-before-cutoff", lambda e: ["report", W, str(e.config(document={"deadline": "30/11"}))], 1,
     "document.deadline 30/11 đứng trước ngày chốt số liệu 14/12/2025"),
    ("deadline-before-cutoff-other-year", lambda e: ["report", W, str(e.config(
        document={"deadline": "30/11"}, window={"start": "2024-12-15", "end": "2025-11-29"})), "--year", "2024"], 1,
     "Không lập được báo cáo năm 2024: hạn gửi báo cáo document.deadline 30/11"),
    # workspace.yaml
    ("extra-key", lambda e: ["report", W, str(e.config(tinh="12"))], 1, "khóa `tinh`"),
    ("not-a-string", lambda e: ["report", W, str(e.config(lead_agency=["a", "b"]))], 1, "phải là một đoạn chữ"),
    ("field-required", lambda e: ["ingest", W, str(e.config(province=None))], 1, "bắt buộc phải có"),
    ("pattern", lambda e: ["report", W, str(e.config(province="1"))], 1, "mã tỉnh gồm 2 chữ số"),
    ("wrong-type", lambda e: ["report", W, str(e.config(year="năm nay"))], 1, "số nguyên"),
    ("duplicate-key", lambda e: ["report", W, str(e.yaml_text('province: "12"\nyear: 2025\nyear: 2024\n'))], 1,
     "ghi hai lần"),
    ("yaml-syntax", lambda e: ["portal", W, str(e.yaml_text('province: "12"\nyear: 2025\nlead_agency: a: b\n'))], 1,
     "dòng 3"),
    ("unknown-province", lambda e: ["report", W, str(e.config(province="99"))], 1, "Mã tỉnh 99"),
    # registry
    ("registry-corrupt-json", lambda e: ["report", W, str(e.registry(_corrupt_json))], 1, "không phải JSON hợp lệ"),
    ("registry-corrupt-gz", lambda e: ["report", W, str(e.registry(_corrupt_gzip))], 1, "gzip bị hỏng"),
    ("registry-truncated", lambda e: ["report", W, str(e.registry(_truncated_json_in_gzip))], 1, "JSON hợp lệ"),
    ("registry-missing", lambda e: ["report", W, str(e.registry(lambda f: (f / f"{MERGES_FILE}.gz").unlink()))], 1,
     "Không tìm thấy danh mục"),
    ("registry-dir-is-file", lambda e: ["report", W, str(e.config(registry={"dir": str(e.a_file)}))], 1,
     "là một tệp, không phải thư mục"),
    # warehouse
    ("warehouse-no-database", lambda e: ["report", W, str(e.config(
        warehouse_url="postgresql+psycopg2://postgres@127.0.0.1:5432/dvctt_khong_co_csdl_nay"))], 1, "createdb"),
    ("warehouse-unknown-driver", lambda e: ["ingest", W, str(e.config(warehouse_url="mysql://u:p@h/d"))], 1,
     "không được hỗ trợ"),
    ("warehouse-bad-url", lambda e: ["portal", W, str(e.config(warehouse_url="khong phai url"))], 1, "không đúng dạng"),
    # arguments
    ("report-year-out-of-range", lambda e: ["report", W, str(e.ws), "--year", "2023"], 1, "từ 2024"),
    ("report-unknown-unit", lambda e: ["report", W, str(e.ws), "--unit", "XYZ"], 1, "«XYZ»"),
    ("report-bad-date", lambda e: ["report", W, str(e.ws), "--from", "31/02/2025"], 1, "DD/MM/YYYY"),
    ("report-window-reversed", lambda e: ["report", W, str(e.ws), "--from", "01/06/2025", "--to", "01/01/2025"], 1,
     "trước ngày bắt đầu"),
    ("demo-province-1", lambda e: ["demo", W, str(e.tmp / "demo"), "--province", "1"], 1, "--province"),
    ("demo-province-99", lambda e: ["demo", W, str(e.tmp / "demo"), "--province", "99"], 1, "Mã tỉnh 99"),
    ("demo-year-1999", lambda e: ["demo", W, str(e.tmp / "demo"), "--year", "1999"], 1, "≥ 2024"),
    ("demo-into-a-file", lambda e: ["demo", W, str(e.a_file)], 1, "là một tệp"),
    ("template-unknown-unit", lambda e: ["template", W, str(e.ws), "--unit", "NOPE", "-o", str(e.tmp / "m.xlsx")], 1,
     "«NOPE»"),
    ("template-into-a-folder", lambda e: ["template", W, str(e.ws), "--unit", "03386", "-o", str(e.tmp)], 1,
     "là một thư mục"),
    ("reminders-bad-date", lambda e: ["reminders", W, str(e.ws), "--date", "2025-13-01"], 1, "YYYY-MM-DD"),
    ("rebuild-without-journal", lambda e: ["rebuild", W, str(e.ws)], 1, "Không có sổ ghi nhận tệp đến"),
    ("rebuild-missing-workspace", lambda e: ["rebuild", W, str(e.tmp / "khong_co")], 1, "khong_co"),
    # command lines that cannot be read: exit 2
    ("unknown-command", lambda e: ["tonghop"], 2, "Không có lệnh «tonghop»"),
    ("unknown-option", lambda e: ["report", W, str(e.ws), "--nam", "2025"], 2, "không có tùy chọn --nam"),
    ("year-not-a-number", lambda e: ["report", W, str(e.ws), "--year", "abc"], 2, "--year: phải là một số nguyên"),
    ("hierarchy-out-of-range", lambda e: ["run", W, str(e.ws), "--hierarchy", "4"], 2, "--hierarchy: phải ≤ 3"),
    ("missing-required-option", lambda e: ["template", W, str(e.ws)], 2, "Cần --unit MÃ -o TỆP.xlsx"),
    ("unit-and-all", lambda e: ["template", W, str(e.ws), "--all", "--unit", "03386"], 2, "hoặc --all"),
    ("missing-option-value", lambda e: ["report", W, str(e.ws), "--unit"], 2, "cần một giá trị"),
    ("option-without-value", lambda e: ["portal", W, str(e.ws), "--year"], 2, "cần một giá trị"),
    ("extra-argument", lambda e: ["ingest", W, str(e.ws), "2025"], 2, "Thừa giá trị «2025»"),
    ("demo-year-not-a-number", lambda e: ["demo", "--year", "hai"], 2, "--year"),
]


@pytest.fixture
def env(small_ws: Path, tmp_path: Path) -> Env:
    tmp = tmp_path / "cases"
    tmp.mkdir()
    return Env(tmp, small_ws)


@pytest.mark.parametrize(("args", "code", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_vietnamese_line(env: Env, args: Callable[[Env], list[str]], code: int,
                                          fragment: str) -> None:
    result = CliRunner().invoke(app, args(env))
    assert isinstance(result.exception, SystemExit), result.exception  # handled, not a crash
    assert result.exit_code == code, result.stderr
    line = assert_vietnamese_line(result.stderr)
    assert line.startswith("Lỗi: ") and fragment in line, line
    assert result.stdout == ""


def test_every_command_is_covered(env: Env) -> None:
    """A new command joins the table above (`dvctt --help` lists them)."""
    import typer.main

    group = typer.main.get_command(app)
    commands = set(group.list_commands(None))  # type: ignore[arg-type]
    covered = {args(env)[0] for _, args, _, _ in CASES}
    assert commands - covered == set(), f"no bad-input case for: {commands - covered}"


def test_a_failed_demo_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "moi" / "demo"
    for args in (["--province", "1"], ["--province", "99"], ["--year", "2200"]):
        result = CliRunner().invoke(app, ["demo", W, str(target), *args])
        assert result.exit_code == 1
        assert_vietnamese_line(result.stderr)
    assert list(tmp_path.iterdir()) == []  # no empty folder, not even the parent


def run_script(*args: str, preexec: list[str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "60"}  # a narrow terminal must not wrap the line either
    env.pop("DVCTT_DEBUG", None)
    return subprocess.run([*(preexec or []), str(DVCTT), *args], capture_output=True, text=True, timeout=300, env=env)


def test_installed_script_never_prints_a_traceback(env: Env) -> None:
    cases = [
        (["demo", W, str(env.tmp / "d"), "--province", "1"], "--province"),
        (["ingest", W, str(env.a_file)], "là một tệp"),
        (["report", W, str(env.registry(_corrupt_json))], "JSON"),
        (["report", W, str(env.config(contacts={"x y": "a@b.vn"}))], "mã đơn vị không hợp lệ"),
        (["report", W, str(env.ws), "--hierarchy", "9"], "--hierarchy"),
    ]
    for args, fragment in cases:
        proc = run_script(*args)
        assert proc.returncode in (1, 2), proc.stderr
        assert fragment in assert_vietnamese_line(proc.stderr), args
    assert not (env.tmp / "d").exists()


def test_a_bug_is_one_line_too_unless_debugging(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected exception (a bug) is still one Vietnamese line, naming the exception; DVCTT_DEBUG=1 shows it."""
    import dvctt.pipeline

    def broken(*_a: object, **_k: object) -> None:
        raise KeyError("cot_khong_co")

    monkeypatch.setattr(dvctt.pipeline, "build_report", broken)
    result = CliRunner().invoke(app, ["report", W, str(env.ws)])
    assert result.exit_code == 1
    line = assert_vietnamese_line(result.stderr.replace("KeyError", "Key-Error"))
    assert "Lỗi ngoài dự kiến" in line and "DVCTT_DEBUG=1" in line
    monkeypatch.setenv("DVCTT_DEBUG", "1")
    result = CliRunner().invoke(app, ["report", W, str(env.ws)])
    assert isinstance(result.exception, KeyError)


def test_workspace_without_permission(env: Env) -> None:
    """Run as a process that cannot override file permissions (root without CAP_DAC_OVERRIDE, or any user)."""
    drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"] if os.geteuid() == 0 else []
    if drop and shutil.which("setpriv") is None:
        pytest.fail("setpriv (util-linux) is needed to test permissions as root")
    unreadable, read_only = env.config(), env.config()
    unreadable.chmod(0)
    read_only.chmod(0o555)
    try:
        proc = run_script("report", W, str(unreadable), preexec=drop)
        assert proc.returncode == 1
        assert "Không có quyền đọc thư mục workspace" in assert_vietnamese_line(proc.stderr)
        proc = run_script("ingest", W, str(read_only), preexec=drop)
        assert proc.returncode == 1
        assert "không có quyền truy cập" in assert_vietnamese_line(proc.stderr)
    finally:
        unreadable.chmod(0o755)
        read_only.chmod(0o755)
