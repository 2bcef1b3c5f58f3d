"""Pairings, organisations and agreements: pages, API, rules."""

import pytest
from django.urls import reverse

from lib.ids import make_uscc
from xiezuo.audit.models import AuditEvent
from xiezuo.pairings.models import Agreement, Organisation, Pairing, Region

from .checklist import api_checklist, login, page_checklist

pytestmark = pytest.mark.django_db
GOOD_USCC = make_uscc("93630123MA75XY0Q1")


def test_home_lists_the_county_pair_and_its_sub_pairings_in_chinese(county):
    r = page_checklist(reverse("home"), outsider=None)
    html = r.content.decode()
    assert "南京市六合区—西宁市湟源县" in html
    assert "六合区雄州街道—湟源县大华镇" in html
    assert "大华工业园区" in html
    assert '<html lang="zh-hans">' in html


def test_home_of_outsider_does_not_list_foreign_pairings(county):
    html = login("outsider").get(reverse("home")).content.decode()
    assert "西宁市湟源县" not in html
    assert "大厂街道" in html


def test_pairing_page_shows_tree_and_agreements(county):
    r = page_checklist(reverse("pairing_detail", args=[county.pk]))
    html = r.content.decode()
    assert "六合区—湟源县2022年东西部协作协议" in html
    assert "财政援助资金" in html and "4220" in html and ">fiscal_funds<" not in html
    assert html.count('class="list-group-item"') == county.subtree().count()


def test_sub_pairing_user_sees_only_the_subtree(county, users):
    from xiezuo.accounts.models import Membership

    sub = Pairing.objects.get(level="township", east_region__name="雄州街道")
    Membership.objects.create(user=users["outsider"], pairing=sub, role="leader")
    c = login("outsider")
    assert c.get(reverse("pairing_detail", args=[sub.pk])).status_code == 200
    assert c.get(reverse("pairing_detail", args=[county.pk])).status_code == 404


def test_create_sub_pairing_and_refuse_duplicate(county):
    data = {"level": "township", "parent": county.pk, "east_region": Region.objects.get(name="龙池街道").pk,
            "west_region": Region.objects.get(name="申中乡").pk, "name": ""}
    url = reverse("pairing_create") + f"?parent={county.pk}"
    r = page_checklist(url, write=True, data=data)
    assert r.status_code == 302
    created = Pairing.objects.get(east_region__name="龙池街道")
    assert created.parent == county and created.path.startswith(county.path)
    assert str(created) == "六合区龙池街道—湟源县申中乡"
    assert AuditEvent.objects.filter(model="pairings.Pairing", object_id=str(created.pk), action="create").exists()

    before = Pairing.objects.count()
    r = login("liuhe").post(url, data)
    assert r.status_code == 200
    assert "相同双方、相同层级的结对关系已存在，不能重复创建" in r.content.decode()
    assert Pairing.objects.count() == before


def test_sub_pairing_must_lie_inside_parent_regions(county):
    data = {"level": "township", "parent": county.pk, "east_region": Region.objects.get(name="龙池街道").pk,
            "west_region": Region.objects.get(name="西宁市").pk}
    r = login("liuhe").post(reverse("pairing_create"), data)
    assert "下级结对的西部区划应位于西宁市湟源县之内" in r.content.decode()
    assert not Pairing.objects.filter(east_region__name="龙池街道").exists()


def test_only_admin_creates_top_level_pairing(county):
    data = {"level": "county", "east_region": Region.objects.get(name="南京市").pk,
            "west_region": Region.objects.get(name="西宁市").pk}
    r = login("liuhe").post(reverse("pairing_create"), data)
    assert "只有管理员可以创建顶层结对" in r.content.decode()
    r = login("admin").post(reverse("pairing_create"), data)
    assert r.status_code == 302
    assert Pairing.objects.filter(level="county", east_region__name="南京市", parent=None).exists()


def test_edit_pairing_checklist_and_conflict(county):
    url = reverse("pairing_edit", args=[county.pk])
    page_checklist(url, read_only=None)
    data = {"level": "county", "east_region": county.east_region_id, "west_region": county.west_region_id,
            "name": "六合—湟源", "since": "2021-01-01", "disclosure_enabled": "on", "loaded_version": county.version}
    page_checklist(url, write=True, data=data)
    county.refresh_from_db()
    assert county.name == "六合—湟源" and county.version == 2
    # A second editor who loaded version 1 is refused, nothing overwritten.
    data["name"] = "覆盖"
    r = login("huangyuan").post(url, data)
    assert "此记录已被他人修改" in r.content.decode()
    county.refresh_from_db()
    assert county.name == "六合—湟源"


def test_agreement_with_targets_and_duplicate_year(county):
    url = reverse("agreement_create", args=[county.pk])
    data = {"year": 2023, "title": "2023年协议", "targets-TOTAL_FORMS": 1, "targets-INITIAL_FORMS": 0,
            "targets-0-indicator": "fiscal_funds", "targets-0-value": "4500", "targets-0-unit": "万元"}
    r = page_checklist(url, write=True, data=data)
    assert r.status_code == 302
    a = Agreement.objects.get(pairing=county, year=2023)
    assert [(t.indicator, str(t.value)) for t in a.targets.all()] == [("fiscal_funds", "4500.00")]
    data["title"] = "重复"
    r = login("liuhe").post(url, data)
    assert "该结对本年度已有协议" in r.content.decode()
    assert Agreement.objects.filter(pairing=county, year=2023).count() == 1


