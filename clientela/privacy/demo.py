"""Demo data-subject requests: one closed, one being handled, one just received."""

import datetime as dt

from clientela.customers.models import Customer

from . import services
from .models import DataSubjectRequest


def load(ctx) -> None:
    quality = ctx.users["quality"]
    customers = ctx.shared["customers"]
    with_contacts = [c for c in customers if ctx.shared["contacts"].get(c.pk)]
    access_contact = ctx.shared["contacts"][with_contacts[3].pk][0]
    rectify_contact = ctx.shared["contacts"][with_contacts[11].pk][0]
    person = next((c for c in customers if c.kind == Customer.Kind.PERSON), None)

    done = services.request_create(
        actor=quality,
        data={
            "kind": "access",
            "country": "ES",
            "contact": access_contact,
            "requester_email": access_contact.email,
            "received_at": ctx.working_time(70),
            "details": "Solicita copia de los datos que conservamos sobre ella.",
        },
    )
    services.request_verify_identity(actor=quality, request=done, method="Correo firmado desde la dirección registrada")
    services.request_transition(actor=quality, request=done, to="in_progress")
    services.export_subject(actor=quality, request=done)
    services.request_transition(
        actor=quality, request=done, to="completed", resolution="Se envía el archivo con sus datos por correo cifrado."
    )
    DataSubjectRequest.objects.filter(pk=done.pk).update(completed_at=ctx.working_time(62))

    handling = services.request_create(
        actor=quality,
        data={
            "kind": "rectification",
            "country": "ES",
            "contact": rectify_contact,
            "received_at": ctx.working_time(12),
            "details": "El teléfono y el cargo registrados no son correctos.",
        },
    )
    services.request_verify_identity(actor=quality, request=handling, method="DNI comprobado en visita presencial")
    services.request_transition(actor=quality, request=handling, to="in_progress")

    if person is not None:
        services.request_create(
            actor=quality,
            data={
                "kind": "erasure",
                "country": "ES",
                "customer": person,
                "requester_email": person.email,
                "received_at": ctx.now - dt.timedelta(days=2),
                "details": "Pide la supresión de sus datos al haber finalizado la relación comercial.",
            },
        )
