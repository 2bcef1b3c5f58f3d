"""Lists with filters, sorting and pagination; create and edit forms."""

import re

import pytest
from django.urls import reverse

from xiezuo.audit.models import AuditEvent
from xiezuo.funds.models import FundReceipt, Project, ProjectCategory
from xiezuo.pairings.models import Organisation, Region

from ..checklist import login, token_client

pytestmark = pytest.mark.django_db


def codes(html):
    return re.findall(r"<td>(HY-\d{4}-\d\d)</td>", html)


def test_project_list_filters_and_sorts(county):
    url = reverse("project_list", args=[county.pk])
    c = login("lingdao")
    assert len(codes(c.get(url + "?year=2022").content.decode())) == 12
    edu = ProjectCategory.objects.get(code="education")
    assert codes(c.get(url + f"?year=2022&category={edu.pk}").content.decode()) == [
        "HY-2022-01", "HY-2022-02", "HY-2022-03", "HY-2022-04"]
    assert codes(c.get(url + "?status=implementing").content.decode()) == ["HY-2022-06", "HY-2022-07", "HY-2022-12"]
    town = Region.objects.get(name="波航乡")
    assert codes(c.get(url + f"?township={town.pk}").content.decode()) == ["HY-2022-04"]
    biggest = codes(c.get(url + "?year=2021&sort=-funds").content.decode())
    assert biggest[0] == "HY-2021-01" and biggest[-1] == "HY-2021-06"
    assert codes(c.get(url + "?q=幼儿园").content.decode()) == ["HY-2022-02", "HY-2022-03"]
    # Junk in the query string is ignored, never a server error.
    assert c.get(url + "?year=abc&category=x&township=<b>&sort=drop").status_code == 200


def test_project_list_paginates(county, receipt):
    from .conftest import new_project

    for i in range(10):
        new_project(county, code=f"P-{i:02d}", coop="0")
    url = reverse("project_list", args=[county.pk])
    first = login("liuhe").get(url).content.decode()
    assert "第1页，共2页" in first and len(re.findall(r'href="/projects/\d+/"', first)) == 25
    second = login("liuhe").get(url + "?page=2").content.decode()
    assert len(re.findall(r'href="/projects/\d+/"', second)) == Project.objects.in_subtree(county).count() - 25


def test_create_a_project_with_the_form_and_report_progress(county, receipt):
    data = {"code": "HY-2023-01", "name": "大华镇后庄村道路硬化项目（示例）", "year": "2023",
            "category": ProjectCategory.objects.get(code="rural").pk, "township": Region.objects.get(name="大华镇").pk,
            "village": Region.objects.get(name="后庄村").pk, "coop_funds": "300000", "other_funds": "50000",
            "planned_start": "2023-05-01", "planned_finish": "2023-04-01", "linkage": ["wage", "asset"]}
    r = login("huangyuan").post(reverse("project_create", args=[county.pk]), data)
    assert "计划完工日期不能早于计划开工日期" in r.content.decode()
    data["planned_finish"] = "2023-09-30"
    data["village"] = Region.objects.get(name="小高陵村").pk
    r = login("huangyuan").post(reverse("project_create", args=[county.pk]), data)
    assert "实施村“小高陵村”不属于所选乡镇“大华镇”" in r.content.decode()
    data["village"] = Region.objects.get(name="后庄村").pk
    r = login("huangyuan").post(reverse("project_create", args=[county.pk]), data)
    p = Project.objects.get(code="HY-2023-01")
    assert r.status_code == 302 and r["Location"] == reverse("project_detail", args=[p.pk])
    assert p.status == "reserve" and p.linkage_codes() == ["wage", "asset"] and p.place == "大华镇 后庄村"
    assert AuditEvent.objects.filter(model="funds.Project", object_id=str(p.pk), action="create").exists()
    html = login("huangyuan").get(reverse("project_detail", args=[p.pk])).content.decode()
    assert "30万元" in html and "工资性、资产性" in html and "2023年5月1日" in html


def test_stale_project_form_is_refused_without_overwriting(county):
    p = Project.objects.get(code="HY-2022-10")
    data = {"code": p.code, "name": "改名一", "year": p.year, "category": p.category_id,
            "coop_funds": p.coop_funds, "other_funds": "0", "loaded_version": p.version}
    assert login("huangyuan").post(reverse("project_edit", args=[p.pk]), data).status_code == 302
    r = login("liuhe").post(reverse("project_edit", args=[p.pk]), {**data, "name": "改名二"})
    assert "此记录已被他人修改" in r.content.decode()
    assert Project.objects.get(pk=p.pk).name == "改名一"


