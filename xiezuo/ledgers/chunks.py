"""Read a big worksheet in slices, so memory stays bounded.

calamine reads a whole worksheet into memory before the first row comes out
(twice over while it builds its range): a million-row ledger needs about
750 MB that way. For big sheets we stream the worksheet's XML out of the zip
ourselves, cut it at row boundaries into slices of a few tens of megabytes,
wrap each slice in a small workbook in a private temporary file (the original parts, the sheet
replaced by the slice, stored without compression) and let calamine read the
slices one after another. Rows keep their `r="…"` numbers, so row numbers
and cached formula values are exactly what calamine would give for the whole
sheet; nothing is evaluated.

Before calamine reads a slice, the slice's cell and row references are
checked against the limits (`safety.SheetScan`), and a slice whose dense
range (first to last used cell) would exceed `max_cells` is cut again at a
row boundary until it fits: calamine never builds a range bigger than that,
however sparse the sheet. The parts other than the sheet (shared strings,
styles, the workbook) are copied once per import into the slice workbook,
streamed from the upload; each slice then only replaces the sheet's entry at
the end of that file and writes a new zip directory after it.

What one import holds, whatever the file claims (limits in safety.Limits):
the zip directory and the first 4 KB of the shared strings part while the
file is checked; one inflated block (4 MB) and a carried tail while a sheet
is scanned; calamine's shared strings, at most 64 MB of XML and 2,000,000
declared strings, held by one workbook at a time (the importer closes the
upload's own before a sheet is read in slices); one slice of XML (16 MB, up
to four times that for a single long row); and the dense range calamine
builds for one read, at most `max_cells` (2,000,000) cells, about 64 MB and
twice that while it is built.
The importer's own state (a 64-bit hash per key read, one chunk of rows, one
batch of rows to insert) comes on top. The peaks measured per hostile file
are in docs/RELIABILITY.md.
"""

import itertools
import os
import posixpath
import re
import shutil
import struct
import tempfile
import zipfile
import zlib
from xml.etree import ElementTree

import python_calamine

try:
    # ISA-L inflates and sums CRC-32 two to three times as fast as zlib: a
    # million-row sheet is half a gigabyte of XML.
    from isal import isal_zlib as inflating
except ImportError:  # no wheel for the platform: the same API, slower
    import zlib as inflating

from .safety import LedgerFileError, SheetScan, column_name, limits

NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
EMPTY_SHEET = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>')
READ_BLOCK = 4 * 1024 * 1024
HEAD_BYTES = 16 * 1024 * 1024
BLANK_ROW = []  # never changed: rows are only read
INPUT_BLOCK = 1024 * 1024


def sheet_parts(zf):
    """Return {sheet name: part name inside the zip} from workbook.xml and its rels."""
    workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels.iter(f"{NS_PKG}Relationship"):
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = target
    parts = {}
    for sheet in workbook.iter(f"{NS_MAIN}sheet"):
        parts[sheet.get("name")] = targets.get(sheet.get(f"{NS_REL}id"))
    return parts


