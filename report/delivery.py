"""Sending the leadership workbook by e-mail.

`build_message` is the part both paths share: the CLI sends it with smtplib (`send_report`), the
Airflow task can hand the same message to the client of its SMTP connection. The wording is
Vietnamese because the readers are the province's leaders.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Sequence
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from core.config import ConfigError, Smtp

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
TIMEOUT_S = 60


def report_subject(area: str, year: int) -> str:
    return f"Báo cáo kết quả thực hiện Đề án 1588/QĐ-TTg về dịch vụ công trực tuyến năm {year} – {area}"


def report_body(*, area: str, year: int, lead_agency: str, start: date, end: date, file_name: str) -> str:
    addressee = area[:1].lower() + area[1:]  # "UBND tỉnh Lai Châu"
    return (f"Kính gửi: Lãnh đạo UBND {addressee},\n\n"
            f"{lead_agency} trân trọng gửi báo cáo tổng hợp kết quả thực hiện Đề án 1588/QĐ-TTg về tuyên truyền, "
            f"nâng cao chất lượng cung cấp và sử dụng dịch vụ công trực tuyến năm {year} "
            f"(kỳ số liệu từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}).\n\n"
            f"Tệp đính kèm: {file_name} (mở bằng Excel; trang «Tổng hợp» là kết quả so với mục tiêu, "
            f"trang «Xếp hạng» là xếp hạng các đơn vị, trang «Khó khăn, kiến nghị» là ý kiến nguyên văn của các đơn vị).\n\n"
            f"Trân trọng.\n{lead_agency}\n")


def build_message(path: Path, *, sender: str, recipients: Sequence[str], subject: str, body: str) -> EmailMessage:
    """The e-mail with the workbook attached, byte for byte."""
    path = Path(path)
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(body)
    msg.add_attachment(path.read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=path.name)
    return msg


def _password(settings: Smtp) -> str | None:
    if settings.user is None:
        return None
    password = os.environ.get(settings.password_env) if settings.password_env else None
    if not password:
        raise ConfigError(f"Thiếu mật khẩu SMTP cho tài khoản {settings.user}: hãy đặt biến môi trường "
                          f"được khai báo ở smtp.password_env ({settings.password_env or 'chưa khai báo'}).")
    if not (password.isascii() and settings.user.isascii()):
        raise ConfigError("Tài khoản và mật khẩu SMTP chỉ được dùng ký tự không dấu (smtplib gửi chúng dạng ASCII).")
    return password


def send_report(path: Path, recipients: Sequence[str], smtp_settings: Smtp, subject: str, body: str) -> None:
    """Send the workbook to `recipients` through the configured SMTP server (the CLI path).

    The password never lives in workspace.yaml: it is read from the environment variable the
    configuration names. Errors (refused connection, rejected login or recipient) propagate.
    """
    if not recipients:
        raise ConfigError("Chưa khai báo người nhận báo cáo (recipients trong workspace.yaml).")
    password = _password(smtp_settings)
    msg = build_message(path, sender=smtp_settings.sender, recipients=recipients, subject=subject, body=body)
    with smtplib.SMTP(smtp_settings.host, smtp_settings.port, timeout=TIMEOUT_S) as client:
        if smtp_settings.starttls:
            client.starttls(context=ssl.create_default_context())
        if smtp_settings.user is not None:
            client.login(smtp_settings.user, password or "")
        client.send_message(msg)
