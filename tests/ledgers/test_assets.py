"""The assets ledger: import, refusals, and a round trip that adds nothing
and keeps every value."""

import datetime
from decimal import Decimal

from xiezuo.assets.models import REGISTERED, Asset
from xiezuo.audit.models import AuditEvent
from xiezuo.ledgers.importer import run_import
from xiezuo.ledgers.writing import write_ledger


def test_import_registers_assets_of_accepted_projects(ctx_for, samples, county):
    spec, ctx = ctx_for("assets")
    result = run_import(spec, ctx, samples / "assets" / "valid.xlsx", commit=True)
    assert [str(e) for e in result.errors] == [] and result.added == 2
    a = Asset.objects.get(pairing=county, name="义务教育学校运动场（示例）")
    assert (a.project.code, a.kind, a.value, a.owner.name, a.handed_over_on, a.year, a.status, a.version) == (
        "HY-2022-01", "public", Decimal("9000000.00"), "湟源县教育局", datetime.date(2022, 11, 30), 2022, REGISTERED, 1)
    [event] = AuditEvent.objects.filter(action="import", model="assets.Asset")
    assert event.actor_name == "liuhe"


def test_errors_and_nothing_written(ctx_for, samples):
    spec, ctx = ctx_for("assets")
    n = Asset.objects.count(), AuditEvent.objects.count()
    result = run_import(spec, ctx, samples / "assets" / "errors.xlsx", commit=True)
    messages = [str(e) for e in result.errors]
    assert len(messages) == 2, messages
    assert "第2行" in messages[0] and "项目验收后方可登记资产" in messages[0]
    assert "第3行" in messages[1] and "示例不存在的单位" in messages[1]
    assert not result.committed
    assert (Asset.objects.count(), AuditEvent.objects.count()) == n


def test_export_then_import_adds_nothing_and_keeps_the_values(ctx_for, county, tmp_path):
    spec, ctx = ctx_for("assets")
    out = tmp_path / "export.xlsx"
    write_ledger(spec, ctx, out)
    stored = list(Asset.objects.filter(pairing=county).order_by("pk").values())
    assert len(stored) >= 7  # the demo's handed-over projects
    same = run_import(spec, ctx, out, mode="update", commit=True)
    assert [str(e) for e in same.errors] == [] and (same.added, same.updated, same.unchanged) == (0, 0, len(stored))
    assert list(Asset.objects.filter(pairing=county).order_by("pk").values()) == stored
