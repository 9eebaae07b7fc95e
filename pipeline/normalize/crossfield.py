"""Fields settled together: status flags, phones (moved to the right column), regions,
industry (name, code, 门类), credit code vs. province and name, date checks."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import pandas as pd

from ..rules import Rules, fold
from ..teams import registered_team
from .base import as_text, factorize, is_blank, rows_by_code, shown
from .codes import code_entity, parse_uscc
from .columns import parse_column, report
from .compiled import Normalizers
from .industry import Industry
from .phones import LANDLINE, MOBILE, Phone, parse_phone
from .sink import Sink
from .text import parse_text


def _key_of(rules: Rules, type_: str) -> str:
    return next((f.key for f in rules.fields if f.type == type_ and not f.computed), "")


def _ensure(out: pd.DataFrame, key: str) -> None:
    if key not in out.columns:
        out[key] = np.full(len(out), None, dtype=object)


def apply_status_flags(out: pd.DataFrame, records: pd.DataFrame, n: Normalizers, sink: Sink) -> None:
    """``战略客户`` in 客户状态 means 合作中客户 plus 战略客户 = 是 (rules: enums.yaml status_flags)."""
    for key, flags in n.flags.items():
        if key not in out.columns:
            continue
        codes, uniques = factorize(out[key])
        groups = None
        for i, u in enumerate(uniques):
            flag = flags.get(fold(u)) if isinstance(u, str) else None
            if not flag:
                continue
            groups = groups or rows_by_code(codes, len(uniques))
            rows = groups[i]
            for target, value in flag.items():
                _ensure(out, target)
                col = out[target].to_numpy(dtype=object, copy=True)
                fill = rows if target == key else rows[[is_blank(v) for v in col[rows]]]
                col[fill] = value
                out[target] = col


def fill_team(out: pd.DataFrame, records: pd.DataFrame, rules: Rules, sink: Sink, key: str = "team") -> None:
    """所属团队: the value a submission wrote — as its registered name when it is a team name or
    alias of rules/teams.yaml — else the submitting team (intake ``src_team``, from the file
    name or the 填表部门 cell). A written team other than the submitting one is ``team-mismatch``;
    one the registry does not know (and not the submitting team) is ``team-unregistered``."""
    if "src_team" not in records.columns and key not in out.columns:
        return
    teams = records["src_team"].to_numpy(dtype=object) if "src_team" in records.columns \
        else np.full(len(out), None, dtype=object)
    if key in out.columns:
        own = out[key].to_numpy(dtype=object, copy=True)
        seen: dict[tuple[str, str], tuple[str, str]] = {}     # (written, submitting) -> (value, rule)
        found: dict[str, list[int]] = {"team-mismatch": [], "team-unregistered": []}
        for i, (written, src) in enumerate(zip(own, teams)):
            if is_blank(written):
                own[i] = src
                continue
            pair = (as_text(written).strip(), "" if is_blank(src) else as_text(src))
            if pair not in seen:
                canonical = registered_team(pair[0], rules)
                value = canonical or pair[0]
                rule = "team-mismatch" if pair[1] and fold(value) != fold(pair[1]) else \
                    "team-unregistered" if not canonical and fold(value) != fold(pair[1]) else ""
                seen[pair] = (value, rule)
            own[i], rule = seen[pair]
            if rule:
                found[rule].append(i)
        for rule, rows in found.items():
            rows = np.asarray(rows, dtype=int)
            sink.add_each(rows, rule=rule, field=key, values=[own[r] for r in rows],
                          params=[{"team": as_text(teams[r]) if not is_blank(teams[r]) else ""} for r in rows])
        teams = own
    out[key] = [None if is_blank(t) else t for t in teams]


# --- phones ---

_NO_PHONE = Phone("", "")


def normalize_phones(out: pd.DataFrame, records: pd.DataFrame, rules: Rules, sink: Sink) -> None:
    mkey, okey = _key_of(rules, "mobile"), _key_of(rules, "landline")
    have_m, have_o = mkey in records.columns, okey in records.columns
    if not (have_m or have_o):
        return
    size = len(records)
    names = rules.field_names
    empty = np.full(size, None, dtype=object)
    cols = {}
    for key, have, own, rule in ((mkey, have_m, MOBILE, "mobile-invalid"), (okey, have_o, LANDLINE, "phone-invalid")):
        if not have:
            cols[key] = (empty, empty, empty)
            continue
        col = parse_column(records[key], parse_phone, empty=_NO_PHONE)
        for i, raw, p in col.items():
            if p is _NO_PHONE:
                continue
            if p.masked:
                if key == mkey:
                    sink.add(col.rows(i), rule="mobile-masked", field=key, value=raw)
                else:
                    sink.add(col.rows(i), rule=rule, field=key, value=raw, params={"detail": "masked"})
            elif p.detail:
                sink.add(col.rows(i), rule=rule, field=key, value=raw, params={"detail": p.detail, **dict(p.detail_params)})
            elif p.kind == own and shown(raw) != p.value:
                sink.fix(col.rows(i), key, raw, p.value)
        cols[key] = (col.per_row(size, lambda p: p.kind), col.per_row(size, lambda p: p.value or None),
                     records[key].to_numpy(dtype=object))
    m_kind, m_val, m_raw = cols[mkey]
    o_kind, o_val, o_raw = cols[okey]
    m_blank, o_blank = pd.isna(m_val), pd.isna(o_val)
    m_land, o_mob = m_kind == LANDLINE, o_kind == MOBILE
    swap = m_land & o_mob
    move_m, move_o = m_land & o_blank, o_mob & m_blank
    clash_m = m_land & ~o_blank & ~swap
    clash_o = o_mob & ~m_blank & ~swap & (o_val != m_val)
    new_m, new_o = m_val.copy(), o_val.copy()
    new_m[swap], new_o[swap] = o_val[swap], m_val[swap]
    new_o[move_m], new_m[move_m] = m_val[move_m], None
    new_m[move_o], new_o[move_o] = o_val[move_o], None
    to_office = {"kind": "固定电话", "target": names.get(okey, okey)}
    to_mobile = {"kind": "手机号码", "target": names.get(mkey, mkey)}
    for mask, key, raw, params in ((swap | move_m, mkey, m_raw, to_office), (swap | move_o, okey, o_raw, to_mobile)):
        rows = np.flatnonzero(mask)
        sink.add_each(rows, rule="phone-moved", field=key, values=raw[rows], params=[params] * len(rows))
    rows = np.flatnonzero(clash_m)
    sink.add_each(rows, rule="mobile-invalid", field=mkey, values=m_raw[rows],
                  params=[{"detail": "is_landline"}] * len(rows))
    rows = np.flatnonzero(clash_o)
    sink.add_each(rows, rule="phone-invalid", field=okey, values=o_raw[rows],
                  params=[{"detail": "is_mobile"}] * len(rows))
    if have_m or (move_o | swap).any():
        out[mkey] = new_m
    if have_o or (move_m | swap).any():
        out[okey] = new_o


# --- regions ---

REGION_TYPES = ("province", "city", "district", "address")


def normalize_regions(out: pd.DataFrame, records: pd.DataFrame, rules: Rules, n: Normalizers, sink: Sink) -> None:
    keys = {t: _key_of(rules, t) for t in REGION_TYPES}
    present = [t for t in REGION_TYPES if keys[t] in records.columns]
    if not present:
        return
    size = len(records)
    raws = {t: records[keys[t]].to_numpy(dtype=object) if t in present else np.full(size, None, dtype=object)
            for t in REGION_TYPES}
    codes = np.stack([factorize(raws[t])[0] for t in REGION_TYPES], axis=1)
    combos, first, inverse = np.unique(codes, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    groups = rows_by_code(inverse, len(combos))
    values = {t: np.full(size, None, dtype=object) for t in ("province", "city", "district")}
    region = np.full(size, None, dtype=object)
    for g, pos in enumerate(first.tolist()):
        raw = {t: raws[t][pos] for t in REGION_TYPES}
        res = n.regions.resolve(raw["province"], raw["city"], raw["district"], raw["address"])
        rows = groups[g]
        flagged = set()
        for where, f in res.findings:
            sink.add(rows, rule=f.rule, field=keys.get(where, where), value=raw.get(where), params=f.params)
            flagged.add(where)
        resolved = {"province": res.province, "city": res.city, "district": res.district}
        for t, value in resolved.items():
            original = raw[t]
            if value is None and any(w == t and f.rule == "region-unknown" for w, f in res.findings):
                value = as_text(original)                   # unknown names are kept as written
            values[t][rows] = value
            if (t in present and not is_blank(original) and t not in flagged and t not in res.partial
                    and value is not None and shown(original) != value):
                sink.fix(rows, keys[t], original, value)
        region[rows] = res.region
    for t in ("province", "city", "district"):
        out[keys[t]] = values[t]
    out["region"] = region
    if "address" in present:
        col = parse_column(records[keys["address"]], parse_text)
        report(col, keys["address"], sink)
        out[keys["address"]] = col.per_row(size)


# --- industry ---

def normalize_industry(out: pd.DataFrame, records: pd.DataFrame, rules: Rules, n: Normalizers, sink: Sink) -> None:
    key = _key_of(rules, "industry")
    if key not in records.columns:
        return
    col = parse_column(records[key], n.industry.parse, empty=Industry(None))
    report(col, key, sink)
    size = len(records)
    out[key] = col.per_row(size)
    out["industry_code"] = col.per_row(size, lambda p: p.code)
    out["industry_section"] = col.per_row(size, lambda p: p.section)


# --- credit code against province and name ---

@lru_cache(maxsize=65536)
def _valid_code(code: str) -> bool:
    return all(f.rule == "uscc-org-checksum" for f in parse_uscc(code).findings) and len(code) == 18


def check_uscc(out: pd.DataFrame, n: Normalizers, sink: Sink) -> None:
    if "uscc" not in out.columns:
        return
    codes = out["uscc"]
    valid = pd.Series([isinstance(c, str) and _valid_code(c) for c in codes], index=codes.index, dtype=bool)
    if not valid.any():
        return
    if "province" in out.columns:
        code_prov = codes.where(valid).str[2:4].map(n.regions.code_province)
        prov = out["province"]
        bad = code_prov.notna() & prov.isin(list(n.regions.province_code)) & (code_prov != prov)
        rows = np.flatnonzero(bad.to_numpy())
        cp, pv = code_prov.to_numpy(dtype=object)[rows], prov.to_numpy(dtype=object)[rows]
        sink.add_each(rows, rule="uscc-region-mismatch", field="uscc", values=codes.to_numpy()[rows],
                      params=[{"code_province": a, "province": b} for a, b in zip(cp, pv)])
    if "name" in out.columns and n.name_forms:
        word_form = {w: f for f in n.name_forms for w in f.words}
        name_codes, names = factorize(out["name"].where(valid))
        form_of = [word_form.get(m.group(0)) if (m := n.name_form_pattern.search(str(nm))) else None for nm in names]
        form_of = [f if f is None or not any(w in str(nm) for w in f.unless) else None for f, nm in zip(form_of, names)]
        rows, params = [], []
        code_arr = codes.to_numpy()
        for r in np.flatnonzero(name_codes >= 0).tolist():
            form = form_of[name_codes[r]]
            if form is not None and not code_arr[r].startswith(form.prefixes):
                rows.append(r)
                params.append({"code_entity": code_entity(code_arr[r], n.entity_kinds) or code_arr[r][:2],
                               "name": names[name_codes[r]]})
        sink.add_each(np.array(rows, dtype=int), rule="uscc-entity-mismatch", field="uscc",
                      values=[code_arr[r] for r in rows], params=params)


# --- dates ---

def check_dates(out: pd.DataFrame, rules: Rules, n: Normalizers, as_of: dt.date, sink: Sink) -> None:
    names = rules.field_names
    for key in n.no_future:
        if key not in out.columns:
            continue
        arr = out[key].to_numpy(dtype=object)
        rows = np.flatnonzero([isinstance(v, dt.date) and v > as_of for v in arr])
        sink.add_each(rows, rule="date-future", field=key, values=arr[rows], params=[{"as_of": as_of}] * len(rows))
    for later, earlier in n.date_order:
        if later not in out.columns or earlier not in out.columns:
            continue
        a, b = out[later].to_numpy(dtype=object), out[earlier].to_numpy(dtype=object)
        rows = np.flatnonzero([isinstance(x, dt.date) and isinstance(y, dt.date) and x < y for x, y in zip(a, b)])
        sink.add_each(rows, rule="date-order", field=later, values=a[rows],
                      params=[{"other": names.get(earlier, earlier), "other_value": b[r]} for r in rows])
