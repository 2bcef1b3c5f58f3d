"""The one place that decides who may read and change what.

Every view, API endpoint and ledger import asks `scope_for(user)`: one
record is fetched with `Scope.get(queryset, pk, perm)`, lists are narrowed
with `Scope.filter(queryset, perm)` — both follow the model's declared path
to its pairing (`xiezuo/pairings/owned.py`) — and pages of a pairing call
`get_pairing`/`require`. A membership on a pairing applies to the whole
subtree below it, so a county-pair user sees the township and school pairs
too, and a province user sees every county pair of the province; a sibling
pair's user sees none of them. An implementing unit reads only the records
of its own projects (the model's `unit_path`).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import Http404
from django.utils.translation import gettext as _

from .models import ALL_PERMISSIONS, PERMISSIONS, UNIT


class Scope:
    def __init__(self, user):
        self.user = user
        self._perms = None  # pairing_id -> set of permissions
        self._units = {}  # pairing_id -> organisations the user acts for as an implementing unit
        self._unit_only = {}  # the same, for pairings the user reads only as an implementing unit

    @property
    def is_global(self):
        u = self.user
        return bool(u and u.is_authenticated and u.is_active and u.is_superuser)

    def _load(self):
        if self._perms is not None:
            return self._perms
        from xiezuo.pairings.models import Pairing

        perms = {}
        u = self.user
        if not (u and u.is_authenticated and u.is_active):
            self._perms = perms
            return perms
        if self.is_global:
            for pid in Pairing.objects.values_list("pk", flat=True):
                perms[pid] = set(ALL_PERMISSIONS)
            self._perms = perms
            return perms
        units, full = {}, set()
        for m in u.memberships.select_related("pairing"):
            granted = PERMISSIONS[m.role]
            if m.role == "admin":
                # An administrator membership reaches every pairing.
                subtree = Pairing.objects.all()
            else:
                subtree = Pairing.objects.filter(path__startswith=m.pairing.path)
            for pid in subtree.values_list("pk", flat=True):
                perms.setdefault(pid, set()).update(granted)
                if m.role == UNIT:
                    units.setdefault(pid, set())
                    if m.organisation_id:
                        units[pid].add(m.organisation_id)
                else:
                    full.add(pid)
        self._units = units
        # Where an implementing-unit membership is all the user has, records
        # are readable only when they hang off one of the unit's own projects.
        self._unit_only = {pid: orgs for pid, orgs in units.items() if pid not in full}
        self._perms = perms
        return perms

    def pairing_ids(self, perm="read"):
        return {pid for pid, p in self._load().items() if perm in p}

    def pairings(self, perm="read"):
        from xiezuo.pairings.models import Pairing

        return Pairing.objects.filter(pk__in=self.pairing_ids(perm))

    def has(self, pairing, perm="read"):
        pid = getattr(pairing, "pk", pairing)
        return perm in self._load().get(pid, ())

    def has_any(self, perm):
        return any(perm in p for p in self._load().values())

    def unit_orgs(self, pairing):
        """Organisations an implementing-unit user acts for on this pairing."""
        self._load()
        pid = getattr(pairing, "pk", pairing)
        return self._units.get(pid, set())

    def require(self, pairing, perm="read"):
        """Raise 404 when the pairing is invisible, 403 when visible but the
        permission is missing. Hiding foreign pairings as 404 keeps their
        existence private."""
        if not self.has(pairing, "read"):
            raise Http404(_("结对不存在或无权访问"))
        if not self.has(pairing, perm):
            raise PermissionDenied(_("您的角色无权执行此操作"))
        return pairing

    def may_grant(self, pairing, role):
        """Whether the user may give (or take away) `role` on `pairing`.

        Managing members needs "members" on the pairing, and the role may
        carry no permission the manager lacks there, so no office can hand
        out powers it does not hold: an east office cannot make a west
        office (the other half of every two-step approval) or an auditor,
        and only administrators make administrators. "unit" is covered by
        "write", which edits all the projects a unit edits only some of.
        """
        have = set(self._load().get(getattr(pairing, "pk", pairing), ()))
        if "members" not in have:
            return False
        if "write" in have:
            have.add("unit")
        return PERMISSIONS[role] <= have

    def grantable_roles(self, pairing):
        return [role for role in PERMISSIONS if self.may_grant(pairing, role)]

    def may_manage_accounts(self):
        """Whether the user manages the accounts of anyone (a menu question)."""
        return self.is_global or self.has_any("members")

    def accounts(self, perm="members"):
        """Users with a role on a pairing where the caller may `perm`;
        administrators reach every user."""
        from .models import User

        if self.is_global or self.has_any("admin"):
            return User.objects.all()
        return User.objects.filter(memberships__pairing__in=self.pairing_ids(perm)).distinct()

    def require_account(self, account):
        """Raise 404 for an account the caller cannot see, 403 for one the
        caller sees but may not manage; return the account.

        Like `require`: an account with a role on a pairing the caller reads
        is visible. Resetting its password or issuing it a token hands over
        everything it may do, so managing it needs the right to grant every
        role it holds; an account with no role, or a superuser, is managed
        by administrators only.
        """
        if self.is_global:
            return account
        if not self.accounts("read").filter(pk=account.pk).exists():
            raise Http404(_("账户不存在或无权访问"))
        roles = [(m.pairing_id, m.role) for m in account.memberships.all()]
        if account.is_superuser or not (roles or self.has_any("admin")):
            raise PermissionDenied(_("该账户只能由管理员管理"))
        if not all(self.may_grant(pid, role) for pid, role in roles):
            raise PermissionDenied(_("该账户在您管辖范围外另有角色，或其角色超出您的权限，请由管理员办理"))
        return account

    def may_read(self, pairing_id, units=()):
        """Tell whether a record of this pairing is readable; `units` are the
        implementing units the record hangs off (its project's, …)."""
        if "read" not in self._load().get(pairing_id, ()):
            return False
        orgs = self._unit_only.get(pairing_id)
        return orgs is None or any(u in orgs for u in units if u is not None)

    def get(self, queryset, pk, perm="read"):
        """Fetch the record `pk` of a scoped model's queryset for `perm`.

        The record's pairing (and units) are read through the model's
        `scope_path` / `unit_path` in the same query. A record that does not
        exist or that the user may not read answers 404, so records outside
        the scope are not even confirmed to exist; a readable record without
        `perm` answers 403.
        """
        model = queryset.model
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise Http404(_("记录不存在")) from None
        units = unit_paths(model)
        marks = {"_scope_pairing": F(getattr(model, "scope_path", "pairing"))}
        marks.update({f"_scope_unit{i}": F(path) for i, path in enumerate(units)})
        obj = queryset.filter(pk=pk).annotate(**marks).first()
        if obj is None or not self.may_read(obj._scope_pairing,
                                            [getattr(obj, f"_scope_unit{i}") for i in range(len(units))]):
            raise Http404(_("记录不存在或无权访问"))
        if not self.has(obj._scope_pairing, perm):
            raise PermissionDenied(_("您的角色无权执行此操作"))
        return obj

    def filter(self, queryset, perm="read"):
        """Narrow a scoped model's queryset to the records the user may `perm`.

        Follows the model's `scope_path`; on pairings the user reads only as
        an implementing unit, keeps the records hanging off the unit's own
        projects (`unit_path`) and nothing of models without one.
        """
        model = queryset.model
        path = model.scope_path  # every scoped model is a ScopedModel: an unscoped one fails here, loudly
        perms = self._load()
        full = [pid for pid, p in perms.items() if perm in p and pid not in self._unit_only]
        q = Q(**{f"{path}__in": full})
        by_orgs = {}
        for pid, orgs in self._unit_only.items():
            if perm in perms[pid] and orgs:
                by_orgs.setdefault(frozenset(orgs), []).append(pid)
        for unit in unit_paths(model):
            for orgs, pids in by_orgs.items():
                q |= Q(**{f"{path}__in": pids, f"{unit}__in": orgs})
        return queryset.filter(q)

    def usable(self, queryset, pairing, perm="read"):
        """Narrow reference rows (buyers, suppliers, products) to those a
        pairing may use: registered on it or on one of its ancestors, which
        register them once for their sub-pairings. Nothing unless the user
        may `perm` the pairing."""
        pid = getattr(pairing, "pk", pairing)
        if not self.has(pid, perm) or pid in self._unit_only:
            return queryset.none()
        return queryset.available_to(pairing)

    def region_q(self, field="region", perm="read", lookup=None):
        """Q for rows whose region lies inside the regions of pairings the user
        may `perm`; `field=None` filters Region itself; `lookup` names the
        path lookup outright (an audit event's `region_path__startswith`)."""
        from xiezuo.pairings.models import Pairing

        if self.is_global:
            return Q()
        lookup = lookup or (f"{field}__path__startswith" if field else "path__startswith")
        paths = set()
        for p in Pairing.objects.filter(pk__in=self.pairing_ids(perm)).select_related("east_region", "west_region"):
            paths.add(p.east_region.path)
            paths.add(p.west_region.path)
        q = Q(pk__in=[])
        for path in paths:
            q |= Q(**{lookup: path})
        return q


def unit_paths(model):
    """Return the lookups from a model to the implementing units it hangs off."""
    paths = getattr(model, "unit_path", None) or ()
    return (paths,) if isinstance(paths, str) else tuple(paths)


def scope_for(user):
    """Return the request's Scope, cached on the user object."""
    cached = getattr(user, "_xiezuo_scope", None)
    if cached is None:
        cached = Scope(user)
        try:
            user._xiezuo_scope = cached
        except AttributeError:
            pass
    return cached


def get_pairing(user, pairing_id, perm="read"):
    """Fetch a pairing the user may `perm`, or raise 404/403."""
    from xiezuo.pairings.models import Pairing

    try:
        pid = int(pairing_id)
    except (TypeError, ValueError):
        raise Http404(_("结对不存在")) from None
    scope_for(user).require(pid, perm)
    return Pairing.objects.select_related("east_region", "west_region", "east_org", "west_org", "parent").get(pk=pid)
