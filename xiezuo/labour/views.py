"""Pages of labour cooperation and talent exchange.

Every view reaches records through the pairing scope: records of a pairing's
subtree for lists (`Scope.filter`), `Scope.get(queryset, pk, perm)` for one
record (invisible → 404, read-only → 403). Views that accept one method
check it after the scope, so a foreign record answers 404 whatever the
method.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.figures import cached
from xiezuo.front.forms import save_or_conflict
from xiezuo.front.params import year_param
from xiezuo.front.years import working_year
from xiezuo.pairings.models import Organisation

from . import services
from .forms import (
    EmploymentForm,
    LabourSettingsForm,
    LabourYearRuleForm,
    PersonForm,
    TalentExchangeForm,
    TraineeForm,
    TrainingClassForm,
)
from .models import (
    DAYS_PER_MONTH,
    Employment,
    LabourSettings,
    LabourYearRule,
    Person,
    TalentExchange,
    Trainee,
    TrainingClass,
    days_in_year,
)


# What a record's page shows beside it, fetched with the scope check's query.
PERSON = ("pairing", "township", "village", "unit")
CLASS = ("pairing", "organiser", "project")
TRAINEE = ("training_class__pairing", "person")
JOB = ("pairing", "person")
EXCHANGE = ("pairing", "person", "sending_unit", "receiving_unit")


def _in_subtree(request, pairing, model):
    """Rows of a pairing's subtree that the user may read."""
    qs = model.objects.filter(pairing__path__startswith=pairing.path)
    return scope_for(request.user).filter(qs)


def _form_page(request, form, title, pairing, back):
    return render(request, "labour/form.html", {"form": form, "title": title, "pairing": pairing, "back": back})


# --- overview ----------------------------------------------------------------

