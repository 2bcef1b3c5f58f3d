"""The rectifications ledger: import, refusals, and a round trip that adds
nothing while a new row is added."""

import datetime

import openpyxl

from xiezuo.audit.models import AuditEvent
from xiezuo.ledgers.importer import run_import
from xiezuo.ledgers.writing import write_ledger
from xiezuo.rectification.models import OPEN, Rectification


def test_import_makes_open_tasks_with_the_year_found(ctx_for, samples, county):
    spec, ctx = ctx_for("rectifications")
    result = run_import(spec, ctx, samples / "rectifications" / "valid.xlsx", commit=True)
    assert [str(e) for e in result.errors] == [] and result.added == 2
    t = Rectification.objects.get(pairing=county, problem="示例项目结算审核资料不全（示例）")
    assert (t.source, t.year, t.found_on, t.deadline, t.owner_unit.name, t.owner_person, t.status, t.version) == (
        "audit", 2022, datetime.date(2022, 5, 10), datetime.date(2022, 8, 31), "湟源县教育局", "王示例", OPEN, 1)
    [event] = AuditEvent.objects.filter(action="import", model="rectification.Rectification")
    assert event.actor_name == "liuhe"


def test_errors_and_nothing_written(ctx_for, samples):
    spec, ctx = ctx_for("rectifications")
    n = Rectification.objects.count(), AuditEvent.objects.count()
    result = run_import(spec, ctx, samples / "rectifications" / "errors.xlsx", commit=True)
    messages = [str(e) for e in result.errors]
    assert len(messages) == 3, messages
    assert "第2行" in messages[0] and "须填写来源文件" in messages[0]
    assert "第3行" in messages[1] and "整改时限不能早于发现日期" in messages[1]
    assert "第4行" in messages[2] and "须从预警线索生成" in messages[2]
    assert not result.committed
    assert (Rectification.objects.count(), AuditEvent.objects.count()) == n


def test_export_then_import_adds_nothing_and_a_new_row_is_added(ctx_for, county, tmp_path):
    spec, ctx = ctx_for("rectifications")
    out = tmp_path / "export.xlsx"
    write_ledger(spec, ctx, out)
    before = Rectification.objects.filter(pairing=county).count()
    assert before >= 2  # the demo's two tasks
    wb = openpyxl.load_workbook(out)
    ws = wb[spec.sheet]
    titles = [str(c.value).lstrip("*") for c in ws[1]]
    closed = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[titles.index("状态")] == "已销号"]
    assert closed and closed[0][titles.index("销号日期")] is not None

    same = run_import(spec, ctx, out, mode="update", commit=True)
    assert [str(e) for e in same.errors] == [] and (same.added, same.unchanged) == (0, before)

    row = ["考核反馈", "新增问题（测试）", "考核反馈通报（测试）", datetime.date(2022, 12, 1), "", "", datetime.date(2023, 3, 31)]
    for col, value in enumerate(row, start=1):
        ws.cell(row=ws.max_row + (1 if col == 1 else 0), column=col, value=value)
    wb.save(tmp_path / "more.xlsx")
    more = run_import(spec, ctx, tmp_path / "more.xlsx", mode="update", commit=True)
    assert [str(e) for e in more.errors] == [] and (more.added, more.unchanged) == (1, before)
    new = Rectification.objects.get(pairing=county, problem="新增问题（测试）")
    assert (new.source, new.year, new.status) == ("feedback", 2022, OPEN)
