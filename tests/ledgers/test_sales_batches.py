"""Big sales imports take chunks of rows as columns (importer `_columns`,
the sales spec's `batch_checker` and `insert_sale_columns`) and, on SQLite,
build the table's indexes once at the end (`DeferredIndexes`). Both must
give exactly what the row-by-row path gives, and fall back to it for any
row that needs a message."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection

from xiezuo.audit.models import AuditEvent
from xiezuo.consumption import totals
from xiezuo.consumption.models import Buyer, Channel, Product, Sale
from xiezuo.consumption.services import bulk_create_sales
from xiezuo.ledgers import bulk, importer
from xiezuo.ledgers.importer import run_import

from .make_samples import SALES_HEADER, table
from .parts import read_parts, write_parts

BUYERS = ["六合区示例中学（示例）", "南京个人消费者汇总（示例）"]
# (supplier as written, product, channel); the supplier may be left blank.
GOODS = [("青海湟源日月山醋业有限责任公司", "湟源陈醋", "食堂采购"), ("", "青稞米", "832平台"),
         ("", "湟源牦牛肉", "六合湟源消费扶贫专馆")]
ROWS = importer.CHUNK_ROWS + 700  # two chunks: the second one has no example row before it


def sale_row(i, **change):
    supplier, product, channel = GOODS[i % 3]
    quantity, price = i % 40 + 1, (i % 97 + 100) / 100
    row = {"date": datetime.date(2023, 1, 1) + datetime.timedelta(days=i % 300), "buyer": BUYERS[i % 2],
           "supplier": supplier, "product": product, "channel": channel, "kind": ["直接采购", "帮助销售"][i % 2],
           "quantity": quantity, "price": price,
           # Every fifth amount is left for quantity × price.
           "amount": "" if i % 5 == 0 else round(quantity * price, 2), "voucher": f"批量-{i:06d}",
           "note": "备注（示例）" if i % 7 == 0 else ""}
    row.update(change)
    return list(row.values())


def write(path, rows):
    table(path, SALES_HEADER, rows, sheet="消费帮扶销售")
    return path


def stored(seq):
    """The rows and audit events an import wrote, without ids and times."""
    rows = list(Sale.objects.filter(voucher_no__startswith="批量-").order_by("voucher_no").values(
        "date", "year", "month", "buyer_id", "supplier_id", "product_id", "channel_id", "kind", "quantity",
        "unit_price", "amount", "voucher_no", "note", "is_demo", "version"))
    events = list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq").values_list("action", "model"))
    return rows, events


def test_columns_store_exactly_what_rows_store(ctx_for, tmp_path, row_by_row, count_paths):
    spec, ctx = ctx_for("sales")
    path = write(tmp_path / "big.xlsx", [sale_row(i) for i in range(ROWS)])
    seq = AuditEvent.objects.first().seq
    fast = run_import(spec, ctx, path, commit=True)
    assert [str(e) for e in fast.errors] == [] and fast.added == ROWS
    assert [ok for *_, ok in count_paths] == [True, True]  # both chunks went as columns
    assert totals.differences() == []
    fast_rows, fast_events = stored(seq)
    assert len(fast_rows) == ROWS and fast_events == [("import", "consumption.Sale")]
    # The event of a batch names the file, its digest and the ids it created.
    event = AuditEvent.objects.get(seq__gt=seq)
    assert (event.after["count"], event.after["file"], event.after["first_id"], event.after["last_id"]) == (
        ROWS, "big.xlsx", min(fast.created_ids), max(fast.created_ids))
    assert event.after["amount_fen"] == sum(int(r["amount"] * 100) for r in fast_rows)
    Sale.objects.filter(voucher_no__startswith="批量-").delete()
    assert totals.differences() == []

    row_by_row()
    count_paths.clear()
    seq = AuditEvent.objects.first().seq
    slow = run_import(spec, ctx, path, commit=True)
    assert count_paths == [] and slow.added == ROWS
    slow_rows, _ = stored(seq)
    assert slow_rows == fast_rows
    assert (fast.sample_add, fast.notices, fast.total_rows) == (slow.sample_add, slow.notices, slow.total_rows)


def test_a_bad_row_in_a_chunk_is_worded_and_nothing_is_written(ctx_for, tmp_path, count_paths):
    spec, ctx = ctx_for("sales")
    rows = [sale_row(i) for i in range(ROWS)]
    rows[2100] = sale_row(2100, quantity=-3)  # sheet row 2102
    rows[2200] = sale_row(17)  # the same sale as sheet row 19
    path = write(tmp_path / "bad.xlsx", rows)
    before, seq = Sale.objects.count(), AuditEvent.objects.first().seq
    result = run_import(spec, ctx, path, commit=True)
    assert [str(e) for e in result.errors] == [
        "工作表“消费帮扶销售”第2102行“数量”列（值为“-3”）：应大于0",
        "工作表“消费帮扶销售”第2202行“销售日期、采购单位、产品、销售渠道、凭证号”列（值为“2023-01-18、"
        "南京个人消费者汇总（示例）、湟源牦牛肉、六合湟源消费扶贫专馆、批量-00001…”）：与第19行重复（销售日期、采购单位、产品、"
        "销售渠道、凭证号相同）",
    ]
    assert [ok for *_, ok in count_paths] == [True, False]  # the second chunk went row by row
    assert not result.committed and Sale.objects.count() == before and AuditEvent.objects.first().seq == seq


def test_rows_already_stored_are_skipped_by_the_row_path(ctx_for, tmp_path, count_paths):
    spec, ctx = ctx_for("sales")
    path = write(tmp_path / "twice.xlsx", [sale_row(i) for i in range(ROWS)])
    assert run_import(spec, ctx, path, commit=True).added == ROWS
    count_paths.clear()
    again = run_import(spec, ctx, path, commit=True)
    assert (again.added, again.skipped, [ok for *_, ok in count_paths]) == (0, ROWS, [False, False])


def sqlite_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                       "ORDER BY name", [Sale._meta.db_table])
        return cursor.fetchall()


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(bulk.DeferredIndexes, "MIN_ROWS", 1000)
    dropped = []
    original = bulk.DeferredIndexes.consider

    def spy(self, expected_rows):
        original(self, expected_rows)
        dropped.append(len(self.dropped))

    monkeypatch.setattr(bulk.DeferredIndexes, "consider", spy)
    return dropped


def test_indexes_are_rebuilt_exactly_after_a_big_import(ctx_for, tmp_path, small_threshold):
    spec, ctx = ctx_for("sales")
    if connection.vendor != "sqlite":
        # PostgreSQL keeps its indexes: dropping one would lock every reader out.
        result = run_import(spec, ctx, write(tmp_path / "big.xlsx", [sale_row(i) for i in range(ROWS)]),
                            commit=True)
        assert result.committed and small_threshold == [0]
        return
    before = sqlite_indexes()
    assert len(before) >= 5
    result = run_import(spec, ctx, write(tmp_path / "big.xlsx", [sale_row(i) for i in range(ROWS)]), commit=True)
    assert result.committed and small_threshold == [len(before)]
    assert sqlite_indexes() == before
    # The rebuilt indexes hold the new rows: a lookup through one finds them.
    buyer = Sale.objects.filter(voucher_no="批量-000001").values_list("buyer_id", flat=True).get()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {Sale._meta.db_table} INDEXED BY sale_buyer_date "
                       "WHERE buyer_id = %s AND voucher_no LIKE %s", [buyer, "批量-%"])
        assert cursor.fetchone()[0] == ROWS // 2


def test_a_failed_big_import_leaves_the_indexes(ctx_for, tmp_path, small_threshold, monkeypatch):
    spec, ctx = ctx_for("sales")
    # The first chunk is written (and the indexes dropped) before the bad row is read.
    monkeypatch.setattr(spec, "batch_size", 1000)
    before = sqlite_indexes() if connection.vendor == "sqlite" else None
    rows = [sale_row(i) for i in range(ROWS)]
    rows[-1] = sale_row(ROWS - 1, product="不存在的产品（示例）")
    count = Sale.objects.count()
    result = run_import(spec, ctx, write(tmp_path / "bad.xlsx", rows), commit=True)
    assert [e.message for e in result.errors] == ["找不到产品“不存在的产品（示例）”，请先在系统中登记或检查名称"]
    assert Sale.objects.count() == count
    if before is not None:
        assert small_threshold == [len(before)] and sqlite_indexes() == before


def test_numbers_that_are_not_numbers_are_refused(ctx_for, tmp_path):
    """A crafted sheet can hold NaN and infinity as numeric cells (Excel never
    writes them): refused with a message, never a crash."""
    spec, ctx = ctx_for("sales")
    path = write(tmp_path / "plain.xlsx", [sale_row(1, quantity=111.5, price=222.5, amount=333.5)])
    parts, sheet = read_parts(path)
    parts[sheet] = (parts[sheet].replace(b"<v>111.5</v>", b"<v>NaN</v>").replace(b"<v>222.5</v>", b"<v>inf</v>")
                    .replace(b"<v>333.5</v>", b"<v>-inf</v>"))
    crafted = tmp_path / "crafted.xlsx"
    write_parts(parts, crafted)
    count = Sale.objects.count()
    result = run_import(spec, ctx, crafted, commit=True)
    assert [str(e) for e in result.errors] == [
        "工作表“消费帮扶销售”第2行“数量”列（值为“nan”）：数值“nan”不在合理范围内",
        "工作表“消费帮扶销售”第2行“单价（元）”列（值为“inf”）：金额“inf”无法识别",
        "工作表“消费帮扶销售”第2行“金额（元）”列（值为“-inf”）：金额“-inf”无法识别",
    ]
    assert Sale.objects.count() == count


def test_a_sales_file_without_the_optional_voucher_column_imports(ctx_for, tmp_path):
    """凭证号 is optional: a ledger without that column once raised KeyError
    (the natural key names it); its rows import with an empty voucher."""
    spec, ctx = ctx_for("sales")
    at = SALES_HEADER.index("凭证号")
    header = SALES_HEADER[:at] + SALES_HEADER[at + 1:]
    rows = [sale_row(i, note="无凭证号（示例）") for i in range(3)]
    rows = [r[:at] + r[at + 1:] for r in rows]
    path = tmp_path / "no-voucher.xlsx"
    table(path, header, rows, sheet="消费帮扶销售")
    count = Sale.objects.count()
    result = run_import(spec, ctx, path, commit=True)
    assert not result.errors, [str(e) for e in result.errors]
    assert Sale.objects.count() == count + 3
    assert set(Sale.objects.filter(note="无凭证号（示例）").values_list("voucher_no", flat=True)) == {""}


@pytest.mark.parametrize("column,value", [("amount", 1e300), ("price", 1e300), ("amount", -1e300), ("quantity", 1e300)])
def test_an_absurd_number_is_refused_naming_the_cell(ctx_for, tmp_path, column, value):
    """A numeric cell of 1e300 once raised InvalidOperation (no column holds
    it): refused with a Chinese message naming sheet, row and column."""
    spec, ctx = ctx_for("sales")
    path = write(tmp_path / "huge.xlsx", [sale_row(1, **{column: value})])
    count = Sale.objects.count()
    result = run_import(spec, ctx, path, commit=True)
    messages = [str(e) for e in result.errors]
    assert len(messages) == 1 and messages[0].startswith("工作表“消费帮扶销售”第2行“"), messages
    assert any(name in messages[0] for name in ("金额", "单价", "数量"))
    assert Sale.objects.count() == count


def test_the_column_path_previews_the_stored_values(ctx_for, tmp_path, count_paths):
    """A chunk taken as columns shows, like the row path, the headers and each
    converted cell beside the value it will be stored as, in 元 whatever the
    header's unit; a blank amount shows the quantity × price it gets."""
    spec, ctx = ctx_for("sales")
    header = [h.replace("金额（元）", "金额（万元）") for h in SALES_HEADER]
    path = tmp_path / "wan.xlsx"
    table(path, header, [sale_row(1, quantity=100, price=12.8, amount=0.128),
                         sale_row(2, quantity=3, price=2.5, amount="")], sheet="消费帮扶销售")
    result = run_import(spec, ctx, path)
    assert [str(e) for e in result.errors] == [] and result.added == 2
    assert [ok for *_, ok in count_paths] == [True]  # the chunk went as columns
    assert result.sample_headers == [{"sheet": "消费帮扶销售", "headers": [h.lstrip("*") for h in header]}]
    first, second = (r["cells"] for r in result.sample_add)
    assert first[0] == "2023-01-02 → 2023年1月2日"
    assert first[6:9] == ["100", "12.8 → 12.80元", "0.128 → 1,280.00元"]
    assert second[6:9] == ["3", "2.5 → 2.50元", "（空） → 7.50元"]


