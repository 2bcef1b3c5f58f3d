"""Ledgers of the industry module: donations, enterprises' investments."""

import datetime
from decimal import Decimal

from xiezuo.audit.models import AuditEvent
from xiezuo.industry.models import Donation, Investment
from xiezuo.ledgers.importer import run_import


def test_donations(ctx_for, samples, county):
    spec, ctx = ctx_for("donations")
    result = run_import(spec, ctx, samples / "donations" / "valid.xlsx", commit=True)
    assert [str(e) for e in result.errors] == [] and result.added == 2
    goods = Donation.objects.get(pairing=county, receipt_number="样例捐赠-002")
    assert (goods.date, goods.form, goods.amount, goods.items, goods.donor_kind) == (
        datetime.date(2022, 9, 1), "in_kind", Decimal("50000.00"), "米面油200份（示例）", "enterprise")


def test_donation_errors_and_nothing_written(ctx_for, samples):
    spec, ctx = ctx_for("donations")
    n = Donation.objects.count(), AuditEvent.objects.count()
    result = run_import(spec, ctx, samples / "donations" / "errors.xlsx", commit=True)
    assert [str(e) for e in result.errors] == [
        "工作表“社会帮扶捐赠”第2行“统一社会信用代码”列（值为“91320116MA1XXXXXX1”）：统一社会信用代码校验位错误：应为“X”，实际为“1”",
        "工作表“社会帮扶捐赠”第3行“捐赠物资”列（值为空）：捐物须填写捐赠物资（名称和数量）",
    ]
    assert (Donation.objects.count(), AuditEvent.objects.count()) == n


def test_enterprises(ctx_for, samples, county):
    spec, ctx = ctx_for("enterprises")
    result = run_import(spec, ctx, samples / "enterprises" / "valid.xlsx", commit=True)
    assert [str(e) for e in result.errors] == [] and result.added == 1
    cold = Investment.objects.get(pairing=county, project_name="示例冷链仓储项目（示例）")
    assert (cold.enterprise.name, cold.origin_region.name, cold.industry, cold.landed_on, cold.agreed_amount,
            cold.arrived_amount, cold.jobs, cold.jobs_poverty) == (
        "湟源县示例农牧业开发有限公司（示例）", "湟源县", "logistics", datetime.date(2022, 6, 1), Decimal("5000000.00"),
        Decimal("2000000.00"), 30, 12)


def test_enterprise_arrival_becomes_one_tranche_on_the_landing_day(ctx_for, samples, county):
    spec, ctx = ctx_for("enterprises")
    seq = AuditEvent.objects.first().seq
    run_import(spec, ctx, samples / "enterprises" / "valid.xlsx", commit=True)
    cold = Investment.objects.get(pairing=county, project_name="示例冷链仓储项目（示例）")
    assert [(a.date, a.amount) for a in cold.arrivals.all()] == [(datetime.date(2022, 6, 1), Decimal("2000000.00"))]
    event = AuditEvent.objects.filter(seq__gt=seq, model="industry.InvestmentArrival").get()
    assert event.action == "import" and event.after["count"] == 1


def test_enterprise_import_never_changes_the_sum_of_tranches(ctx_for, samples, county, tmp_path):
    from xiezuo.ledgers.writing import write_ledger

    spec, ctx = ctx_for("enterprises")
    run_import(spec, ctx, samples / "enterprises" / "valid.xlsx", commit=True)
    out = tmp_path / "export.xlsx"
    write_ledger(spec, ctx, out)
    import openpyxl

    wb = openpyxl.load_workbook(out)
    ws = wb[spec.sheet]
    titles = [str(c.value).lstrip("*") for c in ws[1]]
    for row in range(2, ws.max_row + 1):
        if ws.cell(row=row, column=titles.index("投资项目") + 1).value == "示例冷链仓储项目（示例）":
            ws.cell(row=row, column=titles.index("实际到位投资（元）") + 1, value=2500000)
    wb.save(out)
    result = run_import(spec, ctx, out, mode="update", commit=True)
    assert [e.message for e in result.errors] == [
        "实际到位投资由各笔投资到位记录汇总，不能通过本台账修改；请在投资到位台账或投资页面按笔登记"]
    assert Investment.objects.get(pairing=county, project_name="示例冷链仓储项目（示例）").arrived_amount \
        == Decimal("2000000.00")


def test_investment_arrivals(ctx_for, samples, county):
    spec, ctx = ctx_for("investment_arrivals")
    result = run_import(spec, ctx, samples / "investment_arrivals" / "valid.xlsx", commit=True)
    assert [str(e) for e in result.errors] == [] and result.added == 2
    processing = Investment.objects.get(pairing=county, project_name="青稞、牦牛肉精深加工项目（示例）")
    cold = Investment.objects.get(pairing=county, project_name="农畜产品冷链仓储项目（示例）")
    assert processing.arrived_amount == Decimal("6000000.00") and cold.arrived_amount == Decimal("3500000.00")
    assert cold.arrivals.get(date=datetime.date(2023, 5, 8)).amount == Decimal("500000.00")
    from xiezuo.figures import compute

    f = compute(county, [2023], ["industry"])["industry"]
    assert (f["investment_arrived"], f["enterprises_invested"]) == ("1500000.00", 2)


def test_investment_arrival_errors_and_nothing_written(ctx_for, samples):
    spec, ctx = ctx_for("investment_arrivals")
    from xiezuo.industry.models import InvestmentArrival

    n = InvestmentArrival.objects.count(), AuditEvent.objects.count()
    result = run_import(spec, ctx, samples / "investment_arrivals" / "errors.xlsx", commit=True)
    assert [str(e) for e in result.errors] == [
        "工作表“投资到位”第2行“投资项目”列（值为“不存在的项目（示例）”）：找不到投资项目“不存在的项目（示例）”，请先在系统中登记或检查名称",
        "工作表“投资到位”第3行“到位日期”列（值为“2022-06-01”）：到位日期不能早于签约日期（2022-06-27）",
        "工作表“投资到位”第4行“到位金额（元）”列（值为“0”）：金额应大于0",
        "工作表“投资到位”第6行“投资项目、到位日期”列（值为“农畜产品冷链仓储项目（示例）、2023-04-01”）：与第5行重复（投资项目、到位日期相同）",
    ]
    assert (InvestmentArrival.objects.count(), AuditEvent.objects.count()) == n


def test_enterprise_errors_and_nothing_written(ctx_for, samples):
    spec, ctx = ctx_for("enterprises")
    n = Investment.objects.count(), AuditEvent.objects.count()
    result = run_import(spec, ctx, samples / "enterprises" / "errors.xlsx", commit=True)
    assert [str(e) for e in result.errors] == [
        "工作表“招商引资”第2行“企业”列（值为“湟源县人民医院”）：找不到企业“湟源县人民医院”，请先在系统中登记或检查名称",
        "工作表“招商引资”第3行“其中脱贫劳动力（人）”列（值为“8”）：其中脱贫劳动力人数（8人）不能超过带动就业人数（5人）",
        "工作表“招商引资”第3行“落地日期”列（值为“2022-03-01”）：落地日期不能早于签约日期",
    ]
    assert (Investment.objects.count(), AuditEvent.objects.count()) == n
