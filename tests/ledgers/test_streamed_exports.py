"""Whole-ledger exports, streamed: for every ledger the exported cells are the
stored rows and importing the export changes nothing; the drop-downs, dates
and formula-safe text of the template layout are all there; LibreOffice
reads the same values."""

import csv
import datetime
import subprocess
from decimal import Decimal

import openpyxl
import pytest

from lib.exports import is_dangerous
from tests.test_exports import HOSTILE, unescaped
from xiezuo.consumption.models import Sale
from xiezuo.consumption.services import bulk_create_sales
from xiezuo.ledgers.importer import run_import
from xiezuo.ledgers.spec import all_specs
from xiezuo.ledgers.writing import CODES_SHEET, HELP_SHEET, write_ledger

from .office_files import profile_dir, soffice
from .test_roundtrip import IMPORTER, snapshot

pytestmark = pytest.mark.django_db


def as_read(value):
    """A stored row's exported value as openpyxl reads it back."""
    if value == "" or value is None:
        return None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return datetime.datetime.combine(value, datetime.time())
    if isinstance(value, Decimal):
        return float(value)
    return value


def read_back(path, sheet):
    ws = openpyxl.load_workbook(path)[sheet]
    return [[unescaped(c.value) if isinstance(c.value, str) else c.value for c in row]
            for row in ws.iter_rows(min_row=2)]


@pytest.mark.parametrize("ledger", sorted(all_specs()))
def test_an_export_holds_the_stored_rows_and_imports_back_unchanged(ledger, ctx_for, samples, tmp_path):
    """The demo's rows and the sample ledger's, exported: every cell is the
    stored value, and importing the file in update mode changes nothing."""
    spec, ctx = ctx_for(ledger, IMPORTER.get(ledger, "liuhe"))
    assert run_import(spec, ctx, samples / ledger / "valid.xlsx", commit=True).committed
    out = tmp_path / "export.xlsx"
    count = write_ledger(spec, ctx, out)
    stored = [[as_read(v) for v in row] for row in spec.export_rows(ctx)]
    assert count == len(stored) > 0
    width = len(spec.columns)
    assert [row + [None] * (width - len(row)) for row in read_back(out, spec.sheet)] == stored

    before = snapshot(spec, ctx)
    again = run_import(spec, ctx, out, mode="update", commit=True)
    assert [str(e) for e in again.errors] == []
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(before))
    assert snapshot(spec, ctx) == before


NOTES = [*HOSTILE, "A&B <公司> 备注", " 前导空格", "末尾空格 ", "第一行\n第二行", "_x000D_ 字面"]


@pytest.fixture
def generated_sales(county):
    """2,000 more sales of the county, on the demo's buyers and products, with
    every hostile note and text needing escapes."""
    like = list(Sale.objects.filter(pairing=county).order_by("pk")[:20])
    assert like, "the demo has sales"
    day = datetime.date(2022, 3, 1)

    def sales():
        for i in range(2000):
            model = like[i % len(like)]
            yield Sale(pairing_id=county.pk, date=day + datetime.timedelta(days=i % 200), buyer_id=model.buyer_id,
                       product_id=model.product_id, channel_id=model.channel_id, kind=model.kind,
                       quantity=Decimal(i % 97 + 1), unit_price=Decimal("12.50") + i % 13,
                       amount=(Decimal(i % 97 + 1) * (Decimal("12.50") + i % 13)).quantize(Decimal("0.01")),
                       voucher_no=f"流式-{i:05d}", note=NOTES[i % len(NOTES)])

    bulk_create_sales(sales(), validate=False)
    return county


def test_a_big_sales_export_keeps_drop_downs_dates_and_text(generated_sales, ctx_for, tmp_path):
    spec, ctx = ctx_for("sales")
    out = tmp_path / "sales.xlsx"
    count = write_ledger(spec, ctx, out)
    assert count == Sale.objects.filter(pairing=generated_sales).count() >= 2000
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [spec.sheet, CODES_SHEET, HELP_SHEET]
    assert book[CODES_SHEET].sheet_state == "hidden"
    ws = book[spec.sheet]
    assert ws.dimensions == f"A1:{openpyxl.utils.get_column_letter(len(spec.columns))}{count + 1}"
    assert ws.freeze_panes == "A2"
    titles, headers = [c.title for c in spec.columns], [c.header for c in spec.columns]
    assert [str(c.value).lstrip("*") for c in ws[1]] == titles

    # The drop-downs: one list per code-list column, from the hidden code sheet, over every data row.
    lists = {}
    for v in ws.data_validations.dataValidation:
        [area] = v.sqref.ranges
        if v.type == "list":
            lists[area.min_col - 1] = (v.formula1, area.min_row, area.max_row)
    for header in ("销售渠道", "类型"):
        formula, first, last = lists[headers.index(header)]
        assert formula.startswith(f"'{CODES_SHEET}'!") and (first, last) == (2, 1_048_576)

    dates, amounts, hostile = headers.index("销售日期"), headers.index("金额"), set()
    for row in ws.iter_rows(min_row=2):
        assert row[dates].is_date and isinstance(row[dates].value, datetime.datetime)
        assert row[amounts].data_type == "n" and row[amounts].number_format == "#,##0.00"
        for cell in row:
            assert cell.data_type != "f"
            if cell.data_type == "s":
                assert cell.number_format == "@"
                if is_dangerous(unescaped(cell.value)):
                    assert cell.quotePrefix, cell.coordinate
                    hostile.add(unescaped(cell.value))
    assert hostile == set(HOSTILE)

    # The importer strips a cell's outer white space (as every form does):
    # the notes stored here with it, bypassing both, are the only changes.
    padded = sum(1 for note in Sale.objects.filter(pairing=generated_sales).values_list("note", flat=True)
                 if note != note.strip())
    assert padded > 0
    again = run_import(spec, ctx, out, mode="update", commit=True)
    assert [str(e) for e in again.errors] == []
    assert (again.added, again.updated, again.unchanged) == (0, padded, count - padded)


def shown(value, money):
    """A cell as LibreOffice writes it into CSV: its formatted text."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (float, Decimal)):
        if money:
            return f"{value:,.2f}"
        return format(Decimal(str(value)).normalize(), "f")
    return value


def test_libreoffice_reads_the_same_values(generated_sales, ctx_for, tmp_path, tmp_path_factory):
    spec, ctx = ctx_for("sales")
    out = tmp_path / "sales.xlsx"
    write_ledger(spec, ctx, out)
    # 44,34,76: comma, double quote, UTF-8; the first sheet, cells as shown.
    command = [soffice(), "--headless", "--norestore",
               f"-env:UserInstallation={profile_dir(tmp_path_factory).as_uri()}",
               "--convert-to", 'csv:Text - txt - csv (StarCalc):44,34,76', "--outdir", str(tmp_path / "lo"), str(out)]
    done = subprocess.run(command, capture_output=True, timeout=300, check=False)
    converted = tmp_path / "lo" / "sales.csv"
    assert converted.exists(), done.stderr.decode()
    with open(converted, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    money = [type(c).__name__ == "Amount" for c in spec.columns]
    expected = [[shown(v, m) for v, m in zip(row, money)] for row in spec.export_rows(ctx)]
    assert len(rows) == len(expected) + 1
    assert [c.lstrip("*") for c in rows[0]] == [c.title for c in spec.columns]
    # Every cell as shown: hostile text without its quote prefix, never a
    # formula's result; dates and amounts in their formats.
    assert rows[1:] == expected
