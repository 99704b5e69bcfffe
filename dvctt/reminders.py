"""Reminders to the units that have not reported, the list for IT, and IT's alerts.

One message, two ways to send it. The CLI (`dvctt reminders`) uses smtplib with workspace.yaml's
`smtp` settings through `report.delivery.send_report` (which builds the message with `build_message`);
the Airflow DAGs use an Airflow SMTP connection (`SmtpHook`), so the mail password lives in Airflow's
secrets, not in the workspace. Every notice is recorded in the warehouse (`load.notices`) as soon as
it is sent, so a re-run, a retry or a second run the same day sends nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, Protocol, cast

from core.clock import now, vn_day
from core.config import ConfigError, WorkspaceConfig, load_config
from core.errors import WarehouseConfigError
from dvctt.schedule import FinalRun, alerts_due, reminders_due

log = logging.getLogger(__name__)

IT_ENV = "DVCTT_IT_RECIPIENTS"  # comma-separated; IT's address when workspace.yaml itself cannot be read
SCHEME = "Đề án 1588/QĐ-TTg về dịch vụ công trực tuyến"

#: recipients, subject, body (plain text), attachment
Mailer = Callable[[Sequence[str], str, str, Path], None]
#: recipients, subject, body: alerts carry no attachment
Notifier = Callable[[Sequence[str], str, str], None]


def it_recipients(config: WorkspaceConfig) -> list[str]:
    return list(config.it_recipients or config.recipients)


# --- sending ---------------------------------------------------------------------------------------


def smtp_mailer(config: WorkspaceConfig) -> Mailer:
    """The CLI's way: smtplib and workspace.yaml's smtp settings, through report.delivery."""
    from report.delivery import send_report

    def send(recipients: Sequence[str], subject: str, body: str, attachment: Path) -> None:
        send_report(attachment, recipients, config.smtp, subject, body)

    return send


# --- reminders to units -------------------------------------------------------------------------------


def reminder_subject(year: int, deadline: date) -> str:
    return f"Nhắc nộp báo cáo kết quả thực hiện {SCHEME} năm {year} – hạn {deadline:%d/%m/%Y}"


def reminder_body(*, unit_name: str, unit_code: str, year: int, start: date, end: date, deadline: date,
                  today: date, lead_agency: str, file_name: str) -> str:
    return (f"Kính gửi: {unit_name} (mã đơn vị {unit_code}),\n\n"
            f"Theo kế hoạch, đơn vị gửi báo cáo kết quả thực hiện {SCHEME} năm {year} "
            f"(kỳ số liệu từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}) chậm nhất ngày {deadline:%d/%m/%Y}. "
            f"Đến ngày {today:%d/%m/%Y}, {lead_agency} chưa nhận được báo cáo của đơn vị.\n\n"
            f"Đề nghị đơn vị điền biểu mẫu đính kèm ({file_name}, đã ghi sẵn mã và tên đơn vị; xem hướng dẫn ở trang "
            f"đầu) và chép tệp vào thư mục dùng chung của đơn vị trước hạn. Nếu đơn vị đã nộp, xin bỏ qua thư này.\n\n"
            f"Trân trọng.\n{lead_agency}\n")


def it_list_subject(year: int, today: date) -> str:
    return f"[DVCTT] Đơn vị chưa nộp báo cáo năm {year} – nhắc ngày {today:%d/%m/%Y} / Units not yet reported"


def it_list_body(*, year: int, today: date, reminded: int, no_contact: list[dict], file_name: str) -> str:
    lines = "\n".join(f"- {u['unit_code']} {u['unit_name']} (hạn {u['deadline']:%d/%m/%Y})" for u in no_contact)
    missing = (f"{len(no_contact)} đơn vị chưa có địa chỉ email (khóa `contacts` trong workspace.yaml), "
               f"cần liên hệ trực tiếp:\n{lines}\n\n" if no_contact else "")
    return (f"Ngày {today:%d/%m/%Y}, hệ thống đã gửi thư nhắc nộp báo cáo năm {year} kèm biểu mẫu cho "
            f"{reminded} đơn vị chưa nộp.\n\n{missing}"
            f"Danh sách đầy đủ trong tệp đính kèm {file_name}.\n\n"
            f"English: {reminded} units that have not reported for {year} were reminded by e-mail with their blank "
            f"template; {len(no_contact)} have no e-mail address in workspace.yaml (`contacts`) and must be "
            f"contacted directly. The attached workbook lists them all.\n")


def _it_list(rows: list[dict], path: Path) -> Path:
    from openpyxl import Workbook

    from report import styles as S
    from report.xlsx import save_workbook, write_text

    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = "Đơn vị chưa nộp"
    headers = ["Mã đơn vị", "Tên đơn vị", "Cấp", "Đơn vị cấp trên", "Hạn nộp", "Đã nhắc qua email"]
    for col, (text, width) in enumerate(zip(headers, [14, 45, 20, 35, 12, 45], strict=True), start=1):
        cell = ws.cell(row=1, column=col, value=text)
        cell.font, cell.fill = S.BOLD, S.HEADER_FILL
        ws.column_dimensions[cell.column_letter].width = width
    for r, row in enumerate(rows, start=2):
        for col, key in enumerate(["unit_code", "unit_name", "level_label", "parent_name"], start=1):
            write_text(ws.cell(row=r, column=col), row[key])
        ws.cell(row=r, column=5, value=row["deadline"]).number_format = "dd/mm/yyyy"
        write_text(ws.cell(row=r, column=6), row["email"] or "Chưa có địa chỉ email: cần liên hệ trực tiếp")
    ws.freeze_panes = "A2"
    return save_workbook(wb, path)


class _Missing(Protocol):
    """A row of `unit_status` from `itertuples`, whose fields pandas-stubs type as any scalar."""

    unit_code: str
    unit_name: str
    parent_name: str


@dataclass
class ReminderSummary:
    day: date
    year: int
    due: dict[str, date] = field(default_factory=dict)  # level → deadline
    reminded: list[dict] = field(default_factory=list)  # {unit_code, unit_name, email, deadline}
    no_contact: list[dict] = field(default_factory=list)
    # Units with no accepted file yet but a file in their inbox folder (still being copied, or rejected with
    # feedback): never reminded nor listed as missing.
    in_inbox: list[str] = field(default_factory=list)
    already_done: int = 0
    it_notified: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (CLI --json, Airflow XCom): dates as ISO strings."""
        def plain(value: Any) -> Any:
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        return plain(asdict(self))


