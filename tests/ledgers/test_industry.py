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
