"""Users, their roles on pairings, and API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from xiezuo.audit.tracking import tracked

EAST, WEST, UNIT, LEADER, AUDITOR, ADMIN = "east", "west", "unit", "leader", "auditor", "admin"
ROLES = [
    (EAST, "东部协作办"),
    (WEST, "西部协作办"),
    (UNIT, "实施单位"),
    (LEADER, "领导（只读）"),
    (AUDITOR, "审计/纪检"),
    (ADMIN, "管理员"),
]

# What each role may do on the pairings of its memberships (and their
# sub-pairings). "write" edits ledgers; "east"/"west" are the two halves of
# two-step approvals; "unit" edits only the unit's own projects; "pii" shows
# unmasked personal data; "audit" reads the audit trail; "admin" changes rule
# sets, locks and the catalogue.
PERMISSIONS = {
    EAST: {"read", "write", "east"},
    WEST: {"read", "write", "west", "pii"},
    UNIT: {"read", "unit"},
    LEADER: {"read"},
    AUDITOR: {"read", "audit"},
    ADMIN: {"read", "write", "east", "west", "unit", "pii", "audit", "admin"},
}
ALL_PERMISSIONS = set().union(*PERMISSIONS.values())


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=50, blank=True)

    def __str__(self):
        return self.display_name or self.username


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    pairing = models.ForeignKey("pairings.Pairing", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("角色", max_length=10, choices=ROLES)
    # For implementing units: the school, hospital or township whose own
    # projects the user may update.
    organisation = models.ForeignKey("pairings.Organisation", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint("user", "pairing", "role", name="membership_unique")]

    def __str__(self):
        return f"{self.user} {self.get_role_display()} @ {self.pairing}"

    def audit_pairing_id(self):
        return self.pairing_id


class APITokenQuerySet(models.QuerySet):
    def authenticate(self, raw):
        if not raw or not raw.startswith("xz_"):
            return None
        token = self.select_related("user").filter(digest=APIToken.digest_of(raw), revoked=False).first()
        if token is None or not token.user.is_active:
            return None
        now = timezone.now()
        if token.last_used is None or (now - token.last_used).total_seconds() > 60:
            APIToken.objects.filter(pk=token.pk).update(last_used=now)
        return token.user


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

    objects = APITokenQuerySet.as_manager()
    audit_exclude = ("digest",)

    @staticmethod
    def digest_of(raw):
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name=""):
        raw = "xz_" + secrets.token_urlsafe(32)
        cls.objects.create(user=user, name=name, prefix=raw[:10], digest=cls.digest_of(raw))
        return raw

    def audit_pairing_id(self):
        return None


tracked(Membership)
tracked(APIToken)
