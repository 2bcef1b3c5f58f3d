"""Refuse hostile or unreadable files before a single cell is parsed.

An .xlsx is a zip of XML parts. We check, in this order and without
decompressing anything: the size on disk, the zip magic, that the zip's
central directory lists a `[Content_Types].xml` declaring an Excel workbook
(not a macro workbook), and the declared uncompressed sizes of every part
(total, per worksheet, and the compression ratio that betrays a zip bomb).
Only then is the file handed to calamine, which reads cached cell values and
never evaluates a formula.
"""

import itertools
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings

XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 100 * 1024 * 1024
    max_unzipped_bytes: int = 1536 * 1024 * 1024
    max_sheet_bytes: int = 1024 * 1024 * 1024
    max_ratio: int = 100  # uncompressed / compressed, for parts above 1 MB
    max_rows: int = 1_048_576  # Excel's own limit
    max_columns: int = 200
    max_cell_chars: int = 5000
    slice_above_bytes: int = 32 * 1024 * 1024  # sheets with more XML than this are read in slices
    slice_bytes: int = 16 * 1024 * 1024
    # The dense range calamine builds for one read (a whole small sheet or one
    # slice of a big one), from its first to its last used cell: at 32 bytes
    # a cell, and twice that while it is built, 2,000,000 cells are at most
    # about 130 MB. A sheet within the row and column limits whose range is
    # bigger (a sparse sheet: A1 and GR1000000) is read in slices cut to fit.
    max_cells: int = 2_000_000
    # calamine holds every shared string in memory for the whole read and
    # reserves room for the declared count up front.
    max_shared_strings_bytes: int = 64 * 1024 * 1024
    max_shared_strings: int = 2_000_000
    # Merged ranges are kept while a sheet is read (four numbers each).
    max_merged_ranges: int = 100_000
    # An .xls, .et or .ods is read by calamine in a child process held to
    # this much address space and time, and written out as an .xlsx that
    # then takes the checks above (see legacy.py).
    legacy_memory_bytes: int = 480 * 1024 * 1024
    legacy_seconds: int = 300
    # calamine holds every sheet of an .ods at once: the used ranges of all
    # its sheets together (repeats counted) are bounded before it reads them.
    legacy_max_cells: int = 4_000_000


def limits():
    """Return the limits, overridable with settings.XIEZUO_LEDGER_LIMITS (a dict)."""
    return Limits(**getattr(settings, "XIEZUO_LEDGER_LIMITS", {}))


class LedgerFileError(Exception):
    """The file is refused as a whole; the message is for the user."""


def _mb(n):
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def check_size(path, name, lim):
    """Refuse a file over the size limit; return its first 8 bytes."""
    with open(path, "rb") as fh:
        head = fh.read(8)
        fh.seek(0, 2)
        size = fh.tell()
    if size > lim.max_file_bytes:
        raise LedgerFileError(f"文件“{name}”过大：{_mb(size)}，上限为{_mb(lim.max_file_bytes)}。请按年度拆分后分别导入。")
    return head


def check_xlsx(path, name=None):
    """Raise LedgerFileError when the file at `path` is not a safe .xlsx."""
    lim = limits()
    name = name or str(path)
    head = check_size(path, name, lim)
    if head.startswith(OLE_MAGIC):
        raise LedgerFileError(f"文件“{name}”是旧版Excel（.xls）或加密的工作簿，请在Excel中“另存为”Excel工作簿（.xlsx）后再导入。")
    if not head.startswith(b"PK\x03\x04"):
        raise LedgerFileError(f"文件“{name}”不是Excel工作簿（.xlsx），无法导入。请使用系统提供的模板或在Excel中另存为.xlsx。")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names:
                raise LedgerFileError(f"文件“{name}”不是Excel工作簿（.xlsx）：缺少[Content_Types].xml。")
            ct = zf.getinfo("[Content_Types].xml")
            if ct.file_size > 1024 * 1024:
                raise LedgerFileError(f"文件“{name}”的结构异常（[Content_Types].xml过大），已拒绝。")
            types = zf.read(ct).decode("utf-8", "replace")
    except zipfile.BadZipFile:
        raise LedgerFileError(f"文件“{name}”已损坏或不是Excel工作簿（.xlsx），无法打开。") from None
    if XLSM_MAIN in types:
        raise LedgerFileError(f"文件“{name}”是启用宏的工作簿（.xlsm），为安全起见不予导入，请另存为.xlsx。")
    if XLSX_MAIN not in types:
        raise LedgerFileError(f"文件“{name}”不是Excel工作簿（.xlsx）（可能是Word、PowerPoint或其他压缩文件）。")
    check_zip_sizes(name, infos, lim, sheets=("xl/worksheets/",))
    _check_shared_strings(path, name, infos, lim)


