"""Corrective and improvement action plans with their actions and effectiveness checks.

At scale L: 10,000 plans over six quarters (from complaints, contract nonconformities, survey
results, indicators, audits…), each with two to five actions. Older plans are closed after an
effectiveness check (a few found not effective), recent ones are open, in progress or pending
verification. Numbers (PA-2026-0001…), `search_text`, the 5 whys and the Ishikawa causes are stored
as `action_plans.services` and the model's normalisers store them.
"""

import datetime as dt
from collections import defaultdict

from bench.generators import Context, generator
from clientela.action_plans.models import (
    Action,
    ActionPlan,
    EffectivenessCheck,
    normalise_five_whys,
    normalise_ishikawa,
)
from clientela.core import sequences
from clientela.core.importing import normalise
from clientela.core.permissions import Role
from clientela.feedback.demo import COMPLAINTS, CORRECTIVE_ACTIONS, IMPROVEMENT_ACTIONS

PLANS_AT_L = 10_000
ORIGINS = ["feedback", "contract", "survey", "indicator", "audit", "management_review", "risk", "other"]
ORIGIN_WEIGHTS = [45, 20, 12, 6, 8, 3, 3, 3]
WHYS = [
    ("¿Por qué se produjo el fallo?", "El procedimiento no contemplaba este caso."),
    ("¿Por qué no lo contemplaba?", "No se revisó tras el último cambio de proceso."),
    ("¿Por qué no se revisó?", "No había un responsable asignado a la revisión."),
]
CRITERIA = [
    "Ninguna reclamación por la misma causa en los tres meses siguientes.",
    "Indicador de entregas a tiempo por encima del 95 % durante un trimestre.",
    "Auditoría interna del proceso sin hallazgos relacionados.",
]


@generator("action_plans", requires=("customers",))
def generate(ctx: Context) -> dict[str, int]:
    rng = ctx.rng
    now, start = ctx.now, ctx.start
    today = now.date()
    staff = ctx.shared["staff"]
    owners = staff[Role.QUALITY] + staff[Role.OPERATIONS] + staff[Role.SALES_MANAGER]
    quality = staff[Role.QUALITY]
    customers = [c for c in ctx.shared["customers"] if c.status in ("active", "inactive", "former")]
    n = ctx.n(PLANS_AT_L)
    ids = ctx.next_id(ActionPlan, n)
    created = sorted(ctx.moment(rng, since=start, until=now - dt.timedelta(hours=3)) for _ in range(n))
    sequence: dict[int, int] = defaultdict(int)
    actions: list[dict] = []
    checks: list[dict] = []
    improvements = list(IMPROVEMENT_ACTIONS.items())

    def plans():
        for pk, created_at in zip(ids, created, strict=True):
            year = created_at.astimezone(now.tzinfo).year
            sequence[year] += 1
            number = f"PA-{year}-{sequence[year]:04d}"
            origin = rng.choices(ORIGINS, ORIGIN_WEIGHTS)[0]
            corrective = origin != "other" and rng.random() < 0.85
            if corrective:
                _cat, subject, problem, _r, _i, cause, correction, _resp, category = rng.choice(COMPLAINTS)
                title, steps = f"Corregir: {subject.lower()}", rng.sample(CORRECTIVE_ACTIONS, rng.randint(2, 4))
            else:
                subject, steps = rng.choice(improvements)
                title, problem, cause, correction, category = f"Mejora: {subject}", subject, "", "", ""
            age = (now - created_at).days
            if age > 120:
                status = "cancelled" if rng.random() < 0.04 else "closed"
            elif age > 60:
                status = rng.choices(["closed", "pending_verification", "in_progress"], [50, 30, 20])[0]
            else:
                status = rng.choices(["open", "in_progress", "pending_verification"], [35, 50, 15])[0]
            owner = rng.choice(owners)
            due = (created_at + dt.timedelta(days=rng.choice([30, 45, 60, 90]))).date()
            customer = rng.choice(customers) if origin in ("feedback", "contract", "survey") else None
            label = f"{rng.choice(['QJ', 'CT', 'Encuesta'])}-{year}" if customer else ""
            row = {
                "id": pk,
                "number": number,
                "kind": "corrective" if corrective else "improvement",
                "origin": origin,
                "source_label": label,
                "customer_id": customer.id if customer else None,
                "title": title[:200],
                "problem": problem,
                "containment": "Se informó al cliente y se revisaron los pedidos en curso." if corrective else "",
                "correction": correction,
                "root_cause_method": "both" if category and rng.random() < 0.3 else "five_whys",
                "five_whys": normalise_five_whys(
                    [{"why": w, "answer": a} for w, a in WHYS[: rng.randint(2, 3)]] if corrective else []
                ),
                "ishikawa": normalise_ishikawa({category: [cause]} if category and cause else {}),
                "root_cause": cause,
                "similar_cases_checked": corrective,
                "owner_id": owner,
                "due_date": due,
                "status": status,
                "effectiveness_criterion": rng.choice(CRITERIA),
                "search_text": normalise(" ".join([number, title[:200], label])),
                "created_at": created_at,
            }
            finished = created_at + dt.timedelta(days=rng.randint(15, 50))
            if status in ("pending_verification", "closed"):
                row["verification_due"] = min(finished.date() + dt.timedelta(days=60), today + dt.timedelta(days=60))
            if status == "closed":
                verified = min(finished + dt.timedelta(days=rng.randint(30, 70)), now - dt.timedelta(hours=1))
                result = "effective" if rng.random() < 0.92 else "not_effective"
                row.update(effectiveness_result=result, verified_by_id=rng.choice(quality), verified_at=verified)
                row["closed_at"] = verified
                checks.append(
                    {
                        "plan_id": pk,
                        "method": "Revisión de registros del trimestre siguiente.",
                        "evidence": "Sin repeticiones registradas." if result == "effective" else "Dos casos nuevos.",
                        "result": result,
                        "verified_by_id": row["verified_by_id"],
                        "verified_at": verified,
                    }
                )
            if status == "cancelled":
                row.update(cancel_reason="Duplicado de otro plan abierto por la misma causa.", closed_at=finished)
            row["updated_at"] = row.get("closed_at") or created_at
            for k, description in enumerate(steps):
                done = status in ("closed", "pending_verification") or (status == "in_progress" and k == 0)
                actions.append(
                    {
                        "plan_id": pk,
                        "description": description,
                        "owner_id": rng.choice(owners),
                        "due_date": due - dt.timedelta(days=7 * (len(steps) - k - 1)),
                        "status": "cancelled" if status == "cancelled" else "done" if done else "pending",
                        "done_at": min(created_at + dt.timedelta(days=5 + 7 * k), now) if done else None,
                        "created_at": created_at,
                    }
                )
            yield row

    written = {"action_plans.ActionPlan": ctx.insert(ActionPlan, plans())}
    for year, last in sequence.items():
        sequences.ensure_at_least(f"action-plan-{year}", last)
    written["action_plans.Action"] = ctx.insert(Action, actions)
    written["action_plans.EffectivenessCheck"] = ctx.insert(EffectivenessCheck, checks)
    return written