def _units_in_inbox(workspace: Path) -> set[str]:
    """Units with any file in their inbox folder, settled or not (their feedback folder aside)."""
    from extract.inbox import scan_inbox

    scan = scan_inbox(workspace / "inbox", settle_seconds=0)
    return {d.unit_code for d in scan.ready + scan.pending}


def _is_lead_agency(unit_name: str, config: WorkspaceConfig) -> bool:
    """The agency that collects the reports (workspace.yaml's `lead_agency`) is not reminded to report to itself."""
    from core.text import fold

    return fold(unit_name) == fold(config.lead_agency)


def send_reminders(workspace: Path, today: date | None = None,
                   mailer_for: Callable[[WorkspaceConfig], Mailer] = smtp_mailer, *,
                   ingest_first: bool = True) -> ReminderSummary:
    """Remind every unit of a level whose deadline is near and that has not reported (status «Chưa nộp»),
    with its blank template attached; then send IT the list, including units without a contact address.

    The status must be current: with `ingest_first` the inbox is ingested first (waiting for an ingest already
    running, under the workspace's ingest lock); the DAG ingests in a task of its own just before and passes
    False. A unit with any file in its inbox folder, accepted or not yet, is neither reminded nor listed, and
    neither is the lead agency. A unit gets each reminder once; a unit without an address is listed for IT once
    (and reminded as soon as an address is added). Which day it is comes from the caller, so a run is
    reproducible.
    """
    from core.catalogue import with_overrides
    from core.units import load_registry
    from load.notices import NO_CONTACT, REMINDER, notified, record_notice
    from load.warehouse import Warehouse, connect, warehouse_url
    from templates.submission import template_name, write_template
    from transform.completeness import MISSING, unit_status

    workspace = Path(workspace)
    config = load_config(workspace)
    today = today or vn_day(now())
    summary = ReminderSummary(today, config.year, reminders_due(config, today))
    if not summary.due:
        return summary
    it = it_recipients(config)
    if not it:
        raise ConfigError("Chưa khai báo địa chỉ nhận danh sách đơn vị chưa nộp (it_recipients hoặc recipients "
                          "trong workspace.yaml).")
    if ingest_first:
        from dvctt.intake import ingest

        ingest(workspace)
    registry, catalogue, window = load_registry(config), with_overrides(config.catalogue), config.report_window
    engine = connect(warehouse_url(workspace, config.warehouse_url))
    status = unit_status(registry, Warehouse(engine).first_arrivals(config.year), config)
    missing = status[(status["status"] == MISSING) & status["level"].isin(list(summary.due))]
    lead = {code for code, unit in registry.units.items() if _is_lead_agency(unit.name, config)}
    in_inbox = _units_in_inbox(workspace)
    summary.in_inbox = sorted(set(missing["unit_code"]) & in_inbox)
    missing = missing[~missing["unit_code"].isin(lead | in_inbox)]
    send = mailer_for(config)
    with TemporaryDirectory(prefix="dvctt_reminders_") as tmp:
        for key, rows in missing.groupby("deadline", sort=True):
            deadline = cast(date, key)
            reminded = notified(engine, REMINDER, config.year, deadline)
            known_without = notified(engine, NO_CONTACT, config.year, deadline)
            for row in cast(Iterator[_Missing], rows.itertuples(index=False)):
                unit = registry[row.unit_code]
                email = config.contacts.get(row.unit_code)
                entry = {"unit_code": row.unit_code, "unit_name": row.unit_name, "email": email,
                         "deadline": deadline, "level_label": unit.level_label, "parent_name": row.parent_name}
                if row.unit_code in reminded or (email is None and row.unit_code in known_without):
                    summary.already_done += 1
                elif email is None:
                    summary.no_contact.append(entry)
                else:
                    path = write_template(unit, config.year, window, catalogue,
                                          Path(tmp) / template_name(row.unit_code, config.year), config=config)
                    send([email], reminder_subject(config.year, deadline),
                         reminder_body(unit_name=row.unit_name, unit_code=row.unit_code, year=config.year,
                                       start=window.start, end=window.end, deadline=deadline, today=today,
                                       lead_agency=config.lead_agency, file_name=path.name), path)
                    record_notice(engine, REMINDER, config.year, deadline, row.unit_code, [email])
                    summary.reminded.append(entry)
        if summary.reminded or summary.no_contact:
            news = summary.reminded + summary.no_contact
            path = _it_list(sorted(news, key=lambda e: (e["deadline"], e["unit_code"])),
                            Path(tmp) / f"don_vi_chua_nop_{config.year}_{today:%Y%m%d}.xlsx")
            send(it, it_list_subject(config.year, today),
                 it_list_body(year=config.year, today=today, reminded=len(summary.reminded),
                              no_contact=summary.no_contact, file_name=path.name), path)
            summary.it_notified = it
            # Recorded only once IT has the list, so a failed send lists them again on the next run.
            for listed in summary.no_contact:
                record_notice(engine, NO_CONTACT, config.year, listed["deadline"], listed["unit_code"], it)
    log.info("Nhắc nộp báo cáo ngày %s: %d đơn vị nhận thư, %d chưa có email, %d đã nhắc trước đó.", today,
             len(summary.reminded), len(summary.no_contact), summary.already_done)
    return summary


