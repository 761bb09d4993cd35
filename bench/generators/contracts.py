"""Contracts with their reviews, deliverables and deliveries over six quarters.

At scale L: 20,000 contracts of customers that have been active (about 82 % of them active,
completed or terminated, the rest drafts, in review or cancelled), a contract review each before
activation, 200,000 deliverables (dated steps of each contract's recurring obligations and
milestones) and about 200,000 deliveries: nearly every deliverable due by now has one, most on
time and conforming, a few late or nonconforming (then usually delivered again). Numbers
(CT-2026-0001…), statuses, `search_text` and the deliverables' status (delivered once a
conforming delivery exists) are what `contracts.services` stores.
"""

import calendar as cal
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from bench.generators import Context, generator
from clientela.contracts.demo import ARCHETYPES, BY_SEGMENT, CURRENCY, NONCONFORMITIES, ON_TIME_NOTES
from clientela.contracts.models import Contract, ContractReview, Deliverable, Delivery
from clientela.core import sequences
from clientela.core.importing import normalise
from clientela.core.permissions import Role
from clientela.customers.models import Customer

CONTRACTS_AT_L = 20_000
DELIVERABLES_AT_L = 200_000
MONTHS_ES = [
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
    "noviembre", "diciembre",
]  # fmt: skip
STEP_MONTHS = {"monthly": 1, "quarterly": 3, "biannual": 6, "yearly": 12, "weekly": 1}


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, cal.monthrange(year, month)[1]))


@generator("contracts", requires=("customers",))
def generate(ctx: Context) -> dict[str, int]:
    rng = ctx.rng
    now = ctx.now
    today = now.date()
    staff = ctx.shared["staff"]
    managers = staff[Role.ACCOUNT_MANAGER] + staff[Role.SALES_MANAGER]
    operations = staff[Role.OPERATIONS]
    quality = staff[Role.QUALITY]
    customers = [c for c in ctx.shared["customers"] if c.status in ("active", "inactive", "former")]
    names, segments = {}, {}
    for pk, name, segment in Customer.objects.values_list("pk", "name", "segment"):
        names[pk], segments[pk] = name, segment
    n = ctx.n(CONTRACTS_AT_L)
    contract_ids = ctx.next_id(Contract, n)
    history = ctx.start.date() - dt.timedelta(days=270)
    span = (today - dt.timedelta(days=20) - history).days
    starts = sorted(history + dt.timedelta(days=rng.randrange(span)) for _ in range(n))
    sequence: dict[int, int] = defaultdict(int)
    plans: list[tuple[int, dt.date, dt.date, str, object, str, int]] = []
    reviews: list[dict] = []

    def contracts():
        for pk, start in zip(contract_ids, starts, strict=True):
            customer = rng.choice(customers)
            archetype_key = rng.choice(BY_SEGMENT.get(segments.get(customer.id), list(ARCHETYPES)))
            archetype = ARCHETYPES[archetype_key]
            end = add_months(start, archetype.months) - dt.timedelta(days=1)
            sequence[start.year] += 1
            number = f"CT-{start.year}-{sequence[start.year]:04d}"
            roll = rng.random()
            if start > today - dt.timedelta(days=60) and roll < 0.35:
                status = rng.choice(["draft", "in_review", "in_review"])
            elif roll < 0.03:
                status = "cancelled"
            elif end < today:
                status = "terminated" if rng.random() < 0.04 else "completed"
            else:
                status = "active"
            currency, rate = CURRENCY.get(customer.country, ("EUR", 1))
            low, high = archetype.value
            value = Decimal(rng.randrange(low, high, 500) * rate).quantize(Decimal("0.01"))
            owner = customer.manager_id or rng.choice(managers)
            created = dt.datetime.combine(start - dt.timedelta(days=rng.randint(10, 40)), dt.time(10), now.tzinfo)
            activated = closed = None
            if status in ("active", "completed", "terminated"):
                activated = dt.datetime.combine(start, dt.time(9, rng.randrange(60)), now.tzinfo)
                reviews.append(
                    {
                        "contract_id": pk,
                        "requirements_defined": True,
                        "differences_resolved": True,
                        "capacity_confirmed": True,
                        "regulations_identified": True,
                        "notes": rng.choice(["", "", "Revisado con el responsable de operaciones."]),
                        "reviewer_id": rng.choice(quality + managers[:3]),
                        "reviewed_at": activated - dt.timedelta(days=rng.randint(1, 8)),
                        "created_at": activated - dt.timedelta(days=rng.randint(1, 8)),
                    }
                )
            if status in ("completed", "terminated"):
                closed = dt.datetime.combine(
                    min(end + dt.timedelta(days=rng.randint(0, 10)), today), dt.time(12), now.tzinfo
                )
            if status == "cancelled":
                closed = created + dt.timedelta(days=rng.randint(5, 30))
            title = archetype.title
            plans.append((pk, start, end, status, archetype, customer.country, owner))
            yield {
                "id": pk,
                "number": number,
                "customer_id": customer.id,
                "contact_id": customer.contact_ids[0] if customer.contact_ids else None,
                "title": title,
                "kind": archetype.kind,
                "status": status,
                "start_date": start,
                "end_date": end,
                "value": value,
                "currency": currency,
                "owner_id": owner,
                "terms": archetype.terms,
                "activated_at": activated,
                "closed_at": closed,
                "close_reason": "El cliente desistió antes de la firma." if status == "cancelled" else "",
                "search_text": normalise(" ".join([number, title, names.get(customer.id, "")])),
                "created_at": created,
                "updated_at": closed or activated or created,
            }

    written = {"contracts.Contract": ctx.insert(Contract, contracts())}
    for year, last in sequence.items():
        sequences.ensure_at_least(f"contract-{year}", last)
    written["contracts.ContractReview"] = ctx.insert(ContractReview, reviews)

    # Deliverables: the dated steps of each contract's obligations, scaled to DELIVERABLES_AT_L.
    target = ctx.n(DELIVERABLES_AT_L)
    deliverable_ids = iter(ctx.next_id(Deliverable, target))
    deliveries: list[dict] = []
    made = 0

    def deliverables():
        nonlocal made
        for index, (pk, start, end, status, archetype, _country, owner) in enumerate(plans):
            if made >= target:
                return
            # Spread what is left evenly over the contracts left, whatever their length.
            left = len(plans) - index
            count = max(1, round((target - made) / left * rng.uniform(0.6, 1.4)))
            count = min(count, target - made) if index < len(plans) - 1 else target - made
            steps = archetype.recurring or (("Entrega del hito", "monthly", "Operaciones", "Acta firmada."),)
            # Obligations are scheduled up to two months ahead (as the recurring ones are generated).
            length = max((min(end, today + dt.timedelta(days=60)) - start).days, 28)
            for k in range(count):
                description, frequency, team, criteria = steps[k % len(steps)]
                due = start + dt.timedelta(days=min(length, int(length * (k + 1) / count)))
                label = f"{description} — {MONTHS_ES[due.month - 1]} {due.year}"
                deliverable_pk = next(deliverable_ids)
                made += 1
                state = "pending"
                responsible = rng.choice(operations) if rng.random() < 0.8 else owner
                if status == "cancelled" or (status == "terminated" and due > end - dt.timedelta(days=60)):
                    state = "cancelled"
                elif status in ("active", "completed", "terminated") and due <= today:
                    state = _deliveries(rng, deliverable_pk, start, due, today, responsible, deliveries)
                elif rng.random() < 0.01:
                    state = "cancelled"
                yield {
                    "id": deliverable_pk,
                    "contract_id": pk,
                    "description": label[:255],
                    "due_date": due,
                    "acceptance_criteria": criteria,
                    "responsible_id": responsible,
                    "team": team,
                    "status": state,
                    "cancel_reason": "Alcance retirado por acuerdo con el cliente." if state == "cancelled" else "",
                    "created_at": dt.datetime.combine(start, dt.time(9), now.tzinfo),
                }

    written["contracts.Deliverable"] = ctx.insert(Deliverable, deliverables())
    written["contracts.Delivery"] = ctx.insert(Delivery, deliveries)
    return written


