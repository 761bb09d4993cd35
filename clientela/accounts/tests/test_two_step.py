import time

import pyotp
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def enable_for(client, user):
    client.force_login(user)
    client.get(reverse("accounts:twofactor_setup"))
    secret = client.session["2fa_setup_secret"]
    response = client.post(reverse("accounts:twofactor_setup"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.has_two_factor
    client.logout()
    return pyotp.TOTP(secret)


def test_setup_shows_a_qr_code_and_needs_a_valid_code(client, users):
    client.force_login(users["quality"])
    page = client.get(reverse("accounts:twofactor_setup"))
    assert 'src="data:image/svg+xml;base64,' in page.text
    client.post(reverse("accounts:twofactor_setup"), {"code": "000000"})
    users["quality"].refresh_from_db()
    assert not users["quality"].has_two_factor


def test_sign_in_asks_for_the_code_after_the_password(client, users):
    totp = enable_for(client, users["quality"])
    response = client.post(reverse("accounts:login"), {"username": "quique", "password": "correct horse battery"})
    assert response.url == reverse("accounts:login_verify")
    assert client.get(reverse("core:home")).status_code == 302  # not signed in yet
    wrong = client.post(reverse("accounts:login_verify"), {"code": "123456"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    next_code = totp.at(time.time() + 30)
    assert client.post(reverse("accounts:login_verify"), {"code": next_code}).status_code == 302
    assert client.get(reverse("core:home")).status_code == 200


def test_a_code_cannot_be_replayed(client, users):
    from clientela.accounts import twofactor

    totp = enable_for(client, users["quality"])
    code = totp.at(time.time() + 30)
    assert twofactor.verify(users["quality"], code)
    assert not twofactor.verify(users["quality"], code)


def test_roles_that_require_it_are_sent_to_set_it_up(client, users, settings):
    settings.TWO_FACTOR_REQUIRED = True
    client.force_login(users["management"])
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response.url == reverse("accounts:twofactor_setup")
    client.force_login(users["sales_manager"])
    assert client.get(reverse("core:home")).status_code == 200


def test_the_api_token_needs_the_code_too(client, users):
    totp = enable_for(client, users["quality"])
    api = APIClient()
    response = api.post(
        "/api/v1/auth/token/", {"username": "quique", "password": "correct horse battery"}, format="json"
    )
    assert response.status_code == 400 and "otp" in response.json()
    response = api.post(
        "/api/v1/auth/token/",
        {"username": "quique", "password": "correct horse battery", "otp": totp.at(time.time() + 30)},
        format="json",
    )
    assert response.status_code == 200 and response.json()["token"]


def test_turning_it_off_needs_a_code_and_is_refused_where_required(client, users, settings):
    totp = enable_for(client, users["quality"])
    client.force_login(users["quality"])
    client.post(reverse("accounts:twofactor_disable"), {"code": "000000"})
    users["quality"].refresh_from_db()
    assert users["quality"].has_two_factor
    client.post(reverse("accounts:twofactor_disable"), {"code": totp.at(time.time() + 30)})
    users["quality"].refresh_from_db()
    assert not users["quality"].has_two_factor
