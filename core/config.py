"""Workspace configuration (`workspace.yaml`), validated with pydantic.

Deadlines, cut-offs, recipients and the lead agency differ by locality, so they live here and
not in code. A bad file gets a Vietnamese message that names the offending key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from contextlib import suppress
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeGuard, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from core import clock
from core.catalogue import CatalogueOverrides
from core.errors import UserError, os_error_text
from core.resources import MERGES_FILE, REGISTRY_FILE
from core.validation_messages import describe_errors
from core.yaml_reader import YamlError, read_yaml

CONFIG_FILE = "workspace.yaml"
YEAR_MIN, YEAR_MAX = 2024, 2100
PROVINCE_PATTERN = r"^(\d{2}|VN)$"
CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z._-]{1,39}$"
# How a pattern is explained when a value does not match it.
PATTERN_HINTS = {
    PROVINCE_PATTERN: 'phải là mã tỉnh gồm 2 chữ số, ví dụ "01" hoặc "12", hoặc "VN" cho toàn quốc',
    CODE_PATTERN: 'phải là mã gồm 2–40 ký tự: chữ cái không dấu, chữ số, dấu chấm, gạch ngang hoặc gạch dưới, '
                  'ví dụ "12-SKHCN" hoặc "03386"',
}
UnitKind = Literal["department", "press", "district_office"]
ReportingLevel = Literal["commune", "district", "department", "press", "district_office"]
DAY_MONTH = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*$")  # "08/12": a deadline in every report year
TASK_CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z._-]{0,19}$"


def is_reporting_level(level: str) -> TypeGuard[ReportingLevel]:
    """Whether `level` is one a workspace can give a deadline (`deadlines`, `reporting_levels`)."""
    return level in get_args(ReportingLevel)


class ConfigError(UserError):
    """Raised for a missing or invalid workspace.yaml; the message is for IT staff, in Vietnamese."""


class Agency(BaseModel):
    """A reporting agency that is not in the administrative registry: a sở (department), a press
    body, or a phòng (district office). Departments and press roll into the province, offices into
    their district."""

    # Codes may be written unquoted: `read_yaml` keeps every number that would lose digits (03613) as text,
    # so a number reaching a text field is exactly what was typed.
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    code: str = Field(pattern=CODE_PATTERN)
    name: str
    kind: UnitKind = "department"
    parent: str | None = None


class Task(BaseModel):
    """A task of a task-based plan (kế hoạch có bảng nhiệm vụ): its lead units report its status every year.

    `lead` names who reports the status: unit codes, or unit kinds ("commune" for every commune). The
    texts are the plan's own words (`lead_text`, `partners`, `period`), shown as written in the report.
    """

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    code: str = Field(pattern=TASK_CODE_PATTERN)
    title: str
    lead: list[str] = Field(min_length=1)
    lead_text: str | None = None
    partners: str | None = None
    period: str | None = None
    ref: str | None = None  # where the plan lists it, e.g. "II.1.a"
    items: list[str] = Field(default_factory=list)  # catalogue codes that measure the task

    def led_by(self, code: str, level: str) -> bool:
        return code in self.lead or level in self.lead


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    dir: Path | None = None  # None: the registries shipped with the package (core/data/units)
    file: str = REGISTRY_FILE
    merges: str = MERGES_FILE


class Window(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError("ngày kết thúc (end) phải sau ngày bắt đầu (start)")
        return self


class Smtp(BaseModel):
    model_config = ConfigDict(extra="forbid")
    host: str = "localhost"
    port: int = 25
    sender: str = "bao-cao-dvctt@localhost"
    user: str | None = None
    password_env: str | None = Field(default=None, description="name of the env var holding the password")
    starttls: bool = False


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_file_mb: float = 20
    max_uncompressed_mb: float = 200
    max_rows: int = 5000
    settle_seconds: float = 2.0


class HeaderNames(BaseModel):
    """The two names over the issuing body's side of a Decree 30/2020 header: the parent (cơ quan chủ quản, written in
    upper case) over the issuing body itself (bold), and the place name (địa danh) the date line starts with."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    parent_body: str | None = None  # "ỦY BAN NHÂN DÂN TỈNH LAI CHÂU"; None: left for the clerk
    issuing_body: str | None = None  # "SỞ KHOA HỌC VÀ CÔNG NGHỆ"; None: the lead agency
    code: str | None = None  # the issuer's abbreviation after "/BC-" in "Số: …/BC-SKHCN"
    place: str | None = None  # "Lai Châu"


