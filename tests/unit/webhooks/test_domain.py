"""Webhook rules: events, allowed URLs per environment, back-off."""
from __future__ import annotations

import pytest

from liveport.core.errors import ValidationFailed
from liveport.webhooks.domain import (
    check_events,
    check_url,
    is_exhausted,
    new_secret,
    retry_delay_s,
)


def test_events_come_back_in_the_canonical_order():
    assert check_events(["order.returned", "order.paid"]) == ("order.paid", "order.returned")


@pytest.mark.parametrize("events", [[], ["order.paid", "order.cancelled"], ["payment.done"]])
def test_unknown_or_no_events_are_refused(events):
    with pytest.raises(ValidationFailed) as refused:
        check_events(events)
    assert refused.value.code == "invalid_webhook_events"


@pytest.mark.parametrize("url", ["https://shop.example.com/hooks", "https://93.184.216.34:8443/h"])
def test_production_takes_https_to_a_public_host(url):
    assert check_url(url, production=True) == url


@pytest.mark.parametrize("url", [
    "http://shop.example.com/hooks",  # plain http
    "http://127.0.0.1:9000/h",
    "https://127.0.0.1/h",
    "https://localhost/h",
    "https://10.0.0.5/h",
    "https://192.168.1.1/h",
    "https://172.16.0.1/h",
    "https://169.254.169.254/latest/meta-data",  # cloud metadata
    "https://[::1]/h",
    "https://[::ffff:10.0.0.1]/h",
    "https://0.0.0.0/h",
    "https://db.internal/h",
    "https://user:pw@shop.example.com/h",
    "ftp://shop.example.com/h",
    "not a url",
])
def test_production_refuses_plain_http_and_private_targets(url):
    with pytest.raises(ValidationFailed) as refused:
        check_url(url, production=True)
    assert refused.value.code == "invalid_webhook_url"


@pytest.mark.parametrize("url", ["http://127.0.0.1:9000/h", "http://localhost:8000/h", "http://[::1]:80/h",
                                 "https://10.0.0.5/h"])
def test_dev_and_test_also_take_plain_http_to_loopback(url):
    assert check_url(url, production=False) == url


@pytest.mark.parametrize("url", ["http://10.0.0.5/h", "http://shop.example.com/h"])
def test_dev_and_test_refuse_plain_http_elsewhere(url):
    with pytest.raises(ValidationFailed):
        check_url(url, production=False)


def test_retries_double_from_the_base_up_to_the_cap():
    assert [retry_delay_s(n, 30, 600) for n in range(1, 7)] == [30, 60, 120, 240, 480, 600]


def test_the_last_attempt_exhausts():
    assert (is_exhausted(7, 8), is_exhausted(8, 8)) == (False, True)


def test_secrets_are_fresh_and_prefixed():
    a, b = new_secret(), new_secret()
    assert a != b and a.startswith("whsec_") and len(a) > 40
