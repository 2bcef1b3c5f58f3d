"""Texts that go out (the 自评报告's narratives, the project texts of the
public disclosure page) are run through 口径核对 when saved: the page after
saving lists the inconsistent claims; saving is never blocked."""

import pytest
from django.urls import reverse

from tests.checklist import login
from xiezuo.assessment.models import SelfEvaluation
from xiezuo.assessment.narrative import WORK_AREAS
from xiezuo.funds.models import Project

pytestmark = pytest.mark.django_db


def narratives(evaluation, text):
    data = {"title": evaluation.title, "grade": "较好", "loaded_version": evaluation.version}
    for n, (code, _) in enumerate(WORK_AREAS):
        data[f"area_{code}"] = text if n == 0 else ""
    return data


def save_and_follow(client, url, data):
    r = client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:500]
    return client.get(r["Location"]).content.decode()


def flagged_rows(html):
    return [row.split("</tr>")[0] for row in html.split('<tr class="flagged ')[1:]]


def test_a_narrative_claiming_4500_for_2021_funds_is_shown_after_saving(county):
    evaluation = SelfEvaluation.objects.get(pairing=county, year=2022, side="west")
    url = reverse("assessment:self_evaluation", args=[county.pk, 2022, "west"])
    client = login("huangyuan")
    html = save_and_follow(client, url, narratives(evaluation, "2021年到位财政援助资金4500万元。"))
    evaluation.refresh_from_db()
    assert evaluation.narratives[WORK_AREAS[0][0]] == "2021年到位财政援助资金4500万元。"  # saved anyway
    (row,) = flagged_rows(html)
    assert row.startswith("verdict-inconsistent")
    for part in ("2021年到位财政援助资金4500万元。", "4500万元", "4300万元", "台账比文稿 −200万元",
                 f"/pairings/{county.pk}/funds/receipts/?year=2021"):
        assert part in row, part
    # Shown once, right after the save: not on the next visit.
    assert 'class="flagged' not in client.get(url).content.decode()
    # Without a year, a figure is the report's year's: 4220万元 for 2022 holds.
    html = save_and_follow(client, url, narratives(SelfEvaluation.objects.get(pk=evaluation.pk),
                                                   "到位财政援助资金4220万元，实施协作项目12个。"))
    assert flagged_rows(html) == [] and "文中可核对的数字均与台账一致" in html


def project_data(project, **changes):
    data = {"code": project.code, "name": project.name, "year": project.year, "category": project.category_id,
            "coop_funds": project.coop_funds, "other_funds": "0", "loaded_version": project.version}
    data.update(changes)
    return data


def test_a_project_text_for_the_public_page_is_checked_when_saved(county):
    project = Project.objects.get(code="HY-2022-10")
    client = login("huangyuan")
    url = reverse("project_edit", args=[project.pk])
    html = save_and_follow(client, url, project_data(
        project, description="2022年全县到位财政援助资金4220万元，本项目建设温室大棚。",
        linkage_note="2022年共带动农村劳动力就业99人。"))
    (row,) = flagged_rows(html)
    assert "99人" in row and "19人" in row and "台账比文稿 −80人" in row
    project.refresh_from_db()
    assert project.linkage_note == "2022年共带动农村劳动力就业99人。"
    html = save_and_follow(client, url, project_data(project, linkage_note="2022年共带动农村劳动力就业19人。"))
    assert flagged_rows(html) == [] and "文中可核对的数字均与台账一致" in html
