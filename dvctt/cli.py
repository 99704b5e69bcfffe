"""`dvctt`: the whole pipeline from one terminal, the same functions the Airflow DAGs call."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, cast

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer._click import exceptions as usage  # typer vendors click; its usage errors are only here
from typer.core import TyperGroup

from core.clock import parse_day
from core.config import load_config
from core.errors import UserError, os_error_text
from core.units import Hierarchy
from core.validation_messages import describe_errors, describe_value_error

if TYPE_CHECKING:
    from dvctt.pipeline import ReportResult

DEBUG_ENV = "DVCTT_DEBUG"  # "1": a bug shows its traceback instead of the one-line message
console = Console(stderr=True, soft_wrap=True, highlight=False)


def _error_line(message: str) -> None:
    """An error as one Vietnamese line on stderr: "Lỗi: …" (line breaks inside the message folded)."""
    console.print(f"[bold red]Lỗi:[/] {escape(' '.join(message.split()))}")


def _fail(message: str) -> NoReturn:
    _error_line(message)
    raise typer.Exit(code=1)


def _message_for(exc: BaseException) -> str | None:
    """The Vietnamese line for a failure the user can fix, None for a bug."""
    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, OSError):
        return os_error_text(exc)
    if isinstance(exc, ValidationError):
        return f"Giá trị không hợp lệ: {describe_errors(exc)}."
    if exc.__class__.__module__.startswith(("sqlalchemy", "psycopg2")):
        detail = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0]
        return f"Kho dữ liệu báo lỗi khi đọc hoặc ghi ({exc.__class__.__name__}): {detail}"
    return None


def _readable(exc: BaseException) -> str | None:
    """`_message_for`, except that an OSError goes on to the caller, which may know better what it means (a mail
    server down), and else to `_Commands.main`."""
    return None if isinstance(exc, OSError) else _message_for(exc)


def _guard(fn):
    """Turn expected failures into a readable message and exit code 1, never a traceback (see `_readable`)."""
    try:
        return fn()
    except Exception as exc:
        message = _readable(exc)
        if message is None:
            raise
        _fail(message)


class _Commands(TyperGroup):
    """The `dvctt` group: every failure ends as one Vietnamese line on stderr, never a traceback.

    Exit 1: the data, the configuration or the environment is wrong (the message says what to fix); a bug
    says so too (DVCTT_DEBUG=1 shows its traceback). Exit 2: the command line itself cannot be read
    (unknown command or option, a value of the wrong type), as click does.
    """

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, windows_expand_args: bool = True, **extra: Any) -> Any:
        run = super().main
        if not standalone_mode:
            return run(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = run(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except usage.NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except usage.UsageError as exc:
            _error_line(usage_message(exc))
            sys.exit(exc.exit_code)
        except (typer.Abort, usage.ClickException) as exc:
            _error_line("Đã dừng theo yêu cầu." if isinstance(exc, typer.Abort) else exc.format_message())
            sys.exit(1)
        except Exception as exc:
            message = _message_for(exc)
            if message is None:
                if os.environ.get(DEBUG_ENV) == "1":
                    raise
                detail = (str(exc).strip().splitlines() or [""])[0]
                message = (f"Lỗi ngoài dự kiến của chương trình ({exc.__class__.__name__}: {detail}). Hãy báo bộ "
                           f"phận IT kèm câu lệnh đã chạy; chạy lại với {DEBUG_ENV}=1 để xem chi tiết.")
            _error_line(message)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


class CombinationError(usage.UsageError):
    """Options that typer reads one by one but that do not fit together; the message is already Vietnamese."""


def usage_message(exc: usage.UsageError) -> str:
    """A command line click could not read, in Vietnamese, with where to find the right form."""
    ctx = exc.ctx
    help_hint = f" Xem `{ctx.command_path if ctx is not None else 'dvctt'} --help`."
    if isinstance(exc, CombinationError):
        return f"{exc.message}{help_hint}"
    if isinstance(exc, usage.NoSuchOption):
        close = f"; có phải là {', '.join(sorted(exc.possibilities))}?" if exc.possibilities else "."
        return f"Lệnh không có tùy chọn {exc.option_name}{close}{help_hint}"
    if isinstance(exc, usage.MissingParameter):
        return f"Thiếu tùy chọn bắt buộc {_option(exc.param)}.{help_hint}"
    if isinstance(exc, usage.BadParameter):
        cause = exc.__cause__
        reason = describe_value_error(cause) if isinstance(cause, ValidationError) else _path_problem(exc.message)
        return f"Tùy chọn {_option(exc.param)}: {reason}.{help_hint}"
    if isinstance(exc, usage.BadOptionUsage):
        if "requires an argument" in exc.message:
            return f"Tùy chọn {exc.option_name} cần một giá trị đi ngay sau nó.{help_hint}"
        return f"Tùy chọn {exc.option_name} được dùng không đúng cách.{help_hint}"
    if m := re.match(r"No such command '(.*)'", exc.message):
        names = ", ".join(ctx.command.list_commands(ctx)) if ctx is not None and isinstance(ctx.command, TyperGroup) else ""
        return f"Không có lệnh «{m[1]}»" + (f"; các lệnh: {names}." if names else ".") + help_hint
    if m := re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", exc.message):
        return f"Thừa giá trị «{m[1]}»: mỗi giá trị phải đi sau tên tùy chọn của nó, ví dụ --year 2025.{help_hint}"
    return f"Câu lệnh không hợp lệ ({exc.format_message()}).{help_hint}"


_PATH_PROBLEMS = {"does not exist": "không tồn tại", "is a file": "là một tệp, không phải thư mục",
                  "is a directory": "là một thư mục, không phải tệp", "is not readable": "không có quyền đọc",
                  "is not writable": "không có quyền ghi"}


def _path_problem(message: str) -> str:
    """typer's own checks of a path option ("path 'x' is not readable."), in Vietnamese."""
    m = re.match(r"\w+ '(.*)' (does not exist|is a file|is a directory|is not readable|is not writable)\.", message)
    return f"«{m[1]}» {_PATH_PROBLEMS[m[2]]}" if m else "giá trị không hợp lệ"


