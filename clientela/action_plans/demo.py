"""Demo action plans from audits, management reviews and risks (plans from complaints and
suggestions are made by the feedback demo with `build_plan`): every state, structured analyses,
actions with evidence, some overdue, effectiveness verifications."""

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from clientela.core import audit, sequences
from clientela.core.importing import normalise

from . import services
from .models import Action, ActionPlan, EffectivenessCheck

P = ActionPlan.Status


@dataclass
class PlanStory:
    """How a demo plan went: its content and the state it has reached."""

    data: dict[str, Any]
    state: str  # open, in_progress, pending_verification, closed, not_effective, follow_up, cancelled
    opened: dt.datetime
    actions: list[str] = field(default_factory=list)
    analysis: dict[str, Any] = field(default_factory=dict)
    criterion: str = "Ninguna reclamación por la misma causa en los tres meses siguientes."
    evidence: str = "Revisión de los registros del trimestre: sin repeticiones."


def _working_days(ctx, start: dt.datetime, days: float) -> dt.datetime:
    moment = start + dt.timedelta(days=days)
    local = timezone.localtime(moment)
    while local.weekday() >= 5:
        local += dt.timedelta(days=1)
    return local.replace(hour=ctx.rng.randint(9, 17), minute=ctx.rng.choice([0, 15, 30, 45]), second=0, microsecond=0)


def build_plan(ctx, story: PlanStory, *, source: Any = None, actor: Any = None) -> ActionPlan:
    """Create the plan through the services, walk it to `story.state`, then back-date it."""
    rng = ctx.rng
    quality = ctx.users["quality"]
    actor = actor or quality
    owners = [ctx.users["operations"], ctx.users["quality"], *ctx.staff["customer_service"], ctx.users["sales_manager"]]
    data = {"owner": story.data.pop("owner", None) or rng.choice([quality, ctx.users["operations"]]), **story.data}
    data["due_date"] = timezone.localdate()
    if source is not None and "customer" not in data:
        data["customer"] = getattr(source, "customer", None)
    opened = story.opened
    now = ctx.now
    # Every step is recorded in the history when the story says it happened (audit.as_of).
    with audit.as_of(opened):
        plan = services.plan_create(actor=actor, data=data, source=source)
        if story.analysis:
            plan = services.plan_update(actor=actor, plan=plan, data=story.analysis)
    late = story.state in ("open", "in_progress") and rng.random() < 0.35
    plan_due = (opened + dt.timedelta(days=rng.randint(30, 60))).date()
    if story.state in ("open", "in_progress") and not late:
        plan_due = max(plan_due, (now + dt.timedelta(days=rng.randint(10, 40))).date())
    actions = []
    for index, description in enumerate(story.actions):
        owner = rng.choice(owners)
        with audit.as_of(opened + dt.timedelta(hours=index + 1)):
            action = services.action_create(
                actor=actor,
                plan=plan,
                data={"description": description, "owner": owner, "due_date": timezone.localdate()},
            )
        due = opened + dt.timedelta(days=rng.randint(7, 35) + 7 * index)
        actions.append((action, due))
    finished = story.state in ("pending_verification", "closed", "not_effective", "follow_up")
    if story.state != "open" and story.state != "cancelled" and actions:
        with audit.as_of(opened + dt.timedelta(days=1)):
            plan = services.plan_transition(actor=actor, plan=plan, to=P.IN_PROGRESS)
    done_times: dict[int, dt.datetime] = {}
    for index, (action, due) in enumerate(actions):
        if finished or (story.state == "in_progress" and index < len(actions) - 1 and rng.random() < 0.7):
            evidence = rng.choice(
                [
                    "Procedimiento revisado y publicado en la intranet (versión 2).",
                    "Acta de la sesión de formación firmada por los asistentes.",
                    "Registro de la revisión en el sistema, con fotografías.",
                    "Instrucción de trabajo actualizada y comunicada al equipo.",
                    "Correo de confirmación del proveedor y nuevo contrato marco.",
                ]
            )
            done_at = min(due - dt.timedelta(days=rng.randint(0, 5)), now - dt.timedelta(hours=2))
            done_times[action.pk] = done_at = max(done_at, opened + dt.timedelta(days=1, hours=index + 1))
            with audit.as_of(done_at):
                services.action_transition(actor=actor, action=action, to="done", evidence=evidence)
    last_done = max(done_times.values(), default=opened + dt.timedelta(days=20))
    if finished:
        with audit.as_of(last_done + dt.timedelta(hours=1)):
            plan = services.plan_update(actor=actor, plan=plan, data={"effectiveness_criterion": story.criterion})
            plan = services.plan_transition(actor=actor, plan=plan, to=P.PENDING_VERIFICATION)
    verified_at = None
    if story.state in ("closed", "not_effective", "follow_up"):
        verified_at = min(last_done + dt.timedelta(days=rng.randint(20, 60)), now - dt.timedelta(days=1))
        verified_at = _working_days(ctx, verified_at, 0)
        result = ActionPlan.Result.EFFECTIVE if story.state == "closed" else ActionPlan.Result.NOT_EFFECTIVE
        evidence = (
            story.evidence
            if story.state == "closed"
            else "Se repitieron dos casos por la misma causa tras las acciones."
        )
        with audit.as_of(verified_at):
            plan = services.plan_verify(
                actor=quality,
                plan=plan,
                data={
                    "method": "Revisión de las quejas y entregas del periodo y entrevista con el responsable.",
                    "evidence": evidence,
                    "result": result,
                    "follow_up": story.state == "follow_up",
                },
            )
    if story.state == "cancelled":
        with audit.as_of(opened + dt.timedelta(days=3)):
            plan = services.plan_transition(
                actor=actor, plan=plan, to=P.CANCELLED, note="Duplicado de otro plan que trata la misma causa."
            )

    verification_due = (last_done + dt.timedelta(days=30)).date() if finished else None
    if story.state == "pending_verification":
        verification_due = max(verification_due, (now + dt.timedelta(days=rng.randint(3, 20))).date())
    # Back-date: the plan was opened at `opened`, its actions and its verification when the story says.
    ActionPlan.objects.filter(pk=plan.pk).update(
        created_at=opened,
        due_date=plan_due,
        verification_due=verification_due,
        verified_at=verified_at,
        closed_at=verified_at if plan.status == P.CLOSED else None,
    )
    for action, due in actions:
        Action.objects.filter(pk=action.pk).update(
            created_at=opened + dt.timedelta(hours=rng.randint(2, 48)),
            due_date=due.date(),
            done_at=done_times.get(action.pk),
        )
    if verified_at is not None:
        EffectivenessCheck.objects.filter(plan=plan).update(verified_at=verified_at)
        follow_up = getattr(plan, "_follow_up", None)
        if follow_up is not None:
            ActionPlan.objects.filter(pk=follow_up.pk).update(
                created_at=verified_at + dt.timedelta(hours=1),
                due_date=(verified_at + dt.timedelta(days=45)).date(),
            )
    plan.refresh_from_db()
    return plan


