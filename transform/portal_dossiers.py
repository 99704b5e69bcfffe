"""Dossier-level exports: one row per hồ sơ, millions a year, aggregated by DuckDB in bounded memory.

A clean export is read once. The first rows (`HEAD_ROWS`) give the categorical values, classified
in Python by `ValueReader` and written into the SQL as CASE expressions, and the dominant date
formats; one streamed pass, on all threads, then counts per unit every measure and every rule's
failures (`expectations.portal.DOSSIER_RULES`). A value the head did not have is counted as unseen:
only then does one more pass list those values, and the aggregation runs again with them
classified. Only when some rows fail a rule or an agency is unknown does a numbered
(single-threaded) scan fetch line numbers, stopping early when only the first rows of a few
unknown agencies are wanted. Memory stays bounded by DuckDB's memory_limit (default 1 GB, env
DVCTT_PORTAL_MEMORY_LIMIT) with spilling to a temporary directory.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections import defaultdict
from datetime import date
from typing import NamedTuple

import duckdb
import pandas as pd

from core.records import PORTAL_FACT_COLUMNS
from core.text import fold, vn_count
from core.units import DISTRICTS_ABOLISHED, NEW_ERA, OLD_ERA
from expectations.portal import DOSSIER_RULES, RECEIVED_UNREADABLE, UNIT_MISSING, DossierRule
from extract.portal import PortalColumns, PortalExport
from transform.portal_measures import MEASURES, measures_needing
from transform.portal_results import MAX_PROBLEMS_PER_RULE, Collector, PortalProblem, UnitMatcher, normalise_code


class Duck:
    """A private in-memory DuckDB with a memory cap and spill directory, closed after use. Its own progress bar
    (English, drawn on the terminal after 2 s of a query) is off: IT's terminal shows the run's own."""

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        self._tmp = tempfile.TemporaryDirectory(prefix="dvctt-duckdb-")
        self.con = duckdb.connect(config={
            "memory_limit": os.environ.get("DVCTT_PORTAL_MEMORY_LIMIT", "1GB"),
            "temp_directory": self._tmp.name,
            "preserve_insertion_order": False,
        })
        self.con.execute("SET enable_progress_bar = false")
        return self.con

    def __exit__(self, *exc: object) -> None:
        self.con.close()
        self._tmp.cleanup()


def _phrase_re(words: list[str]) -> re.Pattern[str]:
    """Any of the folded phrases as whole words."""
    alts = "|".join(re.escape(w) for w in sorted({fold(w) for w in words}, key=len, reverse=True))
    return re.compile(rf"(^| )({alts})( |$)")


class ValueReader:
    """How dossier cells are read (core/data/portal_columns.yaml `values`), as plain functions.

    The SQL never folds text per row: each distinct value of a categorical column is classified
    here once (`Classes`) and the SQL compares raw values, which keeps a 10-million-row pass fast.
    """

    def __init__(self, config: PortalColumns):
        v = config.values
        self.channel = [(kind, _phrase_re(v["channel"][kind])) for kind in ("post", "in_person", "online")]
        self.unsatisfied = _phrase_re(v["rating"]["unsatisfied"])
        self.satisfied = _phrase_re(v["rating"]["satisfied"])
        self.cancelled = _phrase_re(v["status"]["cancelled"])
        self.done = _phrase_re(v["status"]["done"])
        self.yes = {fold(w) for w in v["boolean"]["yes"]}
        self.no = {fold(w) for w in v["boolean"]["no"]}
        self.ddxddt = _phrase_re(v["ddxddt_fields"])
        self.full = _phrase_re(v["service_level"]["full"])
        self.partial = _phrase_re(v["service_level"]["partial"])

    def channel_of(self, raw: str | None) -> str:
        """'online' | 'in_person' | 'post' | 'invalid' (blank is invalid: the channel is required)."""
        f = fold(raw)
        return next((kind for kind, rx in self.channel if f and rx.search(f)), "invalid")

    def rating_of(self, raw: str | None) -> str | None:
        """'sat' | 'unsat' | None (not rated) | 'invalid'. Stars: 4–5 satisfied, 1–3 not."""
        f = fold(raw)
        if not f:
            return None
        if m := re.fullmatch(r"([1-5])( 0+)?( sao)?", f):
            return "sat" if int(m.group(1)) >= 4 else "unsat"
        if self.unsatisfied.search(f):
            return "unsat"
        return "sat" if self.satisfied.search(f) else "invalid"

    def status_of(self, raw: str | None) -> str | None:
        f = fold(raw)
        if f and self.cancelled.search(f):
            return "cancelled"
        return "done" if f and self.done.search(f) else None

    def yes_no(self, raw: str | None) -> str:
        """'y' | 'n' | 'invalid'; blank is no, and a number (a fee amount) is yes when above zero."""
        f = fold(raw)
        if not f or f in self.no:
            return "n"
        if re.fullmatch(r"[0-9 ]+", f):
            return "y" if re.search(r"[1-9]", f) else "n"
        return "y" if f in self.yes else "invalid"

    def level_of(self, raw: str | None) -> str | None:
        """'full' (toàn trình) | 'partial' | None (blank: not known) | 'invalid'."""
        f = fold(raw)
        if not f:
            return None
        if self.partial.search(f):  # "không trực tuyến toàn trình" must not read as full
            return "partial"
        return "full" if self.full.search(f) else "invalid"

    def is_ddxddt(self, raw: str | None) -> str:
        f = fold(raw)
        return "y" if f and self.ddxddt.search(f) else "n"


_CATEGORICAL = {  # dossier column -> ValueReader method
    "service_level": "level_of", "channel": "channel_of", "rating": "rating_of", "status": "status_of", "field": "is_ddxddt",
    "fee_bearing": "yes_no", "paid_online": "yes_no", "digitised": "yes_no", "online_identified": "yes_no",
}
_DATE_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
                 "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d.%m.%Y",
                 "%H:%M:%S %d/%m/%Y", "%H:%M %d/%m/%Y", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d"]


def _dominant_format(values: list[str | None]) -> str:
    """The format most of the first values use; tried first so most rows parse with one attempt."""
    sample = [v.strip() for v in values if v and v.strip()][:300]
    best, hits = _DATE_FORMATS[0], -1
    for fmt in _DATE_FORMATS:
        n = 0
        for v in sample:
            try:
                time.strptime(v, fmt)
                n += 1
            except ValueError:
                pass
        if n > hits:
            best, hits = fmt, n
        if hits >= 0.9 * len(sample):
            break
    return best


def _date_sql(col: str, dominant: str) -> str:
    """Parse a trimmed text column to DATE: the dominant format, then ISO, then every known format,
    then an Excel serial number. COALESCE only evaluates later arguments for rows still NULL."""
    fmts = ", ".join(f"'{f}'" for f in _DATE_FORMATS)
    return (f"CAST(coalesce(try_strptime({col}, '{dominant}'), try_cast({col} AS TIMESTAMP), "
            f"try_strptime({col}, [{fmts}]), "
            rf"try_cast(regexp_replace({col}, '(Z|[+-]\d{{2}}:?\d{{2}})$', '') AS TIMESTAMP), "
            rf"CASE WHEN regexp_full_match({col}, '\d{{5}}(\.\d+)?') "
            f"THEN CAST(DATE '1899-12-30' + CAST(floor(CAST({col} AS DOUBLE)) AS INTEGER) AS TIMESTAMP) END) AS DATE)")


def _sane(col: str) -> str:
    return f"CASE WHEN year({col}) BETWEEN 1990 AND 2100 THEN {col} END"



_ALIAS = {"service_level": "lvl",
          "channel": "ch", "rating": "rt", "status": "st", "field": "ddx", "fee_bearing": "fee", "paid_online": "paid",
          "digitised": "digi", "online_identified": "ident"}
_DEFAULT = {"service_level": None, "channel": "invalid", "rating": None, "status": None, "field": "n",
            "fee_bearing": "n", "paid_online": "n", "digitised": "n", "online_identified": "n"}

# The classes `ValueReader` gives, as the small integers the SQL compares: on 10 million rows integer
# columns are cheaper than text. Measures and rules name classes as text ('online'); `coded` rewrites them.
CLASS_CODES = {"invalid": 0, "y": 1, "n": 2, "online": 3, "in_person": 4, "post": 5, "sat": 6, "unsat": 7,
               "cancelled": 8, "done": 9, "full": 10, "partial": 11}
UNSEEN = 99  # the class of a value the head sample did not have (above every other: `greatest` finds it)
_CLASS_LITERAL = re.compile(r"'([a-z_]+)'")


def coded(condition: str) -> str:
    """A measure's or rule's condition with each class name ('online') replaced by its code."""
    return _CLASS_LITERAL.sub(lambda m: str(CLASS_CODES.get(m.group(1), m.group(0))), condition)


def _code(cls: str | None) -> str:
    return "NULL" if cls is None else str(CLASS_CODES[cls])


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class Classes:
    """The class of each categorical value seen so far, written into the SQL as CASE expressions.

    The values are learnt from the first rows of the file (`HEAD_ROWS`); a value first met further
    down reads as UNSEEN, the pass counts those rows, and only then does one more pass fetch the
    unseen values, which are classified and the aggregation run again. A clean export is read once.
    """

    def __init__(self, reader: ValueReader):
        self.reader = reader
        self.known: dict[str, dict[str, str | None]] = defaultdict(dict)

    def learn(self, col: str, values: list[str | None]) -> None:
        method = getattr(self.reader, _CATEGORICAL[col])
        for raw in values:
            if raw is not None and raw not in self.known[col]:
                self.known[col][raw] = method(raw)

    def case(self, col: str) -> str:
        """The SQL classifying column `col` of `src s` to a class code: NULL and values classified None
        take the column's default."""
        default = _DEFAULT[col]
        by_class: dict[str | None, list[str]] = defaultdict(list)
        for raw, cls in self.known[col].items():
            by_class[default if cls is None else cls].append(raw)
        whens = "".join(f" WHEN s.{col} IN ({', '.join(map(_literal, sorted(raws)))}) THEN {_code(cls)}"
                        for cls, raws in sorted(by_class.items(), key=str))
        return f"CASE WHEN s.{col} IS NULL THEN {_code(default)}{whens} ELSE {UNSEEN} END"

    def unseen_sql(self, present: list[str]) -> str:
        """One pass listing, per column, the values not classified yet."""
        lists = ", ".join(
            f"list(DISTINCT {c}) FILTER ({c} IS NOT NULL"
            + (f" AND {c} NOT IN ({', '.join(map(_literal, self.known[c]))})" if self.known[c] else "") + ")"
            for c in present)
        return f"SELECT {lists} FROM src"