def _option(param: Any) -> str:
    opts = getattr(param, "opts", None) or [getattr(param, "name", "?")]
    return max(opts, key=len)


app = typer.Typer(help="Tổng hợp báo cáo DVCTT (Đề án 1588/QĐ-TTg) – DVCTT yearly report pipeline.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, cls=_Commands)

# Not checked by typer (readable=False): `load_config` says what is wrong with the folder, with exit 1.
Workspace = Annotated[Path, typer.Option("--workspace", "-w", help="Workspace directory (holds workspace.yaml, "
                                         "inbox/, archive/, outbox/).", envvar="DVCTT_WORKSPACE", readable=False)]
AsJson = Annotated[bool, typer.Option("--json", help="Print a machine-readable JSON summary on stdout.")]
Year = Annotated[int | None, typer.Option("--year", help="Report year (default: the workspace's year, or the cycle "
                                         "under way when workspace.yaml names none).")]
Send = Annotated[bool, typer.Option("--send", help="E-mail the workbook to the configured recipients (smtp in "
                                    "workspace.yaml; the password comes from the env var smtp.password_env).")]
Final = Annotated[bool, typer.Option("--chinh-thuc", help="Mark the workbook as the final version (CHÍNH THỨC) "
                                     "instead of a draft (DỰ THẢO); the time printed is this run's.")]


def _print_ingest(summary: dict, as_json: bool) -> None:
    if as_json:
        return
    table = Table(title="Kết quả tiếp nhận tệp")
    for col in ("Đã thấy", "Đã nhận", "Bị từ chối", "Đang chờ", "Mới nhận", "Mới từ chối"):
        table.add_column(col, justify="right")
    table.add_row(*(str(summary[k]) for k in ("seen", "accepted", "quarantined", "pending", "new_accepted",
                                               "new_quarantined")))
    console.print(table)
    for f in summary["files"]:
        if f["new"] and f["status"] == "quarantined":
            console.print(f"[yellow]Từ chối[/] {f['unit_code']}/{f['name']}: {f['reason'].splitlines()[0]}")


@app.command()
def ingest(workspace: Workspace, as_json: AsJson = False) -> None:
    """Scan inbox/<unit>/, archive, validate and load new files (files are never deleted)."""
    from dvctt.inbox_check import ingest as run_ingest  # not dvctt.pipeline: nothing new answers in a second

    summary = _guard(lambda: run_ingest(workspace, progress=sys.stderr.isatty() and not as_json)).to_dict()
    _print_ingest(summary, as_json)
    if as_json:
        print(_ingest_json(summary))


def _ingest_json(summary: dict) -> str:
    """Indented JSON with one line per file: indenting forces json's pure-Python encoder, a third of a
    second for a national inbox of 12,000 files, most of an ingest that finds nothing new."""
    files = ",\n    ".join(json.dumps(f, ensure_ascii=False) for f in summary["files"])
    head = json.dumps(summary | {"files": []}, ensure_ascii=False, indent=2)
    return head.replace('"files": []', f'"files": [\n    {files}\n  ]' if files else '"files": []', 1)


def _portal(workspace: Path, year: int | None, as_json: bool, separate: bool = False) -> dict:
    from dvctt.portal import ingest_portal
    from dvctt.stage_process import in_fresh_process

    stage = partial(ingest_portal, workspace, year)
    with console.status("Đang đọc tệp thống kê Cổng DVC…", spinner="dots") if not as_json else nullcontext():
        summary = _guard(lambda: in_fresh_process(stage, _readable) if separate else stage()).to_dict()
    if not as_json:
        console.print(f"Cổng DVC: {summary['files']} tệp, {summary['facts']} số liệu, {summary['problems']} vấn đề, "
                      f"{summary['unknown_agencies']} mã cơ quan không có trong danh mục.")
        for name in summary["unreadable"]:
            console.print(f"[yellow]Không đọc được[/] portal/{name}")
    return summary


@app.command()
def portal(workspace: Workspace, year: Year = None, as_json: AsJson = False) -> None:
    """Read the portal's statistics exports in portal/ and store the portal indicators (recomputed each run)."""
    summary = _portal(workspace, year, as_json)
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))


