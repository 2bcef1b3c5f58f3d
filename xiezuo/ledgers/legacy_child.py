"""Write an older spreadsheet (.xls, WPS .et, .ods) out as an .xlsx.

Run as a script in a child process (`legacy.py` starts it), never imported
by the web process: it holds itself to an address-space limit before it
loads calamine, so a file that makes calamine ask for gigabytes ends this
process (an allocation failure in Rust aborts) and not the server's.

    python -I legacy_child.py SOURCE KIND TARGET MEMORY MAX_ROWS MAX_COLUMNS MAX_CELLS

KIND is "xls" (an OLE compound file: Excel 97-2003 or WPS) or "ods". The
target keeps the sheets in order with their names and visibility, every
cell with its type (numbers, text, booleans, dates and times as dates), the
hidden rows and columns and the merged ranges: the importer reads it as
any .xlsx, through the same checks. calamine reports neither hidden rows nor
hidden columns, and no merged range of an .ods, so those are read here from
the file itself: the BIFF records ROW and COLINFO of an .xls (through a
small reader of the compound file), and the attributes of an .ods's
content.xml (through expat, with no DTD allowed: no entity is ever
expanded).

Exit status: 0 written (stdout: "peak KB"), 3 refused (stdout: the
message, "{file}" standing for the file's name), anything else a failure
(the parent words it).
"""

import bisect
import datetime
import mmap
import resource
import struct
import sys
import zipfile

REFUSED = 3
OLE_END = 0xFFFFFFFE
OLE_FREE = 0xFFFFFFFF


class Refused(Exception):
    """The file is refused; the message is for the user."""


# ------------------------------------------------------------------ .xls


def _ole_stream(data, names):
    """Return the first stream of the compound file `data` named in `names`
    (bytes), None when there is none; refuse an encrypted workbook."""
    if len(data) < 512:
        return None
    sector_size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
    if sector_size not in (512, 4096) or mini_size != 64:
        return None
    fat_count, first_dir = struct.unpack_from("<II", data, 0x2C)
    cutoff, first_minifat, _, first_difat, difat_count = struct.unpack_from("<IIIII", data, 0x38)
    sectors = (len(data) - sector_size) // sector_size
    per_sector = sector_size // 4

    def sector(n):
        if n >= sectors:
            raise ValueError("sector outside the file")
        start = (n + 1) * sector_size
        return data[start:start + sector_size]

    # The FAT's own sectors: 109 listed in the header, the rest in DIFAT sectors.
    fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
    n, seen = first_difat, 0
    while n not in (OLE_END, OLE_FREE) and seen <= difat_count and seen <= sectors:
        entries = struct.unpack(f"<{per_sector}I", sector(n))
        fat_sectors.extend(entries[:-1])
        n, seen = entries[-1], seen + 1
    fat = []
    for n in fat_sectors[:fat_count]:
        fat.extend(struct.unpack(f"<{per_sector}I", sector(n)))

    def chain(start, table, limit):
        n, out = start, []
        while n not in (OLE_END, OLE_FREE):
            if n >= len(table) or len(out) > limit:
                raise ValueError("broken sector chain")
            out.append(n)
            n = table[n]
        return out

    directory = b"".join(sector(n) for n in chain(first_dir, fat, sectors))
    entries = {}
    root = None
    for at in range(0, len(directory) - 127, 128):
        length, kind = struct.unpack_from("<HB", directory, at + 64)
        name = directory[at:at + max(min(length, 64) - 2, 0)].decode("utf-16-le", "replace")
        start, size = struct.unpack_from("<II", directory, at + 116)
        if kind == 5:
            root = (start, size)
        elif kind == 2:
            entries.setdefault(name, (start, size))
    if "EncryptedPackage" in entries or "EncryptionInfo" in entries:
        raise Refused("{file}已加密（设置了打开密码），请在Excel或WPS中取消密码后另存为.xlsx再导入。")
    for wanted in names:
        if wanted not in entries:
            continue
        start, size = entries[wanted]
        if size > len(data):
            raise ValueError("stream larger than the file")
        if size >= cutoff or root is None:
            body = b"".join(sector(n) for n in chain(start, fat, sectors))
            return body[:size]
        # A small stream lives in the mini stream, in 64-byte sectors.
        mini_stream = b"".join(sector(n) for n in chain(root[0], fat, sectors))
        minifat = []
        for n in chain(first_minifat, fat, sectors):
            minifat.extend(struct.unpack(f"<{per_sector}I", sector(n)))
        body = b"".join(mini_stream[k * 64:(k + 1) * 64] for k in chain(start, minifat, len(minifat)))
        return body[:size]
    return None


