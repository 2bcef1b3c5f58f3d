"""The assessment indicators fed by the labour and talent figures: the
catalogue's texts, the per-direction talent indicators and the upgrade of a
catalogue an office has edited."""

from importlib import import_module

import pytest

from tests.checklist import login
from xiezuo.assessment.models import Indicator
from xiezuo.assessment.narrative import draft
from xiezuo.figures import compute

pytestmark = pytest.mark.django_db
RULES = import_module("xiezuo.assessment.migrations.0004_labour_talent_rules")


def rows(county, year):
    r = login("lingdao").get(f"/api/v1/pairings/{county.pk}/indicators?year={year}")
    assert r.status_code == 200
    return {row["code"]: row for row in r.json()["indicators"]}


def parts(row):
    return {d["name"]: d["actual"] for d in row["disaggregations"]}


def test_the_catalogue_passes_its_own_rules():
    for code in ("labour", "cadres", "professionals", "cadres_e2w", "cadres_w2e", "professionals_e2w",
                 "professionals_w2e"):
        Indicator.objects.get(code=code).full_clean()
    sides = dict(Indicator.objects.filter(code__endswith="2w").values_list("code", "side")) | dict(
        Indicator.objects.filter(code__endswith="2e").values_list("code", "side"))
    assert sides == {"cadres_e2w": "east", "professionals_e2w": "east", "cadres_w2e": "west",
                     "professionals_w2e": "west"}


def test_labour_indicator_parts_add_up(county):
    for year in (2021, 2022):
        row = rows(county, year)["labour"]
        got = parts(row)
        assert got["新增就业"] + got["稳岗就业"] == row["actual"]
        assert sum(got[k] for k in ("赴对口省份就业", "省外其他地区就业", "省内县外就业", "县内就业")) == row["actual"]
    # 2022: the ten jobs begun in 2021 are kept (稳岗) where they reach into 2022.
    fig = compute(county, [2022], sections=["labour"])["labour"]
    assert parts(rows(county, 2022)["labour"])["稳岗就业"] == fig["employed_kept"] > 0


def test_professionals_in_post_with_arrivals_beside_them(county):
    row = rows(county, 2022)["professionals"]
    fig = compute(county, [2022], sections=["talent"])["talent"]
    # The 2021 支教 teachers (1 September + 180 days) are still in post in 2022.
    assert row["actual"] == fig["professionals"] > fig["professionals_arrived"] == parts(row)["其中当年新到岗"]
    assert parts(row)["其中“三支”人才（人次）"] == fig["sanzhi_person_times"]
    e2w, w2e = rows(county, 2022)["professionals_e2w"], rows(county, 2022)["professionals_w2e"]
    assert e2w["actual"] + w2e["actual"] == row["actual"]


def test_the_upgrade_keeps_an_offices_lines_and_rewrites_the_retired_one():
    labour = Indicator.objects.get(code="labour")
    labour.disaggregations = "其中脱贫劳动力=labour.employed_poverty\n去东部=labour.employed_east\n自定=labour.employed"
    labour.save()
    RULES.upgrade(Indicator)
    labour.refresh_from_db()
    assert labour.disaggregations == ("其中脱贫劳动力=labour.employed_poverty\n"
                                      "赴对口省份就业=labour.by_destination.paired_province\n自定=labour.employed")
    labour.full_clean()
    # Left as seeded, the text is replaced whole.
    labour.disaggregations = RULES.OLD_LABOUR
    labour.save()
    RULES.upgrade(Indicator)
    labour.refresh_from_db()
    assert labour.disaggregations == RULES.NEW_LABOUR
    assert Indicator.objects.filter(code="cadres_e2w").count() == 1  # added once


def test_the_drafted_narrative_names_the_new_categories(county):
    figures = compute(county, [2022])
    text = draft("labour", figures)
    fig = figures["labour"]
    assert f"赴对口省份就业{fig['by_destination']['paired_province']}人" in text
    assert f"其中新增就业{fig['employed_new']}人、稳岗就业{fig['employed_kept']}人" in text
    assert f"互派党政挂职干部在岗{figures['talent']['cadres']}人" in draft("talent", figures)
