import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.ar import cuit
from stdnum.es import dni

from clientela.core.errors import ConflictError
from clientela.customers import services
from clientela.customers.models import Contact, Customer
from clientela.customers.validation import normalise_phone, normalise_tax_id

pytestmark = pytest.mark.django_db


def test_a_customer_without_code_is_numbered(users):
    first = services.customer_create(actor=users["sales_manager"], data={"name": "Uno"})
    second = services.customer_create(actor=users["sales_manager"], data={"name": "Dos"})
    assert first.code == "CLI-000001" and second.code == "CLI-000002"


def test_numbering_skips_codes_already_taken(users):
    services.customer_create(actor=users["sales_manager"], data={"name": "Importado", "code": "CLI-000001"})
    assert services.customer_create(actor=users["sales_manager"], data={"name": "Nuevo"}).code == "CLI-000002"


@pytest.mark.parametrize(
    ("value", "country", "stored"),
    [
        ("B-58378431", "ES", "B58378431"),
        ("esb58378431", "ES", "B58378431"),
        ("12345678z", "ES", "12345678Z"),
        ("GODE 561231 GR8", "MX", "GODE561231GR8"),
        ("20-12345678-6", "AR", "20123456786"),
        ("12.345.678-5", "CL", "123456785"),
        ("ABC-123/9", "US", "ABC1239"),
    ],
)
def test_tax_ids_are_validated_for_the_country_and_stored_compact(value, country, stored):
    assert normalise_tax_id(value, country) == stored


@pytest.mark.parametrize(
    ("value", "country"), [("B58378432", "ES"), ("12345678A", "ES"), ("20123456780", "AR"), ("!!", "US")]
)
def test_invalid_tax_ids_are_refused(value, country):
    with pytest.raises(ValidationError):
        normalise_tax_id(value, country)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=99_999_999))
def test_every_well_formed_dni_is_accepted(number):
    body = f"{number:08d}"
    assert normalise_tax_id(body + dni.calc_check_digit(body), "ES") == body + dni.calc_check_digit(body)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["20", "23", "27", "30", "33"]), st.integers(min_value=0, max_value=99_999_999))
def test_every_well_formed_cuit_is_accepted(prefix, number):
    body = f"{prefix}{number:08d}"
    check = cuit.calc_check_digit(body)
    if len(check) == 1:
        assert normalise_tax_id(body + check, "AR") == body + check


def test_tax_ids_are_unique_when_present(users):
    services.customer_create(actor=users["sales_manager"], data={"name": "Uno", "tax_id": "B58378431"})
    services.customer_create(actor=users["sales_manager"], data={"name": "Sin NIF"})
    services.customer_create(actor=users["sales_manager"], data={"name": "Sin NIF 2"})
    with pytest.raises(ValidationError) as excinfo:
        services.customer_create(actor=users["sales_manager"], data={"name": "Dos", "tax_id": "b-58378431"})
    assert "tax_id" in excinfo.value.message_dict or "__all__" in excinfo.value.message_dict


def test_phones_are_stored_in_international_format():
    assert normalise_phone("912345678", "ES") == "+34 912 34 56 78"
    assert normalise_phone("+52 55 1234 5678", "ES") == "+52 55 1234 5678"
    with pytest.raises(ValidationError):
        normalise_phone("12", "ES")


def test_a_stale_edit_is_refused_and_says_who_changed_what(users):
    customer = services.customer_create(actor=users["sales_manager"], data={"name": "Original"})
    loaded_version = customer.lock_version
    services.customer_update(
        actor=users["admin"], customer=customer, data={"phone": "912345678"}, expected_version=loaded_version
    )
    with pytest.raises(ConflictError) as excinfo:
        services.customer_update(
            actor=users["sales_manager"], customer=customer, data={"name": "Mío"}, expected_version=loaded_version
        )
    assert "Ada Admin" in str(excinfo.value)
    customer.refresh_from_db()
    assert customer.name == "Original" and customer.phone == "+34 912 34 56 78"


