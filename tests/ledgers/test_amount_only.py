"""Sales ledgers as offices keep them: the amount alone (消费帮扶台账 with
购买单位, 产品名称, 供应商, 所属县, 购买金额（万元）, 购买时间, 是否832平台 and no
数量, 单价, 销售渠道 or 类型), no 凭证号, and identical purchases.

Written with openpyxl, as an office's own file would be (the big file of the
column-path test with xlsxwriter, like the other sales batch tests)."""

import datetime
from decimal import Decimal

import openpyxl
import pytest

from xiezuo.audit.models import AuditEvent
from xiezuo.consumption import totals
from xiezuo.consumption.models import Sale, Supplier
from xiezuo.ledgers import importer
from xiezuo.ledgers.importer import run_import

from .make_samples import table

D = datetime.date
HEADERS = ["购买单位", "产品名称", "供应商", "所属县", "购买金额（万元）", "购买时间", "是否832平台"]
SCHOOL, OFFICE = "六合区示例中学（示例）", "六合区示例机关事务管理局（示例）"
VINEGAR = ("湟源陈醋", "青海湟源日月山醋业有限责任公司")  # registered in 湟源县 itself
BARLEY = ("青稞米", "湟源县示例青稞种植专业合作社（示例）")  # registered in 和平乡, 湟源县


def purchase(buyer, goods, wan, day, via="", county="湟源县"):
    product, supplier = goods
    return [buyer, product, supplier, county, wan, day, via]


def ledger(path, rows, headers=HEADERS):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "消费帮扶台账"
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def messages(result):
    return [str(e) for e in result.errors]


def test_an_amount_only_ledger_imports_with_the_amounts_alone(ctx_for, tmp_path):
    spec, ctx = ctx_for("sales")
    path = ledger(tmp_path / "台账.xlsx", [
        purchase(SCHOOL, VINEGAR, 0.128, D(2023, 3, 1), "是"),
        purchase(OFFICE, BARLEY, 1.5, D(2023, 3, 2), "否"),
        purchase(SCHOOL, BARLEY, 0.03256, D(2023, 3, 3)),
    ])
    before = Sale.objects.count()
    result = run_import(spec, ctx, path, commit=True)
    assert messages(result) == [] and result.added == 3
    sales = Sale.objects.filter(pk__in=result.created_ids).order_by("date")
    assert [(s.buyer.name, s.product.name, s.amount, s.quantity, s.unit_price, s.channel.code, s.kind,
             s.voucher_no, s.repeat_no) for s in sales] == [
        (SCHOOL, "湟源陈醋", Decimal("1280.00"), None, None, "p832", "purchased", "", 1),
        (OFFICE, "青稞米", Decimal("15000.00"), None, None, "other", "purchased", "", 1),
        (SCHOOL, "青稞米", Decimal("325.60"), None, None, "other", "purchased", "", 1),
    ]
    assert [s.supplier.organisation.name for s in sales] == [VINEGAR[1], BARLEY[1], BARLEY[1]]
    assert totals.differences() == []

    again = run_import(spec, ctx, path, commit=True)
    assert messages(again) == [] and (again.added, again.skipped) == (0, 3)
    assert Sale.objects.count() == before + 3


def test_identical_purchases_in_one_file_are_all_kept_and_counted_once(ctx_for, tmp_path):
    spec, ctx = ctx_for("sales")
    same = purchase(SCHOOL, VINEGAR, 0.05, D(2023, 4, 1))
    path = ledger(tmp_path / "two.xlsx", [same, purchase(OFFICE, VINEGAR, 0.05, D(2023, 4, 1)), same])
    first = run_import(spec, ctx, path, commit=True)
    assert messages(first) == [] and first.added == 3
    school = Sale.objects.filter(buyer__name=SCHOOL, date=D(2023, 4, 1))
    assert sorted(school.values_list("repeat_no", "amount")) == [(1, Decimal("500.00")), (2, Decimal("500.00"))]

    again = run_import(spec, ctx, path, commit=True)
    assert messages(again) == [] and (again.added, again.skipped) == (0, 3)
    # A later ledger listing three such purchases that day adds the third only.
    third = run_import(spec, ctx, ledger(tmp_path / "three.xlsx", [same, same, same]), commit=True)
    assert messages(third) == [] and (third.added, third.skipped) == (1, 2)
    assert sorted(school.values_list("repeat_no", flat=True)) == [1, 2, 3]
    assert totals.differences() == []


TRIO = ["购买时间", "购买单位", "产品名称", "数量", "单价", "购买金额", "备注"]