def part_blocks(path, info, sheet_name):
    """Yield a worksheet part's XML in blocks of at most READ_BLOCK bytes.

    Inflated here, with ISA-L, rather than by zipfile; checked the same
    way: never more bytes than the directory declares (whatever the
    compression ratio, a block is bounded), and the size and CRC-32 must
    match at the end."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
        with zipfile.ZipFile(path) as zf, zf.open(info) as stream:  # other methods (rare in .xlsx): zipfile reads them
            while block := stream.read(READ_BLOCK):
                yield block
        return
    broken = LedgerFileError(f"工作表“{sheet_name}”的数据已损坏（压缩数据校验失败），"
                             "请在Excel中打开后另存为.xlsx再导入。")
    deflated = info.compress_type == zipfile.ZIP_DEFLATED
    inflate = inflating.decompressobj(-15) if deflated else None
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        head = fh.read(30)
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise broken
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        fh.seek(info.header_offset + 30 + name_len + extra_len)
        left, pending, size, crc = info.compress_size, b"", 0, 0
        while True:
            if not pending and left:
                pending = fh.read(min(left, INPUT_BLOCK))
                if not pending:
                    raise broken  # the file ends before the part does
                left -= len(pending)
            if deflated:
                try:
                    block = inflate.decompress(pending, READ_BLOCK)
                except inflating.error:
                    raise broken from None
                pending = inflate.unconsumed_tail
            else:
                block, pending = pending, b""
            if block:
                size += len(block)
                if size > info.file_size:
                    raise broken
                crc = inflating.crc32(block, crc)
                yield block
            elif not pending and not left:
                break  # input used up and nothing more comes out
            if deflated and inflate.eof:
                break
    if size != info.file_size or crc != info.CRC:
        raise broken


SPACES = b" " * INPUT_BLOCK
TAIL = 64  # the last bytes of the sheet's entry: spaces and tabs that give it its CRC-32


def _tail_basis():
    """Return {leading bit: (CRC-32 change, positions)} for turning spaces of
    the last TAIL bytes into tabs: a basis over GF(2), since CRC-32 is affine
    (the change of several flips is the XOR of each one's)."""
    zeros = bytes(TAIL)
    base = zlib.crc32(zeros)
    basis = {}
    for at in range(TAIL):
        change, positions = zlib.crc32(zeros[:at] + bytes([0x20 ^ 0x09]) + zeros[at + 1:]) ^ base, 1 << at
        while change:
            top = change.bit_length() - 1
            if top not in basis:
                basis[top] = (change, positions)
                break
            change, positions = change ^ basis[top][0], positions ^ basis[top][1]
    return basis


_TAIL_BASIS = _tail_basis()


def _tail(crc, target):
    """Return TAIL bytes of spaces and tabs that, after data whose CRC-32 is
    `crc`, make it `target`; None if none do."""
    change, positions = inflating.crc32(SPACES[:TAIL], crc) ^ target, 0
    while change:
        top = change.bit_length() - 1
        if top not in _TAIL_BASIS:
            return None
        change, positions = change ^ _TAIL_BASIS[top][0], positions ^ _TAIL_BASIS[top][1]
    tail = bytes(0x09 if positions >> at & 1 else 0x20 for at in range(TAIL))
    return tail if inflating.crc32(tail, crc) == target else None


class _SliceBook:
    """The workbook file the slices of one sheet are read from, and calamine's
    workbook open on it.

    Every part but the sheet (shared strings, styles, the workbook, the other
    sheets replaced by empty ones) is copied into it once, streamed from the
    upload, stored without compression; the sheet's entry comes last, with
    room for `capacity` bytes, and the zip directory after it. calamine opens
    the file once — reading its shared strings once, which for a ledger of
    unique voucher numbers is most of a second a time — and reads the sheet
    again for each slice. A slice is written into the entry in place of the
    previous one, followed by spaces (XML allows them after the root) to the
    entry's size, the last TAIL of them spaces or tabs chosen so that the
    entry keeps the CRC-32 the directory gives (calamine checks it): the
    directory, read by calamine when it opened the file, stays true."""

    LOCAL = struct.Struct("<4s2B4HL2L2H")
    CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
    END = struct.Struct("<4s4H2LH")
    DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01: slices need no real date
    CRC = 0  # of every slice's entry

    def __init__(self, zf, part, directory, capacity):
        self.part = part
        self.path = os.path.join(directory, "slice.xlsx")
        worksheets = set(sheet_parts(zf).values())
        with zipfile.ZipFile(self.path, "w", zipfile.ZIP_STORED) as out:
            for info in zf.infolist():
                if info.filename == part or info.is_dir():
                    continue
                if info.filename in worksheets:
                    out.writestr(info.filename, EMPTY_SHEET)
                    continue
                with zf.open(info) as src, out.open(info.filename, "w") as dst:
                    shutil.copyfileobj(src, dst, INPUT_BLOCK)
            entries = out.infolist()
        self.entries, self.end = [], 0
        with open(self.path, "rb") as fh:
            for info in entries:
                fh.seek(info.header_offset + 26)
                name_len, extra_len = struct.unpack("<HH", fh.read(4))
                self.end = max(self.end, info.header_offset + 30 + name_len + extra_len + info.compress_size)
                self.entries.append((info.filename.encode("utf-8"), info.flag_bits, info.CRC,
                                     info.compress_size, info.file_size, info.header_offset))
        self.book = None
        self._entry(capacity)

    def _entry(self, capacity):
        """Write the sheet's entry (`capacity` bytes of spaces) and the directory."""
        self.close()
        self.capacity = capacity
        name = self.part.encode("utf-8")
        flags = 0 if name.isascii() else 0x800
        entries = [*self.entries, (name, flags, self.CRC, capacity, capacity, self.end)]
        with open(self.path, "r+b") as fh:
            fh.seek(self.end)
            fh.write(self.LOCAL.pack(b"PK\x03\x04", 20, 0, flags, 0, 0, self.DOS_DATE, self.CRC, capacity, capacity,
                                     len(name), 0))
            fh.write(name)
            self.data = fh.tell()
            for start in range(0, capacity, len(SPACES)):
                fh.write(SPACES[:min(len(SPACES), capacity - start)])
            self.dirty = 0  # bytes from the entry's start that may hold other than spaces
            directory = fh.tell()
            for entry_name, entry_flags, entry_crc, packed, unpacked, offset in entries:
                fh.write(self.CENTRAL.pack(b"PK\x01\x02", 20, 3, 20, 0, entry_flags, 0, 0, self.DOS_DATE,
                                           entry_crc, packed, unpacked, len(entry_name), 0, 0, 0, 0,
                                           0o600 << 16, offset))
                fh.write(entry_name)
            after = fh.tell()
            fh.write(self.END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries), after - directory,
                                   directory, 0))
            fh.truncate()

    def write(self, pieces):
        """Make the sheet the concatenated `pieces`; return calamine's workbook."""
        size = sum(map(len, pieces))
        if size + TAIL > self.capacity:  # a slice longer than the room: a bigger entry, opened again
            self._entry(2 * (size + TAIL))
        crc = 0
        for piece in pieces:
            crc = inflating.crc32(piece, crc)
        padding = self.capacity - size - TAIL
        for start in range(0, padding, len(SPACES)):
            crc = inflating.crc32(SPACES[:min(len(SPACES), padding - start)], crc)
        tail = _tail(crc, self.CRC)
        if tail is None:  # no spaces and tabs give it (never seen): the directory is written again
            self._entry(self.capacity)
            return self.write(pieces)
        with open(self.path, "r+b") as fh:
            fh.seek(self.data)
            for piece in pieces:
                fh.write(piece)
            # Spaces over what the previous slice left beyond this one.
            stop = min(self.dirty, self.capacity - TAIL)
            for start in range(size, stop, len(SPACES)):
                fh.write(SPACES[:min(len(SPACES), stop - start)])
            fh.seek(self.data + self.capacity - TAIL)
            fh.write(tail)
        self.dirty = size
        if self.book is None:
            self.book = python_calamine.CalamineWorkbook.from_path(self.path)
        return self.book

    def reopen(self):
        """Return calamine's workbook opened afresh on the file."""
        self.close()
        self.book = python_calamine.CalamineWorkbook.from_path(self.path)
        return self.book

    def close(self):
        if self.book is not None:
            self.book.close()
            self.book = None


