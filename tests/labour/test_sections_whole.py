"""The labour and talent sections asserted key by key on hand-made cases
(docs/TESTING.md, mutation run of xiezuo/labour/figures.py): the figures
no other test pinned — certificates, the trend's trainees, the talent
directions and 人次 in post, a stay ending on New Year's Day, a planned
posting in a later year."""

import datetime

import pytest

from xiezuo.figures import compute
from xiezuo.labour.figures import employment_figures, labour_by_year
from xiezuo.labour.models import LabourSettings, Person, TalentExchange, Trainee, TrainingClass
from xiezuo.pairings.models import Organisation

pytestmark = pytest.mark.django_db
D = datetime.date


def section(pairing, years, name):
    return compute(pairing, list(years), sections=[name])[name]


def training_class(pairing, name, audience, start, people, certified=0):
    tc = TrainingClass.objects.create(pairing=pairing, name=name, audience=audience, start=start, end=start, days=1)
    for n, person in enumerate(people):
        Trainee.objects.create(training_class=tc, person=person, certificate=n < certified)
    return tc


def test_certificates_and_the_trends_trainees_count_the_rural_workers_classes_of_the_tree(foreign, county):
    people = [Person.objects.create(pairing=foreign, name=f"学员{n}（示例）") for n in range(6)]
    training_class(foreign, "电工培训班（示例）", TrainingClass.LABOUR, D(2022, 4, 1), people[:3], certified=2)
    training_class(foreign, "党政干部培训班（示例）", TrainingClass.CADRE, D(2022, 5, 1), people[3:5], certified=2)
    training_class(foreign, "医疗人才培训班（示例）", TrainingClass.PROFESSIONAL, D(2022, 6, 1), people[5:], certified=1)
    training_class(foreign, "焊工培训班（示例）", TrainingClass.LABOUR, D(2023, 3, 1), people[:4], certified=0)
    # The demo county's own classes (another tree) hold certified trainees of 2022 too.
    assert TrainingClass.objects.filter(pairing=county, start__year=2022, audience=TrainingClass.LABOUR,
                                        trainees__certificate=True).exists()
    labour = section(foreign, [2022], "labour")
    assert {k: labour[k] for k in ("training_classes", "trainees", "certified", "cadre_trainees", "cadre_classes",
                                   "professional_trainees", "professional_classes")} == {
        "training_classes": 1, "trainees": 3, "certified": 2, "cadre_trainees": 2, "cadre_classes": 1,
        "professional_trainees": 1, "professional_classes": 1}
    # The trend: 人次 of the rural workers' classes only, by the year each starts.
    assert labour_by_year([foreign.pk], [2022, 2023]) == {2022: {"employed": 0, "trainees": 3},
                                                            2023: {"employed": 0, "trainees": 4}}


def test_no_period_asked_computes_nothing(foreign, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        figures, _ = employment_figures([foreign.pk], {})
    assert figures == {}


def stay(pairing, name, start, end, kind=TalentExchange.DOCTOR, direction=TalentExchange.E2W):
    person = Person.objects.filter(pairing=pairing, name=name).first() or Person.objects.create(pairing=pairing,
                                                                                                 name=name)
    units = (Organisation.objects.get(name="南京市六合区人民医院"), Organisation.objects.get(name="湟源县人民医院"))
    return TalentExchange.objects.create(pairing=pairing, person=person, start=start, end=end, kind=kind,
                                         direction=direction, sending_unit=units[0], receiving_unit=units[1])


def test_talent_directions_persons_and_stays_in_post(foreign):
    stay(foreign, "支教教师（示例）", D(2022, 3, 1), D(2022, 6, 30), kind=TalentExchange.TEACHER)
    stay(foreign, "支教教师（示例）", D(2022, 9, 1), D(2022, 12, 31), kind=TalentExchange.TEACHER)
    stay(foreign, "支医医生（示例）", D(2022, 4, 1), D(2022, 5, 31), kind=TalentExchange.DOCTOR,
         direction=TalentExchange.W2E)
    # In post on 1 January 2022, its last day: in post in 2022, arrived in 2021.
    stay(foreign, "挂职干部（示例）", D(2021, 7, 1), D(2022, 1, 1), kind=TalentExchange.CADRE)
    talent = section(foreign, [2022], "talent")
    assert talent["by_direction"] == {TalentExchange.E2W: 2, TalentExchange.W2E: 1}
    assert (talent["person_times"], talent["persons"]) == (3, 2)
    assert (talent["sanzhi_person_times"], talent["sanzhi_persons"]) == (3, 2)
    assert talent["in_post_person_times"] == 4
    assert (talent["cadres"], talent["cadres_arrived"]) == (1, 0)
    assert talent["long_term_months"] == LabourSettings.current().long_term_months


def test_a_planned_posting_is_in_post_in_each_of_its_later_years(foreign):
    """The recorded period counts, planned days included: a posting agreed
    for 2029–2031 is in post in 2030 whatever today is."""
    stay(foreign, "两年挂职干部（示例）", D(2029, 7, 1), D(2031, 6, 30), kind=TalentExchange.CADRE)
    talent = section(foreign, [2030], "talent")
    assert (talent["cadres"], talent["cadres_arrived"], talent["in_post_person_times"]) == (1, 0, 1)