def _dossier_sql(export: PortalExport, ws: date, we: date, formats: dict[str, str], classes: Classes
                 ) -> tuple[str, str, list[str], list[DossierRule]]:
    """The aggregation pass: classified and parsed rows (CTE `t`), the window filter, and per raw
    unit code and era the rows, the measure counts, the rows failing any rule and the rows holding
    an unseen value. Codes are normalised and matched in Python afterwards (there are few). Also
    returns the CTE text for the samples pass.

    Every aggregate costs on each of 10 million rows, so there are as few as the results need: the
    era key is NULL exactly for rows whose reception date is unreadable (`ok` false), so `n_all` of
    those groups counts that rule and the measures need no `ok` test; which rule the other failing
    rows break is counted by the samples pass, which only runs when some row fails."""
    has = export.has
    cats = [f"{classes.case(col)} AS {alias}" if has(col) else f"CAST(NULL AS INTEGER) AS {alias}"
            for col, alias in _ALIAS.items()]
    present = [alias for col, alias in _ALIAS.items() if has(col)]
    unseen = f"greatest({', '.join(present)}) = {UNSEEN}" if present else "false"
    measures = [(m.code, m.sql) for m in MEASURES if m.sql and all(has(n) for n in m.needs)]
    rules = [r for r in DOSSIER_RULES if all(has(n) for n in r.needs)]
    bad = " OR ".join(f"({coded(r.condition)})" for r in rules if r.code != RECEIVED_UNREADABLE) or "false"
    # Each distinct condition is counted once (several measures share a denominator), as count(CASE …): a BIGINT
    # count, never NULL. count_if sums into a HUGEINT (NULL when every condition is NULL) and a FILTER clause
    # gets its own selection per aggregate: on 10 million rows they were 7% and 10% slower.
    named = [("n_all", ("true",)), ("n_unseen", (unseen,)), ("n_bad", (bad,)),
             *((f"{code}__{part}", tuple(map(coded, (conds,) if isinstance(conds, str) else conds)))
               for code, pair in measures for part, conds in zip(("num", "den"), pair, strict=True))]
    counted = {cond: f"k{i}" for i, cond in enumerate(dict.fromkeys(c for _, conds in named for c in conds))}
    inner = "".join(f",\n    count(CASE WHEN {cond} THEN 1 END) AS {alias}" for cond, alias in counted.items())
    outer = ", ".join(f'{" + ".join(counted[c] for c in conds)} AS "{name}"' for name, conds in named)
    wsd, wed = f"DATE '{ws.isoformat()}'", f"DATE '{we.isoformat()}'"
    lvl_raw = "s.service_level" if has("service_level") else "CAST(NULL AS VARCHAR)"
    base = f"""
WITH p AS (
  SELECT s._row, s.unit_code, s.status, s.fee_bearing, s.paid_online, s.digitised, s.online_identified, s._overflow,
    nullif(trim(s.received_at), '') AS r_raw, nullif(trim(s.finished_at), '') AS f_raw,
    nullif(trim(s.due_at), '') AS d_raw, s.channel AS ch_raw, s.rating AS rt_raw, {lvl_raw} AS lvl_raw,
    {", ".join(cats)}
  FROM src s
), d0 AS (
  SELECT *, {_date_sql("r_raw", formats["received_at"])} AS rd0, {_date_sql("f_raw", formats["finished_at"])} AS fd0,
    {_date_sql("d_raw", formats["due_at"])} AS dd0
  FROM p
), d AS (
  SELECT * EXCLUDE (rd0, fd0, dd0), {_sane("rd0")} AS rd, {_sane("fd0")} AS fd, {_sane("dd0")} AS dd FROM d0
), q AS (
  SELECT *,
    rd IS NOT NULL AS ok,
    coalesce(st = {CLASS_CODES['cancelled']}, false) AS cancelled,
    (f_raw IS NOT NULL AND fd IS NULL) OR coalesce(fd < rd, false)
      OR (f_raw IS NULL AND coalesce(st = {CLASS_CODES['done']}, false)) AS fin_bad,
    coalesce(dd >= rd, false) AS due_ok
  FROM d
  WHERE rd IS NULL OR rd BETWEEN {wsd} AND {wed}
), w AS (
  SELECT *,
    NOT cancelled AND NOT fin_bad AND fd IS NOT NULL AND fd <= {wed} AS res,
    NOT cancelled AND NOT fin_bad AND (fd IS NULL OR fd > {wed}) AS pend,
    ddx = {CLASS_CODES['y']} AS in_ddx
  FROM q
), t AS (
  SELECT *,
    res AND due_ok AND fd < dd AS early,
    res AND due_ok AND fd = dd AS ontime,
    res AND due_ok AND fd > dd AS late,
    pend AND due_ok AND dd >= {wed} AS pend_in,
    pend AND due_ok AND dd < {wed} AS pend_over
  FROM w
)"""
    # A reused code is two units: a dossier received before 1/7/2025 is the old unit's (core.units eras).
    sql = base + f"""
SELECT unit_code, old_era, {outer}
FROM (SELECT unit_code, rd < DATE '{DISTRICTS_ABOLISHED.isoformat()}' AS old_era{inner}
  FROM t GROUP BY unit_code, old_era)
"""
    return sql, base, [code for code, _ in measures], rules


