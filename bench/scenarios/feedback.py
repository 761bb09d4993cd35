"""Scenarios of the complaints module: the inbox of open complaints (the most urgent deadline
first) and, for the scale-out phase, complaint intake through the staff form."""

from bench.scenarios import Request, State, WriteCheck, concurrent_write, scenario
from bench.scenarios.customers import prepare as prepare_customers

INBOX = "?kind=complaint&open=on&sort=due"


@scenario("complaints_inbox", url_name="feedback:list")
def complaints_inbox(state: State, i: int) -> Request:
    return Request("GET", state.url("feedback:list") + INBOX)


@concurrent_write("complaint_intake_form", url_name="feedback:create")
def complaint_intake(state: State) -> WriteCheck:
    from clientela.feedback.models import Feedback

    prepare_customers(state)
    prefix = "Queja concurrente"
    ids = state.data["active_ids"]

    def request(i: int, tag: str) -> Request:
        return Request(
            "POST",
            state.url("feedback:create"),
            {
                "kind": "complaint",
                "received_at": "",
                "channel": "phone",
                "customer": str(ids[i % len(ids)]),
                "contact": "",
                "submitter_name": "",
                "submitter_organisation": "",
                "submitter_email": "",
                "submitter_phone": "",
                "subject": f"{prefix} {tag}-{i:06d}",
                "description": "El pedido llegó incompleto: faltan dos cajas del albarán.",
                "remedy_sought": "Envío de las cajas que faltan.",
                "category": "",
                "severity": "medium",
                "assigned_to": "",
            },
        )

    def rows(tag: str):
        return Feedback.objects.filter(subject__startswith=f"{prefix} {tag}-")

    return WriteCheck(
        "complaints recorded",
        request,
        count=lambda tag: rows(tag).count(),
        distinct=lambda tag: rows(tag).values("subject").distinct().count(),
    )
