"""Complaints, suggestions and compliments over six quarters, with the SLA clock the services keep.

At scale L: 100,000 records (about 70 % complaints, 20 % suggestions, 10 % compliments). Everything
received more than a few weeks ago has been answered and (nearly always) closed; the last weeks hold
the open set the inbox shows, a couple of thousand records in every step of the process, some of
them at risk or past their deadline. Numbers (QJ-2026-0001…), deadlines in business time of the
default calendar, the breach marks, `resolution_seconds` and `search_text` are what
`feedback.services` and `feedback.sla` store.
"""

import datetime as dt
import functools
from collections import defaultdict

from bench.generators import Context, generator
from clientela.core import sequences
from clientela.core.calendar import default_calendar
from clientela.core.importing import normalise
from clientela.core.permissions import Role
from clientela.feedback import sla
from clientela.feedback.demo import COMPLAINTS, COMPLIMENTS, PUBLIC_PEOPLE, SUGGESTIONS
from clientela.feedback.models import Category, Feedback
from clientela.feedback.services import PREFIXES

FEEDBACK_AT_L = 100_000
KINDS = ["complaint", "suggestion", "compliment"]
KIND_WEIGHTS = [70, 20, 10]
SEVERITIES = ["low", "medium", "high", "critical"]
SEVERITY_WEIGHTS = [25, 50, 20, 5]
CHANNELS = ["email", "phone", "web", "meeting", "chat"]
CHANNEL_WEIGHTS = [40, 30, 18, 6, 6]
# The open set: received in the last OPEN_DAYS days and not yet closed, by step.
OPEN_DAYS = 12
OPEN_SHARE = 0.6  # of what was received in those days
OPEN_STEPS = ["received", "acknowledged", "in_analysis", "waiting_customer", "resolved"]
OPEN_WEIGHTS = [18, 17, 42, 10, 13]
ACCEPTED_NOTES = ["Conforme con la solución.", "Acepta el abono propuesto.", "", ""]
REJECTIONS = [
    "Duplicada: ya registrada con otro número.",
    "No procede: el servicio se prestó conforme al contrato firmado.",
    "Mensaje publicitario recibido por el formulario público.",
]


