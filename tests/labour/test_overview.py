"""The labour overview page, the settings page and the pairing-page links."""

import pytest
from django.urls import reverse

from xiezuo.audit.models import AuditEvent
from xiezuo.labour.models import LabourSettings

from ..checklist import login, page_checklist

pytestmark = pytest.mark.django_db


def test_overview_shows_the_figures_for_the_chosen_years(county):
    url = reverse("labour_overview", args=[county.pk])
    html = page_checklist(url + "?from=2021&to=2022").content.decode()
    assert '<th>培训班（按开班年度）</th><td class="amount">3 期</td>' in html
    assert '<th>培训人次</th><td class="amount">150</td>' in html
    assert '<th>“三支”人次</th><td class="amount">31</td>' in html
    assert "<li>到东部/江苏：10</li>" in html and "<li>支医：9</li>" in html
    html = login("liuhe").get(url + "?from=2019&to=2019").content.decode()
    assert '<th>“三支”人次</th><td class="amount">2</td>' in html


def test_pairing_page_links_to_labour_and_talent(county):
    html = login("lingdao").get(reverse("pairing_detail", args=[county.pk])).content.decode()
    assert f'href="{reverse("labour_overview", args=[county.pk])}">劳务协作</a>' in html
    assert f'href="{reverse("labour_talent_list", args=[county.pk])}">人才交流</a>' in html


def test_settings_readable_by_all_and_editable_by_admin_only(county):
    url = reverse("labour_settings")
    html = page_checklist(url, outsider=None).content.decode()
    assert '<dd class="col-6" id="stable-months">6</dd>' in html and "只有管理员可以修改" in html
    data = {"stable_months": "8", "long_term_months": "12", "loaded_version": "1"}
    for user in ("liuhe", "huangyuan", "outsider"):
        assert login(user).post(url, data).status_code == 403
    assert LabourSettings.current().stable_months == 6
    r = login("admin").post(url, data)
    assert r.status_code == 302
    assert (LabourSettings.current().stable_months, LabourSettings.current().long_term_months) == (8, 12)
    assert AuditEvent.objects.filter(model="labour.LabourSettings", action="create").exists()
    html = login("admin").post(url, {**data, "stable_months": "13", "loaded_version": "1"}).content.decode()
    assert "月数应在1至12之间" in html and LabourSettings.current().stable_months == 8