def test_becoming_active_is_dated(users):
    customer = services.customer_create(actor=users["sales_manager"], data={"name": "Nuevo", "status": "prospect"})
    assert customer.activated_at is None
    customer = services.customer_update(actor=users["sales_manager"], customer=customer, data={"status": "active"})
    assert customer.activated_at is not None


def test_consent_is_dated_when_given_and_cleared_when_withdrawn(users):
    customer = services.customer_create(actor=users["sales_manager"], data={"name": "Cliente"})
    contact = services.contact_create(
        actor=users["sales_manager"], customer=customer, data={"first_name": "Ana", "survey_consent": True}
    )
    assert contact.survey_consent_at is not None and contact.survey_legal_basis == Contact.LegalBasis.CONSENT
    assert contact.is_primary
    contact = services.contact_update(actor=users["sales_manager"], contact=contact, data={"survey_consent": False})
    assert contact.survey_consent_at is None


def test_only_one_main_contact(users):
    customer = services.customer_create(actor=users["sales_manager"], data={"name": "Cliente"})
    first = services.contact_create(actor=users["sales_manager"], customer=customer, data={"first_name": "Ana"})
    second = services.contact_create(
        actor=users["sales_manager"], customer=customer, data={"first_name": "Luis", "is_primary": True}
    )
    first.refresh_from_db()
    assert second.is_primary and not first.is_primary


def test_opt_out_is_honoured(users):
    customer = services.customer_create(actor=users["sales_manager"], data={"name": "Cliente"})
    contact = services.contact_create(
        actor=users["sales_manager"],
        customer=customer,
        data={"first_name": "Ana", "email": "a@x.es", "survey_consent": True},
    )
    assert contact.may_be_surveyed
    contact = services.contact_opt_out(actor=None, contact=contact)
    assert not contact.may_be_surveyed and not contact.survey_consent


def test_interactions_cannot_be_in_the_future_or_name_another_customers_contact(users):
    one = services.customer_create(actor=users["sales_manager"], data={"name": "Uno"})
    two = services.customer_create(actor=users["sales_manager"], data={"name": "Dos"})
    stranger = services.contact_create(actor=users["sales_manager"], customer=two, data={"first_name": "Eva"})
    with pytest.raises(ValidationError) as excinfo:
        services.interaction_log(
            actor=users["customer_service"],
            customer=one,
            data={
                "channel": "phone",
                "subject": "x",
                "occurred_at": timezone.now() + dt.timedelta(days=2),
                "contact": stranger,
            },
        )
    assert set(excinfo.value.message_dict) == {"occurred_at", "contact"}
    interaction = services.interaction_log(
        actor=users["customer_service"], customer=one, data={"channel": "phone", "subject": "Llamada"}
    )
    assert interaction.user == users["customer_service"]


def test_archiving_keeps_the_record_and_restoring_brings_it_back(users):
    customer = services.customer_create(actor=users["sales_manager"], data={"name": "Cliente"})
    services.customer_archive(actor=users["sales_manager"], customer=customer)
    assert Customer.objects.get(pk=customer.pk).archived_at is not None
    services.customer_restore(actor=users["sales_manager"], customer=customer)
    assert Customer.objects.get(pk=customer.pk).archived_at is None


def test_status_changes_are_kept_as_history(users):
    customer = services.customer_create(actor=users["sales_manager"], data={"name": "Cliente", "status": "prospect"})
    services.customer_update(actor=users["sales_manager"], customer=customer, data={"status": "active"})
    services.customer_update(actor=users["sales_manager"], customer=customer, data={"name": "Otro nombre"})
    services.customer_update(actor=users["sales_manager"], customer=customer, data={"status": "former"})
    assert list(customer.status_changes.values_list("status", flat=True)) == ["prospect", "active", "former"]
