"""The hierarchy over time: 3 levels, 2 levels and the 2025 crosswalk, against an independent oracle.

The oracle reads the registry JSON files itself and adds figures up with plain loops, one fact at
a time up the tree; the pipeline does it with a vectorised join. Facts are synthetic and seeded
(any unit × any catalogue item), so every kind of figure, blanks and zero denominators included,
meets every level of both hierarchies.
"""

from __future__ import annotations

import gzip
import json
import math
import random
import shutil
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import text

from core.catalogue import Kind, load_catalogue
from core.config import Agency, WorkspaceConfig, load_config
from core.units import CrosswalkError, HierarchyError, build_registry, load_country, load_registry
from dvctt.pipeline import build_report, report_path
from load.warehouse import connect, warehouse_url
from tests.support import REPO
from tests.support.oracle_readers import read_data_sheet
from transform import reconcile, rollup, split_list, summary, unit_status, unplaced_list

REGISTRY_DIR = REPO / "core" / "data" / "units"
CATALOGUE = load_catalogue()
KINDS = {i.code: i.kind for i in CATALOGUE.items}
DEADLINES = {"commune": date(2025, 12, 8), "district_office": date(2025, 12, 8), "department": date(2025, 12, 15),
             "press": date(2025, 12, 15)}
VN = ZoneInfo("Asia/Ho_Chi_Minh")
ON_TIME, BETWEEN, LATE = (datetime(2025, 12, d, 9, tzinfo=VN) for d in (1, 10, 20))


# --- the oracle ---------------------------------------------------------------------------------

@cache
def registry_json(name: str) -> list[dict]:
    """Read straight from the shipped files, not through core.units."""
    return json.loads(gzip.decompress((REGISTRY_DIR / f"{name}.gz").read_bytes()))["data"]


def old_json() -> list[dict]:
    return registry_json("dvhcvn-2025-03-01.json")


def new_json() -> list[dict]:
    return registry_json("merges-2025-07-01.json")


@dataclass
class Tree:
    parent: dict[str, str | None]  # every unit of the report → its parent
    level: dict[str, str]
    sources: dict[str, list[tuple[str, float, bool]]]  # code submitted under → (unit, weight, partial)


def old_tree(province: str, agencies: list[Agency]) -> Tree:
    prov = next(p for p in old_json() if p["level1_id"] == province)
    parent: dict[str, str | None] = {province: None}
    level = {province: "province"}
    for d in prov["level2s"]:
        parent[d["level2_id"]], level[d["level2_id"]] = province, "district"
        for c in d["level3s"]:
            parent[c["level3_id"]], level[c["level3_id"]] = d["level2_id"], "commune"
    for a in agencies:
        if (a.parent or province) in parent:
            parent[a.code], level[a.code] = a.parent or province, a.kind
    sources = {code: [(code, 1.0, False)] for code in parent}
    for p in new_json():
        for c in p["level2s"]:
            (only, *more) = c["merges"]
            if c["level2_id"] not in parent and not more and only["type"] == "full" and only["old_id"] in parent:
                sources[c["level2_id"]] = [(only["old_id"], 1.0, False)]
    return Tree(parent, level, sources)


def new_tree(province: str, agencies: list[Agency], weights: dict | None = None) -> Tree:
    prov = next(p for p in new_json() if p["level1_id"] == province)
    absorbed = {m["old_id"] for m in prov["merges"]}
    parent: dict[str, str | None] = {province: None}
    level = {province: "province"}
    for c in prov["level2s"]:
        parent[c["level2_id"]], level[c["level2_id"]] = province, "commune"
    for a in agencies:
        if a.kind != "district_office" and (a.parent or province) in absorbed | {province}:
            parent[a.code], level[a.code] = province, a.kind
    sources = {code: [(code, 1.0, False)] for code in parent}
    targets = defaultdict(list)
    for p in new_json():
        for c in p["level2s"]:
            for m in c["merges"]:
                targets[m["old_id"]].append((c["level2_id"], m["type"] == "partial"))
    for old, found in targets.items():
        mine = [(t, partial) for t, partial in found if t in parent]
        if old not in parent and mine:
            share = (weights or {}).get(old, {t: 1 / len(found) for t, _ in found})
            sources[old] = [(t, share[t], partial) for t, partial in mine]
    return Tree(parent, level, sources)


