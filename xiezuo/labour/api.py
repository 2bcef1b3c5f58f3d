"""JSON API of labour cooperation and talent exchange, under /api/v1/labour/.

Personal data leaves only masked. The one way to the full 身份证号 and phone
is POST .../people/{id}/reveal, for roles with the "pii" permission, and
each call is an audit event. A lookup by 身份证号 is a POST so the number
never appears in a URL or an access log.

Updates are PUT with the ETag of the record read before in If-Match (412 if
someone saved in between, 428 without it). On a person, an empty id_number
or phone leaves the stored one unchanged, as on the edit page.
"""

import functools
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from lib.money import yuan_str
from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.api_helpers import etag_of, loaded_version_from
from xiezuo.api_types import choices, year_query
from xiezuo.audit.context import acting_as
from xiezuo.audit.middleware import client_ip
from xiezuo.front.forms import save_versioned
from xiezuo.funds.models import Project
from xiezuo.pairings.models import Organisation, Region

from . import services
from .models import DAYS_PER_MONTH, Employment, LabourSettings, LabourYearRule, Person, TalentExchange, Trainee, \
    TrainingClass

router = Router(tags=["劳务协作与人才交流"])
api_prefix = "labour"


# --- schemas -----------------------------------------------------------------

class PersonOut(Schema):
    id: int
    pairing: int
    name: str
    id_number_masked: str
    phone_masked: str
    gender: str
    # The decade ("1990年代"), never the date: next to the masked number the
    # date would give the number back (lib.pii, "What is shown").
    birth_decade: str
    household_type: str
    household_type_display: str
    township: str | None
    village: str | None
    unit: int | None
    is_demo: bool


class PersonIn(Schema):
    name: str
    id_number: str = ""
    phone: str = ""
    gender: choices(Person, "gender", blank=True) = ""
    birth_date: date | None = None
    household_type: choices(Person, "household_type", blank=True) = ""
    township: int | None = None
    village: int | None = None
    unit: int | None = None
    note: str = ""


class LookupIn(Schema):
    id_number: str


class PiiOut(Schema):
    id: int
    name: str
    id_number: str
    phone: str
    birth_date: date | None


class TraineeOut(Schema):
    id: int
    person: int
    name: str
    id_number_masked: str
    certificate: bool
    certificate_name: str


class TraineeIn(Schema):
    person: int
    certificate: bool = False
    certificate_name: str = ""


class ClassOut(Schema):
    id: int
    pairing: int
    name: str
    trade: str
    kind: str
    audience: str
    start: date
    end: date
    days: int
    place: str
    organiser: int | None
    project: int | None
    trainees: int
    certified: int
    is_demo: bool


class ClassDetailOut(ClassOut):
    roster: list[TraineeOut]


class ClassIn(Schema):
    name: str
    trade: str = ""
    kind: choices(TrainingClass, "kind") = TrainingClass.SKILL
    audience: choices(TrainingClass, "audience") = TrainingClass.LABOUR
    start: date
    end: date
    days: int
    place: str = ""
    organiser: int | None = None
    project: int | None = None
    note: str = ""


class EmploymentOut(Schema):
    id: int
    pairing: int
    person: int
    person_name: str
    destination: str
    form: str
    employer: str
    place: str
    start: date
    end: date | None
    monthly_income: str | None
    is_demo: bool


class EmploymentIn(Schema):
    person: int
    destination: choices(Employment, "destination")
    form: choices(Employment, "form")
    employer: str = ""
    place: str = ""
    start: date
    end: date | None = None
    monthly_income: Decimal | None = None
    note: str = ""


class ExchangeOut(Schema):
    id: int
    pairing: int
    person: int
    person_name: str
    kind: str
    direction: str
    sending_unit: int
    receiving_unit: int
    batch: str
    start: date
    end: date | None
    post: str
    specialty: str
    is_demo: bool


class ExchangeIn(Schema):
    person: int | None = None
    person_name: str = ""
    kind: choices(TalentExchange, "kind")
    direction: choices(TalentExchange, "direction")
    sending_unit: int
    receiving_unit: int
    batch: str = ""
    start: date
    end: date | None = None
    post: str = ""
    specialty: str = ""
    note: str = ""


