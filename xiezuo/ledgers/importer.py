"""The import pipeline: check the file, find the header, parse and validate
rows in batches, then write everything in one transaction or nothing.

    check_xlsx → open with calamine → per sheet: find the header row →
    map headers to columns (synonyms, remembered mappings, --map) → for each
    row: skip blank / 合计 / template example rows, parse every cell, check the
    natural key, the model's rules → batch: insert new rows (one audit event
    per batch listing the ids), update changed rows (one audit event each).

The same function previews (commit=False: nothing is written) and imports
(commit=True). Errors are collected, never raised one at a time, so the user
sees all of them at once; any error rolls the whole import back.
"""

import hashlib
import itertools
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import python_calamine
from django.db import transaction

from xiezuo.audit.context import acting_as, current_actor

from .bulk import record_batch
from .chunks import ChunkedSheet, sheet_parts
from .columns import clean_text, normalize_header
from .safety import LedgerFileError, check_xlsx, limits

HEADER_SCAN_ROWS = 30
SKIP_SHEETS = {"填写说明", "说明", "代码表", "instructions"}
ALWAYS_IGNORED = {"序号", "行号", "no", "no."}
TOTAL_ROW = re.compile(r"^(合计|小计|总计|累计|本页合计|总合计)[:：]?$")
IGNORE = "-"  # a mapping to this field ignores the column


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str
    value: object
    message: str

    def __str__(self):
        if not self.sheet:
            return self.message
        where = f"工作表“{self.sheet}”"
        if self.row:
            where += f"第{self.row}行"
        if self.column:
            where += f"“{self.column}”列"
        text = clean_text(self.value)
        if len(text) > 50:
            text = text[:50] + "…"
        value = f"（值为“{text}”）" if text else ("（值为空）" if self.row else "")
        return f"{where}{value}：{self.message}"

    def as_dict(self):
        return {"sheet": self.sheet, "row": self.row, "column": self.column,
                "value": clean_text(self.value)[:200], "message": self.message, "text": str(self)}


@dataclass
class Result:
    ledger: str
    mode: str
    committed: bool = False
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    total_rows: int = 0
    errors: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    unknown_headers: list = field(default_factory=list)
    sample_add: list = field(default_factory=list)
    sample_update: list = field(default_factory=list)
    created_ids: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors

    def as_dict(self):
        return {
            "ledger": self.ledger, "mode": self.mode, "committed": self.committed, "added": self.added,
            "updated": self.updated, "unchanged": self.unchanged, "skipped": self.skipped,
            "total_rows": self.total_rows, "errors": [e.as_dict() for e in self.errors],
            "notices": self.notices, "unknown_headers": self.unknown_headers,
            "sample_add": self.sample_add, "sample_update": self.sample_update,
        }


class _Rollback(Exception):
    pass


def file_digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class SheetLayout:
    name: str
    header_row: int  # 1-based, as Excel shows it
    columns: list  # (index, Column, unit, header as written)
    unknown: list  # (index, header as written)
    example: list = field(default_factory=list)  # (index, text) of the template's example row


def _match_columns(spec, cells, mapping):
    """Return (matched columns, unknown headers, duplicates) for one header row."""
    by_name = {}
    for col in spec.columns:
        for name in col.names():
            by_name.setdefault(name, col)
    fields = {c.field: c for c in spec.columns}
    fields.update({c.attname: c for c in spec.columns})
    matched, unknown, used, dupes = [], [], set(), []
    for idx, cell in enumerate(cells):
        written = clean_text(cell)
        if not written:
            continue
        key, unit = normalize_header(written)
        if key.lower() in ALWAYS_IGNORED:
            continue
        target = mapping.get(key)
        if target == IGNORE:
            continue
        col = fields.get(target) if target else by_name.get(key)
        if col is None and key.endswith(("元", "万元")):
            # 金额万元 written without brackets.
            for suffix in ("万元", "元"):
                if key.endswith(suffix) and key[: -len(suffix)] in by_name:
                    col, unit = by_name[key[: -len(suffix)]], suffix
                    break
        if col is None:
            unknown.append((idx, written))
        elif col.field in used:
            dupes.append(written)
        else:
            used.add(col.field)
            # Errors name the column as written, without the required mark.
            matched.append((idx, col, unit, written.lstrip("*※ ")))
    return matched, unknown, dupes