class ChunkedSheet:
    """Rows of one worksheet, read slice by slice; same rows as calamine's iter_rows.

    `start` is the sheet's first (row, column) like CalamineSheet.start;
    rows are padded on the left so every slice lines up with the first.
    """

    def __init__(self, path, sheet_name, slice_bytes, max_columns=None, lim=None):
        self.lim = lim or limits()
        self.max_columns = max_columns
        self.max_cells = self.lim.max_cells
        self.scan = SheetScan(sheet_name, self.lim)
        self.path = path
        self.sheet_name = sheet_name
        self.slice_bytes = slice_bytes
        self.zf = zipfile.ZipFile(path)
        self.part = sheet_parts(self.zf)[sheet_name]
        info = self.zf.getinfo(self.part)
        self.xml_bytes = info.file_size
        self._book = None
        self._extent = None
        self.start = None
        self.width = 0
        self.dimension_rows = None  # from <dimension ref="A1:H1000001"/>, when the file has one
        self._tmpdir = None

    def close(self):
        self.zf.close()
        if self._book is not None:
            self._book.close()
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None

    def _workbook(self, sheet_xml):
        """Return calamine's workbook whose sheet is now `sheet_xml` (open
        from the first slice to the last)."""
        # The slice workbook is a file (private, removed on close): calamine
        # reads a path without a Python call per block, a file-like object
        # with one (about 30 ms per 16 MB slice).
        if self._book is None:
            self._tmpdir = tempfile.TemporaryDirectory(prefix="xiezuo-slices-")
            # Room for a slice: `_slices` cuts one after at least slice_bytes,
            # within the block read last (a longer one makes a bigger entry).
            self._book = _SliceBook(self.zf, self.part, self._tmpdir.name, self.slice_bytes + 2 * READ_BLOCK)
        return self._book.write(sheet_xml)

    def _part_blocks(self):
        """Yield the worksheet part's XML in blocks of at most READ_BLOCK bytes."""
        return part_blocks(self.path, self.zf.getinfo(self.part), self.sheet_name)

    def _slices(self):
        """Yield complete worksheet XML documents holding consecutive row ranges."""
        blocks = self._part_blocks()
        try:
            buf = b""
            while b"<sheetData" not in buf:
                block = next(blocks, b"")
                if not block:
                    return
                buf += block
                if len(buf) > HEAD_BYTES:  # what comes before the rows is a few kilobytes
                    raise LedgerFileError(f"工作表“{self.sheet_name}”的内容异常（找不到数据区），文件可能已损坏，"
                                          "请在Excel中打开后另存为.xlsx再导入。")
            head_end = buf.index(b"<sheetData")
            close = buf.index(b">", head_end)
            prefix = buf[:head_end]
            self.scan.head(prefix)  # the declared dimension and column spans
            m = re.search(rb'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', prefix)
            if m:
                self.dimension_rows = int(m.group(1))
            if buf[close - 1:close] == b"/":  # <sheetData/>: no rows at all
                return
            # Without the dimension calamine sizes each slice by its own rows.
            prefix = re.sub(rb"<dimension[^>]*/>", b"", prefix) + b"<sheetData>"
            buf = bytearray(buf[close + 1:])
            end_tag, row_end = b"</sheetData>", b"</row>"
            end = buf.find(end_tag)
            eof = False
            while True:
                # Fill up to a slice, looking for the end tag in the new bytes
                # after their last </row> only: rows are all inside sheetData,
                # and a search of every byte costs 0.4 s a million rows. (A
                # file with a </row> after its sheetData is refused below as
                # incomplete, once its rows have been read.)
                while end < 0 and not eof and len(buf) < self.slice_bytes:
                    block = next(blocks, b"")
                    if not block:
                        eof = True
                        break
                    seen = max(len(buf) - len(end_tag), 0)
                    buf += block
                    end = buf.find(end_tag, max(seen, buf.rfind(row_end, seen)))
                if end >= 0:
                    # What follows the rows (the merged ranges) is read to the
                    # end, so the part's CRC is checked too.
                    self.scan.read_tail(buf[end:], blocks)
                    if memoryview(buf)[:end].tobytes().strip():
                        yield from self._fitting(prefix, buf, 0, end)
                    self.scan.finish()
                    return
                cut = buf.rfind(row_end)
                if cut < 0:
                    if eof or len(buf) > 4 * self.slice_bytes:
                        raise LedgerFileError(f"工作表“{self.sheet_name}”的内容不完整或单行过长（文件可能已损坏），"
                                              "请在Excel中打开后另存为.xlsx再导入。")
                    self.slice_bytes *= 2  # one row longer than a slice: take a bigger one
                    continue
                cut += len(row_end)
                yield from self._fitting(prefix, buf, 0, cut)
                del buf[:cut]  # the slice has been read
                end = buf.find(end_tag)
        finally:
            blocks.close()

    def _fitting(self, prefix, buf, start, end):
        """Yield the rows buf[start:end] as slice documents, each checked
        against the limits and with a dense range of at most `max_cells`.

        A run of rows whose first and last used cells lie too far apart (a
        sparse sheet) is cut in two at a row boundary and each half tried
        again; a single row cannot be cut, so one whose cells alone span too
        much (its cells name rows other than its own) is refused."""
        row = self.scan.row
        extent = self.scan.feed(buf, start, end)
        if extent is None or (extent[1] - extent[0] + 1) * (extent[3] - extent[2] + 1) <= self.max_cells:
            self._extent = extent  # where the slice's cells are: `_slice_rows` checks what calamine read
            view = memoryview(buf)[start:end]
            try:
                yield [prefix, view, b"</sheetData></worksheet>"]
            finally:
                view.release()  # the slice has been read: the buffer may shrink
            return
        middle = (start + end) // 2
        cut = buf.rfind(b"</row>", start, middle)
        if cut < 0:
            cut = buf.find(b"</row>", middle, end)
        cut = cut + len(b"</row>") if cut >= 0 else end
        if cut >= end:
            top, bottom, left, right = extent
            raise LedgerFileError(
                f"工作表“{self.sheet_name}”第{self.scan.row}行的单元格引用分散在{top}至{bottom}行、"
                f"{column_name(left)}至{column_name(right)}列，与所在行不符，文件可能已损坏，"
                "请在Excel中打开后另存为.xlsx再导入。")
        self.scan.row = row
        yield from self._fitting(prefix, buf, start, cut)
        yield from self._fitting(prefix, buf, cut, end)

    def iter_rows(self):
        """Return an iterator over every row from row 1 of the sheet (blank
        rows included, as calamine's iter_rows does), as lists of cell values
        starting at the sheet's first used column. Rows come a slice at a
        time through a C iterator: a Python generator step per row costs more
        than a million-row import can spare."""
        return itertools.chain.from_iterable(self._slice_rows())

    def _slice_rows(self):
        """Yield, per slice, the list of its rows (blank rows before it first)."""
        next_row = 0
        first_col = None
        for xml in self._slices():
            sheet = self._workbook(xml).get_sheet_by_name(self.sheet_name)
            extent = self._extent
            if sheet.start is not None and extent is not None and not (
                    extent[0] - 1 <= sheet.start[0] and sheet.end[0] <= extent[1] - 1):
                # The scan put every cell of the slice within those rows:
                # calamine read something else (an earlier slice, kept?).
                # Read the file again from scratch.
                sheet = self._book.reopen().get_sheet_by_name(self.sheet_name)
            if sheet.start is None:
                continue
            row0, col0 = sheet.start
            self.width = max(self.width, sheet.width)
            if self.max_columns and sheet.width > self.max_columns:
                raise LedgerFileError(f"工作表“{self.sheet_name}”有{sheet.width}列，超过上限{self.max_columns}列。")
            if first_col is None:
                first_col = col0
                self.start = (row0, col0)
            # to_python skips the empty area above the slice's first row
            # (iter_rows would yield every blank row from row 1 again).
            rows = sheet.to_python(skip_empty_area=True)
            del sheet
            pad = [""] * (col0 - first_col) if col0 > first_col else None
            if next_row < row0:
                # The blank rows between two slices all share one empty list:
                # a sparse sheet may leave a million of them.
                yield itertools.repeat(BLANK_ROW, row0 - next_row)
            next_row = row0 + len(rows)
            if col0 < first_col:
                rows = [cells[first_col - col0:] for cells in rows]
            elif pad:
                rows = [pad + cells for cells in rows]
            yield rows
            del rows