def renumber(ctx) -> None:
    """Plans were numbered on the day the demo loaded; number them by the year they were opened."""
    plans = list(ActionPlan.objects.order_by("created_at", "id"))
    for plan in plans:
        ActionPlan.objects.filter(pk=plan.pk).update(number=f"TMP-{plan.pk}")
    counters: dict[int, int] = {}
    renamed: dict[str, str] = {}
    for plan in plans:
        year = timezone.localtime(plan.created_at).year
        counters[year] = counters.get(year, 0) + 1
        renamed[plan.number] = f"PA-{year}-{counters[year]:04d}"

    def rename(text: str) -> str:  # follow-up plans name the plan they follow
        return re.sub(r"PA-\d{4}-\d{4}", lambda m: renamed.get(m.group(0), m.group(0)), text)

    for plan in plans:
        number, title = renamed[plan.number], rename(plan.title)
        ActionPlan.objects.filter(pk=plan.pk).update(
            number=number,
            title=title,
            problem=rename(plan.problem),
            source_label=rename(plan.source_label),
            search_text=normalise(" ".join([number, title, rename(plan.source_label)])),
        )
    for year, value in counters.items():
        sequences.ensure_at_least(f"action-plan-{year}", value)


STORIES = [
    (
        "audit",
        "closed",
        420,
        "Revisión del contrato no registrada antes de la firma",
        "La auditoría interna encontró tres contratos firmados sin la revisión registrada (ISO 9001 8.2.3).",
        [
            "Añadir la revisión del contrato como paso obligatorio antes de la firma.",
            "Formar al equipo comercial en la revisión del contrato.",
        ],
    ),
    (
        "management_review",
        "closed",
        300,
        "Baja tasa de respuesta de las encuestas de satisfacción",
        "La Revisión por la Dirección del 3.er trimestre observó una tasa de respuesta del 11 %.",
        ["Enviar las encuestas desde el correo del gerente de cuentas.", "Acortar la encuesta a cinco preguntas."],
    ),
    (
        "risk",
        "in_progress",
        70,
        "Riesgo «Falta de herramientas adecuadas»: seguimiento de quejas en hojas de cálculo",
        "El registro de riesgos identifica el seguimiento manual de quejas como riesgo alto.",
        [
            "Migrar el histórico de quejas al nuevo sistema.",
            "Definir los objetivos de SLA por gravedad.",
            "Configurar los avisos de incumplimiento.",
        ],
    ),
    (
        "audit",
        "pending_verification",
        60,
        "Evidencias de formación incompletas en atención al cliente",
        "Auditoría externa: faltan registros de eficacia de la formación de dos agentes.",
        ["Registrar la evaluación de eficacia de cada formación.", "Revisar los expedientes del equipo."],
    ),
    (
        "other",
        "open",
        12,
        "Plantillas de respuesta al cliente desactualizadas",
        "Varias respuestas enviadas citan condiciones de garantía antiguas.",
        ["Revisar y aprobar las plantillas de respuesta."],
    ),
    (
        "management_review",
        "cancelled",
        200,
        "Revisar la política de descuentos por retraso",
        "Propuesta de la Revisión por la Dirección, integrada después en el plan de fidelización.",
        ["Analizar los descuentos concedidos en el año."],
    ),
]


def load(ctx) -> None:
    for origin, state, days_ago, title, problem, actions in STORIES:
        kind = "improvement" if origin in ("management_review", "other") else "corrective"
        analysis = {}
        if kind == "corrective":
            analysis = {
                "root_cause_method": "five_whys",
                "five_whys": [
                    {"why": "¿Por qué falta el registro?", "answer": "El paso no figura en el procedimiento."},
                    {"why": "¿Por qué no figura?", "answer": "El procedimiento es anterior a la norma vigente."},
                    {"why": "¿Por qué no se actualizó?", "answer": "No hay revisión periódica de procedimientos."},
                ],
                "root_cause": "Falta una revisión periódica de los procedimientos del proceso.",
                "similar_cases_checked": True,
                "similar_cases": "Revisados los procedimientos de los otros procesos: uno más afectado.",
            }
        build_plan(
            ctx,
            PlanStory(
                data={
                    "kind": kind,
                    "origin": origin,
                    "title": title,
                    "problem": problem,
                    "owner": ctx.users["quality"],
                },
                state=state,
                opened=ctx.working_time(days_ago),
                actions=actions,
                analysis=analysis,
            ),
        )
