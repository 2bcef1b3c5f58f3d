"""One result, two paths: the same generated sales ledgers — amounts in 元 or
万元, dates as cells and as typed text, blank optional cells, now and then a
bad row — go through the column path (importer `_columns` with the sales
spec's `batch_checker`) and the row path (`handle`), and store the same rows,
totals and audit events, or refuse with the same errors."""

import contextlib
import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiezuo.audit.models import AuditEvent
from xiezuo.consumption.models import Sale, SaleTotal
from xiezuo.ledgers import importer
from xiezuo.ledgers.importer import run_import

from .make_samples import table

pytestmark = pytest.mark.django_db

CHUNK = 40  # rows per chunk in these tests, so a few dozen rows make several chunks
BUYERS = ["六合区示例中学（示例）", "南京个人消费者汇总（示例）"]
GOODS = [("青海湟源日月山醋业有限责任公司", "湟源陈醋", "食堂采购"), ("", "青稞米", "832平台"),
         ("", "湟源牦牛肉", "六合湟源消费扶贫专馆")]
DATE_FORMS = [None, "{y}年{m}月{d}日", "{y}/{m}/{d}", "{y}.{m}.{d}", "{y}{m:02d}{d:02d}", "{y}-{m:02d}-{d:02d}"]


@st.composite
def sale_rows(draw, wan):
    n = draw(st.integers(min_value=1, max_value=3 * CHUNK))
    rows = []
    for i in range(n):
        date = datetime.date(2023, 1, 1) + datetime.timedelta(days=draw(st.integers(0, 364)))
        form = draw(st.sampled_from(DATE_FORMS))
        date_cell = date if form is None else form.format(y=date.year, m=date.month, d=date.day)
        supplier, product, channel = draw(st.sampled_from(GOODS))
        quantity = draw(st.integers(1, 5000))
        price = Decimal(draw(st.integers(1, 99_999))) / 100
        amount = (quantity * price).quantize(Decimal("0.01"))
        amount_cell = ""
        if draw(st.booleans()):  # else blank: quantity × price
            amount_cell = float(amount / 10_000) if wan else float(amount)
        rows.append([date_cell, BUYERS[i % 2], supplier if draw(st.booleans()) else "", product, channel,
                     draw(st.sampled_from(["直接采购", "帮助销售"])), quantity, float(price), amount_cell,
                     f"两路-{i:05d}" if draw(st.integers(0, 4)) else "",
                     "" if draw(st.integers(0, 4)) else "备注（示例）"])
    if draw(st.integers(0, 3)) == 0:  # a bad row somewhere: the same message either way
        bad = draw(st.integers(0, n - 1))
        rows[bad][draw(st.sampled_from([6, 3, 0]))] = draw(st.sampled_from(["-3", "不存在的产品", "2023年13月1日"]))
    return rows


def header(wan):
    return ["*销售日期", "*采购单位", "供应商", "*产品", "*销售渠道", "*类型", "*数量", "*单价（元）",
            "金额（万元）" if wan else "金额（元）", "凭证号", "备注"]


@contextlib.contextmanager
def row_path_only():
    from xiezuo.ledgers.specs.sales import SalesSpec

    original = SalesSpec.batch_checker
    SalesSpec.batch_checker = lambda self, ctx: None
    try:
        yield
    finally:
        SalesSpec.batch_checker = original


def outcome(spec, ctx, path):
    """Import inside a savepoint rolled back afterwards; return what it did."""
    with transaction.atomic():
        seq = AuditEvent.objects.first().seq
        result = run_import(spec, ctx, path, commit=True)
        rows = list(Sale.objects.filter(pk__in=result.created_ids).order_by("pk").values(
            "date", "buyer_id", "supplier_id", "product_id", "channel_id", "kind", "quantity", "unit_price", "amount",
            "voucher_no", "note"))
        totals = sorted(SaleTotal.objects.filter(pairing=ctx.pairing).values_list(
            "year", "month", "channel_id", "kind", "n", "amount_fen"))
        # Every row is in exactly one batch event, whichever path took it; a
        # batch whose chunks went partly as columns and partly row by row is
        # recorded as two events (one per insert), so the events are compared
        # by what they cover: how many rows and how much money, per model.
        covered = {}
        for e in AuditEvent.objects.filter(seq__gt=seq):
            n_rows, fen = covered.get((e.action, e.model), (0, 0))
            covered[(e.action, e.model)] = (n_rows + (e.after.get("count") or 0), fen + (e.after.get("amount_fen") or 0))
        events = sorted(covered.items())
        transaction.set_rollback(True)
    return [str(e) for e in result.errors], rows, totals, events, result.sample_add


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_column_and_row_paths_give_one_result(data, ctx_for, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_ROWS", CHUNK)
    wan = data.draw(st.booleans(), label="万元")
    rows = data.draw(sale_rows(wan), label="rows")
    path = tmp_path / "two-paths.xlsx"
    table(path, header(wan), rows, sheet="消费帮扶销售")
    spec, ctx = ctx_for("sales")
    taken = []
    original = importer._SheetRows._columns

    def spy(self, chunk, first):
        ok = original(self, chunk, first)
        taken.append(ok)
        return ok

    monkeypatch.setattr(importer._SheetRows, "_columns", spy)
    fast = outcome(spec, ctx, path)
    with row_path_only():
        slow = outcome(spec, ctx, path)
    assert fast == slow
    errors, stored, *_ = fast
    assert errors or len(stored) == len(rows)


def test_a_clean_file_goes_as_columns_and_stores_wan_amounts(ctx_for, tmp_path, monkeypatch):
    """Which path a clean file takes is asserted, not assumed: a 万元 column
    ignored by the column path would be caught by the amount check and
    quietly redone row by row — right numbers, lost speed."""
    monkeypatch.setattr(importer, "CHUNK_ROWS", CHUNK)
    rows = [[datetime.date(2023, 3, 1) + datetime.timedelta(days=i), BUYERS[i % 2], *GOODS[0][:1], GOODS[0][1],
             GOODS[0][2], "直接采购", 10 + i, 12.5, (10 + i) * 12.5 / 10_000, f"列-{i:04d}", ""] for i in range(2 * CHUNK)]
    path = tmp_path / "clean.xlsx"
    table(path, header(True), rows, sheet="消费帮扶销售")
    taken = []
    original = importer._SheetRows._columns

    def spy(self, chunk, first):
        ok = original(self, chunk, first)
        taken.append(ok)
        return ok

    monkeypatch.setattr(importer._SheetRows, "_columns", spy)
    spec, ctx = ctx_for("sales")
    result = run_import(spec, ctx, path, commit=True)
    assert [str(e) for e in result.errors] == [] and result.added == 2 * CHUNK
    assert taken == [True, True]
    amounts = list(Sale.objects.filter(voucher_no__startswith="列-").order_by("voucher_no").values_list("amount",
                                                                                                        flat=True))
    assert amounts == [Decimal(10 + i) * Decimal("12.5") for i in range(2 * CHUNK)]
