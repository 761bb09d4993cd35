"""Loyalty pages: lists, the member page, enrolment, points, redemptions, the statement PDF and the
customer 360° tab."""

import datetime as dt
import io

import pypdf
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from clientela.customers.tests.factories import ContactFactory, CustomerFactory
from clientela.loyalty import ledger, services
from clientela.loyalty.models import LoyaltyProgramme, Membership, PointsEntry, ProgrammeMessage, Redemption
from clientela.loyalty.tests.factories import MembershipFactory, RewardFactory, programme_with_tiers

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return programme_with_tiers(name="Programa Socios Preferentes")


@pytest.fixture
def member(programme, users):
    customer = CustomerFactory(
        name="Bodegas Álava S.A.", search_text="bodegas alava s a", account_manager=users["account_manager"]
    )
    membership = MembershipFactory(programme=programme, customer=customer)
    services.points_adjust(
        actor=users["sales_manager"], membership=membership, points=1250, reason="Bienvenida al programa"
    )
    return membership


def test_lists_render_and_filter(client_as, member):
    client = client_as("quality")
    for name in (
        "loyalty:programmes",
        "loyalty:memberships",
        "loyalty:points",
        "loyalty:redemptions",
        "loyalty:messages",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    page = client.get(reverse("loyalty:memberships"), {"q": "alava"})
    assert "Bodegas Álava" in page.text and "Plata" in page.text
    assert "Bodegas" not in client.get(reverse("loyalty:memberships"), {"q": "zzz"}).text
    plata = member.programme.tiers.get(name="Plata")
    assert "Bodegas" in client.get(reverse("loyalty:memberships"), {"tier": plata.pk}).text
    oro = member.programme.tiers.get(name="Oro")
    assert "Bodegas" not in client.get(reverse("loyalty:memberships"), {"tier": oro.pk}).text
    assert client.get(reverse("loyalty:memberships"), {"sort": "-balance"}).status_code == 200


def test_the_members_list_sorts_by_balance(client_as, programme):
    for points in (300, 900, 100):
        m = MembershipFactory(programme=programme, customer=CustomerFactory(name=f"Cliente {points}"))
        services.points_adjust(actor=None, membership=m, points=points, reason="Carga inicial")
    page = client_as("sales_manager").get(reverse("loyalty:memberships"), {"sort": "-balance"}).text
    assert page.index("Cliente 900") < page.index("Cliente 300") < page.index("Cliente 100")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_members_list_exports_balance_and_tier(client_as, member, fmt):
    response = client_as("management").get(reverse("loyalty:memberships"), {"export": fmt})
    body = b"".join(response.streaming_content) if response.streaming else b"".join(response)
    if fmt == "csv":
        text = body.decode("utf-8-sig")
        assert "Bodegas Álava S.A." in text and "1250" in text and "Plata" in text
    else:
        assert body[:2] == b"PK"


def test_lists_need_a_fixed_number_of_queries(client_as, programme, django_assert_max_num_queries):
    client = client_as("sales_manager")

    def grow(n):
        for _ in range(n):
            m = MembershipFactory(programme=programme)
            services.points_adjust(actor=None, membership=m, points=50, reason="Carga inicial")
            services.redemption_create(
                actor=None, membership=m, reward=RewardFactory(programme=programme, points_cost=10)
            )

    grow(2)
    urls = [reverse(n) for n in ("loyalty:memberships", "loyalty:points", "loyalty:redemptions", "loyalty:programmes")]
    counts = {}
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(20) as few:
            client.get(url)
        counts[url] = len(few.captured_queries)
    grow(15)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            client.get(url)


def test_the_member_page_shows_balance_tier_and_needs_fixed_queries(client_as, member, django_assert_max_num_queries):
    client = client_as("account_manager")
    url = reverse("loyalty:membership_detail", args=[member.pk])
    page = client.get(url)
    assert page.status_code == 200 and "1\xa0250" in page.text and "Plata" in page.text and "Oro" in page.text
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for n in range(20):
        services.points_adjust(actor=None, membership=member, points=10, reason=f"Carga número {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_enrol_earn_and_redeem_through_the_pages(client_as, programme, users):
    customer = CustomerFactory(account_manager=users["account_manager"])
    client = client_as("account_manager")
    response = client.post(reverse("loyalty:enrol"), {"programme": programme.pk, "customer": customer.pk})
    membership = Membership.objects.get(customer=customer)
    assert response.status_code == 302 and response.url == membership.get_absolute_url()
    assert (
        client.post(reverse("loyalty:enrol"), {"programme": programme.pk, "customer": customer.pk}).status_code == 200
    )
    response = client.post(
        reverse("loyalty:points_adjust", args=[membership.pk]), {"points": "400", "reason": "Compensación por retraso"}
    )
    assert response.status_code == 302 and ledger.balance_of(membership) == 400
    reward = RewardFactory(programme=programme, points_cost=300, name="Cesta gourmet")
    response = client.post(reverse("loyalty:redeem", args=[membership.pk]), {"reward": reward.pk})
    assert response.status_code == 302 and ledger.balance_of(membership) == 100
    refused = client.post(reverse("loyalty:redeem", args=[membership.pk]), {"reward": reward.pk})
    assert refused.status_code == 200 and "300" in refused.text and Redemption.objects.count() == 1


def test_absurd_adjustments_are_explained_on_the_form(client_as, member):
    response = client_as("sales_manager").post(
        reverse("loyalty:points_adjust", args=[member.pk]), {"points": "999999", "reason": "Error de tecleo"}
    )
    assert response.status_code == 200 and "errorlist" in response.text
    assert PointsEntry.objects.filter(membership=member).count() == 1


def test_account_managers_operate_only_their_customers(client_as, programme, users):
    other = MembershipFactory(programme=programme, customer=CustomerFactory(account_manager=users["bob"]))
    client = client_as("account_manager")
    assert client.get(reverse("loyalty:points_adjust", args=[other.pk])).status_code == 403
    assert (
        client.post(
            reverse("loyalty:enrol"),
            {"programme": programme.pk, "customer": CustomerFactory(account_manager=users["bob"]).pk},
        ).status_code
        == 403
    )
    assert client.get(reverse("loyalty:membership_detail", args=[other.pk])).status_code == 200


def test_delivering_and_cancelling_redemptions(client_as, member, programme):
    reward = RewardFactory(programme=programme, points_cost=200)
    first = services.redemption_create(actor=None, membership=member, reward=reward)
    second = services.redemption_create(actor=None, membership=member, reward=reward)
    client = client_as("sales_manager")
    client.post(reverse("loyalty:redemption_transition", args=[first.pk]), {"to": "delivered"})
    client.post(reverse("loyalty:redemption_transition", args=[second.pk]), {"to": "cancelled"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "delivered" and second.status == "cancelled"
    assert ledger.balance_of(member) == 1050
    response = client.post(reverse("loyalty:redemption_transition", args=[first.pk]), {"to": "cancelled"}, follow=True)
    assert "no puede pasar" in response.text or "cannot move" in response.text


def test_the_statement_pdf_lists_balance_and_movements_in_spanish(client_as, member, programme):
    reward = RewardFactory(programme=programme, points_cost=250, name="Entradas jornada técnica")
    services.redemption_create(actor=None, membership=member, reward=reward)
    response = client_as("customer_service").get(reverse("loyalty:statement", args=[member.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "Extracto de puntos" in text
    assert "Bodegas Álava S.A." in text and member.number in text
    assert "1\xa0000" in text  # the balance after the redemption
    assert "Bienvenida al programa" in text and "+1\xa0250" in text
    assert "Entradas jornada técnica" in text and "−250" in text
    assert "Saldo inicial" in text and "Saldo final" in text


def test_the_statement_covers_the_dates_asked(client_as, member):
    old = timezone.now() - dt.timedelta(days=400)
    services.points_adjust(
        actor=None, membership=Membership(pk=member.pk), points=5, reason="Movimiento antiguo", at=old
    )
    client = client_as("sales_manager")
    recent = client.get(reverse("loyalty:statement", args=[member.pk]))
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(recent.content)).pages)
    assert "Movimiento antiguo" not in text and "Saldo inicial" in text
    day = timezone.localtime(old).date()
    full = client.get(reverse("loyalty:statement", args=[member.pk]), {"from": day.isoformat()})
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(full.content)).pages)
    assert "Movimiento antiguo" in text
    assert client.get(reverse("loyalty:statement", args=[member.pk]), {"from": "ayer"}).status_code == 404


def test_the_customer_page_has_a_loyalty_tab_headline_and_timeline(client_as, member):
    client = client_as("customer_service")
    figures = client.get(reverse("customers:figures", args=[member.customer.pk]))  # fetched by the page
    assert "Programa Socios Preferentes" in figures.text and "Plata · 1\xa0250 puntos" in figures.text
    page = client.get(member.customer.get_absolute_url())
    assert "Bienvenida al programa" in page.text  # timeline entry
    tab = client.get(member.customer.get_absolute_url(), {"tab": "loyalty"})
    assert tab.status_code == 200 and member.number in tab.text


def test_the_loyalty_tab_offers_enrolment_to_who_may(client_as, programme, users):
    customer = CustomerFactory(account_manager=users["account_manager"])
    enrol_url = reverse("loyalty:enrol")
    assert enrol_url in client_as("account_manager").get(customer.get_absolute_url(), {"tab": "loyalty"}).text
    assert enrol_url not in client_as("customer_service").get(customer.get_absolute_url(), {"tab": "loyalty"}).text


def test_operations_cannot_see_loyalty(client_as, member):
    client = client_as("operations")
    assert client.get(reverse("loyalty:memberships")).status_code == 403
    assert "?tab=loyalty" not in client.get(member.customer.get_absolute_url()).text


def test_logging_a_message_and_a_campaign(client_as, member, mailoutbox, django_capture_on_commit_callbacks):
    contact = ContactFactory(customer=member.customer, marketing_consent=True, email="compras@alava.es")
    ContactFactory(customer=member.customer, marketing_consent=False)
    client = client_as("sales_manager")
    response = client.post(
        reverse("loyalty:message_create", args=[member.pk]),
        {
            "kind": "statement",
            "channel": "letter",
            "contact": contact.pk,
            "recipient": "",
            "sent_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "subject": "Extracto anual de puntos",
            "body": "",
        },
    )
    assert response.status_code == 302
    assert ProgrammeMessage.objects.get().recipient == "compras@alava.es"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("loyalty:campaign", args=[member.programme.pk]),
            {"subject": "Nuevo catálogo de recompensas", "body": "Consulte las nuevas recompensas."},
        )
    assert response.status_code == 302
    assert ProgrammeMessage.objects.filter(kind="campaign").count() == 1
    assert [m.to for m in mailoutbox] == [["compras@alava.es"]]
    assert "Nuevo catálogo" in client.get(reverse("loyalty:messages")).text


def test_programme_pages_and_catalogue(client_as, programme):
    client = client_as("sales_manager")
    assert client.get(programme.get_absolute_url()).status_code == 200
    response = client.post(
        reverse("loyalty:reward_create", args=[programme.pk]),
        {"name": "Auditoría interna de cortesía", "points_cost": "3000", "is_active": "on"},
    )
    assert response.status_code == 302 and programme.rewards.get().name == "Auditoría interna de cortesía"
    response = client.post(
        reverse("loyalty:rule_create", args=[programme.pk]),
        {"event": "contract_signed", "fixed_points": "0", "points_per_unit": "0.1", "currency": "", "is_active": "on"},
    )
    assert response.status_code == 200 and "currency" in response.context["form"].errors
    response = client.post(
        reverse("loyalty:tier_create", args=[programme.pk]), {"name": "Platino", "min_points": "1000"}
    )
    assert response.status_code == 200 and response.context["form"].errors
    tier = programme.tiers.get(name="Oro")
    assert client.post(reverse("loyalty:tier_archive", args=[tier.pk])).status_code == 302
    assert programme.tiers.filter(archived_at__isnull=True).count() == 2
    assert client_as("account_manager").get(reverse("loyalty:reward_create", args=[programme.pk])).status_code == 403


def test_a_programme_opens_only_with_tiers(client_as, users):
    client = client_as("sales_manager")
    client.post(
        reverse("loyalty:programme_create"),
        {"name": "Club Empresa", "points_validity_months": "24", "max_adjustment": "5000"},
    )
    from clientela.loyalty.models import LoyaltyProgramme

    programme = LoyaltyProgramme.objects.get(name="Club Empresa")
    assert programme.status == "draft"
    page = client.post(reverse("loyalty:programme_transition", args=[programme.pk]), {"to": "active"}, follow=True)
    programme.refresh_from_db()
    assert programme.status == "draft" and "nivel" in page.text.lower()


def test_the_retention_page(client_as, member):
    client = client_as("management")
    page = client.get(reverse("loyalty:retention"))
    assert page.status_code == 200 and "retention-chart" in page.text and "Plata" in page.text
    bad = client.get(reverse("loyalty:retention"), {"period": "trimestre 3"})
    assert bad.status_code == 200 and "no es un periodo" in bad.text.lower()


@pytest.mark.parametrize(
    ("role", "read", "manage"),
    [
        ("admin", 200, 200),
        ("management", 200, 403),
        ("quality", 200, 403),
        ("sales_manager", 200, 200),
        ("account_manager", 200, 403),
        ("customer_service", 200, 403),
        ("operations", 403, 403),
        ("nobody", 403, 403),
    ],
)
def test_who_may_open_loyalty_pages(client_as, programme, role, read, manage):
    client = client_as(role)
    for name in (
        "loyalty:programmes",
        "loyalty:memberships",
        "loyalty:redemptions",
        "loyalty:retention",
        "loyalty:points",
    ):
        assert client.get(reverse(name)).status_code == read, name
    assert client.get(reverse("loyalty:programme_create")).status_code == manage
    assert client.get(reverse("loyalty:campaign", args=[programme.pk])).status_code == manage


def test_editing_a_tier_saves_and_a_concurrent_edit_is_refused(client_as, programme, users):
    tier = programme.tiers.get(name="Plata")
    client = client_as("sales_manager")
    url = reverse("loyalty:tier_edit", args=[tier.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    services.tier_update(actor=users["admin"], tier=tier, data={"benefits": "Cambiado por otro"})
    response = client.post(url, {**data, "name": "Plata plus"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert 'value="Plata plus"' in response.text and not list(get_messages(response.wsgi_request))
    retry = {**data, "name": "Plata plus", "lock_version": response.context["form"].data["lock_version"]}
    response = client.post(url, retry)
    assert response.status_code == 302 and response.url == programme.get_absolute_url()
    assert [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)] == [("success", "Cambios guardados.")]
    tier.refresh_from_db()
    assert (tier.name, tier.benefits) == ("Plata plus", "")  # saving again applies the whole form, knowingly


def test_a_new_programme_opens_its_page_and_says_what_comes_next(client_as):
    response = client_as("sales_manager").post(
        reverse("loyalty:programme_create"),
        {"name": "Club Empresa", "points_validity_months": "24", "max_adjustment": "5000"},
    )
    programme = LoyaltyProgramme.objects.get(name="Club Empresa")
    assert response.status_code == 302 and response.url == programme.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Programa creado. Añada sus niveles, reglas de acumulación y recompensas, y después ábralo."
    ]
