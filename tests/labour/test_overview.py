"""The labour overview page, the settings page and the pairing-page links."""

import pytest
from django.urls import reverse

from xiezuo.audit.models import AuditEvent
from xiezuo.labour.models import LabourSettings, LabourYearRule

from ..checklist import login, page_checklist

pytestmark = pytest.mark.django_db


def test_overview_shows_the_figures_for_the_chosen_years(county):
    url = reverse("labour_overview", args=[county.pk])
    html = page_checklist(url + "?from=2021&to=2022").content.decode()
    assert '<th>培训班（按开班年度）</th><td class="amount">3 期</td>' in html
    assert '<th>培训人次</th><td class="amount">150</td>' in html
    assert '<th>“三支”人次</th><td class="amount">31</td>' in html
    assert "<li>赴对口省份：7</li>" in html and "<li>省外其他地区：3</li>" in html and "<li>支医：9</li>" in html
    assert '<td class="amount" id="employed-new">20</td>' in html
    assert "2021年：稳定就业≥90天，脱贫劳动力含监测对象；2022年：" in html
    html = login("liuhe").get(url + "?from=2019&to=2019").content.decode()
    assert '<th>“三支”人次</th><td class="amount">2</td>' in html


def test_pairing_page_links_to_labour_and_talent(county):
    html = login("lingdao").get(reverse("pairing_detail", args=[county.pk])).content.decode()
    assert f'href="{reverse("labour_overview", args=[county.pk])}">劳务协作</a>' in html
    assert f'href="{reverse("labour_talent_list", args=[county.pk])}">人才交流</a>' in html


def test_settings_readable_by_all_and_editable_by_admin_only(county):
    url = reverse("labour_settings")
    html = page_checklist(url, outsider=None).content.decode()
    assert '<dd class="col-6" id="long-term-months">6</dd>' in html and "只有管理员可以修改" in html
    # The years of the current cooperation are listed with their defaults.
    assert "2021" in html and reverse("labour_year_rule") + "?year=2022" in html
    data = {"long_term_months": "12", "loaded_version": "1"}
    for user in ("liuhe", "huangyuan", "outsider"):
        assert login(user).post(url, data).status_code == 403
    assert LabourSettings.current().long_term_months == 6
    r = login("admin").post(url, data)
    assert r.status_code == 302 and LabourSettings.current().long_term_months == 12
    assert AuditEvent.objects.filter(model="labour.LabourSettings", action="create").exists()
    html = login("admin").post(url, {**data, "long_term_months": "13", "loaded_version": "1"}).content.decode()
    assert "月数应在1至12之间" in html and LabourSettings.current().long_term_months == 12


def test_a_years_rule_is_edited_by_an_admin_with_its_version(county):
    url = reverse("labour_year_rule") + "?year=2022"
    html = page_checklist(url, outsider=None).content.decode()
    assert "2022年就业统计口径" in html and "3（90天）" in html and "只有管理员可以修改" in html
    data = {"stable_months": "4", "poverty_includes_monitored": "", "note": "示例省份文件", "loaded_version": "1"}
    for user in ("liuhe", "huangyuan", "lingdao"):
        assert login(user).post(url, data).status_code == 403
    assert not LabourYearRule.objects.exists()
    admin = login("admin")
    assert admin.post(url, data).status_code == 302
    rule = LabourYearRule.objects.get(year=2022)
    assert (rule.stable_months, rule.stable_days, rule.poverty_includes_monitored, rule.version) == (4, 120, False, 2)
    assert list(AuditEvent.objects.filter(model="labour.LabourYearRule").values_list("action", flat=True)) == [
        "update", "create"]
    # A second save from the page read before the first is refused.
    html = admin.post(url, {**data, "stable_months": "5"}).content.decode()
    assert "此记录已被他人修改" in html and LabourYearRule.objects.get(year=2022).stable_months == 4
    html = admin.post(url, {**data, "stable_months": "13", "loaded_version": "2"}).content.decode()
    assert "月数应在1至12之间" in html
    # The other years keep the default; the overview names each year's rule.
    assert LabourYearRule.for_year(2021).stable_months == 3
    html = admin.get(reverse("labour_overview", args=[county.pk]) + "?from=2021&to=2022").content.decode()
    assert "2021年：稳定就业≥90天，脱贫劳动力含监测对象；2022年：稳定就业≥120天，脱贫劳动力不含监测对象" in html
    assert admin.get(reverse("labour_year_rule") + "?year=1999").status_code == 404
    assert admin.get(reverse("labour_year_rule")).status_code == 404