def xls_layout(path, max_cells):
    """Return [(sheet name, hidden rows, hidden columns)] in the workbook's
    sheet order, read from the BIFF8 records (0-based rows and columns).

    calamine sizes a sheet by its DIMENSIONS record before reading a cell:
    a sheet declaring more than `max_cells` is refused here first."""
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        try:
            stream = _ole_stream(mm, ("Workbook", "Book", "WORKBOOK", "BOOK"))
        except (ValueError, struct.error):
            return []
    if stream is None:
        return []
    sheets, at = [], 0
    # The globals substream lists the sheets (BOUNDSHEET8) up to its EOF.
    while at + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, at)
        body = stream[at + 4:at + 4 + size]
        at += 4 + size
        if kind == 0x000A:  # EOF
            break
        if kind == 0x0085 and size >= 8:  # BOUNDSHEET8
            offset = struct.unpack_from("<I", body)[0]
            count, flags = body[6], body[7] if size > 7 else 0
            raw = body[8:8 + count * (2 if flags & 1 else 1)]
            name = raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")
            sheets.append((name, offset))
    out = []
    for name, offset in sheets:
        rows, columns = set(), set()
        at = offset
        while 0 <= at and at + 4 <= len(stream):
            kind, size = struct.unpack_from("<HH", stream, at)
            body = stream[at + 4:at + 4 + size]
            at += 4 + size
            if kind == 0x000A:
                break
            if kind == 0x0200 and size >= 12:  # DIMENSIONS: first row, last row + 1, first column, last column + 1
                top, bottom, left, right = struct.unpack_from("<IIHH", body)
                if bottom > top and right > left and (bottom - top) * (right - left) > max_cells:
                    raise Refused(f"工作表“{name}”声明的范围{column_name(left + 1)}{top + 1}:{column_name(right)}{bottom}"
                                  f"过大（{(bottom - top) * (right - left)}个单元格，上限{max_cells}个），"
                                  "请删除多余内容，在Excel或WPS中另存为.xlsx后导入。")
            if kind == 0x0208 and size >= 16:  # ROW: fDyZero (0x20) is a hidden row
                if struct.unpack_from("<H", body, 12)[0] & 0x20:
                    rows.add(struct.unpack_from("<H", body)[0])
            elif kind == 0x007D and size >= 10:  # COLINFO: fHidden (0x01)
                first, last = struct.unpack_from("<HH", body)
                if struct.unpack_from("<H", body, 8)[0] & 1:
                    columns.update(range(first, min(last, 255) + 1))
        out.append((name, rows, columns))
    return out


# ------------------------------------------------------------------ .ods

NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
NS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
T = NS_TABLE + "|"


def column_name(number):
    name = ""
    while number:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


