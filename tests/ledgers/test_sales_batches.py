"""Big sales imports take chunks of rows as columns (importer `_columns`,
the sales spec's `batch_checker` and `insert_sale_columns`) and, on SQLite,
build the table's indexes once at the end (`DeferredIndexes`). Both must
give exactly what the row-by-row path gives, and fall back to it for any
row that needs a message."""

import datetime

import pytest
from django.db import connection

from xiezuo.audit.models import AuditEvent
from xiezuo.consumption import totals
from xiezuo.consumption.models import Sale
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
