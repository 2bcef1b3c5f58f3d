"""Sentences written the way 简报 and 总结 are written, with the claims each
holds and the verdict on the demo ledgers (南京市六合区—西宁市湟源县).

Each case: the text, its date, and per figure (as written, verdict, figure
path or None, years). Two or three figures to a sentence, Chinese numerals,
bounds, years relative to the date of the text.
"""

import datetime

import pytest

from xiezuo.crosscheck.services import BOUND_BROKEN as BROKEN
from xiezuo.crosscheck.services import BOUND_KEPT as KEPT
from xiezuo.crosscheck.services import CONSISTENT as OK
from xiezuo.crosscheck.services import INCONSISTENT as BAD
from xiezuo.crosscheck.services import UNKNOWN
from xiezuo.pairings.models import Pairing

pytestmark = pytest.mark.django_db

END_2022 = datetime.date(2022, 12, 31)
SPRING_2022 = datetime.date(2022, 3, 1)
AUTUMN_2022 = datetime.date(2022, 9, 30)

SENTENCES = [
    ("2021年，六合区落实东西部协作财政援助资金4300万元。", END_2022,
     [("4300万元", OK, "funds.fiscal_received", [2021])]),
    ("2022年到位财政援助资金4220万元，资金支出进度44.13%。", END_2022,
     [("4220万元", OK, "funds.fiscal_received", [2022]), ("44.13%", OK, "funds.execution_rate", [2022])]),
    ("2021年实施东西部协作项目7个，2022年实施项目12个。", END_2022,
     [("7个", OK, "funds.projects", [2021]), ("12个", OK, "funds.projects", [2022])]),
    ("今年共实施项目12个，已拨付资金2099万元。", END_2022,
     [("12个", OK, "funds.projects", [2022]), ("2099万元", OK, "funds.disbursed", [2022])]),
    ("去年实施项目7个，涉及4大类。", END_2022,
     [("7个", OK, "funds.projects", [2021]), ("4大类", OK, "funds.categories", [2021])]),
    ("2022年落实财政援助资金四千二百二十万元。", END_2022,
     [("四千二百二十万元", OK, "funds.fiscal_received", [2022])]),
    ("2022年全年实现消费帮扶583.48万元。", END_2022,
     [("583.48万元", OK, "consumption.total", [2022])]),
    ("2021年消费帮扶金额约570万元。", END_2022,
     [("约570万元", KEPT, "consumption.total", [2021])]),
    ("2021年消费帮扶销售额超过600万元。", END_2022,
     [("超过600万元", BROKEN, "consumption.total", [2021])]),
    ("2022年直接采购湟源农产品230.96万元，帮助销售352.52万元。", END_2022,
     [("230.96万元", OK, "consumption.purchased", [2022]), ("352.52万元", OK, "consumption.helped_sales", [2022])]),
    ("2022年举办劳务协作培训班2期，培训农村劳动力100人次。", END_2022,
     [("2期", OK, "labour.training_classes", [2022]), ("100人次", OK, "labour.trainees", [2022])]),
    ("2021年举办培训班1期，培训50人，帮助农村劳动力就业10人，其中脱贫劳动力6人。", END_2022,
     [("1期", OK, "labour.training_classes", [2021]), ("50人", OK, "labour.trainees", [2021]),
      ("10人", OK, "labour.employed", [2021]), ("6人", OK, "labour.employed_poverty", [2021])]),
    ("2022年帮助农村劳动力就业19人，其中脱贫劳动力12人。", END_2022,
     [("19人", OK, "labour.employed", [2022]), ("12人", OK, "labour.employed_poverty", [2022])]),
    ("2022年两地互派“三支”人才17人次。", END_2022,
     [("17人次", OK, "talent.sanzhi_person_times", [2022])]),
    ("2021年，六合区选派支教教师、湟源县选派跟岗教师共7人次。", END_2022,
     [("7人次", OK, "talent.by_kind.teacher", [2021])]),
    ("2022年，南京市六合区人民医院向湟源县人民医院选派支医人才5人次。", END_2022,
     [("5人次", OK, "talent.by_kind.doctor", [2022])]),
    ("2021年湟源县人民医院接收支医人才4人次。", END_2022,
     [("4人次", OK, "talent.by_kind.doctor", [2021])]),
    ("今年以来，六合区选派支教教师7人次到湟源县城关第一小学。", AUTUMN_2022,
     [("7人次", OK, "talent.by_kind.teacher", [2022])]),
    ("2022年，两地共建产业园区2个，引导落地企业2家，企业实际到位投资800万元。", END_2022,
     [("2个", OK, "industry.parks", [2022]), ("2家", OK, "industry.enterprises_landed", [2022]),
      ("800万元", OK, "industry.investment_arrived", [2022])]),
    ("2022年新建帮扶车间2个，吸纳就业60人。", END_2022,
     [("2个", OK, "industry.workshops", [2022]), ("60人", OK, "industry.workshop_jobs", [2022])]),
    ("2022年社会捐赠28.6万元。", END_2022,
     [("28.6万元", OK, "industry.donations", [2022])]),
    ("2022年召开联席会议1次，党政主要负责同志互访1次。", END_2022,
     [("1次", OK, "exchanges.joint_meetings", [2022]), ("1次", OK, "exchanges.leader_visits", [2022])]),
    # 一次、一批、一个: an article, not a figure.
    ("2022年召开联席会议一次，推动一批合作事项落地。", END_2022, []),
    ("2021年、2022年分别到位财政援助资金4300万元和4220万元。", END_2022,
     [("4300万元", OK, "funds.fiscal_received", [2021]), ("4220万元", OK, "funds.fiscal_received", [2022])]),
    ("2021年、2022年分别实施项目7个、13个。", END_2022,
     [("7个", OK, "funds.projects", [2021]), ("13个", BAD, "funds.projects", [2022])]),
    ("2021年落实帮扶资金4300万元，2022年落实帮扶资金4220万元。", END_2022,
     [("4300万元", OK, "funds.fiscal_received", [2021]), ("4220万元", OK, "funds.fiscal_received", [2022])]),
    ("2022年，项目开工率83.33%，完工率58.33%。", END_2022,
     [("83.33%", OK, "funds.started_rate", [2022]), ("58.33%", OK, "funds.completed_rate", [2022])]),
    ("2022年项目实施后受益在校学生5593名、在园幼儿707名。", END_2022,
     [("5593名", OK, "funds.beneficiaries.students", [2022]), ("707名", OK, "funds.beneficiaries.children", [2022])]),
    ("2022年项目惠及脱贫人口45人。", END_2022,
     [("45人", UNKNOWN, None, [])]),
    # A half-year of a figure counted per year only (people employed in a year).
    ("今年上半年，帮助农村劳动力就业300人。", AUTUMN_2022,
     [("300人", UNKNOWN, "labour.employed", [2022])]),
    ("2021年，六合区向湟源县派出挂职干部3人。", END_2022,
     [("3人", BAD, "talent.cadres", [2021])]),
    ("2022年培训农村劳动力近百人次。", END_2022,
     [("近百人次", KEPT, "labour.trainees", [2022])]),
    ("2022年帮助农村劳动力就业十余人。", END_2022,
     [("十余人", KEPT, "labour.employed", [2022])]),
    ("2022年帮助农村劳动力就业20人以上。", END_2022,
     [("20人以上", BROKEN, "labour.employed", [2022])]),
    ("2022年帮扶车间吸纳就业不足百人。", END_2022,
     [("不足百人", KEPT, "industry.workshop_jobs", [2022])]),
    ("2021年落实结对帮扶资金逾四百万元。", END_2022,
     [("逾四百万元", KEPT, "funds.pairing_received", [2021])]),
    ("程桥街道与和平乡2021年结对帮扶资金100万元。", END_2022,
     [("100万元", OK, "funds.pairing_received", [2021])]),
    ("雄州街道与大华镇2021年结对帮扶资金120万元，用于产业发展。", END_2022,
     [("120万元", OK, "funds.pairing_received", [2021])]),
    ("2022年累计销售湟源农产品1.2亿元。", END_2022,
     [("1.2亿元", BAD, "consumption.total", [2022])]),
    ("2021年至2022年，两地消费帮扶累计超1100万元。", END_2022,
     [("超1100万元", KEPT, "consumption.total", [2021, 2022])]),
    ("2022年湟源县引导落地企业3家。", END_2022,
     [("3家", BAD, "industry.enterprises_landed", [2022])]),
    ("2022年新增共建产业园区两个。", END_2022,
     [("两个", OK, "industry.parks", [2022])]),
    ("据统计，去年落实项目资金四千三百万元，实施项目七个。", SPRING_2022,
     [("四千三百万元", OK, "funds.allocated", [2021]), ("七个", OK, "funds.projects", [2021])]),
    ("二〇二二年，两地互派“三支”人才十七人次。", END_2022,
     [("十七人次", OK, "talent.sanzhi_person_times", [2022])]),
    # The second figure of the same kind in one sentence is a part or something else.
    ("2022年完成培训150人次，其中湟源县本地培训100人次。", END_2022,
     [("150人次", BAD, "labour.trainees", [2022]), ("100人次", UNKNOWN, "labour.trainees", [2022])]),
    ("六合区与湟源县2022年开展互访考察2次。", END_2022,
     [("2次", OK, "exchanges.visits", [2022])]),
    ("2022年共建产业园区2个，其中乡村振兴东西部协作产业园1个。", END_2022,
     [("2个", OK, "industry.parks", [2022]), ("1个", UNKNOWN, "industry.parks", [2022])]),
    ("截至去年底，资金拨付进度为87.82%。", SPRING_2022,
     [("87.82%", OK, "funds.execution_rate", [2021])]),
    ("2022年安排项目资金9.2亿。", END_2022,
     [("9.2亿", BAD, "funds.allocated", [2022])]),
    ("2021年项目资金拨付4145万元，约占到位资金的88%。", END_2022,
     [("4145万元", OK, "funds.disbursed", [2021]), ("88%", UNKNOWN, None, [])]),
]


