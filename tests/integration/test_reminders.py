"""Reminders and alerts against a real SMTP server (aiosmtpd): both ways of sending, what arrives, and that
nothing is sent twice.

The demo workspace (ingested) has six units of the 8/12 deadline that sent nothing: four communes
(03598, 03601, 03616, 03434) and two district offices (106-VP, 112-VHKHTT); every department and press
body reported.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from core.config import ConfigError, load_config
from core.units import load_registry
from dags._mail import airflow_mailer, airflow_notifier, notify_task_failure
from dvctt.cli import app
from dvctt.reminders import check_final_reports, send_reminders
from dvctt.schedule import keep_final
from tests.integration.test_delivery import Mailbox
from tests.support.airflow_env import airflow_env, free_port

LATE = {"03598", "03601", "03616", "03434", "106-VP", "112-VHKHTT"}
CONTACTS = {"03598": "ubnd.tanuyen@example.gov.vn", "106-VP": "vanphong.tamduong@example.gov.vn"}
IT, SENDER, CONN_SENDER = "it.skhcn@laichau.gov.vn", "bao-cao-dvctt@laichau.gov.vn", "airflow@laichau.gov.vn"
DEC4 = date(2025, 12, 4)


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield mailbox, controller.port
    finally:
        controller.stop()


def _write(ws: Path, **changes) -> None:
    path = ws / "workspace.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def ws(demo_run: Path, tmp_path: Path, smtp: tuple[Mailbox, int], monkeypatch: pytest.MonkeyPatch) -> Path:
    """The ingested demo with two contacts, an IT address, and smtp pointing at the test server."""
    monkeypatch.delenv("DVCTT_WAREHOUSE_URL", raising=False)
    ws = tmp_path / "ws"
    shutil.copytree(demo_run, ws)
    _write(ws, contacts=CONTACTS, it_recipients=[IT], smtp={"host": "127.0.0.1", "port": smtp[1], "sender": SENDER})
    return ws


@pytest.fixture
def airflow_smtp(smtp: tuple[Mailbox, int], tmp_path_factory: pytest.TempPathFactory,
                 monkeypatch: pytest.MonkeyPatch) -> str:
    """An Airflow SMTP connection to the test server, from the environment as production sets it; Airflow
    itself pointed at a throw-away home (only effective if it was not imported yet)."""
    for key, value in airflow_env(tmp_path_factory.mktemp("airflow_home")).items():
        if key.startswith("AIRFLOW"):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DVCTT", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": smtp[1],
        "extra": {"disable_ssl": True, "disable_tls": True, "timeout": 10, "retry_limit": 0}}))
    return "smtp_dvctt"


def _attachments(msg: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_payload(decode=True) for part in msg.iter_attachments()}


def _text(msg: EmailMessage) -> str:
    return msg.get_body(("plain", "html")).get_content()


def test_late_units_get_their_blank_template_and_it_gets_the_list(ws: Path, smtp, tmp_path: Path) -> None:
    from core.catalogue import load_catalogue
    from templates.submission import write_template

    mailbox, _ = smtp
    summary = send_reminders(ws, DEC4)  # the CLI's way: smtplib with workspace.yaml's smtp settings
    assert summary.due == {"commune": date(2025, 12, 8), "district_office": date(2025, 12, 8)}
    assert {u["unit_code"] for u in summary.reminded} == set(CONTACTS)
    assert {u["unit_code"] for u in summary.no_contact} == LATE - set(CONTACTS)
    by_rcpt = {tuple(rcpts): (sender, msg) for sender, rcpts, msg in mailbox.received}
    assert set(by_rcpt) == {(CONTACTS["03598"],), (CONTACTS["106-VP"],), (IT,)}

    config = load_config(ws)
    registry = load_registry(config)
    for code, address in CONTACTS.items():
        sender, msg = by_rcpt[(address,)]
        assert sender == SENDER and msg["Subject"].startswith("Nhắc nộp báo cáo") and "08/12/2025" in msg["Subject"]
        text = _text(msg)
        assert registry.get(code).name in text and "chưa nhận được báo cáo" in text and "04/12/2025" in text
        expected = write_template(registry.get(code), 2025, config.report_window, load_catalogue(),
                                  tmp_path / f"{code}.xlsx").read_bytes()
        assert _attachments(msg) == {f"bieu_mau_dvctt_{code}_2025.xlsx": expected}  # the very template, intact

    _, it_msg = by_rcpt[(IT,)]
    text = _text(it_msg)
    assert "2 đơn vị chưa nộp" in text and "4 đơn vị chưa có địa chỉ email" in text and "Xã Pắc Ta" in text
    assert list(_attachments(it_msg)) == ["don_vi_chua_nop_2025_20251204.xlsx"]


def test_nothing_is_sent_twice_and_a_new_contact_is_reminded(ws: Path, smtp) -> None:
    mailbox, _ = smtp
    send_reminders(ws, DEC4)
    assert len(mailbox.received) == 3
    again = send_reminders(ws, DEC4)
    later = send_reminders(ws, date(2025, 12, 6))
    assert (again.reminded, again.no_contact, again.already_done) == ([], [], 6)
    assert (later.reminded, later.no_contact) == ([], []) and len(mailbox.received) == 3

    _write(ws, contacts={**CONTACTS, "03601": "ubnd.muongkhoa@example.gov.vn"})  # IT found the address
    added = send_reminders(ws, date(2025, 12, 6))
    assert [u["unit_code"] for u in added.reminded] == ["03601"] and added.no_contact == []
    assert [rcpts for _, rcpts, _ in mailbox.received[3:]] == [["ubnd.muongkhoa@example.gov.vn"], [IT]]


@pytest.mark.parametrize("day", [date(2025, 12, 2), date(2025, 12, 8), date(2025, 12, 20)])
def test_no_reminder_outside_the_window(ws: Path, smtp, day: date) -> None:
    summary = send_reminders(ws, day)
    assert summary.due == {} and smtp[0].received == []


def _units_with_files(ws: Path) -> set[str]:
    return {d.name for d in (ws / "inbox").iterdir() if any(p.is_file() for p in d.iterdir())}


def test_reminders_take_in_the_inbox_first(fresh_ws: Path, smtp, monkeypatch: pytest.MonkeyPatch) -> None:
    """The race seen in production: reminders on a warehouse that had not yet taken in the inbox. Every unit that
    dropped a file has an address here, so any reminder to one of them is a false one."""
    from sqlalchemy import create_engine, text

    monkeypatch.delenv("DVCTT_WAREHOUSE_URL", raising=False)
    mailbox, port = smtp
    submitted = _units_with_files(fresh_ws)
    assert submitted and not submitted & LATE
    _write(fresh_ws, contacts={**CONTACTS, **{code: f"u{code}@example.gov.vn" for code in submitted}},
           it_recipients=[IT], smtp={"host": "127.0.0.1", "port": port, "sender": SENDER})
    summary = send_reminders(fresh_ws, DEC4)  # nothing ingested before: the reminders run does it first
    assert {u["unit_code"] for u in summary.reminded} == set(CONTACTS)
    assert {u["unit_code"] for u in summary.no_contact} == LATE - set(CONTACTS)
    assert {r for _, rcpts, _ in mailbox.received for r in rcpts} == {*CONTACTS.values(), IT}
    engine = create_engine(f"sqlite:///{fresh_ws / 'warehouse.sqlite'}")
    with engine.connect() as conn:
        noticed = {r[0] for r in conn.execute(text("SELECT unit_code FROM notices"))}
        loaded = {r[0] for r in conn.execute(text("SELECT unit_code FROM submissions WHERE is_current"))}
    engine.dispose()
    assert loaded == submitted  # the reminders run took the inbox in before deciding who is missing
    assert noticed == LATE  # two reminders, four listed for IT: no notice for a unit that has reported


def test_a_unit_whose_file_is_still_arriving_is_neither_reminded_nor_listed(ws: Path, smtp) -> None:
    arriving = ws / "inbox" / "03601" / "bao_cao.xlsx"  # 03601 has no address: it would be listed for IT
    arriving.parent.mkdir(parents=True, exist_ok=True)  # the demo made every unit's folder
    arriving.write_bytes(b"PK")  # being copied right now: too fresh to ingest (settle_seconds)
    summary = send_reminders(ws, DEC4)
    assert summary.in_inbox == ["03601"]
    assert {u["unit_code"] for u in summary.no_contact} == LATE - set(CONTACTS) - {"03601"}
    assert "03601" not in _text(next(m for _, rcpts, m in smtp[0].received if rcpts == [IT]))


def test_the_lead_agency_is_not_reminded_to_report_to_itself(fresh_ws: Path, smtp,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DVCTT_WAREHOUSE_URL", raising=False)
    mailbox, port = smtp
    lead = "12-SKHCN"  # Sở Khoa học và Công nghệ, the demo's lead_agency
    assert load_config(fresh_ws).lead_agency == "Sở Khoa học và Công nghệ"
    shutil.rmtree(fresh_ws / "inbox" / lead)  # it has not sent its own file, nor has the press body below
    shutil.rmtree(fresh_ws / "inbox" / "12-BAO")
    _write(fresh_ws, it_recipients=[IT], smtp={"host": "127.0.0.1", "port": port, "sender": SENDER})
    summary = send_reminders(fresh_ws, date(2025, 12, 11))  # the 15/12 deadline's window: departments and press
    assert summary.due == {"department": date(2025, 12, 15), "press": date(2025, 12, 15)}
    assert [u["unit_code"] for u in summary.no_contact] == ["12-BAO"]
    [(_, _, msg)] = mailbox.received
    assert lead not in _text(msg) and "12-BAO" in _text(msg)


def test_a_window_where_every_unit_has_reported_sends_nothing(ws: Path, smtp) -> None:
    summary = send_reminders(ws, date(2025, 12, 14))  # 15/12: every department and press body reported
    assert summary.due == {"department": date(2025, 12, 15), "press": date(2025, 12, 15)}
    assert (summary.reminded, summary.no_contact, summary.in_inbox, smtp[0].received) == ([], [], [], [])


def test_cli_reminders(ws: Path, smtp) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["reminders", "--workspace", str(ws), "--date", "2025-12-04", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["day"] == "2025-12-04" and len(out["reminded"]) == 2 and len(smtp[0].received) == 3
    result = runner.invoke(app, ["reminders", "--workspace", str(ws), "--date", "2025-12-04"])
    assert result.exit_code == 0 and "6 đơn vị đã được nhắc trước đó" in " ".join(result.output.split())
    result = runner.invoke(app, ["reminders", "--workspace", str(ws), "--date", "04/12/2025"])
    assert result.exit_code == 1 and "YYYY-MM-DD" in result.output


def test_cli_reminders_with_the_mail_server_down_is_a_readable_error(ws: Path) -> None:
    _write(ws, smtp={"host": "127.0.0.1", "port": free_port(), "sender": SENDER})  # nobody listens there
    result = CliRunner().invoke(app, ["reminders", "--workspace", str(ws), "--date", "2025-12-04"])
    assert result.exit_code == 1 and "Không gửi được thư qua máy chủ SMTP" in result.output
    # Nothing was recorded as sent, so the next run tries every unit again.
    with pytest.raises(ConnectionRefusedError):
        send_reminders(ws, DEC4)


def test_airflow_path_sends_the_same_reminder_through_the_smtp_connection(ws: Path, smtp, airflow_smtp: str) -> None:
    mailbox, _ = smtp
    summary = send_reminders(ws, DEC4, airflow_mailer(airflow_smtp))
    assert len(summary.reminded) == 2 and len(mailbox.received) == 3
    sender, _, msg = next(m for m in mailbox.received if m[1] == [CONTACTS["03598"]])
    assert sender == SENDER  # the connection names no sender: workspace.yaml's
    assert msg["Subject"].startswith("Nhắc nộp báo cáo") and "Thị trấn Tân Uyên" in _text(msg)
    [(name, data)] = _attachments(msg).items()
    assert name == "bieu_mau_dvctt_03598_2025.xlsx" and data[:2] == b"PK"


def test_missing_final_report_alerts_it_once_per_deadline(ws: Path, smtp, airflow_smtp: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    mailbox, _ = smtp
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DVCTT", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": smtp[1],
        "extra": {"disable_ssl": True, "disable_tls": True, "from_email": CONN_SENDER}}))
    notifier = airflow_notifier(airflow_smtp)
    assert check_final_reports(ws, date(2025, 12, 6), notifier) == []  # the final runs that morning
    [alert] = check_final_reports(ws, date(2025, 12, 7), notifier)
    assert alert == {"deadline": "2025-12-08", "levels": ["commune", "district_office"], "to": [IT]}
    assert check_final_reports(ws, date(2025, 12, 8), notifier) == []  # already told
    [(sender, rcpts, msg)] = mailbox.received
    assert (sender, rcpts) == (CONN_SENDER, [IT]) and "CẢNH BÁO" in msg["Subject"]
    assert "Xã/Phường/Thị trấn" in _text(msg) and "final = true" in _text(msg)

    workbook = next((ws / "outbox" / "2025").glob("*.xlsx"))
    keep_final(ws, 2025, workbook, date(2025, 12, 13), "scheduled__2025-12-12T23:00:00+00:00")
    assert check_final_reports(ws, date(2025, 12, 14), notifier) == []  # the 15/12 final exists
    assert len(mailbox.received) == 1


def test_task_failure_reaches_it_readably(ws: Path, smtp, airflow_smtp: str, monkeypatch: pytest.MonkeyPatch,
                                          caplog: pytest.LogCaptureFixture) -> None:
    mailbox, _ = smtp
    ti = SimpleNamespace(dag_id="dvctt_report", task_id="report.build_report", run_id="scheduled__2025-12-05",
                         try_number=3, log_url="http://airflow.laichau.gov.vn/dags/dvctt_report/runs/x")
    context = {"ti": ti, "exception": OSError("could not connect to server: Connection refused")}
    assert notify_task_failure(context, airflow_smtp, ws) == [IT]
    [(sender, _, msg)] = mailbox.received
    text = _text(msg)
    assert sender == SENDER and msg["Subject"] == "[DVCTT] Lỗi tác vụ dvctt_report.report.build_report / Task failed"
    assert "đã thất bại" in text and "lần thử 3" in text and "OSError: could not connect" in text
    assert "failed for good" in text and ti.log_url in text

    monkeypatch.delenv("DVCTT_IT_RECIPIENTS", raising=False)
    with caplog.at_level("ERROR"):  # no readable workspace and no fallback address: logged, never raised
        assert notify_task_failure({"ti": ti, "exception": ConfigError("x")}, airflow_smtp, ws / "missing") == []
    assert "DVCTT_IT_RECIPIENTS" in caplog.text and len(mailbox.received) == 1
