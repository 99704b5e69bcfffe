"""Ingest: scan the inbox, archive, read, validate in bulk, then load or quarantine each file.

The order matters: every file is archived under its sha256 before anything can go wrong with
it; all new files are validated in one GX run; each file's arrival is appended to the archive's
journal (`extract.journal`) before the warehouse commit, so the warehouse can be rebuilt from the
archive (`dvctt.rebuild`, which judges the journal's batches with `judge_batch` as a run did); all
warehouse writes of a batch happen in one transaction so that a killed run leaves nothing
half-loaded and a re-run converges.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from core import clock
from core.catalogue import with_overrides
from core.config import YEAR_MIN, load_config
from core.files import make_dirs, share
from core.layout import SHEET_INFO, TEMPLATE_VERSION
from core.progress import Stopwatch, progress_bar
from core.records import CELL_COLUMNS, RATIO_COLUMNS, STATS_COLUMNS, TASK_COLUMNS, Finding, Submission
from core.units import UnitRegistry, era_of_registry, load_registry, registry_names
from dvctt.inbox_check import FileOutcome, IngestSummary, stat_key, symlink_sha
from dvctt.inbox_check import ingest as ingest  # the entry point, re-exported: it lives where it imports little
from extract.formats import as_shown
from extract.inbox import FEEDBACK_DIR, SUPPORTED, Dropped, archive_file, scan_inbox
from extract.journal import Arrival, append_arrivals, journal_path
from extract.reader import ReadJob, read_all
from extract.safety import Inspection
from extract.workbook import submission_facts
from load.warehouse import BatchItem, FileRecord, Warehouse, connect, warehouse_url, with_retries
from report.feedback import write_feedback
from report.intake_summary import write_intake_summary
from report.xlsx import atomic_write_bytes
from transform.quality import STALE_SHARE, dropped_figure, quality_warnings, robust_stats


def describe(finding: Finding) -> str:
    """One line for a clerk: where, what was found, and how to fix it."""
    where = f"Trang «{finding.sheet}»" + (f", ô {finding.cell}" if finding.cell else "") if finding.sheet else "Tệp"
    found = f" (đang ghi: «{finding.found}»)" if finding.found else ""
    return f"{where}{found}: {finding.expected}. {finding.fix}"


def _safe_name(name: str, limit: int = 120) -> str:
    cleaned = re.sub(r"[^\w.\- ]+", "_", name, flags=re.UNICODE).strip(" .") or "tep"
    return cleaned[-limit:]


class Batch:
    """The files of one scan, carried through archive → read → validate → load."""

    def __init__(self, workspace: Path, now: datetime | None, year: int | None = None):
        self.ws = workspace
        config = load_config(workspace)
        self.config = config.for_year(year) if year is not None and year != config.year else config
        self.catalogue = with_overrides(self.config.catalogue)
        self.registry = load_registry(self.config)
        self._registries: dict[int, UnitRegistry] = {self.config.year: self.registry}
        self.levels = {u.code: u.level for u in self.registry.units.values()}
        self.wh = Warehouse(connect(warehouse_url(workspace, self.config.warehouse_url)))
        self.now = clock.aware(now) if now is not None else None  # a fixed arrival time (demo, tests)
        self.summary = IngestSummary()

    def registry_for(self, year: int) -> UnitRegistry:
        """The units of an earlier year's report (its files are accepted into that year)."""
        if year not in self._registries:
            self._registries[year] = load_registry(self.config.for_year(year))
        return self._registries[year]

    def knows(self, code: str) -> bool:
        """Whether `code` is a unit this year or in an earlier year the workspace still accepts files for."""
        return any(code in self.registry_for(y) for y in range(self.config.year, YEAR_MIN - 1, -1))

    def quarantine_copy(self, archived: Path | None, d: Dropped, sha: str, reason: str) -> None:
        target_dir = make_dirs(self.ws / "quarantine" / _safe_name(d.unit_code))
        stem = f"{sha[:12]}-{_safe_name(d.name)}"
        if archived is not None and not (target_dir / stem).exists():
            share(shutil.copyfile(archived, target_dir / stem))
        atomic_write_bytes(target_dir / f"{stem}.ly_do.txt", (reason + "\n").encode("utf-8"))

    def feedback(self, d: Dropped, arrived: datetime, accepted: bool, findings: list[Finding],
                 archived: Path | None) -> None:
        """The clerk's feedback file, in `phan_hoi/` beside the file (a symlink's too: the link is never followed,
        and neither is a `phan_hoi` that is itself a link), quoting numbers as their spreadsheet shows them."""
        folder = d.path.parent / FEEDBACK_DIR
        if folder.is_symlink():
            return
        unit = next((found for y in sorted(self._registries, reverse=True)
                     if (found := self._registries[y].get(d.unit_code))), None)
        out = folder / f"{_safe_name(d.path.stem, 80)}.phan_hoi.xlsx"
        write_feedback(out, unit_name=unit.name if unit else d.unit_code, file_name=d.name, arrived_at=arrived,
                       accepted=accepted, findings=as_shown(findings, archived))


