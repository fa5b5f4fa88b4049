"""Login protection: repeated failed admin logins pause log-in for a while.

django-axes is off for the rest of the suite (the test client's login() does
not pass a request); these stories turn it on.
"""

import datetime

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN_URL = "/admin/login/?next=/admin/"
NOW = datetime.datetime(2025, 2, 10, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)


def log_in(client, password, username="editor", **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password}, **extra)


def fail(client, times, **extra):
    return [log_in(client, "wrong-guess", **extra) for _ in range(times)]


def test_the_production_settings_lock_out_after_five_failures_for_15_minutes():
    assert django_settings.AXES_FAILURE_LIMIT == 5
    assert django_settings.AXES_COOLOFF_TIME == datetime.timedelta(minutes=15)
    assert django_settings.AUTHENTICATION_BACKENDS[0].startswith("axes.")


def test_an_editor_who_mistypes_a_few_times_can_still_log_in(client, staff_user):
    with time_machine.travel(NOW, tick=False):
        responses = fail(client, 4)
        assert [r.status_code for r in responses] == [200] * 4
        # Each time the form again, saying why: not a lockout yet.
        assert all("correct username and password" in r.text for r in responses)
        assert log_in(client, "editor-password").status_code == 302


def test_a_password_guesser_is_locked_out_after_the_limit(client, staff_user):
    with time_machine.travel(NOW, tick=False):
        *first, fifth = fail(client, 5)
        assert [r.status_code for r in first] == [200] * 4
        assert fifth.status_code == 429
        # Even the right password is refused while locked out.
        locked = log_in(client, "editor-password")
        assert "_auth_user_id" not in client.session
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "too many failed attempts" in page
    assert "Try again in 15 minutes" in page


def test_the_cool_off_restores_access(client, staff_user):
    with time_machine.travel(NOW, tick=False):
        fail(client, 5)
    with time_machine.travel(NOW + datetime.timedelta(minutes=10), tick=False):
        assert log_in(client, "editor-password").status_code == 429
    # The attempt at minute 10 started the wait again.
    later = NOW + datetime.timedelta(minutes=10 + 15, seconds=1)
    with time_machine.travel(later, tick=False):
        response = log_in(client, "editor-password")
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(staff_user.pk)


def test_a_lockout_is_per_client_not_per_account(staff_user):
    attacker, editor = Client(REMOTE_ADDR="203.0.113.66"), Client()
    with time_machine.travel(NOW, tick=False):
        fail(attacker, 5)
        assert log_in(attacker, "editor-password").status_code == 429
        # The editor, elsewhere, is not locked out of their own account.
        assert log_in(editor, "editor-password").status_code == 302


def test_behind_a_proxy_the_forwarded_client_address_is_used(settings, staff_user):
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR",)
    proxy = "10.0.0.2"
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    editor = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.20")
    # Forging an address to the left of the proxy's entry changes nothing.
    forging = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7")
    with time_machine.travel(NOW, tick=False):
        fail(attacker, 5)
        assert log_in(forging, "editor-password").status_code == 429
        assert log_in(editor, "editor-password").status_code == 302