class DocumentConfig(HeaderNames):
    """What the Báo cáo (the .docx a leader signs, Decree 30/2020/NĐ-CP) needs beyond the figures: the header,
    Kính gửi, the plan it reports on (căn cứ), Nơi nhận and the signer. A value left out is a passage the clerk
    completes, marked in the document, never guessed."""

    addressees: list[str] = Field(default_factory=list)  # Kính gửi
    distribution: list[str] = Field(default_factory=list)  # Nơi nhận, before "Lưu: VT"
    plan_number: str | None = None  # "51/KH-UBND": the locality's own plan
    plan_date: date | None = None
    plan_issuer: str | None = None  # "Ủy ban nhân dân huyện Mỹ Tú"
    signer_title: str | None = None  # "GIÁM ĐỐC", "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
    signer_name: str | None = None
    # The day the lead agency's report is due upstream ("30/11"): checked against the data window's end.
    deadline: str | None = Field(default=None, pattern=DAY_MONTH.pattern)
    # A district plan: the header of a report whose window ends before 1/7/2025, when the district (UBND huyện,
    # its office) still reported, and how the area's communes report since (said in the report).
    district: HeaderNames | None = None
    communes_note: str | None = None

    def deadline_in(self, year: int) -> date | None:
        m = DAY_MONTH.match(self.deadline) if self.deadline else None
        return date(year, int(m[2]), int(m[1])) if m else None


class WorkspaceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)  # see Agency
    province: str = Field(pattern=PROVINCE_PATTERN)  # "VN": the whole country (a ministry)
    # Left out of workspace.yaml, the report year follows the calendar (`cycle_year`); written, it pins the year.
    year: int = Field(ge=YEAR_MIN, le=YEAR_MAX)
    # None: the hierarchy valid in the report window; for a window straddling 1/7/2025 (the 2025 report) this
    # chooses: 2 = commune→province with old units mapped through the crosswalk, 3 = commune→district→province.
    hierarchy: Literal[2, 3] | None = None
    # Partial merges (an old commune split among several new ones): old code → {new code: share}; the shares of
    # one old code must name all its new communes and sum to 1. Unlisted splits use equal shares. A share of 0 says
    # the registry lists a commune that got none of it (then a share of 1 is no estimate): docs/domain.md.
    merge_weights: dict[str, dict[str, float]] = Field(default_factory=dict)
    registry: Registry = Registry()
    window: Window | None = None
    deadlines: dict[ReportingLevel, date] = Field(default_factory=dict)
    reporting_levels: list[ReportingLevel] = ["commune", "department", "press", "district_office"]
    lead_agency: str = "Sở Khoa học và Công nghệ"
    recipients: list[str] = Field(default_factory=list)
    agencies: list[Agency] = Field(default_factory=list)
    warehouse_url: str | None = None
    smtp: Smtp = Smtp()
    limits: Limits = Limits()
    # Reminders and the final report (dvctt.schedule, dvctt.reminders): units that have not reported are reminded
    # `reminder_days_before` days before their level's deadline; the final report runs `final_report_days_before`.
    reminder_days_before: int = Field(default=5, ge=1, le=60)
    final_report_days_before: int = Field(default=2, ge=1, le=60)
    it_recipients: list[str] = Field(default_factory=list)  # IT staff for alerts and lists; empty = `recipients`
    contacts: dict[str, str] = Field(default_factory=dict)  # unit code → e-mail address for reminders
    catalogue: CatalogueOverrides = CatalogueOverrides()  # the province's targets and items over Decision 1588's
    tasks: list[Task] = Field(default_factory=list)  # the plan's task table, for a task-based plan
    plan: str | None = None  # the plan the tasks come from, as the report names it
    document: DocumentConfig = DocumentConfig()  # the Báo cáo's header, addressees and signer (profiles)
    _year_pinned: bool = PrivateAttr(default=True)

    @model_validator(mode="wrap")
    @classmethod
    def _calendar(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> WorkspaceConfig:
        """Without `year`, the report year is the cycle under way (`cycle_year`); deadlines may be written as
        day/month ("08/12"), the same day every year, and must be when the year follows the calendar."""
        pinned = True
        if isinstance(data, dict):
            data = dict(data)
            pinned = data.get("year") is not None
            deadlines = data.get("deadlines")
            days = _day_months(deadlines) if isinstance(deadlines, dict) else {}
            if not pinned:
                fixed = sorted(str(k) for k, v in (deadlines or {}).items() if k not in days) \
                    if isinstance(deadlines, dict) else []
                if fixed:
                    raise ValueError(f"khi không khai báo year (năm báo cáo theo lịch), hạn nộp ghi dạng ngày/tháng "
                                     f"áp dụng cho mọi năm, ví dụ commune: \"08/12\" (đang ghi ngày cụ thể cho "
                                     f"{', '.join(fixed)})")
                if data.get("window") is not None:
                    raise ValueError("khi không khai báo year (năm báo cáo theo lịch), không khai báo window: kỳ số "
                                     "liệu là 15/12 năm trước đến 14/12 năm báo cáo")
                data["year"] = cycle_year(clock.vn_today(), days.values())
            if days:
                year = data["year"]
                with suppress(TypeError, ValueError):  # a year or day that is not a date: the field validators say
                    data["deadlines"] = {**deadlines, **{k: date(int(year), m, d) for k, (m, d) in days.items()}}
        config = handler(data)
        config._year_pinned = pinned
        return config

    @property
    def year_pinned(self) -> bool:
        """Whether workspace.yaml names the year; otherwise it follows the calendar."""
        return self._year_pinned

    @model_validator(mode="after")
    def _deadline_after_cutoff(self) -> WorkspaceConfig:
        if problem := self.deadline_problem():
            raise ValueError(problem)
        return self

    def deadline_problem(self) -> str | None:
        """A report due upstream before its data window ends would be sent without the last days' figures (or
        sent late): say so, and how to resolve it, rather than silently keep the Decree 09 cut-off."""
        due = self.document.deadline_in(self.year)
        end = self.report_window.end
        if due is None or due >= end:
            return None
        return (f"hạn gửi báo cáo document.deadline {due:%d/%m} đứng trước ngày chốt số liệu {end:%d/%m/%Y} (Nghị "
                f"định 09/2019/NĐ-CP: 14/12): báo cáo sẽ thiếu số liệu từ {due:%d/%m} đến {end:%d/%m}. Hãy ghi year và "
                f"window: {{start: {end.year - 1}-12-15, end: <ngày chốt trước hạn>}} (kỳ số liệu kết thúc sớm hơn), "
                f"hoặc sửa hạn gửi")

    @field_validator("tasks")
    @classmethod
    def _unique_tasks(cls, value: list[Task]) -> list[Task]:
        codes = [t.code for t in value]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"mã nhiệm vụ {', '.join(twice)} ghi hai lần")
        return value

    @field_validator("merge_weights")
    @classmethod
    def _shares(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for old_code, shares in value.items():
            if not shares or any(w < 0 for w in shares.values()) or abs(sum(shares.values()) - 1) > 1e-9:
                raise ValueError(f"tỷ lệ chia của mã cũ {old_code} phải là các số không âm có tổng bằng 1 (đang là "
                                 f"{shares})")
        return value

    @field_validator("recipients", "it_recipients")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if "@" not in v]
        if bad:
            raise ValueError(f"địa chỉ email không hợp lệ: {', '.join(bad)}")
        return value

    @field_validator("contacts")
    @classmethod
    def _contact_emails(cls, value: dict[str, str]) -> dict[str, str]:
        codes = [code for code in value if not re.fullmatch(CODE_PATTERN, code)]
        if codes:
            raise ValueError(f"mã đơn vị không hợp lệ: {', '.join(codes)} ({PATTERN_HINTS[CODE_PATTERN]})")
        bad = [f"{code}: {email}" for code, email in value.items() if "@" not in email]
        if bad:
            raise ValueError(f"địa chỉ email không hợp lệ: {', '.join(bad)}")
        return value

    def tasks_for(self, code: str, level: str) -> list[Task]:
        """The tasks whose status the unit reports (it leads them)."""
        return [t for t in self.tasks if t.led_by(code, level)]

    @property
    def report_window(self) -> Window:
        """Decree 09/2019: a yearly report covers 15/12 of the previous year to 14/12."""
        return self.window or Window(start=date(self.year - 1, 12, 15), end=date(self.year, 12, 14))

    def for_year(self, year: int) -> WorkspaceConfig:
        """The same workspace reporting on another year (backfill, ad hoc): deadlines keep their day and month."""
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise ConfigError(f"Năm báo cáo {year} không hợp lệ: chỉ lập được báo cáo cho các năm từ {YEAR_MIN} "
                              f"đến {YEAR_MAX}.")
        deadlines = {k: v.replace(year=year + (v.year - self.year)) for k, v in self.deadlines.items()}
        return self.model_copy(update={"year": year, "window": None, "deadlines": deadlines})

    def deadline_for(self, level: str) -> date:
        deadline = self.deadlines.get(level) if is_reporting_level(level) else None
        return deadline or date(self.year, 12, 15)