def _frame(rows: Iterable[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns)


def ingest_locked(workspace: Path, now: datetime | None, progress: bool) -> IngestSummary:
    """The run of `dvctt.inbox_check.ingest` when some file is new, under its lock."""
    # GX is imported here, before the stage clock: the stages time the work, as bench/ times its floors, and
    # the import (seconds) shows in the command's wall time, which bench/ reports too.
    import expectations.submission  # noqa: F401

    b = Batch(workspace, now)
    started = clock.now()
    watch = Stopwatch(b.summary.timings)
    _backfill_journal(b)
    scan = scan_inbox(workspace / "inbox", settle_seconds=b.config.limits.settle_seconds)
    for d in scan.pending:
        b.summary.files.append(FileOutcome(d.unit_code, d.name, "pending", new=False))
    staged = _archive(b, scan.ready, progress)
    watch.lap("archive")
    judged = judge_batch(b, staged, progress, watch)
    outcomes = [_write_side_files(b, d, item, found) for d, item, found in judged.items]
    watch.lap("feedback")
    batch = started.isoformat()
    append_arrivals(workspace / "archive", (_arrival(batch, b.config.year, d, item) for d, item, _ in judged.items))

    def commit() -> None:
        with b.wh.engine.begin() as conn:
            b.wh.write_batch(conn, b.config.year, [item for _, item, _ in judged.items])
            b.wh.remember_inbox(conn, staged.hashed)
            b.wh.replace_peer_stats(conn, b.config.province, b.config.year, judged.recomputed)

    with_retries(commit)
    status = {(item.rec.unit_code, item.rec.sha256): item.status for _, item, _ in judged.items}
    b.summary.files.extend(outcomes)
    b.summary.files.extend(FileOutcome(d.unit_code, d.name, status[(d.unit_code, sha)], new=False, sha256=sha,
                                       reason=f"Cùng nội dung với tệp «{first}» của lượt này", twin_of=first)
                           for d, sha, first in staged.twins)
    watch.lap("load")
    counts = b.summary.counts()
    if judged.items:
        b.summary.html = write_intake_summary(workspace / "outbox", started, counts, b.summary.files,
                                              judged.problems, judged.names)
    b.wh.record_run(started, {k: counts[k] for k in ("seen", "accepted", "quarantined", "pending")}
                    | {"new_files": counts["new_accepted"] + counts["new_quarantined"]})
    return b.summary


@dataclass
class Staged:
    """New files after archiving: rejected before reading (`early`, with why), to read, the inbox stats hashed,
    and files whose bytes another file of the same unit in this scan already carries (`twins`, with that sha256)."""

    early: list[tuple[Dropped, FileRecord, list[Finding]]] = field(default_factory=list)
    to_read: list[tuple[Dropped, FileRecord]] = field(default_factory=list)
    hashed: list[dict] = field(default_factory=list)
    twins: list[tuple[Dropped, str, str]] = field(default_factory=list)  # (file, sha256, name of the one judged)


@dataclass
class Judged:
    """A batch judged: each new file with its outcome, the peer statistics recomputed, and every problem for IT."""

    items: list[tuple[Dropped, BatchItem, list[Finding]]]
    recomputed: pd.DataFrame
    problems: dict[str, list[Finding]]  # file key → findings
    names: dict[str, tuple[str, str]]  # file key → (unit, file name)


def _archive(b: Batch, ready: list[Dropped], progress: bool) -> Staged:
    """Archive every new settled file under its sha256 before anything else; unchanged files are not read again."""
    staged = Staged()
    known = b.wh.file_status()
    hashes = b.wh.inbox_hashes()
    max_bytes = b.config.limits.max_file_mb * 1024 * 1024
    in_scan: dict[tuple[str, str], str] = {}  # (unit, sha256) → the name of the file judged for those bytes
    for d in progress_bar(ready, "Lưu trữ tệp", enabled=progress):
        stat = None if d.symlink else stat_key(d)
        sha = hashes.get(stat) if stat is not None else None
        if sha is not None and (d.unit_code, sha) in known:  # unchanged since it was processed: not read again
            b.summary.files.append(FileOutcome(d.unit_code, d.name, known[(d.unit_code, sha)], new=False, sha256=sha))
            continue
        arrived = b.now or clock.now()
        if stat is None:  # a symlink is never followed: it could point anywhere outside the inbox
            sha, archived = symlink_sha(d), None
        else:
            sha, archived = archive_file(d.path, b.ws / "archive")
            if stat not in hashes:
                hashes[stat] = sha
                staged.hashed.append(dict(zip(("unit_code", "name", "size", "mtime_ns", "ctime_ns"), stat,
                                              strict=True), sha256=sha))
        if (d.unit_code, sha) in known:
            b.summary.files.append(FileOutcome(d.unit_code, d.name, known[(d.unit_code, sha)], new=False, sha256=sha))
        elif (d.unit_code, sha) in in_scan:  # the same bytes twice in one scan: judged once, both accounted for
            staged.twins.append((d, sha, in_scan[(d.unit_code, sha)]))
        else:
            in_scan[(d.unit_code, sha)] = d.name
            stage(b, staged, d, FileRecord(d.unit_code, sha, d.name, d.size, arrived,
                                           str(archived.relative_to(b.ws)) if archived else None), max_bytes)
    return staged


def stage(b: Batch, staged: Staged, d: Dropped, rec: FileRecord, max_bytes: float) -> None:
    """A new file goes to be read, or is rejected now (a symlink, an unknown unit, a type or size not accepted)."""
    problem = _symlink(d) if d.symlink else _precheck(b, d, max_bytes)
    if problem is not None:
        staged.early.append((d, rec, [problem]))
    else:
        staged.to_read.append((d, rec))


def judge_batch(b: Batch, staged: Staged, progress: bool, watch: Stopwatch | None = None) -> Judged:
    """Read, validate and judge the staged files of one batch, in arrival order; nothing is written yet."""
    watch = watch or Stopwatch({})
    subs, notes = _read(b, staged, progress)
    claims = {key: _claim(b, sub, notes[key]) for key, (_, _, sub) in subs.items()}
    watch.lap("read")
    by_file = _validate(b, subs)
    watch.lap("validate")
    clean = {k: v for k, v in subs.items()
             if not any(f.severity == "error" for f in notes[k] + by_file.get(k, []))}
    this_year = {k: v for k, v in clean.items() if claims[k][0] == b.config.year}  # not compared with this year's peers
    warnings, recomputed = _quality(b, this_year)
    # Each file's figures, once for the rest; after _quality, whose peak they would add to (100 MiB nationally).
    facts = {k: submission_facts(sub) for k, (_, _, sub) in clean.items()}
    warnings += _dropped_figures(b, this_year, facts)
    for f in warnings:
        by_file.setdefault(f.file_id, []).append(f)
    items = _judge(staged, subs, notes, by_file, claims, facts)
    watch.lap("quality")
    problems = {d.unit_code + rec.sha256: f for d, rec, f in staged.early}
    problems |= {k: notes[k] + by_file.get(k, []) for k in subs if notes[k] or by_file.get(k)}
    names = {d.unit_code + rec.sha256: (d.unit_code, d.name) for d, rec, _ in staged.early}
    names |= {k: (d.unit_code, d.name) for k, (d, _, _) in subs.items()}
    return Judged(items, recomputed, problems, names)


def _validate(b: Batch, subs: dict[str, tuple[Dropped, FileRecord, Submission]]) -> dict[str, list[Finding]]:
    """Every file's cells in one GX run; the findings by file."""
    by_file: dict[str, list[Finding]] = {}
    if not subs:
        return by_file
    from expectations.submission import validate_submission_cells  # GX: see _read

    cells = pd.DataFrame([c.row() for _, _, s in subs.values() for c in s.cells], columns=CELL_COLUMNS)
    ratios = _frame((r for _, _, s in subs.values() for r in s.ratios), RATIO_COLUMNS)
    for f in validate_submission_cells(cells, ratios, known_codes={i.code for i in b.catalogue.items},
                                       known_tasks={t.code for t in b.config.tasks}):
        by_file.setdefault(f.file_id, []).append(f)
    return by_file


def _symlink(d: Dropped) -> Finding:
    return Finding(d.name, "error", "symlink", "", "", d.name, "Tệp thật, không phải lối tắt",
                   "Tệp là lối tắt (symlink) nên không được đọc. Hãy chép chính tệp báo cáo vào thư mục.")


def _read(b: Batch, staged: Staged, progress: bool
          ) -> tuple[dict[str, tuple[Dropped, FileRecord, Submission]], dict[str, list[Finding]]]:
    """Read exactly the archived bytes that were hashed; a file that cannot be read joins `staged.early`."""
    subs: dict[str, tuple[Dropped, FileRecord, Submission]] = {}
    notes: dict[str, list[Finding]] = {}
    if not staged.to_read:
        return subs, notes
    # Great Expectations takes seconds to import (it loads every expectation it ships, scipy.stats with them):
    # only a batch with files to read pays for it, so an ingest with nothing new answers at once.
    from expectations.submission import no_figures

    jobs = [ReadJob(d.unit_code + rec.sha256, b.ws / str(rec.archive_path), d.unit_code, b.config.year,
                    b.config.limits, b.ws / "archive", b.catalogue) for d, rec in staged.to_read]
    results = progress_bar(read_all(jobs), "Đọc tệp", enabled=progress, total=len(jobs))
    for (d, rec), res in zip(staged.to_read, results, strict=True):
        if res.submission is None or res.inspection is None:
            staged.early.append((d, rec, [res.problem] if res.problem else []))
            continue
        subs[res.key] = (d, rec, res.submission)
        notes[res.key] = _container_warnings(res.key, res.inspection, res.submission) + res.submission.findings
        if not any(f.severity == "error" for f in notes[res.key]):
            notes[res.key] += filter(None, [no_figures(res.submission)])
    return subs, notes


def _claim(b: Batch, sub: Submission, notes: list[Finding]) -> tuple[int, str | None]:
    """(year, era) a file is loaded under: the year it claims, when that is this year or an earlier one (a late or
    back-filled report goes into its own year, said in a warning; a later year is an error of the year check), and
    the registry its unit code comes from («Danh mục đơn vị», or as that year's report reads the code).

    The year check (`expectations.submission`, meta_mismatch) then compares the file with the year it is loaded
    into, so a file is never put silently into a year it does not claim."""
    year = b.config.year
    cells = [c for c in sub.cells if c["field"] == "year"]
    claimed = cells[0]["value"] if cells else None
    if claimed is not None and float(claimed).is_integer() and YEAR_MIN <= int(claimed) < year:
        year = int(claimed)
        for c in cells:
            c.expected = str(year)
        notes.append(Finding(sub.file_id, "warning", "earlier_year", cells[0]["sheet"], cells[0]["cell"], str(year),
                             f"Báo cáo năm {b.config.year}",
                             f"Tệp là báo cáo năm {year}: số liệu được lưu vào năm {year}, không tính vào báo cáo năm "
                             f"{b.config.year}. Nếu đây là báo cáo năm {b.config.year}, hãy dùng biểu mẫu năm "
                             f"{b.config.year} và nộp lại."))
    unit = sub.meta.get("MA_DON_VI") or ""
    code = next((c["expected"] for c in sub.cells if c["field"] == "unit_code"), unit)
    registry = b.registry_for(year)
    if "DANH_MUC" in sub.meta:
        era = era_of_registry(b.config, sub.meta["DANH_MUC"])
        if era is None:
            names = " hoặc ".join(f"«{n}»" for n in registry_names(b.config).values())
            notes.append(Finding(sub.file_id, "error", "registry_unknown", SHEET_INFO, "B", sub.meta["DANH_MUC"] or "",
                                 f"Danh mục đơn vị {names}",
                                 "Biểu mẫu ghi danh mục đơn vị không dùng trong hệ thống này. Hãy tải biểu mẫu mới "
                                 "của đơn vị và nộp lại, không sửa dòng «Danh mục đơn vị»."))
            return year, None
    else:  # a template without the row (DVCTT-1) or a CSV: the code as that year's report reads it
        era = registry.era if code in registry.units else registry.other_era if code in registry.outside else None
    if era is not None and not _exists(registry, code, era):
        notes.append(Finding(sub.file_id, "error", "unit_not_in_year", SHEET_INFO, "B", code,
                             f"Đơn vị có trong danh mục đơn vị năm {year}",
                             f"Mã {code} theo {_REGISTRY_WORDS[era]} không phải đơn vị báo cáo năm {year}. Hãy dùng "
                             f"biểu mẫu năm {year} của đơn vị."))
    return year, era


_REGISTRY_WORDS = {"old": "danh mục 3 cấp (trước 01/07/2025)", "new": "danh mục 2 cấp (từ 01/07/2025)"}


def _exists(registry: UnitRegistry, code: str, era: str) -> bool:
    """Whether `code` names a unit of `era` in the registry's year. An agency (sở, báo, phòng) is the same unit in
    both eras; an administrative unit exists only in the era of its registry."""
    if code in registry.dual:
        return True
    if code in registry.units:
        return era == registry.era or registry.units[code].level not in ("province", "district", "commune")
    if code in registry.outside:
        return era == registry.other_era or registry.outside[code].level not in ("province", "district", "commune")
    return False


def _judge(staged: Staged, subs: dict[str, tuple[Dropped, FileRecord, Submission]],
           notes: dict[str, list[Finding]], by_file: dict[str, list[Finding]],
           claims: dict[str, tuple[int, str | None]], facts: dict[str, list[dict]]
           ) -> list[tuple[Dropped, BatchItem, list[Finding]]]:
    """Each new file accepted or quarantined; read files in arrival order, so a unit's last one becomes current.
    `facts` holds the figures of every file without an error before the quality checks, which only warn."""
    ordered = sorted(subs.items(), key=lambda kv: _arrival_order(kv[1][0], kv[1][1]))
    items: list[tuple[Dropped, BatchItem, list[Finding]]] = [(d, _rejected(rec, f), f) for d, rec, f in staged.early]
    for key, (d, rec, sub) in ordered:
        found = notes[key] + by_file.get(key, [])
        if any(f.severity == "error" for f in found):
            items.append((d, _rejected(rec, found), found))
        else:
            texts = [{"kind": t["kind"], "seq": n, "cell": t["cell"], "text": t["text"]}
                     for n, t in enumerate(sub.texts, 1)]
            year, era = claims[key]
            items.append((d, BatchItem(rec, "accepted", None, [_finding_row(f) for f in found], sub.meta,
                                       facts[key], texts, year=year, era=era,
                                       tasks=[{k: t[k] for k in TASK_COLUMNS} for t in sub.tasks]), found))
    return items


def _arrival_order(d: Dropped, rec: FileRecord) -> tuple[datetime, int, str]:
    """The order a unit's files become versions in: arrival, then modification time, then name."""
    return rec.arrived_at, d.mtime_ns, d.name


def _precheck(b: Batch, d: Dropped, max_bytes: float) -> Finding | None:
    if not b.knows(d.unit_code):
        return Finding(d.name, "error", "unknown_unit", "", "", d.unit_code, "Thư mục mang mã đơn vị có trong danh mục",
                       f"Mã đơn vị «{d.unit_code}» (tên thư mục) không có trong danh mục đơn vị báo cáo của tỉnh. "
                       "Hãy nộp vào đúng thư mục của đơn vị mình hoặc liên hệ bộ phận CNTT.")
    if d.path.suffix.lower() not in SUPPORTED:
        return Finding(d.name, "error", "unsupported_type", "", "", d.path.suffix, "Tệp Excel .xlsx, .xlsm, .xls hoặc .csv",
                       "Định dạng tệp không được hỗ trợ. Hãy lưu biểu mẫu dạng Excel (.xlsx) và nộp lại.")
    if d.size > max_bytes:
        return Finding(d.name, "error", "too_large", "", "", f"{d.size / 1048576:.1f} MB",
                       f"Tệp không quá {b.config.limits.max_file_mb:g} MB",
                       "Tệp quá lớn. Hãy xóa các trang tính, hình ảnh không cần thiết rồi nộp lại.")
    return None


def _comparable(frame: pd.DataFrame) -> pd.Series:
    """The figure outlier checks compare: a ratio's share, a count's number; yes/no is not compared."""
    share = frame["numerator"] / frame["denominator"].where(frame["denominator"] > 1)
    return share.where(frame["denominator"].notna(), frame["numerator"])


def _quality(b: Batch, subs: dict[str, tuple[Dropped, FileRecord, Submission]]
             ) -> tuple[list[Finding], pd.DataFrame]:
    """Warnings for the clean files, and the peer statistics recomputed on the way (stored with the batch).

    History is read for the batch's units only, and peers come from stored statistics while they are
    fresh (see `_peer_stats`): one new file does not read the whole country's figures.
    """
    figures = {key: submission_facts(sub) for key, (_, _, sub) in subs.items()}
    # Not a copy of each fact with the file's keys added (400,000 dicts nationally): columns beside them.
    batch = pd.DataFrame([f for key in subs for f in figures[key]])
    if batch.empty:
        return [], pd.DataFrame(columns=STATS_COLUMNS)
    batch["file_id"] = [key for key in subs for _ in figures[key]]
    batch["unit_code"] = [d.unit_code for key, (d, _, _) in subs.items() for _ in figures[key]]
    batch["level"] = [b.levels.get(code) for code in batch["unit_code"]]
    del figures
    batch["value"] = _comparable(batch)
    history = b.wh.current_figures(set(batch["unit_code"]), before=b.config.year)
    history["value"] = _comparable(history) if len(history) else []
    peers, recomputed = _peer_stats(b, batch.dropna(subset=["level"]))
    return quality_warnings(batch, history, peers), recomputed


def _peer_stats(b: Batch, batch: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(statistics to compare with, the part of them recomputed) for the levels of the batch.

    A level is recomputed exactly as the batch leaves the warehouse (the other units' current figures plus
    the batch's) when it has no stored statistics, or when more of its units changed since them (loaded
    later, or in this batch) than `STALE_SHARE` of the peers of any indicator the batch compares.
    """
    year = b.config.year
    stored = b.wh.peer_stats(b.config.province, year, set(batch["level"]))
    later = b.wh.submitted_since(year, int(stored["basis"].min())) if len(stored) else None
    stale: set[Hashable] = set()  # levels, as the batch is grouped by them
    for level, rows in batch.groupby("level"):
        mine = stored[stored["level"] == level]
        if later is None or mine.empty:
            stale.add(level)
            continue
        since = later.loc[later["id"] > mine["basis"].min(), "unit_code"]
        changed = {u for u in since if b.levels.get(u) == level} | set(rows["unit_code"])
        compared = sorted(set(rows.dropna(subset=["value"])["indicator_code"]))
        sizes = mine.set_index("indicator_code")["n"].reindex(compared).fillna(0)
        if (sizes * STALE_SHARE < len(changed)).any():
            stale.add(level)
    fresh = stored.loc[~stored["level"].isin(stale), STATS_COLUMNS]
    if not stale:
        return fresh, fresh.iloc[0:0]
    peers = batch.loc[batch["level"].isin(stale), ["unit_code", "level", "indicator_code", "value"]]
    others = b.wh.current_figures({code for code, level in b.levels.items() if level in stale} - set(peers["unit_code"]),
                                  year=year)
    if len(others):
        others = others.assign(level=others["unit_code"].map(b.levels), value=_comparable(others))
        peers = pd.concat([others[peers.columns], peers], ignore_index=True)
    recomputed = robust_stats(peers, ["level", "indicator_code"])
    return (pd.concat([fresh, recomputed], ignore_index=True) if len(fresh) else recomputed), recomputed


def _arrival(batch: str, year: int, d: Dropped, item: BatchItem) -> Arrival:
    rec = item.rec
    return Arrival(batch, year, rec.unit_code, rec.original_name, rec.sha256, rec.size, d.mtime_ns, rec.arrived_at,
                   rec.archive_path, d.symlink, item.status)


def _backfill_journal(b: Batch) -> None:
    """A warehouse filled before the journal existed gets one, from its own records, so it too can be rebuilt.

    The warehouse kept no batches nor modification times: its files form one batch, ordered by arrival.
    """
    archive = b.ws / "archive"
    if journal_path(archive).exists():
        return
    append_arrivals(archive, (Arrival("backfill", year or b.config.year, r.unit_code, r.original_name, r.sha256, r.size,
                                      0, r.arrived_at, r.archive_path, r.archive_path is None, status)
                              for r, status, year in b.wh.files()))


def _dropped_figures(b: Batch, clean: dict[str, tuple[Dropped, FileRecord, Submission]],
                     facts: dict[str, list[dict]]) -> list[Finding]:
    """Warnings for a clean file that leaves out figures the unit's current version has (or an earlier file of
    this batch, which becomes current before it): the figures vanish from the report, which may be a slip."""
    if not clean:
        return []
    ordered = sorted(clean.items(), key=lambda kv: _arrival_order(kv[1][0], kv[1][1]))
    current = b.wh.current_sources({d.unit_code for d, _, _ in clean.values()}, b.config.year)
    before: dict[str, tuple[str, dict[str, tuple[float | None, float | None]]]] = {}
    for r in current.itertuples(index=False):
        before.setdefault(str(r.unit_code), (str(r.original_name), {}))[1][str(r.indicator_code)] = (
            _number(r.numerator), _number(r.denominator))
    out: list[Finding] = []
    for key, (d, _, sub) in ordered:
        figures = {f["indicator_code"]: (f["numerator"], f["denominator"]) for f in facts[key]}
        name, previous = before.get(d.unit_code, ("", {}))
        out += [dropped_figure(b.catalogue, key, sub, code, previous[code], name)
                for code in sorted(previous.keys() - figures.keys())]
        before[d.unit_code] = (d.name, figures)
    return out


def _number(x: object) -> float | None:
    return float(x) if isinstance(x, int | float) and x == x else None  # NaN, as pandas reads NULL, is not itself


def _container_warnings(key: str, found: Inspection, sub: Submission) -> list[Finding]:
    """Things worth telling the clerk that do not make the figures wrong."""
    out = []
    if found.has_macros:
        out.append(Finding(key, "warning", "macros", "", "", "vbaProject.bin", "Tệp không chứa macro",
                           "Tệp có macro; macro KHÔNG được chạy, chỉ số liệu được đọc. Lần sau hãy lưu dạng .xlsx."))
    version = sub.meta.get("PHIEN_BAN")
    if version != TEMPLATE_VERSION and "PHIEN_BAN" in sub.meta:
        out.append(Finding(key, "warning", "template_version", SHEET_INFO, "B", version or "",
                           f"Biểu mẫu phiên bản {TEMPLATE_VERSION}",
                           "Tệp dùng biểu mẫu khác phiên bản hiện hành; số liệu vẫn được đọc theo mã chỉ tiêu. "
                           "Lần sau hãy tải biểu mẫu mới."))
    return out


def _finding_row(f: Finding) -> dict:
    return {k: getattr(f, k) for k in ("severity", "rule", "sheet", "cell", "found", "expected", "fix")}


def _rejected(rec: FileRecord, findings: list[Finding]) -> BatchItem:
    reason = "\n".join(describe(f) for f in findings if f.severity == "error")
    return BatchItem(rec, "quarantined", reason, [_finding_row(f) for f in findings])


def _write_side_files(b: Batch, d: Dropped, item: BatchItem, findings: list[Finding]) -> FileOutcome:
    """Quarantine copy and feedback, written before the commit: if the run dies in between, the
    file is still new to the warehouse, so the next run rewrites the same files and commits."""
    rec = item.rec
    if item.status == "quarantined":
        b.quarantine_copy(b.ws / rec.archive_path if rec.archive_path else None, d, rec.sha256, item.reason or "")
    if findings:
        b.feedback(d, rec.arrived_at, item.status == "accepted", findings,
                   b.ws / rec.archive_path if rec.archive_path else None)
    return FileOutcome(d.unit_code, d.name, item.status, new=True, sha256=rec.sha256, reason=item.reason,
                       warnings=sum(f.severity == "warning" for f in findings))
