"""Ledgers of the industry module's meetings: visits and agreed items."""

import datetime

from xiezuo.audit.models import AuditEvent
from xiezuo.industry.models import AgreedItem, Visit
from xiezuo.ledgers.importer import run_import


def test_visits(ctx_for, samples, county):
    spec, ctx = ctx_for("visits")
    result = run_import(spec, ctx, samples / "visits" / "valid.xlsx", commit=True)
    assert [str(e) for e in result.errors] == [] and result.added == 2
    visit = Visit.objects.get(pairing=county, title="湟源县农牧和科技局赴六合区考察（示例）")
    assert (visit.kind, visit.direction, visit.start_on, visit.end_on, visit.delegation_size, visit.place_list()) == (
        "department", "west_to_east", datetime.date(2022, 8, 10), datetime.date(2022, 8, 12), 6,
        ["六合区竹镇镇", "六合区雄州街道"])
    online = Visit.objects.get(pairing=county, title="示例线上对接会（示例）")
    assert (online.direction, online.delegation_size, online.places) == ("online", None, "")
    [event] = AuditEvent.objects.filter(action="import", model="industry.Visit")
    assert event.actor_name == "liuhe"


def test_visit_errors_and_nothing_written(ctx_for, samples):
    spec, ctx = ctx_for("visits")
    n = Visit.objects.count(), AuditEvent.objects.count()
    result = run_import(spec, ctx, samples / "visits" / "errors.xlsx", commit=True)
    assert [str(e) for e in result.errors] == [
        "工作表“互访与会议”第2行“类型”列（值为“参观”）：不是有效的选项，应为：党政主要负责同志互访、联席会议、部门互访、考察",
        "工作表“互访与会议”第3行“结束日期”列（值为“2022-08-01”）：结束日期不能早于开始日期",
    ]
    assert not result.committed
    assert (Visit.objects.count(), AuditEvent.objects.count()) == n


def test_agreed_items(ctx_for, samples, county):
    spec, ctx = ctx_for("agreed_items")
    result = run_import(spec, ctx, samples / "agreed_items" / "valid.xlsx", commit=True)
    assert [str(e) for e in result.errors] == [] and result.added == 2
    base = AgreedItem.objects.get(pairing=county, title="示例农产品直供基地共建（示例）")
    assert (base.year, base.source_visit.title, base.east_owner, base.west_owner, base.deadline, base.status) == (
        2022, "六合区-湟源县2022年东西部协作联席会议", "南京市六合区农业农村局", "湟源县农牧和科技局",
        datetime.date(2022, 12, 31), AgreedItem.NOT_STARTED)
    other = AgreedItem.objects.get(pairing=county, title="示例职业教育联合招生（示例）")
    assert (other.year, other.source_visit, other.deadline) == (2023, None, None)


def test_agreed_item_errors_and_nothing_written(ctx_for, samples):
    spec, ctx = ctx_for("agreed_items")
    n = AgreedItem.objects.count(), AuditEvent.objects.count()
    result = run_import(spec, ctx, samples / "agreed_items" / "errors.xlsx", commit=True)
    assert [str(e) for e in result.errors] == [
        "工作表“合作事项”第2行“完成时限”列（值为“2022-06-01”）：完成时限不能早于来源会议的日期",
        "工作表“合作事项”第3行“来源会议/互访”列（值为“示例不存在的会议（示例）”）：找不到会议或互访“示例不存在的会议（示例）”，"
        "请先在系统中登记或检查名称",
        "工作表“合作事项”第4行“东部责任单位”列（值为空）：必填，不能为空",
    ]
    assert not result.committed
    assert (AgreedItem.objects.count(), AuditEvent.objects.count()) == n
