from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.audit.middleware import client_ip
from xiezuo.downloads.services import inline_rows
from xiezuo.front.params import year_param

from . import jobs, retention
from .forms import MappingForm, SheetsForm, UploadForm
from .models import ImportJob
from .services import remember_mapping
from .spec import Context, all_specs, get_spec
from .writing import write_ledger

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _spec(ledger):
    spec = get_spec(ledger)
    if spec is None:
        raise Http404(_("没有这个台账"))
    return spec


@login_required
def ledger_index(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    recent = ImportJob.objects.filter(pairing=pairing).select_related("user")[:20]
    # Exports are of the working year (?year=, else the switcher's), or of every year.
    ctx = {"pairing": pairing, "specs": all_specs().values(), "jobs": recent, "year": year_param(request),
           "can_write": scope_for(request.user).has(pairing, "write"), "form": UploadForm()}
    return render(request, "ledgers/index.html", ctx)


def _xlsx_response(spec, request, pairing, template, year=None):
    import tempfile

    tmp = tempfile.TemporaryFile()  # noqa: SIM115  FileResponse closes it once sent
    write_ledger(spec, Context(pairing=pairing, user=request.user, year=year), tmp, template=template)
    tmp.seek(0)
    name = f"{spec.title}{'模板' if template else '-' + str(pairing.pk)}{f'-{year}年' if year else ''}.xlsx"
    return FileResponse(tmp, as_attachment=True, filename=name, content_type=XLSX)


@login_required
def ledger_template(request, pairing_id, ledger):
    pairing = get_pairing(request.user, pairing_id)
    return _xlsx_response(_spec(ledger), request, pairing, True)


@login_required
def ledger_export(request, pairing_id, ledger):
    """A ledger's export as a direct link, while it is small enough to be
    written inside the request; a bigger one is made on the job queue (the
    导出 button, `downloads`)."""
    pairing = get_pairing(request.user, pairing_id)
    spec = _spec(ledger)
    # The working year: ?year= of the link, else the year chosen in the switcher.
    year = year_param(request)
    rows = spec.export_queryset(Context(pairing=pairing, user=request.user, year=year)).count()
    if rows > inline_rows():
        messages.info(request, _("%(title)s共%(rows)s行，文件较大，请点击“导出”在后台生成后下载。") % {"title": spec.title, "rows": rows})
        return redirect("ledger_index", pairing.pk)
    return _xlsx_response(spec, request, pairing, False, year)


@login_required
def ledger_upload(request, pairing_id, ledger):
    spec = _spec(ledger)
    pairing = get_pairing(request.user, pairing_id, spec.import_perm)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, _("；").join(error))
        return redirect("ledger_index", pairing.pk)
    upload = form.cleaned_data["file"]
    retention.purge()  # every new upload first clears what earlier ones left
    job = ImportJob.objects.create(pairing=pairing, user=request.user, ledger=spec.name,
                                   mode=form.cleaned_data["mode"], filename=upload.name[:200], file=upload)
    jobs.start(job, commit=False, ip=client_ip(request))
    return redirect("ledger_job", job.pk)


@login_required
def job_detail(request, importjob_id):
    job = scope_for(request.user).get(ImportJob.objects.select_related("pairing", "user"), importjob_id)
    spec = _spec(job.ledger)
    result = job.result or {}
    form = MappingForm(spec=spec, headers=result.get("unknown_headers", []))
    ctx = {"job": job, "spec": spec, "pairing": job.pairing, "result": result, "mapping_form": form,
           "can_write": scope_for(request.user).has(job.pairing, spec.import_perm),
           "can_confirm": job.status == ImportJob.PREVIEWED and not result.get("error_count")
           and (result.get("added", 0) + result.get("updated", 0)) > 0}
    return render(request, "ledgers/job.html", ctx)


@login_required
def job_progress(request, importjob_id):
    job = scope_for(request.user).get(ImportJob.objects.select_related("pairing", "user"), importjob_id)
    if not job.running or job.interrupted:
        # Finished, or its worker died: htmx reloads the page, which then
        # shows the result, or 已中断 with the 重新导入 button.
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    return render(request, "ledgers/progress.html", {"job": job, "progress": job.read_progress()})