def oracle(tree: Tree, facts: pd.DataFrame) -> dict[tuple[str, str], dict]:
    """(unit, item) → numerator, denominator, value, reporting_units, split_units, by walking every fact up."""
    parents = {p for p in tree.parent.values() if p is not None}
    acc: dict = defaultdict(lambda: {"num": None, "den": None, "codes": set(), "split": set()})
    for code, item, num, den in facts.itertuples(index=False):
        for target, weight, partial in tree.sources.get(code, []):
            if target in parents:
                continue  # a parent's own totals are reconciled, never added
            unit: str | None = target
            while unit is not None:
                a = acc[(unit, item)]
                if not pd.isna(num):
                    a["num"] = (a["num"] or 0.0) + num * weight
                if not pd.isna(den):
                    a["den"] = (a["den"] or 0.0) + den * weight
                a["codes"].add(code)
                if partial:
                    a["split"].add(code)
                unit = tree.parent[unit]
    out = {}
    for key, a in acc.items():
        if KINDS[key[1]] is Kind.COUNT:
            value = a["num"]
        else:
            value = a["num"] / a["den"] if a["num"] is not None and a["den"] else None
        out[key] = {"numerator": a["num"], "denominator": a["den"], "value": value,
                    "reporting_units": len(a["codes"]), "split_units": len(a["split"])}
    return out


def same(a, b) -> bool:
    a = None if a is None or (isinstance(a, float) and math.isnan(a)) else a
    b = None if b is None or (isinstance(b, float) and math.isnan(b)) else b
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9))


def assert_matches(data: pd.DataFrame, tree: Tree, facts: pd.DataFrame) -> int:
    expected = oracle(tree, facts)
    assert set(data["unit_code"]) == set(tree.parent)
    assert len(data) == len(tree.parent) * len(CATALOGUE.items)
    empty = {"numerator": None, "denominator": None, "value": None, "reporting_units": 0, "split_units": 0}
    for row in data.itertuples(index=False):
        want = expected.get((row.unit_code, row.indicator_code), empty)
        assert row.parent_code == tree.parent[row.unit_code] or (pd.isna(row.parent_code) and tree.parent[row.unit_code]
                                                                  is None), row.unit_code
        for col in ("numerator", "denominator", "value", "reporting_units", "split_units"):
            assert same(getattr(row, col), want[col]), (row.unit_code, row.indicator_code, col, getattr(row, col), want)
    return sum(1 for v in expected.values() if v["numerator"] is not None)


# --- synthetic submissions ---------------------------------------------------------------------

def make_facts(codes: list[str], seed: str) -> pd.DataFrame:
    rng = random.Random(seed)
    rows = []
    for code in codes:
        for item in CATALOGUE.items:
            if rng.random() < 0.1:
                continue  # blank: missing, not zero
            if item.kind is Kind.COUNT:
                rows.append((code, item.code, float(rng.randint(0, 40)), None))
            elif item.kind is Kind.YES_NO:
                rows.append((code, item.code, float(rng.random() < 0.8), 1.0))
            else:
                den = rng.randint(0, 60)
                rows.append((code, item.code, float(rng.randint(0, den)), float(den)))
    return pd.DataFrame(rows, columns=["unit_code", "indicator_code", "numerator", "denominator"])


def old_communes(*provinces: str) -> list[str]:
    return [c["level3_id"] for p in old_json() if p["level1_id"] in provinces
            for d in p["level2s"] for c in d["level3s"]]


