"""Figures over a period of several years (the labour overview over
2021–2025, the figures endpoint with from/to), cached section by section:
served as computed until a change can have altered a section in one of the
years, and always equal to a fresh computation."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xiezuo import figures as registry
from xiezuo.assessment import services
from xiezuo.assessment.models import PeriodFigures

pytestmark = pytest.mark.django_db

YEARS = [2021, 2022, 2023, 2024, 2025]


def fresh(pairing, years=YEARS, sections=None):
    return json.loads(json.dumps(registry.compute(pairing, years, sections), cls=services.DjangoJSONEncoder))


def read(pairing, years=YEARS, sections=None):
    """The cached figures and the models whose tables were queried for them."""
    tables = {m._meta.db_table: m._meta.label_lower for m in apps.get_models()}
    with CaptureQueriesContext(connection) as queries:
        figures = services.period_figures(pairing, years, sections)
    read_models = {tables[w] for q in queries.captured_queries for w in re.findall(r"\w+", q["sql"]) if w in tables}
    return figures, read_models


def test_a_period_is_computed_once_then_served_from_its_entry(county):
    first, models = read(county)
    assert first == fresh(county)
    assert "labour.employment" in models and "consumption.saletotal" in models
    entry = PeriodFigures.objects.get(pairing=county, first_year=2021, last_year=2025)
    assert set(entry.figures) == set(registry.SECTIONS)
    again, models = read(county)
    assert again == first
    # Only the cache and the audit chain are read: no ledger table.
    assert models <= {"assessment.periodfigures", "audit.auditevent", "audit.audithead", "pairings.pairing"}, models


def test_a_sale_leaves_the_periods_labour_figures_and_a_job_recomputes_them(county, make_job):
    from xiezuo.consumption.models import Sale

    read(county)
    sale = Sale.objects.filter(pairing=county, year=2022).order_by("pk").first()
    assert sale is not None, "the demo has 2022 sales"
    sale.amount += Decimal("1000.00")
    sale.save()
    figures, models = read(county)
    assert "consumption.saletotal" in models or "consumption.sale" in models
    assert "labour.employment" not in models
    assert figures == fresh(county)

    before = figures["labour"]["employed"]
    make_job(datetime.date(2024, 3, 1))
    figures, models = read(county)
    assert "labour.employment" in models and "consumption.sale" not in models
    assert figures == fresh(county) and figures["labour"]["employed"] == before + 1


def test_a_change_outside_the_period_leaves_every_section(county):
    from xiezuo.consumption.models import Sale

    read(county, [2023, 2024, 2025])
    seq = PeriodFigures.objects.get(pairing=county).audit_seq
    sale = Sale.objects.filter(pairing=county, year=2022).order_by("pk").first()
    sale.amount += Decimal("1.00")
    sale.save()
    figures, models = read(county, [2023, 2024, 2025])
    assert not models & {"consumption.sale", "consumption.saletotal", "labour.employment"}, models
    assert figures == fresh(county, [2023, 2024, 2025])
    # Nothing of the entry changed, so nothing is written on a read (as for a year's entry).
    assert PeriodFigures.objects.get(pairing=county).audit_seq == seq


def test_sections_asked_later_are_added_and_another_day_computes_all_again(county):
    labour, models = read(county, sections=["labour", "talent"])
    assert set(labour) == {"pairing_id", "years", "labour", "talent"}
    assert "consumption.saletotal" not in models
    whole, models = read(county)
    assert whole == fresh(county)
    assert "consumption.saletotal" in models and "labour.employment" not in models  # labour was kept
    PeriodFigures.objects.filter(pairing=county).update(computed_on=datetime.date(2000, 1, 1))
    whole, models = read(county)
    assert "labour.employment" in models and whole == fresh(county)


def test_one_year_is_the_dashboards_entry_and_years_not_in_a_run_are_not_cached(county):
    from xiezuo.assessment.models import FiguresCache

    one, _ = read(county, [2022], ["labour"])
    assert one == fresh(county, [2022], ["labour"])
    assert FiguresCache.objects.filter(pairing=county, year=2022).exists()
    gap, _ = read(county, [2021, 2023], ["labour"])
    assert gap == fresh(county, [2021, 2023], ["labour"])
    assert not PeriodFigures.objects.exists()


def test_the_labour_overview_and_the_endpoint_show_the_periods_figures_after_an_edit(county, client_for, make_job):
    client = client_for("huangyuan")
    url = reverse("labour_overview", args=[county.pk]) + "?from=2021&to=2025"
    api = f"/api/v1/pairings/{county.pk}/figures?from=2021&to=2025"
    assert client.get(api).json() == fresh(county)
    page = client.get(url).content.decode()
    employed = fresh(county, sections=["labour"])["labour"]["employed"]
    assert f">{employed}<" in page.replace(" ", "")
    make_job(datetime.date(2022, 5, 1))
    assert client.get(api).json() == fresh(county)
    page = client.get(url).content.decode()
    assert f">{employed + 1}<" in page.replace(" ", "")


def test_warming_after_an_import_refreshes_todays_periods(county, make_job):
    read(county, sections=["labour"])
    make_job(datetime.date(2023, 2, 1))
    services.warm(county.pk)
    figures, models = read(county, sections=["labour"])
    assert "labour.employment" not in models
    assert figures == fresh(county, sections=["labour"])


@pytest.fixture
def make_job(county):
    """Return a function that saves a job of a new worker of the county starting on a day."""
    from xiezuo.labour.models import Employment, Person

    def make(start):
        n = Person.objects.count() + 1
        person = Person(pairing=county, name=f"测试务工人员{n}", household_type=Person.POVERTY)
        person.full_clean()
        person.save()
        job = Employment(pairing=county, person=person, destination=Employment.DESTINATIONS[0][0],
                         form=Employment.FORMS[0][0], employer="江苏某电子有限公司", place="南京市六合区",
                         start=start, end=start + datetime.timedelta(days=200))
        job.full_clean()
        job.save()
        return job

    return make


def test_two_processes_computing_one_period_at_once_both_get_it_and_one_entry_is_kept(file_demo):
    """Two readers open the same five-year view at once on a SQLite file:
    both compute it, both are answered with the same figures, and the entry
    is stored once (the second writer finds the first's and keeps it)."""
    racer = """
        import json
        from django.core.serializers.json import DjangoJSONEncoder
        from xiezuo.assessment.services import period_figures
        from xiezuo.pairings.models import Pairing
        county = Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")
        released()
        figures = period_figures(county, range(2021, 2026), ["labour", "consumption"])
        report(figures=json.loads(json.dumps(figures, cls=DjangoJSONEncoder)))
    """
    first, second = file_demo.race(racer, racer)
    after = file_demo.run("""
        import json
        from django.core.serializers.json import DjangoJSONEncoder
        from xiezuo import figures as registry
        from xiezuo.assessment.models import PeriodFigures
        from xiezuo.pairings.models import Pairing
        county = Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")
        fresh = registry.compute(county, range(2021, 2026), ["labour", "consumption"])
        report(entries=PeriodFigures.objects.count(), fresh=json.loads(json.dumps(fresh, cls=DjangoJSONEncoder)))
    """)
    assert first["figures"] == second["figures"] == after["fresh"]
    assert after["entries"] == 1


def test_two_connections_computing_one_period_at_once_on_postgresql(transactional_demo, postgres_only):
    import threading

    from xiezuo.pairings.models import Pairing

    county_id = Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县").pk
    barrier, answers = threading.Barrier(2), []

    def reader():
        try:
            county = Pairing.objects.get(pk=county_id)
            barrier.wait(timeout=10)
            answers.append(services.period_figures(county, YEARS, ["labour", "consumption"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    county = Pairing.objects.get(pk=county_id)
    assert len(answers) == 2
    assert answers[0] == answers[1] == fresh(county, sections=["labour", "consumption"])
    assert PeriodFigures.objects.count() == 1