@pytest.mark.parametrize("amount, accepted", [(100.01, False), (100.00, True), (99.98, True)])
def test_the_amount_may_differ_from_quantity_times_price_by_one_fen(ctx_for, tmp_path, amount, accepted):
    spec, ctx = ctx_for("sales")
    path = ledger(tmp_path / "trio.xlsx", [[D(2023, 5, 1), SCHOOL, "湟源陈醋", 3, 33.33, amount, "三项都填"]],
                  headers=TRIO)
    result = run_import(spec, ctx, path, commit=True)
    if accepted:  # 3 × 33.33 = 99.99: one 分 either way is rounding
        assert messages(result) == [] and result.added == 1
        assert Sale.objects.get(pk=result.created_ids[0]).amount == Decimal(str(amount)).quantize(Decimal("0.01"))
    else:
        assert messages(result) == [
            f"工作表“消费帮扶台账”第2行“购买金额”列（值为“{amount}”）：金额100.01元与数量3×单价33.33元=99.99元不符"
            "（允许误差0.01元）"]
        assert not result.committed and not Sale.objects.filter(note="三项都填").exists()


def test_two_of_amount_quantity_and_price_give_the_third(ctx_for, tmp_path):
    spec, ctx = ctx_for("sales")
    path = ledger(tmp_path / "two-of-three.xlsx", [
        [D(2023, 6, 1), SCHOOL, "湟源陈醋", 100, None, 1250, "数量和金额"],
        [D(2023, 6, 2), SCHOOL, "湟源陈醋", 1000, None, 15, "单价除不尽"],  # 0.015 → 0.02 × 1000 = 20 ≠ 15
        [D(2023, 6, 3), SCHOOL, "湟源陈醋", None, 12.5, 1250, "单价和金额"],
        [D(2023, 6, 4), SCHOOL, "湟源陈醋", None, 3, 1000, "数量除不尽"],
        [D(2023, 6, 5), SCHOOL, "湟源陈醋", 4, 2.5, None, "数量和单价"],
    ], headers=TRIO)
    result = run_import(spec, ctx, path, commit=True)
    assert messages(result) == [] and result.added == 5
    got = {s.note: (s.quantity, s.unit_price, s.amount) for s in Sale.objects.filter(pk__in=result.created_ids)}
    assert got == {
        "数量和金额": (Decimal("100.000"), Decimal("12.50"), Decimal("1250.00")),
        "单价除不尽": (Decimal("1000.000"), None, Decimal("15.00")),
        "单价和金额": (Decimal("100.000"), Decimal("12.50"), Decimal("1250.00")),
        "数量除不尽": (None, Decimal("3.00"), Decimal("1000.00")),
        "数量和单价": (Decimal("4.000"), Decimal("2.50"), Decimal("10.00")),
    }


def test_county_and_832_flag_must_agree_with_supplier_and_channel(ctx_for, tmp_path):
    spec, ctx = ctx_for("sales")
    headers = [*HEADERS, "销售渠道"]
    path = ledger(tmp_path / "checks.xlsx", [
        purchase(SCHOOL, VINEGAR, 0.1, D(2023, 7, 1), county="西宁市湟源县") + [""],  # the full name: fine
        purchase(SCHOOL, VINEGAR, 0.1, D(2023, 7, 2), county="大通县") + [""],
        purchase(SCHOOL, BARLEY, 0.1, D(2023, 7, 3), via="是") + ["食堂采购"],
        purchase(SCHOOL, BARLEY, 0.1, D(2023, 7, 4), via="否") + ["832平台"],
        purchase(SCHOOL, BARLEY, 0.1, D(2023, 7, 5), via="是") + ["832平台"],  # fine
    ], headers=headers)
    before, seq = Sale.objects.count(), AuditEvent.objects.first().seq
    result = run_import(spec, ctx, path, commit=True)
    assert messages(result) == [
        "工作表“消费帮扶台账”第3行“所属县”列（值为“大通县”）：所属县“大通县”与供应商“青海湟源日月山醋业有限责任公司”的"
        "注册地所在县“湟源县”不一致",
        "工作表“消费帮扶台账”第4行“是否832平台”列（值为“是”）：填写为“是”，但销售渠道不是832平台渠道",
        "工作表“消费帮扶台账”第5行“是否832平台”列（值为“否”）：填写为“否”，但销售渠道是832平台渠道",
    ]
    assert (Sale.objects.count(), AuditEvent.objects.first().seq) == (before, seq)


def test_a_supplier_outside_any_county_cannot_vouch_for_one(ctx_for, tmp_path):
    spec, ctx = ctx_for("sales")
    vinegar = Supplier.objects.get(organisation__name=VINEGAR[1])
    org = vinegar.organisation
    org.region = org.region.parent  # 西宁市: no county to compare with
    org.save()
    result = run_import(spec, ctx, ledger(tmp_path / "city.xlsx", [purchase(SCHOOL, VINEGAR, 0.1, D(2023, 7, 1))]),
                        commit=True)
    assert [e.message for e in result.errors] == [
        "供应商“青海湟源日月山醋业有限责任公司”的注册地不在某个县之内，无法核对所属县“湟源县”"]


