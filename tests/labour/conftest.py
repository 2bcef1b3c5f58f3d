"""Fixtures of the labour tests: test 身份证号 (valid by check character,
belonging to nobody) and helpers that create records the way users do."""

import datetime

import pytest

from lib.ids import make_id_number
from xiezuo.labour.models import Employment, Person, TalentExchange, TrainingClass
from xiezuo.pairings.models import Organisation

# Born 1990-01-01, sequence 123 (odd: male); the demo uses other numbers.
RAW_ID = make_id_number("63012319900101123")
RAW_ID_X = next(make_id_number(f"630123198805052{n:02d}") for n in range(100)
                if make_id_number(f"630123198805052{n:02d}").endswith("X"))
RAW_PHONE = "13997123456"


@pytest.fixture
def person_factory(db):
    def make(pairing, name="测试人员", id_number=None, phone="", **kwargs):
        person = Person(pairing=pairing, name=name, **kwargs)
        person.set_id_number(id_number)
        person.set_phone(phone)
        person.full_clean()
        person.save()
        return person

    return make


@pytest.fixture
def job_factory(db):
    def make(person, start, end=None, destination=Employment.IN_COUNTY, form="enterprise", **kwargs):
        return Employment.objects.create(pairing=person.pairing, person=person, start=start, end=end,
                                         destination=destination, form=form, **kwargs)

    return make


@pytest.fixture
def hospital():
    return Organisation.objects.get(name="湟源县人民医院")


@pytest.fixture
def demo_class(county):
    return TrainingClass.objects.get(pairing=county, name="东西部协作劳动技术培训班（第一期）")


@pytest.fixture
def exchange_factory(db):
    def make(pairing, person, start, end=None, kind=TalentExchange.DOCTOR, direction=TalentExchange.E2W, **kwargs):
        orgs = kwargs.pop("units", None) or (Organisation.objects.get(name="南京市六合区人民医院"),
                                             Organisation.objects.get(name="湟源县人民医院"))
        return TalentExchange.objects.create(pairing=pairing, person=person, start=start, end=end, kind=kind,
                                             direction=direction, sending_unit=orgs[0], receiving_unit=orgs[1],
                                             **kwargs)

    return make


D = datetime.date