def check_zip_sizes(name, infos, lim, sheets):
    """Refuse a zip whose directory declares a bomb: a part inflating more
    than `max_ratio` times, a sheet part (names starting with `sheets`) over
    the sheet limit, or a total over the unzipped limit. Reads nothing but
    the directory."""
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > lim.max_ratio * max(info.compress_size, 1):
            raise LedgerFileError(
                f"文件“{name}”的压缩比异常（{info.filename}解压后{_mb(info.file_size)}，"
                f"压缩后仅{_mb(info.compress_size)}），疑似压缩炸弹，已拒绝。")
        if info.filename.startswith(sheets) and info.file_size > lim.max_sheet_bytes:
            raise LedgerFileError(
                f"文件“{name}”中的工作表过大（解压后{_mb(info.file_size)}，上限{_mb(lim.max_sheet_bytes)}），请拆分后导入。")
    if total > lim.max_unzipped_bytes:
        raise LedgerFileError(f"文件“{name}”解压后过大（{_mb(total)}，上限{_mb(lim.max_unzipped_bytes)}），请拆分后导入。")


_COUNTS = re.compile(rb'\s(count|uniqueCount)\s*=\s*["\']([^"\']*)["\']')


def _check_shared_strings(path, name, infos, lim):
    """Refuse a shared strings part calamine could not hold within bounds.

    calamine reads the whole part into memory when the workbook is opened,
    and reserves room for as many strings as the part's `uniqueCount`
    declares before it reads one (a declared four billion is a 96 GB request
    and an abort). So the part's size is bounded, and its declared counts are
    read from its first few kilobytes (inflated no further) and bounded too."""
    for info in infos:
        if not info.filename.lower().endswith("sharedstrings.xml"):
            continue
        if info.file_size > lim.max_shared_strings_bytes:
            raise LedgerFileError(
                f"文件“{name}”的共享字符串表过大（解压后{_mb(info.file_size)}，上限{_mb(lim.max_shared_strings_bytes)}），"
                "请拆分后导入，或删除工作簿中不需要的工作表和内容后另存再导入。")
        try:
            with zipfile.ZipFile(path) as zf, zf.open(info) as stream:
                head = stream.read(4096)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
            raise LedgerFileError(f"文件“{name}”已损坏或不是Excel工作簿（.xlsx），无法打开。") from None
        start = head.find(b"<sst")
        if start < 0:
            start = head.find(b":sst")
        close = head.find(b">", start) if start >= 0 else -1
        if head.strip() and close < 0:
            # Every spreadsheet writes the root tag within its first hundred
            # bytes; one pushed further (padding, a comment) would hide its
            # declared count from this check, but not from calamine.
            raise LedgerFileError(f"文件“{name}”的共享字符串表结构异常，文件可能已损坏或被篡改，"
                                  "请在Excel中另存为.xlsx后再导入。")
        tag = head[start:close + 1]
        for key, value in sorted(_COUNTS.findall(tag), reverse=True):  # uniqueCount first: it is what calamine reserves
            bound = lim.max_shared_strings if key == b"uniqueCount" else lim.max_rows * lim.max_columns
            if not value.strip().isdigit() or _number(value.strip()) > bound:
                shown = value.decode("ascii", "replace")[:20]
                raise LedgerFileError(
                    f"文件“{name}”的共享字符串表声明了{shown}个字符串，超过上限{bound}个，文件可能已损坏或被篡改，"
                    "请在Excel中另存为.xlsx后再导入。")


