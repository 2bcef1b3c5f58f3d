"""JSON API of the industry module, under the same scoping as the pages.

Input is validated by the very forms the pages use, so a row refused on a
page is refused here with the same Chinese message, and related rows (an
enterprise, a park, a meeting) can only be chosen from what the user sees.
Amounts are yuan as decimal strings with two places.
"""

import datetime
import inspect
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Body, Router, Schema, Status
from ninja.errors import HttpError

from lib.ids import normalize_uscc
from lib.money import yuan_str
from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.api_helpers import IF_MATCH, etag_of, loaded_version_from, save_or_409, state_change
from xiezuo.api_types import choices, year_query
from xiezuo.pairings.models import Organisation

from xiezuo.front.forms import save_versioned

from . import services
from .forms import ArrivalForm, OfficialForm, WorkshopMonthForm
from .ledgers import LEDGERS
from .models import AgreedItem, Investment, InvestmentArrival, Visit, Workshop, WorkshopMonth

router = Router(tags=["产业合作与交流互访"])


def _value(obj, field):
    value = getattr(obj, field.attname)
    if isinstance(field, models.DecimalField) and "amount" in field.name:
        return yuan_str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(field, models.FileField):
        return bool(value)
    return value


def serialize(obj):
    """Return a row as JSON data: stored fields, display labels, names of
    related rows and the rule flags the pages show."""
    out = {"id": obj.pk, "year": obj.year}
    for field in obj._meta.concrete_fields:
        if field.name in ("id", "version"):
            continue
        out[field.name] = _value(obj, field)
        if field.choices:
            out[f"{field.name}_display"] = getattr(obj, f"get_{field.name}_display")()
        if field.is_relation and out[field.name] is not None:
            out[f"{field.name}_name"] = str(getattr(obj, field.name))
    out["version"] = obj.version
    if hasattr(obj, "arrived_exceeds_agreed"):
        out["arrived_exceeds_agreed"] = obj.arrived_exceeds_agreed
    if isinstance(obj, AgreedItem):
        out["overdue"] = obj.is_overdue()
        out["notes"] = [note_out(n) for n in obj.notes.all()]  # prefetched in lists
    if isinstance(obj, Workshop):
        out["months"] = [month_out(m) for m in obj.months.all()]  # prefetched in lists
    if isinstance(obj, Visit):
        out["officials"] = [{"side": o.side, "name": o.name, "post": o.post, "role": o.role}
                            for o in obj.officials.all()]
        out["places"] = obj.place_list()
    if isinstance(obj, Investment):
        out["arrivals"] = [arrival_out(a) for a in obj.arrivals.all()]  # prefetched in lists
    return out


def arrival_out(a):
    return {"id": a.pk, "investment": a.investment_id, "year": a.year, "date": a.date.isoformat(),
            "amount": yuan_str(a.amount), "note": a.note, "is_demo": a.is_demo, "version": a.version}


def note_out(n):
    return {"id": n.pk, "date": n.date.isoformat(), "text": n.text, "status_from": n.status_from,
            "status_to": n.status_to, "author": str(n.author) if n.author_id else None}


def month_out(m):
    return {"id": m.pk, "workshop": m.workshop_id, "month": m.month.isoformat(), "employed": m.employed,
            "poverty": m.poverty, "monitored": m.monitored, "note": m.note, "counts": m.counts(),
            "version": m.version}


def _invalid(errors):
    return ValidationError({k: [str(m) for m in v] for k, v in errors.items()})


# The child rows a ledger's records may carry on create: key, form, and the
# child's foreign key to the record.
CHILDREN = {Visit: ("officials", OfficialForm, "visit"), Investment: ("arrivals", ArrivalForm, "investment")}


def _children(model, data):
    """Validate the child rows posted with a new record, by the pages' forms."""
    if model not in CHILDREN:
        return []
    key, form_class, _child = CHILDREN[model]
    rows = data.get(key) or []
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise _invalid({key: [_("应为对象列表")]})
    forms = [form_class(data=row) for row in rows]
    errors = {f"{key}[{i}].{k}": v for i, f in enumerate(forms) if not f.is_valid() for k, v in f.errors.items()}
    if errors:
        raise _invalid(errors)
    return forms