def lai_chau() -> tuple[WorkspaceConfig, pd.DataFrame, pd.DataFrame]:
    """Lai Châu 2025: old communes (a ninth missing), agencies, two district offices, a district's and the
    province's own totals, and a code from another province."""
    districts = [d["level2_id"] for p in old_json() if p["level1_id"] == "12" for d in p["level2s"]]
    agencies = [Agency(code="12-SKHCN", name="Sở Khoa học và Công nghệ", kind="department"),
                Agency(code="12-BAO", name="Báo Lai Châu", kind="press", parent="12"),
                *(Agency(code=f"{d}-VHKHTT", name="Phòng Văn hóa, Khoa học và Thông tin", kind="district_office",
                         parent=d) for d in districts[:2])]
    config = WorkspaceConfig(province="12", year=2025, agencies=agencies, deadlines=DEADLINES)
    codes = [c for n, c in enumerate(old_communes("12")) if n % 9]
    codes += ["12-SKHCN", f"{districts[0]}-VHKHTT", districts[0], "12", "00001"]
    facts = make_facts(codes, "lai-chau")
    rng = random.Random("arrivals")
    arrivals = pd.DataFrame([(c, rng.choice([ON_TIME, ON_TIME, BETWEEN, LATE])) for c in codes],
                            columns=["unit_code", "arrived_at"])
    return config, facts, arrivals


# --- tests --------------------------------------------------------------------------------------

@pytest.mark.parametrize("hierarchy", [2, 3])
def test_lai_chau_every_figure_at_every_level_equals_the_oracle(hierarchy: int) -> None:
    config, facts, _ = lai_chau()
    registry = load_registry(config, hierarchy)  # type: ignore[arg-type]
    tree = new_tree("12", config.agencies) if hierarchy == 2 else old_tree("12", config.agencies)
    data = rollup(registry, facts, CATALOGUE)
    assert assert_matches(data, tree, facts) > 1000
    levels = data.drop_duplicates("unit_code")["level"].value_counts().to_dict()
    if hierarchy == 2:
        assert levels == {"province": 1, "commune": 38, "department": 1, "press": 1}
    else:
        assert levels == {"province": 1, "district": 8, "commune": 106, "department": 1, "press": 1,
                          "district_office": 2}
    # Lai Châu lost no commune to another province and gained none, so the province's figures are the same
    # in both hierarchies once the district-level submissions (which have no place in 2 levels) are left out.
    communes_only = facts[facts["unit_code"].str.fullmatch(r"\d{5}")]
    a = rollup(load_registry(config, 2), communes_only, CATALOGUE).query("unit_code == '12'").set_index("indicator_code")
    b = rollup(load_registry(config, 3), communes_only, CATALOGUE).query("unit_code == '12'").set_index("indicator_code")
    assert all(same(a.at[i, c], b.at[i, c]) for i in a.index for c in ("numerator", "denominator"))


def test_default_hierarchy_follows_the_window() -> None:
    config, _, _ = lai_chau()
    assert load_registry(config).hierarchy == 2  # 2025 straddles 1/7/2025: new by default
    assert load_registry(config.model_copy(update={"hierarchy": 3})).hierarchy == 3
    assert load_registry(config.for_year(2024)).hierarchy == 3
    assert load_registry(config.model_copy(update={"hierarchy": 3}).for_year(2026)).hierarchy == 2
    with pytest.raises(HierarchyError):
        load_registry(config.for_year(2024), 2)