class PersonDetailOut(PersonOut):
    trainings: list[dict]
    jobs: list[EmploymentOut]
    exchanges: list[ExchangeOut]


class YearRuleOut(Schema):
    year: int
    saved: bool
    stable_months: int
    stable_days: int
    poverty_includes_monitored: bool
    note: str


class SettingsOut(Schema):
    long_term_months: int
    days_per_month: int
    default_stable_months: int
    years: list[YearRuleOut]


# --- serialisers ---------------------------------------------------------------

# The filter declared with its choices, so the schema lists them.
HouseholdType = choices(Person, "household_type", blank=True)


def person_out(p):
    return {
        "id": p.pk, "pairing": p.pairing_id, "name": p.name, "id_number_masked": p.id_number_masked,
        "phone_masked": p.phone_masked, "gender": p.gender, "birth_decade": p.birth_decade,
        "household_type": p.household_type, "household_type_display": p.get_household_type_display(),
        "township": p.township.name if p.township_id else None, "village": p.village.name if p.village_id else None,
        "unit": p.unit_id, "is_demo": p.is_demo,
    }


def class_out(c, roster=None):
    data = {
        "id": c.pk, "pairing": c.pairing_id, "name": c.name, "trade": c.trade, "kind": c.kind, "audience": c.audience,
        "start": c.start,
        "end": c.end, "days": c.days, "place": c.place, "organiser": c.organiser_id, "project": c.project_id,
        "trainees": c.n_trainees, "certified": c.n_certified, "is_demo": c.is_demo,
    }
    if roster is not None:
        data["roster"] = [
            {"id": t.pk, "person": t.person_id, "name": t.person.name, "id_number_masked": t.person.id_number_masked,
             "certificate": t.certificate, "certificate_name": t.certificate_name} for t in roster
        ]
    return data


def employment_out(j):
    return {
        "id": j.pk, "pairing": j.pairing_id, "person": j.person_id, "person_name": j.person.name,
        "destination": j.destination, "form": j.form, "employer": j.employer, "place": j.place, "start": j.start,
        "end": j.end, "monthly_income": yuan_str(j.monthly_income) if j.monthly_income is not None else None,
        "is_demo": j.is_demo,
    }


def exchange_out(x):
    return {
        "id": x.pk, "pairing": x.pairing_id, "person": x.person_id, "person_name": x.person.name, "kind": x.kind,
        "direction": x.direction, "sending_unit": x.sending_unit_id, "receiving_unit": x.receiving_unit_id,
        "batch": x.batch, "start": x.start, "end": x.end, "post": x.post, "specialty": x.specialty,
        "is_demo": x.is_demo,
    }


# --- helpers -------------------------------------------------------------------

def as_caller(view):
    """Record audit events under the API caller's name.

    The audit middleware runs before django-ninja authenticates a Bearer
    token, so without this a token caller's changes and reveals would be
    recorded as "anonymous".
    """
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        with acting_as(request.user, ip=client_ip(request)):
            return view(request, *args, **kwargs)

    return wrapper


def _subtree(request, pairing, model):
    return scope_for(request.user).filter(model.objects.filter(pairing__path__startswith=pairing.path))


def _pick(queryset, pk, field):
    """Return the row `pk` of a scoped queryset, or a 422 naming the field."""
    if pk is None:
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ValidationError({field: [_("编号%(pk)s不存在或无权使用") % {"pk": pk}]})
    return obj


def _classes():
    return services.with_roster_counts(TrainingClass.objects.select_related("pairing"))


def _orgs(request):
    return Organisation.objects.filter(scope_for(request.user).region_q())


def _people(request, pairing):
    return scope_for(request.user).filter(Person.objects.in_tree_of(pairing))


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance


def _save_version(instance, loaded, response):
    """Validate and save an update made against the version `loaded` (If-Match)."""
    instance.full_clean()
    try:
        save_versioned(instance, loaded)
    except ValidationError as e:
        raise HttpError(409, e.messages[0]) from None
    response["ETag"] = etag_of(instance)
    return instance


# --- people --------------------------------------------------------------------

