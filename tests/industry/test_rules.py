"""Single-row rules and the agreed items' status and notes."""

import datetime
import itertools
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from xiezuo.audit.models import AuditEvent
from xiezuo.industry import services
from xiezuo.industry.models import AgreedItem, Donation, Investment, ProgressNote, Visit, Workshop

pytestmark = pytest.mark.django_db
D = datetime.date
DEADLINE = D(2023, 6, 30)


def errors_of(obj):
    with pytest.raises(ValidationError) as e:
        obj.full_clean()
    return e.value.message_dict


# Each helper item has a title of its own (year + title is the natural key).
SERIAL = itertools.count(1)


def make_item(pairing, **kw):
    fields = {"pairing": pairing, "year": 2022, "title": f"测试合作事项{next(SERIAL)}", "east_owner": "六合区商务局",
              "west_owner": "湟源县商务局", "deadline": DEADLINE, **kw}
    item = AgreedItem(**fields)
    item.full_clean()
    item.save()
    return item


def test_poverty_jobs_cannot_exceed_jobs(county, firm):
    inv = Investment(pairing=county, enterprise=firm, project_name="测试项目", industry="other", jobs=10,
                     jobs_poverty=11)
    assert errors_of(inv)["jobs_poverty"] == ["其中脱贫劳动力人数（11人）不能超过带动就业人数（10人）"]
    ws = Workshop(pairing=county, name="测试车间", opened_on=D(2022, 1, 1), jobs=3, jobs_poverty=4)
    assert errors_of(ws)["jobs_poverty"] == ["其中脱贫人口（4人）不能超过吸纳就业人数（3人）"]
    inv.jobs_poverty = 10
    inv.full_clean()  # equal is fine


def test_investment_dates_must_follow_each_other(county, firm):
    inv = Investment(pairing=county, enterprise=firm, project_name="测试项目", industry="other",
                     signed_on=D(2022, 5, 1), landed_on=D(2022, 4, 1), producing_on=D(2022, 3, 1))
    errs = errors_of(inv)
    assert errs["landed_on"] == ["落地日期不能早于签约日期"]
    assert errs["producing_on"] == ["投产日期不能早于落地日期"]


def test_arrived_above_agreed_is_kept_but_flagged(county, firm):
    inv = Investment(pairing=county, enterprise=firm, project_name="测试项目", industry="other",
                     agreed_amount=Decimal("100.00"), arrived_amount=Decimal("120.00"))
    inv.full_clean()
    assert inv.arrived_exceeds_agreed
    inv.arrived_amount = Decimal("100.00")
    assert not inv.arrived_exceeds_agreed


def test_enterprise_must_be_an_enterprise_with_a_valid_code(county, firm):
    from xiezuo.pairings.models import Organisation

    hospital = Organisation.objects.get(name="湟源县人民医院")
    inv = Investment(pairing=county, enterprise=hospital, project_name="测试项目", industry="other")
    assert "不是企业" in errors_of(inv)["enterprise"][0]
    # A code broken behind the forms (an import, a database edit) is caught too.
    Organisation.objects.filter(pk=firm.pk).update(uscc="91320116MA27T00020"[:17] + "0")
    firm.refresh_from_db()
    inv = Investment(pairing=county, enterprise=firm, project_name="测试项目", industry="other")
    assert "统一社会信用代码校验位错误" in errors_of(inv)["enterprise"][0]


def test_donation_rules(county):
    don = Donation(pairing=county, date=D(2022, 5, 1), donor_name="某商会", donor_kind="association",
                   form=Donation.IN_KIND, amount=Decimal("0"), purpose="助学", receiver="某学校",
                   donor_uscc="913201160000000000")
    errs = errors_of(don)
    assert errs["amount"] == ["金额/折款应大于0"]
    assert errs["items"] == ["捐物须填写捐赠物资（名称和数量）"]
    assert "统一社会信用代码校验位错误" in errs["donor_uscc"][0]


def test_visit_cannot_end_before_it_starts(county):
    v = Visit(pairing=county, kind=Visit.INSPECTION, title="考察", start_on=D(2022, 6, 27), end_on=D(2022, 6, 26))
    assert errors_of(v) == {"end_on": ["结束日期不能早于开始日期"]}


def test_item_year_comes_from_its_meeting(county):
    meeting = Visit.objects.get(pairing=county, kind=Visit.JOINT_MEETING)
    item = AgreedItem(pairing=county, title="测试", east_owner="甲", west_owner="乙", source_visit=meeting)
    item.full_clean()
    assert item.year == 2022
    orphan = AgreedItem(pairing=county, title="测试", east_owner="甲", west_owner="乙")
    assert errors_of(orphan)["year"] == ["请填写年度（或选择来源会议/协议）"]


@pytest.mark.parametrize("status", [AgreedItem.NOT_STARTED, AgreedItem.IN_PROGRESS])
def test_overdue_only_after_the_deadline(county, status):
    item = make_item(county)
    if status == AgreedItem.IN_PROGRESS:
        services.change_status(item, status, date=D(2022, 7, 1))
    for moment, expected in [("2023-06-29 12:00 +0800", False), ("2023-06-30 23:59 +0800", False),
                             ("2023-07-01 00:01 +0800", True)]:
        with time_machine.travel(moment, tick=False):
            assert item.is_overdue() is expected, moment
            assert AgreedItem.objects.filter(pk=item.pk).overdue().exists() is expected, moment