def _enterprise_by_code(user, code):
    """Find a registered enterprise the user sees by its 统一社会信用代码."""
    try:
        code = normalize_uscc(code)
    except ValueError as e:
        raise ValidationError({"enterprise_uscc": [str(e)]}) from None
    org = Organisation.objects.filter(scope_for(user).region_q(), uscc=code).first()
    if org is None:
        raise ValidationError({"enterprise_uscc": [_("未找到统一社会信用代码为%(code)s的单位，请先登记单位") % {"code": code}]})
    return org.pk


def list_rows(request, ledger, pairing_id, year=year_query(), q="", overdue=False):
    pairing = get_pairing(request.user, pairing_id)
    qs = scope_for(request.user).filter(ledger.model.objects.within(pairing)).select_related(
        *ledger.related).prefetch_related(*ledger.prefetch)
    qs = ledger.filtered(qs, {"q": q, "year": str(year) if year else ""})
    if overdue and ledger.model is AgreedItem:
        qs = qs.overdue()
    return [serialize(o) for o in qs[:5000]]


def get_row(request, ledger, record_id, response):
    obj = scope_for(request.user).get(ledger.model.objects.all(), record_id)
    response["ETag"] = etag_of(obj)
    return serialize(obj)


def _derived_unchanged(model, data, stored=Decimal("0")):
    """Refuse a changed 实际到位投资: it is the sum of the arrivals, entered one by one."""
    if model is not Investment or data.get("arrived_amount") in (None, ""):
        return
    try:
        same = Decimal(str(data["arrived_amount"])) == stored
    except ArithmeticError:
        same = False
    if not same:
        raise _invalid({"arrived_amount": [_("实际到位投资由各笔投资到位记录汇总，请通过 arrivals 或投资到位接口按笔登记")]})


def create_row(request, ledger, pairing_id, data=Body(...)):
    pairing = get_pairing(request.user, pairing_id, "write")
    _derived_unchanged(ledger.model, data)
    if ledger.model is Investment and data.get("enterprise_uscc") and not data.get("enterprise"):
        data = {**data, "enterprise": _enterprise_by_code(request.user, data["enterprise_uscc"])}
    instance = ledger.model(pairing=pairing)
    # Fields left out take the model's defaults, as the page's form shows them.
    defaults = {name: getattr(instance, instance._meta.get_field(name).attname) for name in ledger.form.Meta.fields}
    child_key = CHILDREN.get(ledger.model, ("",))[0]
    payload = {**{k: v for k, v in defaults.items() if v not in (None, "")},
               "pairing": pairing.pk, **{k: v for k, v in data.items() if k != child_key}}
    form = ledger.form(data=payload, instance=instance, pairing=pairing, user=request.user)
    children = _children(ledger.model, data)
    if not form.is_valid():
        raise _invalid(form.errors)
    with transaction.atomic():
        obj = form.save()
        for f in children:
            setattr(f.instance, CHILDREN[ledger.model][2], obj)
            f.instance.full_clean()  # rules needing the parent (not before its signing date)
            f.save()
        obj.refresh_from_db()
    return Status(201, serialize(obj))


def update_row(request, ledger, record_id, response, data=Body(...)):
    obj = scope_for(request.user).get(ledger.model.objects.select_related("pairing"), record_id, "write")
    pairing = obj.pairing
    loaded = loaded_version_from(request, obj)
    _derived_unchanged(ledger.model, data, getattr(obj, "arrived_amount", None))
    payload = {"pairing": obj.pairing_id, **data, "loaded_version": loaded}
    form = ledger.form(data=payload, instance=obj, pairing=pairing, user=request.user)
    if not form.is_valid():
        raise _invalid(form.errors)
    obj = save_or_409(form.save)
    response["ETag"] = etag_of(obj)
    return serialize(obj)


def _route(fn, ledger, id_name=None):
    """Bind a generic endpoint to one ledger under a concrete path.

    Each ledger gets its own paths (/industry/parks/{park_id}) so the API
    documentation names real things and every path parameter is the id of
    a model; the id parameter is renamed in the signature django-ninja reads.
    """
    sig = inspect.signature(fn)
    params = [p for p in sig.parameters.values() if p.name != "ledger"]
    if id_name:
        params = [p.replace(name=id_name) if p.name == "record_id" else p for p in params]

    def endpoint(request, **kwargs):
        if id_name:
            kwargs["record_id"] = kwargs.pop(id_name)
        return fn(request, ledger, **kwargs)

    endpoint.__signature__ = sig.replace(parameters=params)
    endpoint.__name__ = f"{fn.__name__}_{ledger.slug}"
    endpoint.__doc__ = fn.__doc__
    return endpoint


