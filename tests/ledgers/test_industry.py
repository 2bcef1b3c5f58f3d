"""Ledgers of the industry module: donations."""

import datetime
from decimal import Decimal

from xiezuo.audit.models import AuditEvent
from xiezuo.industry.models import Donation
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