def _importable_job(request, importjob_id):
    """Fetch a job through the scope (404 outside it), then check the
    ledger's own import permission (403): which one depends on the job."""
    scope = scope_for(request.user)
    job = scope.get(ImportJob.objects.select_related("pairing", "user"), importjob_id)
    scope.require(job.pairing, _spec(job.ledger).import_perm)
    return job


@login_required
def job_map(request, importjob_id):
    job = _importable_job(request, importjob_id)
    spec = _spec(job.ledger)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = MappingForm(request.POST, spec=spec, headers=(job.result or {}).get("unknown_headers", []))
    if form.is_valid() and job.status == ImportJob.PREVIEWED:
        ctx = Context(pairing=job.pairing, user=request.user)
        remember_mapping(ctx, spec, form.mapping())
        if jobs.start(job, commit=False, ip=client_ip(request), expect=ImportJob.PREVIEWED):
            messages.success(request, _("已保存表头对应关系，并重新检查了文件"))
        else:
            messages.error(request, _("该文件已在导入或检查中，已保存表头对应关系，但未重新检查"))
    return redirect("ledger_job", job.pk)


@login_required
def job_sheets(request, importjob_id):
    """Remember which sheets of the workbook to import, and check again:
    the preview then shows, and confirming imports, exactly those."""
    job = _importable_job(request, importjob_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    names = [s["name"] for s in (job.result or {}).get("sheets", []) if s.get("header_row")]
    form = SheetsForm(request.POST, names=names)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, _("；").join(error))
    elif job.status == ImportJob.PREVIEWED:
        # Saved only while the job waits for confirmation: the run that
        # starts next reads it (a confirm racing this finds the job moved).
        if ImportJob.objects.filter(pk=job.pk, status=ImportJob.PREVIEWED, attempt=job.attempt).update(
                sheets=form.cleaned_data["sheet"]):
            job.refresh_from_db()
            if jobs.start(job, commit=False, ip=client_ip(request), expect=ImportJob.PREVIEWED):
                messages.success(request, _("已按所选工作表重新检查了文件"))
    return redirect("ledger_job", job.pk)


@login_required
def job_confirm(request, importjob_id):
    job = _importable_job(request, importjob_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    result = job.result or {}
    if job.status != ImportJob.PREVIEWED or result.get("error_count"):
        messages.error(request, _refusal(job))
        return redirect("ledger_job", job.pk)
    # The check above read the job without a lock; the start below moves it
    # out of 待确认 only if nobody else did in between (a double click, two
    # users on one job), so the file is imported once.
    if not jobs.start(job, commit=True, ip=client_ip(request), expect=ImportJob.PREVIEWED):
        messages.error(request, _refusal(job))
    return redirect("ledger_job", job.pk)


def _refusal(job):
    """Say why a job cannot be confirmed (now)."""
    if job.status == ImportJob.IMPORTING:
        return _("该文件正在导入（已有人确认），不能重复确认导入")
    if job.status == ImportJob.DONE:
        return _("该文件已经导入，不能重复确认导入")
    return _("该文件尚未通过检查或已经导入，不能确认导入")


@login_required
def job_rerun(request, importjob_id):
    """重新导入: queue again a job whose worker died (ImportJob.interrupted)."""
    job = _importable_job(request, importjob_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if jobs.rerun(job, ip=client_ip(request)):
        messages.success(request, _("已重新开始：上次运行中断，未写入任何记录"))
    else:
        messages.error(request, _("该任务仍在运行或已经结束，不能重新导入"))
    return redirect("ledger_job", job.pk)


@login_required
def job_abandon(request, importjob_id):
    """放弃: end a job that will not be confirmed and delete its file now."""
    job = _importable_job(request, importjob_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not job.ended and job.status != ImportJob.IMPORTING:
        job.abandon()
        messages.success(request, _("已放弃本次导入，上传的文件已删除"))
    return redirect("ledger_index", job.pairing_id)
