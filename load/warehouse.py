"""Warehouse access: record files, load accepted submissions as new versions, read current figures."""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from sqlalchemy import (
    URL,
    ColumnElement,
    Engine,
    Select,
    create_engine,
    event,
    false,
    func,
    insert,
    make_url,
    select,
    true,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError

from core.clock import now
from core.errors import WarehouseConfigError, WarehouseUnreachable
from load import schema as T
from load.migrate import upgrade

if TYPE_CHECKING:  # pandas is imported where frames are made: an ingest with nothing new never needs it
    import pandas as pd

WAREHOUSE_ENV = "DVCTT_WAREHOUSE_URL"


def warehouse_url(workspace: Path, configured: str | None = None) -> str:
    """The environment wins (production secrets), then workspace.yaml, then a SQLite file."""
    return os.environ.get(WAREHOUSE_ENV) or configured or f"sqlite:///{Path(workspace).resolve() / 'warehouse.sqlite'}"


SUPPORTED = {("sqlite", "pysqlite"), ("postgresql", "psycopg2")}


def connect(url: str) -> Engine:
    """An engine on the warehouse, migrated to the current schema (`load.migrate`)."""
    engine = _engine(url)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:  # WAL lets the report read while ingest writes
            dbapi_conn.isolation_level = None  # the driver's own transaction handling off: see `_begin`
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # SQLAlchemy's recipe for pysqlite: a real BEGIN, so a migration's DDL and a batch are all-or-nothing.
            conn.exec_driver_sql("BEGIN")
    with_retries(lambda: upgrade(engine), url=engine.url)
    return engine


def _engine(url: str) -> Engine:
    """`create_engine` for the two databases dvctt supports; anything else is a WarehouseConfigError."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise WarehouseConfigError(f"Địa chỉ kho dữ liệu «{_redact(url)}» (warehouse_url hoặc {WAREHOUSE_ENV}) không "
                                   f"đúng dạng: {_FORMS}.") from None
    driver = parsed.get_driver_name() if parsed.drivername != parsed.get_backend_name() else None
    backend = parsed.get_backend_name()
    if (backend, driver or {"sqlite": "pysqlite", "postgresql": "psycopg2"}.get(backend)) not in SUPPORTED:
        raise WarehouseConfigError(f"Kho dữ liệu «{parsed.drivername}» (trong «{_shown(parsed)}») không được hỗ trợ: "
                                   f"{_FORMS}.")
    return create_engine(parsed, pool_pre_ping=True)


_FORMS = "dvctt dùng sqlite:///đường/dẫn/warehouse.sqlite hoặc postgresql+psycopg2://người_dùng@máy_chủ:5432/tên_csdl"


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _redact(text: str) -> str:
    """A URL that does not even parse, with anything that looks like a password hidden."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", text)


T_ = TypeVar("T_")
Q = TypeVar("Q", bound=Select)
log = logging.getLogger(__name__)


def _among(query: Q, column: ColumnElement, units: Collection[str] | None) -> Q:
    """`query` limited to rows whose `column` is one of `units` (None: every row)."""
    return query if units is None else query.where(column.in_(sorted(units)))


# Transient faults, retried: SQLSTATE classes 08 (connection) and 57P (server shutting down or starting),
# serialisation failures, deadlocks, too many connections; and the drivers' texts for the same, since a
# connection that never opened has no SQLSTATE.
_TRANSIENT_STATES = ("08", "57P", "40001", "40P01", "53300")
_TRANSIENT_TEXTS = (
    "connection refused", "could not connect to server", "server closed the connection unexpectedly",
    "terminating connection", "the database system is starting up", "the database system is shutting down",
    "the database system is in recovery mode", "connection timed out", "timeout expired", "connection reset",
    "ssl connection has been closed unexpectedly", "ssl syscall error", "eof detected", "no route to host",
    "network is unreachable", "temporary failure in name resolution", "database is locked",
    "database table is locked", "too many connections", "connection already closed", "cannot connect now",
)