@generator("feedback", requires=("customers",))
def generate(ctx: Context) -> dict[str, int]:
    rng = ctx.rng
    now, start = ctx.now, ctx.start
    staff = ctx.shared["staff"]
    agents = staff[Role.CUSTOMER_SERVICE] + staff[Role.QUALITY]
    quality = staff[Role.QUALITY]
    customers = [c for c in ctx.shared["customers"] if c.status != "prospect"] or ctx.shared["customers"]
    categories = dict(Category.objects.values_list("name", "pk"))
    calendar = default_calendar()
    # The same days are asked about again and again: remember each day's working intervals.
    calendar.working_intervals = functools.cache(calendar.working_intervals)
    policy = sla.targets()
    n = ctx.n(FEEDBACK_AT_L)
    ids = ctx.next_id(Feedback, n)
    open_since = now - dt.timedelta(days=OPEN_DAYS)
    received = sorted(
        ctx.moment(rng, since=open_since, until=now - dt.timedelta(minutes=30))
        if rng.random() < OPEN_DAYS / 548
        else ctx.moment(rng, since=start, until=open_since)
        for _ in range(n)
    )
    sequence: dict[str, int] = defaultdict(int)

    def hours(value) -> dt.timedelta:
        return sla.hours(value)

    def rows():
        for pk, received_at in zip(ids, received, strict=True):
            kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
            local = received_at.astimezone(now.tzinfo)
            key = f"{kind}-{local.year}"
            sequence[key] += 1
            number = f"{PREFIXES[kind]}-{local.year}-{sequence[key]:04d}"
            recent = received_at >= open_since
            if recent and rng.random() < OPEN_SHARE:
                status = rng.choices(OPEN_STEPS, OPEN_WEIGHTS)[0]
                if kind == "compliment":
                    status = rng.choice(["received", "acknowledged"])
            else:
                status = "rejected" if rng.random() < 0.035 else "closed"
            severity = rng.choices(SEVERITIES, SEVERITY_WEIGHTS)[0] if kind == "complaint" else "medium"
            row = {
                "id": pk,
                "number": number,
                "kind": kind,
                "channel": rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0],
                "received_at": received_at,
                "severity": severity,
                "status": status,
                "created_at": received_at + dt.timedelta(minutes=rng.randint(1, 90)),
            }
            if rng.random() < 0.9:
                customer = rng.choice(customers)
                row["customer_id"] = customer.id
                row["contact_id"] = rng.choice(customer.contact_ids) if customer.contact_ids else None
                person, organisation = "", ""
            else:
                person, email, organisation = rng.choice(PUBLIC_PEOPLE)
                row.update(submitter_name=person, submitter_email=email, submitter_organisation=organisation)
                row["channel"] = "web"
            if kind == "complaint":
                category, subject, description, remedy, impact, cause, resolution, response, _m = rng.choice(COMPLAINTS)
                row.update(category_id=categories.get(category), remedy_sought=remedy)
            else:
                subject, description = rng.choice(SUGGESTIONS if kind == "suggestion" else COMPLIMENTS)
                impact, cause = "", ""
                resolution = "Se estudia la propuesta con el equipo responsable." if kind == "suggestion" else ""
                response = (
                    "Gracias por su propuesta: la incorporamos al plan de mejora."
                    if kind == "suggestion"
                    else "Muchas gracias por su mensaje; lo hemos compartido con el equipo."
                )
            row.update(subject=subject, description=description)
            row["search_text"] = normalise(" ".join([number, subject, person, organisation]))
            assignee = rng.choice(agents) if status != "received" or rng.random() < 0.5 else None
            row["assigned_to_id"] = assignee

            # Business time the team took for each step (most within target, some late).
            ack_target, resolve_target = policy[severity]
            ack_used = hours(float(ack_target) * rng.choice([0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 1.4]))
            resolve_used = hours(float(resolve_target) * rng.choice([0.2, 0.4, 0.6, 0.75, 0.9, 0.97, 1.3]))
            answered = status in ("resolved", "closed", "rejected")
            acknowledged = status != "received"
            acknowledged_at = calendar.add(received_at, ack_used) if acknowledged else None
            resolved_at = calendar.add(received_at, max(resolve_used, ack_used)) if answered else None
            if acknowledged_at and acknowledged_at > now or resolved_at and resolved_at > now:
                # The open set's steps happened before now: squeeze them into the time there was.
                span = now - received_at
                acknowledged_at = received_at + span * 0.2 if acknowledged_at else None
                resolved_at = received_at + span * 0.7 if resolved_at else None
                ack_used = calendar.between(received_at, acknowledged_at) if acknowledged_at else ack_used
                resolve_used = calendar.between(received_at, resolved_at) if resolved_at else resolve_used
            row["acknowledged_at"] = acknowledged_at
            if kind == "complaint":
                ack_due = calendar.add(received_at, hours(ack_target))
                resolve_due = calendar.add(received_at, hours(resolve_target))
                row.update(
                    acknowledge_target_hours=ack_target,
                    resolve_target_hours=resolve_target,
                    acknowledge_due_at=ack_due,
                    acknowledge_warn_at=calendar.add(received_at, hours(ack_target * sla.WARN_FRACTION)),
                    resolve_due_at=resolve_due,
                    resolve_warn_at=calendar.add(received_at, hours(resolve_target * sla.WARN_FRACTION)),
                )
                ack_met = acknowledged_at or (resolved_at if status == "rejected" else None)
                if (ack_met and ack_met > ack_due) or (ack_met is None and now > ack_due):
                    row["acknowledge_breached_at"] = ack_due
                paused = status == "waiting_customer"
                if (resolved_at and resolved_at > resolve_due) or (
                    resolved_at is None and not paused and now > resolve_due
                ):
                    row["resolve_breached_at"] = resolve_due
                if paused:
                    row["sla_paused_at"] = received_at + (now - received_at) * 0.6
            if status in ("in_analysis", "waiting_customer", "resolved", "closed") and kind != "compliment":
                assessed = acknowledged_at + (now - acknowledged_at) * 0.05 if resolved_at is None else acknowledged_at
                row.update(
                    impact=impact or "Sin impacto en otros clientes.",
                    assessed_at=min(assessed, resolved_at or now),
                    assessed_by_id=assignee,
                )
            if answered:
                row["resolved_at"] = resolved_at
                row["resolution_seconds"] = int(max(resolve_used, ack_used).total_seconds())
                if status == "rejected":
                    row["rejection_reason"] = rng.choice(REJECTIONS)
                    row["responded_at"] = resolved_at
                    if kind == "suggestion":
                        row["evaluation"] = "declined"
                elif kind != "compliment":
                    row.update(
                        root_cause=cause,
                        resolution=resolution,
                        response_to_customer=response,
                        responded_at=resolved_at,
                    )
                    if kind == "suggestion":
                        row["evaluation"] = "accepted" if rng.random() < 0.55 else "declined"
            if status == "closed":
                closed_at = resolved_at + dt.timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 8))
                closed_at = min(closed_at, now - dt.timedelta(minutes=5))
                row["closed_at"] = closed_at
                if kind == "compliment":
                    row.update(response_to_customer=response, responded_at=closed_at)
                else:
                    row.update(
                        customer_accepted=rng.random() < 0.93,
                        customer_decision_at=closed_at,
                        customer_decision_note=rng.choice(ACCEPTED_NOTES),
                    )
            if status == "rejected" or (status == "closed" and rng.random() < 0.05):
                row["assessed_by_id"] = row.get("assessed_by_id") or rng.choice(quality)
            row["updated_at"] = row.get("closed_at") or row.get("resolved_at") or acknowledged_at or row["created_at"]
            row["lock_version"] = 1 + sum(
                1 for f in ("acknowledged_at", "assessed_at", "resolved_at", "closed_at") if row.get(f)
            )
            yield row

    written = ctx.insert(Feedback, rows())
    for key, last in sequence.items():
        sequences.ensure_at_least(key, last)
    return {"feedback.Feedback": written}