def find_layout(spec, sheet_name, rows, mapping):
    """Pick the header row among the first rows: the one naming most columns."""
    best = None
    for offset, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        matched, unknown, dupes = _match_columns(spec, cells, mapping)
        if best is None or len(matched) > len(best[1]):
            best = (offset, matched, unknown, dupes)
    if best is None or len(best[1]) < min(2, len(spec.columns)):
        return None, []
    offset, matched, unknown, dupes = best
    layout = SheetLayout(sheet_name, offset + 1, matched, unknown)
    layout.example = [(idx, clean_text(col.example)) for idx, col, _, _ in matched if clean_text(col.example)]
    return layout, dupes


def _is_example(cells, layout):
    """Tell whether a row is the template's example row left in place."""
    if not layout.example:
        return False
    width = len(cells)
    return all(idx < width and clean_text(cells[idx]) == text for idx, text in layout.example)


def run_import(spec, ctx, path, *, mode="append", commit=False, mapping=None, filename=None, progress=None,
               sample_size=20):
    """Preview (commit=False) or import (commit=True) one file; return a Result.

    The audit events name `ctx.user` (keeping the request's address when the
    caller already acts as that user)."""
    actor = current_actor()
    user = ctx.user
    if user is not None and actor.user_id != user.pk:
        with acting_as(user, ip=actor.ip):
            return run_import(spec, ctx, path, mode=mode, commit=commit, mapping=mapping, filename=filename,
                              progress=progress, sample_size=sample_size)
    filename = filename or Path(path).name
    result = Result(ledger=spec.name, mode=mode)
    try:
        check_xlsx(path, filename)
    except LedgerFileError as e:
        result.errors.append(Problem("", None, "", "", str(e)))
        return result
    try:
        if commit:
            with transaction.atomic():
                _run(spec, ctx, path, mode, True, mapping or {}, filename, progress, sample_size, result)
                if result.errors:
                    raise _Rollback
                result.committed = True
        else:
            _run(spec, ctx, path, mode, False, mapping or {}, filename, progress, sample_size, result)
    except _Rollback:
        result.committed = False
        result.created_ids = []
    except LedgerFileError as e:
        result.errors.append(Problem("", None, "", "", str(e)))
        result.committed = False
    return result


def _open(path, filename):
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises several error types for broken parts
        raise LedgerFileError(f"文件“{filename}”无法读取：{type(e).__name__}，请在Excel中打开后另存为.xlsx再导入。") from None


def _sheet_sizes(path):
    """Return {sheet name: (part name, uncompressed bytes)}."""
    with zipfile.ZipFile(path) as zf:
        try:
            parts = sheet_parts(zf)
        except (KeyError, ElementTree.ParseError):
            return {}
        sizes = {info.filename: info.file_size for info in zf.infolist()}
    return {name: (part, sizes.get(part, 0)) for name, part in parts.items()}