def is_transient(exc: BaseException) -> bool:
    """Whether retrying the transaction may succeed: a dropped or refused connection, a restarting server, a
    locked SQLite file. A missing database, a refused login or an SQL error is permanent."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    state = getattr(exc.orig, "pgcode", None) or ""
    if state and state.startswith(_TRANSIENT_STATES):
        return True
    text = str(exc.orig).lower()
    return any(t in text for t in _TRANSIENT_TEXTS)


def with_retries(fn: Callable[[], T_], attempts: int = 5, base_delay: float = 1.0, *, url: URL | None = None) -> T_:
    """Run a whole transaction again after a transient database error (server restart, dropped
    connection, busy SQLite file), with exponential backoff; fail at once on a permanent one. The
    transaction is all-or-nothing, so a retry never duplicates rows. Connection faults become a
    WarehouseError in Vietnamese (`url`, if given, names the warehouse); an error in SQL itself is raised
    as it is: that is a bug, not a fault of the warehouse."""
    waited = 0.0
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except (OperationalError, InterfaceError) as exc:
            if not is_transient(exc):
                raise _permanent(exc, url) from exc
            if attempt == attempts:
                where = f" «{_shown(url)}»" if url is not None else ""
                raise WarehouseUnreachable(
                    f"Không kết nối được kho dữ liệu{where} sau {attempts} lần thử trong {waited:.0f} giây (máy chủ "
                    f"không phản hồi, đang khởi động lại hoặc tệp đang bị khóa): {_first_line(exc)}. Hãy kiểm tra máy "
                    "chủ cơ sở dữ liệu rồi chạy lại.") from exc
            delay = base_delay * 2 ** (attempt - 1)
            log.warning("Lỗi tạm thời của kho dữ liệu (%s, lần %d/%d); thử lại sau %.0f giây",
                        _first_line(exc), attempt, attempts, delay)
            time.sleep(delay)
            waited += delay
    raise AssertionError("unreachable")


def _first_line(exc: DBAPIError) -> str:
    return (str(exc.orig).strip().splitlines() or [exc.__class__.__name__])[0]


def _permanent(exc: DBAPIError, url: URL | None) -> Exception:
    """A WarehouseConfigError saying what to fix, for the faults a person must fix; else `exc` itself."""
    text = _first_line(exc)
    server = f"{url.host or 'localhost'}:{url.port or 5432}" if url is not None and url.host else "máy chủ"
    env = f"warehouse_url (workspace.yaml) hoặc biến {WAREHOUSE_ENV}"
    if m := re.search(r'database "([^"]+)" does not exist', text):
        return WarehouseConfigError(f"Cơ sở dữ liệu «{m[1]}» không có trên {server}: hãy tạo nó (createdb {m[1]}) "
                                    f"hoặc sửa {env}.")
    if m := re.search(r'role "([^"]+)" does not exist', text):
        return WarehouseConfigError(f"Người dùng «{m[1]}» không có trên {server}: hãy sửa tên người dùng trong {env}.")
    if "password authentication failed" in text or "no password supplied" in text or "authentication failed" in text:
        user = url.username if url is not None else None
        return WarehouseConfigError(f"{server} từ chối đăng nhập của người dùng «{user or '?'}»: sai hoặc thiếu mật "
                                    f"khẩu; hãy sửa {env}.")
    if "no pg_hba.conf entry" in text:
        return WarehouseConfigError(f"{server} không cho phép kết nối từ máy này (pg_hba.conf): hãy nhờ quản trị cơ sở "
                                    "dữ liệu cấp quyền.")
    if "unable to open database file" in text:
        where = url.database if url is not None else "warehouse.sqlite"
        return WarehouseConfigError(f"Không mở được tệp kho dữ liệu SQLite «{where}»: thư mục chứa tệp không tồn tại "
                                    "hoặc người dùng hiện tại không có quyền ghi.")
    if "could not translate host name" in text or "name or service not known" in text.lower():
        return WarehouseConfigError(f"Không tìm thấy máy chủ cơ sở dữ liệu «{url.host if url is not None else '?'}»: "
                                    f"hãy sửa tên máy trong {env}.")
    if "permission denied" in text:
        return WarehouseConfigError(f"Người dùng cơ sở dữ liệu không có quyền cần thiết trên kho dữ liệu: {text}")
    if "readonly database" in text or "read-only" in text:
        return WarehouseConfigError(f"Kho dữ liệu chỉ cho phép đọc, không ghi được: {text}")
    return exc


INSERT_ROWS = 20_000  # rows per bulk insert of a batch's facts, texts and task reports


@dataclass
class BatchItem:
    """One new file of an intake batch, as the warehouse stores it."""

    rec: FileRecord
    status: str  # accepted | quarantined
    reason: str | None
    findings: list[dict]
    meta: dict = field(default_factory=dict)
    facts: list[dict] = field(default_factory=list)
    texts: list[dict] = field(default_factory=list)
    year: int | None = None  # the year the file reports on, when not the batch's (an earlier year's file)
    era: str | None = None  # the registry its unit code comes from (core.units)
    tasks: list[dict] = field(default_factory=list)  # task_code, status, note, sheet, cell


@dataclass
class FileRecord:
    unit_code: str
    sha256: str
    original_name: str
    size: int
    arrived_at: datetime
    archive_path: str | None


class _Stats(Protocol):
    """A row of a STATS_COLUMNS frame from `itertuples`, whose fields pandas-stubs type as any scalar."""

    level: str
    indicator_code: str
    median: float
    n: int
    mad: float


def _float(x: float) -> float | None:
    import pandas as pd

    return None if pd.isna(x) else float(x)


class Warehouse:
    def __init__(self, engine: Engine):
        self.engine = engine

    def file_status(self) -> dict[tuple[str, str], str]:
        """(unit_code, sha256) → status for every file ever processed: re-dropped bytes are no-ops."""
        def read() -> dict[tuple[str, str], str]:
            with self.engine.connect() as conn:
                rows = conn.execute(select(T.files.c.unit_code, T.files.c.sha256, T.files.c.status))
                return {(u, s): st for u, s, st in rows}
        return with_retries(read, url=self.engine.url)

    def inbox_hashes(self) -> dict[tuple[str, str, int, int, int], str]:
        """(unit_code, name, size, mtime_ns, ctime_ns) → sha256 of every inbox file hashed before."""
        t = T.inbox_files
        def read() -> dict[tuple[str, str, int, int, int], str]:
            with self.engine.connect() as conn:
                rows = conn.execute(select(t.c.unit_code, t.c.name, t.c.size, t.c.mtime_ns, t.c.ctime_ns, t.c.sha256))
                return {tuple(key): sha for *key, sha in rows}
        return with_retries(read, url=self.engine.url)

    def remember_inbox(self, conn: Connection, hashed: list[dict]) -> None:
        """Record newly hashed inbox files (`inbox_files` columns), in the batch's transaction."""
        if hashed:
            conn.execute(insert(T.inbox_files), hashed)

    def write_batch(self, conn: Connection, year: int, items: list[BatchItem]) -> None:
        """Write a whole intake batch with a handful of bulk statements, not a few per file.

        Items are in arrival order: a unit's later file for the same year (`year`, or the item's own) in the
        same batch gets the next version and becomes current; every earlier version of the unit stays, no
        longer current. A reused code is two units, one per era: a file supersedes the current submission of
        its own era (and one of no known era), never the other unit's.
        """
        if not items:
            return
        file_ids = conn.execute(
            insert(T.files).returning(T.files.c.id, sort_by_parameter_order=True),
            [dict(unit_code=i.rec.unit_code, sha256=i.rec.sha256, original_name=i.rec.original_name, size=i.rec.size,
                  arrived_at=i.rec.arrived_at, status=i.status, archive_path=i.rec.archive_path, reason=i.reason)
             for i in items],
        ).scalars().all()
        findings = [{**f, "file_id": fid} for i, fid in zip(items, file_ids, strict=True) for f in i.findings]
        if findings:
            conn.execute(insert(T.findings), findings)
        accepted = [(i, fid) for i, fid in zip(items, file_ids, strict=True) if i.status == "accepted"]
        if not accepted:
            return
        s = T.submissions
        version: dict[tuple[str, int], int] = {}
        groups: dict[tuple[int, str | None], set[str]] = {}
        for i, _ in accepted:
            groups.setdefault((i.year or year, i.era), set()).add(i.rec.unit_code)
        for (y, era), codes in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
            units = sorted(codes)
            for chunk in (units[k:k + 500] for k in range(0, len(units), 500)):
                where = (s.c.year == y, s.c.unit_code.in_(chunk))
                version |= {(u, y): v for u, v in conn.execute(select(s.c.unit_code, func.max(s.c.version))
                                                               .where(*where).group_by(s.c.unit_code)).all()}
                same_era = true() if era is None else (s.c.era == era) | s.c.era.is_(None)
                conn.execute(update(s).where(*where, same_era).values(is_current=False))
        last = {(i.rec.unit_code, i.year or year, i.era): n for n, (i, _) in enumerate(accepted)}
        rows = []
        for n, (i, fid) in enumerate(accepted):
            key = (i.rec.unit_code, i.year or year)
            version[key] = version.get(key, 0) + 1
            rows.append(dict(file_id=fid, unit_code=i.rec.unit_code, year=key[1], version=version[key],
                             is_current=last[(*key, i.era)] == n, template_version=i.meta.get("PHIEN_BAN"),
                             preparer=i.meta.get("NGUOI_LAP"), arrived_at=i.rec.arrived_at, era=i.era))
        sub_ids = conn.execute(insert(s).returning(s.c.id, sort_by_parameter_order=True), rows).scalars().all()
        keyed = list(zip((i for i, _ in accepted), sub_ids, strict=True))
        for table, part in ((T.facts, "facts"), (T.texts, "texts"), (T.task_reports, "tasks")):
            params = ({**r, "submission_id": sid, "unit_code": i.rec.unit_code, "year": i.year or year}
                      for i, sid in keyed for r in getattr(i, part))
            # A national batch has 400,000 facts: as parameter dicts all at once they held 300 MiB.
            while part_rows := list(islice(params, INSERT_ROWS)):
                conn.execute(insert(table), part_rows)

    def files(self) -> list[tuple[FileRecord, str, int | None]]:
        """Every file ever judged, with its status and, when accepted, its year, in the order it was written."""
        f, s = T.files, T.submissions

        def read() -> list[tuple[FileRecord, str, int | None]]:
            with self.engine.connect() as conn:
                rows = conn.execute(select(f.c.unit_code, f.c.sha256, f.c.original_name, f.c.size, f.c.arrived_at,
                                           f.c.archive_path, f.c.status, s.c.year)
                                    .select_from(f).outerjoin(s, s.c.file_id == f.c.id).order_by(f.c.id))
                return [(FileRecord(*row[:6]), row[6], row[7]) for row in rows]
        return with_retries(read)

    def has_files(self) -> bool:
        def read() -> bool:
            with self.engine.connect() as conn:
                return conn.execute(select(T.files.c.id).limit(1)).first() is not None
        return with_retries(read)

    def clear_intake(self, conn: Connection) -> None:
        """Remove everything intake wrote (files, their findings, submissions, figures, texts, the inbox hashes, the
        peer statistics), in `conn`'s transaction: what a rebuild from the archive writes again. Portal figures,
        reminders sent and final reports are kept."""
        for table in (T.facts, T.texts, T.findings, T.submissions, T.files, T.inbox_files, T.peer_stats):
            conn.execute(table.delete())

    def current_sources(self, units: Collection[str], year: int) -> pd.DataFrame:
        """The figures of `units`' current submissions for `year`, with the name of the file each came from."""
        q = (select(T.submissions.c.unit_code, T.facts.c.indicator_code, T.facts.c.numerator, T.facts.c.denominator,
                    T.files.c.original_name)
             .join(T.submissions, T.submissions.c.id == T.facts.c.submission_id)
             .join(T.files, T.files.c.id == T.submissions.c.file_id)
             .where(T.submissions.c.year == year, T.submissions.c.is_current.is_(True)))
        return self._frames_by_unit(q, units)

    def record_run(self, started: datetime, counts: dict[str, int]) -> None:
        def write() -> None:
            with self.engine.begin() as conn:
                conn.execute(insert(T.runs).values(started_at=started, finished_at=now(), **counts))
        with_retries(write, url=self.engine.url)

    def replace_portal(self, year: int, facts: pd.DataFrame, problems: pd.DataFrame, unknown: pd.DataFrame) -> None:
        """Swap in the year's portal figures in one transaction: the exports are the source of truth."""
        import pandas as pd

        def write() -> None:
            with self.engine.begin() as conn:
                for table, frame in ((T.portal_facts, facts), (T.portal_problems, problems),
                                     (T.portal_unknown, unknown)):
                    conn.execute(table.delete().where(table.c.year == year))
                    rows = [{str(k): (None if pd.isna(v) else v) for k, v in r.items()} | {"year": year}
                            for r in frame.to_dict("records")]
                    if rows:
                        conn.execute(insert(table), rows)
        with_retries(write, url=self.engine.url)

    def portal_facts(self, year: int, units: Collection[str] | None = None) -> pd.DataFrame:
        q = (select(T.portal_facts.c.unit_code, T.portal_facts.c.indicator_code, T.portal_facts.c.numerator,
                    T.portal_facts.c.denominator, T.portal_facts.c.source_file, T.portal_facts.c.era)
             .where(T.portal_facts.c.year == year)
             .order_by(T.portal_facts.c.unit_code, T.portal_facts.c.indicator_code))
        return self._frame(_among(q, T.portal_facts.c.unit_code, units))

    def portal_issues(self, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(problems, unknown agencies) of the year's portal exports, for the report."""
        problems = self._frame(select(T.portal_problems).where(T.portal_problems.c.year == year)
                               .order_by(T.portal_problems.c.file, T.portal_problems.c.row))
        unknown = self._frame(select(T.portal_unknown).where(T.portal_unknown.c.year == year)
                              .order_by(T.portal_unknown.c.source_file, T.portal_unknown.c.agency_code))
        return problems, unknown

    # --- reads for the report -------------------------------------------------------------
    def current_facts(self, year: int, units: Collection[str] | None = None) -> pd.DataFrame:
        """`units` (any read below takes it) limits the read to those codes: a province's report from a
        national warehouse reads its own rows, not the country's."""
        q = (select(T.facts.c.unit_code, T.facts.c.indicator_code, T.facts.c.numerator, T.facts.c.denominator,
                    T.submissions.c.era)
             .join(T.submissions, T.submissions.c.id == T.facts.c.submission_id)
             .where(T.submissions.c.year == year, T.submissions.c.is_current.is_(True)))
        return self._frame(_among(q, T.submissions.c.unit_code, units))

    def current_tasks(self, year: int, units: Collection[str] | None = None) -> pd.DataFrame:
        """The task statuses of the current submissions (task_code, unit_code, status, note)."""
        t, s = T.task_reports, T.submissions
        q = (select(t.c.task_code, t.c.unit_code, t.c.status, t.c.note)
             .join(s, s.c.id == t.c.submission_id)
             .where(s.c.year == year, s.c.is_current.is_(True))
             .order_by(t.c.task_code, t.c.unit_code))
        return self._frame(_among(q, s.c.unit_code, units))

    def years(self) -> list[int]:
        """The years with submissions or portal figures, oldest first."""
        def read() -> list[int]:
            with self.engine.connect() as conn:
                found = {y for (y,) in conn.execute(select(T.submissions.c.year).distinct())}
                found |= {y for (y,) in conn.execute(select(T.portal_facts.c.year).distinct())}
                return sorted(found)
        return with_retries(read, url=self.engine.url)

    def current_figures(self, units: Collection[str], *, year: int | None = None,
                        before: int | None = None) -> pd.DataFrame:
        """Current figures of `units` for `year`, or for every year before `before`: the peers and history
        quality warnings compare against. Read 500 units at a time, within any driver's parameter limit."""
        q = (select(T.facts.c.unit_code, T.facts.c.year, T.facts.c.indicator_code, T.facts.c.numerator,
                    T.facts.c.denominator)
             .join(T.submissions, T.submissions.c.id == T.facts.c.submission_id)
             .where(T.submissions.c.is_current.is_(True)))
        if year is not None:
            q = q.where(T.submissions.c.year == year)
        if before is not None:
            q = q.where(T.submissions.c.year < before)
        return self._frames_by_unit(q, units)

    def peer_stats(self, scope: str, year: int, levels: Collection[str]) -> pd.DataFrame:
        """The stored peer statistics (level, indicator_code, n, median, mad, basis) of `levels`."""
        t = T.peer_stats
        frame = self._frame(select(t.c.level, t.c.indicator_code, t.c.n, t.c.median, t.c.mad, t.c.basis)
                            .where(t.c.scope == scope, t.c.year == year, t.c.level.in_(sorted(levels))))
        return frame.astype({"n": "int64", "median": "float64", "mad": "float64", "basis": "int64"})

    def submitted_since(self, year: int, basis: int) -> pd.DataFrame:
        """(unit_code, id) of the year's submissions loaded after submission `basis`."""
        return self._frame(select(T.submissions.c.unit_code, T.submissions.c.id)
                           .where(T.submissions.c.year == year, T.submissions.c.id > basis))

    def replace_peer_stats(self, conn: Connection, scope: str, year: int, stats: pd.DataFrame) -> None:
        """Store the statistics of the levels in `stats`, in the transaction that loads the figures they include."""
        if stats.empty:
            return
        t = T.peer_stats
        basis = conn.execute(select(func.coalesce(func.max(T.submissions.c.id), 0))).scalar_one()
        conn.execute(t.delete().where(t.c.scope == scope, t.c.year == year,
                                      t.c.level.in_(sorted(set(stats["level"])))))
        conn.execute(insert(t), [{"scope": scope, "year": year, "level": r.level, "indicator_code": r.indicator_code,
                                  "n": int(r.n), "median": _float(r.median), "mad": _float(r.mad), "basis": basis}
                                 for r in cast(Iterator[_Stats], stats.itertuples(index=False))])

    def current_texts(self, year: int, units: Collection[str] | None = None) -> pd.DataFrame:
        q = (select(T.texts.c.unit_code, T.texts.c.kind, T.texts.c.seq, T.texts.c.text)
             .join(T.submissions, T.submissions.c.id == T.texts.c.submission_id)
             .where(T.submissions.c.year == year, T.submissions.c.is_current.is_(True))
             .order_by(T.texts.c.unit_code, T.texts.c.seq))
        return self._frame(_among(q, T.submissions.c.unit_code, units))

    def current_warnings(self, year: int, units: Collection[str] | None = None) -> pd.DataFrame:
        """Warnings raised on the files behind the current submissions for `year` (WARNING_COLUMNS): the
        figures were accepted, but leaders should know which ones a clerk was asked to check."""
        f, fi, s = T.findings, T.files, T.submissions
        q = (select(s.c.unit_code, fi.c.original_name, f.c.sheet, f.c.cell, f.c.found, f.c.expected, f.c.fix)
             .select_from(f).join(fi, fi.c.id == f.c.file_id).join(s, s.c.file_id == fi.c.id)
             .where(f.c.severity == "warning", s.c.year == year, s.c.is_current.is_(True))
             .order_by(s.c.unit_code, f.c.sheet, f.c.cell, f.c.rule, f.c.found))
        return self._frame(_among(q, s.c.unit_code, units))

    def sources(self, year: int, units: Collection[str] | None = None) -> pd.DataFrame:
        """Every version of every accepted submission for the year (current and superseded)."""
        q = (select(T.submissions.c.unit_code, T.submissions.c.version, T.submissions.c.is_current,
                    T.submissions.c.arrived_at, T.files.c.original_name, T.files.c.sha256, T.submissions.c.era)
             .join(T.files, T.files.c.id == T.submissions.c.file_id)
             .where(T.submissions.c.year == year)
             .order_by(T.submissions.c.unit_code, T.submissions.c.version))
        return self._frame(_among(q, T.submissions.c.unit_code, units))

    def first_arrivals(self, year: int, units: Collection[str] | None = None) -> pd.DataFrame:
        """When each unit first delivered an accepted file for the year: judges on time vs late."""
        q = (select(T.submissions.c.unit_code, func.min(T.submissions.c.arrived_at).label("arrived_at"),
                    T.submissions.c.era)
             .where(T.submissions.c.year == year).group_by(T.submissions.c.unit_code, T.submissions.c.era))
        return self._frame(_among(q, T.submissions.c.unit_code, units))

    def quarantined(self) -> pd.DataFrame:
        q = (select(T.files.c.unit_code, T.files.c.original_name, T.files.c.arrived_at, T.files.c.sha256,
                    T.files.c.reason).where(T.files.c.status == "quarantined")
             .order_by(T.files.c.unit_code, T.files.c.arrived_at, T.files.c.sha256))
        return self._frame(q)

    def _frames_by_unit(self, query: Any, units: Collection[str]) -> pd.DataFrame:
        """`query` for `units`, 500 codes at a time (a database caps the parameters of one statement)."""
        import pandas as pd

        codes = sorted(units)
        parts = [self._frame(query.where(T.submissions.c.unit_code.in_(codes[k:k + 500])))
                 for k in range(0, len(codes), 500)]
        return pd.concat(parts, ignore_index=True) if parts else self._frame(query.where(false()))

    def _frame(self, query) -> pd.DataFrame:
        import pandas as pd

        def read() -> pd.DataFrame:
            with self.engine.connect() as conn:
                result = conn.execute(query)
                # plain tuples: pandas probing SQLAlchemy Row objects for attributes is 4x slower than the read
                return pd.DataFrame([tuple(r) for r in result], columns=list(result.keys()))
        return _shared_strings(with_retries(read, url=self.engine.url))


def _shared_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Each text column with every repeat of a value pointing at one string object: the driver gives a new object
    per row, and a national read (400,000 facts, each naming its unit and indicator) would hold them all."""
    import numpy as np
    import pandas as pd

    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column):
            codes, uniques = pd.factorize(column)  # a blank is -1 and stays as it was
            if len(uniques) < len(column):
                values = column.to_numpy(dtype=object, copy=True)
                filled = codes >= 0
                values[filled] = np.asarray(uniques, dtype=object)[codes[filled]]
                frame[name] = pd.Series(values, index=frame.index, dtype=column.dtype)
    return frame