@router.get("/pairings/{pairing_id}/people", response=list[PersonOut])
def list_people(request, pairing_id: int, q: str = "", household_type: HouseholdType = ""):
    pairing = get_pairing(request.user, pairing_id)
    qs = _subtree(request, pairing, Person).select_related("township", "village")
    if q:
        qs = qs.filter(name__icontains=q)
    if household_type:
        qs = qs.filter(household_type=household_type)
    return [person_out(p) for p in qs[:1000]]


def _fill_person(request, person, data, keep_blank_numbers=False):
    """Set a person's fields from the body; raise 422 naming each bad field."""
    person.name, person.gender = data.name, data.gender
    if not person.id_number_enc:
        # With a number the birth date comes from it (set_id_number); a PUT
        # that leaves the number alone must not clear or contradict it.
        person.birth_date = data.birth_date
    person.household_type, person.note = data.household_type, data.note
    person.township = _pick(Region.objects.filter(level="township"), data.township, "township")
    person.village = _pick(Region.objects.filter(level="village"), data.village, "village")
    person.unit = _pick(_orgs(request), data.unit, "unit")
    errors = {}
    for field, setter in (("id_number", person.set_id_number), ("phone", person.set_phone)):
        value = getattr(data, field)
        if keep_blank_numbers and not value.strip():
            continue
        try:
            setter(value)
        except ValueError as e:
            errors[field] = [str(e)]
    if not errors and (message := person.duplicate_message(scope_for(request.user))):
        errors["id_number"] = [message]
    if errors:
        raise ValidationError(errors)
    return person


@router.post("/pairings/{pairing_id}/people", response={201: PersonOut})
@as_caller
def create_person(request, pairing_id: int, data: PersonIn):
    pairing = get_pairing(request.user, pairing_id, "write")
    person = _fill_person(request, Person(pairing=pairing), data)
    return Status(201, person_out(_save(person)))


@router.put("/people/{person_id}", response=PersonOut)
@as_caller
def update_person(request, person_id: int, data: PersonIn, response: HttpResponse):
    person = scope_for(request.user).get(Person.objects.select_related("township", "village"), person_id, "write")
    loaded = loaded_version_from(request, person)
    _fill_person(request, person, data, keep_blank_numbers=True)
    return person_out(_save_version(person, loaded, response))


@router.post("/pairings/{pairing_id}/people/lookup", response=PersonOut)
@as_caller
def lookup_person(request, pairing_id: int, data: LookupIn):
    pairing = get_pairing(request.user, pairing_id)
    try:
        qs = Person.objects.with_id_number(data.id_number, pairing)
    except ValueError as e:
        raise ValidationError({"id_number": [str(e)]}) from None
    return person_out(get_object_or_404(scope_for(request.user).filter(qs).select_related("township", "village")))


@router.get("/people/{person_id}", response=PersonDetailOut)
def get_person(request, person_id: int, response: HttpResponse):
    person = scope_for(request.user).get(Person.objects.select_related("township", "village"), person_id)
    response["ETag"] = etag_of(person)
    records = services.person_records(person, scope_for(request.user))
    data = person_out(person)
    data["trainings"] = [
        {"class": t.training_class_id, "name": t.training_class.name, "start": t.training_class.start,
         "certificate": t.certificate} for t in records["trainings"]
    ]
    data["jobs"] = [employment_out(j) for j in records["jobs"].select_related("person")]
    data["exchanges"] = [exchange_out(x) for x in records["exchanges"].select_related("person")]
    return data


@router.post("/people/{person_id}/reveal", response=PiiOut)
@as_caller
def reveal_person(request, person_id: int):
    person = scope_for(request.user).get(Person.objects.select_related("township", "village"), person_id, "pii")
    revealed = services.reveal(person)
    return {"id": person.pk, "name": person.name, **revealed}


# --- training classes --------------------------------------------------------------

@router.get("/pairings/{pairing_id}/classes", response=list[ClassOut])
def list_classes(request, pairing_id: int, year: int | None = year_query()):
    pairing = get_pairing(request.user, pairing_id)
    qs = services.with_roster_counts(_subtree(request, pairing, TrainingClass))
    if year:
        qs = qs.started_in([year])
    return [class_out(c) for c in qs]