@pytest.mark.parametrize("weights", [None, {"19039": {"19030": 0.25, "19075": 0.75}}])
def test_partial_merge_is_split_by_weight_and_flagged(weights: dict | None) -> None:
    """Quảng Trị (44) from 1/7/2025 = old Quảng Bình (44) + old Quảng Trị (45); old Quảng Tiến (19039) was split
    between Trung Thuần (19030) and Nam Ba Đồn (19075), a real partial merge."""
    agencies = [Agency(code="45-SKHCN", name="Sở Khoa học và Công nghệ (cũ)", kind="department", parent="45")]
    config = WorkspaceConfig(province="44", year=2025, agencies=agencies, merge_weights=weights or {})
    facts = make_facts([*old_communes("44", "45"), "45-SKHCN"], "quang-tri")
    registry = load_registry(config)
    from_45 = old_communes("45")[0]
    assert {"19039", from_45} <= set(registry.outside) and registry.get(from_45).valid_to == date(2025, 6, 30)
    data = rollup(registry, facts, CATALOGUE)
    assert_matches(data, new_tree("44", agencies, weights), facts)
    share = (weights or {"19039": {"19030": 0.5, "19075": 0.5}})["19039"]
    rows = data.set_index(["unit_code", "indicator_code"])
    own = facts[facts["unit_code"] == "19039"].set_index("indicator_code")
    item = next(i for i in own.index if KINDS[i] is Kind.COUNT)
    others = facts[facts["unit_code"].isin(["19027", "19030"]) & (facts["indicator_code"] == item)]["numerator"].sum()
    assert same(rows.at[("19030", item), "numerator"], others + share["19030"] * own.at[item, "numerator"])
    assert rows.at[("19030", item), "split_units"] == rows.at[("44", item), "split_units"] == 1
    assert rows.xs(item, level="indicator_code")["split_units"].sum() == 3  # 19030, 19075 and the province
    listed = split_list(registry, facts)
    assert listed[["source_code", "unit_code", "weight"]].values.tolist() == [["19039", "19030", share["19030"]],
                                                                             ["19039", "19075", share["19075"]]]
    # conservation: the new province holds exactly the old units' figures, both old provinces' included
    total = facts[facts["indicator_code"] == item]["numerator"].sum()
    assert same(rows.at[("44", item), "numerator"], total)
    assert "45-SKHCN" in set(data["unit_code"])  # a department of the absorbed province joins the new one


def test_old_hierarchy_of_a_merged_province_keeps_only_its_own_units() -> None:
    config = WorkspaceConfig(province="44", year=2025, hierarchy=3)
    facts = make_facts(old_communes("44", "45"), "quang-binh")
    registry = load_registry(config)
    assert_matches(rollup(registry, facts, CATALOGUE), old_tree("44", []), facts)
    assert set(unplaced_list(registry, facts)["unit_code"]) == set(old_communes("45"))


def test_bad_merge_weights_are_refused() -> None:
    with pytest.raises(CrosswalkError):
        load_registry(WorkspaceConfig(province="44", year=2025, merge_weights={"19039": {"19030": 1.0}}))
    with pytest.raises(CrosswalkError):  # 19027 merged whole into 19030: nothing to split
        load_registry(WorkspaceConfig(province="44", year=2025, merge_weights={"19027": {"19030": 1.0}}))
    with pytest.raises(CrosswalkError):  # old 19030 went whole into the new 19030: nothing to split
        load_registry(WorkspaceConfig(province="44", year=2025, merge_weights={"19030": {"19030": 1.0}}))
    with pytest.raises(ValueError):
        WorkspaceConfig(province="44", year=2025, merge_weights={"19039": {"19030": 0.5, "19075": 0.6}})


def test_a_reused_code_is_read_as_the_new_unit() -> None:
    """Old Ngọc Khánh (00025) was split among three new wards, one of which, Giảng Võ, took the code 00025: a file
    under 00025 with no era is Giảng Võ's, while old Ngọc Hà (00016), whose code was not reused, is split. A figure
    of old Ngọc Khánh's era (its template's registry, or a portal row dated before 1/7/2025) is split like Ngọc Hà."""
    registry = load_registry(WorkspaceConfig(province="01", year=2025))
    assert registry.get("00025").name == "Phường Giảng Võ" and "00025" not in registry.outside
    assert [(x.target, x.weight, x.partial) for x in registry.links["00025"]] == [("00025", 1.0, False)]
    assert sorted(x.target for x in registry.links["00016"]) == ["00004", "00008"]
    assert all(x.partial and math.isclose(x.weight, 1 / 2) for x in registry.links["00016"])
    old = registry.dual["00025"]
    assert old.unit.name == "Phường Ngọc Khánh" and len(old.links) == 3 and "00025" in {x.target for x in old.links}
    assert all(x.partial and math.isclose(x.weight, 1 / 3) for x in old.links)