# --- alerts to IT -------------------------------------------------------------------------------------


def final_missing_subject(year: int, deadline: date) -> str:
    return (f"[DVCTT] CẢNH BÁO: chưa có báo cáo chính thức năm {year} (hạn {deadline:%d/%m/%Y}) / "
            f"ALERT: final report missing")


def final_missing_body(run: FinalRun, today: date) -> str:
    from core.units import LEVEL_LABELS

    labels, levels = "; ".join(LEVEL_LABELS.get(lv, lv) for lv in run.levels), ", ".join(run.levels)
    return (f"Đến ngày {today:%d/%m/%Y}, chưa có bản báo cáo chính thức năm {run.year} nào được lập thành công "
            f"kể từ ngày {run.run_on:%d/%m/%Y} (lịch chạy tự động lúc {run.at:%H:%M}), trong khi hạn báo cáo của "
            f"các đơn vị ({labels}) là ngày {run.deadline:%d/%m/%Y}.\n\n"
            f"Cách xử lý: mở Airflow, xem DAG dvctt_report (lần chạy lỗi và nhật ký của tác vụ), khắc phục nguyên nhân, "
            f"rồi chạy tay DAG dvctt_report với tham số final = true. Nếu không thấy lần chạy nào, kiểm tra DAG "
            f"có bị tạm dừng (paused) không và dag-processor có đọc được workspace.yaml không.\n\n"
            f"English: no final {run.year} report has succeeded since {run.run_on:%d/%m/%Y}; the deadline for "
            f"{levels} is {run.deadline:%d/%m/%Y}. Check dvctt_report in Airflow (failed run, task log, paused DAG, "
            f"workspace.yaml readable by the dag-processor), fix it, then trigger dvctt_report with final = true.\n")


