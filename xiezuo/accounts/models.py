"""Users, their roles on pairings, and API tokens."""

import datetime
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiezuo.audit.models import record, snapshot
from xiezuo.audit.tracking import tracked

EAST, WEST, UNIT, LEADER, AUDITOR, ADMIN = "east", "west", "unit", "leader", "auditor", "admin"
ROLES = [
    (EAST, _("东部协作办")),
    (WEST, _("西部协作办")),
    (UNIT, _("实施单位")),
    (LEADER, _("领导（只读）")),
    (AUDITOR, _("审计/纪检")),
    (ADMIN, _("管理员")),
]

# What each role may do on the pairings of its memberships (and their
# sub-pairings). "write" edits ledgers; "east"/"west" are the two halves of
# two-step approvals; "unit" edits only the unit's own projects; "pii" shows
# unmasked personal data; "audit" reads the audit trail; "admin" changes rule
# sets, locks and the catalogue; "members" manages the accounts and roles of
# the pairing's people (within what the manager holds itself, see
# Scope.may_grant).
PERMISSIONS = {
    EAST: {"read", "write", "east", "members"},
    WEST: {"read", "write", "west", "pii", "members"},
    UNIT: {"read", "unit"},
    LEADER: {"read"},
    AUDITOR: {"read", "audit"},
    ADMIN: {"read", "write", "east", "west", "unit", "pii", "audit", "admin", "members"},
}
ALL_PERMISSIONS = set().union(*PERMISSIONS.values())


def temporary_password():
    """Return a random password that passes the password policy.

    Used when a command creates an account: the operator passes it on and
    the user must replace it at the first login. The fixed ends hold all
    four character classes whatever the random middle turns out to be.
    """
    return "Xz-" + secrets.token_urlsafe(12) + "-7"


class AccountManager(UserManager):
    def create_account(self, username, display_name, password):
        """Create a user with a password set by someone else, which the user
        must change at the first login; record the creation."""
        with transaction.atomic():
            user = self.model(username=username, display_name=display_name, must_change_password=True)
            user.set_password(password)
            user.save()
            user.audit("create", f"新建账户：{user.username}", after=snapshot(user))
        return user


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    # Set when an administrator or office chose the password: the user is
    # sent to the password page until they pick their own (see
    # PasswordChangeRequiredMiddleware).
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)

    objects = AccountManager()
    # Users are not @tracked: their account changes are recorded one event
    # per action by the methods below, and a password hash never enters the
    # trail.
    audit_exclude = ("password", "last_login")

    def __str__(self):
        return self.display_name or self.username

    def audit(self, action, summary, before=None, after=None):
        """Record an event about this account; accounts belong to no pairing."""
        return record(action, model=self._meta.label, object_id=self.pk, summary=summary,
                      before=before, after=after)

    def reset_password(self, raw):
        """Set a temporary password chosen by an administrator or office;
        the user must change it at the next login."""
        with transaction.atomic():
            before = self.must_change_password
            self.set_password(raw)
            self.must_change_password = True
            self.save(update_fields=["password", "must_change_password"])
            self.audit("admin", f"重置密码：{self.username}",
                       before={"must_change_password": before}, after={"must_change_password": True})

    def change_own_password(self, raw):
        """Replace the password with one the user chose, which lifts the
        forced change."""
        with transaction.atomic():
            before = self.must_change_password
            self.set_password(raw)
            self.must_change_password = False
            self.save(update_fields=["password", "must_change_password"])
            self.audit("update", f"修改本人密码：{self.username}",
                       before={"must_change_password": before}, after={"must_change_password": False})

    def lock(self):
        """Deactivate the account: no login, no API token works."""
        with transaction.atomic():
            self.is_active = False
            self.save(update_fields=["is_active"])
            self.audit("admin", f"停用账户：{self.username}", before={"is_active": True}, after={"is_active": False})

    def unlock(self):
        """Reactivate the account and lift a lockout after failed logins."""
        from axes.utils import reset

        with transaction.atomic():
            before = {"is_active": self.is_active, "failed_logins": self.failed_logins()}
            self.is_active = True
            self.save(update_fields=["is_active"])
            reset(username=self.username)
            self.audit("admin", f"启用账户：{self.username}", before=before,
                       after={"is_active": True, "failed_logins": 0})

    def failed_logins(self):
        """Return the failed logins django-axes counts against the account."""
        from axes.models import AccessAttempt

        return AccessAttempt.objects.filter(username=self.username).aggregate(
            n=models.Sum("failures_since_start"))["n"] or 0


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    pairing = models.ForeignKey("pairings.Pairing", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=10, choices=ROLES)
    # For implementing units: the school, hospital or township whose own
    # projects the user may update.
    organisation = models.ForeignKey("pairings.Organisation", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint("user", "pairing", "role", name="membership_unique",
                                               violation_error_message=_("该用户在此结对已有此角色"))]

    def __str__(self):
        return f"{self.user} {self.get_role_display()} @ {self.pairing}"

    def audit_pairing_id(self):
        return self.pairing_id

    @classmethod
    def grant(cls, user, pairing, role, organisation=None):
        """Give `user` `role` on `pairing` after checking the combination;
        raise ValidationError with a Chinese message otherwise."""
        member = cls(user=user, pairing=pairing, role=role, organisation=organisation)
        member.full_clean()
        member.save()
        return member

    def clean(self):
        # Only an implementing unit acts for one organisation; without it the
        # unit role could edit nothing, and on any other role it would mean
        # nothing.
        if self.role == UNIT and not self.organisation_id:
            raise ValidationError({"organisation": _("实施单位角色须指定所属单位")})
        if self.role != UNIT and self.organisation_id:
            raise ValidationError({"organisation": _("只有实施单位角色需要指定单位")})


class APITokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked=False, expires__gt=timezone.now())

    def authenticate(self, raw):
        """Return the active user of a valid, unexpired, unrevoked token, or None."""
        if not raw or not raw.startswith("xz_"):
            return None
        token = self.usable().select_related("user").filter(digest=APIToken.digest_of(raw)).first()
        if token is None or not token.user.is_active:
            return None
        now = timezone.now()
        if token.last_used is None or (now - token.last_used).total_seconds() > 60:
            APIToken.objects.filter(pk=token.pk).update(last_used=now)
        return token.user


TOKEN_DAYS = 180
# A token outlives no more than a year: a forgotten script's token then
# stops working by itself.
TOKEN_MAX_DAYS = 366


def default_expiry():
    return timezone.now() + datetime.timedelta(days=TOKEN_DAYS)


class APIToken(models.Model):
    """A per-user API token. Only its SHA-256 is stored: a database leak
    does not leak usable tokens."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    expires = models.DateTimeField(_("有效期至"), default=default_expiry)

    objects = APITokenQuerySet.as_manager()
    # The digest is as good as a password for anyone who can look it up;
    # last_used changes through update() and would only add noise.
    audit_exclude = ("digest", "last_used")
    # The prefix is random letters, digits, "-" and "_": whatever it happens
    # to spell, the trail shows it as code.
    audit_codes = ("prefix",)

    def __str__(self):
        # The audit trail's summary of the row: never the prefix (a code, not
        # words) and no raw token, which is not stored.
        return _("%(user)s的接口令牌") % {"user": self.user}

    @staticmethod
    def digest_of(raw):
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name="", expires=None):
        """Create a token and return the raw value, which is never stored."""
        expires = expires or default_expiry()
        if expires > timezone.now() + datetime.timedelta(days=TOKEN_MAX_DAYS):
            raise ValidationError(_("令牌有效期不能超过%(TOKEN_MAX_DAYS)s天") % {"TOKEN_MAX_DAYS": TOKEN_MAX_DAYS})
        raw = "xz_" + secrets.token_urlsafe(32)
        cls.objects.create(user=user, name=name, prefix=raw[:10], digest=cls.digest_of(raw), expires=expires)
        return raw

    @property
    def is_expired(self):
        return self.expires <= timezone.now()

    def revoke(self):
        """Make the token unusable; the row stays for the record."""
        self.revoked = True
        self.save(update_fields=["revoked"])

    def audit_pairing_id(self):
        return None


tracked(Membership)
tracked(APIToken)