def test_receipt_form_and_list(county):
    township = county.children.get(level="township", east_region__name="程桥街道")
    data = {"pairing": township.pk, "year": "2022", "kind": "pairing", "date": "2022-09-01", "amount": "-5",
            "payer": Organisation.objects.get(name="南京市六合区人民政府").pk}
    r = login("liuhe").post(reverse("receipt_create", args=[county.pk]), data)
    assert "金额应大于0" in r.content.decode()
    data["amount"] = "500000"
    assert login("liuhe").post(reverse("receipt_create", args=[county.pk]), data).status_code == 302
    assert FundReceipt.objects.get(pairing=township, year=2022).amount == 500000
    html = login("lingdao").get(reverse("receipt_list", args=[county.pk]) + "?year=2022&kind=pairing").content.decode()
    # The new receipt is listed, the fiscal ones are not.
    assert "2022年9月1日" in html and "500,000.00元" in html and "3000万元" not in html
    # A foreign pairing cannot be chosen as the receipt's pairing.
    from conftest import other_pairing

    data["pairing"] = other_pairing().pk
    r = login("liuhe").post(reverse("receipt_create", args=[county.pk]), data)
    assert "选择一个有效的选项" in r.content.decode() or "Select a valid choice" in r.content.decode()


def test_api_lists_filter_and_validate(county):
    c = token_client("lingdao")
    r = c.get(f"/api/v1/pairings/{county.pk}/projects?year=2022&category=education&sort=-funds").json()
    assert r["count"] == 4 and [p["code"] for p in r["results"]][0] == "HY-2022-01"
    assert r["results"][0]["coop_funds"] == "9000000.00"
    detail = c.get(f"/api/v1/projects/{r['results'][0]['id']}").json()
    assert {"kind": "students", "count": 5593} in detail["beneficiaries"]
    wall = c.get(f"/api/v1/projects/{Project.objects.get(code='HY-2022-04').pk}").json()
    assert wall["outputs"][0]["name"] == "围墙" and wall["outputs"][0]["unit"] == "米"
    assert float(wall["outputs"][0]["quantity"]) == 180
    receipts = c.get(f"/api/v1/pairings/{county.pk}/fund-receipts?year=2021&kind=pairing").json()
    assert sorted(r["amount"] for r in receipts) == ["1000000.00", "1000000.00", "1000000.00", "1200000.00"]
    bad = token_client("liuhe").post(f"/api/v1/pairings/{county.pk}/projects",
                                     {"code": "X", "name": "X", "year": 2023, "category": "nope"},
                                     content_type="application/json")
    assert bad.status_code == 422 and "项目类别“nope”不存在" in bad.json()["errors"]["category"][0]
    dup = token_client("liuhe").post(f"/api/v1/pairings/{county.pk}/projects",
                                     {"code": "HY-2022-01", "name": "X", "year": 2023, "category": "rural"},
                                     content_type="application/json")
    assert dup.status_code == 422 and "该结对下已有相同编号的项目" in str(dup.json())


def test_administrator_edits_the_category_code_list(county):
    from django.urls import reverse as r

    cats = list(ProjectCategory.objects.order_by("order", "code"))
    data = {"form-TOTAL_FORMS": str(len(cats) + 1), "form-INITIAL_FORMS": str(len(cats))}
    for i, c in enumerate(cats):
        data.update({f"form-{i}-id": c.pk, f"form-{i}-code": c.code, f"form-{i}-name": c.name,
                     f"form-{i}-order": c.order, f"form-{i}-active": "on"})
    data.update({f"form-{len(cats)}-code": "culture", f"form-{len(cats)}-name": "文化旅游",
                 f"form-{len(cats)}-order": "9", f"form-{len(cats)}-active": "on"})
    data["form-6-active"] = ""  # 人才交流 switched off
    assert login("liuhe").post(r("project_categories"), data).status_code == 403
    assert login("admin").post(r("project_categories"), data).status_code == 302
    assert ProjectCategory.objects.get(code="culture").name == "文化旅游"
    assert not ProjectCategory.objects.get(code="talent").active
    form = login("huangyuan").get(r("project_create", args=[county.pk])).content.decode()
    assert "文化旅游" in form and "人才交流" not in form
