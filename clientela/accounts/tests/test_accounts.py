import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.test import APIClient

from clientela.accounts.models import ApiToken
from clientela.core.permissions import Role

pytestmark = pytest.mark.django_db


def test_the_seven_roles_exist_as_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_sign_in_and_out(client, users):
    response = client.post(reverse("accounts:login"), {"username": "sara", "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("core:home")).status_code == 302


def test_failed_sign_ins_are_throttled(client, users):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "sara", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "sara", "password": "correct horse battery"})
    assert response.status_code in (403, 429)
    assert client.get(reverse("core:home")).status_code != 200


def test_password_reset_sends_a_link(client, users, mailoutbox):
    client.post(reverse("accounts:password_reset"), {"email": "sara@example.com"})
    assert len(mailoutbox) == 1 and "/accounts/password/reset/" in mailoutbox[0].body


def test_tokens_can_be_created_and_revoked(client_as, users):
    client = client_as("sales_manager")
    page = client.post(reverse("accounts:token_create"), {"name": "ERP"})
    raw = page.context["new_token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/customers/").status_code == 200
    token = ApiToken.objects.get(user=users["sales_manager"], name="ERP")
    assert token.key_hash != raw and raw.startswith(token.prefix)
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert api.get("/api/v1/customers/").status_code == 401


def test_another_users_token_cannot_be_revoked(client_as, users):
    token, _ = ApiToken.issue(user=users["quality"])
    assert client_as("sales_manager").post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404


def test_the_profile_saves_preferences(client_as, users):
    client = client_as("quality")
    response = client.post(
        reverse("accounts:profile"),
        {
            "first_name": "Enrique",
            "last_name": "Calidad",
            "email": "q@x.es",
            "language": "en",
            "notification_digest": "on",
        },
    )
    assert response.status_code == 302
    users["quality"].refresh_from_db()
    assert users["quality"].language == "en" and users["quality"].notification_digest


def test_tokens_expire_and_can_be_rotated_and_revoked(users, settings):
    import datetime as dt

    from django.utils import timezone

    settings.API_TOKEN_DAYS = 30
    token, raw = ApiToken.issue(user=users["sales_manager"], name="ERP")
    assert token.expires_at.date() == (timezone.now() + dt.timedelta(days=30)).date()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    rotated = api.post("/api/v1/auth/token/rotate/")
    assert rotated.status_code == 200
    assert api.get("/api/v1/customers/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {rotated.json()['token']}")
    assert api.get("/api/v1/customers/").status_code == 200
    assert api.post("/api/v1/auth/token/revoke/").status_code == 204
    assert api.get("/api/v1/customers/").status_code == 401
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1), revoked_at=None)
    assert api.get("/api/v1/customers/").status_code == 401