def test_a_missing_required_column_is_named_with_its_headers(ctx_for, tmp_path):
    spec, ctx = ctx_for("sales")
    headers = [h for h in HEADERS if h != "产品名称"]
    path = ledger(tmp_path / "no-product.xlsx", [[SCHOOL, VINEGAR[1], "湟源县", 0.1, D(2023, 7, 1), ""]],
                  headers=headers)
    assert messages(run_import(spec, ctx, path, commit=True)) == [
        "工作表“消费帮扶台账”：缺少必填列“产品”（可用的表头：产品、产品名称、商品名称、商品、品名）"]


BIG = importer.CHUNK_ROWS + 600  # two chunks


def big_row(i):
    """Row i of a big amount-only ledger: no two rows alike (a day each)."""
    product, supplier = (VINEGAR, BARLEY)[i % 2]
    return [OFFICE if i % 3 == 0 else SCHOOL, product, supplier, "湟源县", round((i % 50 + 1) * 0.0123, 4),
            D(2016, 1, 1) + datetime.timedelta(days=i), ["是", "否", ""][i % 3]]


def stored_sales(ids):
    return list(Sale.objects.filter(pk__in=ids).order_by("date").values(
        "date", "buyer_id", "supplier_id", "product_id", "channel_id", "kind", "quantity", "unit_price", "amount",
        "voucher_no", "repeat_no"))


def test_a_big_amount_only_ledger_goes_as_columns_and_stores_what_rows_store(ctx_for, tmp_path, row_by_row,
                                                                             count_paths):
    spec, ctx = ctx_for("sales")
    path = tmp_path / "big.xlsx"
    table(path, HEADERS, [big_row(i) for i in range(BIG)], sheet="消费帮扶台账")
    fast = run_import(spec, ctx, path, commit=True)
    assert messages(fast) == [] and fast.added == BIG
    assert [ok for *_, ok in count_paths] == [True, True]  # both chunks went as columns
    assert totals.differences() == []
    fast_rows = stored_sales(fast.created_ids)
    assert len(fast_rows) == BIG and {r["quantity"] for r in fast_rows} == {None}
    again = run_import(spec, ctx, path, commit=True)
    assert (again.added, again.skipped) == (0, BIG)
    Sale.objects.filter(pk__in=fast.created_ids).delete()

    row_by_row()
    count_paths.clear()
    slow = run_import(spec, ctx, path, commit=True)
    assert count_paths == [] and slow.added == BIG
    assert stored_sales(slow.created_ids) == fast_rows
    assert totals.differences() == []


def test_identical_rows_in_a_chunk_go_row_by_row_and_are_numbered(ctx_for, tmp_path, count_paths):
    spec, ctx = ctx_for("sales")
    rows = [big_row(i) for i in range(BIG)]
    rows[-1] = rows[-2]  # the second chunk holds two identical purchases
    table(path := tmp_path / "twins.xlsx", HEADERS, rows, sheet="消费帮扶台账")
    result = run_import(spec, ctx, path, commit=True)
    assert messages(result) == [] and result.added == BIG
    assert [ok for *_, ok in count_paths] == [True, False]
    twins = Sale.objects.filter(pk__in=result.created_ids, date=rows[-1][5])
    assert sorted(twins.values_list("repeat_no", flat=True)) == [1, 2]


def test_update_mode_finds_amount_only_rows_by_the_fallback_key(ctx_for, tmp_path):
    """Without 凭证号 (and 销售渠道) an update finds each stored row by date,
    buyer, product, amount and place, changes only what the file adds, and
    leaves the columns it lacks as they are."""
    spec, ctx = ctx_for("sales")
    same = purchase(SCHOOL, VINEGAR, 0.05, D(2023, 8, 1), "是")
    first = run_import(spec, ctx, ledger(tmp_path / "first.xlsx", [same, same]), commit=True)
    assert messages(first) == [] and first.added == 2
    noted = ledger(tmp_path / "noted.xlsx", [same + ["第一笔"], same + ["第二笔"]], headers=[*HEADERS, "备注"])
    result = run_import(spec, ctx, noted, mode="update", commit=True)
    assert messages(result) == [] and (result.added, result.updated) == (0, 2)
    assert result.sample_update[0]["key"] == "2023-08-01、六合区示例中学（示例）、湟源陈醋、500、1"
    stored = Sale.objects.filter(pk__in=first.created_ids).order_by("repeat_no")
    assert [(s.repeat_no, s.note, s.channel.code) for s in stored] == [(1, "第一笔", "p832"), (2, "第二笔", "p832")]
    again = run_import(spec, ctx, noted, mode="update", commit=True)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
