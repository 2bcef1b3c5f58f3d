"""Pages of the notices: drafted from a project (or a library entry),
posted, published, their feedback recorded and handled. Every record is
fetched through the scope helper; offices with `write` on the pairing act,
leaders, auditors and units read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.front.downloads import file_download
from xiezuo.front.forms import loaded_version_of, save_or_conflict
from xiezuo.front.params import year_param
from xiezuo.funds.models import Project
from xiezuo.library.models import LibraryEntry

from . import document
from .forms import FeedbackForm, HandlingForm, NoticeForm, PostingForm, StepForm
from .models import LISTING, STAGES, STATUSES, Notice, NoticeFeedback, NoticePosting

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DETAIL = ("pairing", "project", "library_entry", "published_by")


def _notice(request, notice_id, perm="read"):
    return scope_for(request.user).get(Notice.objects.select_related(*DETAIL), notice_id, perm)


@login_required
def notice_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    scope = scope_for(request.user)
    qs = scope.filter(Notice.objects.within(pairing)).select_related("project", "library_entry")
    year = year_param(request)
    if year:
        qs = qs.filter(start_date__year=year)
    stage = request.GET.get("stage", "")
    if stage in dict(STAGES):
        qs = qs.filter(stage=stage)
    today = timezone.localdate()
    rows = [(n, n.has_run(today)) for n in qs.prefetch_related("postings", "feedback").order_by("-start_date", "-pk")[:200]]
    return render(request, "notices/list.html", {"pairing": pairing, "rows": rows, "year": year, "stage": stage,
                                                 "stages": STAGES, "statuses": STATUSES})


def _form_page(request, pairing, notice, back):
    form = NoticeForm(request.POST or None, instance=notice)
    if request.method == "POST" and form.is_valid():
        saved = save_or_conflict(form)
        if saved:
            messages.success(request, _("已保存公示：%(notice)s") % {"notice": saved})
            return redirect("notice_detail", saved.pk)
    return render(request, "notices/form.html", {"form": form, "pairing": pairing, "notice": notice, "back": back})


@login_required
def notice_create(request, project_id):
    project = scope_for(request.user).get(Project.objects.select_related("pairing", "implementing_unit", "township",
                                                                          "village", "library_entry"),
                                          project_id, "write")
    stage = request.GET.get("stage") or request.POST.get("stage") or "plan"
    if stage not in dict(STAGES) or stage == LISTING:
        stage = "plan"
    notice = Notice.draft_for(project, stage)
    notice.is_demo = False
    return _form_page(request, project.pairing, notice, project)


@login_required
def entry_notice_create(request, library_entry_id):
    entry = scope_for(request.user).get(LibraryEntry.objects.for_detail(), library_entry_id, "write")
    notice = Notice.draft_for(entry, LISTING)
    notice.is_demo = False
    return _form_page(request, entry.pairing, notice, entry)


@login_required
def notice_edit(request, notice_id):
    notice = _notice(request, notice_id, "write")
    if not notice.editable:
        messages.error(request, _("只有草稿可以修改"))
        return redirect("notice_detail", notice.pk)
    return _form_page(request, notice.pairing, notice, notice.subject)


@login_required
def notice_detail(request, notice_id):
    notice = _notice(request, notice_id)
    scope = scope_for(request.user)
    today = timezone.localdate()
    ctx = {"notice": notice, "pairing": notice.pairing, "postings": notice.postings.all(),
           # Feedback is the offices' (an implementing unit reads the notice, not who objected).
           "feedback": scope.filter(NoticeFeedback.objects.filter(notice=notice)).select_related("handled_by"), "missing": notice.missing(today),
           "can_write": notice.may_act(scope), "data": document.notice_data(notice),
           "required": notice.required_channels(), "posting_form": PostingForm(), "feedback_form": FeedbackForm(),
           "handling_form": HandlingForm(), "today": today}
    return render(request, "notices/detail.html", ctx)


@login_required
def notice_step(request, notice_id):
    # Scope first, method second: another pairing's user learns nothing.
    notice = _notice(request, notice_id, "write")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("操作无效"))
        return redirect("notice_detail", notice.pk)
    loaded = loaded_version_of(request.POST)
    try:
        if form.cleaned_data["step"] == "publish":
            notice.publish(request.user, form.cleaned_data["date"], loaded_version=loaded)
            messages.success(request, _("已发布公示"))
        else:
            notice.withdraw(request.user, form.cleaned_data["reason"], loaded_version=loaded)
            messages.success(request, _("已撤回公示"))
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    return redirect("notice_detail", notice.pk)


@login_required
def posting_add(request, notice_id):
    notice = _notice(request, notice_id, "write")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = PostingForm(request.POST, request.FILES, instance=NoticePosting(notice=notice))
    if form.is_valid():
        try:
            with transaction.atomic():
                form.save()
            messages.success(request, _("已登记张贴记录"))
        except (ValidationError, IntegrityError):
            messages.error(request, _("该公示已有此渠道的张贴记录"))
    else:
        messages.error(request, "；".join(f"{form.fields[k].label if k in form.fields else ''}：{v[0]}"
                                         for k, v in form.errors.items()))
    return redirect("notice_detail", notice.pk)


@login_required
def posting_photo(request, notice_posting_id):
    posting = scope_for(request.user).get(NoticePosting.objects.select_related("notice"), notice_posting_id)
    if not posting.photo:
        raise Http404(_("没有附件"))
    return file_download(posting.photo)


@login_required
def feedback_add(request, notice_id):
    notice = _notice(request, notice_id, "write")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = FeedbackForm(request.POST, instance=NoticeFeedback(notice=notice))
    if form.is_valid():
        form.save()
        messages.success(request, _("已登记反馈"))
    else:
        messages.error(request, "；".join(f"{form.fields[k].label if k in form.fields else ''}：{v[0]}"
                                         for k, v in form.errors.items()))
    return redirect("notice_detail", notice.pk)


@login_required
def feedback_handle(request, notice_feedback_id):
    feedback = scope_for(request.user).get(NoticeFeedback.objects.select_related("notice"), notice_feedback_id,
                                           "write")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = HandlingForm(request.POST, instance=feedback)
    if form.is_valid():
        handled = form.save(commit=False)
        handled.handled_by = request.user
        handled.save()
        messages.success(request, _("已登记办理情况"))
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("notice_detail", feedback.notice_id)


@login_required
def notice_docx(request, notice_id):
    notice = _notice(request, notice_id)
    response = HttpResponse(document.write_docx(document.notice_data(notice)), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="notice-{notice.pk}.docx"'
    return response