def _samples_sql(base: str, rules: list[DossierRule]) -> str:
    """The samples pass, run only when some rule failed: the first MAX_PROBLEMS_PER_RULE failing
    rows of each rule with the raw value, and each rule's count of failing rows (`n`). Failing rows
    are few, so `f` is materialised once. Rules other than the reception date only look at units in
    `portal_known` (an unknown unit's rows are left out whole and listed once)."""
    rules = [*rules, UNIT_MISSING]
    flags = ", ".join(f"({coded(r.condition)}) AS b{i}, CAST({r.value} AS VARCHAR) AS v{i}"
                      for i, r in enumerate(rules))
    any_bad = " OR ".join(f"({coded(r.condition)})" for r in rules)
    known = "unit_code IN (SELECT raw FROM portal_known)"
    union = "\n  UNION ALL ".join(
        f"SELECT '{r.code}' AS rule, _row, v{i} AS v FROM f WHERE b{i}"
        + ("" if r.code in (RECEIVED_UNREADABLE, UNIT_MISSING.code) else f" AND {known}")
        for i, r in enumerate(rules))
    return base + f""", f AS MATERIALIZED (
  SELECT unit_code, _row, {flags} FROM t WHERE {any_bad}
), u AS (
  {union}
)
SELECT rule, _row, v, count(*) OVER (PARTITION BY rule) AS n FROM u
QUALIFY row_number() OVER (PARTITION BY rule ORDER BY _row) <= {MAX_PROBLEMS_PER_RULE}
"""


