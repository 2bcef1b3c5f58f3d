"""Export → import is a round trip for every ledger: re-importing an export
changes nothing; editing one cell changes exactly that, with its audit event."""

from decimal import Decimal

import openpyxl
import pytest

from xiezuo.audit.models import AuditEvent
from xiezuo.ledgers.importer import run_import
from xiezuo.ledgers.spec import all_specs
from xiezuo.ledgers.writing import write_ledger

# ledger: (header of the edited column, new cell value, field, expected stored value)
EDITS = {
    "funds": ("金额（元）", 31000000, "amount", Decimal("31000000.00")),
    "projects": ("项目名称", "改名后的项目（示例）", "name", "改名后的项目（示例）"),
    "disbursements": ("用途", "改过的用途（示例）", "purpose", "改过的用途（示例）"),
    # The sample's first row is a process without bids: its only row.
    "tenders": ("代理机构", "改过的代理机构（示例）", "agent", "改过的代理机构（示例）"),
    "sales": ("备注", "改过的备注（示例）", "note", "改过的备注（示例）"),
    "buyers": ("单位类型", "国有企业", "kind", "soe"),
    "suppliers": ("联系人", "改过的联系人（示例）", "contact", "改过的联系人（示例）"),
    "products": ("计量单位", "箱", "unit", "箱"),
    "donations": ("用途", "改过的用途（示例）", "purpose", "改过的用途（示例）"),
    "enterprises": ("带动就业（人）", 40, "jobs", 40),
    "investment_arrivals": ("备注", "改过的备注（示例）", "note", "改过的备注（示例）"),
    "library": ("建设内容", "改过的建设内容（示例）", "content", "改过的建设内容（示例）"),
    "visits": ("主要议题/内容", "改过的议题（示例）", "topics", "改过的议题（示例）"),
    "agreed_items": ("西部责任单位", "湟源县教育局", "west_owner", "湟源县教育局"),
    "rectifications": ("整改措施", "改过的整改措施（示例）", "measures", "改过的整改措施（示例）"),
    "assets": ("备注", "改过的备注（示例）", "note", "改过的备注（示例）"),
    "disclosures": ("建设内容", "改过的建设内容（示例）", "content", "改过的建设内容（示例）"),
    "employment": ("月收入（元）", 4800, "monthly_income", Decimal("4800.00")),
    "talent": ("工作内容", "改过的工作内容（示例）", "note", "改过的工作内容（示例）"),
    "training": ("证书名称", "改过的证书名称（示例）", "certificate_name", "改过的证书名称（示例）"),
}
# Who imports each ledger (disbursements are the west office's to submit).
IMPORTER = {"disbursements": "huangyuan", "employment": "huangyuan", "talent": "huangyuan", "training": "huangyuan"}


def test_every_ledger_has_a_round_trip_case():
    assert set(all_specs()) <= set(EDITS)


def snapshot(spec, ctx):
    return list(spec.queryset(ctx).order_by("pk").values())


@pytest.mark.parametrize("ledger", sorted(set(EDITS) & set(all_specs())))
def test_round_trip(ledger, ctx_for, samples, tmp_path):
    user = IMPORTER.get(ledger, "liuhe")
    spec, ctx = ctx_for(ledger, user)
    seeded = run_import(spec, ctx, samples / ledger / "valid.xlsx", commit=True)
    assert seeded.committed and seeded.added > 0
    out = tmp_path / "export.xlsx"
    write_ledger(spec, ctx, out)
    before, seq = snapshot(spec, ctx), AuditEvent.objects.first().seq

    same = run_import(spec, ctx, out, mode="update", commit=True)
    assert [str(e) for e in same.errors] == []
    assert (same.added, same.updated, same.unchanged) == (0, 0, len(before))
    assert snapshot(spec, ctx) == before and AuditEvent.objects.first().seq == seq

    header, value, field, expected = EDITS[ledger]
    wb = openpyxl.load_workbook(out)
    ws = wb[spec.sheet]
    titles = [str(c.value).lstrip("*") for c in ws[1]]
    target_row = 1 + 1 + [r["id"] for r in before].index(seeded.created_ids[0])
    ws.cell(row=target_row, column=titles.index(header) + 1, value=value)
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)

    changed = run_import(spec, ctx, edited, mode="update", commit=True)
    assert [str(e) for e in changed.errors] == []
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, len(before) - 1)
    after = snapshot(spec, ctx)
    pk = seeded.created_ids[0]
    for old, new in zip(before, after):
        if old["id"] != pk:
            assert new == old
        else:
            diff = {k for k in new if new[k] != old[k]}
            assert diff <= {field, "version", "updated_at"} and field in diff
            assert new[field] == expected
    [event] = AuditEvent.objects.filter(seq__gt=seq)
    assert (event.action, event.model, event.object_id) == ("update", spec.model._meta.label, str(pk))
    assert event.actor_name == user
    changes = {k: (a, b) for k, a, b in event.changed_fields()}
    assert changes[field][1] == (str(expected) if isinstance(expected, Decimal) else expected)
