"""Demo of the assessment: both sides' drafted self-evaluations for 2022, whose figures
come from whatever ledgers are loaded (steps 900+ run after every ledger)."""

from django.apps import apps

from xiezuo.accounts.models import User
from xiezuo.demo import step

from . import workflow


@step(900)
def catalogue():
    """Make sure the seeded catalogue is there: a database emptied by a
    flush (transactional tests, a restore into a fresh schema) keeps its
    migrations but loses the rows they seeded."""
    from importlib import import_module

    from .models import Indicator

    seed = import_module("xiezuo.assessment.migrations.0002_seed_indicators")
    for order, (code, name, unit, side, computation, dis) in enumerate(seed.INDICATORS, 1):
        Indicator.objects.get_or_create(code=code, defaults={
            "name": name, "unit": unit, "side": side, "computation": computation,
            "disaggregations": dis, "order": order * 10})
    # Later migrations' changes to the catalogue, in order.
    import_module("xiezuo.assessment.migrations.0004_labour_talent_rules").upgrade(Indicator)
    import_module("xiezuo.assessment.migrations.0004_counting_rules").update(apps, None)
    import_module("xiezuo.assessment.migrations.0007_catalogue_by_the_statistics").upgrade(Indicator)


@step(901)
def self_evaluation_2022():
    from xiezuo.pairings.demo import county_pair

    # Each side drafts its own report: the west office the west's, the east office the east's.
    workflow.get_or_draft(county_pair(), 2022, User.objects.filter(username="huangyuan").first(), side="west")
    workflow.get_or_draft(county_pair(), 2022, User.objects.filter(username="liuhe").first(), side="east")
