"""The counting rules of the catalogue by the official statistics
(docs/modules/rules.md, "Indicator catalogue"), each with a hand-worked
example on a pairing tree of our own, apart from the demo's records."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.checklist import api_checklist, login, token_client
from xiezuo.assessment.models import Indicator
from xiezuo.figures import compute
from xiezuo.funds.models import Project, ProjectBeneficiary, ProjectCategory
from xiezuo.industry.models import DemoVillage, Investment, InvestmentArrival, Park
from xiezuo.labour.models import Person, Trainee, TrainingClass
from xiezuo.pairings.models import Organisation, Pairing, Region

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def pair(db):
    """A township pair (竹镇镇–巴燕乡) with three villages of its own in the west."""
    east, west = Region.objects.get(name="竹镇镇"), Region.objects.get(name="巴燕乡")
    root = Pairing.objects.create(level="township", east_region=east, west_region=west, since=D(2021, 1, 1))
    villages = [Region.objects.create(name=f"测试{n}村", level="village", parent=west) for n in (1, 2, 3)]
    return {"root": root, "east": east, "west": west, "villages": villages}


def org(name, kind, region):
    return Organisation.objects.create(name=name, kind=kind, region=region)


def sub(root, level, west_region=None, east_org=None, since=None):
    return Pairing.objects.create(level=level, parent=root, east_region=root.east_region, east_org=east_org,
                                  west_region=west_region or root.west_region, since=since)


def figures(pairing, year, section):
    return compute(pairing, [year], sections=[section])[section]


# --- 企业、社会组织结对帮扶村: three counts -------------------------------------

def test_two_enterprises_pairing_three_villages_one_twice(pair):
    root, (v1, v2, v3) = pair["root"], pair["villages"]
    firm_a = org("甲企业（示例）", "enterprise", pair["east"])
    firm_b = org("乙企业（示例）", "enterprise", pair["east"])
    fund = org("丙基金会（示例）", "social", pair["east"])
    sub(root, "enterprise_village", v1, firm_a, D(2022, 3, 1))
    sub(root, "enterprise_village", v2, firm_a, D(2022, 4, 1))
    sub(root, "enterprise_village", v2, firm_b, D(2022, 5, 1))  # v2 paired twice
    sub(root, "enterprise_village", v3, firm_b, D(2022, 6, 1))
    sub(root, "social_village", v3, fund, D(2022, 7, 1))  # v3 again, by a social organisation
    sub(root, "enterprise_village", v1, org("丁企业（示例）", "enterprise", pair["east"]), D(2023, 1, 5))
    f = figures(root, 2022, "industry")
    # Five pairing rows in 2022: two enterprises, one social organisation, three villages.
    assert (f["village_pair_enterprises"], f["village_pair_social_orgs"], f["paired_villages"]) == (2, 1, 3)
    f = figures(root, 2023, "industry")  # the 2023 pairing adds an enterprise, no village
    assert (f["village_pair_enterprises"], f["village_pair_social_orgs"], f["paired_villages"]) == (3, 1, 3)


def test_a_village_pairing_without_an_eastern_unit_is_a_party_of_its_own(pair):
    root, (v1, v2, _) = pair["root"], pair["villages"]
    sub(root, "enterprise_village", v1)
    sub(root, "enterprise_village", v2)
    f = figures(root, 2022, "industry")
    assert (f["village_pair_enterprises"], f["paired_villages"]) == (2, 2)


# --- Pairing coverage by level -------------------------------------------------

def test_coverage_counts_the_pairings_below_by_level_as_a_stock(pair):
    root, (v1, v2, _) = pair["root"], pair["villages"]
    school = sub(root, "school", since=D(2021, 9, 1))
    sub(root, "hospital")  # undated: counted in every year
    village_pair = sub(root, "village", v1, since=D(2022, 2, 1))
    sub(village_pair, "enterprise_village", v1, org("企业（示例）", "enterprise", pair["east"]), D(2022, 3, 1))
    sub(root, "social_village", v2, org("协会（示例）", "social", pair["east"]), D(2023, 2, 1))
    sub(school, "other", since=D(2021, 10, 1))
    coverage = figures(root, 2022, "pairing")["coverage"]
    assert coverage == {"province": 0, "city": 0, "county": 0, "township": 0, "village": 1,
                        "enterprise_village": 1, "school": 1, "hospital": 1, "social_village": 0, "park": 0,
                        "other": 1}
    assert figures(root, 2022, "pairing")["coverage_total"] == 5
    assert figures(root, 2021, "pairing")["coverage"]["village"] == 0
    assert figures(root, 2023, "pairing")["coverage"]["social_village"] == 1
    # The pairing itself is not its own coverage; a sub-pairing's subtree is its own.
    assert figures(village_pair, 2022, "pairing")["coverage_total"] == 1


# --- Training of 党政干部 and 专业技术人才 (人次) ---------------------------------

def training_class(root, name, audience, start, people):
    tc = TrainingClass.objects.create(pairing=root, name=name, audience=audience, start=start, end=start, days=1)
    for person in people:
        Trainee.objects.create(training_class=tc, person=person)
    return tc


def test_cadres_30_and_professionals_20_person_times(pair):
    root = pair["root"]
    people = [Person.objects.create(pairing=root, name=f"学员{n}（示例）") for n in range(40)]
    training_class(root, "党政干部培训班（示例）", TrainingClass.CADRE, D(2022, 4, 1), people[:30])
    training_class(root, "医疗人才培训班（示例）", TrainingClass.PROFESSIONAL, D(2022, 5, 1), people[:12])
    training_class(root, "教师培训班（示例）", TrainingClass.PROFESSIONAL, D(2022, 6, 1), people[:8])
    training_class(root, "电工培训班（示例）", TrainingClass.LABOUR, D(2022, 7, 1), people[30:])
    training_class(root, "下一年的干部班（示例）", TrainingClass.CADRE, D(2023, 1, 10), people[:5])
    f = figures(root, 2022, "labour")
    assert (f["cadre_trainees"], f["cadre_classes"]) == (30, 1)
    # 人次: the twelve of the medical class are again eight of the teachers' class.
    assert (f["professional_trainees"], f["professional_classes"]) == (20, 2)
    # 劳动技能培训 counts only the classes for rural workers.
    assert (f["trainees"], f["training_classes"]) == (10, 1)
    assert figures(root, 2023, "labour")["cadre_trainees"] == 5


def test_the_audience_through_the_api_and_the_form(county):
    url = f"/api/v1/labour/pairings/{county.pk}/classes"
    body = {"name": "干部培训班（示例）", "start": "2022-08-01", "end": "2022-08-03", "days": 3, "audience": "cadre"}
    r = token_client("liuhe").post(url, body, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["audience"] == "cadre"
    assert TrainingClass.objects.get(name="干部培训班（示例）").audience == TrainingClass.CADRE
    r = token_client("liuhe").post(url, {**body, "name": "乙班", "audience": "leaders"},
                                   content_type="application/json")
    assert r.status_code == 422
    # A form without the field is a class for rural workers.
    form = {"name": "默认班（示例）", "kind": "skill", "start": "2022-09-01", "end": "2022-09-02", "days": 2}
    r = login("liuhe").post(reverse("labour_class_create", args=[county.pk]), form)
    assert TrainingClass.objects.get(name="默认班（示例）").audience == TrainingClass.LABOUR, r.status_code


# --- Park results --------------------------------------------------------------

def investment(root, firm, name, landed, park=None, jobs=0, poverty=0, tranches=()):
    inv = Investment.objects.create(pairing=root, enterprise=firm, project_name=name, industry="other",
                                    landed_on=landed, park=park, jobs=jobs, jobs_poverty=poverty,
                                    agreed_amount=Decimal("1000"))
    for day, amount in tranches:
        InvestmentArrival.objects.create(investment=inv, date=day, amount=Decimal(amount))
    return inv


def test_park_results_and_a_tranche_outside_the_year(pair):
    root = pair["root"]
    park = Park.objects.create(pairing=root, name="测试园区（示例）", since_year=2022)
    later_park = Park.objects.create(pairing=root, name="二期园区（示例）", since_year=2023)
    firm_a = org("入园企业甲（示例）", "enterprise", pair["east"])
    firm_b = org("入园企业乙（示例）", "enterprise", pair["east"])
    investment(root, firm_a, "甲项目", D(2022, 3, 1), park, jobs=40, poverty=12,
               tranches=[(D(2022, 3, 1), "300.00"), (D(2023, 2, 1), "200.00")])  # the second tranche is 2023's
    investment(root, firm_a, "甲二期", D(2022, 9, 1), park, jobs=10, poverty=3, tranches=[(D(2022, 9, 1), "50.50")])
    investment(root, firm_b, "园外项目", D(2022, 5, 1), None, jobs=99, tranches=[(D(2022, 5, 1), "900.00")])
    investment(root, firm_b, "二期园区项目", D(2023, 4, 1), later_park, jobs=7, tranches=[(D(2023, 4, 1), "70.00")])
    f = figures(root, 2022, "industry")
    assert (f["park_enterprises"], f["park_investment_arrived"], f["park_jobs"], f["park_jobs_poverty"]) == (
        1, "350.50", 50, 15)
    assert f["investment_arrived"] == "1250.50"  # all enterprises, parks or not
    f = figures(root, 2023, "industry")
    assert (f["park_enterprises"], f["park_investment_arrived"], f["park_jobs"]) == (2, "270.00", 57)


# --- 项目带动脱贫人口 ------------------------------------------------------------

def test_only_started_projects_lead_people_out_of_poverty(pair):
    root = pair["root"]
    category = ProjectCategory.objects.first()

    def project(code, status, year=2022, **counts):
        p = Project.objects.create(pairing=root, code=code, name=f"项目{code}", year=year, category=category,
                                   status=status)
        for kind, n in counts.items():
            ProjectBeneficiary.objects.create(project=p, kind=kind, count=n)

    project("A", Project.IMPLEMENTING, poverty=10, monitored=2, students=300)
    project("B", Project.HANDED_OVER, poverty=3)
    project("C", Project.RESERVE, poverty=100)  # 储备: the pool, not a project
    project("D", Project.APPROVED, poverty=7)  # 立项, not begun
    project("E", Project.TERMINATED, poverty=50, monitored=5)
    project("F", Project.COMPLETED, year=2021, poverty=40)  # another year's project
    f = figures(root, 2022, "funds")
    assert (f["poverty_led"], f["poverty_led_monitored"]) == (15, 2)
    assert f["beneficiaries"]["poverty"] == 20  # the beneficiaries figure keeps every counted project
    assert figures(root, 2021, "funds")["poverty_led"] == 40


# --- 乡村振兴示范村 ----------------------------------------------------------------

def test_demo_villages_are_a_stock_of_distinct_villages(pair):
    root, (v1, v2, _) = pair["root"], pair["villages"]
    DemoVillage.objects.create(pairing=root, village=v1, level=DemoVillage.COUNTY, designated_year=2021)
    DemoVillage.objects.create(pairing=root, village=v1, level=DemoVillage.PROVINCE, designated_year=2022)
    DemoVillage.objects.create(pairing=root, village=v2, level=DemoVillage.COUNTY, designated_year=2022,
                               investment=Decimal("500000.00"))
    assert [figures(root, y, "industry")["demo_villages"] for y in (2020, 2021, 2022)] == [0, 1, 2]
    # Newly designated in 2022: v2, and v1 again at the provincial level.
    assert figures(root, 2022, "industry")["demo_villages_new"] == 2
    # v2 designated a second time in 2022 (at the provincial level) is still
    # one village; v3, designated in 2021, is a demonstration village of 2022
    # but not a new one.
    DemoVillage.objects.create(pairing=root, village=v2, level=DemoVillage.PROVINCE, designated_year=2022)
    DemoVillage.objects.create(pairing=root, village=pair["villages"][2], level=DemoVillage.COUNTY,
                               designated_year=2021)
    f = figures(root, 2022, "industry")
    assert (f["demo_villages"], f["demo_villages_new"]) == (3, 2)


def test_a_demo_village_must_be_a_village_of_the_pairings_west(pair):
    root = pair["root"]
    msg = DemoVillage(pairing=root, village=pair["west"], designated_year=2022)
    with pytest.raises(ValidationError) as e:
        msg.full_clean()
    assert e.value.message_dict["village"] == ["“湟源县巴燕乡”不是村级区划，请选择村"]
    elsewhere = Region.objects.create(name="别处村", level="village", parent=Region.objects.get(name="寺寨乡"))
    with pytest.raises(ValidationError) as e:
        DemoVillage(pairing=root, village=elsewhere, designated_year=2022).full_clean()
    assert "不在结对西部区划" in e.value.message_dict["village"][0]


# --- The catalogue: basis and the new keys ---------------------------------------

NEW = {"workshops": "industry.workshops", "park_enterprises": "industry.park_enterprises",
       "cadre_training": "labour.cadre_trainees", "professional_training": "labour.professional_trainees",
       "pairing_coverage": "pairing.coverage_total", "demo_villages": "industry.demo_villages",
       "poverty_led": "funds.poverty_led", "village_pairs": "industry.paired_villages"}


def test_every_seeded_indicator_names_its_basis_on_the_page_and_in_the_api():
    seeded = {i.code: i for i in Indicator.objects.all()}
    assert {code: seeded[code].computation for code in NEW} == NEW
    assert all(i.basis for i in seeded.values()), [c for c, i in seeded.items() if not i.basis]
    page = login("lingdao").get("/assessment/indicators/").content.decode()
    assert seeded["demo_villages"].basis in page and "农业农村部2023年东西部协作数据" in page
    catalogue = {row["code"]: row for row in login("lingdao").get("/api/v1/assessment/indicators").json()}
    assert catalogue["execution"]["basis"] == "我方判断"
    assert catalogue["village_pairs"]["disaggregations"] == [
        {"name": "结对企业（家）", "computation": "industry.village_pair_enterprises"},
        {"name": "结对社会组织（个）", "computation": "industry.village_pair_social_orgs"}]


def test_the_upgrade_keeps_an_offices_wording_and_retires_the_pairing_rows():
    from importlib import import_module

    upgrade = import_module("xiezuo.assessment.migrations.0007_catalogue_by_the_statistics").upgrade
    Indicator.objects.filter(code="parks").update(basis="本省考核细则（2022年）")
    Indicator.objects.filter(code="training").update(basis="")
    Indicator.objects.filter(code="village_pairs").update(
        computation="industry.village_pairs", disaggregations="结对行数=industry.village_pairs\n车间=industry.workshops")
    upgrade(Indicator)
    rows = {i.code: i for i in Indicator.objects.filter(code__in=["parks", "training", "village_pairs"])}
    assert rows["parks"].basis == "本省考核细则（2022年）"
    assert rows["training"].basis.startswith("人社厅函〔2022〕173号")
    assert rows["village_pairs"].computation == "industry.paired_villages"
    assert rows["village_pairs"].disaggregations == "结对行数=industry.paired_villages\n车间=industry.workshops"


def test_the_figures_api_carries_the_new_keys(county):
    f = api_checklist(f"/api/v1/pairings/{county.pk}/figures?year=2022").json()
    assert set(f["pairing"]["coverage"]) == {code for code, _ in Pairing.LEVELS}
    assert f["pairing"]["coverage"]["township"] >= 4  # the article's four township pairs
    for key in ("village_pair_enterprises", "village_pair_social_orgs", "paired_villages", "park_enterprises",
                "park_investment_arrived", "park_jobs", "park_jobs_poverty", "demo_villages", "demo_villages_new"):
        assert key in f["industry"], key
    assert f["industry"]["demo_villages"] == 1  # the demo's 示例 village
    # The demo's two investments sit in the two parks: 5,000,000 + 3,000,000 arrived in 2022.
    assert (f["industry"]["park_enterprises"], f["industry"]["park_investment_arrived"],
            f["industry"]["park_jobs"]) == (2, "8000000.00", 75)
    for key in ("cadre_trainees", "professional_trainees"):
        assert isinstance(f["labour"][key], int)
    assert isinstance(f["funds"]["poverty_led"], int)