def _sheet_rows(workbook, path, name, parts, lim, opened):
    """Return (rows from row 1, number of rows) of a sheet; big sheets are
    read in slices (see chunks.py) so memory stays bounded."""
    part, size = parts.get(name, (None, 0))
    if part and size > lim.slice_above_bytes:
        chunked = ChunkedSheet(path, name, lim.slice_bytes, max_columns=lim.max_columns)
        opened.append(chunked)
        rows = chunked.iter_rows()
        first = next(rows, None)  # reads the first slice: the dimension is known after it
        height = chunked.dimension_rows or 0
        if height > lim.max_rows:
            raise LedgerFileError(f"工作表“{name}”有{height}行，超过上限{lim.max_rows}行，请拆分后导入。")
        return itertools.chain([first] if first is not None else [], rows), height
    sheet = workbook.get_sheet_by_name(name)
    height = sheet.end[0] + 1 if sheet.end else 0
    if height > lim.max_rows:
        raise LedgerFileError(f"工作表“{name}”有{height}行，超过上限{lim.max_rows}行，请拆分后导入。")
    if sheet.width > lim.max_columns:
        raise LedgerFileError(f"工作表“{name}”有{sheet.width}列，超过上限{lim.max_columns}列。")
    return sheet.iter_rows(), height


def _run(spec, ctx, path, mode, commit, mapping, filename, progress, sample_size, result):
    lim = limits()
    workbook = _open(path, filename)
    spec.prepare(ctx)
    digest = file_digest(path) if commit else ""
    attnames_all = [c.attname for c in spec.columns]
    existing = spec.existing(ctx, attnames_all if mode == "update" else ())
    seen = {}
    inserter = spec.inserter(ctx) if commit else None
    parts = _sheet_sizes(path)
    opened = []
    state = {"pending": [], "pending_rows": [], "done": 0}
    sheets = [m for m in workbook.sheets_metadata
              if str(m.visible).endswith("Visible") and m.name.strip() not in SKIP_SHEETS]
    layouts = 0
    try:
        for meta in sheets:
            rows, height = _sheet_rows(workbook, path, meta.name, parts, lim, opened)
            head = []
            for cells in rows:
                head.append(cells)
                if len(head) >= HEADER_SCAN_ROWS:
                    break
            layout, dupes = find_layout(spec, meta.name, head, mapping)
            if layout is None:
                if any(any(clean_text(c) for c in r) for r in head):
                    result.notices.append(f"工作表“{meta.name}”中未找到{spec.title}的表头，已跳过。")
                continue
            layouts += 1
            for d in dupes:
                result.notices.append(f"工作表“{meta.name}”的“{d}”列与另一列对应同一字段，已忽略。")
            for idx, written in layout.unknown:
                result.unknown_headers.append(written)
            present = {col.field for _, col, _, _ in layout.columns}
            missing = [c for c in spec.columns if c.required and c.field not in present]
            for col in missing:
                names = "、".join(dict.fromkeys([col.header, *col.synonyms]))
                result.errors.append(Problem(meta.name, None, "", "",
                                             f"缺少必填列“{col.header}”（可用的表头：{names}）"))
            if missing:
                continue
            if mode == "update" and not all(k in {c.attname for _, c, _, _ in layout.columns} for k in spec.key):
                names = "、".join(c.header for c in spec.key_columns())
                result.errors.append(Problem(meta.name, None, "", "",
                                             f"按关键字更新需要以下列：{names}"))
                continue
            body_offset = layout.header_row  # rows of `head` after the header
            total = height - body_offset
            result.total_rows += max(total, 0)
            rownum = layout.header_row
            pending_head = head[body_offset:]
            del head

            def body():
                yield from pending_head
                yield from rows

            for cells in body():
                rownum += 1
                if rownum > lim.max_rows:
                    raise LedgerFileError(f"工作表“{meta.name}”超过{lim.max_rows}行的上限，请拆分后导入。")
                _row(spec, ctx, mode, commit, layout, cells, rownum, lim, existing, seen, result, state,
                     sample_size)
                if len(state["pending"]) >= spec.batch_size:
                    _flush(spec, ctx, commit, inserter, state, result, filename, digest)
                state["done"] += 1
                if progress and state["done"] % 2000 == 0:
                    progress(state["done"], result.total_rows)
        _flush(spec, ctx, commit, inserter, state, result, filename, digest)
    finally:
        workbook.close()
        for chunked in opened:
            chunked.close()
    if layouts == 0 and not result.errors:
        columns = "、".join(c.header for c in spec.columns if c.required)
        result.errors.append(Problem("", None, "", "",
                                     f"文件中没有找到{spec.title}的表头行（应包含：{columns}），请使用模板中的表头。"))
    if progress:
        progress(state["done"], result.total_rows)


