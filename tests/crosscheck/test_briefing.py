"""The 信息简报 draft: built from a period's figures, exported as .docx, and
read back from that file every figure is consistent under 口径核对; an edit
that changes a number shows exactly that claim. Pages and API scoped."""

import datetime
import io
import re
from decimal import Decimal

import docx
import pytest
from django.db.models import Sum
from django.urls import reverse

from tests.checklist import api_checklist, login, page_checklist, token_client
from xiezuo.accounts.models import User
from xiezuo.accounts.scope import scope_for
from xiezuo.audit.models import AuditEvent
from xiezuo.consumption.models import Sale
from xiezuo.crosscheck import briefing as drafting
from xiezuo.crosscheck import services, views
from xiezuo.crosscheck.models import Briefing
from xiezuo.pairings.models import Pairing

pytestmark = pytest.mark.django_db

PERIODS = [("year", 2021, None), ("year", 2022, None), ("quarter", 2022, 1), ("quarter", 2022, 2),
           ("month", 2022, 6)]


def new(county, period, year, number, user="liuhe"):
    return views.create_briefing(county, User.objects.get(username=user),
                                 {"period": period, "year": year, "number": number, "issue_no": None, "issuer": ""})


def docx_lines(data):
    """The file's paragraphs as python-docx reads them, a line each."""
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


@pytest.mark.parametrize("period,year,number", PERIODS)
def test_a_draft_read_back_from_its_docx_is_consistent_figure_by_figure(county, period, year, number):
    item = new(county, period, year, number)
    stated = drafting.draft(Briefing(pairing=county, period=period, year=year, number=number))
    assert len(stated) >= 3, stated  # the demo has figures in every period tested
    text = "\n".join(docx_lines(drafting.briefing_docx(item)))
    claims = services.check(text, county, scope_for(User.objects.get(username="liuhe")), item.issued_on)
    verdicts = [(c.written, c.verdict, c.reason) for c in claims]
    assert all(c.verdict == services.CONSISTENT for c in claims), verdicts
    tied = [c for c in claims if c.term is not None and c.ledger is not None and not c.change]
    assert len(tied) == len(stated), (len(tied), stated)
    assert sorted(c.term.path for c in tied) == sorted(stated)
    # Each figure checked against its own period: a month's against the month's value.
    assert all(c.months == item.months and c.years == [year] for c in tied)
    # Every comparison written is checked too, and its base is the figure before it.
    changes = [c for c in claims if c.change]
    assert len(changes) == text.count("同比增长") + text.count("同比下降") + text.count("环比增长") + \
        text.count("环比下降")
    assert all(c.base is not None and c.base.term.path in stated for c in changes)


def test_the_docx_has_the_masthead_headings_sources_and_page_numbers(county):
    item = new(county, "quarter", 2022, 1)
    document = docx.Document(io.BytesIO(drafting.briefing_docx(item)))
    paragraphs = document.paragraphs
    masthead = paragraphs[0]
    assert masthead.text == "东西部协作工作简报" and masthead.runs[0].font.color.rgb == drafting.RED
    assert paragraphs[1].text == "第1期"
    issuer, date = paragraphs[2].text.split("\t")
    assert issuer == "南京市六合区东西部协作工作领导小组办公室"  # liuhe is of the east office
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", date)
    assert paragraphs[2]._p.pPr.find(docx.oxml.ns.qn("w:pBdr")) is not None  # the red rule
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、资金到位与项目实施", "二、消费帮扶", "三、劳务协作", "四、人才交流"]
    texts = [p.text for p in paragraphs]
    assert "数据来源：" in texts
    assert any(t.startswith("消费帮扶金额合计：消费帮扶台账") for t in texts)
    assert any("按年度统计的数字见年度简报" in t for t in texts)
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "—" in footer


def test_a_quarter_figure_is_the_quarter_s_own(county, run):
    """Checked against the ledger rows of those months, counted here apart."""
    ids = list(Pairing.objects.filter(path__startswith=county.path).values_list("pk", flat=True))
    fen = sum(int(a * 100) for a in Sale.objects.filter(pairing_id__in=ids, year=2022, month__in=[1, 2, 3])
              .values_list("amount", flat=True))
    quarter = Decimal(fen) / 100
    year = Sale.objects.filter(pairing_id__in=ids, year=2022).aggregate(s=Sum("amount"))["s"]
    assert 0 < quarter < Decimal(year)
    (claim,) = run(f"2022年一季度，实现消费帮扶销售额{quarter}元。")
    assert claim.verdict == services.CONSISTENT and claim.months == (1, 3) and claim.ledger == quarter
    (claim,) = run(f"2022年1—3月，实现消费帮扶销售额{quarter + 1}元。")
    assert claim.verdict == services.INCONSISTENT and claim.difference == -1
    # A figure that is only counted per year stays unchecked for a quarter.
    (claim,) = run("2022年一季度，帮助农村劳动力就业10人。")
    assert claim.verdict == services.UNKNOWN and claim.term.path == "labour.employed"


def test_a_wrong_change_is_inconsistent(county, run):
    item = new(county, "year", 2022, None)
    sentence = item.sections[1]["paragraphs"][0]  # 消费帮扶: 同比增长1.7%
    assert "同比增长" in sentence
    wrong = re.sub(r"同比增长[\d.]+%", "同比增长9.9%", sentence)
    claims = run(wrong)
    assert [c.verdict for c in claims] == [services.CONSISTENT, services.INCONSISTENT]
    assert claims[1].change == "yoy" and claims[1].claim_text.endswith("同比增减幅度")


