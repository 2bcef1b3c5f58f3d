from django import template

from lib.dates import cn_date
from lib.money import money as _money
from lib.money import yuan as _yuan
from lib.money import wan as _wan

register = template.Library()


@register.filter
def wan(amount):
    """4300万元."""
    return _wan(amount)


@register.filter
def money(amount):
    """541.5万元 from ten thousand yuan on, 4500元 below: every amount shown."""
    return _money(amount)


@register.filter
def yuan(amount):
    """5,415,000.00元: exact to the cent, where a column sums to the 分."""
    return "" if amount is None else _yuan(amount)


@register.filter
def item(mapping, key):
    """Return mapping[key], or None: names of codes passed by a view."""
    return mapping.get(key) if mapping else None


@register.filter
def cndate(value):
    """2022年6月26日."""
    return cn_date(value)


@register.filter
def indent(depth):
    return range(max(int(depth), 0))


@register.simple_tag(takes_context=True)
def qs(context, **kwargs):
    """Return the current query string with some parameters replaced."""
    params = context["request"].GET.copy()
    for k, v in kwargs.items():
        if v in (None, ""):
            params.pop(k, None)
        else:
            params[k] = v
    return "?" + params.urlencode() if params else "?"
