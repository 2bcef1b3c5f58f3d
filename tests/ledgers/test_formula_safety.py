"""Every ledger export writes text typed as a formula as inert text and keeps
a negative amount a number, in the file reopened with openpyxl."""

from decimal import Decimal

import openpyxl
import pytest
from django.db import models

from lib.exports import is_dangerous
from xiezuo.consumption.models import Buyer, Product, Supplier
from xiezuo.funds.models import FundReceipt
from xiezuo.labour.models import Person
from xiezuo.ledgers.importer import run_import
from xiezuo.ledgers.spec import all_specs
from xiezuo.ledgers.writing import write_ledger
from xiezuo.pairings.models import Organisation

from ..test_exports import HOSTILE, unescaped

IMPORTER = {"disbursements": "huangyuan", "employment": "huangyuan", "talent": "huangyuan", "training": "huangyuan"}


def poison(model, limit=300):
    """Give every free-text field of up to `limit` rows of `model` a hostile
    value, cycling through the forms (the pk keeps unique fields unique).
    Fields with choices, and the encrypted, hashed and masked ones (not
    editable), keep their values."""
    fields = [f for f in model._meta.concrete_fields
              if isinstance(f, (models.CharField, models.TextField)) and f.editable and not f.choices
              and not f.primary_key]
    for n, pk in enumerate(model.objects.order_by("pk").values_list("pk", flat=True)[:limit]):
        values = {}
        for i, f in enumerate(fields):
            form = HOSTILE[(n + i) % len(HOSTILE)]
            text = f"{form[0]}{pk}{form[1:]}"  # the pk right after the starter survives truncation
            values[f.name] = text[:f.max_length] if f.max_length else text
        model.objects.filter(pk=pk).update(**values)


@pytest.mark.parametrize("ledger", sorted(all_specs()))
def test_ledger_export_writes_hostile_text_as_text(ledger, ctx_for, samples, tmp_path):
    spec, ctx = ctx_for(ledger, IMPORTER.get(ledger, "liuhe"))
    seeded = run_import(spec, ctx, samples / ledger / "valid.xlsx", commit=True)
    assert seeded.committed
    # The ledger's own rows and the named things they point at: people,
    # buyers, products, suppliers, organisations.
    for model in {spec.model, Person, Buyer, Product, Supplier, Organisation}:
        poison(model)
    out = tmp_path / "export.xlsx"
    write_ledger(spec, ctx, out)
    book = openpyxl.load_workbook(out)
    hostile = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and is_dangerous(unescaped(cell.value)):
                    assert cell.quotePrefix and cell.number_format == "@", (sheet.title, cell.coordinate)
                    hostile += sheet.title == spec.sheet
    assert hostile > 0, "no hostile text reached the ledger's sheet"


def test_a_negative_amount_stays_a_number(county, ctx_for, tmp_path):
    FundReceipt.objects.create(pairing=county, year=2022, kind="fiscal", doc_number="－冲减〔2022〕1号",
                               date="2022-06-26", amount=Decimal("-1500.50"), note="-红字冲减")
    spec, ctx = ctx_for("funds")
    out = tmp_path / "funds.xlsx"
    write_ledger(spec, ctx, out)
    ws = openpyxl.load_workbook(out)[spec.sheet]
    headers = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[headers.index("备注")].value == "-红字冲减")
    amount = next(c for c, h in zip(row, headers) if str(h).startswith("*金额"))
    assert (amount.value, amount.data_type) == (-1500.5, "n")
    note, doc = row[headers.index("备注")], next(c for c, h in zip(row, headers) if str(h).endswith("文号"))
    assert (note.data_type, note.quotePrefix) == ("s", True)
    assert (doc.value, doc.data_type, doc.quotePrefix) == ("－冲减〔2022〕1号", "s", True)