@pytest.mark.parametrize("hierarchy", [2, 3])
def test_completeness_counts_and_lists(hierarchy: int) -> None:
    config, _, arrivals = lai_chau()
    registry = load_registry(config, hierarchy)  # type: ignore[arg-type]
    tree = new_tree("12", config.agencies) if hierarchy == 2 else old_tree("12", config.agencies)
    # Đoàn Kết ward (03388, a new commune keeping its code) and one of its four old communes (03391) sent nothing.
    arrivals = arrivals[~arrivals["unit_code"].isin(["03388", "03391"])]
    status = unit_status(registry, arrivals, config).set_index("unit_code")
    first: dict[str, datetime] = {}
    for code, when in arrivals.itertuples(index=False):
        for target, _, _ in tree.sources.get(code, []):
            first[target] = min(when, first.get(target, when))
    expected = {u for u, lv in tree.level.items() if lv in config.reporting_levels}
    assert set(status.index) == expected
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for unit in expected:
        arrived = first.get(unit)
        want = ("Chưa nộp" if arrived is None else
                "Đúng hạn" if arrived.date() <= DEADLINES[tree.level[unit]] else "Trễ hạn")
        assert status.at[unit, "status"] == want, unit
        counts[(tree.parent[unit], want)] += 1
    by_parent = summary(status.reset_index(), ["parent_code"]).set_index("parent_code")
    for (parent, state), n in counts.items():
        assert by_parent.at[parent, state] == n
    by_level = summary(status.reset_index(), ["level"]).set_index("level")
    assert by_level["expected"].to_dict() == (
        {"commune": 38, "department": 1, "press": 1} if hierarchy == 2
        else {"commune": 106, "department": 1, "press": 1, "district_office": 2})
    sent = set(arrivals["unit_code"])
    feeds: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for code, targets in tree.sources.items():
        feeds.update({t: [*feeds[t], (code, partial)] for t, _, partial in targets if t != code})
    for unit in expected:
        names = {True: [], False: []}
        for code, partial in sorted(feeds[unit]):
            names[code in sent].append(f"{code} (một phần)" if partial else code)
        assert status.at[unit, "via"] == ", ".join(names[True]), unit
        assert status.at[unit, "missing_via"] == ("" if unit in sent else ", ".join(names[False])), unit
    if hierarchy == 2:  # reported through its other old communes, with the gap listed
        assert status.at["03388", "status"] != "Chưa nộp" and "03391" in status.at["03388", "missing_via"]


def test_reconciliation_of_own_totals_against_children() -> None:
    config, facts, _ = lai_chau()
    district = next(c for c in facts["unit_code"] if len(c) == 3)
    for hierarchy, tree in ((3, old_tree("12", config.agencies)), (2, new_tree("12", config.agencies))):
        registry = load_registry(config, hierarchy)  # type: ignore[arg-type]
        rec = reconcile(registry, facts, rollup(registry, facts, CATALOGUE), CATALOGUE)
        assert set(rec["unit_code"]) == ({"12", district} if hierarchy == 3 else {"12"})
        sums = oracle(tree, facts)
        own = facts.set_index(["unit_code", "indicator_code"])
        assert len(rec) == sum(1 for u, _ in own.index if u in set(rec["unit_code"]))
        for r in rec.itertuples():
            kids = sums.get((r.unit_code, r.indicator_code), {"numerator": None, "denominator": None, "value": None})
            mine = own.loc[(r.unit_code, r.indicator_code)]
            assert same(r.own_numerator, mine["numerator"]) and same(r.own_denominator, mine["denominator"])
            assert same(r.children_numerator, kids["numerator"]) and same(r.children_value, kids["value"])
            assert same(r.numerator_difference, None if kids["numerator"] is None else mine["numerator"] - kids["numerator"])
            if r.own_value is not None and kids["value"] is not None and not pd.isna(r.own_value):
                assert same(r.difference, r.own_value - kids["value"])
        unplaced = unplaced_list(registry, facts).set_index("unit_code")["reason"]
        if hierarchy == 2:  # no district level: the district's own totals and its office's figures are set aside
            assert set(unplaced.index) == {district, f"{district}-VHKHTT", "00001"}
        else:
            assert set(unplaced.index) == {"00001"}
        assert "không thuộc danh mục" in unplaced["00001"]


