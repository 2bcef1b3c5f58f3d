"""The audit trail's client address: proxy headers are believed only from
the proxies named in XIEZUO_TRUSTED_PROXIES."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from xiezuo.audit.middleware import client_ip

from ..checklist import login
from .conftest import user

pytestmark = pytest.mark.django_db


def ip_of(remote, **headers):
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


def test_without_trusted_proxies_the_headers_are_ignored(settings):
    settings.XIEZUO_TRUSTED_PROXIES = []
    assert ip_of("203.0.113.9", HTTP_X_REAL_IP="10.1.1.1", HTTP_X_FORWARDED_FOR="10.1.1.2") == "203.0.113.9"


def test_a_trusted_proxy_names_the_client(settings):
    settings.XIEZUO_TRUSTED_PROXIES = ["127.0.0.1"]
    assert ip_of("127.0.0.1", HTTP_X_REAL_IP="198.51.100.7") == "198.51.100.7"
    assert ip_of("127.0.0.1") == "127.0.0.1"
    assert ip_of("127.0.0.1", HTTP_X_REAL_IP="not an address") == "127.0.0.1"


def test_a_client_cannot_spoof_through_an_untrusted_address(settings):
    settings.XIEZUO_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert ip_of("198.51.100.7", HTTP_X_REAL_IP="10.1.1.1") == "198.51.100.7"


def test_forwarded_for_is_read_from_the_right(settings):
    # Load balancer 10.0.0.5 in front of nginx 10.0.0.2: nginx's X-Real-IP
    # names the balancer, the balancer appended the client; whatever the
    # client wrote itself stands further left and is not believed.
    settings.XIEZUO_TRUSTED_PROXIES = ["10.0.0.0/8"]
    headers = {"HTTP_X_REAL_IP": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7, 10.0.0.5"}
    assert ip_of("10.0.0.2", **headers) == "198.51.100.7"
    assert ip_of("10.0.0.2", HTTP_X_FORWARDED_FOR="10.0.0.9, 10.0.0.5") == "10.0.0.2"


def test_invalid_setting_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.XIEZUO_TRUSTED_PROXIES = ["not-a-network"]
    with pytest.raises(ImproperlyConfigured, match="XIEZUO_TRUSTED_PROXIES"):
        ip_of("127.0.0.1")


def lock_yiyuan(client, new_events, **headers):
    client.post(reverse("account_lock", args=[user("yiyuan").pk]), **headers)
    return new_events()[-1].ip


def test_audit_events_carry_the_trusted_address(settings, new_events):
    settings.XIEZUO_TRUSTED_PROXIES = ["127.0.0.1"]
    c = login("liuhe")
    c.defaults["REMOTE_ADDR"] = "127.0.0.1"
    assert lock_yiyuan(c, new_events, HTTP_X_REAL_IP="198.51.100.7") == "198.51.100.7"


def test_audit_events_ignore_a_spoofed_header(settings, new_events):
    settings.XIEZUO_TRUSTED_PROXIES = ["127.0.0.1"]
    c = login("liuhe")
    c.defaults["REMOTE_ADDR"] = "203.0.113.9"
    assert lock_yiyuan(c, new_events, HTTP_X_REAL_IP="198.51.100.7") == "203.0.113.9"


def test_default_records_the_socket_address(settings, new_events):
    settings.XIEZUO_TRUSTED_PROXIES = []
    assert lock_yiyuan(login("liuhe"), new_events, HTTP_X_REAL_IP="198.51.100.7") == "127.0.0.1"
