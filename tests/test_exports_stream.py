"""The streamed rows of lib.exports (`Sheet.stream`): each value comes out of
the file exactly as `Sheet.cell` writes it through xlsxwriter — typed, styled,
formula-looking text as quoted text — and writing stays in constant memory."""

import datetime
import json
import math
import os
import re
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import python_calamine

from lib.exports import Book
from tests.test_exports import HOSTILE, unescaped

ROOT = Path(__file__).resolve().parent.parent

# Every kind of value an export hands the writer, and the odd ones.
VALUES = [
    *HOSTILE,
    "湟源陈醋", " 前导空格", "末尾空格 ", "A&B <公司>", "第一行\n第二行", "制表\t符", "控制\x01字符", "_x000D_ 字面",
    "\ufffe", "1+1", "0012", "TRUE", "",
    None, 0, -5, 12345678901, 3.25, -0.5, 1e-7, 1.5e16, 0.1 + 0.2, Decimal("-1234.50"), Decimal("4300000000.01"),
    float("inf"), float("nan"), True, False,
    datetime.date(2022, 6, 26), datetime.date(1900, 1, 1), datetime.date(1900, 2, 28), datetime.date(1900, 3, 1),
    datetime.date(1899, 12, 31), datetime.datetime(2022, 6, 26, 13, 45, 30),
    datetime.datetime(2022, 6, 26, 8, 0, tzinfo=datetime.timezone.utc),
]
WIDTH = 7


def rows():
    """VALUES laid out in rows of WIDTH cells, each value in a different column
    in turn (so every value meets every column's style)."""
    cells = VALUES * WIDTH
    return [[cells[(r * WIDTH + c + r) % len(cells)] for c in range(WIDTH)] for r in range(len(VALUES))]


def write(path, streamed):
    book = Book(path, text_format=True)
    money = book.style(num_format="#,##0.00")
    bordered = book.style(border=1)
    header = book.style(bold=True, bg_color="#DDEBF7")
    styles = [None, money, bordered, None, money, None, bordered]
    sheet = book.sheet("表")
    sheet.set_row(0, 30)
    sheet.set_column(3, 3, 14, book.date)
    sheet.row(0, 0, [f"列{c}" for c in range(WIDTH)], header)
    if streamed:
        assert sheet.stream(rows(), styles) == len(VALUES)
    else:
        for r, values in enumerate(rows(), start=1):
            for c, value in enumerate(values):
                sheet.cell(r, c, value, styles[c])
    sheet.freeze_panes(1, 0)
    book.close()
    return path


def described(cell):
    """What openpyxl reads of a cell's type and style."""
    return (cell.data_type, cell.number_format, cell.quotePrefix, cell.border.left.style, cell.font.b, cell.is_date)


