import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from clientela.core import audit
from clientela.core.models import AuditEntry
from clientela.customers import services
from clientela.customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(users):
    return services.customer_create(
        actor=users["sales_manager"], data={"name": "Bodegas Rioja S.A.", "tax_id": "A58818501"}
    )


def test_it_records_who_and_what_on_create_and_change(users, customer):
    services.customer_update(actor=users["admin"], customer=customer, data={"name": "Bodegas Rioja Alta S.A."})
    entries = list(audit.history_for(customer).order_by("seq"))
    assert [e.action for e in entries] == ["created", "changed"]
    assert entries[0].actor == users["sales_manager"]
    assert entries[0].changes["name"] == [None, "Bodegas Rioja S.A."]
    assert entries[1].actor_name == "Ada Admin"
    assert entries[1].changes == {"name": ["Bodegas Rioja S.A.", "Bodegas Rioja Alta S.A."]}


def test_it_records_nothing_when_nothing_changes(users, customer):
    before = audit.history_for(customer).count()
    services.customer_update(actor=users["admin"], customer=customer, data={"name": customer.name})
    assert audit.history_for(customer).count() == before


def test_the_chain_verifies_when_untouched(users, customer):
    services.customer_update(actor=users["admin"], customer=customer, data={"segment": "Vinos"})
    report = audit.verify_chain()
    assert report.ok and report.checked == AuditEntry.objects.count()
    call_command("verify_audit")


def test_history_loaded_as_of_a_past_moment_shows_that_moment_and_still_verifies(users, customer):
    past = timezone.now() - dt.timedelta(days=200)
    with audit.as_of(past):
        services.customer_update(actor=users["admin"], customer=customer, data={"segment": "Vinos"})
    with audit.as_of(timezone.now() + dt.timedelta(days=3)):  # never in the future
        services.customer_update(actor=users["admin"], customer=customer, data={"segment": "Cava"})
    services.customer_update(actor=users["admin"], customer=customer, data={"segment": "Aceite"})
    created, backdated, clamped, current = audit.history_for(customer).order_by("seq")
    assert backdated.at == past
    assert created.at > past and clamped.at <= current.at <= timezone.now()
    assert audit.verify_chain().ok


def _tamper(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_verify_names_the_first_altered_entry(users, customer):
    services.customer_update(actor=users["admin"], customer=customer, data={"segment": "Vinos"})
    victim = audit.history_for(customer).order_by("seq").first()
    _tamper("UPDATE core_auditentry SET changes = %s WHERE seq = %s", ['{"name": [null, "Otra"]}', victim.seq])
    report = audit.verify_chain()
    assert not report.ok and report.broken_seq == victim.seq
    with pytest.raises(CommandError, match=f"#{victim.seq}"):
        call_command("verify_audit")


def test_verify_detects_a_changed_author(users, customer):
    victim = audit.history_for(customer).order_by("seq").first()
    _tamper("UPDATE core_auditentry SET actor_name = %s WHERE seq = %s", ["Otra persona", victim.seq])
    assert audit.verify_chain().broken_seq == victim.seq


def test_verify_detects_a_removed_entry(users, customer):
    services.customer_update(actor=users["admin"], customer=customer, data={"segment": "Vinos"})
    first = audit.history_for(customer).order_by("seq").first()
    _tamper("DELETE FROM core_auditentry WHERE seq = %s", [first.seq])
    assert not audit.verify_chain().ok


def test_the_trail_refuses_updates_and_deletes_through_the_orm(customer):
    entry = AuditEntry.objects.first()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().update(note="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_redaction_removes_personal_data_and_keeps_the_chain_valid(users, customer):
    audit.redact(actor=users["admin"], obj=customer, reason="Solicitud de supresión")
    entries = list(audit.history_for(customer).order_by("seq"))
    assert entries[0].changes == {} and entries[0].redacted_at is not None
    assert "Bodegas" not in entries[0].object_repr
    assert entries[-1].action == "anonymised"
    assert audit.verify_chain().ok


def test_a_concurrent_chain_head_is_not_forked(users):
    for n in range(5):
        services.customer_create(actor=users["admin"], data={"name": f"Cliente {n}"})
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert Customer.objects.count() == 5


def test_a_batch_appends_its_entries_together_at_its_end_and_the_chain_verifies(users, django_assert_num_queries):
    first = services.customer_create(actor=users["sales_manager"], data={"name": "Óptica Zaragoza S.L."})
    second = services.customer_create(actor=users["sales_manager"], data={"name": "Vinos del Bierzo S.A."})
    before = AuditEntry.objects.count()
    with audit.batch():
        with django_assert_num_queries(0):  # nothing is written yet
            a = audit.record_transition(actor=users["sales_manager"], obj=first, old="lead", new="active")
            b = audit.record_transition(actor=users["sales_manager"], obj=second, old="lead", new="active")
        assert AuditEntry.objects.count() == before
    assert AuditEntry.objects.count() == before + 2 and b.seq == a.seq + 1 and b.prev_hash == a.hash
    call_command("verify_audit")


def test_a_batch_that_fails_appends_nothing(users):
    customer = services.customer_create(actor=users["sales_manager"], data={"name": "Aceites Jaén S.C.A."})
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), audit.batch():
        audit.record_transition(actor=None, obj=customer, old="lead", new="active")
        raise RuntimeError("the service failed")
    assert AuditEntry.objects.count() == before
    call_command("verify_audit")