def _send(workspace: Path, year: int | None, as_json: bool) -> list[str]:
    """E-mail the workbook; an unreachable or refusing mail server is a readable error, not a traceback."""
    import smtplib

    from dvctt.pipeline import deliver_report

    try:
        sent_to = _guard(lambda: deliver_report(workspace, year))
    except (smtplib.SMTPException, OSError) as exc:
        _fail(f"Không gửi được thư qua máy chủ SMTP: {exc.__class__.__name__}: {exc}")
    if not as_json:
        console.print(f"Đã gửi báo cáo tới: {', '.join(sent_to)}")
    return sent_to


ReportHierarchy = Annotated[int | None, typer.Option(
    "--hierarchy", min=2, max=3, help="2 = xã → tỉnh, 3 = xã → huyện → tỉnh; only for a window straddling 1/7/2025.")]
ReportUnit = Annotated[str | None, typer.Option(
    "--unit", help="Report on this unit's subtree only (a district, or a province of a national workspace).")]
DateFrom = Annotated[str | None, typer.Option(
    "--from", help="Ad hoc (đột xuất) window start, DD/MM/YYYY (default: the yearly window's).")]
DateTo = Annotated[str | None, typer.Option("--to", help="Ad hoc window end, DD/MM/YYYY (default: the yearly window's).")]


def _day(text: str | None, option: str) -> date | None:
    """DD/MM/YYYY as clerks write dates (YYYY-MM-DD also accepted)."""
    if text is None:
        return None
    day = parse_day(text)
    if day is None:
        _fail(f"Ngày «{text}» ({option}) không hợp lệ: hãy ghi theo dạng DD/MM/YYYY, ví dụ 30/06/2025.")
    return day


def _build(workspace: Path, year: int | None, hierarchy: int | None, unit: str | None, date_from: str | None,
           date_to: str | None, as_json: bool, final: bool = False, separate: bool = False) -> ReportResult:
    from dvctt.pipeline import build_report
    from dvctt.stage_process import in_fresh_process

    start, end = _day(date_from, "--from"), _day(date_to, "--to")
    levels = cast(Hierarchy | None, hierarchy)  # typer's min=2, max=3 keep it to 2 or 3
    stage = partial(build_report, workspace, year, hierarchy=levels, unit=unit, date_from=start, date_to=end,
                    progress=sys.stderr.isatty() and not as_json, final=final)
    return _guard(lambda: in_fresh_process(stage, _readable) if separate else stage())


def _send_default(workspace: Path, year: int | None, result: ReportResult, as_json: bool) -> list[str]:
    """Only the yearly report of the whole workspace goes to the configured recipients (the e-mail names
    the province and the year, and `deliver_report` sends the file at that report's path)."""
    from dvctt.pipeline import report_path

    config = load_config(workspace)
    if result.path != report_path(workspace, config.for_year(result.year) if result.year != config.year else config):
        _fail("--send chỉ gửi báo cáo năm của toàn địa bàn; báo cáo theo đơn vị, hệ thống hay kỳ đột xuất đã được "
              f"ghi tại {result.path}, hãy gửi tệp này theo cách thông thường.")
    return _send(workspace, year, as_json)


