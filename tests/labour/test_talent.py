"""Talent exchange: pages, the hospital's batches, 人次 versus persons,
long- and short-term stays."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from xiezuo.figures import compute
from xiezuo.labour.models import LabourSettings, Person, TalentExchange
from xiezuo.pairings.models import Organisation, Pairing

from ..checklist import login, page_checklist

pytestmark = pytest.mark.django_db
D = datetime.date
# Named dates: 10 January–9 July is 6 whole months; 1 March–31 July is 5.
JAN_10, JULY_9 = D(2022, 1, 10), D(2022, 7, 9)
MARCH_1, JULY_31 = D(2022, 3, 1), D(2022, 7, 31)


def test_whole_months_edges():
    from xiezuo.labour.models import whole_months

    assert whole_months(JAN_10, JULY_9) == 6 and whole_months(JAN_10, D(2022, 7, 8)) == 5
    assert whole_months(MARCH_1, JULY_31) == 5 and whole_months(MARCH_1, D(2022, 8, 31)) == 6
    assert whole_months(D(2022, 1, 31), D(2022, 2, 27)) == 1  # to the end of a short month
    assert whole_months(D(2022, 5, 8), D(2022, 5, 7)) == 0
    assert whole_months(D(2021, 12, 20), D(2022, 12, 19)) == 12


def talent(pairing, years):
    return compute(pairing, list(years), sections=["talent"])["talent"]


def test_hospital_page_shows_five_batches_and_twelve_experts(county, hospital):
    url = reverse("labour_talent_unit", args=[county.pk, hospital.pk])
    html = page_checklist(url, allowed="yiyuan").content.decode()
    assert '接收 <strong id="batch-count">5</strong> 批 <strong id="expert-count">12</strong> 名人才' in html
    assert html.count('class="card mb-2 batch"') == 5 and html.count('class="expert"') == 12
    for batch in ("2017年第1批", "2018年第2批", "2019年第3批", "2021年第4批", "2022年第5批"):
        assert batch in html
    assert {"行政管理", "医疗", "护理"} <= {s for s in ("行政管理", "医疗", "护理") if s in html}
    assert "教学查房、专题讲座、疑难病例会诊、义诊" in html
    # It also sent 4 doctors east for further training, listed apart.
    assert "派出 4 人（4 人次）" in html


def test_hospital_page_is_reachable_from_the_pairing_nav(county, hospital):
    pairing_page = login("yiyuan").get(reverse("pairing_detail", args=[county.pk])).content.decode()
    talent_url = reverse("labour_talent_list", args=[county.pk])
    assert f'href="{talent_url}"' in pairing_page and "人才交流" in pairing_page
    html = login("yiyuan").get(talent_url).content.decode()
    assert f'href="{reverse("labour_talent_unit", args=[county.pk, hospital.pk])}"' in html
    # The hospital pairing's own page leads there too.
    hospital_pair = Pairing.objects.get(level="hospital", parent=county)
    html = login("yiyuan").get(reverse("labour_talent_list", args=[hospital_pair.pk])).content.decode()
    assert "湟源县人民医院" in html and html.count("示例医疗专家") == 12


def test_hospital_experts_in_the_api(county, hospital):
    from ..checklist import api_checklist

    rows = api_checklist(f"/api/v1/labour/pairings/{county.pk}/exchanges?kind=doctor&direction=e2w").json()
    received = [r for r in rows if r["receiving_unit"] == hospital.pk]
    assert len(received) == 12 and len({r["batch"] for r in received}) == 5


def test_demo_sanzhi_31_person_times_both_ways(county):
    fig = talent(county, [2021, 2022])
    assert fig["sanzhi_person_times"] == 31 and fig["person_times"] == 31
    assert fig["persons"] == 30  # one 支农 technician came twice
    assert fig["by_direction"]["e2w"] > 0 and fig["by_direction"]["w2e"] > 0
    assert sum(fig["by_kind"].values()) == 31 and fig["by_kind"]["cadre"] == 0
    # The earlier hospital batches count in their own years only.
    assert talent(county, range(2017, 2020))["by_kind"]["doctor"] == 7


def test_persons_cadres_professionals_and_long_term(foreign, person_factory, exchange_factory):
    cadre = person_factory(foreign, name="挂职干部甲")
    expert = person_factory(foreign, name="专家乙")
    exchange_factory(foreign, cadre, JAN_10, JULY_9, kind="cadre")  # 6 whole months (N): long
    exchange_factory(foreign, expert, MARCH_1, JULY_31, kind="teacher")  # 5 whole months (N-1): short
    exchange_factory(foreign, expert, D(2022, 9, 1), D(2022, 9, 30), kind="other")  # second 人次
    fig = talent(foreign, [2022])
    assert (fig["persons"], fig["person_times"], fig["sanzhi_person_times"]) == (2, 3, 1)
    assert (fig["cadres"], fig["professionals"]) == (1, 1)
    assert (fig["long_term"], fig["short_term"]) == (1, 2)
    LabourSettings.objects.update_or_create(pk=1, defaults={"long_term_months": 5})
    assert talent(foreign, [2022])["long_term"] == 2
    # Counted in the year the stay starts.
    exchange_factory(foreign, expert, D(2021, 12, 20), D(2022, 2, 1), kind="agri")
    assert talent(foreign, [2022])["person_times"] == 3 and talent(foreign, [2021])["person_times"] == 1


def test_a_two_year_cadre_is_in_post_each_year_and_arrives_once(foreign, person_factory, exchange_factory):
    cadre = person_factory(foreign, name="两年挂职干部")
    exchange_factory(foreign, cadre, D(2021, 7, 1), D(2023, 6, 30), kind="cadre", direction="e2w")
    seen = {y: talent(foreign, [y]) for y in (2020, 2021, 2022, 2023, 2024)}
    assert {y: f["cadres"] for y, f in seen.items()} == {2020: 0, 2021: 1, 2022: 1, 2023: 1, 2024: 0}
    assert {y: f["cadres_arrived"] for y, f in seen.items()} == {2020: 0, 2021: 1, 2022: 0, 2023: 0, 2024: 0}
    assert {y: (f["cadres_e2w"], f["cadres_w2e"]) for y, f in seen.items() if y in (2021, 2022, 2023)} == {
        2021: (1, 0), 2022: (1, 0), 2023: (1, 0)}
    assert (seen[2022]["cadres_arrived_e2w"], seen[2022]["in_post_person_times"]) == (0, 1)
    # 人次 stay counted by arrival: the stay is one 人次 of 2021.
    assert [seen[y]["person_times"] for y in (2021, 2022, 2023)] == [1, 0, 0]
    # Over 2021–2023 the cadre counts once.
    assert talent(foreign, [2021, 2022, 2023])["cadres"] == 1


def test_in_post_per_direction_and_open_ends(foreign, person_factory, exchange_factory):
    teacher = person_factory(foreign, name="支教教师")
    doctor = person_factory(foreign, name="进修医生")
    cadre = person_factory(foreign, name="西部干部")
    exchange_factory(foreign, teacher, D(2021, 9, 1), D(2022, 1, 31), kind="teacher", direction="e2w")
    exchange_factory(foreign, doctor, D(2022, 3, 1), None, kind="doctor", direction="w2e")
    exchange_factory(foreign, cadre, D(2022, 5, 1), D(2022, 10, 31), kind="cadre", direction="w2e")
    with time_machine.travel(datetime.datetime(2022, 6, 15, 12, tzinfo=datetime.timezone.utc), tick=False):
        fig = talent(foreign, [2022])
        keys = ("professionals_e2w", "professionals_arrived_e2w", "professionals_w2e", "professionals_arrived_w2e",
                "cadres_e2w", "cadres_w2e", "cadres_arrived_w2e")
        assert {k: fig[k] for k in keys} == {
            "professionals_e2w": 1, "professionals_arrived_e2w": 0,  # the teacher came in 2021
            "professionals_w2e": 1, "professionals_arrived_w2e": 1,  # the doctor, open-ended
            "cadres_e2w": 0, "cadres_w2e": 1, "cadres_arrived_w2e": 1}
        assert (fig["professionals"], fig["professionals_arrived"], fig["cadres"]) == (2, 1, 1)
        # An open end runs to today: the doctor is not in post in 2023 yet.
        assert talent(foreign, [2023])["professionals_w2e"] == 0


def test_the_per_direction_indicators_meet_each_sides_target(county, person_factory, exchange_factory):
    from xiezuo.pairings.models import Agreement, AgreementTarget

    liuhe, huangyuan = (Organisation.objects.get(name=n) for n in ("南京市六合区人民医院", "湟源县人民医院"))
    for n in range(2):
        cadre = person_factory(county, name=f"挂职干部{n}")
        exchange_factory(county, cadre, D(2021, 7, 1), D(2023, 6, 30), kind="cadre", direction="e2w",
                         units=(liuhe, huangyuan))
    agreement = Agreement.objects.get(pairing=county, year=2022)
    AgreementTarget.objects.create(agreement=agreement, indicator="cadres_e2w", value=4, unit="人")
    AgreementTarget.objects.create(agreement=agreement, indicator="cadres_w2e", value=1, unit="人")
    r = login("lingdao").get(f"/api/v1/pairings/{county.pk}/indicators?year=2022")
    rows = {row["code"]: row for row in r.json()["indicators"]}
    east, west = rows["cadres_e2w"], rows["cadres_w2e"]
    # The two cadres of 2021 are in post in 2022 against the eastern side's 4.
    assert (east["side"], east["actual"], east["target"], east["completion"]) == ("east", 2, 4, "50.00")
    assert {d["name"]: d["actual"] for d in east["disaggregations"]} == {"其中当年新到岗": 0}
    assert (west["side"], west["actual"], west["target"], west["completion"]) == ("west", 0, 1, "0.00")
    assert rows["cadres"]["actual"] == 2


def test_talent_list_in_post_filter(county, person_factory, exchange_factory):
    cadre = person_factory(county, name="跨年挂职干部")
    exchange_factory(county, cadre, D(2021, 7, 1), D(2023, 6, 30), kind="cadre")
    url = reverse("labour_talent_list", args=[county.pk])
    assert "跨年挂职干部" not in login("liuhe").get(url + "?year=2022").content.decode()
    assert "跨年挂职干部" in login("liuhe").get(url + "?year=2022&count=in_post").content.decode()
    from ..checklist import api_checklist

    api = f"/api/v1/labour/pairings/{county.pk}/exchanges?year=2022&kind=cadre"
    assert api_checklist(api).json() == []
    assert [r["person_name"] for r in api_checklist(api + "&in_post=true").json()] == ["跨年挂职干部"]


def test_talent_figures_cost_a_fixed_number_of_queries(county, django_assert_num_queries):
    from xiezuo.labour.figures import talent_section

    ids = list(county.subtree().values_list("pk", flat=True))
    with django_assert_num_queries(2):
        assert talent_section(ids, [2021, 2022])["sanzhi_person_times"] == 31


def test_talent_list_filters(county):
    url = reverse("labour_talent_list", args=[county.pk])
    html = page_checklist(url + "?kind=sanzhi&year=2022").content.decode()
    assert '<p id="talent-totals">共 17 人次</p>' in html
    html = login("liuhe").get(url + "?direction=w2e&kind=doctor").content.decode()
    assert html.count("示例进修医生") == 4 and "示例医疗专家" not in html
    html = login("liuhe").get(url + "?batch=第5批").content.decode()
    assert html.count("示例医疗专家") == 3


def test_create_exchange_with_a_new_person_by_name_and_unit(county, hospital):
    liuhe_hospital = Organisation.objects.get(name="南京市六合区人民医院")
    url = reverse("labour_talent_create", args=[county.pk])
    data = {"new_person_name": "示例专家新", "kind": "doctor", "direction": "e2w", "sending_unit": liuhe_hospital.pk,
            "receiving_unit": hospital.pk, "batch": "2023年第6批", "start": "2023-05-08", "end": "2023-08-07",
            "specialty": "护理"}
    r = page_checklist(url, write=True, data=data)
    row = TalentExchange.objects.get(batch="2023年第6批")
    assert r["Location"] == reverse("labour_talent_detail", args=[row.pk])
    assert row.person.name == "示例专家新" and row.person.unit == liuhe_hospital and not row.person.id_number_hash
    html = page_checklist(reverse("labour_talent_detail", args=[row.pk])).content.decode()
    assert "3个月，短期" in html and "三支" in html
    edit = reverse("labour_talent_edit", args=[row.pk])
    page_checklist(edit, read_only=None)
    page_checklist(edit, write=True, data={**data, "person": row.person_id, "new_person_name": "",
                                           "end": "2023-11-07", "loaded_version": 1})
    row.refresh_from_db()
    assert row.end == D(2023, 11, 7) and Person.objects.filter(name="示例专家新").count() == 1


def test_exchange_rules_refused_and_nothing_half_saved(county, hospital):
    url = reverse("labour_talent_create", args=[county.pk])
    data = {"new_person_name": "示例专家新", "kind": "doctor", "direction": "e2w", "sending_unit": hospital.pk,
            "receiving_unit": hospital.pk, "start": "2023-05-08", "end": "2023-05-01"}
    html = login("liuhe").post(url, data).content.decode()
    assert "接收单位不能与派出单位相同" in html and "结束日期不能早于开始日期" in html
    html = login("liuhe").post(url, {**data, "new_person_name": ""}).content.decode()
    assert "请选择已登记人员，或填写新登记人员姓名" in html
    assert not Person.objects.filter(name="示例专家新").exists()
