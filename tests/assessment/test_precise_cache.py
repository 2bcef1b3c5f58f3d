"""The figures cache throws away only what a change can alter: the sections
that read the changed model, in the years the change touches (issue: a sale
of 2023 must not throw away 2021's labour figures). Whatever was kept or
recomputed, the cached figures must equal a fresh computation."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiezuo import figures as registry
from xiezuo.assessment import services
from xiezuo.assessment.models import FiguresCache

pytestmark = pytest.mark.django_db

YEARS = [2021, 2022]


def fresh(pairing, year):
    ids = services.subtree_ids([pairing])[pairing.pk]
    return json.loads(json.dumps(services._compute(ids, year), cls=services.DjangoJSONEncoder))


def entries(pairing):
    return services.cache_entries(services.subtree_ids([pairing]), YEARS)


def assert_all_fresh(result, pairing):
    for year in YEARS:
        assert result[(pairing.pk, year)].figures == fresh(pairing, year), year


def tables_in(queries, tables):
    """The models whose tables the queries name, quoted by the ORM or bare in
    a section's own SQL (the consumption section's)."""
    return {tables[word] for q in queries for word in re.findall(r"\w+", q["sql"]) if word in tables}


def test_tables_are_found_quoted_and_bare():
    tables = {"consumption_sale": "consumption.sale", "consumption_channel": "consumption.channel"}
    queries = [{"sql": 'SELECT 1 FROM "consumption_sale"'}, {"sql": "SELECT t.id FROM consumption_channel t"},
               {"sql": "SELECT 1 FROM consumption_saletotal"}]
    assert tables_in(queries, tables) == {"consumption.sale", "consumption.channel"}


def test_every_section_declares_the_models_it_reads(county):
    """Each declaration is checked against the tables the section queries on
    the demo: a section reading a model it does not declare would be served
    stale after a change of that model."""
    tables = {m._meta.db_table: m._meta.label_lower for m in apps.get_models()}
    ids = services.subtree_ids([county])[county.pk]
    for name, fn in registry.SECTIONS.items():
        reads = registry.READS.get(name)
        assert reads is not None, f"section {name} declares no reads"
        with CaptureQueriesContext(connection) as ctx:
            for year in YEARS:
                fn(ids, [year])
        used = tables_in(ctx.captured_queries, tables)
        assert used, name
        undeclared = {label for label in used if label not in reads and label.split(".")[0] not in reads}
        assert not undeclared, f"section {name} reads {sorted(undeclared)} without declaring it"


def test_an_edit_of_one_year_leaves_other_years_and_sections_cached(county):
    from xiezuo.consumption.models import Sale

    FiguresCache.objects.all().delete()
    first = entries(county)
    assert all(e.recomputed == frozenset(registry.SECTIONS) for e in first.values())
    kept_2021 = first[(county.pk, 2021)].audit_seq

    sale = Sale.objects.filter(pairing=county, year=2022).order_by("pk").first()
    assert sale is not None, "the demo has 2022 sales"
    sale.amount += Decimal("1000.00")
    sale.save()

    second = entries(county)
    assert second[(county.pk, 2021)].recomputed == frozenset()
    assert second[(county.pk, 2021)].audit_seq == kept_2021
    touched = second[(county.pk, 2022)].recomputed
    assert "consumption" in touched and "labour" not in touched and "funds" not in touched
    assert touched == frozenset(registry.sections_reading("consumption.Sale"))
    assert_all_fresh(second, county)


def test_a_change_without_a_year_field_touches_every_year_of_its_sections_only(county):
    from xiezuo.labour.models import Employment

    FiguresCache.objects.all().delete()
    entries(county)
    job = Employment.objects.filter(pairing__path__startswith=county.path).order_by("pk").first()
    assert job is not None
    job.monthly_income = (job.monthly_income or Decimal(0)) + Decimal("100")
    job.save()
    result = entries(county)
    for year in YEARS:
        assert result[(county.pk, year)].recomputed == frozenset(registry.sections_reading("labour.Employment"))
        assert "consumption" not in result[(county.pk, year)].recomputed
    assert_all_fresh(result, county)


def test_a_national_setting_of_one_year_touches_that_year_everywhere(county):
    from xiezuo.labour.models import LabourYearRule

    FiguresCache.objects.all().delete()
    entries(county)
    rule, _ = LabourYearRule.objects.get_or_create(year=2021, defaults={"stable_months": 3})
    rule.stable_months = 6 if rule.stable_months != 6 else 3
    rule.save()
    result = entries(county)
    assert "labour" in result[(county.pk, 2021)].recomputed
    assert result[(county.pk, 2022)].recomputed == frozenset()
    assert_all_fresh(result, county)


def test_reading_personal_data_changes_no_figure(county, client_for):
    from xiezuo.audit.models import record
    from xiezuo.labour.models import Person

    FiguresCache.objects.all().delete()
    entries(county)
    person = Person.objects.filter(pairing=county).first()
    record("view_pii", model="labour.Person", object_id=person.pk, pairing_id=county.pk, summary="查看")
    assert all(e.recomputed == frozenset() for e in entries(county).values())


def test_an_edit_in_another_tree_leaves_this_pairing_cached_and_a_child_edit_reaches_the_parent(county, foreign):
    from xiezuo.audit.models import record
    from xiezuo.funds.models import FundReceipt

    FiguresCache.objects.all().delete()
    entries(county)
    # The foreign pairing keeps no ledger rows: an import's batch event (the
    # form the importer writes, through the same function) stands for one.
    record("import", model="labour.Employment", pairing_id=foreign.pk, summary="导入务工就业")
    assert all(e.recomputed == frozenset() for e in entries(county).values())

    child = FundReceipt.objects.filter(pairing__path__startswith=county.path).exclude(pairing=county).first()
    assert child is not None, "the demo's township pairs have receipts (420万元)"
    child.amount += Decimal("1.00")
    child.save()
    result = entries(county)
    assert result[(county.pk, child.year)].recomputed == frozenset(registry.sections_reading("funds.FundReceipt"))
    assert_all_fresh(result, county)


def test_many_edits_of_every_kind_keep_the_cache_equal_to_a_fresh_computation(county):
    """One change after another of every kind the sections read, each
    followed by the cache compared with a fresh computation."""
    from xiezuo.consumption.models import Sale
    from xiezuo.funds.models import Disbursement, FundReceipt, Project, ProjectBeneficiary
    from xiezuo.industry.models import AgreedItem, Investment
    from xiezuo.pairings.models import AgreementTarget

    FiguresCache.objects.all().delete()
    entries(county)
    in_tree = {"pairing__path__startswith": county.path}

    def edits():
        sale = Sale.objects.filter(**in_tree, year=2021).order_by("-pk").first()
        sale.year, sale.date = 2022, sale.date.replace(year=2022)
        yield sale.save
        receipt = FundReceipt.objects.filter(**in_tree).order_by("pk").first()
        receipt.amount += Decimal("10000")
        yield receipt.save
        project = Project.objects.filter(**in_tree, year=2022).order_by("pk").first()
        project.name += "（调整）"
        yield project.save
        beneficiary = ProjectBeneficiary.objects.filter(project__pairing__path__startswith=county.path).first()
        beneficiary.count += 7
        yield beneficiary.save
        disbursement = Disbursement.objects.filter(project__pairing__path__startswith=county.path).first()
        if disbursement is not None:
            yield disbursement.delete
        target = AgreementTarget.objects.filter(agreement__pairing=county).first()
        if target is not None:
            target.value += 1
            yield target.save
        item = AgreedItem.objects.filter(**in_tree).first()
        if item is not None:
            item.year = 2021 if item.year == 2022 else 2022
            yield item.save
        investment = Investment.objects.filter(**in_tree).first()
        if investment is not None:
            yield investment.delete

    steps = 0
    for step in edits():
        step()
        steps += 1
        assert_all_fresh(entries(county), county)
    assert steps >= 5


def test_a_change_no_figure_reads_keeps_the_figures_but_not_the_stored_dashboard(county, client_for):
    """A hand-entered actual changes what the dashboard shows but no figures
    section: the figures stay, the stored dashboard JSON is built again."""
    from xiezuo.assessment.models import Indicator, ManualActual

    indicator = Indicator.objects.create(code="probe_manual", name="探针：人工填报指标", unit="个", side="both",
                                         computation="manual", order=1)
    manual = ManualActual.objects.create(pairing=county, year=2022, indicator=indicator, value=3)
    FiguresCache.objects.all().delete()
    c = client_for("huangyuan")
    url = f"/api/v1/pairings/{county.pk}/dashboard?year=2022"
    assert c.get(url).status_code == 200
    shown = FiguresCache.objects.get(pairing=county, year=2022).dashboard
    assert shown
    manual.value = 4
    manual.save()
    entry = entries(county)[(county.pk, 2022)]
    assert entry.recomputed == frozenset()
    stored = FiguresCache.objects.get(pairing=county, year=2022)
    assert stored.dashboard == "" and stored.figures == fresh(county, 2022)
    assert c.get(url).content.decode() != shown
    assert FiguresCache.objects.get(pairing=county, year=2022).dashboard not in ("", shown)


def test_every_dashboard_part_names_sections_that_read_its_tables(county):
    """A part kept across a recomputation must be dropped by any change that
    can alter it: each table it reads is read by one of its sections."""
    from xiezuo.assessment import dashboard as dash

    tables = {m._meta.db_table: m._meta.label_lower for m in apps.get_models()}
    ids = services.subtree_ids([county])[county.pk]
    for name, (sections, make) in dash.LEDGER_PARTS.items():
        assert set(sections) <= set(registry.SECTIONS), name
        with CaptureQueriesContext(connection) as ctx:
            for year in YEARS:
                make(ids, year)
        used = tables_in(ctx.captured_queries, tables)
        assert used, name
        unseen = {label for label in used if not registry.sections_reading(label) & set(sections)}
        assert not unseen, f"part {name} reads {sorted(unseen)}, which none of {sections} reads"


def dashboard(pairing, year):
    from xiezuo.assessment import dashboard as dash

    return json.loads(dash.payload_text(pairing, year))


def built_afresh(pairing, year):
    FiguresCache.objects.filter(pairing=pairing, year=year).delete()
    return dashboard(pairing, year)


def test_the_dashboard_keeps_its_funds_alerts_across_a_sale_and_rebuilds_them_after_a_funds_or_asset_change(county):
    """After an edit of a sale the funds health rules do not run again (the
    alerts are kept); after a change of a project, a rule or an asset they
    do; and whatever was kept, the dashboard is the one a fresh build makes."""
    from xiezuo.assets.models import Asset
    from xiezuo.consumption.models import Sale
    from xiezuo.funds.models import HealthRule, Project

    year = 2022
    FiguresCache.objects.all().delete()
    first = dashboard(county, year)
    assert first["alerts"], "the demo's 2022 projects raise health alerts"

    sale = Sale.objects.filter(pairing__path__startswith=county.path, year=year).order_by("pk").first()
    sale.amount += Decimal("1000.00")
    sale.save()
    with CaptureQueriesContext(connection) as ctx:
        after_sale = dashboard(county, year)
    assert not [q for q in ctx.captured_queries if "funds_healthrule" in q["sql"]], "the funds rules ran again"
    assert after_sale["figures"]["consumption"] != first["figures"]["consumption"]
    assert after_sale["alerts"] == first["alerts"]
    assert after_sale == built_afresh(county, year)

    # A late project given a new planned finish: the 超过计划完工日期 rule
    # no longer names it.
    named = {a["project"] for a in first["alerts"] if a.get("rule") == HealthRule.OVERDUE}
    project = Project.objects.filter(pk__in=named, pairing__path__startswith=county.path, year=year).order_by("pk").first()
    assert project is not None, "the demo has a late 2022 project"
    project.planned_finish = datetime.date(year + 30, 12, 31)
    project.save()
    rescheduled = dashboard(county, year)
    assert project.pk not in {a["project"] for a in rescheduled["alerts"] if a.get("rule") == HealthRule.OVERDUE}
    assert rescheduled["alerts"] != first["alerts"]
    assert rescheduled == built_afresh(county, year)

    # The rule switched off (a national setting, no pairing): its alerts go.
    rule = HealthRule.objects.get(code=HealthRule.OVERDUE)
    rule.enabled = False
    rule.save()
    off = dashboard(county, year)
    assert len(named) > 1 and not [a for a in off["alerts"] if a.get("rule") == HealthRule.OVERDUE]
    assert off == built_afresh(county, year)

    # An asset registered for a project handed over without one: only the
    # asset ledger changes, and the 资产移交…未登记资产 alert must go.
    handed = Project.objects.filter(pairing__path__startswith=county.path, year=year,
                                    status=Project.HANDED_OVER).order_by("pk").first()
    assert handed is not None, "the demo has a 2022 project handed over"
    asset = Asset.objects.filter(project=handed).first()
    assert asset is not None, "the demo registers its assets"
    asset_id = asset.pk
    asset.delete()
    missing = dashboard(county, year)
    assert handed.pk in {a["project"] for a in missing["alerts"] if a.get("rule") == HealthRule.NO_ASSET}
    assert missing == built_afresh(county, year)
    assert not Asset.objects.filter(pk=asset_id).exists()


def test_the_first_view_after_an_edit_writes_its_cache_row_once(county):
    """The recomputed figures and the dashboard built from them are written
    together, in one statement; the next view computes and writes nothing."""
    from xiezuo.consumption.models import Sale

    year = 2022
    FiguresCache.objects.all().delete()
    with CaptureQueriesContext(connection) as ctx:
        first = dashboard(county, year)
    writes = [q["sql"] for q in ctx.captured_queries if re.match(r"(INSERT|UPDATE)", q["sql"])]
    assert len(writes) == 1 and writes[0].startswith('INSERT INTO "assessment_figurescache"'), writes

    sale = Sale.objects.filter(pairing__path__startswith=county.path, year=year).order_by("pk").first()
    sale.amount += Decimal("100.00")
    sale.save()
    with CaptureQueriesContext(connection) as ctx:
        after = dashboard(county, year)
    writes = [q["sql"] for q in ctx.captured_queries if re.match(r"(INSERT|UPDATE)", q["sql"])]
    assert len(writes) == 1 and writes[0].startswith('UPDATE "assessment_figurescache"'), writes
    assert Decimal(after["figures"]["consumption"]["total"]) == Decimal(first["figures"]["consumption"]["total"]) + 100
    stored = FiguresCache.objects.get(pairing=county, year=year)
    assert stored.figures == after["figures"] == fresh(county, year)
    assert json.loads(stored.dashboard) == after

    with CaptureQueriesContext(connection) as ctx:
        again = dashboard(county, year)
    assert again == after
    assert not [q for q in ctx.captured_queries if re.match(r"(INSERT|UPDATE)", q["sql"]) or "saletotal" in q["sql"]]