# ------------------------------------------------------------ what a sheet claims
#
# calamine sizes its memory by the cell references a sheet holds: it builds a
# dense range from the first to the last used cell, so a two-cell sheet with
# A1 and XFD1048576 makes it ask for 17 billion cells and the process aborts
# (an allocation failure in Rust cannot be caught). Nothing calamine reads may
# therefore be handed to it before its references have been checked here, by
# a scan that reads the XML as a stream and keeps only a few numbers.

EXCEL_COLUMNS = 16_384  # XFD, the last column of Excel's grid

# The common form of a cell and a row, as Excel, WPS, LibreOffice, openpyxl
# and xlsxwriter write them: the reference is the first attribute. Fragments
# in which every cell and row tag has this form are checked with a few C-speed
# passes; anything else (another attribute order, a namespace prefix, a cell
# without a reference, rich text in an inline string) goes through the exact
# tag-by-tag scan below, which is slower but reads every form.
_FAST_COLUMNS = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_FAST_CELL_ROWS = re.compile(rb'<c r="[A-Z]{1,3}([1-9][0-9]{0,6})"')
_SHEET_DATA = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?sheetData(?=[\s/>])')
_NARROW_CELL_ROWS = re.compile(rb'<c r="[A-Z]([1-9][0-9]{0,6})"')
_TAG = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?(c|row|dimension|col)(?=[\s/>])([^>]*)>')
_ROW_TAG = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])([^>]*)>')
_HIDDEN_ROW = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])([^>]*?\shidden\s*=\s*["\'](?:1|true)["\'][^>]*)>')
_MERGE_TAG = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell(?=[\s/>])([^>]*)>')
_EMPTY_SHEET_DATA = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?sheetData\s*/>')
_ATTR = re.compile(rb'(?:^|\s)(r|ref|min|max|hidden)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_TRUE = (b"1", b"true")
_REF = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")
_PREFIXED_C = re.compile(rb":c")  # a search in C finds it three times faster than bytes.find


def column_name(number):
    """Return Excel's name of a 1-based column number (1 → A, 200 → GR)."""
    name = ""
    while number:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


def column_number(name):
    """Return the 1-based number of a column name (str or ASCII bytes)."""
    number = 0
    for code in name.encode("ascii") if isinstance(name, str) else name:
        number = number * 26 + code - 64
    return number


def _numbers_between(low, high):
    """Return a regular expression (bytes) matching the decimal numbers from
    `low` to `high` (1 ≤ low ≤ high), written without leading zeros, and no
    other: 98 to 1003 gives [1-9][0-9]{2}|100[0-3]|9[8-9]. The alternatives
    covering most numbers come first: a search tries them in order."""

    def same_length(a, b):
        # (how many numbers, alternative) for the numbers from a to b, digit strings of one length.
        if not a:
            return [(1, b"")]
        if a[0] == b[0]:
            return [(size, a[:1] + rest) for size, rest in same_length(a[1:], b[1:])]
        n = len(a) - 1
        parts = []
        low_whole, high_whole = a[1:] == b"0" * n, b[1:] == b"9" * n
        if not low_whole:
            parts += [(size, a[:1] + rest) for size, rest in same_length(a[1:], b"9" * n)]
        lo, hi = a[0] + (not low_whole), b[0] - (not high_whole)
        if lo <= hi:
            parts.append(((hi - lo + 1) * 10 ** n, (b"%c" % lo if lo == hi else b"[%c-%c]" % (lo, hi))
                          + (b"[0-9]{%d}" % n if n else b"")))
        if not high_whole:
            parts += [(size, b[:1] + rest) for size, rest in same_length(b"0" * n, b[1:])]
        return parts

    parts = []
    while len(str(low)) < len(str(high)):
        top = 10 ** len(str(low)) - 1
        parts += same_length(b"%d" % low, b"%d" % top)
        low = top + 1
    parts += same_length(b"%d" % low, b"%d" % high)
    return b"|".join(pattern for _, pattern in sorted(parts, key=lambda part: -part[0]))


def _number(digits):
    """The value of a run of ASCII digits (bytes); longer runs are larger."""
    return int(digits) if len(digits) < 19 else 10 ** 18


class SheetScan:
    """Check one sheet's claims against the limits while its XML streams by.

    `feed` takes consecutive pieces of the sheet's XML that end between tags
    (the sliced reader cuts after a `</row>`; `scan_sheet` cuts before the
    last `<`) and raises LedgerFileError at the first reference outside the
    limits. It keeps only the extent seen so far (first and last row and
    column of any cell), so a caller can bound the dense range calamine will
    build before it builds it.

    It also keeps what calamine does not tell: the hidden rows (a bitmap of
    one bit per row allowed, 128 KB at most, made at the first hidden row),
    the hidden columns (`<col hidden>`, within the column limit) and the
    merged ranges (`<mergeCell ref>`, after the rows: `tail`), at most
    `max_merged_ranges` of them."""

    def __init__(self, sheet_name, lim):
        self.name = sheet_name
        self.max_rows, self.max_columns = lim.max_rows, lim.max_columns
        self.max_merges = lim.max_merged_ranges
        self.hidden_rows = None  # bytearray: bit n set when row n is hidden
        self.hidden_count = 0
        self.hidden_columns = set()  # 1-based column numbers
        self.merges = []  # (first row, first column, last row, last column), 1-based
        self.top = self.bottom = self.left = self.right = None
        self.row = 0  # the current row, for cells and rows without a reference
        self.column = 0
        self.dimension = None  # a declared dimension outside the limits
        digits = len(str(self.max_rows))
        self._long_rows = re.compile(rb'<row r="([1-9][0-9]{%d,})"' % digits)
        self._limit_rows = re.compile(rb'<row r="([1-9][0-9]{%d})"' % (digits - 1))

    def finish(self):
        """Refuse the sheet if its declared dimension broke the limits."""
        if self.dimension is not None:
            raise LedgerFileError(f"工作表“{self.name}”声明的范围{self.dimension}超出允许范围{self._allowed()}，"
                                  "请删除多余内容或拆分后导入。")

    # -- refusing
    def _allowed(self):
        return f"（最多{self.max_columns}列、{self.max_rows}行）"

    def _refuse_cell(self, ref):
        raise LedgerFileError(f"工作表“{self.name}”的单元格{ref}超出允许范围{self._allowed()}，请删除多余内容或拆分后导入。")

    def _cell(self, row, column, ref=None):
        if row > self.max_rows or column > self.max_columns:
            self._refuse_cell(ref or f"{column_name(min(column, EXCEL_COLUMNS * 10))}{row}")
        self._extend(row, row, column, column)

    def _row(self, row):
        if row > self.max_rows:
            # A row number is how far down the sheet goes: the wording the
            # row limit has always had.
            raise LedgerFileError(f"工作表“{self.name}”有{row}行，超过上限{self.max_rows}行，请拆分后导入。")
        self.row, self.column = row, 0

    def _extend(self, top, bottom, left, right):
        if self.top is None:
            self.top, self.bottom, self.left, self.right = top, bottom, left, right
        else:
            self.top, self.bottom = min(self.top, top), max(self.bottom, bottom)
            self.left, self.right = min(self.left, left), max(self.right, right)

    @property
    def cells(self):
        """Cells of the dense range from the first to the last used cell."""
        if self.top is None:
            return 0
        return (self.bottom - self.top + 1) * (self.right - self.left + 1)

    # -- reading
    def head(self, data):
        """Check what comes before <sheetData>: the declared dimension and the
        column spans. A dimension is what the sheet says of itself (calamine
        may size memory by it), so one outside the limits is refused even when
        no cell is there. Column spans allocate nothing, and Excel, WPS and
        LibreOffice all write spans to the grid's end to format or hide the
        columns on the right, so only a span outside Excel's own grid (a file
        no spreadsheet wrote) is refused."""
        for kind, attrs in _TAG.findall(data):
            values = {k: a or b for k, a, b in _ATTR.findall(attrs)}
            if kind == b"dimension" and values.get(b"ref"):
                self._dimension(values[b"ref"].decode("ascii", "replace"))
            elif kind == b"col":
                for key in (b"min", b"max"):
                    value = values.get(key, b"1")
                    if not value.isdigit() or not 1 <= _number(value) <= EXCEL_COLUMNS:
                        raise LedgerFileError(
                            f"工作表“{self.name}”的列设置（第{value.decode('ascii', 'replace')[:20]}列）"
                            f"超出Excel的范围（最多{EXCEL_COLUMNS}列），文件可能已损坏，请在Excel中另存为.xlsx后再导入。")
                if values.get(b"hidden", b"").strip().lower() in _TRUE:
                    first = int(values.get(b"min", b"1"))
                    last = min(int(values.get(b"max", b"1")), self.max_columns)
                    self.hidden_columns.update(range(first, last + 1))

    def _dimension(self, ref):
        ends = ref.split(":")
        for end in ends:
            m = _REF.fullmatch(end.strip())
            if not m:
                return  # not a reference calamine would use
            row, column = int(m.group(2)), column_number(m.group(1))
            if (row > self.max_rows or column > self.max_columns) and self.dimension is None:
                # Refused by `finish`: a cell beyond the limits, if there is
                # one, is named instead, since that is what the user can find.
                self.dimension = ref[:40]

    def feed(self, data, start=0, end=None):
        """Check the rows in data[start:end] (bytes or bytearray); return
        their extent (top, bottom, left, right), or None when they hold no
        cell."""
        end = len(data) if end is None else end
        if data.find(b"hidden", start, end) >= 0:
            self._hidden(data, start, end)
        saved = self.top, self.bottom, self.left, self.right
        self.top = None
        try:
            if not self._fast(data, start, end):
                self.top = None
                self._exact(data, start, end)
            extent = None if self.top is None else (self.top, self.bottom, self.left, self.right)
        finally:
            self.top, self.bottom, self.left, self.right = saved
        if extent:
            self._extend(*extent)
        return extent

    def _hidden(self, data, start, end):
        """Mark the rows of data[start:end] written `<row hidden="1">`; a row
        without a number follows the one before it, as calamine counts.
        LibreOffice writes hidden="false" on every row: only the hidden
        ones are looked at, by one pass in C, unless one has no number."""
        found = _HIDDEN_ROW.findall(data, start, end)
        numbers = [next(((a or b).strip() for key, a, b in _ATTR.findall(attrs) if key == b"r"), b"")
                   for attrs in found]
        if all(n.isdigit() for n in numbers):
            for n in numbers:
                self.hide_row(_number(n))
            return
        row = self.row
        for m in _ROW_TAG.finditer(data, start, end):
            ref = hidden = None
            for key, a, b in _ATTR.findall(m.group(1)):
                if key == b"r":
                    ref = (a or b).strip()
                elif key == b"hidden":
                    hidden = (a or b).strip().lower()
            row = _number(ref) if ref and ref.isdigit() else row + 1
            if hidden in _TRUE:
                self.hide_row(row)

    def hide_row(self, row):
        if not 1 <= row <= self.max_rows:
            return  # the scan refuses a row beyond the limit on its own
        if self.hidden_rows is None:
            self.hidden_rows = bytearray(self.max_rows // 8 + 1)
        byte, bit = divmod(row, 8)
        if not self.hidden_rows[byte] & (1 << bit):
            self.hidden_rows[byte] |= 1 << bit
            self.hidden_count += 1

    def hidden_between(self, first, last):
        """Return the hidden row numbers from `first` to `last`; a test of
        the bitmap's bytes in C first, so a chunk without one costs nothing."""
        bits = self.hidden_rows
        if bits is None or not any(bits[first >> 3:(last >> 3) + 1]):
            return []
        return [row for row in range(first, last + 1) if bits[row >> 3] & (1 << (row & 7))]

    def tail(self, data):
        """Read what follows the rows: the merged ranges."""
        if data.find(b"mergeCell") < 0:
            return
        for attrs in _MERGE_TAG.findall(data):
            ref = next(((a or b) for key, a, b in _ATTR.findall(attrs) if key == b"ref"), b"")
            ends = [_REF.fullmatch(end.strip()) for end in ref.decode("ascii", "replace").split(":")]
            if len(ends) != 2 or not all(ends):
                continue  # not a range calamine would read either
            (r1, c1), (r2, c2) = [(int(m.group(2)), column_number(m.group(1))) for m in ends]
            r1, r2, c1, c2 = min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2)
            if r1 > self.max_rows or c1 > self.max_columns:
                continue  # nothing of it is read
            if len(self.merges) >= self.max_merges:
                raise LedgerFileError(f"工作表“{self.name}”的合并单元格超过{self.max_merges}处，"
                                      "请取消合并后再导入。")
            self.merges.append((r1, c1, min(r2, self.max_rows), min(c2, self.max_columns)))

    def read_tail(self, first, blocks, carry_limit=1024 * 1024):
        """Read the merged ranges from `first` (bytes) and the rest of the
        part's `blocks`, a block and a carried tag at a time; the blocks are
        read to the end (so the part's size and CRC-32 are checked)."""
        pending = bytes(first)
        for block in itertools.chain([b""], blocks):
            data = pending + block if pending else block
            cut = data.rfind(b"<")
            if cut < 0:
                cut = len(data)
            self.tail(data[:cut])
            pending = data[cut:]
            if len(pending) > carry_limit:
                raise LedgerFileError(f"工作表“{self.name}”的内容异常（单个标记过长），文件可能已损坏，"
                                      "请在Excel中另存为.xlsx后再导入。")
        self.tail(pending)

    def _quick(self, data, start, end):
        """Check a fragment in the form nearly every ledger has: rows numbered
        from its first <row> to its last, every row tag and every cell tag
        with its reference first, single-letter columns (A to Z). Return
        True having checked it (its extent is the first to the last row, A
        to Z), or False having changed nothing when anything else is there.

        No object is made per cell or row: the numbers between the first and
        the last row's (at most a few thousand of them) are written as one
        regular expression, and one search in C for a tag that does not
        match it — a row or cell outside those rows, a cell with a longer
        column or without its reference first, any other tag starting with
        "<c" — tells the fragment is in that form. A namespace prefix
        (<x:c>) is looked for too, since calamine reads tags by their local
        names."""
        first = data.find(b'<row r="', start, end)
        last = data.rfind(b'<row r="', start, end)
        if first < 0 or data.find(b"<c", start, end) < 0:  # no row, or no cell: the common scan says so
            return False
        top, bottom = data[first + 8:first + 16].partition(b'"')[0], data[last + 8:last + 16].partition(b'"')[0]
        if not (top.isdigit() and bottom.isdigit() and top[:1] != b"0" and bottom[:1] != b"0"):
            return False
        top, bottom = int(top), int(bottom)
        if not top <= bottom <= self.max_rows or self.max_columns < 26:
            return False
        rows = _numbers_between(top, bottom)
        odd_cell = re.compile(rb'<c(?! r="[A-Z](?:%s)")' % rows)
        odd_row = re.compile(rb'<row(?! r="(?:%s)")' % rows)
        if odd_row.search(data, start, end) or odd_cell.search(data, start, end) \
                or _PREFIXED_C.search(data, start, end):
            return False
        self.row = bottom
        self._extend(top, bottom, 1, 26)
        return True

    def _fast(self, data, start, end):
        """Check a fragment whose cell tags all have the common form; return
        False (having refused nothing) when some tag has another form, or
        when a reference breaks a limit (the exact scan then names the first
        one). Each step is one pass in C over the fragment: per cell, only
        the row number is taken out as an object."""
        if self._quick(data, start, end):
            return True
        cells = data.count(b"<c", start, end)  # every tag starting so, cells or not
        if data.find(b":c", start, end) >= 0:
            return False
        # Rows: only a row number with as many digits as the limit, or more,
        # needs a closer look. (In this form every cell names its own place,
        # so a row's number moves no cell.)
        far = self._long_rows.findall(data, start, end) or self._limit_rows.findall(data, start, end)
        if far:
            # The message gives how far down the sheet goes: the largest row.
            longest = max(map(len, far))
            self._row(int(max(r for r in far if len(r) == longest)))
        last = data.rfind(b'<row r="', start, end)
        if last >= 0:
            digits = data[last + 8:data.find(b'"', last + 8, end)]
            if digits.isdigit():
                self.row = int(digits)
        if not cells:
            return True
        # Most ledgers stop before column Z: one pass takes the row numbers
        # of single-letter cells, and when that is every tag starting with
        # "<c", every cell has the common form and A to Z bounds the width.
        cell_rows = _NARROW_CELL_ROWS.findall(data, start, end)
        narrow = len(cell_rows) == cells
        if not narrow:
            cell_rows = _FAST_CELL_ROWS.findall(data, start, end)
            if len(cell_rows) != cells:
                return False
        lengths = set(map(len, cell_rows))
        if len(lengths) == 1:
            top, bottom = int(min(cell_rows)), int(max(cell_rows))
        else:  # numbers of one length compare as their values do
            top = int(min(r for r in cell_rows if len(r) == min(lengths)))
            bottom = int(max(r for r in cell_rows if len(r) == max(lengths)))
        if narrow:
            # Single-letter columns only: A to Z bounds the width, which is
            # all the extent is used for; no need to collect the names.
            left, right = 1, 26
        else:
            columns = set(_FAST_COLUMNS.findall(data, start, end))
            widest, narrowest = max(map(len, columns)), min(map(len, columns))
            right = column_number(max(c for c in columns if len(c) == widest))
            left = column_number(min(c for c in columns if len(c) == narrowest))
        if bottom > self.max_rows or right > self.max_columns:
            return False
        self._extend(top, bottom, left, right)
        return True

    def _exact(self, data, start, end):
        """Read every cell and row tag in order, as calamine does: a cell
        without a reference follows the one before it, a row without one
        follows the row before it."""
        for kind, attrs in _TAG.findall(data, start, end):
            if kind not in (b"c", b"row"):
                continue
            ref = None
            for key, a, b in _ATTR.findall(attrs):
                if key == b"r":
                    ref = (a or b).strip()
            if kind == b"row":
                if ref is None:
                    self._row(self.row + 1)
                elif ref.isdigit() and ref != b"0":
                    self._row(_number(ref))
                else:
                    raise LedgerFileError(f"工作表“{self.name}”的行号“{ref.decode('ascii', 'replace')[:20]}”无效，"
                                          "文件可能已损坏，请在Excel中另存为.xlsx后再导入。")
                continue
            if ref is None:
                self._cell(max(self.row, 1), self.column + 1)
                self.column += 1
                continue
            text = ref.decode("ascii", "replace")
            m = re.fullmatch(r"([A-Za-z]+)([0-9]+)", text)
            if not m or m.group(2).startswith("0"):
                raise LedgerFileError(f"工作表“{self.name}”的单元格引用“{text[:20]}”无效，"
                                      "文件可能已损坏，请在Excel中另存为.xlsx后再导入。")
            letters = m.group(1).upper()
            column = column_number(letters) if len(letters) <= 4 else 10 ** 9
            row = _number(m.group(2).encode())
            self._cell(row, column, ref=(letters + m.group(2))[:24])
            self.column = column


def scan_sheet(blocks, sheet_name, lim, carry_limit=1024 * 1024):
    """Scan a whole sheet streamed as `blocks` of XML; return its SheetScan.

    Memory stays at a block and a carried tail: each block is cut before its
    last `<`, and the tail goes in front of the next block."""
    scan = SheetScan(sheet_name, lim)
    blocks = iter(blocks)
    pending = b""
    in_head = True
    for block in blocks:
        data = pending + block if pending else block
        cut = data.rfind(b"<")
        if cut < 0:
            cut = len(data)
        piece, pending = data[:cut], data[cut:]
        if len(pending) > carry_limit:
            raise LedgerFileError(f"工作表“{sheet_name}”的内容异常（单个标记过长），文件可能已损坏，"
                                  "请在Excel中另存为.xlsx后再导入。")
        if in_head:
            # calamine matches tags by their local name: <x:sheetData> holds
            # rows as well as <sheetData> does.
            found = _SHEET_DATA.search(piece)
            if found is None:
                scan.head(piece)
                continue
            at = found.start()
            scan.head(piece[:at])
            piece, in_head = piece[at:], False
            if _EMPTY_SHEET_DATA.match(piece):  # <sheetData/>: no rows, the rest is the tail
                scan.read_tail(piece + pending, blocks, carry_limit)
                pending = b""
                break
        end = piece.find(b"</sheetData")
        if end >= 0:
            scan.feed(piece[:end])
            scan.read_tail(piece[end:] + pending, blocks, carry_limit)
            pending = b""
            break
        scan.feed(piece)
    if pending:
        if in_head:
            scan.head(pending)
        else:
            scan.feed(pending)
    scan.finish()
    return scan