def summary(claims):
    return [(c.written, c.verdict, c.term.path if c.term else None, c.years) for c in claims]


@pytest.mark.parametrize("text,on,expected", SENTENCES, ids=[s[0][:16] for s in SENTENCES])
def test_office_sentence(run, text, on, expected):
    assert summary(run(text, on=on)) == expected


def test_at_least_forty_sentences():
    assert len(SENTENCES) >= 40
    assert sum(len(e) >= 2 for _, _, e in SENTENCES) >= 15
    assert any(len(e) >= 3 for _, _, e in SENTENCES)


def test_values_as_written(run):
    (claim,) = run("2022年安排项目资金9.2亿。", on=END_2022)
    assert claim.value == 920_000_000 and claim.difference == 42_200_000 - 920_000_000
    (claim,) = run("2022年落实财政援助资金四千二百二十万元。", on=END_2022)
    assert claim.value == 42_200_000 and claim.difference is None
    (claim,) = run("2022年两地消费帮扶超千万元。", on=END_2022)
    assert claim.value == 10_000_000 and claim.bounds == [("gt", None)] and claim.verdict == BROKEN
    assert claim.difference_text == "−416.52万元"


def test_pairings_named_in_the_sentence(run, county):
    hospital = Pairing.objects.get(level="hospital", parent=county)
    (claim,) = run("2022年，南京市六合区人民医院向湟源县人民医院选派支医人才5人次。", on=END_2022)
    assert claim.pairing == hospital
    township = Pairing.objects.get(level="township", east_region__name="程桥街道")
    (claim,) = run("程桥街道与和平乡2021年结对帮扶资金100万元。", on=END_2022)
    assert claim.pairing == township and claim.links[0][1] == f"/pairings/{township.pk}/funds/receipts/?year=2021"
    (claim,) = run("2022年培训农村劳动力100人次。", on=END_2022)
    assert claim.pairing == county  # no names: the page's pairing