def test_done_and_shelved_items_are_never_overdue(county):
    done, shelved = make_item(county), make_item(county)
    with time_machine.travel("2023-01-10 09:00 +0800", tick=False):
        services.change_status(done, AgreedItem.IN_PROGRESS)
        services.change_status(done, AgreedItem.DONE)
        services.change_status(shelved, AgreedItem.SHELVED, text="待规划完成后再议")
    with time_machine.travel("2030-01-01 09:00 +0800", tick=False):
        assert not done.is_overdue() and not shelved.is_overdue()
        assert not AgreedItem.objects.filter(pk__in=[done.pk, shelved.pk]).overdue().exists()
    assert done.done_on == D(2023, 1, 10)


def test_item_without_deadline_is_never_overdue(county):
    item = make_item(county, deadline=None)
    with time_machine.travel("2035-01-01 09:00 +0800", tick=False):
        assert not item.is_overdue()


def test_status_moves_one_step_at_a_time_and_shelving_needs_a_reason(county):
    item = make_item(county)
    with pytest.raises(ValidationError) as e:
        services.change_status(item, AgreedItem.DONE)
    assert e.value.message_dict["status"] == ["事项当前为“未启动”，不能直接改为“已完成”"]
    with pytest.raises(ValidationError) as e:
        services.change_status(item, AgreedItem.SHELVED)
    assert e.value.message_dict["text"] == ["由“未启动”改为“搁置”须填写原因"]
    item.refresh_from_db()
    assert item.status == AgreedItem.NOT_STARTED and not item.notes.exists()


def test_progress_history_is_kept_in_date_order(county, users):
    item = make_item(county)
    with time_machine.travel("2023-03-01 10:00 +0800", tick=False):
        services.change_status(item, AgreedItem.IN_PROGRESS, user=users["liuhe"], text="启动", date=D(2022, 8, 1))
        services.add_note(item, "十月进展", date=D(2022, 10, 1), user=users["huangyuan"])
        # A late entry for September lands between August and October.
        services.add_note(item, "九月进展（补记）", date=D(2022, 9, 1))
        services.add_note(item, "同日第二条", date=D(2022, 10, 1))
        services.change_status(item, AgreedItem.DONE, text="完成", date=D(2023, 2, 1))
    texts = [n.text for n in item.notes.all()]
    assert texts == ["状态由“未启动”改为“推进中”。启动", "九月进展（补记）", "十月进展", "同日第二条",
                     "状态由“推进中”改为“已完成”。完成"]
    first = item.notes.first()
    assert (first.status_from, first.status_to, first.author.username) == ("not_started", "in_progress", "liuhe")


def test_notes_are_append_only_and_each_is_an_audit_event(county):
    item = make_item(county)
    before = AuditEvent.objects.filter(model="industry.ProgressNote").count()
    note = services.add_note(item, "第一次推进会", date=D(2022, 7, 1))
    event = AuditEvent.objects.get(model="industry.ProgressNote", object_id=str(note.pk))
    assert event.action == "create" and event.pairing_id == county.pk and event.after["text"] == "第一次推进会"
    note.text = "改写历史"
    with pytest.raises(ValidationError, match="只能追加"):
        note.save()
    with pytest.raises(ValidationError, match="只能追加"):
        note.delete()
    assert ProgressNote.objects.get(pk=note.pk).text == "第一次推进会"
    assert AuditEvent.objects.filter(model="industry.ProgressNote").count() == before + 1


def test_note_cannot_be_dated_in_the_future(county):
    item = make_item(county)
    with time_machine.travel("2023-01-10 09:00 +0800", tick=False):
        with pytest.raises(ValidationError) as e:
            services.add_note(item, "明天的事", date=D(2023, 1, 11))
    assert e.value.message_dict["date"] == ["进展日期不能晚于今天"]
    assert not item.notes.exists()


@pytest.mark.django_db
def test_overdue_rule_agrees_everywhere_for_any_day(county):
    """Property: for any day, the item method, the queryset and the figure
    agree with the written rule (deadline passed, neither done nor shelved)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from xiezuo.figures import compute

    items = []
    with time_machine.travel("2022-07-01 09:00 +0800", tick=False):
        for i, (status, deadline) in enumerate([
                ("not_started", D(2022, 9, 30)), ("in_progress", D(2022, 10, 31)), ("done", D(2022, 9, 30)),
                ("shelved", D(2022, 8, 31)), ("not_started", None), ("in_progress", D(2023, 1, 1))]):
            item = make_item(county, year=2031, title=f"性质测试{i}", deadline=deadline)
            path = {"in_progress": ["in_progress"], "done": ["in_progress", "done"]}.get(status, [])
            for step in path:
                services.change_status(item, step)
            if status == "shelved":
                services.change_status(item, "shelved", text="暂缓")
            items.append(item)
    for item in items:
        item.refresh_from_db()

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.dates(min_value=D(2022, 1, 1), max_value=D(2024, 12, 31)))
    def check(day):
        expected = {i.pk for i in items if i.deadline and i.deadline < day and i.status not in ("done", "shelved")}
        with time_machine.travel(datetime.datetime(day.year, day.month, day.day, 12), tick=False):
            assert {i.pk for i in items if i.is_overdue()} == expected
            assert set(AgreedItem.objects.filter(year=2031).overdue().values_list("pk", flat=True)) == expected
            assert compute(county, [2031], sections=["exchanges"])["exchanges"]["agreed_items_overdue"] == len(expected)

    check()
