from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from xiezuo.accounts.scope import scope_for


@login_required
def home(request):
    pairings = scope_for(request.user).pairings().select_related("east_region", "west_region", "east_org", "west_org")
    pairings = list(pairings)
    # Pairings come ordered by path, so indenting by depth draws the tree.
    top = min((p.path.count("/") for p in pairings), default=0)
    for p in pairings:
        p.depth = p.path.count("/") - top
    ctx = {"pairings": pairings}
    return render(request, "front/home.html", ctx)