def ods_layout(path, max_rows, max_columns, max_cells):
    """Return [(sheet name, hidden row ranges, hidden columns, merges)] of an
    .ods, refusing a sheet whose used cells (repeats counted) break the
    limits before calamine builds them. Ranges and merges are 0-based."""
    from xml.parsers import expat

    sheets = []
    state = {"sheet": None, "row": 0, "rows_repeated": 1, "column": 0, "columns": 0, "cell": None,
             "depth": 0, "total": 0}

    def refuse_doctype(*args):
        raise Refused("{file}的内容含有DTD声明（可能是恶意构造的文件），已拒绝。")

    def extend(sheet, top, bottom, left, right):
        if bottom >= max_rows or right >= max_columns:
            row, column = min(bottom, 10 ** 9) + 1, min(right, 10 ** 7) + 1
            raise Refused(f"工作表“{sheet['name']}”的单元格{column_name(column)}{row}超出允许范围"
                          f"（最多{max_columns}列、{max_rows}行），请删除多余内容或拆分后导入。")
        e = sheet["extent"]
        sheet["extent"] = (top, bottom, left, right) if e is None else (
            min(e[0], top), max(e[1], bottom), min(e[2], left), max(e[3], right))

    def number(attrs, name):
        value = attrs.get(T + name, "1")
        return int(value) if value.isdigit() and 0 < len(value) < 12 else 1

    def start(name, attrs):
        sheet = state["sheet"]
        if state["cell"] is not None:
            state["cell"][2] = True  # the cell holds something (a paragraph, a note)
            return
        if name == T + "table" and sheet is None:
            sheet = {"name": attrs.get(T + "name", ""), "hidden_rows": [], "hidden_columns": set(),
                     "merges": [], "extent": None}
            state.update(sheet=sheet, row=0, columns=0)
        elif sheet is None:
            return
        elif name == T + "table-column":
            repeated = number(attrs, "number-columns-repeated")
            if attrs.get(T + "visibility") in ("collapse", "filter") and state["columns"] < max_columns:
                sheet["hidden_columns"].update(range(state["columns"], min(state["columns"] + repeated, max_columns)))
            state["columns"] += repeated
        elif name == T + "table-row":
            repeated = number(attrs, "number-rows-repeated")
            state.update(rows_repeated=repeated, column=0)
            if attrs.get(T + "visibility") in ("collapse", "filter"):
                ranges, first, last = sheet["hidden_rows"], state["row"], state["row"] + repeated - 1
                if ranges and ranges[-1][1] + 1 == first:
                    ranges[-1] = (ranges[-1][0], last)  # runs of hidden rows kept as one range
                else:
                    ranges.append((first, last))
        elif name in (T + "table-cell", T + "covered-table-cell"):
            repeated = number(attrs, "number-columns-repeated")
            filled = (NS_OFFICE + "|value-type") in attrs
            state["cell"] = [state["column"], repeated, filled]
            if name == T + "table-cell":
                across, down = number(attrs, "number-columns-spanned"), number(attrs, "number-rows-spanned")
                if across > 1 or down > 1:
                    if len(sheet["merges"]) >= 100_000:
                        raise Refused(f"工作表“{sheet['name']}”的合并单元格过多，请取消合并后再导入。")
                    sheet["merges"].append((state["row"], state["column"], state["row"] + down - 1,
                                            state["column"] + across - 1))
            state["column"] += repeated

    def end(name):
        sheet = state["sheet"]
        if sheet is None:
            return
        cell = state["cell"]
        if cell is not None:
            if name not in (T + "table-cell", T + "covered-table-cell"):
                return
            state["cell"] = None
            left, repeated, filled = cell
            if filled:
                extend(sheet, state["row"], state["row"] + state["rows_repeated"] - 1, left, left + repeated - 1)
        elif name == T + "table-row":
            state["row"] += state["rows_repeated"]
            state["rows_repeated"] = 1
        elif name == T + "table":
            e = sheet["extent"]
            if e is not None:
                state["total"] += (e[1] - e[0] + 1) * (e[3] - e[2] + 1)
                if state["total"] > max_cells:
                    raise Refused(f"{{file}}的内容过多（工作表“{sheet['name']}”等共约{state['total']}个单元格，"
                                  f"上限{max_cells}个），请在Excel或WPS中另存为.xlsx后导入。")
            sheets.append((sheet["name"], sheet["hidden_rows"], sheet["hidden_columns"], sheet["merges"]))
            state["sheet"] = None

    parser = expat.ParserCreate(namespace_separator="|")
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    with zipfile.ZipFile(path) as zf, zf.open("content.xml") as stream:
        try:
            while block := stream.read(1 << 20):
                parser.Parse(block, False)
            parser.Parse(b"", True)
        except expat.ExpatError as e:
            raise Refused(f"{{file}}的内容已损坏（content.xml第{e.lineno}行：{expat.errors.messages[e.code]}），"
                          "请在Excel或WPS中另存为.xlsx后导入。") from None
    return sheets


