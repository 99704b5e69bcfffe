"""The production files read as IT will use them: docker-compose.yaml (who gets which secret, what is mounted),
the image's build context, the containers' entrypoint refusing placeholder secrets, and deploy/make_env.py.

`make compose-test` (deploy/compose-test.sh) runs the stack itself; these checks are the fast part, in every
`make test`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
AIRFLOW_SERVICES = ["airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
                    "airflow-triggerer", "airflow-worker"]


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    return yaml.safe_load((REPO / "docker-compose.yaml").read_text(encoding="utf-8"))["services"]


def _env(service: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in (service.get("environment") or {}).items()}


def _with(services: dict[str, Any], key: str) -> set[str]:
    return {name for name, service in services.items() if key in _env(service)}


def test_each_secret_goes_only_to_the_services_that_use_it(services: dict[str, Any]) -> None:
    assert _with(services, "DVCTT_WAREHOUSE_URL") == {"airflow-init", "airflow-worker"}
    assert _with(services, "AIRFLOW_CONN_SMTP_DEFAULT") == {"airflow-worker", "airflow-dag-processor"}
    assert _with(services, "_AIRFLOW_WWW_USER_PASSWORD") == {"airflow-init"}
    assert _with(services, "AIRFLOW__CELERY__BROKER_URL") == {"airflow-scheduler", "airflow-worker"}
    assert _with(services, "POSTGRES_PASSWORD") == {"postgres"}
    assert _with(services, "REDIS_PASSWORD") == {"redis"}
    assert _with(services, "DVCTT_SMTP_PASSWORD") == set()  # the CLI's own mail password: never in the stack


def test_only_the_workspace_and_the_logs_are_mounted(services: dict[str, Any]) -> None:
    """No repository, .env or .git in any container: the code is in the image, the registries in the wheel."""
    for name in AIRFLOW_SERVICES:
        mounts = {re.search(r":(/[^:]*)(:ro)?$", m).group(1): m for m in services[name].get("volumes", [])}
        assert set(mounts) <= {"/opt/airflow/logs", "/data/workspace"}, name
    workspace = {name: services[name]["volumes"][-1] for name in AIRFLOW_SERVICES
                 if any(":/data/workspace" in m for m in services[name].get("volumes", []))}
    assert set(workspace) == {"airflow-init", "airflow-dag-processor", "airflow-worker"}
    assert workspace["airflow-dag-processor"].endswith(":ro")  # it only reads workspace.yaml
    assert not workspace["airflow-worker"].endswith(":ro")


def test_one_service_builds_the_image_and_every_airflow_container_has_a_timezone(services: dict[str, Any]) -> None:
    assert {name for name, s in services.items() if "build" in s} == {"airflow-init"}
    assert services["airflow-init"]["build"]["dockerfile"] == "deploy/Containerfile"
    for name in AIRFLOW_SERVICES:
        assert _env(services[name])["TZ"] == "${TZ:-Asia/Ho_Chi_Minh}", name
    assert services["postgres"]["image"] == "postgres:16" and services["redis"]["image"] == "redis:7.2-bookworm"
    override = yaml.safe_load((REPO / "deploy" / "compose.podman.yaml").read_text(encoding="utf-8"))["services"]
    assert {name: set(s) for name, s in override.items()} == {"postgres": {"image"}, "redis": {"image"}}


def test_init_hands_over_the_whole_tree_the_pipeline_writes(services: dict[str, Any]) -> None:
    script = services["airflow-init"]["command"][1]
    for tree in ("/data/workspace/archive", "/data/workspace/outbox", "/data/workspace/quarantine"):
        assert tree in script.split("chown -R")[2], tree  # recursively, not only the top of the workspace
    assert "-name phan_hoi -exec chown -R" in script


def test_the_build_context_leaves_out_env_git_and_workspaces() -> None:
    lines = [line for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    assert lines[0] == "*"  # everything excluded first, then only what the Containerfile copies
    assert not [line for line in lines if ".env" in line or ".git" in line or "workspace" in line]


def _entrypoint(**env: str) -> subprocess.CompletedProcess:
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return subprocess.run(["bash", str(REPO / "deploy" / "entrypoint.sh"), "python", "-c", "print('started')"],
                          env={"PATH": path, "HOME": os.environ.get("HOME", "/tmp"), **env}, capture_output=True,
                          text=True, timeout=60)


def test_containers_refuse_placeholder_secrets_and_a_malformed_fernet_key() -> None:
    from cryptography.fernet import Fernet

    placeholder = _entrypoint(AIRFLOW__API__SECRET_KEY="change-me")
    assert placeholder.returncode == 78 and "AIRFLOW__API__SECRET_KEY" in placeholder.stderr
    inside_url = _entrypoint(DVCTT_WAREHOUSE_URL="postgresql+psycopg2://dvctt:change-me@postgres/dvctt")
    assert inside_url.returncode == 78 and "DVCTT_WAREHOUSE_URL" in inside_url.stderr
    not_fernet = _entrypoint(AIRFLOW__CORE__FERNET_KEY="a-long-but-not-fernet-secret")
    assert not_fernet.returncode == 78 and "Fernet" in not_fernet.stderr and "Traceback" not in not_fernet.stderr
    good = _entrypoint(AIRFLOW__CORE__FERNET_KEY=Fernet.generate_key().decode())
    assert (good.returncode, good.stdout) == (0, "started\n"), good.stderr


def test_make_env_fills_every_secret_consistently(tmp_path: Path) -> None:
    from cryptography.fernet import Fernet
    from sqlalchemy.engine import make_url

    target = tmp_path / ".env"
    args = [sys.executable, str(REPO / "deploy" / "make_env.py"), str(target), "--workspace", "/srv/dvctt/ws",
            "--uid", "1001"]
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    env = dict(line.split("=", 1) for line in target.read_text(encoding="utf-8").splitlines()
               if "=" in line and not line.startswith("#"))
    assert target.stat().st_mode & 0o777 == 0o600
    assert [k for k, v in env.items() if "change-me" in v] == ["AIRFLOW_CONN_SMTP_DEFAULT"]  # IT's to fill in
    Fernet(env["AIRFLOW__CORE__FERNET_KEY"].encode())  # a real key
    meta = make_url(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert meta.password == env["POSTGRES_PASSWORD"] == make_url(env["AIRFLOW__CELERY__RESULT_BACKEND"][3:]).password
    assert env["AIRFLOW__CELERY__BROKER_URL"] == f"redis://:{env['REDIS_PASSWORD']}@redis:6379/0"
    assert make_url(env["DVCTT_WAREHOUSE_URL"]).password not in (meta.password, env["REDIS_PASSWORD"])
    assert (env["DVCTT_WORKSPACE_HOST"], env["AIRFLOW_UID"]) == ("/srv/dvctt/ws", "1001")
    assert env["_AIRFLOW_WWW_USER_PASSWORD"] in done.stdout  # shown once, for IT to note
    again = subprocess.run(args, capture_output=True, text=True)
    assert again.returncode == 1 and "không ghi đè" in again.stderr  # an existing .env is never overwritten


def test_a_demo_workspace_for_the_stack_holds_files_only_and_no_host_path(tmp_path: Path) -> None:
    """`dvctt demo --files-only` (the README's trial): units' files to be taken in by the stack, no warehouse, and
    a workspace.yaml that names no folder of this machine (the registries are packaged)."""
    from typer.testing import CliRunner

    from dvctt.cli import app

    ws = tmp_path / "ws"
    result = CliRunner().invoke(app, ["demo", "--workspace", str(ws), "--files-only", "--json"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in ws.iterdir()) == ["inbox", "portal", "workspace.yaml"]  # files, no warehouse
    config = yaml.safe_load((ws / "workspace.yaml").read_text(encoding="utf-8"))
    this_year = [p for p in (ws / "inbox").glob("*/*.xlsx") if f"_{json.loads(result.stdout)['year']}_" in p.name]
    assert len(this_year) == json.loads(result.stdout)["submitted"] > 100  # and last year's files beside them
    assert "dir" not in config.get("registry", {}) and str(tmp_path) not in (ws / "workspace.yaml").read_text()