list_rows.__annotations__.update(pairing_id=int, year=int | None, q=str, overdue=bool)
get_row.__annotations__.update(record_id=int, response=HttpResponse)
create_row.__annotations__.update(pairing_id=int, data=dict)
update_row.__annotations__.update(record_id=int, data=dict, response=HttpResponse)


def _register(ledger):
    slug, id_name, title = ledger.slug, ledger.id_param, str(ledger.title)
    router.get(f"/pairings/{{pairing_id}}/industry/{slug}", response=list[dict], operation_id=f"industry_{slug}_list",
               summary=f"{title}：列表",
               description="结对及其下级结对的记录；year 按该台账的年度口径筛选，q 为关键词；合作事项可加 overdue=true。")(
        _route(list_rows, ledger))
    router.get(f"/industry/{slug}/{{{id_name}}}", response=dict, operation_id=f"industry_{slug}_get",
               summary=f"{title}：详情", description="响应头 ETag 用于修改时的 If-Match。")(
        _route(get_row, ledger, id_name))
    router.post(f"/pairings/{{pairing_id}}/industry/{slug}", response={201: dict},
                operation_id=f"industry_{slug}_create", summary=f"{title}：新增",
                description="字段同页面表单（日期 YYYY-MM-DD，金额为元，关联记录用 id）。招商引资可用 enterprise_uscc "
                            "代替 enterprise，可带 arrivals: [{date, amount, note}]（各笔投资到位）；"
                            "互访与会议可带 officials: [{side, name, post, role}]。")(
        _route(create_row, ledger))
    router.put(f"/industry/{slug}/{{{id_name}}}", response=dict, operation_id=f"industry_{slug}_update",
               summary=f"{title}：修改", description="须带 If-Match（读取时的 ETag）；他人已修改则 412/409。")(
        _route(update_row, ledger, id_name))


for _ledger in LEDGERS.values():
    _register(_ledger)


class StatusIn(Schema):
    status: choices(AgreedItem, "status")
    text: str = ""


class NoteIn(Schema):
    text: str
    date: datetime.date | None = None


@router.post("/industry/items/{agreeditem_id}/status", response=dict, openapi_extra=IF_MATCH)
def change_status(request, agreeditem_id: int, data: StatusIn):
    """Move an agreed item one step (未启动→推进中→已完成; 搁置 and reopening
    need `text`); the step is kept as a progress note. Needs If-Match with
    the ETag of the item read (412 if someone changed it since)."""
    item = scope_for(request.user).get(AgreedItem.objects.all(), agreeditem_id, "write")
    state_change(request, item, lambda loaded: services.change_status(
        item, data.status, user=request.user, text=data.text, loaded_version=loaded))
    return serialize(item)


@router.get("/industry/items/{agreeditem_id}/notes", response=list[dict])
def list_notes(request, agreeditem_id: int):
    item = scope_for(request.user).get(AgreedItem.objects.all(), agreeditem_id)
    return [note_out(n) for n in item.notes.select_related("author")]


@router.post("/industry/items/{agreeditem_id}/notes", response={201: dict})
def add_note(request, agreeditem_id: int, data: NoteIn):
    """Append a dated progress note (notes cannot be changed or deleted)."""
    item = scope_for(request.user).get(AgreedItem.objects.all(), agreeditem_id, "write")
    note = services.add_note(item, data.text, date=data.date, user=request.user)
    return Status(201, note_out(note))


# -- arrivals of an investment (投资到位) ----------------------------------------

class ArrivalIn(Schema):
    date: datetime.date
    amount: Decimal
    note: str = ""


def _arrival_form(arrival, data):
    form = ArrivalForm(data={"date": data.date, "amount": data.amount, "note": data.note}, instance=arrival)
    if not form.is_valid():
        raise _invalid(form.errors)
    return form


@router.get("/industry/investments/{investment_id}/arrivals", response=list[dict])
def list_arrivals(request, investment_id: int):
    """The dated tranches of an investment's money, oldest first."""
    investment = scope_for(request.user).get(Investment.objects.all(), investment_id)
    return [arrival_out(a) for a in investment.arrivals.all()]