@router.get("/classes/{training_class_id}", response=ClassDetailOut)
def get_class(request, training_class_id: int, response: HttpResponse):
    tc = scope_for(request.user).get(_classes(), training_class_id)
    response["ETag"] = etag_of(tc)
    return class_out(tc, tc.trainees.select_related("person"))


@router.post("/pairings/{pairing_id}/classes", response={201: ClassOut})
@as_caller
def create_class(request, pairing_id: int, data: ClassIn):
    pairing = get_pairing(request.user, pairing_id, "write")
    projects = scope_for(request.user).filter(Project.objects.all())
    tc = TrainingClass(pairing=pairing, **data.model_dump(exclude={"organiser", "project"}),
                       organiser=_pick(_orgs(request), data.organiser, "organiser"),
                       project=_pick(projects, data.project, "project"))
    _save(tc)
    tc.n_trainees = tc.n_certified = 0
    return Status(201, class_out(tc))


@router.put("/classes/{training_class_id}", response=ClassOut)
@as_caller
def update_class(request, training_class_id: int, data: ClassIn, response: HttpResponse):
    tc = scope_for(request.user).get(_classes(), training_class_id, "write")
    loaded = loaded_version_from(request, tc)
    for field, value in data.model_dump(exclude={"organiser", "project"}).items():
        setattr(tc, field, value)
    tc.organiser = _pick(_orgs(request), data.organiser, "organiser")
    tc.project = _pick(scope_for(request.user).filter(Project.objects.all()), data.project, "project")
    return class_out(_save_version(tc, loaded, response))


@router.delete("/trainees/{trainee_id}", response={204: None})
@as_caller
def remove_trainee(request, trainee_id: int):
    trainee = scope_for(request.user).get(Trainee.objects.all(), trainee_id, "write")
    trainee.delete()
    return Status(204, None)


@router.post("/classes/{training_class_id}/trainees", response={201: TraineeOut})
@as_caller
def add_trainee(request, training_class_id: int, data: TraineeIn):
    tc = scope_for(request.user).get(_classes(), training_class_id, "write")
    pairing = tc.pairing
    trainee = Trainee(training_class=tc, person=_pick(_people(request, pairing), data.person, "person"),
                      certificate=data.certificate, certificate_name=data.certificate_name)
    _save(trainee)
    p = trainee.person
    return Status(201, {"id": trainee.pk, "person": p.pk, "name": p.name, "id_number_masked": p.id_number_masked,
                        "certificate": trainee.certificate, "certificate_name": trainee.certificate_name})


# --- employment ----------------------------------------------------------------

@router.get("/pairings/{pairing_id}/employments", response=list[EmploymentOut])
def list_employments(request, pairing_id: int, year: int | None = year_query(), destination: str = ""):
    pairing = get_pairing(request.user, pairing_id)
    qs = _subtree(request, pairing, Employment).select_related("person")
    if year:
        qs = qs.in_years([year])
    if destination:
        qs = qs.filter(destination=destination)
    return [employment_out(j) for j in qs[:5000]]


@router.get("/employments/{employment_id}", response=EmploymentOut)
def get_employment(request, employment_id: int, response: HttpResponse):
    job = scope_for(request.user).get(Employment.objects.select_related("person"), employment_id)
    response["ETag"] = etag_of(job)
    return employment_out(job)


@router.post("/pairings/{pairing_id}/employments", response={201: EmploymentOut})
@as_caller
def create_employment(request, pairing_id: int, data: EmploymentIn):
    pairing = get_pairing(request.user, pairing_id, "write")
    job = Employment(pairing=pairing, **data.model_dump(exclude={"person"}),
                     person=_pick(_people(request, pairing), data.person, "person"))
    return Status(201, employment_out(_save(job)))