def _row(spec, ctx, mode, commit, layout, cells, rownum, lim, existing, seen, result, state, sample_size):
    width = len(cells)
    texts = [cells[idx] if idx < width else "" for idx, _, _, _ in layout.columns]
    if all(v == "" or v is None or (isinstance(v, str) and not v.strip()) for v in texts):
        return
    for v in cells[:4]:
        if isinstance(v, str) and TOTAL_ROW.match(re.sub(r"\s+", "", v)):
            return
    if _is_example(cells, layout):
        result.notices.append(f"工作表“{layout.name}”第{rownum}行是模板示例行，已跳过。")
        return
    values, problems = {}, []
    for (idx, col, unit, written), raw in zip(layout.columns, texts):
        if raw == "" or raw is None or (isinstance(raw, str) and not raw.strip()):
            if col.required:
                problems.append(Problem(layout.name, rownum, written, "", "必填，不能为空"))
            values[col.attname] = col.empty()
            continue
        if isinstance(raw, str) and len(raw) > lim.max_cell_chars:
            problems.append(Problem(layout.name, rownum, written, raw[:20],
                                    f"单元格内容过长：{len(raw)}个字，上限{lim.max_cell_chars}个字"))
            continue
        try:
            values[col.attname] = col.parse(raw, unit)
        except ValueError as e:
            problems.append(Problem(layout.name, rownum, written, raw, str(e)))
    if problems:
        result.errors.extend(problems)
        return
    key = spec.key_of(values)
    headers = {col.attname: written for _, col, _, written in layout.columns}
    if key in seen:
        names = "、".join(headers.get(k, k) for k in spec.key)
        shown = "、".join(clean_text(spec.column(k).export(v)) for k, v in zip(spec.key, key))
        result.errors.append(Problem(layout.name, rownum, names, shown,
                                     f"与第{seen[key]}行重复（{names}相同）"))
        return
    seen[key] = rownum
    current = existing.get(key)
    if current is not None and mode == "append":
        result.skipped += 1
        return
    changes = values
    if current is not None:
        changes = {k: v for k, v in values.items() if current.get(k) != v}
        if not changes:
            result.unchanged += 1
            return
    for attname, message in spec.check(values, ctx, current).items():
        column = headers.get(attname) or headers.get(attname + "_id") or spec.verbose(attname)
        result.errors.append(Problem(layout.name, rownum, column, values.get(attname, ""), message))
        problems.append(attname)
    if problems:
        return
    if current is None:
        result.added += 1
        if len(result.sample_add) < sample_size:
            result.sample_add.append({"row": rownum, "cells": [clean_text(t) for t in texts]})
        state["pending"].append(values)
        state["pending_rows"].append(rownum)
    else:
        result.updated += 1
        if len(result.sample_update) < sample_size:
            result.sample_update.append({
                "row": rownum, "key": "、".join(clean_text(spec.column(k).export(v)) for k, v in zip(spec.key, key)),
                "changes": [[headers.get(k, k), clean_text(spec.column(k).export(current.get(k))),
                             clean_text(spec.column(k).export(v))] for k, v in changes.items()]})
        if commit and not result.errors:
            spec.update(ctx, current["pk"], changes)


def _flush(spec, ctx, commit, inserter, state, result, filename, digest):
    pending, rows = state["pending"], state["pending_rows"]
    if commit and pending and not result.errors:
        ids = spec.insert(ctx, inserter, pending)
        record_batch(spec.model, ids, pairing_id=ctx.pairing.pk, ledger=spec.title, filename=filename,
                     digest=digest, first_row=rows[0], last_row=rows[-1])
        result.created_ids.extend(ids)
    state["pending"], state["pending_rows"] = [], []
