import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .context import acting_as


@functools.lru_cache(maxsize=8)
def _networks(entries):
    try:
        return tuple(ipaddress.ip_network(e, strict=False) for e in entries)
    except ValueError as e:
        raise ImproperlyConfigured(f"XIEZUO_TRUSTED_PROXIES: {e}") from None


def _address(text):
    """Return the parsed address, or None for anything that is not one."""
    try:
        return ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None


def is_trusted_proxy(address):
    networks = _networks(tuple(settings.XIEZUO_TRUSTED_PROXIES))
    return address is not None and any(address in n for n in networks)


def client_ip(request):
    """Return the client's address for the audit trail.

    Any client can send X-Real-IP or X-Forwarded-For, so they are believed
    only from our own proxies (XIEZUO_TRUSTED_PROXIES). nginx sets X-Real-IP
    to the address it saw (deploy/nginx-xiezuo.conf); behind a further load
    balancer that is the balancer, and X-Forwarded-For is read from the right,
    skipping our proxies, up to the first address none of them is.
    """
    remote = request.META.get("REMOTE_ADDR") or ""
    if not is_trusted_proxy(_address(remote)):
        return remote
    real = _address(request.META.get("HTTP_X_REAL_IP"))
    if real is not None and not is_trusted_proxy(real):
        return str(real)
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        if not is_trusted_proxy(address):
            return str(address)
    return str(real) if real is not None else remote


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if request.user.is_authenticated else None
        with acting_as(user, ip=client_ip(request), username=None if user else "anonymous"):
            return self.get_response(request)
