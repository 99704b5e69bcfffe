"""Delivery against a real SMTP server (aiosmtpd) started in the test: what arrives is what we sent."""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from openpyxl import Workbook
from typer.testing import CliRunner

from core.config import ConfigError, Smtp
from dvctt.cli import app
from dvctt.pipeline import deliver_report
from report.delivery import build_message, report_subject, send_report
from report.xlsx import save_workbook

USER, PASSWORD, PASSWORD_ENV = "vanthu", "mat-khau-dung", "DVCTT_TEST_SMTP_PASSWORD"


@dataclass
class Mailbox:
    """aiosmtpd handler keeping what arrives, and who logged in."""

    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        msg = message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Đã nhận"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(), PASSWORD.encode())
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)


@dataclass
class Server:
    mailbox: Mailbox
    port: int

    def settings(self, **extra) -> Smtp:
        return Smtp(host="127.0.0.1", port=self.port, sender="bao-cao-dvctt@laichau.gov.vn", **extra)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server() -> Iterator[Server]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port(), authenticator=mailbox.authenticate,
                            auth_require_tls=False)
    controller.start()
    try:
        yield Server(mailbox, controller.port)
    finally:
        controller.stop()


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    wb = Workbook()
    wb.active["A1"] = "Kết quả thực hiện Đề án 1588/QĐ-TTg – Tỉnh Lai Châu"
    return save_workbook(wb, tmp_path / "bao_cao_dvctt_12_2025.xlsx")


def _attachment(msg: EmailMessage) -> tuple[str, bytes]:
    (part,) = list(msg.iter_attachments())
    return part.get_filename(), part.get_content()


def test_workbook_arrives_byte_identical_with_a_vietnamese_message(server: Server, workbook: Path) -> None:
    subject = report_subject("Tỉnh Lai Châu", 2025)
    body = "Kính gửi: Lãnh đạo UBND tỉnh Lai Châu,\n\nSở Khoa học và Công nghệ trân trọng gửi báo cáo.\n"
    send_report(workbook, ["lanhdao@laichau.gov.vn", "vanphong@laichau.gov.vn"], server.settings(), subject, body)
    ((sender, rcpts, msg),) = server.mailbox.received
    assert sender == "bao-cao-dvctt@laichau.gov.vn"
    assert rcpts == ["lanhdao@laichau.gov.vn", "vanphong@laichau.gov.vn"]
    assert msg["Subject"] == subject and "Đề án 1588/QĐ-TTg" in subject and msg["Date"] and msg["Message-ID"]
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == body  # SMTP lines end in CRLF
    name, data = _attachment(msg)
    assert name == workbook.name and data == workbook.read_bytes()
    assert not server.mailbox.logins  # no user configured: no login attempted


def test_login_uses_the_password_from_the_named_environment_variable(server: Server, workbook: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    settings = server.settings(user=USER, password_env=PASSWORD_ENV)
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    with pytest.raises(ConfigError, match=PASSWORD_ENV):
        send_report(workbook, ["lanhdao@laichau.gov.vn"], settings, "Báo cáo", "Nội dung")
    monkeypatch.setenv(PASSWORD_ENV, "mật khẩu")
    with pytest.raises(ConfigError, match="không dấu"):  # smtplib sends credentials as ASCII only
        send_report(workbook, ["lanhdao@laichau.gov.vn"], settings, "Báo cáo", "Nội dung")
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    send_report(workbook, ["lanhdao@laichau.gov.vn"], settings, "Báo cáo", "Nội dung")
    assert server.mailbox.logins == [USER] and len(server.mailbox.received) == 1


def test_message_building_is_shared_and_needs_no_server(workbook: Path) -> None:
    msg = build_message(workbook, sender="a@b.vn", recipients=["c@d.vn"], subject="Báo cáo năm 2025", body="Kính gửi")
    assert msg["To"] == "c@d.vn" and _attachment(msg)[1] == workbook.read_bytes()


def _point_at(workspace: Path, server: Server) -> None:
    path = workspace / "workspace.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["smtp"] = {"host": "127.0.0.1", "port": server.port, "sender": "bao-cao-dvctt@laichau.gov.vn"}
    config["recipients"] = ["lanhdao@laichau.gov.vn"]
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_deliver_report_sends_the_outbox_workbook(demo_run: Path, server: Server, tmp_path: Path) -> None:
    """The pipeline entry point only needs workspace.yaml and the finished workbook."""
    ws = tmp_path / "ws"
    shutil.copytree(demo_run / "outbox", ws / "outbox")
    shutil.copy(demo_run / "workspace.yaml", ws / "workspace.yaml")
    _point_at(ws, server)
    assert deliver_report(ws) == ["lanhdao@laichau.gov.vn"]
    ((_, _, msg),) = server.mailbox.received
    workbook = next((ws / "outbox" / "2025").glob("*.xlsx"))
    assert _attachment(msg) == (workbook.name, workbook.read_bytes())
    assert msg["Subject"] == report_subject("Tỉnh Lai Châu", 2025)
    text = msg.get_body(("plain",)).get_content()
    assert "UBND tỉnh Lai Châu" in text and "từ ngày 15/12/2024 đến ngày 14/12/2025" in text


def test_cli_report_send(demo_run: Path, server: Server, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(demo_run, ws)
    _point_at(ws, server)
    result = CliRunner().invoke(app, ["report", "--workspace", str(ws), "--send", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sent_to"] == ["lanhdao@laichau.gov.vn"]
    assert len(server.mailbox.received) == 1


def test_cli_send_to_an_unreachable_server_is_a_readable_error(demo_run: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(demo_run, ws)
    _point_at(ws, Server(Mailbox(), _free_port()))  # nobody listens there
    result = CliRunner().invoke(app, ["report", "--workspace", str(ws), "--send"])
    assert result.exit_code == 1 and "Không gửi được thư qua máy chủ SMTP" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
