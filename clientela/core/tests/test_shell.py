"""The page shell: language, home, search, notifications, health, error pages."""

import pytest
from django.urls import reverse

from clientela.core import notifications
from clientela.core.models import Notification
from clientela.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_the_app_speaks_spanish_by_default_and_english_on_request(client_as, client):
    assert "Iniciar sesión" in client.get(reverse("accounts:login")).text
    page = client_as("sales_manager").get(reverse("core:home"))
    assert 'lang="es"' in page.text and "Clientes" in page.text
    client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("core:home"))
    assert 'lang="en"' in page.text and "Customers" in page.text


def test_the_chosen_language_is_kept_on_the_user(client_as, users):
    client = client_as("quality")
    client.post(reverse("accounts:set_language"), {"language": "en", "next": "https://evil.example/"})
    users["quality"].refresh_from_db()
    assert users["quality"].language == "en"


def test_navigation_shows_only_what_the_role_may_use(client_as):
    page = client_as("operations").get(reverse("core:home"))
    assert reverse("customers:list") in page.text
    assert reverse("admin:accounts_user_changelist") not in page.text
    assert reverse("admin:accounts_user_changelist") in client_as("admin").get(reverse("core:home")).text


def test_the_audit_trail_is_in_the_menu_of_who_may_read_it(client_as):
    assert reverse("core:audit_log") in client_as("quality").get(reverse("core:home")).text
    assert reverse("core:audit_log") in client_as("management").get(reverse("core:home")).text
    assert reverse("core:audit_log") not in client_as("sales_manager").get(reverse("core:home")).text


def test_global_search_finds_customers_without_accents(client_as):
    CustomerFactory(name="Cerámicas Úbeda", search_text="ceramicas ubeda")
    page = client_as("customer_service").get(reverse("core:search"), {"q": "ceramicas"})
    assert "Cerámicas Úbeda" in page.text


def test_notifications_are_shown_counted_and_emailed(client_as, users, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(
            recipients=[users["quality"]], kind="test", title="Queja QJ-2026-0001 vencida", url="/customers/"
        )
        notifications.notify(recipients=[users["quality"]], kind="test", title="Duplicada", dedupe_key="k1")
        notifications.notify(recipients=[users["quality"]], kind="test", title="Duplicada", dedupe_key="k1")
    assert Notification.objects.filter(recipient=users["quality"]).count() == 2
    assert len(mailoutbox) == 2
    client = client_as("quality")
    page = client.get(reverse("core:home"))
    assert 'class="badge-count"' in page.text
    note = Notification.objects.filter(recipient=users["quality"]).first()
    assert client.get(reverse("core:notification_open", args=[note.pk])).status_code == 302
    assert client_as("sales_manager").get(reverse("core:notification_open", args=[note.pk])).status_code == 404


def test_digest_users_get_one_summary(users, mailoutbox, django_capture_on_commit_callbacks):
    users["quality"].notification_digest = True
    users["quality"].save()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            notifications.notify(recipients=[users["quality"]], kind="test", title=f"Aviso {n}")
    assert not mailoutbox
    from clientela.core.tasks import send_notification_digests

    send_notification_digests.call()
    assert len(mailoutbox) == 1 and "Aviso 2" in mailoutbox[0].body
    send_notification_digests.call()
    assert len(mailoutbox) == 1


def test_health(client):
    response = client.get(reverse("core:health"))
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_unknown_pages_are_a_friendly_404(client_as):
    response = client_as("sales_manager").get("/no-existe/")
    assert response.status_code == 404 and "Página no encontrada" in response.text


def test_responses_carry_security_headers_and_a_request_id(client_as):
    response = client_as("sales_manager").get(reverse("core:home"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert len(response["X-Request-ID"]) >= 8


def test_only_the_closest_navigation_entry_is_current(client_as):
    page = client_as("sales_manager").get(reverse("customers:contacts"))
    nav = page.text.split('id="sidebar"', 1)[1].split("</nav>", 1)[0]
    assert nav.count('aria-current="page"') == 1
    assert f'href="{reverse("customers:contacts")}" class="active" aria-current="page"' in page.text


def test_numbers_too_large_for_the_database_are_bad_input(client_as, api_as):
    huge = "588060369947357360422912"
    assert client_as("sales_manager").get(reverse("customers:list"), {"account_manager": huge}).status_code in (
        200,
        400,
    )
    assert client_as("sales_manager").get(f"/customers/contacts/?q=x&page={huge}").status_code in (200, 400, 404)
    response = api_as("admin").get("/api/v1/interactions/", {"customer": huge})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/customers/?q=a%00b",
        "/customers/contacts/?q=fundici%00%1Fon",
        "/customers/interactions/?q=%00",
        "/search/?q=F%0A%C2%BE%00u9f%1F",
        "/feedback/?q=queja%00",
        "/contracts/?q=%00x",
        "/requirements/?q=x%00",
        "/api/v1/customers/?search=a%00b",
        "/api/v1/contacts/?search=F%0A%C2%BE%00u9f%1F&page=5000",
    ],
)
def test_a_nul_character_in_a_search_is_bad_input_not_a_failure(client_as, url):
    assert client_as("admin").get(url).status_code in (200, 400, 404)