FEW_UNKNOWN = 20  # up to this many unknown codes, one early-stopping scan each beats one full numbered scan


def _select(rel: duckdb.DuckDBPyRelation, sql: str) -> duckdb.DuckDBPyRelation:
    """`sql`, a SELECT over `rel` named `src`: always a relation (None is for statements that return nothing)."""
    result = rel.query("src", sql)
    if result is None:
        raise RuntimeError(f"DuckDB gave no relation for a SELECT: {sql}")
    return result


def _unknown_first(rel: duckdb.DuckDBPyRelation, ws: date, we: date, formats: dict[str, str], codes: list[str]
                   ) -> list[tuple[str, int]]:
    """First row, within the window, of each unknown unit code, from the numbered scan (which parses
    only the reception date of the rows it keeps). That scan is single-threaded, so rows arrive in
    file order: for a few codes, `LIMIT 1` per code stops at the first match, near the top of a
    10-million-row file rather than at its end."""
    rd = _sane(_date_sql("trim(received_at)", formats["received_at"]))
    where = f"{rd} BETWEEN DATE '{ws.isoformat()}' AND DATE '{we.isoformat()}'"
    if len(codes) > FEW_UNKNOWN:
        sql = f"SELECT unit_code, min(_row) FROM src WHERE unit_code IN (SELECT raw FROM portal_unknown) AND {where} " \
              "GROUP BY unit_code"
        return [tuple(r) for r in _select(rel, sql).fetchall()]
    out = []
    for code in sorted(codes):
        literal = code.replace("'", "''")
        out += [tuple(r) for r in _select(rel, f"SELECT unit_code, _row FROM src WHERE unit_code = '{literal}' "
                                               f"AND {where} LIMIT 1").fetchall()]
    return out