@app.command()
def report(workspace: Workspace, year: Year = None, hierarchy: ReportHierarchy = None, unit: ReportUnit = None,
           date_from: DateFrom = None, date_to: DateTo = None, send: Send = False, as_json: AsJson = False,
           final: Final = False) -> None:
    """Write the leadership workbook to outbox/<year>/ from what the warehouse holds (any unit, any window)."""
    result = _build(workspace, year, hierarchy, unit, date_from, date_to, as_json, final)
    sent = {"sent_to": _send_default(workspace, year, result, as_json)} if send else {}
    if as_json:
        print(json.dumps({**result.to_dict(), **sent}, ensure_ascii=False, indent=2))
    else:
        console.print(f"Đã nộp: {result.units_reported}/{result.units_expected} đơn vị.")
        print(result.path)


@app.command()
def run(workspace: Workspace, year: Year = None, hierarchy: ReportHierarchy = None, unit: ReportUnit = None,
        date_from: DateFrom = None, date_to: DateTo = None, send: Send = False, as_json: AsJson = False,
        final: Final = False) -> None:
    """Ingest unit files, then the portal's exports, then report: the whole pipeline, each stage in its own process."""
    from dvctt.pipeline import ingest as run_ingest
    from dvctt.stage_process import in_fresh_process

    # Each stage in its own process (dvctt.stage_process): the run needs its largest stage's memory, not their sum.
    ingested = partial(run_ingest, workspace, progress=sys.stderr.isatty() and not as_json)
    summary = _guard(lambda: in_fresh_process(ingested, _readable)).to_dict()
    _print_ingest(summary, as_json)
    portal_summary = _portal(workspace, year, as_json, separate=True)
    result = _build(workspace, year, hierarchy, unit, date_from, date_to, as_json, final, separate=True)
    sent = {"sent_to": _send_default(workspace, year, result, as_json)} if send else {}
    if as_json:
        print(json.dumps({"ingest": summary, "portal": portal_summary, "report": result.to_dict(), **sent},
                         ensure_ascii=False, indent=2))
    else:
        print(result.path)


@app.command()
def rebuild(
    workspace: Workspace,
    force: Annotated[bool, typer.Option("--force", help="Replace what the warehouse already holds from intake "
                                        "(portal figures and reminders sent are kept).")] = False,
    as_json: AsJson = False,
) -> None:
    """Recreate the warehouse from archive/ and its arrival journal (a restore, or a move to PostgreSQL): same
    arrival times, versions, figures and warnings as intake recorded. Writes into the configured warehouse."""
    from dvctt.rebuild import RebuildRefused
    from dvctt.rebuild import rebuild as run_rebuild

    try:
        summary = _guard(lambda: run_rebuild(workspace, force=force, progress=sys.stderr.isatty() and not as_json))
    except RebuildRefused as exc:
        _fail(str(exc))
    if as_json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        console.print(summary.describe())


@app.command()
def init(
    workspace: Annotated[Path, typer.Option("--workspace", "-w", help="Directory to create the workspace in.",
                                            readable=False)],
    profile: Annotated[str, typer.Option(help="Locality profile: lai-chau, ba-ria-vung-tau, hai-phong, my-tu, "
                                              "quynh-luu.")],
    as_json: AsJson = False,
) -> None:
    """Write a ready workspace.yaml for one of the five plans (lead agency, deadlines, the Báo cáo's header)."""
    from dvctt.profiles import init_workspace

    path = _guard(lambda: init_workspace(workspace, profile))
    if as_json:
        print(json.dumps({"config": str(path.resolve()), "profile": profile}, ensure_ascii=False, indent=2))
        return
    console.print(f"Đã ghi {path.resolve()} theo hồ sơ {profile}. Tiếp theo: `dvctt template --all --workspace "
                  f"{workspace}` tạo biểu mẫu và thư mục inbox của từng đơn vị.")


@app.command()
def demo(
    workspace: Annotated[Path, typer.Option("--workspace", "-w", help="Directory to create the demo workspace in.",
                                            readable=False)] = Path("demo"),
    province: Annotated[str, typer.Option(help="Province code (2 digits), e.g. 40 = Nghệ An, 12 = Lai Châu.")] = "40",
    year: Annotated[int | None, typer.Option(help="Report year (default: the cycle under way, and the workspace "
                                                  "then follows the calendar).")] = None,
    files_only: Annotated[bool, typer.Option(
        "--files-only", help="Only write workspace.yaml and the units' files (for a trial of the Airflow stack, "
                             "which then takes them in); no warehouse, no report.")] = False,
    as_json: AsJson = False,
) -> None:
    """Create a workspace for a real province with plausible submissions, run the pipeline, print the report path."""
    from dvctt.demo import create_demo
    from dvctt.pipeline import build_report

    if files_only:
        made = _guard(lambda: create_demo(workspace, province, year, run=False))
        if as_json:
            print(json.dumps({"year": made.config.year, "submitted": made.submitted, "late": made.late,
                              "missing": made.missing, "workspace": str(workspace.resolve())}, ensure_ascii=False,
                             indent=2))
        else:
            console.print(f"Workspace: {workspace.resolve()} – tệp của {made.submitted} đơn vị trong inbox/ "
                          f"(chưa tiếp nhận), {made.missing} đơn vị chưa nộp.")
        return
    with console.status("Đang tạo dữ liệu mẫu và chạy quy trình…", spinner="dots") if not as_json else nullcontext():
        made = _guard(lambda: create_demo(workspace, province, year, run=True))
        result = _guard(lambda: build_report(workspace, made.config.year))
    if as_json:
        print(json.dumps({"submitted": made.submitted, "late": made.late, "missing": made.missing,
                          "report": result.to_dict()}, ensure_ascii=False, indent=2))
        return
    console.print(f"Workspace: {workspace.resolve()} – {made.submitted} đơn vị nộp ({made.late} trễ hạn), "
                  f"{made.missing} chưa nộp.")
    print(result.path.resolve())


