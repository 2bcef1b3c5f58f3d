"""The import pipeline: check the file, find the header, parse and validate
rows in batches, then write everything in one transaction or nothing.

    an .xls/.et/.ods written out as .xlsx in a bounded child (legacy.py) →
    check_xlsx → open with calamine → per chosen sheet: find the header row
    (and a unit line above it, a units row under it) → map headers to
    columns (synonyms, remembered mappings, --map) → for each row: skip
    hidden, blank / 合计 / template example rows, fill merged cells down,
    parse every cell, check the natural key, the model's rules → batch:
    insert new rows (one audit event per batch listing the ids), update
    changed rows (one audit event each).

The same function previews (commit=False: nothing is written) and imports
(commit=True). Errors are collected, never raised one at a time, so the user
sees all of them at once; any error rolls the whole import back.
"""

import contextlib
import gc
import hashlib
import itertools
import re
import zipfile
from array import array
from dataclasses import dataclass, field
from itertools import compress, repeat, zip_longest
from operator import eq, is_
from pathlib import Path
from xml.etree import ElementTree

import python_calamine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction

from xiezuo.audit.context import acting_as, current_actor

from .bulk import DeferredIndexes, record_batch
from .chunks import ChunkedSheet, part_blocks, sheet_parts
from lib.money import UNITS

from .columns import Amount, clean_text, normalize_header, unit_word
from .legacy import as_xlsx
from .safety import LedgerFileError, check_xlsx, column_name, limits, scan_sheet
from .spec import FALLBACK