def check_final_reports(workspace: Path, today: date,
                        notifier_for: Callable[[WorkspaceConfig], Notifier]) -> list[dict]:
    """Alert IT once per deadline when, from the day after the scheduled final run until the deadline, no final
    report has been recorded: it catches failed runs, runs never created (paused DAG, scheduler down,
    unreadable workspace.yaml at parse time) and runs stuck in the queue alike.

    Why not an Airflow Deadline Alert (FIXED_DATETIME, negative interval)? Run on 3.3.2, one fires for a
    run still unfinished at the deadline, but it is attached to every run of the DAG: each draft created
    after the alert time alerts IT at once even when it succeeds in seconds, and no run means no alert.
    """
    from load.notices import FINAL_MISSING, finals_built, notified, record_notice
    from load.warehouse import connect, warehouse_url

    workspace = Path(workspace)
    config = load_config(workspace)
    due = alerts_due(config, today)
    if not due:
        return []
    engine = connect(warehouse_url(workspace, config.warehouse_url))
    it, sent, notify = it_recipients(config), [], notifier_for(config)
    if not it:
        raise ConfigError("Chưa khai báo địa chỉ nhận cảnh báo (it_recipients hoặc recipients trong workspace.yaml).")
    for run in due:
        if finals_built(engine, config.year, run.run_on, run.deadline):
            continue
        if notified(engine, FINAL_MISSING, config.year, run.deadline):
            continue
        notify(it, final_missing_subject(config.year, run.deadline), final_missing_body(run, today))
        record_notice(engine, FINAL_MISSING, config.year, run.deadline, "", it)
        sent.append({"deadline": run.deadline.isoformat(), "levels": list(run.levels), "to": it})
    return sent


def failure_message(*, dag_id: str, task_id: str, run_id: str, try_number: int | None, error: BaseException | None,
                    log_url: str) -> tuple[str, str]:
    """Subject and body for a task that failed for good (retries exhausted), in Vietnamese then English."""
    kind = type(error).__name__ if error is not None else "không rõ / unknown"
    detail = str(error).strip() if error is not None else ""
    if isinstance(error, ConfigError):
        hint_vi = "Sửa tệp workspace.yaml theo thông báo lỗi ở trên, rồi chạy lại tác vụ (Clear trong Airflow)."
        hint_en = "Fix workspace.yaml as the message says, then clear the task in Airflow to run it again."
    elif isinstance(error, WarehouseConfigError):
        hint_vi = ("Sửa kho dữ liệu theo thông báo lỗi ở trên (warehouse_url trong workspace.yaml hoặc biến "
                   "DVCTT_WAREHOUSE_URL), rồi chạy lại tác vụ (Clear trong Airflow); lỗi này không được thử lại.")
        hint_en = ("Fix the warehouse as the message says (warehouse_url or DVCTT_WAREHOUSE_URL), then clear the task; "
                   "this error is not retried.")
    else:
        hint_vi = ("Xem nhật ký (log) theo đường dẫn dưới đây; sau khi khắc phục nguyên nhân, chạy lại tác vụ "
                   "(Clear trong Airflow). Lỗi tạm thời (mạng, cơ sở dữ liệu) đã được thử lại tự động.")
        hint_en = ("Read the log at the link below; once the cause is fixed, clear the task in Airflow. Transient "
                   "errors (network, database) have already been retried.")
    subject = f"[DVCTT] Lỗi tác vụ {dag_id}.{task_id} / Task failed"
    body = (f"Tác vụ {task_id} của DAG {dag_id} đã thất bại (lần chạy {run_id}, lần thử {try_number}).\n\n"
            f"Lỗi: {kind}: {detail}\n\n{hint_vi}\n\nNhật ký / Log: {log_url}\n\n"
            f"English: task {task_id} of DAG {dag_id} failed for good (run {run_id}, try {try_number}) with "
            f"{kind}. {hint_en}\n")
    return subject, body