@app.command()
def template(
    unit: Annotated[str | None, typer.Option("--unit", help="Unit code, e.g. 03386 or 12-SKHCN.")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Where to write the .xlsx (with --unit).",
                                                readable=False)] = None,
    every: Annotated[bool, typer.Option("--all", help="Every unit expected to report: templates into "
                                        "outbox/bieu_mau/<year>/, and the inbox/<unit>/ folders that are missing.")]
    = False,
    workspace: Workspace = Path("."),
    year: Year = None,
    as_json: AsJson = False,
) -> None:
    """Write the blank submission workbook for one unit (--unit, -o), or for every expected unit (--all),
    prefilled with its code, name, level and year."""
    from core.catalogue import with_overrides
    from core.units import load_registry
    from templates.submission import write_template

    if every == (unit is not None) or (unit is not None and output is None):
        raise CombinationError("Cần --unit MÃ -o TỆP.xlsx cho một đơn vị, hoặc --all cho mọi đơn vị phải báo cáo.")
    if every:
        from dvctt.distribution import distribute

        made = _guard(lambda: distribute(workspace, year, progress=sys.stderr.isatty() and not as_json))
        if as_json:
            print(json.dumps(made.to_dict(), ensure_ascii=False, indent=2))
            return
        console.print(f"{made.units} đơn vị: {made.written} biểu mẫu mới ghi, {made.unchanged} không đổi; "
                      f"đã tạo {made.inbox_created} thư mục nộp trong inbox/.")
        print(made.folder)
        return

    def make() -> Path:
        target = cast(Path, output)
        if target.is_dir():
            _fail(f"«{target}» là một thư mục: -o phải là đường dẫn của tệp sẽ ghi, ví dụ {target / 'mau.xlsx'}.")
        config = load_config(workspace)
        config_y = config.for_year(year) if year is not None and year != config.year else config
        found = load_registry(config_y).get(str(unit))
        if found is None:
            _fail(f"Mã đơn vị «{unit}» không có trong danh mục của workspace {workspace}.")
        return write_template(found, config_y.year, config_y.report_window, with_overrides(config_y.catalogue), target,
                              config=config_y)

    print(_guard(make))


@app.command()
def reminders(
    workspace: Workspace,
    day: Annotated[str | None, typer.Option("--date", help="Act as on this day (YYYY-MM-DD; default: today "
                                            "in Vietnam).")] = None,
    as_json: AsJson = False,
) -> None:
    """E-mail each unit that has not reported a reminder with its blank template as its deadline nears
    (reminder_days_before, contacts in workspace.yaml), and IT the list; never the same reminder twice."""
    import smtplib
    from datetime import date

    from dvctt.reminders import send_reminders

    try:
        today = date.fromisoformat(day) if day else None
    except ValueError:
        _fail(f"Ngày «{day}» không hợp lệ: hãy ghi theo dạng YYYY-MM-DD, ví dụ 2025-12-03.")
    try:
        summary = _guard(lambda: send_reminders(workspace, today))
    except (smtplib.SMTPException, OSError) as exc:
        _fail(f"Không gửi được thư qua máy chủ SMTP: {exc.__class__.__name__}: {exc}")
    if as_json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return
    if not summary.due:
        console.print(f"Ngày {summary.day:%d/%m/%Y}: chưa đến thời gian nhắc nộp của cấp nào.")
        return
    console.print(f"Đã nhắc {len(summary.reminded)} đơn vị; {len(summary.no_contact)} đơn vị chưa có email "
                  f"(đã báo IT); {summary.already_done} đơn vị đã được nhắc trước đó.")


if __name__ == "__main__":
    app()
