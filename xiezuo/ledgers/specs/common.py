"""Lookups shared by several specs, scoped to the pairing's two regions."""

from django.db.models import Q

from xiezuo.pairings.models import Organisation, Region


def region_q(ctx, field="region"):
    """Q for rows inside the east or west region of the pairing."""
    p = ctx.pairing
    return (Q(**{f"{field}__path__startswith": p.east_region.path})
            | Q(**{f"{field}__path__startswith": p.west_region.path}))


def organisations(ctx):
    return Organisation.objects.filter(ctx.scope.region_q(), region_q(ctx))


def west_regions(level):
    def queryset(ctx):
        return Region.objects.filter(path__startswith=ctx.pairing.west_region.path, level=level)

    return queryset