@login_required
def overview(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    this_year = working_year(request, pairing)
    first, last = year_param(request, "from") or this_year, year_param(request, "to") or this_year
    if first > last:
        first, last = last, first
    figures = cached(pairing, range(first, last + 1), sections=["labour", "talent"])
    labour, talent = figures["labour"], figures["talent"]
    directions = [(code, label, {key: talent[f"{key}_{code}"] for key in (
        "cadres", "cadres_arrived", "professionals", "professionals_arrived")})
        for code, label in TalentExchange.DIRECTIONS]
    ctx = {"pairing": pairing, "first": first, "last": last, "labour": labour, "talent": talent, "tab": "overview",
           "rules": LabourYearRule.for_years(range(first, last + 1)).values(), "days_per_month": DAYS_PER_MONTH,
           "by_destination": [(label, labour["by_destination"][c]) for c, label in Employment.DESTINATIONS],
           "by_form": [(label, labour["by_form"][c]) for c, label in Employment.FORMS],
           "by_kind": [(label, talent["by_kind"][c]) for c, label in TalentExchange.KINDS],
           "by_direction": [(label, talent["by_direction"][c]) for c, label in TalentExchange.DIRECTIONS],
           "directions": directions}
    return render(request, "labour/overview.html", ctx)


# The East–West cooperation in its current form runs from 2021.
FIRST_RULE_YEAR = 2021


def _can_edit_settings(scope):
    return scope.is_global or scope.has_any("admin")


@login_required
def settings_edit(request):
    scope = scope_for(request.user)
    if request.method == "POST" and not _can_edit_settings(scope):
        raise PermissionDenied(_("只有管理员可以修改劳务协作设置"))
    # The row is made on the first save; reading never writes.
    instance = LabourSettings.objects.get_or_create(pk=1)[0] if request.method == "POST" else LabourSettings.current()
    form = LabourSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid() and save_or_conflict(form):
        messages.success(request, _("已保存劳务协作设置"))
        return redirect("labour_settings")
    this_year = timezone.localdate().year
    saved = {r.year: r for r in LabourYearRule.objects.all()}
    # The saved years and those of the current cooperation (since 2021) up to
    # next year, shown with their defaults until saved.
    years = set(saved) | set(range(FIRST_RULE_YEAR, this_year + 2))
    rules = [saved.get(y) or LabourYearRule(year=y) for y in sorted(years, reverse=True)]
    ctx = {"form": form, "can_edit": _can_edit_settings(scope), "rules": rules, "this_year": this_year,
           "days_per_month": DAYS_PER_MONTH}
    return render(request, "labour/settings.html", ctx)


@login_required
def year_rule_edit(request):
    """One year's rule (?year=2022) of stable employment and 其中脱贫劳动力."""
    scope = scope_for(request.user)
    year = year_param(request)
    if year is None:
        raise Http404(_("年度应在2000至2100之间"))
    can_edit = _can_edit_settings(scope)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(_("只有管理员可以修改就业统计口径"))
    if request.method == "POST":
        instance = LabourYearRule.objects.get_or_create(year=year)[0]
    else:
        instance = LabourYearRule.for_year(year)
    form = LabourYearRuleForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid() and save_or_conflict(form):
        messages.success(request, _("已保存%(year)s年就业统计口径") % {"year": year})
        return redirect("labour_settings")
    ctx = {"form": form, "rule": instance, "year": year, "can_edit": can_edit, "days_per_month": DAYS_PER_MONTH}
    return render(request, "labour/year_rule.html", ctx)


# --- people --------------------------------------------------------------------

@login_required
def person_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    people = _in_subtree(request, pairing, Person).select_related("township", "village", "unit", "pairing")
    f = {k: request.GET.get(k, "").strip() for k in ("q", "household", "township")}
    if f["q"]:
        people = people.filter(name__icontains=f["q"])
    if f["household"]:
        people = people.filter(household_type=f["household"])
    if f["township"]:
        people = people.filter(township__name=f["township"])
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    ctx = {"pairing": pairing, "page": page, "f": f, "households": Person.HOUSEHOLDS,
           "can_write": scope_for(request.user).has(pairing, "write")}
    return render(request, "labour/person_list.html", ctx)


@sensitive_post_parameters("id_number")
@login_required
def person_find(request, pairing_id):
    """Find a person by 身份证号 through the keyed hash. A POST, so the number
    never travels in a URL (and so never in an access log)."""
    pairing = get_pairing(request.user, pairing_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        person = scope_for(request.user).filter(Person.objects.with_id_number(request.POST.get("id_number"),
                                                                               pairing)).first()
    except ValueError as e:
        messages.error(request, _("查找失败：%(e)s") % {"e": e})
        return redirect("labour_person_list", pairing.pk)
    if person is None:
        messages.warning(request, _("未找到该身份证号对应的人员"))
        return redirect("labour_person_list", pairing.pk)
    return redirect("labour_person_detail", person.pk)


@sensitive_post_parameters("id_number", "phone")
@login_required
def person_create(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    form = PersonForm(request.POST or None, instance=Person(pairing=pairing), scope=scope_for(request.user))
    if request.method == "POST" and form.is_valid():
        person = save_or_conflict(form)
        if person:
            messages.success(request, _("已登记人员：%(label)s") % {"label": person.label()})
            return redirect("labour_person_detail", person.pk)
    return _form_page(request, form, _("登记人员"), pairing, ("labour_person_list", pairing.pk))


@login_required
def person_detail(request, person_id):
    person = scope_for(request.user).get(Person.objects.select_related(*PERSON), person_id)
    pairing = person.pairing
    scope = scope_for(request.user)
    ctx = {"person": person, "pairing": pairing, "can_write": scope.has(pairing, "write"),
           "can_pii": scope.has(pairing, "pii"), **services.person_records(person, scope)}
    return render(request, "labour/person_detail.html", ctx)


@sensitive_post_parameters("id_number", "phone")
@login_required
def person_edit(request, person_id):
    person = scope_for(request.user).get(Person.objects.select_related(*PERSON), person_id, "write")
    pairing = person.pairing
    form = PersonForm(request.POST or None, instance=person, scope=scope_for(request.user))
    if request.method == "POST" and form.is_valid() and save_or_conflict(form):
        messages.success(request, _("已保存"))
        return redirect("labour_person_detail", person.pk)
    return _form_page(request, form, _("编辑人员：%(label)s") % {"label": person.label()}, pairing, ("labour_person_detail", person.pk))


@never_cache
@login_required
def person_reveal(request, person_id):
    """Show the full 身份证号 and phone to a role with the "pii" permission and
    record a view_pii event. htmx swaps in the fragment; without JavaScript the
    whole page comes back with the numbers shown."""
    person = scope_for(request.user).get(Person.objects.select_related(*PERSON), person_id, "pii")
    pairing = person.pairing
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    revealed = services.reveal(person)
    if request.headers.get("HX-Request"):
        return render(request, "labour/_pii.html", {"person": person, "revealed": revealed})
    scope = scope_for(request.user)
    ctx = {"person": person, "pairing": pairing, "revealed": revealed, "can_write": scope.has(pairing, "write"),
           "can_pii": True, **services.person_records(person, scope)}
    return render(request, "labour/person_detail.html", ctx)


# --- training classes ------------------------------------------------------------

@login_required
def class_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    classes = services.with_roster_counts(_in_subtree(request, pairing, TrainingClass)).select_related("organiser")
    f = {"year": year_param(request), **{k: request.GET.get(k, "").strip() for k in ("kind", "audience", "q")}}
    if f["year"]:
        classes = classes.started_in([f["year"]])
    if f["kind"]:
        classes = classes.filter(kind=f["kind"])
    if f["audience"]:
        classes = classes.filter(audience=f["audience"])
    if f["q"]:
        classes = classes.filter(Q(name__icontains=f["q"]) | Q(trade__icontains=f["q"]))
    classes = list(classes)
    totals = {"n": len(classes), "trainees": sum(c.n_trainees for c in classes)}
    ctx = {"pairing": pairing, "classes": classes, "f": f, "kinds": TrainingClass.KINDS, "totals": totals,
           "audiences": TrainingClass.AUDIENCES,
           "can_write": scope_for(request.user).has(pairing, "write")}
    return render(request, "labour/class_list.html", ctx)


@login_required
def class_create(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    form = TrainingClassForm(request.POST or None, instance=TrainingClass(pairing=pairing),
                             scope=scope_for(request.user))
    if request.method == "POST" and form.is_valid():
        tc = save_or_conflict(form)
        if tc:
            messages.success(request, _("已新增培训班：%(tc)s") % {"tc": tc})
            return redirect("labour_class_detail", tc.pk)
    return _form_page(request, form, _("新增培训班"), pairing, ("labour_class_list", pairing.pk))


@login_required
def class_detail(request, training_class_id):
    tc = scope_for(request.user).get(TrainingClass.objects.select_related(*CLASS), training_class_id)
    pairing = tc.pairing
    scope = scope_for(request.user)
    can_write = scope.has(pairing, "write")
    add_form = TraineeForm(instance=Trainee(training_class=tc), scope=scope) if can_write else None
    ctx = {"tc": tc, "pairing": pairing, "can_write": can_write, "add_form": add_form,
           "roster": tc.trainees.select_related("person", "person__township", "person__village")}
    return render(request, "labour/class_detail.html", ctx)


@login_required
def class_edit(request, training_class_id):
    tc = scope_for(request.user).get(TrainingClass.objects.select_related(*CLASS), training_class_id, "write")
    pairing = tc.pairing
    form = TrainingClassForm(request.POST or None, instance=tc, scope=scope_for(request.user))
    if request.method == "POST" and form.is_valid() and save_or_conflict(form):
        messages.success(request, _("已保存"))
        return redirect("labour_class_detail", tc.pk)
    return _form_page(request, form, _("编辑培训班：%(tc)s") % {"tc": tc}, pairing, ("labour_class_detail", tc.pk))


@login_required
def trainee_add(request, training_class_id):
    tc = scope_for(request.user).get(TrainingClass.objects.select_related(*CLASS), training_class_id, "write")
    pairing = tc.pairing
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = TraineeForm(request.POST, instance=Trainee(training_class=tc), scope=scope_for(request.user))
    if form.is_valid() and save_or_conflict(form):
        messages.success(request, _("已加入名单：%(label)s") % {"label": form.instance.person.label()})
        return redirect("labour_class_detail", tc.pk)
    return _form_page(request, form, _("加入培训班名单：%(tc)s") % {"tc": tc}, pairing, ("labour_class_detail", tc.pk))


@login_required
def trainee_edit(request, trainee_id):
    trainee = scope_for(request.user).get(Trainee.objects.select_related(*TRAINEE), trainee_id, "write")
    pairing = trainee.training_class.pairing
    form = TraineeForm(request.POST or None, instance=trainee, scope=scope_for(request.user))
    if request.method == "POST" and form.is_valid() and save_or_conflict(form):
        messages.success(request, _("已保存"))
        return redirect("labour_class_detail", trainee.training_class_id)
    back = ("labour_class_detail", trainee.training_class_id)
    return _form_page(request, form, _("编辑学员：%(label)s") % {"label": trainee.person.label()}, pairing, back)


@login_required
def trainee_remove(request, trainee_id):
    trainee = scope_for(request.user).get(Trainee.objects.select_related(*TRAINEE), trainee_id, "write")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    training_class_id = trainee.training_class_id
    trainee.delete()
    messages.success(request, _("已从名单中移除：%(label)s") % {"label": trainee.person.label()})
    return redirect("labour_class_detail", training_class_id)


@never_cache
@login_required
def roster_export(request, training_class_id):
    """Download the roster as CSV. Full numbers only for the "pii" role;
    every download is an export_pii event (names are personal data too)."""
    tc = scope_for(request.user).get(TrainingClass.objects.select_related(*CLASS), training_class_id)
    pairing = tc.pairing
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    full = scope_for(request.user).has(pairing, "pii")
    return services.roster_csv_response(tc, full)


# --- employment ----------------------------------------------------------------

@login_required
def employment_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    jobs = _in_subtree(request, pairing, Employment).select_related("person")
    f = {"year": year_param(request), **{k: request.GET.get(k, "") for k in ("destination", "form", "ongoing")}}
    if f["year"]:
        # The jobs that make the year's 就业 figure: begun by today.
        jobs = jobs.employed_in([f["year"]])
    if f["destination"]:
        jobs = jobs.filter(destination=f["destination"])
    if f["form"]:
        jobs = jobs.filter(form=f["form"])
    if f["ongoing"]:
        jobs = jobs.filter(end__isnull=True)
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    totals = jobs.order_by().aggregate(jobs=Count("pk"), persons=Count("person_id", distinct=True))
    ctx = {"pairing": pairing, "page": page, "f": f, "destinations": Employment.DESTINATIONS, "totals": totals,
           "forms": Employment.FORMS, "can_write": scope_for(request.user).has(pairing, "write")}
    return render(request, "labour/employment_list.html", ctx)


@login_required
def employment_create(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    form = EmploymentForm(request.POST or None, instance=Employment(pairing=pairing), scope=scope_for(request.user))
    if request.method == "POST" and form.is_valid():
        job = save_or_conflict(form)
        if job:
            messages.success(request, _("已登记就业：%(job)s") % {"job": job})
            return redirect("labour_employment_detail", job.pk)
    return _form_page(request, form, _("登记就业"), pairing, ("labour_employment_list", pairing.pk))


@login_required
def employment_detail(request, employment_id):
    job = scope_for(request.user).get(Employment.objects.select_related(*JOB), employment_id)
    pairing = job.pairing
    today = timezone.localdate()
    years = list(range(job.start.year, max(min(job.end or today, today), job.start).year + 1))
    rules = LabourYearRule.for_years(years)
    # This job's own days; stable employment adds the person's other jobs of the year.
    days = [(y, days_in_year([(job.start, job.end)], y, today), rules[y]) for y in years]
    ctx = {"job": job, "pairing": pairing, "days": days, "days_per_month": DAYS_PER_MONTH,
           "can_write": scope_for(request.user).has(pairing, "write")}
    return render(request, "labour/employment_detail.html", ctx)


@login_required
def employment_edit(request, employment_id):
    job = scope_for(request.user).get(Employment.objects.select_related(*JOB), employment_id, "write")
    pairing = job.pairing
    form = EmploymentForm(request.POST or None, instance=job, scope=scope_for(request.user))
    if request.method == "POST" and form.is_valid() and save_or_conflict(form):
        messages.success(request, _("已保存"))
        return redirect("labour_employment_detail", job.pk)
    return _form_page(request, form, _("编辑就业：%(job)s") % {"job": job}, pairing, ("labour_employment_detail", job.pk))


# --- talent exchange -------------------------------------------------------------

@login_required
def talent_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    rows = _in_subtree(request, pairing, TalentExchange).select_related("person", "sending_unit", "receiving_unit")
    f = {"year": year_param(request),
         **{k: request.GET.get(k, "").strip() for k in ("kind", "direction", "batch", "count")}}
    if f["year"]:
        # By default the stays begun in the year; "in_post" those in post in it.
        rows = rows.in_post_in([f["year"]]) if f["count"] == "in_post" else rows.started_in([f["year"]])
    if f["kind"] == "sanzhi":
        rows = rows.sanzhi()
    elif f["kind"] == "professional":  # 专业技术人才: every kind but cadres
        rows = rows.filter(kind__in=TalentExchange.PROFESSIONAL)
    elif f["kind"]:
        rows = rows.filter(kind=f["kind"])
    if f["direction"]:
        rows = rows.filter(direction=f["direction"])
    if f["batch"]:
        rows = rows.filter(batch__icontains=f["batch"])
    ctx = {"pairing": pairing, "rows": rows, "f": f, "kinds": TalentExchange.KINDS,
           "persons": rows.order_by().values("person_id").distinct().count(),
           "directions": TalentExchange.DIRECTIONS, "units": services.units_summary(rows),
           "can_write": scope_for(request.user).has(pairing, "write")}
    return render(request, "labour/talent_list.html", ctx)


@login_required
def talent_unit(request, pairing_id, org_id):
    """An organisation's talent page: whom it received, by batch, and whom it sent."""
    pairing = get_pairing(request.user, pairing_id)
    org = get_object_or_404(Organisation.objects.filter(scope_for(request.user).region_q()), pk=org_id)
    rows = _in_subtree(request, pairing, TalentExchange).select_related("person", "sending_unit", "receiving_unit")
    received = list(rows.filter(receiving_unit=org).order_by("start", "batch", "person__name"))
    sent = list(rows.filter(sending_unit=org).order_by("start", "person__name"))
    ctx = {"pairing": pairing, "org": org, "received": received, "sent": sent,
           "batches": services.by_batch(received), "experts": len({r.person_id for r in received}),
           "sent_persons": len({r.person_id for r in sent})}
    return render(request, "labour/talent_unit.html", ctx)


@login_required
def talent_create(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    form = TalentExchangeForm(request.POST or None, instance=TalentExchange(pairing=pairing),
                              scope=scope_for(request.user))
    if request.method == "POST" and form.is_valid():
        row = save_or_conflict(form)
        if row:
            messages.success(request, _("已登记人才交流：%(row)s") % {"row": row})
            return redirect("labour_talent_detail", row.pk)
    return _form_page(request, form, _("登记人才交流"), pairing, ("labour_talent_list", pairing.pk))


@login_required
def talent_detail(request, talent_exchange_id):
    row = scope_for(request.user).get(TalentExchange.objects.select_related(*EXCHANGE), talent_exchange_id)
    pairing = row.pairing
    settings = LabourSettings.current()
    ctx = {"row": row, "pairing": pairing, "months": row.months(), "long_term_months": settings.long_term_months,
           "long_term": row.is_long_term(settings.long_term_months),
           "can_write": scope_for(request.user).has(pairing, "write")}
    return render(request, "labour/talent_detail.html", ctx)


@login_required
def talent_edit(request, talent_exchange_id):
    row = scope_for(request.user).get(TalentExchange.objects.select_related(*EXCHANGE), talent_exchange_id, "write")
    pairing = row.pairing
    form = TalentExchangeForm(request.POST or None, instance=row, scope=scope_for(request.user))
    if request.method == "POST" and form.is_valid() and save_or_conflict(form):
        messages.success(request, _("已保存"))
        return redirect("labour_talent_detail", row.pk)
    return _form_page(request, form, _("编辑人才交流：%(row)s") % {"row": row}, pairing, ("labour_talent_detail", row.pk))