def edit_data(item, **changes):
    data = {"title": item.title, "issue_no": item.issue_no, "issuer": item.issuer,
            "issued_on": item.issued_on.isoformat(), "lead": item.lead, "loaded_version": item.version}
    for n, section in enumerate(item.sections):
        data[f"heading_{n}"] = section["heading"]
        data[f"text_{n}"] = "\n".join(section["paragraphs"])
    data.update(changes)
    return data


def test_changing_a_number_on_the_edit_page_flags_exactly_that_claim(county):
    url = reverse("crosscheck_briefings", args=[county.pk])
    r = login("liuhe").post(url, {"period": "year", "year": "2021", "number": ""})
    item = Briefing.objects.get(pairing=county, year=2021)
    assert r.status_code == 302 and r["Location"] == reverse("crosscheck_briefing", args=[item.pk])
    assert AuditEvent.objects.filter(model="crosscheck.Briefing", object_id=str(item.pk), action="create").exists()
    page = login("liuhe").get(r["Location"]).content.decode()
    assert 'class="flagged' not in page and "check-clean" in page
    funds = item.sections[0]["paragraphs"][0]
    assert "到位财政援助资金4300万元" in funds
    client = login("liuhe")
    r = client.post(r["Location"], edit_data(item, text_0=funds.replace("4300万元", "4500万元")))
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "已保存；口径核对发现1处数字与台账不一致" in page
    assert page.count('class="flagged verdict-inconsistent') == 1
    row = page.split('class="flagged verdict-inconsistent')[1].split("</tr>")[0]
    assert "4500万元" in row and "4300万元" in row and "台账比文稿 −200万元" in row
    assert f"/pairings/{county.pk}/funds/receipts/?year=2021" in row
    item.refresh_from_db()
    assert item.version == 2 and "4500万元" in item.sections[0]["paragraphs"][0]
    assert item.edited_by.username == "liuhe"
    assert AuditEvent.objects.filter(model="crosscheck.Briefing", object_id=str(item.pk), action="update").exists()
    # The export carries the edit.
    assert any("4500万元" in line for line in docx_lines(client.get(
        reverse("crosscheck_briefing_docx", args=[item.pk])).content))
    # A stale form is refused, the text kept.
    r = login("huangyuan").post(reverse("crosscheck_briefing", args=[item.pk]),
                                edit_data(item, loaded_version=1, lead="改写"))
    assert "此记录已被他人修改" in r.content.decode()
    item.refresh_from_db()
    assert item.lead != "改写"


def test_pages_are_scoped(county):
    item = new(county, "quarter", 2022, 1)
    list_url = reverse("crosscheck_briefings", args=[county.pk])
    html = page_checklist(list_url).content.decode()
    assert item.title in html and 'name="period"' in html
    page_checklist(list_url, write=True, data={"period": "month", "year": "2022", "number": "3"})
    assert Briefing.objects.filter(pairing=county, period="month", number=3).count() == 1
    html = page_checklist(reverse("crosscheck_briefing", args=[item.pk])).content.decode()
    assert "<textarea" in html
    assert "<textarea" not in login("lingdao").get(reverse("crosscheck_briefing", args=[item.pk])).content.decode()
    page_checklist(reverse("crosscheck_briefing", args=[item.pk]), write=True, data=edit_data(item))
    r = page_checklist(reverse("crosscheck_briefing_docx", args=[item.pk]))
    assert r["Content-Disposition"] == f'attachment; filename="briefing-{county.pk}-2022-1.docx"'
    # A quarter 5 is refused in Chinese.
    r = login("liuhe").post(list_url, {"period": "quarter", "year": "2022", "number": "5"})
    assert "季度简报须选择1—4季度中的一个季度" in r.content.decode()


def test_issue_numbers_follow_on_for_each_office(county):
    first = new(county, "quarter", 2022, 1)
    second = new(county, "quarter", 2022, 2)
    west = new(county, "quarter", 2022, 2, user="huangyuan")
    assert (first.issue_no, second.issue_no, west.issue_no) == (1, 2, 1)
    assert west.issuer == "西宁市湟源县东西部协作工作领导小组办公室"


def test_api_creates_lists_and_reads_drafts(county):
    url = f"/api/v1/pairings/{county.pk}/briefings"
    r = api_checklist(url, method="post", json={"period": "month", "year": 2022, "number": 6})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["period_text"] == "2022年6月份" and body["counts"]["consistent"] >= 3
    assert body["counts"]["inconsistent"] == body["counts"]["unknown"] == 0
    listed = api_checklist(url).json()
    assert [b["id"] for b in listed] == [body["id"]]
    detail = api_checklist(f"{url}/{body['id']}").json()
    assert detail["sections"] == Briefing.objects.get(pk=body["id"]).sections
    r = token_client("liuhe").post(url, {"period": "month", "year": 2022}, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"]["number"] == ["月度简报须选择1—12月中的一个月"]


@pytest.mark.parametrize("sentence,months", [
    ("2022年一季度，", (1, 3)), ("2022年第二季度，", (4, 6)), ("2022年1—6月，", (1, 6)), ("2022年1-6月，", (1, 6)),
    ("2022年一至六月，", (1, 6)), ("2022年3月份，", (3, 3)), ("2022年3月，", (3, 3)), ("截至2022年6月，", (1, 6)),
    ("2022年6月底，", (1, 6)), ("2022年上半年，", (1, 6)), ("2022年前三季度，", (1, 9)), ("今年下半年，", (7, 12)),
    ("2022年三月以来，", True), ("2022年6月26日，", False), ("2022年，", False),
])
def test_parts_of_a_year(sentence, months):
    (mark,) = services.year_marks(sentence, datetime.date(2022, 12, 31))
    assert mark[2] == [2022] and mark[3] == months
