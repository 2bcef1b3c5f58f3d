"""Account pages: members of a pairing, one account's roles, password and
tokens, and every user's own password page. Who may do what is decided in
scope.py (`require`, `may_grant`, `require_account`)."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import MemberAddForm, OwnPasswordForm, ResetPasswordForm, TokenForm
from .models import APIToken, Membership, User
from .scope import get_pairing, scope_for


@login_required
def account_index(request):
    scope = scope_for(request.user)
    if not scope.may_manage_accounts():
        raise PermissionDenied(_("您的角色无权管理账户"))
    accounts = scope.accounts().prefetch_related("memberships__pairing").order_by("username")
    q = request.GET.get("q", "").strip()
    if q:
        accounts = accounts.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    ctx = {"pairings": scope.pairings("members"), "accounts": accounts[:500], "q": q}
    return render(request, "accounts/index.html", ctx)


@login_required
def member_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "members")
    scope = scope_for(request.user)
    members = list(Membership.objects.filter(pairing__in=pairing.subtree())
                   .select_related("user", "pairing", "organisation").order_by("pairing__path", "user__username"))
    for m in members:
        m.removable = scope.may_grant(m.pairing_id, m.role) and m.user_id != request.user.pk
    return render(request, "accounts/member_list.html", {"pairing": pairing, "members": members})


@login_required
def member_add(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "members")
    form = MemberAddForm(request.POST or None, scope=scope_for(request.user), pairing=pairing)
    if request.method == "POST" and form.is_valid():
        member = form.save()
        messages.success(request, _("已授予%(user)s（%(username)s）%(role)s角色：%(pairing)s") % {"user": member.user, "username": member.user.username, "role": member.get_role_display(), "pairing": member.pairing})
        return redirect("member_list", pairing.pk)
    return render(request, "accounts/member_add.html", {"pairing": pairing, "form": form})


@login_required
@require_POST
def membership_delete(request, membership_id):
    scope = scope_for(request.user)
    member = scope.get(Membership.objects.select_related("user", "pairing"), membership_id, "members")
    if not scope.may_grant(member.pairing_id, member.role):
        raise PermissionDenied(_("您无权取消此角色"))
    if member.user_id == request.user.pk:
        raise PermissionDenied(_("不能取消自己的角色，请由管理员办理"))
    member.delete()
    messages.success(request, _("已取消%(user)s的%(role)s角色：%(pairing)s") % {"user": member.user, "role": member.get_role_display(), "pairing": member.pairing})
    return redirect(request.POST.get("next") if _safe(request, request.POST.get("next")) else "account_index")


def _managed_account(request, user_id):
    """Return the account named in the URL if the caller may manage it."""
    account = get_object_or_404(User, pk=user_id)
    return scope_for(request.user).require_account(account)


@login_required
def account_detail(request, user_id):
    account = _managed_account(request, user_id)
    ctx = {
        "account": account,
        "memberships": account.memberships.select_related("pairing", "organisation").order_by("pairing__path"),
        "tokens": account.api_tokens.order_by("-created"),
        "failed_logins": account.failed_logins(),
        "is_self": account.pk == request.user.pk,
    }
    return render(request, "accounts/detail.html", ctx)


@login_required
def account_reset_password(request, user_id):
    account = _managed_account(request, user_id)
    form = ResetPasswordForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已为%(account)s设置临时密码，对方下次登录时须修改") % {"account": account})
        return redirect("account_detail", account.pk)
    return render(request, "accounts/password_form.html", {"form": form, "account": account})


@login_required
@require_POST
def account_lock(request, user_id):
    account = _managed_account(request, user_id)
    if account.pk == request.user.pk:
        raise PermissionDenied(_("不能停用自己的账户"))
    if account.is_active:
        account.lock()
        messages.success(request, _("已停用账户：%(account)s") % {"account": account})
    return redirect("account_detail", account.pk)


@login_required
@require_POST
def account_unlock(request, user_id):
    account = _managed_account(request, user_id)
    if not account.is_active or account.failed_logins():
        account.unlock()
        messages.success(request, _("已启用账户并解除登录锁定：%(account)s") % {"account": account})
    return redirect("account_detail", account.pk)


@login_required
def token_issue(request, user_id):
    account = _managed_account(request, user_id)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        raw = form.issue(account)
        response = render(request, "accounts/token_issued.html", {"account": account, "raw": raw,
                                                                 "token": account.api_tokens.latest("pk")})
        # The raw token is on this page only: no cache may keep a copy.
        add_never_cache_headers(response)
        return response
    return render(request, "accounts/token_form.html", {"form": form, "account": account})


@login_required
@require_POST
def token_revoke(request, apitoken_id):
    token = get_object_or_404(APIToken.objects.select_related("user"), pk=apitoken_id)
    _managed_account(request, token.user_id)
    if not token.revoked:
        token.revoke()
        messages.success(request, _("已吊销令牌 %(prefix)s…") % {"prefix": token.prefix})
    return redirect("account_detail", token.user_id)


@login_required
def password_change(request):
    form = OwnPasswordForm(request.user, request.POST or None)
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        form.save()
        # Changing the password ends the other sessions but keeps this one.
        update_session_auth_hash(request, request.user)
        messages.success(request, _("密码已修改"))
        return redirect(nxt if _safe(request, nxt) else "home")
    forced = request.user.must_change_password
    return render(request, "accounts/password_change.html", {"form": form, "next": nxt, "forced": forced})


def _safe(request, url):
    return bool(url) and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure())