HEADER_SCAN_ROWS = 30
CHUNK_ROWS = 2000  # rows read, parsed and checked together
SKIP_SHEETS = {"填写说明", "说明", "代码表", "instructions"}
ALWAYS_IGNORED = {"序号", "行号", "no", "no."}
TOTAL_ROW = re.compile(r"^(合计|小计|总计|累计|本页合计|总合计)[:：]?$")
IGNORE = "-"  # a mapping to this field ignores the column
# A line above the header giving the unit of the sheet's amounts: 金额单位：万元,
# 单位：万元, （单位：万元）, often in a merged title cell. Not 填报单位：….
UNIT_LINE = re.compile(r"(?:^|[(（\[【\s，,；;：:])(?:金额)?单位\s*[:：]\s*(亿元|万元|元)(?=$|[)）\]】\s，,；;。])")
LISTED_ROWS = 20  # hidden rows named in a notice


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
    # The first rows to add, as the preview shows them: {"sheet", "row",
    # "cells"}, each cell its text and the value it will be stored as
    # (`Column.preview`); the headers of each sheet they come from are in
    # `sample_headers` ({"sheet", "headers"}).
    sample_add: list = field(default_factory=list)
    sample_headers: list = field(default_factory=list)
    sample_update: list = field(default_factory=list)
    sheets: list = field(default_factory=list)  # every sheet found: name, header row, rows, chosen or why not
    created_ids: list = field(default_factory=list)
    refused: bool = False  # the file as a whole was refused: no mapping or mode can import it
    # A digest of the stored rows the file met (their ids, and in update mode
    # their values and versions): the state of the ledger the result was
    # worked out against. A confirm must meet the same state as its preview.
    basis: str = ""

    @property
    def ok(self):
        return not self.errors

    def as_dict(self):
        return {
            "ledger": self.ledger, "mode": self.mode, "committed": self.committed, "added": self.added,
            "updated": self.updated, "unchanged": self.unchanged, "skipped": self.skipped,
            "total_rows": self.total_rows, "errors": [e.as_dict() for e in self.errors],
            "notices": self.notices, "unknown_headers": self.unknown_headers, "sample_headers": self.sample_headers,
            "sample_add": self.sample_add, "sample_update": self.sample_update, "refused": self.refused,
            "basis": self.basis, "sheets": self.sheets,
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
    data_row: int = 0  # the first row of data: after the header, or after its units row
    notes: list = field(default_factory=list)  # notices: units applied or contradicted

    def __post_init__(self):
        self.data_row = self.data_row or self.header_row + 1


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


def find_layout(spec, sheet_name, rows, mapping, hidden_columns=()):
    """Pick the header row among the first rows: the one naming most columns.

    Hidden columns (indexes into the rows) take no part: they are neither
    matched nor unknown. Hidden rows are to be blanked by the caller."""
    rows = rows[:HEADER_SCAN_ROWS]
    if hidden_columns:
        rows = [[("" if i in hidden_columns else c) for i, c in enumerate(cells)] for cells in rows]
    best = None
    for offset, cells in enumerate(rows):
        matched, unknown, dupes = _match_columns(spec, cells, mapping)
        if best is None or len(matched) > len(best[1]):
            best = (offset, matched, unknown, dupes)
    if best is None or len(best[1]) < min(2, len(spec.columns)):
        return None, []
    offset, matched, unknown, dupes = best
    layout = SheetLayout(sheet_name, offset + 1, matched, unknown)
    _units(layout, rows, offset)
    example = [(idx, clean_text(col.example)) for idx, col, _, _ in matched if clean_text(col.example)]
    # Only an example marked as such (示例) can be mistaken for nothing real;
    # the longest text first tells a real row apart at once.
    if any("示例" in text for _, text in example):
        layout.example = sorted(example, key=lambda pair: -len(pair[1]))
    return layout, dupes


def _units(layout, rows, offset):
    """Give the columns without a unit of their own the unit the sheet states.

    A units row right under the header (万元, 元, 人, 吨 under the columns
    they apply to, nothing else in it) gives each column its unit and is no
    data. A line above the header (金额单位：万元) gives its unit to every
    amount column left without one — not to a unit price (单价), which is
    per piece: offices put 单位：万元 over sales whose prices are in yuan. A
    unit in the header itself (金额（元）) wins over both, a units row over
    the line; a contradiction is told in a notice."""
    line = None
    for cells in reversed(rows[:offset]):  # the line nearest the header
        for cell in cells:
            if cell.__class__ is str and "单位" in cell:
                m = UNIT_LINE.search(cell.strip())
                if m:
                    line = m.group(1)
                    break
        if line:
            break
    below = rows[offset + 1] if offset + 1 < len(rows) else []
    units = {i: unit_word(c) for i, c in enumerate(below) if clean_text(c)}
    if not (units and all(units.values())):
        units = {}
    else:
        layout.data_row += 1
        layout.notes.append(f"工作表“{layout.name}”第{offset + 2}行是表头下的单位行，按各列单位计，不作为数据导入。")
    columns, applied = [], []
    for idx, col, unit, written in layout.columns:
        from_row = units.get(idx)
        from_line = line if isinstance(col, Amount) and "单价" not in col.header else None
        if unit is None:
            unit = from_row or from_line
            if unit is not None and from_row is None:
                applied.append(written)
        else:
            for other, where in ((from_row, "单位行"), (from_line, "表头上方")):
                if other in UNITS and unit in UNITS and UNITS[other] != UNITS[unit]:
                    layout.notes.append(f"工作表“{layout.name}”“{written}”列的表头注明单位为{unit}，与{where}的"
                                        f"{other}不同，按表头的{unit}计。")
                    break
        columns.append((idx, col, unit, written))
    layout.columns = columns
    if applied:
        names = "、".join(f"“{w}”" for w in applied)
        layout.notes.append(f"工作表“{layout.name}”表头上方注明金额单位为{line}：{names}列的数字按{line}计。")


def _is_total(cells):
    """Tell whether a row is a 合计/小计 row (its label in one of the first
    four cells): skipped without a word."""
    for v in cells[:4]:
        if v.__class__ is str and "计" in v and TOTAL_ROW.match(re.sub(r"\s+", "", v)):
            return True
    return False


def _texts(col, types):
    """The text cells of a column of a chunk (`types`: its cells' types), in C."""
    return col if len(types) == 1 else compress(col, map(is_, map(type, col), repeat(str)))


def _blank(value):
    """Tell whether a cell is blank as the row path sees it: empty, or spaces only."""
    return value == "" or (value.__class__ is str and value.isspace())


def _is_example(cells, layout):
    """Tell whether a row is the template's example row left in place."""
    width = len(cells)
    idx, text = layout.example[0]
    raw = cells[idx] if idx < width else ""
    if raw.__class__ is str and raw.strip() != text:
        return False
    return all(idx < width and clean_text(cells[idx]) == text for idx, text in layout.example)


@contextlib.contextmanager
def _no_cycle_collection():
    """Pause the cyclic garbage collector for one import.

    An import allocates millions of short-lived lists and tuples (rows,
    columns, keys) while holding large structures (keys seen, lookups): the
    collector would run every 700 allocations and now and then walk all of
    it — about 5% of a million-row import, for no garbage, since the import
    makes no reference cycles worth collecting. Reference counting still
    frees everything as usual, and the collector resumes afterwards (it is
    process-wide: an import running beside this one only switches it back on
    when it was on before either started)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _batch_converter(col, unit):
    """Return the column's batch converter, unless a subclass changed how
    cells are parsed (`fast`) without giving its own batch converter."""
    def owner(name):
        return next(k for k in type(col).__mro__ if name in vars(k))

    return col.batch(unit) if owner("fast") is owner("batch") else None


def run_import(spec, ctx, path, *, mode="append", commit=False, mapping=None, filename=None, progress=None,
               sample_size=20, expect_basis=None, sheets=None):
    """Preview (commit=False) or import (commit=True) one file; return a Result.

    Both run inside one transaction; a preview, or an import with any error,
    rolls it back, so nothing is ever half-written.
    `expect_basis` is the preview's `Result.basis`: an import confirming a
    preview is refused, whole, when a row the preview compared or skipped has
    been changed, added or removed by someone else since (a form's edit
    between the preview and the confirm would otherwise be overwritten by a
    change the person confirming never saw).
    `sheets`: the names of the sheets to import (None: every visible sheet
    whose header is found); the others are listed in `Result.sheets` only.
    The audit events name `ctx.user` (keeping the request's address when the
    caller already acts as that user)."""
    actor = current_actor()
    user = ctx.user
    if user is not None and actor.user_id != user.pk:
        with acting_as(user, ip=actor.ip):
            return run_import(spec, ctx, path, mode=mode, commit=commit, mapping=mapping, filename=filename,
                              progress=progress, sample_size=sample_size, expect_basis=expect_basis,
                              sheets=sheets)
    filename = filename or Path(path).name
    result = Result(ledger=spec.name, mode=mode)
    try:
        # An .xls/.et/.ods is written out as an .xlsx first (in a bounded
        # child process, before any lock is taken), which then takes every
        # check an uploaded .xlsx takes.
        with as_xlsx(path, filename) as readable:
            check_xlsx(readable, filename)
            # A preview runs the very same writes and rolls them back: what it
            # shows (rows added and updated, the model's and the ledgers' own
            # rules, such as funds allocated above receipts) is exactly what
            # confirming does.
            try:
                with transaction.atomic(), _no_cycle_collection():
                    lock_ledger(spec, ctx)
                    _run(spec, ctx, readable, mode, True, mapping or {}, filename, progress, sample_size, result,
                         source=path, chosen=None if sheets is None else set(sheets))
                    if commit and expect_basis is not None and result.basis != expect_basis and not result.errors:
                        result.errors.append(Problem("", None, "", "", STALE_PREVIEW_MESSAGE))
                    if result.errors or not commit:
                        raise _Rollback
                    result.committed = True
            except _Rollback:
                result.committed = False
                result.created_ids = []
            except IntegrityError:
                # The database's unique natural keys caught a row the checks
                # above let through (they read under the ledger lock, so only
                # a writer outside the importer can cause this): nothing was
                # written.
                result.errors.append(Problem("", None, "", "", DUPLICATE_MESSAGE))
                result.committed = False
    except LedgerFileError as e:
        result.errors.append(Problem("", None, "", "", str(e)))
        result.committed = False
        result.created_ids = []
        result.refused = True
    return result


STALE_PREVIEW_MESSAGE = ("自预览以来，本台账中与文件对应的记录已被他人修改、新增或删除，预览的结果已不再准确；"
                         "未写入任何记录，请重新预览后再确认。")
DUPLICATE_MESSAGE = "导入的记录与已有记录重复（关键字相同），可能有人同时导入了同一文件；未写入任何记录，请重新上传预览。"


def ledger_lock_id(spec, ctx):
    """Return the 64-bit signed number naming the lock of one pairing's ledger."""
    digest = hashlib.sha256(f"xiezuo-ledger:{spec.name}:{ctx.pairing.pk}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_ledger(spec, ctx):
    """Hold one pairing's ledger for the rest of the import's transaction.

    Two imports of one file at the same moment would both read the stored
    keys before either wrote, both find every row new, and store each row
    twice. The lock makes the second wait until the first commits, so its
    read of the stored keys (after this call) sees the first one's rows.
    On PostgreSQL that is a transaction-level advisory lock, released by
    the commit or rollback. On SQLite the transaction is IMMEDIATE
    (settings): BEGIN already took the database's write lock, so the keys
    are read by the only writer and there is nothing more to take.
    """
    connection = connections[router.db_for_write(spec.model)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ledger_lock_id(spec, ctx)])


def _open(path, filename):
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as e:  # noqa: BLE001  calamine raises several error types for broken parts
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


class _Workbook:
    """calamine's workbook of the upload, for the sheets read whole.

    calamine holds every shared string while a workbook is open. A sheet read
    in slices has the slice workbook hold them, so this one is closed first
    (and opened again if a later sheet is read whole): the strings are never
    held twice."""

    def __init__(self, path, filename, book):
        self.path, self.filename, self.book = path, filename, book

    def sheet(self, name):
        if self.book is None:
            self.book = _open(self.path, self.filename)
        return self.book.get_sheet_by_name(name)

    def close(self):
        if self.book is not None:
            self.book.close()
            self.book = None


@dataclass
class _Sheet:
    """A sheet's rows and what the scan found beside them."""

    rows: object  # iterator of rows from row 1, each a list from the first used column
    height: int  # rows, as far as known
    scan: object  # safety.SheetScan: hidden rows and columns, merged ranges
    first_column: int  # 0-based column of each row's first cell
    sliced: bool  # read in slices of a big sheet: merged ranges known only after the rows


def _sheet_rows(workbook, path, name, parts, lim, opened):
    """Return a _Sheet.

    calamine is handed nothing whose references have not been checked: a
    small sheet is scanned as a stream first (`safety.scan_sheet`) and read
    whole only when its dense range is within `max_cells`; big sheets, and
    small sparse ones, are read in slices (see chunks.py), each checked and
    cut to fit before calamine reads it."""
    part, size = parts.get(name, (None, 0))
    if part is None:
        raise LedgerFileError(f"工作表“{name}”在文件中找不到对应的数据，文件可能已损坏，请在Excel中打开后另存为.xlsx再导入。")
    scan = None
    if size <= lim.slice_above_bytes:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo(part)
        scan = scan_sheet(part_blocks(path, info, name), name, lim)
        if scan.cells <= lim.max_cells:
            sheet = workbook.sheet(name)
            height = sheet.end[0] + 1 if sheet.end else 0
            if height > lim.max_rows:
                raise LedgerFileError(f"工作表“{name}”有{height}行，超过上限{lim.max_rows}行，请拆分后导入。")
            if sheet.width > lim.max_columns:
                raise LedgerFileError(f"工作表“{name}”有{sheet.width}列，超过上限{lim.max_columns}列。")
            return _Sheet(sheet.iter_rows(), height, scan, sheet.start[1] if sheet.start else 0, False)
    workbook.close()
    chunked = ChunkedSheet(path, name, lim.slice_bytes, max_columns=lim.max_columns, lim=lim)
    opened.append(chunked)
    rows = chunked.iter_rows()
    first = next(rows, None)  # reads the first slice: the dimension is known after it
    height = chunked.dimension_rows or 0
    if height > lim.max_rows:
        raise LedgerFileError(f"工作表“{name}”有{height}行，超过上限{lim.max_rows}行，请拆分后导入。")
    # A small sparse sheet was scanned whole above: its merged ranges are known.
    return _Sheet(itertools.chain([first] if first is not None else [], rows), height, scan or chunked.scan,
                  chunked.start[1] if chunked.start else 0, scan is None)


class _Body:
    """What the sheet's XML says beside its cells, applied to the rows of
    data a chunk at a time before they are parsed: hidden rows are left
    out, and merged ranges inside the data filled.

    calamine gives a merged range's value in its top-left cell only. A range
    starting at or below the first data row over one imported column (a
    buyer merged down A3:A7, or across that column and columns not
    imported) puts that value in each of its cells of the column. One across
    two or more imported columns is refused, naming the range: which column
    the value belongs to cannot be told. Ranges above the data (titles, the
    header) are left as they are. A chunk without a hidden row or a range
    (every chunk of most files) is passed on untouched."""

    def __init__(self, layout, sheet, result):
        self.layout, self.scan, self.result = layout, sheet.scan, result
        self.first_column, self.sliced = sheet.first_column, sheet.sliced
        self.hidden, self.hidden_count = [], 0
        self.errors_before = len(result.errors)  # where this sheet's errors begin
        self.fills, self.active, self.next = [] if sheet.sliced else self._plan(), [], 0

    def _plan(self):
        """Return [first row, last row, target index, source index, refusal, value, range] per range to fill."""
        layout, col0 = self.layout, self.first_column
        imported = {idx: written for idx, col, _, written in layout.columns if not col.readonly}
        fills = []
        for r1, c1, r2, c2 in sorted(self.scan.merges):
            if r1 < layout.data_row:
                continue
            covered = [idx for idx in sorted(imported) if c1 <= idx + col0 + 1 <= c2]
            source = c1 - 1 - col0
            if not covered or (r1 == r2 and covered == [source]):
                continue
            ref = f"{column_name(c1)}{r1}:{column_name(c2)}{r2}"
            refusal = None
            if len(covered) > 1:
                names = [imported[idx] for idx in covered]
                shown = "、".join(f"“{n}”" for n in names)
                refusal = ("、".join(names), f"合并单元格{ref}横跨{shown}等多列，无法确定数值属于哪一列，请取消合并后分别填写再导入")
            fills.append([r1, r2, covered[0], source, refusal, None, ref])
        return fills

    def parts(self, chunk, first):
        """Return [(rows, number of the first)] of the chunk to parse."""
        last = first + len(chunk) - 1
        if self.next < len(self.fills) or self.active:
            self._fill(chunk, first, last)
        hidden = self.scan.hidden_between(first, last)
        if not hidden:
            return [(chunk, first)]
        out, start = [], first
        for row in hidden:
            cells = chunk[row - first]
            if any(c != "" and (c.__class__ is not str or c.strip()) for c in cells):
                self.hidden_count += 1
                if len(self.hidden) < LISTED_ROWS:
                    self.hidden.append(row)
            if row > start:
                out.append((chunk[start - first:row - first], start))
            start = row + 1
        if start <= last:
            out.append((chunk[start - first:], start))
        return out

    def _fill(self, chunk, first, last):
        fills = self.fills
        while self.next < len(fills) and fills[self.next][0] <= last:
            self.active.append(fills[self.next])
            self.next += 1
        keep = []
        for fill in self.active:
            r1, r2, target, source, refusal, value, _ = fill
            if first <= r1 <= last:
                top = chunk[r1 - first]
                value = fill[5] = top[source] if 0 <= source < len(top) else ""
                if refusal is not None:
                    self.result.errors.append(Problem(self.layout.name, r1, refusal[0], value, refusal[1]))
                    chunk[r1 - first] = []  # the row is refused as a whole: nothing more said of it
                    continue
            if refusal is None:
                for row in range(max(r1, first), min(r2, last) + 1):
                    cells = chunk[row - first]
                    if target >= len(cells) or cells[target] != value:
                        cells = list(cells)  # rows may share one list (blank rows of a slice)
                        cells.extend([""] * (target + 1 - len(cells)))
                        cells[target] = value
                        chunk[row - first] = cells
            if r2 > last:
                keep.append(fill)
        self.active = keep

    def finish(self):
        """Tell what was left out; refuse merged data of a sheet read in
        slices, whose ranges came only after its rows."""
        name = self.layout.name
        if self.hidden:
            rows = "、".join(map(str, self.hidden))
            more = f"等{self.hidden_count}行" if self.hidden_count > len(self.hidden) else ""
            self.result.notices.append(f"工作表“{name}”第{rows}行{more}为隐藏行，已忽略。")
        if self.sliced:
            # Said before the sheet's other errors, which the empty cells
            # of the ranges caused.
            headers = {idx: written for idx, _, _, written in self.layout.columns}
            for r1, _, target, *_, ref in reversed(self._plan()[:LISTED_ROWS]):
                self.result.errors.insert(self.errors_before, Problem(
                    name, None, headers[target], "", f"第{r1}行起的合并单元格{ref}位于数据区，而工作表较大、按分段读取，"
                    "无法把合并的内容填入每一行，请取消合并并在每一行填写后再导入"))


def _run(spec, ctx, path, mode, commit, mapping, filename, progress, sample_size, result, source=None,
         chosen=None):
    lim = limits()
    workbook = _open(path, filename)
    ctx.extra["mode"] = mode  # a spec's rules may depend on it (training: who decides a class's columns)
    spec.prepare(ctx)
    digest = file_digest(source or path) if commit else ""
    attnames_all = [c.attname for c in spec.columns if c.stored]
    existing = spec.existing(ctx, attnames_all if mode == "update" else None)
    seen = _Seen()
    inserter = spec.inserter(ctx) if commit else None
    parts = _sheet_sizes(path)
    opened = []
    state = {"pending": [], "pending_rows": [], "pending_cols": [], "queued": 0, "done": 0, "touched": set(),
             "basis": hashlib.sha256(),
             "deferred": DeferredIndexes(spec.model) if commit and spec.defer_indexes else None,
             "repeats": {}}  # hash of a fallback key's values → how many rows of the file had them
    ctx.extra["filename"], ctx.extra["digest"] = filename, digest
    sheets = []
    for m in workbook.sheets_metadata:
        if m.name.strip() in SKIP_SHEETS:
            continue  # the template's 填写说明 and hidden 代码表
        if str(m.visible).endswith(".Visible"):
            sheets.append(m)
        else:
            result.sheets.append({"name": m.name, "hidden": True})
            result.notices.append(f"工作表“{m.name}”是隐藏的工作表，已跳过。")
    workbook = _Workbook(path, filename, workbook)
    layouts = 0
    spec.begin(ctx)
    try:
        for meta in sheets:
            sheet = _sheet_rows(workbook, path, meta.name, parts, lim, opened)
            rows, scan, col0 = sheet.rows, sheet.scan, sheet.first_column
            head = []
            for cells in rows:
                head.append(cells)
                if len(head) >= HEADER_SCAN_ROWS:
                    break
            # Hidden rows and columns take no part in finding the header.
            hidden_head = set(scan.hidden_between(1, len(head))) if head else set()
            hidden_columns = {c - 1 - col0 for c in scan.hidden_columns if c - 1 - col0 >= 0}
            view = [[] if n in hidden_head else cells for n, cells in enumerate(head, start=1)]
            layout, dupes = find_layout(spec, meta.name, view, mapping, hidden_columns)
            entry = {"name": meta.name, "header_row": None, "rows": 0, "chosen": False}
            result.sheets.append(entry)
            if layout is None:
                if any(any(clean_text(c) for c in r) for r in head):
                    result.notices.append(f"工作表“{meta.name}”中未找到{spec.title}的表头，已跳过。")
                continue
            entry.update(header_row=layout.header_row, rows=max(sheet.height - layout.data_row + 1, 0),
                         columns=[written for _, _, _, written in layout.columns])
            if chosen is not None and meta.name not in chosen:
                result.notices.append(f"工作表“{meta.name}”未选择，未导入。")
                continue
            entry["chosen"] = True
            layouts += 1
            result.notices.extend(layout.notes)
            header = head[layout.header_row - 1]
            names = [clean_text(header[i]) for i in sorted(hidden_columns) if i < len(header) and clean_text(header[i])]
            if names:
                shown = "、".join(f"“{n}”" for n in names)
                result.notices.append(f"工作表“{meta.name}”的隐藏列{shown}已忽略。")
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
            if mode == "update" and not _can_update(spec, {c.attname for _, c, _, _ in layout.columns}):
                names = "、".join(c.header for c in spec.key_columns())
                result.errors.append(Problem(meta.name, None, "", "",
                                             f"按关键字更新需要以下列：{names}"))
                continue
            body_offset = layout.data_row - 1  # rows of `head` before the data
            total = sheet.height - body_offset
            result.total_rows += max(total, 0)
            rownum = body_offset
            body = itertools.chain(head[body_offset:], rows)
            del head, view
            handle = _SheetRows(spec, ctx, mode, commit, layout, lim, existing, seen, result, state,
                                sample_size).handle_chunk
            extras = _Body(layout, sheet, result)
            while chunk := list(itertools.islice(body, CHUNK_ROWS)):
                first = rownum + 1
                rownum += len(chunk)
                if rownum > lim.max_rows:
                    raise LedgerFileError(f"工作表“{meta.name}”超过{lim.max_rows}行的上限，请拆分后导入。")
                for part, start in extras.parts(chunk, first):
                    handle(part, start)
                if state["queued"] >= spec.batch_size:
                    _flush(spec, ctx, commit, inserter, state, result, filename, digest)
                state["done"] += len(chunk)
                if progress:
                    progress(state["done"], result.total_rows)
            extras.finish()
        _flush(spec, ctx, commit, inserter, state, result, filename, digest)
        result.basis = state["basis"].hexdigest()
        if state["deferred"] is not None and not result.errors:
            state["deferred"].restore()
        if not result.errors:
            for message in spec.finish(ctx, state["touched"]) or ():
                result.notices.append(message)
    except ValidationError as e:
        for messages in e.message_dict.values() if hasattr(e, "error_dict") else [e.messages]:
            for message in messages:
                result.errors.append(Problem("", None, "", "", message))
    finally:
        spec.end(ctx)
        workbook.close()
        for chunked in opened:
            chunked.close()
    if layouts == 0 and not result.errors and chosen is not None and any(s.get("header_row") for s in result.sheets):
        result.errors.append(Problem("", None, "", "", "没有选择要导入的工作表，请至少勾选一个工作表。"))
    if layouts == 0 and not result.errors:
        columns = "、".join(c.header for c in spec.columns if c.required)
        result.errors.append(Problem("", None, "", "",
                                     f"文件中没有找到{spec.title}的表头行（应包含：{columns}），请使用模板中的表头。"))
    if progress:
        progress(state["done"], result.total_rows)


def _can_update(spec, present):
    """Tell whether a sheet with the columns `present` (attnames) can find
    its rows among the stored ones: it has the natural key's columns, or,
    without the key's optional column, the fallback key's columns (every row
    is then known by the fallback key)."""
    fb = spec.fallback
    if fb is not None and fb.when not in present:
        return all(k in present for k in fb.key)
    return all(k in present for k in spec.key)


class _Seen:
    """The natural keys of the rows read so far, as their hashes, and the row
    each was first read on.

    A million-row import holds a million of them: the hashes are kept in a
    set, and the rows of a chunk taken as columns only as an array of its
    hashes beside its row numbers, looked through only to name the first row
    of a duplicate (which the row path then words). A dictionary of hashes
    to rows held another 40 MB."""

    def __init__(self):
        self.hashes = set()
        self.rows = {}  # hash → row, for rows taken one by one
        self.chunks = []  # (array of a chunk's hashes, its row numbers)

    def __contains__(self, digest):
        return digest in self.hashes

    def isdisjoint(self, hashes):
        return self.hashes.isdisjoint(hashes)

    def add(self, digest, rownum):
        self.hashes.add(digest)
        self.rows[digest] = rownum

    def add_chunk(self, hashes, numbers):
        self.hashes.update(hashes)
        self.chunks.append((array("q", hashes), numbers))

    def first_row(self, digest):
        if digest in self.rows:
            return self.rows[digest]
        for hashes, numbers in self.chunks:
            if digest in hashes:
                return numbers[hashes.index(digest)]
        return None


class _SheetRows:
    """Turn the rows of one sheet into values, with everything per-sheet
    worked out once: the hot loop of a million-row import."""

    def __init__(self, spec, ctx, mode, commit, layout, lim, existing, seen, result, state, sample_size):
        self.spec, self.ctx, self.mode, self.commit = spec, ctx, mode, commit
        self.layout, self.existing, self.seen, self.result, self.state = layout, existing, seen, result, state
        self.sample_size = sample_size
        self.max_chars = lim.max_cell_chars
        self.parsers = [(idx, col.attname, col.fast(unit), col.required, col.empty(), written, col.shown)
                        for idx, col, unit, written in layout.columns if not col.readonly]
        # The preview's columns: readonly ones are never parsed, so they show their text only.
        self.shown_columns = [(idx, col, None if col.readonly else col.attname) for idx, col, _, _ in layout.columns]
        self.headers = {col.attname: written for _, col, _, written in layout.columns}
        self.key = spec.key
        # An optional column of the natural key (凭证号) may be left out of
        # the sheet altogether: its rows' keys then have the column's empty
        # value, as if every cell were blank, instead of no value at all
        # (KeyError). The rows themselves do not get it: in update mode an
        # absent column leaves the stored value as it is.
        present = {col.attname for _, col, _, _ in layout.columns}
        self.absent_key = {k: spec.column(k).empty() for k in spec.key if k not in present}
        self.fallback = spec.fallback
        self.repeats = state["repeats"]
        self.complete_key = spec.complete_key
        # Columns read and checked but not stored (see Column.source).
        self.unstored = [col.attname for _, col, _, _ in layout.columns if not col.stored]
        self.check = spec.checker(ctx)
        self.resolve = spec.resolver(ctx)
        self.track = spec.track
        self.batch_check = spec.batch_checker(ctx) if self.resolve is None else None
        self.converters = []
        if self.batch_check is not None:
            for idx, col, unit, _ in layout.columns:
                convert = None if col.readonly else _batch_converter(col, unit)
                if col.readonly:
                    continue
                if convert is None:
                    self.batch_check = None
                    break
                self.converters.append((idx, col.attname, convert, col.required, col.empty()))
            if not any(required for *_, required, _ in self.converters):
                self.batch_check = None  # a blank row must be told apart from a real one

    def handle_chunk(self, chunk, first):
        """Take a chunk of rows (the first numbered `first`): as columns when
        every row surely passes, else row by row (which words every error)."""
        layout = self.layout
        if layout.example and first == layout.data_row and chunk and _is_example(chunk[0], layout):
            self.handle(chunk[0], first)  # the template's example row: a notice
            chunk, first = chunk[1:], first + 1
        if not chunk:
            return
        if self.batch_check is None or not self._columns(chunk, first):
            handle = self.handle
            for offset, cells in enumerate(chunk):
                handle(cells, first + offset)

    def _columns(self, chunk, first):
        """Parse, key and check a chunk column by column, with the work in C
        (map, zip, set) instead of a Python loop per cell. Returns False,
        having changed nothing, at the first sign that some row needs the row
        path: a required cell left blank, a cell a converter is not sure of,
        a key seen before, a rule the batch check is not sure of.

        Rows the row path skips without a word are left out here too: a 合计
        row, and a blank row (found among the rows blank in a required
        column). Blank cells of optional columns, and cells of other types
        among a column's usual ones (a date typed as text among date cells),
        are the converters' to take (`Column.batch`)."""
        # Rows of one chunk may come from two slices of different widths:
        # the cells a row lacks are blank, as in `handle`.
        cols = list(zip_longest(*chunk, fillvalue=""))
        skipped = self._skipped(chunk, cols)
        if skipped is None:
            return False
        if skipped:
            kept = [offset for offset in range(len(chunk)) if offset not in skipped]
            if not kept:
                return True
            chunk, numbers = [chunk[i] for i in kept], [first + i for i in kept]
            cols = list(zip_longest(*chunk, fillvalue=""))
        else:
            numbers = range(first, first + len(chunk))
        n, width = len(chunk), len(cols)
        values, max_chars = {}, self.max_chars
        for idx, attname, convert, required, empty in self.converters:
            if idx >= width:  # no row of the chunk reaches the column: every cell blank
                if required:
                    return False
                values[attname] = [empty] * n
                continue
            col = cols[idx]
            if getattr(convert, "longest", max_chars + 1) <= max_chars:
                parsed = convert(col)  # only names known as written: none too long, no types needed
            else:
                types = set(map(type, col))
                if str in types and max(map(len, _texts(col, types))) > max_chars:
                    return False
                parsed = convert(col, types)
            if parsed is None:
                return False
            values[attname] = parsed
        for k, empty in self.absent_key.items():
            values[k] = [empty] * n
        fb, blanks = self.fallback, None
        if fb is not None and "" in values[fb.when]:
            # Rows without the optional number (a fifth of an office's
            # ledger) take the fallback key, beside the others' natural key.
            optional = values[fb.when]
            blanks = [i for i, v in enumerate(optional) if v == ""] if any(optional) else range(n)
        # The keys are taken after the check, which completes derived key
        # values (a default channel, the amount of quantity × price) as
        # `complete_key` does for a row.
        if not self.batch_check(values, n):
            return False
        if blanks is None or len(blanks) < n:
            if any(k not in values for k in self.key):
                return False
            hashes = list(map(hash, zip(*[values[k] for k in self.key])))
        if blanks is not None:
            # Each such row the first of its kind in the file (else row by
            # row, which numbers them): its key is the fallback key, place 1.
            if any(k not in values for k in fb.key):
                return False
            columns = [values[k] for k in fb.key]
            if len(blanks) == n:
                bases = list(zip(*columns))
            else:
                bases = [tuple([col[i] for col in columns]) for i in blanks]
            digests = list(map(hash, bases))
            if len(set(digests)) != len(blanks) or not self.repeats.keys().isdisjoint(digests):
                return False
            fallback = [hash((FALLBACK, *base, 1)) for base in bases]
            if len(blanks) == n:
                hashes = fallback
            else:
                for i, digest in zip(blanks, fallback):
                    hashes[i] = digest
        if len(set(hashes)) != n:
            return False
        if not self.seen.isdisjoint(hashes) or not self.existing.keys().isdisjoint(hashes):
            return False
        # Every row is new and good: the same bookkeeping as `handle`.
        if fb is not None:
            # Every chunk carries the place column, so the chunks of a sheet
            # have the same columns and go in one insert and one audit event
            # per batch, as the row path's rows do.
            places = [None] * n  # rows with their number have no place, as in `handle`
            if blanks is not None:
                for i in blanks:
                    places[i] = 1
                self.repeats.update(zip(digests, itertools.repeat(1)))
            values[fb.seq] = places
        for attname in self.unstored:
            values.pop(attname, None)
        result, state = self.result, self.state
        self.seen.add_chunk(hashes, numbers)
        result.added += n
        for offset in range(min(n, max(self.sample_size - len(result.sample_add), 0))):
            self._sample(chunk[offset], numbers[offset], {attname: values[attname][offset]
                                                          for _, _, attname in self.shown_columns
                                                          if attname in values})
        if self.track:
            state["touched"].update(zip(*[values.get(k) or [None] * n for k in self.track]))
        state["pending_cols"].append((values, n, (numbers[0], numbers[-1])))
        state["queued"] += n
        return True

    def _skipped(self, chunk, cols):
        """Return the offsets of the chunk's rows that `handle` skips without
        a word (合计 rows, blank rows), or None when a row has a required
        cell blank (the row path says so)."""
        skipped = set()
        for col in cols[:4]:
            try:
                texts = "".join(col)  # a column of texts (nearly always)
            except TypeError:
                types = set(map(type, col))
                texts = "".join(_texts(col, types)) if str in types else ""
            if "计" in texts:
                # Rare: a 合计 row, or a name with 计 in it (统计局).
                skipped.update(offset for offset, value in enumerate(col)
                               if value.__class__ is str and "计" in value and _is_total(chunk[offset]))
        parsers = [idx for idx, *_ in self.converters]
        for idx, attname, convert, required, empty in self.converters:
            if not required:
                continue
            col = cols[idx] if idx < len(cols) else None
            if col is not None and "" not in col:
                continue
            blanks = range(len(chunk)) if col is None else compress(itertools.count(), map(eq, col, repeat("")))
            for offset in blanks:
                if offset in skipped:
                    continue
                cells = chunk[offset]
                if not all(_blank(cells[i]) for i in parsers if i < len(cells)):
                    return None
                skipped.add(offset)
        return skipped

    def handle(self, cells, rownum):
        width = len(cells)
        if _is_total(cells):
            return
        layout = self.layout
        if layout.example and rownum == layout.data_row and _is_example(cells, layout):
            self.result.notices.append(f"工作表“{layout.name}”第{rownum}行是模板示例行，已跳过。")
            return
        values, problems, filled = {}, None, 0
        for idx, attname, parse, required, empty, written, shown in self.parsers:
            raw = cells[idx] if idx < width else ""
            if raw == "" or (raw.__class__ is str and (not raw or raw.isspace())):
                if required:
                    problems = problems or []
                    problems.append(Problem(layout.name, rownum, written, "", "必填，不能为空"))
                values[attname] = empty
                continue
            filled += 1
            if raw.__class__ is str and len(raw) > self.max_chars:
                problems = problems or []
                problems.append(Problem(layout.name, rownum, written, raw[:20],
                                        f"单元格内容过长：{len(raw)}个字，上限{self.max_chars}个字"))
                continue
            try:
                values[attname] = parse(raw)
            except ValueError as e:
                problems = problems or []
                problems.append(Problem(layout.name, rownum, written, shown(raw), str(e)))
        if not filled:
            return  # a blank row
        result = self.result
        if problems:
            result.errors.extend(problems)
            return
        if self.resolve is not None:
            failed = self.resolve(values)
            if failed:
                for attname, message in failed.items():
                    result.errors.append(Problem(layout.name, rownum, self.headers.get(attname, attname),
                                                 clean_text(self.spec.column(attname).export(values.get(attname))),
                                                 message))
                return
        if self.complete_key is not None:
            self.complete_key(values)
        fb = self.fallback
        if fb is not None and not values.get(fb.when):
            # Without the optional key column: the fallback key and the row's
            # place among the identical rows of the file so far.
            base = tuple([values.get(k) for k in fb.key])
            digest = hash(base)
            place = self.repeats[digest] = self.repeats.get(digest, 0) + 1
            values[fb.seq] = place
            key = (FALLBACK, *base, place)
        elif self.absent_key:
            absent = self.absent_key
            key = tuple([values[k] if k in values else absent[k] for k in self.key])
        else:
            key = tuple([values[k] for k in self.key])
        # Only the key's hash is kept: a million keys would otherwise hold
        # every key string alive. Two different keys share a 64-bit hash
        # with odds of about 1 in 10^7 for a million rows.
        digest = hash(key)
        seen = self.seen
        if digest in seen:
            self._duplicate(key, rownum, seen.first_row(digest))
            return
        seen.add(digest, rownum)
        current = self.existing.get(digest)
        if current is not None:
            self.state["basis"].update(repr(sorted(current.items())).encode())
        if current is not None and self.mode == "append":
            result.skipped += 1
            return
        changes = values
        unstored = self.unstored
        if current is not None:
            changes = {k: v for k, v in values.items() if current.get(k) != v and k not in unstored}
            if not changes:
                result.unchanged += 1
                return
        failed = self.check(values, current)
        if failed:
            for attname, message in failed.items():
                column = (self.headers.get(attname) or self.headers.get(attname + "_id")
                          or self.spec.verbose(attname))
                col = self.spec.column(attname)
                value = values.get(attname, values.get(attname + "_id", ""))
                result.errors.append(Problem(layout.name, rownum, column, col.export(value) if col else value,
                                             message))
            return
        for attname in unstored:
            values.pop(attname, None)
        if current is not None:
            # Again: the check may have completed values (a blank supplier is the product's).
            changes = {k: v for k, v in values.items() if current.get(k) != v}
            if not changes:
                result.unchanged += 1
                return
        if self.track:
            self.state["touched"].add(tuple([values.get(k, current and current.get(k)) for k in self.track]))
        if current is None:
            result.added += 1
            if len(result.sample_add) < self.sample_size:
                self._sample(cells, rownum, values)
            self.state["pending"].append(values)
            self.state["pending_rows"].append(rownum)
            self.state["queued"] += 1
        else:
            self._update(key, rownum, current, changes)

    def _sample(self, cells, rownum, values):
        """Add a row to the preview: each cell's text and the value it will
        be stored as (kept with the job: personal numbers masked)."""
        result, layout, width = self.result, self.layout, len(cells)
        if not any(block["sheet"] == layout.name for block in result.sample_headers):
            result.sample_headers.append({"sheet": layout.name,
                                          "headers": [written for _, _, _, written in layout.columns]})
        shown = []
        for idx, col, attname in self.shown_columns:
            raw = cells[idx] if idx < width else ""
            if attname is None or attname not in values:
                shown.append(col.shown(clean_text(raw)))
            else:
                shown.append(col.preview(raw, values[attname]))
        result.sample_add.append({"sheet": layout.name, "row": rownum, "cells": shown})

    def _key_items(self, key):
        """Return the (attname, value) pairs of a key tuple (without the fallback mark)."""
        return [(k, v) for k, v in zip(self.spec.key_names(key), key) if k]

    def _shown(self, attname, value):
        col = self.spec.column(attname)
        return clean_text(col.export(value) if col is not None else value)

    def _duplicate(self, key, rownum, first):
        items = self._key_items(key)
        names = "、".join(self.headers.get(k, k) for k, _ in items)
        shown = "、".join(self._shown(k, v) for k, v in items)
        self.result.errors.append(Problem(self.layout.name, rownum, names, shown, f"与第{first}行重复（{names}相同）"))

    def _update(self, key, rownum, current, changes):
        spec, result = self.spec, self.result
        result.updated += 1
        if len(result.sample_update) < self.sample_size:
            shown = self._shown
            result.sample_update.append({
                "row": rownum, "key": "、".join(shown(k, v) for k, v in self._key_items(key)),
                "changes": [[self.headers.get(k, k), shown(k, current.get(k)), shown(k, v)]
                            for k, v in changes.items()]})
        if self.commit and not result.errors:
            try:
                spec.update(self.ctx, current["pk"], changes)
            except ValidationError as e:
                for attname, messages in e.message_dict.items():
                    column = self.headers.get(attname) or self.spec.verbose(attname)
                    for message in messages:
                        result.errors.append(Problem(self.layout.name, rownum, column, "", message))


def _flush(spec, ctx, commit, inserter, state, result, filename, digest):
    pending, rows, chunks = state["pending"], state["pending_rows"], state["pending_cols"]
    if commit and (pending or chunks) and not result.errors:
        if state["deferred"] is not None:
            state["deferred"].consider(result.total_rows)
        if pending:
            _insert(spec, ctx, inserter, pending, rows, result, filename, digest)
        if chunks and spec.insert_columns is not None:
            # One insert for the chunks of a batch (chunks of one sheet have
            # the same columns; another sheet may have others).
            merged = {}
            for columns, count, _ in chunks:
                if merged and merged["names"] == list(columns):
                    for name, values in columns.items():
                        merged["columns"][name].extend(values)
                    merged["count"] += count
                else:
                    if merged:
                        result.created_ids.extend(spec.insert_columns(ctx, merged["columns"], merged["count"]))
                    merged = {"names": list(columns), "columns": {k: list(v) for k, v in columns.items()},
                              "count": count}
            result.created_ids.extend(spec.insert_columns(ctx, merged["columns"], merged["count"]))
        else:
            for columns, _, rows in chunks:
                # Specs without a column insert take the rows as dicts.
                names = list(columns)
                dicts = [dict(zip(names, values)) for values in zip(*columns.values())]
                _insert(spec, ctx, inserter, dicts, rows, result, filename, digest)
    state["pending"], state["pending_rows"], state["pending_cols"], state["queued"] = [], [], [], 0


def _insert(spec, ctx, inserter, pending, rows, result, filename, digest):
    ids = spec.insert(ctx, inserter, pending)
    if not spec.audits_batches:
        record_batch(spec.model, ids, pairing_id=ctx.pairing.pk, ledger=spec.title, filename=filename,
                     digest=digest, first_row=rows[0], last_row=rows[-1])
    result.created_ids.extend(ids)
