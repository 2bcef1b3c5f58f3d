"""The one place that decides who may read and change what.

Every view and API endpoint asks `scope_for(user)` for the pairings it may
touch and calls `require` before acting. Domain querysets are narrowed with
`Scope.filter`. A membership on a pairing applies to the whole subtree below
it, so a county-pair user sees the township and school pairs too, and a
province user sees every county pair of the province.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from .models import ALL_PERMISSIONS, PERMISSIONS


class Scope:
    def __init__(self, user):
        self.user = user
        self._perms = None  # pairing_id -> set of permissions

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
        self._units = {}
        for m in u.memberships.select_related("pairing"):
            granted = PERMISSIONS[m.role]
            if m.role == "admin":
                # An administrator membership reaches every pairing.
                subtree = Pairing.objects.all()
            else:
                subtree = Pairing.objects.filter(path__startswith=m.pairing.path)
            for pid in subtree.values_list("pk", flat=True):
                perms.setdefault(pid, set()).update(granted)
                if m.organisation_id:
                    self._units.setdefault(pid, set()).add(m.organisation_id)
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
        return getattr(self, "_units", {}).get(pid, set())

    def require(self, pairing, perm="read"):
        """Raise 404 when the pairing is invisible, 403 when visible but the
        permission is missing. Hiding foreign pairings as 404 keeps their
        existence private."""
        if not self.has(pairing, "read"):
            raise Http404("结对不存在或无权访问")
        if not self.has(pairing, perm):
            raise PermissionDenied("您的角色无权执行此操作")
        return pairing

    def filter(self, queryset, perm="read", field="pairing"):
        """Narrow a domain queryset to rows of pairings the user may `perm`."""
        return queryset.filter(**{f"{field}__in": self.pairing_ids(perm)})

    def region_q(self, field="region", perm="read"):
        """Q for rows whose region lies inside the regions of pairings the user
        may `perm`; `field=None` filters Region itself."""
        from xiezuo.pairings.models import Pairing

        if self.is_global:
            return Q()
        lookup = f"{field}__path__startswith" if field else "path__startswith"
        paths = set()
        for p in Pairing.objects.filter(pk__in=self.pairing_ids(perm)).select_related("east_region", "west_region"):
            paths.add(p.east_region.path)
            paths.add(p.west_region.path)
        q = Q(pk__in=[])
        for path in paths:
            q |= Q(**{lookup: path})
        return q


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
        raise Http404("结对不存在") from None
    scope_for(user).require(pid, perm)
    return Pairing.objects.select_related("east_region", "west_region", "east_org", "west_org", "parent").get(pk=pid)