HEAD_ROWS = 5000  # rows read first, for the categorical values and the date formats


def _head(rel: duckdb.DuckDBPyRelation, export: PortalExport, classes: Classes) -> dict[str, str]:
    """Learn the categorical values of the first rows; return the dominant format of each date column."""
    present = [c for c in _CATEGORICAL if export.has(c)]
    dates = ("received_at", "finished_at", "due_at")
    head = _select(rel, f"SELECT {', '.join([*dates, *present])} FROM src LIMIT {HEAD_ROWS}").fetchall()
    for i, col in enumerate(present, start=len(dates)):
        classes.learn(col, [r[i] for r in head])
    return {c: _dominant_format([r[i] for r in head]) for i, c in enumerate(dates)}


class Passes(NamedTuple):
    """What the passes over one dossier file give `process_dossiers`."""

    groups: pd.DataFrame  # per raw unit code and era: n_rows, measure counts; code, unit, era
    measures: list[str]
    rules: list[DossierRule]
    samples: list[tuple[str, int, str | None]]  # (rule, record ordinal, raw value), the first of each rule
    totals: dict[str, int]  # failing rows per rule
    lines: dict[int, int]  # record ordinal -> line, for the samples


def _run(con: duckdb.DuckDBPyConnection, export: PortalExport, ws: date, we: date, reader: ValueReader,
         matcher: UnitMatcher) -> Passes:
    """Classify, aggregate, and (only if something failed) fetch sample rows.

    The first two passes run on all threads; only the samples pass numbers the rows, which makes
    DuckDB read the CSV on one thread. Retries the two recoverable DuckDB CSV failures: a file
    that is not UTF-8 after all (transcode from cp1258) and quoted line breaks (single thread)."""
    parallel = True
    for _ in range(3):
        try:
            with export.streaming():
                return _passes(con, export, ws, we, reader, matcher, parallel)
        except duckdb.Error as exc:
            text = str(exc).lower()
            if export.csv is not None and "unicode" in text and export.csv.encoding == "utf-8":
                export.csv.encoding = "cp1258"
                continue
            if "parallel=false" in text and parallel:
                parallel = False
                continue
            raise
    raise RuntimeError("unreachable")


