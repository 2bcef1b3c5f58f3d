"""The optional columns the counting rules added (docs/modules/rules.md):
拨付单位层级 in the funds ledger and 产地（县） in the products ledger — given,
left blank, or left out of the sheet altogether."""

import datetime
from decimal import Decimal

import openpyxl

from xiezuo.consumption.models import Product
from xiezuo.funds.models import FundReceipt
from xiezuo.ledgers.importer import run_import
from xiezuo.pairings.models import Region


def sheet(path, title, header, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_funds_payer_level_given_blank_or_absent(ctx_for, county, tmp_path):
    spec, ctx = ctx_for("funds")
    with_column = sheet(tmp_path / "levels.xlsx", "资金到位",
                        ["年度", "资金类型", "拨付单位", "拨付单位层级", "文号", "到位日期", "金额（元）"], [
                            [2023, "财政援助资金", "", "省级", "层级L1号", datetime.date(2023, 6, 1), 100],
                            [2023, "财政援助资金", "", "市本级", "层级L2号", datetime.date(2023, 6, 1), 200],
                            [2023, "财政援助资金", "南京市六合区人民政府", "", "层级L3号", datetime.date(2023, 6, 1), 300],
                            [2023, "财政援助资金", "", "国家级", "层级L4号", datetime.date(2023, 6, 1), 400],
                        ])
    result = run_import(spec, ctx, with_column, commit=True)
    assert [str(e) for e in result.errors] == [
        "工作表“资金到位”第5行“拨付单位层级”列（值为“国家级”）：不是有效的选项，应为：省级、市级、县（区）级、乡镇（街道）级"]
    sheet(with_column, "资金到位", ["年度", "资金类型", "拨付单位", "拨付单位层级", "文号", "到位日期", "金额（元）"], [
        [2023, "财政援助资金", "", "省级", "层级L1号", datetime.date(2023, 6, 1), 100],
        [2023, "财政援助资金", "", "市本级", "层级L2号", datetime.date(2023, 6, 1), 200],
        [2023, "财政援助资金", "南京市六合区人民政府", "", "层级L3号", datetime.date(2023, 6, 1), 300],
    ])
    result = run_import(spec, ctx, with_column, commit=True)
    assert result.errors == [] and result.added == 3
    levels = dict(FundReceipt.objects.filter(doc_number__startswith="层级L").values_list("doc_number", "payer_level"))
    assert levels == {"层级L1号": "province", "层级L2号": "city", "层级L3号": "county"}

    without = sheet(tmp_path / "plain.xlsx", "资金到位", ["年度", "资金类型", "文号", "到位日期", "金额（元）"],
                    [[2023, "财政援助资金", "层级P1号", datetime.date(2023, 7, 1), 100]])
    township = county.children.get(level="township", east_region__name="雄州街道")
    from xiezuo.ledgers.spec import Context

    run_import(spec, ctx, without, commit=True)
    run_import(spec, Context(pairing=township, user=ctx.user), without, commit=True)
    got = dict(FundReceipt.objects.filter(doc_number="层级P1号").values_list("pairing_id", "payer_level"))
    assert got == {county.pk: "county", township.pk: "township"}
    # An update import without the column keeps a stated level.
    FundReceipt.objects.filter(doc_number="层级P1号", pairing=county).update(payer_level="province")
    sheet(without, "资金到位", ["年度", "资金类型", "文号", "到位日期", "金额（元）"],
          [[2023, "财政援助资金", "层级P1号", datetime.date(2023, 7, 1), 150]])
    result = run_import(spec, ctx, without, mode="update", commit=True)
    assert result.updated == 1
    receipt = FundReceipt.objects.get(doc_number="层级P1号", pairing=county)
    assert (receipt.amount, receipt.payer_level) == (Decimal("150.00"), "province")


def test_products_origin_given_or_the_suppliers_county(ctx_for, county, tmp_path):
    spec, ctx = ctx_for("products")
    other = Region.objects.create(code="639903000000", name="示例产地县（示例）", full_name="西宁市示例产地县（示例）",
                                  level="county", parent=Region.objects.get(name="西宁市"), is_832=True)
    path = sheet(tmp_path / "products.xlsx", "产品", ["供应商", "产品名称", "产品类别", "计量单位", "产地（县）"], [
        ["青海湟源日月山醋业有限责任公司", "产地测试甲（示例）", "调味品", "瓶", "西宁市示例产地县（示例）"],
        ["青海湟源日月山醋业有限责任公司", "产地测试乙（示例）", "调味品", "瓶", ""],
        ["青海湟源日月山醋业有限责任公司", "产地测试丙（示例）", "调味品", "瓶", "大华镇"],
    ])
    result = run_import(spec, ctx, path, commit=True)
    assert [str(e) for e in result.errors] == [
        "工作表“产品”第4行“产地（县）”列（值为“大华镇”）：找不到县级区划“大华镇”，请先在系统中登记或检查名称"]
    path = sheet(path, "产品", ["供应商", "产品名称", "产品类别", "计量单位", "产地（县）"], [
        ["青海湟源日月山醋业有限责任公司", "产地测试甲（示例）", "调味品", "瓶", "639903000000"],
        ["青海湟源日月山醋业有限责任公司", "产地测试乙（示例）", "调味品", "瓶", ""],
    ])
    assert run_import(spec, ctx, path, commit=True).added == 2
    origins = dict(Product.objects.filter(name__startswith="产地测试").values_list("name", "origin_region__name"))
    assert origins == {"产地测试甲（示例）": other.name, "产地测试乙（示例）": "湟源县"}