def values(path):
    """The values the importer's reader (python-calamine) reads."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name("表").to_python(skip_empty_area=False)


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        # xlsxwriter writes 16 significant digits, the stream the shortest
        # exact form: the same number either way.
        return a == pytest.approx(b, rel=1e-15) or (math.isnan(a) and math.isnan(b))
    return a == b


# Column D carries a date format, which numbers written without a style take
# (as xlsxwriter gives them): openpyxl then warns about numbers too big for dates.
@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date")
def test_streamed_rows_read_back_exactly_as_cell_writes_them(tmp_path):
    cell_path = write(tmp_path / "cell.xlsx", streamed=False)
    stream_path = write(tmp_path / "stream.xlsx", streamed=True)
    by_cell, by_stream = openpyxl.load_workbook(cell_path)["表"], openpyxl.load_workbook(stream_path)["表"]
    assert by_stream.dimensions == by_cell.dimensions == f"A1:G{len(VALUES) + 1}"
    assert by_stream.freeze_panes == "A2" and by_stream.row_dimensions[1].height == 30
    compared = 0
    for a, b in zip(by_cell.iter_rows(), by_stream.iter_rows(), strict=True):
        for x, y in zip(a, b, strict=True):
            assert described(y) == described(x), (x.coordinate, described(x), described(y))
            compared += 1
    assert compared == (len(VALUES) + 1) * WIDTH
    read_cell, read_stream = values(cell_path), values(stream_path)
    assert len(read_stream) == len(read_cell) == len(VALUES) + 1
    for r, (a, b) in enumerate(zip(read_cell, read_stream, strict=True)):
        assert all(same(x, y) for x, y in zip(a, b, strict=True)), (r, a, b)


@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date")
def test_streamed_text_is_never_a_formula_and_values_keep_their_types(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path / "stream.xlsx", streamed=True))["表"]
    found = set()
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if cell.data_type == "s":
                text = unescaped(cell.value)
                assert cell.number_format == "@", cell.coordinate  # stays text when edited
                if text in HOSTILE:
                    assert cell.quotePrefix, cell.coordinate
                    found.add(text)
    assert found == set(HOSTILE)
    # The stored serials of dates and the exact float of each number.
    cells = {(c.value, c.data_type, c.is_date) for row in ws.iter_rows(min_row=2) for c in row}
    assert (datetime.datetime(2022, 6, 26), "d", True) in cells
    assert (datetime.datetime(2022, 6, 26, 13, 45, 30), "d", True) in cells
    assert (datetime.datetime(2022, 6, 26, 8, 0), "d", True) in cells  # the zone dropped, as cell() drops it
    assert (0.30000000000000004, "n", False) in cells and (12345678901, "n", False) in cells
    assert ("控制_x0001_字符", "s", False) in cells  # a control character as Excel escapes it
    assert ("inf", "s", False) in cells and (True, "b", False) in cells


def test_streamed_sheet_xml_is_escaped_and_rows_are_ordered(tmp_path):
    path = write(tmp_path / "stream.xlsx", streamed=True)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        xml = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "A&amp;B &lt;公司&gt;" in xml and "_x005F_x000D_ 字面" in xml and "<f>" not in xml
    numbers = [int(n) for n in re.findall(r'<row r="(\d+)"', xml)]
    assert numbers == list(range(1, len(VALUES) + 2))


def test_a_streamed_sheet_refuses_cells_among_its_rows_and_a_second_stream(tmp_path):
    book = Book(tmp_path / "t.xlsx")
    sheet = book.sheet("表")
    sheet.cell(0, 0, "表头")
    with pytest.raises(ValueError):
        sheet.stream([["x"]], first_row=0)
    assert sheet.stream([["a"], ["b"]]) == 2
    with pytest.raises(ValueError):
        sheet.cell(2, 0, "写进流里")
    with pytest.raises(ValueError):
        sheet.stream([["c"]])
    book.close()
    assert [c.value for c in openpyxl.load_workbook(tmp_path / "t.xlsx")["表"]["A"]] == ["表头", "a", "b"]


CHILD = r"""
import datetime, json, sys
from lib.exports import Book

def peak_kb():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))

n = int(sys.argv[1])
book = Book(sys.argv[2], text_format=True)
money = book.style(num_format="#,##0.00")
sheet = book.sheet("销售")
sheet.row(0, 0, ["销售日期", "采购单位", "产品", "数量", "金额", "备注"])
day = datetime.date(2022, 1, 1)
rows = ([day + datetime.timedelta(days=i % 365), f"南京市六合区示例采购单位{i % 5000}机关食堂",
         f"湟源县示例合作社{i % 2000}青稞挂面（500克×20袋）", float(i % 1000 + 1), (i * 7919 % 5_000_000) / 100,
         "" if i % 5 == 0 else f"=备注{i}"] for i in range(n))
written = sheet.stream(rows, [None, None, None, None, money, None], first_row=1)
book.close()
print(json.dumps({"rows": written, "peak_kb": peak_kb()}))
"""


def stream_in_child(n, path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", CHILD, str(n), str(path)], cwd=ROOT, env=env, capture_output=True,
                          check=False)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    answer = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert answer["rows"] == n
    return answer["peak_kb"] / 1024


def test_streaming_more_rows_costs_no_more_memory(tmp_path):
    """A child streams 5,000 and then 100,000 rows: the peak does not grow
    with the rows (xlsxwriter without constant_memory held every cell)."""
    small = stream_in_child(5_000, tmp_path / "small.xlsx")
    big = stream_in_child(100_000, tmp_path / "big.xlsx")
    assert big - small < 10, (small, big)
    ws = openpyxl.load_workbook(tmp_path / "big.xlsx", read_only=True)["销售"]
    last = list(ws.iter_rows(min_row=100_001, values_only=True))
    assert last == [(datetime.datetime(2022, 1, 1) + datetime.timedelta(days=99_999 % 365),
                     "南京市六合区示例采购单位4999机关食堂", "湟源县示例合作社1999青稞挂面（500克×20袋）", 1000.0,
                     99_999 * 7919 % 5_000_000 / 100, "=备注99999")]