# ------------------------------------------------ ledgers as offices write them
STATS_BUYER = "六合区统计局（示例）"  # a name with 计 in it: not a 合计 row


def office_row(i):
    """A row as offices write them: the date typed in one of six ways,
    nearly every price and amount distinct, quantities with decimals, a
    fifth of the optional cells blank (supplier, amount, voucher, note),
    an amount typed as text now and then. Rows without a voucher still
    differ in date, buyer or goods (the natural key)."""
    day = datetime.date(2023, 1, 1) + datetime.timedelta(days=i // 6)
    date = [day, f"{day.year}年{day.month}月{day.day}日", f"{day.year}/{day.month}/{day.day}",
            f"{day.year}.{day.month}.{day.day}", day.strftime("%Y%m%d"), day.isoformat()][i % 6]
    quantity = [i % 50 + 1, (i % 400 + 5) / 10, (i % 9000 + 1) / 1000][i % 3]
    price = (1000 + i * 7919 % 4_000_000) / 100
    amount = (Decimal(repr(quantity)) * Decimal(repr(price))).quantize(Decimal("0.01"), ROUND_HALF_UP)
    written = "" if i % 5 == 0 else f"{amount:,}" if i % 97 == 3 else float(amount)
    row = sale_row(i, date=date, quantity=quantity, price=price, amount=written,
                   voucher="" if i % 5 == 1 else f"批量-{i:06d}", note="" if i % 5 == 2 else f"备注{i % 13}（示例）")
    if i % 5 == 3:
        row[2] = ""  # the supplier follows the product
    if i % 11 == 4:
        row[1] = STATS_BUYER
    return row


def office_ledger(path, count, *, blank_at=(), subtotal_at=()):
    rows = []
    for i in range(count):
        if i in blank_at:
            rows.append([""] * len(SALES_HEADER))
        if i in subtotal_at:
            rows.append(["小 计", "", "", "", "", "", "", "", 1.0, "", ""])
        rows.append(office_row(i))
    rows.append(["合计", "", "", "", "", "", "", "", 123456.78, "", ""])
    table(path, SALES_HEADER, rows, sheet="消费帮扶销售",
          title=["2023年度消费帮扶销售台账", "填报单位：六合区（示例）    金额单位：元"], header_row=2)
    return path


def imported(result):
    """The rows an import stored, in file order, without ids."""
    return list(Sale.objects.filter(pk__in=result.created_ids).order_by("pk").values(
        "date", "year", "month", "buyer_id", "supplier_id", "product_id", "channel_id", "kind", "quantity",
        "unit_price", "amount", "voucher_no", "note", "is_demo", "version"))


@pytest.fixture
def stats_buyer(county):
    from xiezuo.consumption.models import Buyer

    return Buyer.objects.create(pairing=county, name=STATS_BUYER, kind="gov")


def test_an_office_ledger_goes_as_columns_and_stores_what_rows_store(ctx_for, tmp_path, stats_buyer, row_by_row,
                                                                     count_paths):
    """Text dates among date cells, blank optional cells, amounts typed as
    text, a blank row, a 小计 row and the 合计 row: every chunk still goes as
    columns, and stores exactly what the row path stores."""
    spec, ctx = ctx_for("sales")
    path = office_ledger(tmp_path / "office.xlsx", ROWS, blank_at={10, 2500}, subtotal_at={1500})
    fast = run_import(spec, ctx, path, commit=True)
    assert [str(e) for e in fast.errors] == [] and fast.added == ROWS
    assert [ok for *_, ok in count_paths] == [True, True]
    assert totals.differences() == []
    fast_rows = imported(fast)
    assert len({r["amount"] for r in fast_rows}) > ROWS * 0.9  # nearly every amount distinct
    assert sum(r["buyer_id"] == stats_buyer.pk for r in fast_rows) == len(range(4, ROWS, 11))
    Sale.objects.filter(pk__in=fast.created_ids).delete()

    row_by_row()
    count_paths.clear()
    slow = run_import(spec, ctx, path, commit=True)
    assert count_paths == [] and slow.added == ROWS
    assert imported(slow) == fast_rows
    assert (fast.sample_add, fast.notices, fast.total_rows, fast.skipped) == (
        slow.sample_add, slow.notices, slow.total_rows, slow.skipped)
    assert totals.differences() == []


def test_a_required_cell_left_blank_is_worded_by_the_row_path(ctx_for, tmp_path, stats_buyer, count_paths):
    spec, ctx = ctx_for("sales")
    rows = [office_row(i) for i in range(ROWS)]
    rows[2100][3] = ""  # 产品 of sheet row 2102
    path = tmp_path / "blank.xlsx"
    table(path, SALES_HEADER, rows, sheet="消费帮扶销售")
    count = Sale.objects.count()
    result = run_import(spec, ctx, path, commit=True)
    assert [str(e) for e in result.errors] == ["工作表“消费帮扶销售”第2102行“产品”列（值为空）：必填，不能为空"]
    assert [ok for *_, ok in count_paths] == [True, False]
    assert Sale.objects.count() == count


def test_a_chunk_from_slices_of_different_widths_goes_as_columns(ctx_for, tmp_path, stats_buyer, settings,
                                                                 row_by_row, count_paths):
    """A big sheet is read in slices; a slice whose rows all leave the last
    column blank is narrower than the others, and a chunk may hold rows of
    both."""
    spec, ctx = ctx_for("sales")
    rows = [office_row(i) for i in range(ROWS)]
    for row in rows[300:]:
        row[-1] = ""  # no note after the first 300 rows: later slices end a column earlier
    path = tmp_path / "narrowing.xlsx"
    table(path, SALES_HEADER, rows, sheet="消费帮扶销售")
    # Slices of at most 500 cells: about 19 rows each, in the common form's A to Z.
    settings.XIEZUO_LEDGER_LIMITS = {"slice_above_bytes": 0, "max_cells": 500}
    fast = run_import(spec, ctx, path, commit=True)
    assert [str(e) for e in fast.errors] == [] and [ok for *_, ok in count_paths] == [True, True]
    fast_rows = imported(fast)
    Sale.objects.filter(pk__in=fast.created_ids).delete()
    row_by_row()
    slow = run_import(spec, ctx, path, commit=True)
    assert imported(slow) == fast_rows and fast_rows[-1]["note"] == "" and fast_rows[0]["note"] == "备注0（示例）"


def test_a_cell_too_long_is_worded_by_the_row_path(ctx_for, tmp_path, stats_buyer, count_paths):
    """A name column (taken as known names, without a length pass) and a
    text column alike: the chunk goes row by row, which says the cell is too long."""
    spec, ctx = ctx_for("sales")
    rows = [office_row(i) for i in range(ROWS)]
    rows[100][1] = "长" * 6000  # 采购单位 of sheet row 102
    rows[2300][-1] = " " * 5990 + "备注（示例）"  # 备注 of sheet row 2302: spaces count too
    path = tmp_path / "long.xlsx"
    table(path, SALES_HEADER, rows, sheet="消费帮扶销售")
    result = run_import(spec, ctx, path, commit=True)
    assert [str(e) for e in result.errors] == [
        f"工作表“消费帮扶销售”第102行“采购单位”列（值为“{'长' * 20}”）：单元格内容过长：6000个字，上限5000个字",
        "工作表“消费帮扶销售”第2302行“备注”列（值为空）：单元格内容过长：5996个字，上限5000个字"]
    assert [ok for *_, ok in count_paths] == [False, False] and not result.committed


def test_a_duplicate_the_database_catches_refuses_the_import_whole(ctx_for, tmp_path, monkeypatch, count_paths):
    """A row the importer's checks let through but the table's natural key
    refuses (a sale stored by another writer after the keys were read) fails
    the whole import with the duplicate message: on PostgreSQL the COPY that
    meets it runs behind the reading, and its error surfaces at the next
    statement; nothing is written and the connection is left as it was."""
    spec, ctx = ctx_for("sales")
    monkeypatch.setattr(spec, "batch_size", 1000)  # several COPYs, the failing one not the last
    begin = spec.begin

    def begin_then_another_writer(ctx):
        begin(ctx)
        _, product, channel = GOODS[5 % 3]
        product = Product.objects.get(pairing=ctx.pairing, name=product)
        bulk_create_sales([Sale(pairing=ctx.pairing, date=datetime.date(2023, 1, 6), kind=Sale.HELPED,
                                buyer=Buyer.objects.get(pairing=ctx.pairing, name=BUYERS[5 % 2]), product=product,
                                supplier_id=product.supplier_id, channel=Channel.objects.get(name=channel),
                                amount=Decimal("1.00"), voucher_no="批量-000005")])

    monkeypatch.setattr(spec, "begin", begin_then_another_writer)
    count, seq = Sale.objects.count(), AuditEvent.objects.first().seq
    result = run_import(spec, ctx, write(tmp_path / "dup.xlsx", [sale_row(i) for i in range(ROWS)]), commit=True)
    assert [e.message for e in result.errors] == [importer.DUPLICATE_MESSAGE] and not result.committed
    assert count_paths and all(ok for *_, ok in count_paths)  # the rows went as columns
    assert Sale.objects.count() == count and not AuditEvent.objects.filter(seq__gt=seq).exists()
    assert connection.execute_wrappers == [] and totals.differences() == []