def _day_months(deadlines: dict) -> dict[str, tuple[int, int]]:
    """The deadlines written as day/month: level → (month, day)."""
    out = {}
    for level, value in deadlines.items():
        if isinstance(value, str) and (m := DAY_MONTH.match(value)):
            out[level] = (int(m[2]), int(m[1]))
    return out


def cycle_year(today: date, deadlines: Iterable[tuple[int, int]] = ()) -> int:
    """The report year under way on `today`: the one whose data window (15/12 of the year before to 14/12)
    holds today, unless the year before still has a deadline ahead (on 15/12/2026 with a 15/12 deadline the
    cycle is still 2026, although the 2027 window opened that day). `deadlines` are (month, day), 15/12 when
    none is given."""
    last = max(deadlines, default=(12, 15))
    window_year = today.year + 1 if (today.month, today.day) > (12, 14) else today.year
    try:
        still_open = date(window_year - 1, *last) >= today
    except ValueError:  # 29/02 in a year without it
        still_open = False
    return window_year - 1 if still_open else window_year


def check_workspace(workspace: Path) -> Path:
    """`workspace` as a readable folder, or a ConfigError saying what it is instead."""
    path = Path(workspace)
    if not path.exists():
        raise ConfigError(f"Không tìm thấy thư mục workspace «{path}»: hãy kiểm tra --workspace (hoặc biến "
                          "DVCTT_WORKSPACE), hoặc tạo workspace bằng `dvctt demo`.")
    if not path.is_dir():
        raise ConfigError(f"«{path}» là một tệp, không phải thư mục workspace: --workspace (hoặc DVCTT_WORKSPACE) "
                          "phải là thư mục chứa workspace.yaml.")
    if not os.access(path, os.R_OK | os.X_OK):
        raise ConfigError(f"Không có quyền đọc thư mục workspace «{path}»: hãy cấp quyền đọc và ghi cho người dùng "
                          "chạy dvctt.")
    return path


def load_config(workspace: Path) -> WorkspaceConfig:
    """workspace.yaml validated; every problem (folder, file, syntax, key) is a ConfigError naming it."""
    path = check_workspace(workspace) / CONFIG_FILE
    if not path.is_file():
        what = "là một thư mục, không phải tệp" if path.is_dir() else "không có"
        raise ConfigError(f"Tệp cấu hình {path} {what}. Hãy tạo workspace bằng `dvctt demo` hoặc viết {CONFIG_FILE}.")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Không đọc được tệp cấu hình: {os_error_text(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"Tệp {path} không phải văn bản UTF-8 (byte lỗi ở vị trí {exc.start}): hãy lưu lại tệp "
                          "với bảng mã UTF-8.") from exc
    try:
        data = _parse(text) or {}
    except YamlError as exc:
        raise ConfigError(f"Tệp {path}: {exc}.") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"Tệp {path} phải là một bảng khóa: giá trị (ví dụ «province: \"12\"» trên từng dòng).")
    try:
        config = WorkspaceConfig.model_validate(data)
    except ValidationError as exc:
        problems = describe_errors(exc, PATTERN_HINTS, WorkspaceConfig)
        raise ConfigError(f"Cấu hình {path} không hợp lệ: {problems}.") from exc
    if config.registry.dir is not None and not config.registry.dir.is_absolute():
        config.registry.dir = (path.parent / config.registry.dir).resolve()
    return config


@lru_cache(maxsize=4)
def _parse(text: str) -> object:
    """YAML, remembered by content: a national workspace lists ~2,000 agencies, 0.2 s to parse even with libyaml,
    which a long-running worker would pay on every run. Only read: every caller validates it into a new
    WorkspaceConfig."""
    return read_yaml(text)


def write_config(workspace: Path, config: WorkspaceConfig) -> Path:
    """workspace.yaml for `config`; a year that follows the calendar is left out, its deadlines written as day/month."""
    path = Path(workspace) / CONFIG_FILE
    data = config.model_dump(mode="json", exclude_none=True)
    if config.catalogue.empty:
        data.pop("catalogue", None)
    if not config.year_pinned:
        data.pop("year")
        data["deadlines"] = {k: f"{v:%d/%m}" for k, v in config.deadlines.items()}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