def _passes(con: duckdb.DuckDBPyConnection, export: PortalExport, ws: date, we: date, reader: ValueReader,
            matcher: UnitMatcher, parallel: bool) -> Passes:
    """The passes over one file (see `_run`)."""
    classes = Classes(reader)
    present = [c for c in _CATEGORICAL if export.has(c)]
    with export.dossier_relation(con, parallel=parallel, numbered=False) as rel:
        formats = _head(rel, export, classes)
        for _ in range(2):  # once learnt, every value is classified: a second pass always has none unseen
            sql, base, measures, rules = _dossier_sql(export, ws, we, formats, classes)
            groups = _select(rel, sql).df()
            if not groups["n_unseen"].any():
                break
            for col, values in zip(present, _select(rel, classes.unseen_sql(present)).fetchall()[0], strict=True):
                classes.learn(col, values or [])
        else:
            raise RuntimeError(f"{export.name}: some categorical values stay unclassified after they were learnt")
    groups["unit_code"] = groups["unit_code"].astype(object).where(groups["unit_code"].notna(), None)
    era = groups["old_era"].map({True: OLD_ERA, False: NEW_ERA})
    groups["era"] = era.astype(object).where(era.notna(), None)
    readable = groups["era"].notna()  # the era key is NULL only for an unreadable reception date
    groups["n_rows"] = groups["n_all"].where(readable, 0)
    units: dict[str | None, tuple[str | None, str | None]] = {}
    for raw in groups["unit_code"].unique():  # a few thousand codes: matched in Python
        code = normalise_code(raw)
        units[raw] = (code, matcher.match(code))
    groups["code"] = groups["unit_code"].map(lambda raw: units[raw][0])
    groups["unit"] = groups["unit_code"].map(lambda raw: units[raw][1])
    known_raw = [raw for raw, (_, unit) in units.items() if unit is not None]
    unknown_raw = [raw for raw, (code, unit) in units.items() if raw is not None and code is not None and unit is None]
    totals: dict[str, int] = {}
    if n := int(groups.loc[groups["code"].isna(), "n_rows"].sum()):
        totals[UNIT_MISSING.code] = n
    failing = bool(totals) or bool((~readable).any()) or bool(groups.loc[groups["unit"].notna(), "n_bad"].any())
    samples: list[tuple[str, int, str | None]] = []
    if failing or unknown_raw:
        with export.dossier_relation(con, parallel=parallel, numbered=True) as rel:
            con.register("portal_known", pd.DataFrame({"raw": pd.Series(known_raw, dtype=object)}))
            con.register("portal_unknown", pd.DataFrame({"raw": pd.Series(unknown_raw, dtype=object)}))
            try:
                if failing:
                    for rule, row, value, n in _select(rel, _samples_sql(base, rules)).fetchall():
                        samples.append((rule, row, value))
                        totals.setdefault(rule, n)
                if unknown_raw:
                    samples += [("unit_unknown", row, raw)
                                for raw, row in _unknown_first(rel, ws, we, formats, unknown_raw)]
            finally:
                for name in ("portal_known", "portal_unknown"):
                    con.unregister(name)
    # Ordinals of a CSV become line numbers, only for the rows we show.
    shown = sorted({row for _, row, _ in samples})
    lines = export.data_line(shown) if export.csv is not None and shown else {}
    return Passes(groups, measures, rules, samples, totals, lines)


