from xiezuo.accounts.scope import scope_for

from .modules import module_links
from .years import working_year_switch


def nav(request):
    user = getattr(request, "user", None)
    # A callable: the template asks only on pages with a signed-in user.
    return {
        "module_links": module_links(),
        "can_manage_accounts": lambda: bool(user and user.is_authenticated and scope_for(user).may_manage_accounts()),
        # The menu offers the audit log only to those it opens for (audit.views.visible_events).
        "can_read_audit": lambda: bool(user and user.is_authenticated and (
            scope_for(user).is_global or scope_for(user).has_any("audit"))),
        # The header's year switcher on the pages of one pairing, and the
        # number of waiting items on the menu (both asked for only when drawn).
        "year_switch": lambda: working_year_switch(request),
        "waiting_count": lambda: _waiting_count(request),
    }


def _waiting_count(request):
    from .worklist import waiting_count

    user = getattr(request, "user", None)
    return waiting_count(user) if user and user.is_authenticated else 0