# ------------------------------------------------------------------ writing


def write_xlsx(source, kind, target, layout):
    import python_calamine
    import xlsxwriter

    book = python_calamine.CalamineWorkbook.from_path(source)
    out = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False,
                                       "strings_to_formulas": False, "strings_to_urls": False,
                                       "nan_inf_to_errors": True})
    date = out.add_format({"num_format": "yyyy-mm-dd"})
    stamp = out.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    clock = out.add_format({"num_format": "hh:mm:ss"})
    duration = out.add_format({"num_format": "[h]:mm:ss"})
    names = [name for name, *_ in layout]
    visible = None
    for index, meta in enumerate(book.sheets_metadata):
        if not str(meta.typ).endswith("WorkSheet"):
            continue
        # The layout read from the file, by name (or by place, as BIFF5
        # names are in a code page this reader does not decode).
        at = names.index(meta.name) if meta.name in names else index
        extras = layout[at] if at < len(layout) else None
        sheet = book.get_sheet_by_name(meta.name)
        ws = out.add_worksheet(meta.name)
        if not str(meta.visible).endswith(".Visible"):
            ws.hide()
        elif visible is None:
            visible = ws
        if kind == "xls":
            hidden_rows = sorted(extras[1]) if extras else []
            hidden_ranges = [(r, r) for r in hidden_rows]
            hidden_columns = extras[2] if extras else set()
            merges = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or ()]
        else:
            hidden_ranges = sorted(extras[1]) if extras else []
            hidden_columns = extras[2] if extras else set()
            merges = extras[3] if extras else []
        for column in sorted(hidden_columns):
            ws.set_column(column, column, None, None, {"hidden": True})
        starts = [first for first, _ in hidden_ranges]
        col0 = sheet.start[1] if sheet.start else 0
        for r, cells in enumerate(sheet.iter_rows()):
            at = bisect.bisect_right(starts, r) - 1
            if at >= 0 and hidden_ranges[at][0] <= r <= hidden_ranges[at][1]:
                ws.set_row(r, None, None, {"hidden": True})
            for c, value in enumerate(cells, start=col0):
                if value == "" or value is None:
                    continue
                kind_of = type(value)
                if kind_of is str:
                    ws.write_string(r, c, value)
                elif kind_of is bool:
                    ws.write_boolean(r, c, value)
                elif kind_of in (int, float):
                    ws.write_number(r, c, value)
                elif kind_of is datetime.datetime:
                    ws.write_datetime(r, c, value, stamp)
                elif kind_of is datetime.date:
                    ws.write_datetime(r, c, value, date)
                elif kind_of is datetime.time:
                    ws.write_datetime(r, c, value, clock)
                elif kind_of is datetime.timedelta:
                    ws.write_number(r, c, value.total_seconds() / 86400, duration)
                else:
                    ws.write_string(r, c, str(value))
        # merge_range writes cells, which constant_memory cannot do for rows
        # already written: the ranges go straight to the list the worksheet
        # writes as <mergeCells> (values stay in the top-left cells).
        for r1, c1, r2, c2 in merges:
            if (r1, c1) != (r2, c2):
                ws.merge.append([r1, c1, r2, c2])
    if visible is not None:
        visible.activate()
    book.close()
    out.close()


def main(argv):
    source, kind, target, memory, max_rows, max_columns, max_cells = argv
    memory = int(memory)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        if kind == "ods":
            layout = ods_layout(source, int(max_rows), int(max_columns), int(max_cells))
        else:
            layout = xls_layout(source, int(max_cells))
        try:
            write_xlsx(source, kind, target, layout)
        except Exception as e:
            if type(e).__name__ == "PasswordError":
                raise Refused("{file}已加密（设置了打开密码），请在Excel或WPS中取消密码后另存为.xlsx再导入。") from None
            raise
    except Refused as e:
        sys.stdout.buffer.write(str(e).encode("utf-8"))
        return REFUSED
    sys.stdout.write(f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