def process_dossiers(con: duckdb.DuckDBPyConnection, export: PortalExport, ws: date, we: date,
                      matcher: UnitMatcher, config: PortalColumns, out: Collector) -> None:
    groups, measure_codes, rules, samples, rule_totals, lines = _run(con, export, ws, we, ValueReader(config), matcher)
    file = export.name
    counted = groups[groups["n_rows"] > 0]
    unknown = counted[counted["code"].notna() & counted["unit"].isna()].groupby("code")["n_rows"].sum()
    known = counted[counted["unit"].notna()]
    for unit in known["unit"].unique():
        out.sources[unit].add("dossier")
    out.add_facts(pd.concat([pd.DataFrame({
        "unit_code": known["unit"], "indicator_code": m, "numerator": known[f"{m}__num"],
        "denominator": known[f"{m}__den"], "source_file": file, "era": known["era"]}) for m in measure_codes]
        or [pd.DataFrame(columns=PORTAL_FACT_COLUMNS)]))
    totals = {(file, rule): n for rule, n in rule_totals.items()}
    problems: list[PortalProblem] = []
    by_code = {r.code: r for r in [*rules, UNIT_MISSING]}
    code_label = export.columns.get("unit_code", config.label("unit_code"))
    first_row: dict[str, int] = {}
    for code, row, value in samples:
        if code == "unit_unknown":
            key, line = normalise_code(value), lines.get(row, row)
            if key is not None:  # always: a blank code is not an unknown one
                first_row[key] = min(first_row.get(key, line), line)
            continue
        rule = by_code[code]
        dropped = measures_needing(rule.drops_with)
        if rule.drops_all:
            tail = "hồ sơ không được tính."
        elif dropped:
            tail = "hồ sơ không được tính vào: " + ", ".join(dropped) + "."
        else:
            tail = "chỉ cảnh báo, hồ sơ vẫn được tính."
        column = export.columns.get(rule.column, config.label(rule.column)) if rule.column else None
        problems.append(PortalProblem(file, lines.get(row, row), column, value, f"{rule.message}; {tail}", code,
                                      rule.drops_all or bool(dropped), export.sheet))
    for code, n in sorted((str(k), int(v)) for k, v in unknown.items()):
        first = first_row.get(code)
        out.add_unknown(code, n, first, file, "dossier")
        problems.append(PortalProblem(
            file, first, code_label, code,
            f"Mã đơn vị «{code}» không có trong danh mục đơn vị ({vn_count(n)} hồ sơ, dòng đầu tiên {first}); "
            "các hồ sơ này không được tính.", "unit_unknown", True, export.sheet))
    out.add_problems(problems, totals)