@router.put("/employments/{employment_id}", response=EmploymentOut)
@as_caller
def update_employment(request, employment_id: int, data: EmploymentIn, response: HttpResponse):
    job = scope_for(request.user).get(Employment.objects.select_related("pairing"), employment_id, "write")
    pairing = job.pairing
    loaded = loaded_version_from(request, job)
    for field, value in data.model_dump(exclude={"person"}).items():
        setattr(job, field, value)
    job.person = _pick(_people(request, pairing), data.person, "person")
    return employment_out(_save_version(job, loaded, response))


# --- talent exchange ---------------------------------------------------------------

@router.get("/pairings/{pairing_id}/exchanges", response=list[ExchangeOut])
def list_exchanges(request, pairing_id: int, year: int | None = year_query(), kind: str = "", direction: str = "",
                   in_post: bool = False):
    pairing = get_pairing(request.user, pairing_id)
    qs = _subtree(request, pairing, TalentExchange).select_related("person")
    if year:
        # The stays begun in the year (当年新到岗), or with in_post those in post in it (在岗).
        qs = qs.in_post_in([year]) if in_post else qs.started_in([year])
    if kind == "sanzhi":
        qs = qs.sanzhi()
    elif kind:
        qs = qs.filter(kind=kind)
    if direction:
        qs = qs.filter(direction=direction)
    return [exchange_out(x) for x in qs[:5000]]


@router.get("/exchanges/{talent_exchange_id}", response=ExchangeOut)
def get_exchange(request, talent_exchange_id: int, response: HttpResponse):
    row = scope_for(request.user).get(TalentExchange.objects.select_related("person"), talent_exchange_id)
    response["ETag"] = etag_of(row)
    return exchange_out(row)


@router.post("/pairings/{pairing_id}/exchanges", response={201: ExchangeOut})
@as_caller
def create_exchange(request, pairing_id: int, data: ExchangeIn):
    pairing = get_pairing(request.user, pairing_id, "write")
    orgs = _orgs(request)
    row = TalentExchange(pairing=pairing, **data.model_dump(exclude={"person", "person_name", "sending_unit",
                                                                  "receiving_unit"}),
                         sending_unit=_pick(orgs, data.sending_unit, "sending_unit"),
                         receiving_unit=_pick(orgs, data.receiving_unit, "receiving_unit"))
    with transaction.atomic():
        if data.person is not None:
            row.person = _pick(_people(request, pairing), data.person, "person")
        elif data.person_name.strip():
            # Cadres and experts may be recorded by name and unit only.
            row.person = _save(Person(pairing=pairing, name=data.person_name.strip(), unit=row.sending_unit))
        else:
            raise ValidationError({"person": [_("请提供已登记人员编号 person，或新人员姓名 person_name")]})
        _save(row)
    return Status(201, exchange_out(row))


@router.put("/exchanges/{talent_exchange_id}", response=ExchangeOut)
@as_caller
def update_exchange(request, talent_exchange_id: int, data: ExchangeIn, response: HttpResponse):
    row = scope_for(request.user).get(TalentExchange.objects.select_related("pairing"), talent_exchange_id, "write")
    pairing = row.pairing
    loaded = loaded_version_from(request, row)
    orgs = _orgs(request)
    for field, value in data.model_dump(exclude={"person", "person_name", "sending_unit", "receiving_unit"}).items():
        setattr(row, field, value)
    row.sending_unit = _pick(orgs, data.sending_unit, "sending_unit")
    row.receiving_unit = _pick(orgs, data.receiving_unit, "receiving_unit")
    if data.person is not None:
        row.person = _pick(_people(request, pairing), data.person, "person")
    return exchange_out(_save_version(row, loaded, response))


@router.get("/settings", response=SettingsOut)
def get_settings(request):
    """The thresholds: long-term stays, and each saved year's rule of stable
    employment and 其中脱贫劳动力 (a year not listed uses the defaults)."""
    s = LabourSettings.current()
    years = [{"year": r.year, "saved": True, "stable_months": r.stable_months, "stable_days": r.stable_days,
              "poverty_includes_monitored": r.poverty_includes_monitored, "note": r.note}
             for r in LabourYearRule.objects.order_by("year")]
    return {"long_term_months": s.long_term_months, "days_per_month": DAYS_PER_MONTH,
            "default_stable_months": LabourYearRule.DEFAULT_STABLE_MONTHS, "years": years}