def test_agreement_edit_checklist(county):
    a = county.agreements.get(year=2022)
    page_checklist(reverse("agreement_edit", args=[a.pk]), read_only=None)


def test_wrong_uscc_refused_in_chinese_and_nothing_saved(county):
    region = Region.objects.get(name="大华镇")
    wrong = GOOD_USCC[:17] + ("1" if GOOD_USCC[17] != "1" else "2")
    data = {"name": "示例合作社", "kind": "coop", "region": region.pk, "uscc": wrong}
    r = login("huangyuan").post(reverse("organisation_create"), data)
    assert f"统一社会信用代码校验位错误：应为“{GOOD_USCC[17]}”" in r.content.decode()
    assert not Organisation.objects.filter(name="示例合作社").exists()
    data["uscc"] = GOOD_USCC
    # The outsider may register units only in his own pairing's regions.
    r = login("outsider").post(reverse("organisation_create"), data)
    assert "选择一个有效的选项" in r.content.decode()
    assert not Organisation.objects.filter(name="示例合作社").exists()
    r = page_checklist(reverse("organisation_create"), write=True, data=data, allowed="huangyuan", outsider=None)
    org = Organisation.objects.get(name="示例合作社")
    assert org.uscc == GOOD_USCC


def test_organisation_list_and_edit_are_scoped():
    hospital = Organisation.objects.get(name="湟源县人民医院")
    r = page_checklist(reverse("organisation_list"), outsider=None)
    assert "湟源县人民医院" in r.content.decode()
    assert "湟源县人民医院" not in login("outsider").get(reverse("organisation_list")).content.decode()
    page_checklist(reverse("organisation_edit", args=[hospital.pk]), read_only=None)
    assert login("lingdao").get(reverse("organisation_edit", args=[hospital.pk])).status_code == 403


# --- API -------------------------------------------------------------------

def test_api_pairings_list(county):
    r = api_checklist("/api/v1/pairings/", outsider=None)
    rows = r.json()
    top = next(p for p in rows if p["id"] == county.pk)
    assert top["east"] == "南京市六合区" and top["west"] == "西宁市湟源县"
    assert top["level"] == "county" and top["parent"] is None
    assert {p["parent"] for p in rows if p["id"] != county.pk} == {county.pk}
    outsider_rows = api_checklist("/api/v1/pairings/", allowed="outsider", outsider=None).json()
    assert [p["east"] for p in outsider_rows] == ["六合区大厂街道"]


def test_api_pairing_detail_and_agreements(county):
    assert api_checklist(f"/api/v1/pairings/{county.pk}").json()["name"] == "南京市六合区—西宁市湟源县"
    agreements = api_checklist(f"/api/v1/pairings/{county.pk}/agreements").json()
    a2021 = next(a for a in agreements if a["year"] == 2021)
    assert {"indicator": "fiscal_funds", "value": "4300.00", "unit": "万元"} in a2021["targets"]
    api_checklist(f"/api/v1/agreements/{a2021['id']}")


def test_api_create_agreement(county):
    body = {"year": 2024, "title": "2024年协议", "targets": [{"indicator": "cadres", "value": "10", "unit": "人"}]}
    r = api_checklist(f"/api/v1/pairings/{county.pk}/agreements", method="post", json=body)
    assert r.status_code == 201, r.content
    assert Agreement.objects.get(pairing=county, year=2024).targets.get().indicator == "cadres"


def test_api_create_organisation_refuses_bad_code(county):
    region = Region.objects.get(name="大华镇")
    body = {"name": "示例家庭农场", "kind": "farm", "region": region.pk, "uscc": "12345"}
    r = api_checklist("/api/v1/organisations/", method="post", json=body, allowed="huangyuan", outsider=None)
    assert r.status_code == 422
    assert r.json()["errors"]["uscc"] == ["统一社会信用代码应为18位，实际为5位"]
    assert not Organisation.objects.filter(name="示例家庭农场").exists()


def test_api_organisations_scoped():
    names = [o["name"] for o in api_checklist("/api/v1/organisations/", outsider=None).json()]
    assert "湟源县人民医院" in names
    from .checklist import token_client

    assert "湟源县人民医院" not in [o["name"] for o in token_client("outsider").get("/api/v1/organisations/").json()]


def test_api_regions_need_login():
    r = api_checklist("/api/v1/regions/", outsider=None)
    assert {"大华镇", "雄州街道"} <= {x["name"] for x in r.json()}


def test_figures_pairing_section(county):
    r = api_checklist(f"/api/v1/pairings/{county.pk}/figures?year=2022")
    section = r.json()["pairing"]
    assert section["sub_pairings_by_level"] == {"hospital": 1, "park": 1, "school": 1, "township": 4}
    assert section["agreements"] == 6
    r = api_checklist(f"/api/v1/pairings/{county.pk}/figures?from=2021&to=2022")
    assert r.json()["years"] == [2021, 2022]
    assert r.json()["pairing"]["agreement_years"] == [2021, 2022]


def test_figures_requires_years(county):
    from .checklist import token_client

    r = token_client("liuhe").get(f"/api/v1/pairings/{county.pk}/figures")
    assert r.status_code == 422 and "year=YYYY" in r.json()["detail"]
    r = token_client("liuhe").get(f"/api/v1/pairings/{county.pk}/figures?from=2023&to=2021")
    assert r.status_code == 422 and "起始年度不能晚于结束年度" in r.json()["detail"]
