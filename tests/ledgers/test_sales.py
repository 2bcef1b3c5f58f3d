"""The consumption ledgers: sales (written through the consumption module's
bulk API), buyers, suppliers and products."""

import datetime
from decimal import Decimal

import pytest

from xiezuo.audit.models import AuditEvent
from xiezuo.consumption.models import Buyer, BuyerTotal, Product, Sale, Supplier
from xiezuo.ledgers.importer import run_import

D = datetime.date


def messages(result):
    return [str(e) for e in result.errors]


def test_valid_sales_update_the_totals_once_per_batch(ctx_for, samples, county):
    spec, ctx = ctx_for("sales")
    buyer_total = BuyerTotal.objects.filter(buyer__name="六合区示例中学（示例）", year=2022)
    before_fen = sum(t.amount_fen for t in buyer_total)
    seq = AuditEvent.objects.first().seq
    result = run_import(spec, ctx, samples / "sales" / "valid.xlsx", commit=True)
    assert messages(result) == [] and result.added == 3
    rice = Sale.objects.get(voucher_no="样例销售-002")
    # The amount left blank is quantity × price; the supplier follows the product.
    assert (rice.amount, rice.quantity, rice.supplier.organisation.name, rice.channel.name, rice.kind) == (
        Decimal("4800.00"), Decimal("500.000"), "湟源县示例青稞种植专业合作社（示例）", "832平台", "purchased")
    assert (rice.year, rice.month) == (2022, 6)
    assert sum(t.amount_fen for t in buyer_total.all()) - before_fen == 128000 + 480000
    [event] = AuditEvent.objects.filter(seq__gt=seq)
    assert (event.action, event.model, event.after["count"]) == ("import", "consumption.Sale", 3)
    assert "valid.xlsx" in event.summary


def test_tolerant_sales(ctx_for, samples):
    spec, ctx = ctx_for("sales")
    result = run_import(spec, ctx, samples / "sales" / "tolerant.xlsx", commit=True)
    assert messages(result) == []
    vinegar = Sale.objects.get(voucher_no="样例销售-T1")
    assert (vinegar.date, vinegar.quantity, vinegar.unit_price, vinegar.amount, vinegar.channel.code,
            vinegar.kind) == (D(2022, 6, 26), Decimal("100.000"), Decimal("12.80"), Decimal("1280.00"), "canteen",
                              "purchased")
    potato = Sale.objects.get(voucher_no="样例销售-T2")
    assert (potato.date, potato.amount, potato.product.name) == (D(2022, 6, 27), Decimal("3200.00"), "马铃薯")


def test_sales_errors_and_nothing_written(ctx_for, samples):
    spec, ctx = ctx_for("sales")
    n = Sale.objects.count(), AuditEvent.objects.count()
    result = run_import(spec, ctx, samples / "sales" / "errors.xlsx", commit=True)
    assert messages(result) == [
        "工作表“消费帮扶销售”第2行“采购单位”列（值为“不存在的采购单位（示例）”）：找不到采购单位“不存在的采购单位（示例）”，请先在系统中登记或检查名称",
        "工作表“消费帮扶销售”第3行“金额（元）”列（值为“9999”）：金额9,999.00元与数量100×单价12.80元=1,280.00元不符（允许误差0.01元）",
        "工作表“消费帮扶销售”第4行“供应商”列（值为“湟源县示例马铃薯家庭农场（示例）”）：供应商与产品所属供应商不一致",
        "工作表“消费帮扶销售”第5行“数量”列（值为“0”）：应大于0",
    ]
    assert (Sale.objects.count(), AuditEvent.objects.count()) == n


def test_sales_without_the_channel_column_take_the_other_channel(ctx_for, samples):
    # 销售渠道 is optional (amount-only ledgers have none): the shared “其他”
    # channel stands for it; a missing required column is refused (test_amount_only.py).
    spec, ctx = ctx_for("sales")
    result = run_import(spec, ctx, samples / "sales" / "missing_column.xlsx", commit=True)
    assert messages(result) == [] and result.added == 1
    sale = Sale.objects.get(pk=result.created_ids[0])
    assert (sale.channel.code, sale.channel.pairing_id, sale.kind, sale.amount) == (
        "other", None, "purchased", Decimal("12.80"))


def test_reference_ledgers(ctx_for, samples, county):
    for ledger in ("buyers", "suppliers", "products"):
        spec, ctx = ctx_for(ledger)
        result = run_import(spec, ctx, samples / ledger / "valid.xlsx", commit=True)
        assert messages(result) == [] and result.committed, ledger
    clinic = Buyer.objects.get(pairing=county, name="六合区示例卫生院（示例）")
    assert (clinic.kind, clinic.is_budget_unit) == ("public", True)
    assert Supplier.objects.get(organisation__name="湟源县示例农牧业开发有限公司（示例）").contact == "示例联系人"
    noodles = Product.objects.get(name="青稞挂面（示例）")
    assert (noodles.supplier.organisation.name, noodles.category, noodles.unit, noodles.certified_until) == (
        "湟源县示例青稞种植专业合作社（示例）", "grain", "袋", D(2023, 12, 31))


@pytest.mark.parametrize("ledger,expected", [
    ("buyers", [
        "工作表“采购单位”第2行“预算单位”列（值为“是”）：个人汇总不是预算单位",
        "工作表“采购单位”第3行“单位类型”列（值为“医院”）：不是有效的选项，应为：机关、事业单位、国有企业、民营企业、工会、个人汇总",
        "工作表“采购单位”第3行“预算单位”列（值为“也许”）：应填写“是”或“否”",
    ]),
    ("suppliers", [
        "工作表“供应商”第2行“生产经营主体”列（值为“湟源县人民医院”）：供应商应为企业、合作社或家庭农场，“湟源县人民医院”的单位类型为医院",
        "工作表“供应商”第3行“生产经营主体”列（值为“不存在的合作社（示例）”）：找不到单位“不存在的合作社（示例）”，请先在系统中登记或检查名称",
    ]),
    ("products", [
        "工作表“产品”第2行“产品类别”列（值为“饮料”）：不是有效的选项，应为：粮油、肉类、调味品、蔬菜、豆类干货、中藏药材、水果、手工艺品、其他",
        "工作表“产品”第3行“消费帮扶产品认定编号”列（值为空）：填写了认定有效期，请同时填写消费帮扶产品认定编号",
    ]),
])
def test_reference_errors(ctx_for, samples, ledger, expected):
    spec, ctx = ctx_for(ledger)
    n = spec.model.objects.count(), AuditEvent.objects.count()
    result = run_import(spec, ctx, samples / ledger / "errors.xlsx", commit=True)
    assert messages(result) == expected
    assert (spec.model.objects.count(), AuditEvent.objects.count()) == n
