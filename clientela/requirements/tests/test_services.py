"""Requirement services: the life cycle, validation, change control by versions, confirmation,
concurrency, limits, ageing and its notifications."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from clientela.core.attachments import attachments_for
from clientela.core.errors import ConflictError, DomainError, IllegalTransition
from clientela.core.models import AuditAction, AuditEntry, Notification, SiteSetting
from clientela.customers.tests.factories import ContactFactory, CustomerFactory
from clientela.requirements import selectors, services
from clientela.requirements.models import Requirement, RequirementVersion
from clientela.requirements.tasks import notify_stuck_requirements
from clientela.requirements.tests.factories import advance, confirmed

pytestmark = pytest.mark.django_db

# The flow of SPEC §3.2 as the users know it: what each status may become.
FLOW = {
    "draft": {"clarifying", "withdrawn"},
    "clarifying": {"validated", "rejected", "withdrawn"},
    "validated": {"approved", "rejected", "withdrawn"},
    "approved": {"fulfilled", "withdrawn"},
    "fulfilled": set(),
    "rejected": set(),
    "withdrawn": set(),
}


@pytest.fixture(autouse=True)
def _english():
    """The messages are asserted in the source language; the Spanish catalog is checked elsewhere."""
    with translation.override("en"):
        yield


@pytest.fixture
def customer(users):
    return CustomerFactory(account_manager=users["account_manager"])


def capture(users, customer, **data) -> Requirement:
    defaults = {
        "title": "Plazo de entrega de pedidos",
        "description": "Pedidos estándar al almacén central.",
        "acceptance_criteria": "El 98 % en 48 horas laborables.",
        "priority": "must",
        "source": "tender",
        "source_reference": "Pliego técnico 4.2",
    }
    return services.requirement_create(actor=users["account_manager"], customer=customer, data={**defaults, **data})


def test_it_captures_a_numbered_draft_with_its_first_version(users, customer):
    requirement = capture(users, customer, title="  Certificado 3.1 con cada lote  ")
    year = timezone.localdate().year
    assert requirement.number == f"RQ-{year}-0001" and requirement.status == "draft" and requirement.version == 1
    assert requirement.title == "Certificado 3.1 con cada lote"
    assert requirement.created_by == users["account_manager"]
    row = RequirementVersion.objects.get(requirement=requirement)
    assert (row.version, row.title, row.status, row.superseded_at) == (1, requirement.title, "draft", None)
    assert AuditEntry.objects.filter(object_id=str(requirement.pk), action=AuditAction.CREATED).exists()
    assert capture(users, customer).number == f"RQ-{year}-0002"


def test_an_archived_customer_gets_no_new_requirements(users, customer):
    customer.archived_at = timezone.now()
    customer.save()
    with pytest.raises(ValidationError) as exc:
        capture(users, customer)
    assert "customer" in exc.value.message_dict and Requirement.objects.count() == 0


@pytest.mark.parametrize("start", list(FLOW))
@pytest.mark.parametrize("target", list(FLOW))
def test_only_the_moves_of_the_flow_are_allowed(users, customer, start, target):
    requirement = advance(capture(users, customer), users, start) if start != "draft" else capture(users, customer)
    if target == "validated" and start in ("draft", "clarifying"):
        requirement = confirmed(requirement, users["sales_manager"])
    allowed = target in FLOW[start]
    try:
        moved = services.requirement_transition(
            actor=users["sales_manager"], requirement=requirement, target=target, note="Motivo"
        )
    except (IllegalTransition, DomainError):
        assert not allowed
        requirement.refresh_from_db()
        assert requirement.status == start
    else:
        assert allowed and moved.status == target


def test_an_illegal_move_names_both_statuses(users, customer):
    requirement = capture(users, customer)
    with pytest.raises(IllegalTransition, match="Draft.*Approved|Borrador.*Aprobado"):
        services.requirement_transition(actor=users["sales_manager"], requirement=requirement, target="approved")
    with pytest.raises(IllegalTransition):
        services.requirement_transition(actor=users["sales_manager"], requirement=requirement, target="nonsense")


def test_validation_needs_acceptance_criteria_and_the_customers_confirmation(users, customer):
    requirement = advance(capture(users, customer, acceptance_criteria=""), users, "clarifying")
    with pytest.raises(DomainError) as exc:
        services.requirement_transition(actor=users["account_manager"], requirement=requirement, target="validated")
    assert "acceptance criteria" in str(exc.value) and "confirmation" in str(exc.value)
    requirement = confirmed(requirement, users["account_manager"])
    with pytest.raises(DomainError, match="acceptance criteria"):
        services.requirement_transition(actor=users["account_manager"], requirement=requirement, target="validated")
    requirement = services.requirement_update(
        actor=users["account_manager"], requirement=requirement, data={"acceptance_criteria": "48 horas"}
    )
    assert not requirement.is_confirmed  # the customer confirmed other words
    with pytest.raises(DomainError, match="confirmation"):
        services.requirement_transition(actor=users["account_manager"], requirement=requirement, target="validated")
    requirement = confirmed(requirement, users["account_manager"])
    requirement = services.requirement_transition(
        actor=users["account_manager"], requirement=requirement, target="validated"
    )
    assert requirement.status == "validated" and requirement.validated_by == users["account_manager"]
    assert RequirementVersion.objects.get(requirement=requirement).validated_at == requirement.validated_at


def test_the_database_refuses_a_validated_requirement_without_confirmation(users, customer):
    requirement = capture(users, customer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Requirement.objects.filter(pk=requirement.pk).update(status="validated")


def test_approval_is_stamped_on_the_requirement_and_its_version(users, customer):
    requirement = advance(capture(users, customer), users, "approved")
    assert requirement.approved_by == users["sales_manager"] and requirement.approved_at is not None
    row = RequirementVersion.objects.get(requirement=requirement)
    assert (row.status, row.approved_by, row.approved_at) == (
        "approved",
        users["sales_manager"],
        requirement.approved_at,
    )


@pytest.mark.parametrize("target", ["rejected", "withdrawn"])
def test_rejecting_or_withdrawing_needs_a_reason(users, customer, target):
    requirement = advance(capture(users, customer), users, "clarifying")
    with pytest.raises(ValidationError) as exc:
        services.requirement_transition(actor=users["sales_manager"], requirement=requirement, target=target)
    assert "note" in exc.value.message_dict
    moved = services.requirement_transition(
        actor=users["sales_manager"], requirement=requirement, target=target, note="El cliente lo retira"
    )
    entry = AuditEntry.objects.filter(object_id=str(moved.pk), action=AuditAction.TRANSITION).order_by("-seq").first()
    assert entry.changes == {"status": ["clarifying", target]} and entry.note == "El cliente lo retira"


@pytest.mark.parametrize("status", ["validated", "approved"])
def test_back_to_clarification_only_as_a_new_version(users, customer, status):
    requirement = advance(capture(users, customer), users, status)
    with pytest.raises(DomainError, match="new version"):
        services.requirement_transition(actor=users["sales_manager"], requirement=requirement, target="clarifying")


@pytest.mark.parametrize("field", ["title", "description", "acceptance_criteria", "priority", "kind"])
@pytest.mark.parametrize("status", ["validated", "approved"])
def test_settled_content_is_never_edited_in_place(users, customer, status, field):
    requirement = advance(capture(users, customer), users, status)
    value = {"priority": "could", "kind": "legal"}.get(field, "Otro texto de 24 horas")
    with pytest.raises(DomainError, match="new version"):
        services.requirement_update(actor=users["sales_manager"], requirement=requirement, data={field: value})
    requirement.refresh_from_db()
    assert getattr(requirement, field) != value and requirement.version == 1


def test_the_source_of_a_settled_requirement_can_still_be_completed(users, customer):
    requirement = advance(capture(users, customer), users, "approved")
    updated = services.requirement_update(
        actor=users["sales_manager"], requirement=requirement, data={"source_reference": "Acta del 12/03"}
    )
    assert updated.source_reference == "Acta del 12/03" and updated.status == "approved" and updated.version == 1


@pytest.mark.parametrize("status", ["fulfilled", "rejected", "withdrawn"])
def test_a_closed_requirement_cannot_be_changed(users, customer, status):
    requirement = advance(capture(users, customer), users, status)
    with pytest.raises(DomainError):
        services.requirement_update(
            actor=users["sales_manager"], requirement=requirement, data={"source_reference": "x"}
        )
    with pytest.raises(DomainError):
        services.requirement_new_version(
            actor=users["sales_manager"], requirement=requirement, data={"title": "Nuevo"}, reason="Cambio"
        )


def test_a_new_version_keeps_the_old_one_and_needs_validating_again(users, customer):
    requirement = advance(capture(users, customer), users, "approved")
    approved_at = requirement.approved_at
    updated = services.requirement_new_version(
        actor=users["account_manager"],
        requirement=requirement,
        data={"acceptance_criteria": "El 98 % en 24 horas laborables.", "priority": "must"},
        reason="El cliente reduce el plazo",
    )
    assert (updated.version, updated.status) == (2, "clarifying")
    assert updated.acceptance_criteria == "El 98 % en 24 horas laborables."
    assert not updated.is_confirmed and updated.validated_at is None and updated.approved_at is None
    old, new = RequirementVersion.objects.filter(requirement=updated).order_by("version")
    assert (old.status, old.approved_at, old.acceptance_criteria) == (
        "approved",
        approved_at,
        "El 98 % en 48 horas laborables.",
    )
    assert old.superseded_at is not None and old.is_confirmed
    assert (new.status, new.change_reason, new.created_by, new.superseded_at) == (
        "clarifying",
        "El cliente reduce el plazo",
        users["account_manager"],
        None,
    )
    actions = list(
        AuditEntry.objects.filter(object_id=str(updated.pk)).order_by("-seq").values_list("action", flat=True)[:2]
    )
    assert actions == [AuditAction.TRANSITION, AuditAction.CHANGED]
    with pytest.raises(DomainError, match="confirmation"):
        services.requirement_transition(actor=users["account_manager"], requirement=updated, target="validated")


def test_the_people_concerned_are_told_of_a_new_version(users, customer):
    requirement = advance(capture(users, customer), users, "approved")
    services.requirement_new_version(
        actor=users["admin"], requirement=requirement, data={"title": "Plazo de 24 horas"}, reason="Pedido del cliente"
    )
    notices = Notification.objects.filter(kind="requirements.new_version")
    assert {n.recipient for n in notices} == {users["account_manager"], users["sales_manager"]}
    assert all(requirement.number in n.title and n.url == requirement.get_absolute_url() for n in notices)
    assert "Pedido del cliente" in notices.first().body


def test_whoever_makes_the_change_is_not_notified_of_it(users, customer):
    requirement = advance(capture(users, customer), users, "approved")
    services.requirement_new_version(
        actor=users["account_manager"], requirement=requirement, data={"title": "Plazo de 24 horas"}, reason="Cambio"
    )
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["sara"]


def test_a_new_version_needs_a_reason_and_a_real_change(users, customer):
    requirement = advance(capture(users, customer), users, "validated")
    with pytest.raises(ValidationError) as exc:
        services.requirement_new_version(
            actor=users["sales_manager"], requirement=requirement, data={"title": "Otro"}, reason=" "
        )
    assert "change_reason" in exc.value.message_dict
    with pytest.raises(ValidationError, match="no new version"):
        services.requirement_new_version(
            actor=users["sales_manager"], requirement=requirement, data={"source_reference": "Otro"}, reason="Cambio"
        )
    requirement.refresh_from_db()
    assert requirement.version == 1 and requirement.status == "validated"


def test_a_requirement_being_clarified_is_edited_not_versioned(users, customer):
    requirement = advance(capture(users, customer), users, "clarifying")
    with pytest.raises(DomainError, match="edit it"):
        services.requirement_new_version(
            actor=users["sales_manager"], requirement=requirement, data={"title": "Otro"}, reason="Cambio"
        )


def test_versions_keep_going_up(users, customer):
    requirement = advance(capture(users, customer), users, "approved")
    for n in (2, 3):
        requirement = services.requirement_new_version(
            actor=users["sales_manager"], requirement=requirement, data={"title": f"Plazo v{n}"}, reason=f"Cambio {n}"
        )
        requirement = advance(requirement, users, "approved") if n == 2 else requirement
    assert list(
        RequirementVersion.objects.filter(requirement=requirement).values_list("version", "title", "status")
    ) == [
        (1, "Plazo de entrega de pedidos", "approved"),
        (2, "Plazo v2", "approved"),
        (3, "Plazo v3", "clarifying"),
    ]


def test_the_confirmation_names_a_contact_of_this_customer_and_a_past_date(users, customer):
    requirement = capture(users, customer)
    other = ContactFactory()
    with pytest.raises(ValidationError) as exc:
        services.requirement_confirm(
            actor=users["account_manager"],
            requirement=requirement,
            contact=other,
            confirmed_on=timezone.localdate(),
            method="email",
        )
    assert "confirmed_by" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.requirement_confirm(
            actor=users["account_manager"],
            requirement=requirement,
            contact=ContactFactory(customer=customer),
            confirmed_on=timezone.localdate() + dt.timedelta(days=1),
            method="carrier pigeon",
        )
    assert {"confirmed_on", "confirmation_method"} <= set(exc.value.message_dict)
    requirement.refresh_from_db()
    assert not requirement.is_confirmed


def test_the_confirmation_keeps_its_evidence_with_the_version(users, customer):
    requirement = capture(users, customer)
    upload = SimpleUploadedFile("correo.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "application/pdf")
    contact = ContactFactory(customer=customer)
    requirement = services.requirement_confirm(
        actor=users["account_manager"],
        requirement=requirement,
        contact=contact,
        confirmed_on=timezone.localdate(),
        method="signed_document",
        note="  Firmado en la reunión \r\n",
        evidence=upload,
    )
    assert requirement.confirmed_by == contact and requirement.confirmation_note == "Firmado en la reunión"
    row = RequirementVersion.objects.get(requirement=requirement, version=1)
    assert row.confirmed_by == contact and row.confirmation_method == "signed_document"
    assert [a.original_name for a in attachments_for(row, "evidence")] == ["correo.pdf"]


def test_a_wrong_evidence_file_records_nothing(users, customer):
    requirement = capture(users, customer)
    with pytest.raises(ValidationError):
        services.requirement_confirm(
            actor=users["account_manager"],
            requirement=requirement,
            contact=ContactFactory(customer=customer),
            confirmed_on=timezone.localdate(),
            method="email",
            evidence=SimpleUploadedFile("x.exe", b"MZ\x90\x00" + b"\x00" * 64, "application/octet-stream"),
        )
    requirement.refresh_from_db()
    assert not requirement.is_confirmed


def test_the_confirmation_is_recorded_only_while_clarifying(users, customer):
    requirement = advance(capture(users, customer), users, "validated")
    with pytest.raises(DomainError):
        confirmed(requirement, users["account_manager"])


def test_a_stale_edit_is_refused_and_says_who_saved_first(users, customer):
    requirement = capture(users, customer)
    seen = requirement.lock_version
    services.requirement_update(actor=users["sales_manager"], requirement=requirement, data={"title": "Cambio de Sara"})
    with pytest.raises(ConflictError, match="Sara"):
        services.requirement_update(
            actor=users["account_manager"], requirement=requirement, data={"title": "Mi cambio"}, expected_version=seen
        )
    with pytest.raises(ConflictError):
        services.requirement_transition(
            actor=users["account_manager"], requirement=requirement, target="clarifying", expected_version=seen
        )
    requirement.refresh_from_db()
    assert requirement.title == "Cambio de Sara" and requirement.status == "draft"


def test_huge_pasted_texts_are_refused_with_the_limit(users, customer):
    with pytest.raises(ValidationError) as exc:
        capture(users, customer, description="x" * 10_001)
    assert "10000" in " ".join(exc.value.message_dict["description"]).replace(".", "").replace(" ", "")
    assert Requirement.objects.count() == 0


def test_texts_are_stored_with_plain_line_ends(users, customer):
    requirement = capture(users, customer, description="Línea uno\r\nLínea dos\r\n")
    assert requirement.description == "Línea uno\nLínea dos"


@pytest.mark.parametrize(
    ("status", "allowed"), [("draft", True), ("withdrawn", True), ("rejected", True), ("approved", False)]
)
def test_only_requirements_that_are_no_commitment_are_archived(users, customer, status, allowed):
    requirement = advance(capture(users, customer), users, status) if status != "draft" else capture(users, customer)
    if allowed:
        assert services.requirement_archive(actor=users["sales_manager"], requirement=requirement).archived_at
        assert services.requirement_restore(actor=users["sales_manager"], requirement=requirement).archived_at is None
    else:
        with pytest.raises(DomainError, match="withdraw"):
            services.requirement_archive(actor=users["sales_manager"], requirement=requirement)


# --- ageing -----------------------------------------------------------------------------------


def clarifying_since(users, customer, days: int) -> Requirement:
    requirement = advance(capture(users, customer), users, "clarifying")
    Requirement.objects.filter(pk=requirement.pk).update(status_changed_at=timezone.now() - dt.timedelta(days=days))
    requirement.refresh_from_db()
    return requirement


def test_requirements_stuck_in_clarification_are_counted_for_the_risk_register(users, customer):
    clarifying_since(users, customer, 45)
    clarifying_since(users, customer, 10)
    old_draft = capture(users, customer)
    Requirement.objects.filter(pk=old_draft.pk).update(status_changed_at=timezone.now() - dt.timedelta(days=90))
    assert selectors.requirements_stuck_in_clarification() == 1
    in_three_weeks = timezone.localdate() + dt.timedelta(days=21)
    assert selectors.requirements_stuck_in_clarification(today=in_three_weeks) == 2


def test_the_limit_is_configurable(users, customer, settings):
    clarifying_since(users, customer, 12)
    assert selectors.requirements_stuck_in_clarification() == 0
    settings.REQUIREMENTS_CLARIFICATION_DAYS = 10
    assert selectors.requirements_stuck_in_clarification() == 1
    SiteSetting.objects.create(key="requirements.clarification_days", value={"days": 20})
    assert selectors.clarification_limit_days() == 20
    assert selectors.requirements_stuck_in_clarification() == 0


def test_stuck_requirements_are_notified_to_the_account_manager_once(users, customer):
    stuck = clarifying_since(users, customer, 40)
    clarifying_since(users, customer, 5)
    assert notify_stuck_requirements.call() == 1
    assert notify_stuck_requirements.call() == 0
    notice = Notification.objects.get(kind="requirements.stuck")
    assert notice.recipient == users["account_manager"] and stuck.number in notice.title
    Requirement.objects.filter(pk=stuck.pk).update(status_changed_at=timezone.now() - dt.timedelta(days=65))
    assert notify_stuck_requirements.call() == 1  # another full limit went by


def test_a_customer_without_account_manager_is_skipped(users):
    clarifying_since(users, CustomerFactory(account_manager=None), 40)
    assert notify_stuck_requirements.call() == 0


def test_a_data_subject_request_exports_and_erases_the_persons_confirmations(users, customer):
    from clientela.privacy.providers import PROVIDERS, Subject

    contact = ContactFactory(customer=customer, first_name="Inés")
    requirement = capture(users, customer)
    services.requirement_confirm(
        actor=users["account_manager"],
        requirement=requirement,
        contact=contact,
        confirmed_on=timezone.localdate(),
        method="call",
        note="Inés lo confirmó desde su móvil",
    )
    subject = Subject(contact=contact, customer=customer)
    rows = PROVIDERS["requirements"].export(subject)
    assert [(r["requirement"], r["version"], r["confirmation_method"]) for r in rows] == [
        (requirement.number, 1, "call")
    ]
    assert PROVIDERS["requirements"].anonymise(subject, users["quality"]) == 2
    requirement.refresh_from_db()
    assert requirement.confirmation_note == "" and requirement.confirmed_by == contact
    assert not RequirementVersion.objects.exclude(confirmation_note="").exists()