def _deliveries(rng, deliverable_id: int, start: dt.date, due: dt.date, today: dt.date, user, out: list) -> str:
    """The deliveries of a deliverable due by today; returns the deliverable's status."""
    if rng.random() < 0.015:
        return "pending"  # overdue, nothing delivered yet
    late = rng.random() < 0.06
    delivered = due + dt.timedelta(days=rng.randint(1, 12)) if late else due - dt.timedelta(days=rng.randint(0, 6))
    delivered = max(min(delivered, today), start)
    conforming = rng.random() < 0.96
    row = {
        "deliverable_id": deliverable_id,
        "delivered_on": delivered,
        "conforming": conforming,
        "recorded_by_id": user,
        "created_at": dt.datetime.combine(delivered, dt.time(16), dt.UTC),
    }
    if conforming:
        row["notes"] = rng.choice(ON_TIME_NOTES)
        out.append(row)
        return "delivered"
    what, severity = rng.choice(NONCONFORMITIES)
    row.update(nonconformity=what, severity=severity)
    out.append(row)
    again = delivered + dt.timedelta(days=rng.randint(2, 15))
    if again <= today and rng.random() < 0.85:
        out.append(
            {
                "deliverable_id": deliverable_id,
                "delivered_on": again,
                "conforming": True,
                "notes": "Entrega corregida tras la no conformidad.",
                "recorded_by_id": user,
                "created_at": dt.datetime.combine(again, dt.time(16), dt.UTC),
            }
        )
        return "delivered"
    return "pending"
