"""Forms of the account pages. The decisions they check live in the models
and in scope.py; the forms turn them into messages beside the fields."""

import datetime

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from xiezuo.front.forms import BootstrapMixin
from xiezuo.pairings.models import Organisation

from .models import ROLES, TOKEN_DAYS, TOKEN_MAX_DAYS, APIToken, Membership, User


class MemberAddForm(BootstrapMixin, forms.Form):
    """Give a role on a pairing of the subtree to an existing user, or to a
    new user created with an initial password."""

    username = forms.CharField(label=_("用户名"), max_length=150, validators=[UnicodeUsernameValidator()])
    display_name = forms.CharField(label=_("姓名"), max_length=50, required=False,
                                   help_text=_("新建账户时必填；已有账户不修改"))
    password = forms.CharField(label=_("初始密码"), required=False, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("新建账户时必填；用户首次登录后须自行修改"))
    pairing = forms.ModelChoiceField(label=_("结对"), queryset=None)
    role = forms.ChoiceField(label=_("角色"))
    organisation = forms.ModelChoiceField(label=_("所属单位（实施单位角色必填）"), queryset=None, required=False)

    def __init__(self, *args, scope, pairing, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["pairing"].queryset = pairing.subtree().filter(pk__in=scope.pairing_ids("members"))
        self.fields["pairing"].initial = pairing.pk
        grantable = set(scope.grantable_roles(pairing))
        self.fields["role"].choices = [(r, label) for r, label in ROLES if r in grantable]
        self.fields["organisation"].queryset = Organisation.objects.filter(scope.region_q()).order_by("name")

    def clean(self):
        data = super().clean()
        username, pairing, role = data.get("username"), data.get("pairing"), data.get("role")
        if not (username and pairing and role):
            return data
        if not self.scope.may_grant(pairing, role):
            self.add_error("role", _("您无权在该结对授予此角色"))
            return data
        self.user = User.objects.filter(username=username).first()
        if self.user is None:
            self._check_new_account(data)
        elif data.get("password"):
            self.add_error("password", _("该用户已存在，不能在此设置其密码；如需重置请在账户页面办理"))
        elif Membership.objects.filter(user=self.user, pairing=pairing, role=role).exists():
            self.add_error("role", _("该用户在此结对已有此角色"))
        try:
            Membership(pairing=pairing, role=role, organisation=data.get("organisation")).clean()
        except ValidationError as e:
            self.add_error(None, e)
        return data

    def _check_new_account(self, data):
        if not data.get("display_name"):
            self.add_error("display_name", _("新建账户须填写姓名"))
        if not data.get("password"):
            self.add_error("password", _("新建账户须设置初始密码"))
            return
        candidate = User(username=data["username"], display_name=data.get("display_name", ""))
        try:
            password_validation.validate_password(data["password"], candidate)
        except ValidationError as e:
            self.add_error("password", e)

    def save(self):
        data = self.cleaned_data
        with transaction.atomic():
            user = self.user or User.objects.create_account(data["username"], data["display_name"], data["password"])
            return Membership.grant(user, data["pairing"], data["role"], data.get("organisation"))


class ResetPasswordForm(BootstrapMixin, SetPasswordForm):
    """A temporary password chosen by an administrator or office."""

    def save(self, commit=True):
        self.user.reset_password(self.cleaned_data["new_password1"])
        return self.user


class OwnPasswordForm(BootstrapMixin, PasswordChangeForm):
    """The user's own password: the old one, then the new one twice."""

    def clean(self):
        data = super().clean()
        new = data.get("new_password1")
        if new and self.user.check_password(new):
            self.add_error("new_password1", _("新密码不能与原密码相同"))
        return data

    def save(self, commit=True):
        self.user.change_own_password(self.cleaned_data["new_password1"])
        return self.user


class TokenForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("用途"), max_length=100, required=False, help_text=_("例如：省平台数据对接"))
    expires = forms.DateField(label=_("有效期至"), widget=forms.DateInput,
                              help_text=lazy(lambda: _("默认%(TOKEN_DAYS)s天，最长%(value)s天；到期当日结束后失效") % {"TOKEN_DAYS": TOKEN_DAYS, "value": TOKEN_MAX_DAYS - 1}, str)())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires"].initial = timezone.localdate() + datetime.timedelta(days=TOKEN_DAYS)

    def clean_expires(self):
        day = self.cleaned_data["expires"]
        today = timezone.localdate()
        if day <= today:
            raise ValidationError(_("有效期须晚于今天"))
        if day >= today + datetime.timedelta(days=TOKEN_MAX_DAYS):
            raise ValidationError(_("有效期最长%(value)s天") % {"value": TOKEN_MAX_DAYS - 1})
        return day

    def issue(self, user):
        """Create the token and return its raw value (shown once)."""
        end = datetime.datetime.combine(self.cleaned_data["expires"], datetime.time.max)
        return APIToken.issue(user, name=self.cleaned_data["name"],
                              expires=timezone.make_aware(end))