@router.post("/industry/investments/{investment_id}/arrivals", response={201: dict})
def add_arrival(request, investment_id: int, data: ArrivalIn):
    """Record one tranche; it counts in the year of its date."""
    investment = scope_for(request.user).get(Investment.objects.all(), investment_id, "write")
    form = _arrival_form(InvestmentArrival(investment=investment), data)
    return Status(201, arrival_out(form.save()))


@router.get("/industry/arrivals/{investmentarrival_id}", response=dict)
def get_arrival(request, investmentarrival_id: int, response: HttpResponse):
    arrival = scope_for(request.user).get(InvestmentArrival.objects.all(), investmentarrival_id)
    response["ETag"] = etag_of(arrival)
    return arrival_out(arrival)


@router.put("/industry/arrivals/{investmentarrival_id}", response=dict)
def update_arrival(request, investmentarrival_id: int, data: ArrivalIn, response: HttpResponse):
    """Change a tranche; needs If-Match with the ETag read (428 without, 412 stale, 409 when a save won)."""
    arrival = scope_for(request.user).get(InvestmentArrival.objects.select_related("investment"),
                                          investmentarrival_id, "write")
    loaded = loaded_version_from(request, arrival)
    form = _arrival_form(arrival, data)
    try:
        save_versioned(arrival, loaded, save=form.save)
    except ValidationError as e:
        if getattr(e, "code", None) == "conflict":
            raise HttpError(409, e.messages[0]) from None
        raise
    response["ETag"] = etag_of(arrival)
    return arrival_out(arrival)


@router.delete("/industry/arrivals/{investmentarrival_id}", response={204: None}, openapi_extra=IF_MATCH,
               description="须带 If-Match（读取时的 ETag）；其后被修改则 412。")
def delete_arrival(request, investmentarrival_id: int):
    arrival = scope_for(request.user).get(InvestmentArrival.objects.all(), investmentarrival_id, "write")
    state_change(request, arrival, lambda loaded: arrival.delete_checked(loaded))
    return Status(204, None)


# -- monthly head counts of a workshop (帮扶车间) ---------------------------------

@router.get("/industry/workshops/{workshop_id}/months", response=list[dict])
def list_workshop_months(request, workshop_id: int):
    """A workshop's monthly head counts; `counts` says whether the month
    counts (open, recognised, enough 脱贫人口 with 监测对象)."""
    workshop = scope_for(request.user).get(Workshop.objects.all(), workshop_id)
    return [month_out(m) for m in workshop.months.all()]


@router.post("/industry/workshops/{workshop_id}/months", response={201: dict})
def create_workshop_month(request, workshop_id: int, data: dict = Body(...)):
    """Add a month's head count: {month: "2022-03", employed, poverty, monitored, note}; poverty,
    monitored and note may be left out (0, 0, empty)."""
    workshop = scope_for(request.user).get(Workshop.objects.select_related("pairing"), workshop_id, "write")
    instance = WorkshopMonth(workshop=workshop)
    # Fields left out take the model's defaults (0 监测对象, no note), as the page's form shows them.
    defaults = {name: getattr(instance, name) for name in WorkshopMonthForm.Meta.fields}
    payload = {**{k: v for k, v in defaults.items() if v not in (None, "")}, **data, "loaded_version": None}
    form = WorkshopMonthForm(data=payload, instance=instance)
    if not form.is_valid():
        raise _invalid(form.errors)
    return Status(201, month_out(form.save()))


@router.get("/industry/workshop-months/{workshopmonth_id}", response=dict)
def get_workshop_month(request, workshopmonth_id: int, response: HttpResponse):
    row = scope_for(request.user).get(WorkshopMonth.objects.select_related("workshop"), workshopmonth_id)
    response["ETag"] = etag_of(row)
    return month_out(row)


@router.put("/industry/workshop-months/{workshopmonth_id}", response=dict, openapi_extra=IF_MATCH)
def update_workshop_month(request, workshopmonth_id: int, response: HttpResponse, data: dict = Body(...)):
    """Change a month's head count; needs If-Match with the ETag read."""
    row = scope_for(request.user).get(WorkshopMonth.objects.select_related("workshop"), workshopmonth_id, "write")
    form = WorkshopMonthForm(data={**data, "loaded_version": loaded_version_from(request, row)}, instance=row)
    if not form.is_valid():
        raise _invalid(form.errors)
    row = save_or_409(form.save)
    response["ETag"] = etag_of(row)
    return month_out(row)