def test_national_rollup_root_equals_sum_of_leaves() -> None:
    """Every old commune submits, under the old codes: both hierarchies must keep every unit of every figure."""
    config = WorkspaceConfig(province="12", year=2025)
    country = load_country(config.registry.dir, config.registry.file, config.registry.merges)
    communes = [c for c, u in country.old.items() if u.level == "commune"]
    items = [next(i for i in CATALOGUE.items if i.kind is k) for k in Kind]
    rng = random.Random("vn")
    facts = pd.DataFrame([(c, i.code, float(rng.randint(0, 9)), None if i.kind is Kind.COUNT else 10.0)
                          for c in communes for i in items],
                         columns=["unit_code", "indicator_code", "numerator", "denominator"])
    totals = facts.groupby("indicator_code")[["numerator", "denominator"]].sum(min_count=1)
    for hierarchy, shape in ((3, {"province": 63, "district": 696, "commune": 10047}),
                             (2, {"province": 34, "commune": 3321})):
        registry = build_registry(country, hierarchy, None, config.report_window)  # type: ignore[arg-type]
        data = rollup(registry, facts, CATALOGUE)
        levels = data.drop_duplicates("unit_code")["level"].value_counts().to_dict()
        assert levels == {"country": 1, **shape}
        mine = data[data["indicator_code"].isin([i.code for i in items])]
        leaves = mine[~mine["unit_code"].isin(registry.parents)].groupby("indicator_code")[["numerator", "denominator"]]
        root = mine[mine["unit_code"] == registry.root].set_index("indicator_code")
        for level in shape:
            per_level = mine[mine["level"] == level].groupby("indicator_code")["numerator"].sum()
            assert all(same(per_level[i.code], totals.at[i.code, "numerator"]) for i in items), (hierarchy, level)
        for i in items:
            for col in ("numerator", "denominator"):
                assert same(root.at[i.code, col], leaves.sum(min_count=1).at[i.code, col])
                assert same(root.at[i.code, col], totals.at[i.code, col])
            assert root.at[i.code, "reporting_units"] == len(communes)
        assert int(root["split_units"].max()) == (0 if hierarchy == 3 else sum(
            1 for c in communes if any(m.partial for m in country.targets[c]) and c not in registry.units))


def test_report_under_the_new_hierarchy_end_to_end(demo_run: Path, tmp_path: Path) -> None:
    """The 3-level demo's files, consolidated under the 2-level hierarchy through the crosswalk."""
    ws = tmp_path / "ws"
    shutil.copytree(demo_run, ws, symlinks=True)
    config = load_config(ws)
    result = build_report(ws, hierarchy=2)
    assert result.units_expected == 38 + sum(1 for a in config.agencies if a.kind != "district_office")
    with connect(warehouse_url(ws, config.warehouse_url)).connect() as conn:
        facts = pd.DataFrame(conn.execute(text(
            "SELECT f.unit_code, f.indicator_code, f.numerator, f.denominator FROM facts f "
            "JOIN submissions s ON s.id = f.submission_id WHERE s.is_current AND s.year = 2025")).fetchall(),
            columns=["unit_code", "indicator_code", "numerator", "denominator"])
    assert result.path == report_path(ws, config, hierarchy=2) != report_path(ws, config)  # its own name
    data = read_data_sheet(result.path)
    assert assert_matches(data, new_tree("12", config.agencies), facts) > 100
    with pytest.raises(HierarchyError):
        build_report(ws, 2024, hierarchy=2)