def test_year_carries_through_the_paragraph_and_the_text_period(run):
    text = ("自2021年以来，两地协作不断深化。\n"
            "2021年实施项目7个。完成消费帮扶573.8万元。\n"
            "两地互派“三支”人才31人次。")
    claims = run(text, on=END_2022)
    assert summary(claims) == [
        ("7个", OK, "funds.projects", [2021]),
        ("573.8万元", OK, "consumption.total", [2021]),  # the paragraph's year
        ("31人次", OK, "talent.sanzhi_person_times", [2021, 2022]),  # the period the text opens with
    ]
    assert [c.year_note for c in claims] == ["句中年份", "本段前文年份", "全文所述期间"]
    # Without a period, a figure without a year is of the year the text is dated.
    (claim,) = run("两地互派“三支”人才17人次。", on=END_2022)
    assert claim.years == [2022] and claim.verdict == OK


def test_unknown_reasons(run):
    claims = run("2022年新建围墙约180米，惠及群众三千余户。今年上半年转移就业50人。", on=AUTUMN_2022)
    assert [(c.written, c.reason) for c in claims] == [
        ("约180米", "词表中没有以“米”计量的口径"),
        ("三千余户", "词表中没有以“户”计量的口径"),
        ("50人", "台账数字按全年汇总，无法核对半年、季度或月份的数字"),
    ]
