"""Demo story of the monitoring area: yearly targets set by top management, six quarters closed by
the engine itself (so they agree with what it computes), one quarter out of range because the CRM
migration left interactions unrecorded for days, the risk register assessed, the last quarter's
management review approved and frozen, the current one in preparation, and a new version of PSC 004
awaiting approval."""

import datetime as dt
import math

from django.utils import timezone

from clientela.core.periods import Period
from clientela.customers import services as customers
from clientela.customers.models import Customer, Interaction

from . import builtin, risk_signals, selectors, services
from .models import ControlledDocument, IndicatorResult, IndicatorTarget, ManagementReview, RiskOpportunity

CLOSED_QUARTERS = 6

LATE_SUBJECTS = [
    "Reunión de seguimiento registrada tras la migración del CRM",
    "Llamada de incidencia cargada con retraso",
    "Visita comercial anotada días después",
    "Consulta técnica registrada al recuperar el correo",
]


def _local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_current_timezone())


def _add_late_interactions(ctx, period: Period, target: float) -> None:
    """August of the CRM migration: interactions recorded a week or two after they happened, enough
    to put the quarter above its target."""
    days = risk_signals.late_interaction_days()
    ratio = builtin.late_ratio(period.start_at, period.end_at, days=days)
    share = (target + 8) / 100
    # (late + n) / (total + n) >= share
    needed = max(0, math.ceil((share * ratio.denominator - ratio.numerator) / (1 - share)) + 1)
    active = list(Customer.objects.filter(status=Customer.Status.ACTIVE).order_by("pk")[:25])
    if not active:
        return
    authors = ctx.staff["account_manager"] + ctx.staff["customer_service"]
    for n in range(needed):
        customer = active[n % len(active)]
        occurred = _local(period.start + dt.timedelta(days=35 + ctx.rng.randint(0, 40)), ctx.rng.randint(9, 17))
        interaction = customers.interaction_log(
            actor=ctx.rng.choice(authors),
            customer=customer,
            data={
                "channel": ctx.rng.choice(["phone", "meeting", "email", "visit"]),
                "direction": "outbound",
                "occurred_at": occurred,
                "subject": ctx.rng.choice(LATE_SUBJECTS),
                "notes": "Registro recuperado de notas en papel durante la migración del CRM.",
            },
        )
        Interaction.objects.filter(pk=interaction.pk).update(
            created_at=occurred + dt.timedelta(days=ctx.rng.randint(days + 4, days + 14))
        )


def _targets(ctx, years: list[int], late_target: float) -> None:
    management = ctx.users["management"]
    for year in years:
        services.target_set(actor=management, indicator="cct", year=year, target=95, warning_band=2)
        services.target_set(actor=management, indicator="sc", year=year, target=85, warning_band=3)
        services.target_set(
            actor=management, indicator=builtin.LATE_INTERACTIONS, year=year, target=late_target, warning_band=2
        )
        set_on = _local(dt.date(year, 1, 15), 10)
        IndicatorTarget.objects.filter(year=year).update(created_at=set_on)


def _late_target(ctx, quarters: list[Period], story: Period) -> float:
    """The share management accepts: a little above the usual level of the other quarters."""
    days = risk_signals.late_interaction_days()
    usual = [
        builtin.late_ratio(q.start_at, q.end_at, days=days).value
        for q in quarters
        if q != story and q.start <= timezone.localdate()
    ]
    return float(min(45, max(10, math.ceil(max([v for v in usual if v is not None] or [10])) + 1)))


def _assess_register(ctx) -> None:
    quality = ctx.users["quality"]
    sales = ctx.users["sales_manager"]
    service = ctx.staff["customer_service"][0]
    today = ctx.now.date()
    assessments = {
        "R-01": (
            3,
            4,
            "mitigate",
            "Validación de requisitos con el cliente antes de aprobarlos; criterios de aceptación "
            "obligatorios y confirmación registrada.",
            sales,
            today - dt.timedelta(days=12),
        ),
        "R-02": (
            3,
            4,
            "mitigate",
            "Plazos de acuse y resolución por gravedad con avisos al 80 % y escalado al supervisor.",
            quality,
            today + dt.timedelta(days=60),
        ),
        "R-03": (
            4,
            3,
            "mitigate",
            "Carga obligatoria de interacciones en el CRM el mismo día; seguimiento del "
            "porcentaje registrado con retraso.",
            quality,
            today + dt.timedelta(days=30),
        ),
        "O-01": (
            4,
            4,
            "exploit",
            "Sustituir las hojas de cálculo por Clientela y conectar el correo corporativo.",
            sales,
            today + dt.timedelta(days=90),
        ),
        "O-02": (
            4,
            3,
            "exploit",
            "Encuestas digitales tras cada entrega y al cerrar cada queja.",
            quality,
            today + dt.timedelta(days=90),
        ),
        "O-03": (
            3,
            3,
            "enhance",
            "Plan anual de formación en atención al cliente con evaluación de eficacia.",
            service,
            today + dt.timedelta(days=120),
        ),
        "O-04": (
            2,
            4,
            "enhance",
            "Programa de puntos para clientes con contratos renovados.",
            sales,
            today + dt.timedelta(days=150),
        ),
    }
    for risk in RiskOpportunity.objects.filter(code__in=assessments, likelihood__isnull=True):
        likelihood, impact, strategy, treatment, owner, review_date = assessments[risk.code]
        services.risk_update(
            actor=quality,
            risk=risk,
            data={
                "likelihood": likelihood,
                "impact": impact,
                "strategy": strategy,
                "treatment": treatment,
                "owner": owner,
                "review_date": review_date,
            },
        )


def _approved_review(ctx, period: Period) -> None:
    if ManagementReview.objects.filter(period=period.label).exists():
        return
    quality, management, sales = ctx.users["quality"], ctx.users["management"], ctx.users["sales_manager"]
    today = ctx.now.date()
    meeting = min(period.end + dt.timedelta(days=16), today - dt.timedelta(days=1))
    review = services.review_create(actor=quality, period=period)
    ManagementReview.objects.filter(pk=review.pk).update(created_at=_local(period.end + dt.timedelta(days=3), 9))
    review = services.review_update(
        actor=quality,
        review=ManagementReview.objects.get(pk=review.pk),
        data={
            "meeting_date": meeting,
            "attendees": [management, quality, sales],
            "other_attendees": "Responsable de operaciones (invitado)",
            "external_changes": "Entrada en vigor de la nueva normativa de protección de consumidores; dos clientes "
            "del sector salud exigen informes trimestrales de satisfacción.",
            "audit_results": "Auditoría interna de septiembre: una observación sobre registros de interacciones "
            "incompletos. Proveedores de mensajería con un 97 % de entregas a tiempo.",
            "conclusions": "El proceso es adecuado y eficaz en general. El registro de interacciones con retraso "
            f"superó la meta en {period} por la migración del CRM: se requiere análisis de causas y plan de mejora.",
            "resources": "Se aprueba una jornada de formación en el nuevo CRM para atención al cliente y gerentes de "
            "cuentas, y la revisión de licencias de la herramienta.",
        },
    )
    decisions = [
        ("action", "Analizar las causas del registro tardío de interacciones y abrir el plan de mejora.", quality, 30),
        ("resource", "Formación de dos horas en el nuevo CRM para todo el equipo de atención.", quality, 45),
        ("improvement", "Evaluar la automatización del registro de llamadas y correos en el CRM.", sales, 75),
    ]
    for kind, text, owner, due in decisions:
        services.decision_add(
            actor=quality,
            review=review,
            data={"kind": kind, "description": text, "owner": owner, "due_date": meeting + dt.timedelta(days=due)},
        )
    review = services.review_approve(actor=management, review=review, today=today)
    training = review.decisions.get(kind="resource")
    if training.due_date <= today + dt.timedelta(days=20):
        services.decision_follow_up(
            actor=quality,
            decision=training,
            to="done",
            note="Formación impartida a 9 personas; registro de asistencia.",
        )


def _review_in_preparation(ctx, period: Period) -> None:
    if ManagementReview.objects.filter(period=period.label).exists():
        return
    quality, management, sales = ctx.users["quality"], ctx.users["management"], ctx.users["sales_manager"]
    review = services.review_create(actor=quality, period=period)
    services.review_update(
        actor=quality,
        review=review,
        data={
            "attendees": [management, quality, sales],
            "external_changes": "Pendiente de completar antes de la reunión.",
        },
    )


def _document_draft(ctx) -> None:
    document = ControlledDocument.objects.filter(code="PSC 004").first()
    if document is None or selectors.version_draft(document) is not None:
        return
    in_force = selectors.version_in_force(document)
    body = (in_force.body if in_force else "").replace(
        "Frecuencia de Evaluación: Trimestral, con revisión por la Alta Dirección.",
        "Frecuencia de Evaluación: Trimestral, con revisión por la Alta Dirección. Metas anuales: CCT ≥ 95 %, "
        "SC ≥ 85 %; un resultado a menos de 2 puntos de la meta se considera en alerta.",
    )
    services.document_draft(
        actor=ctx.users["quality"],
        document=document,
        data={
            "change_summary": "Metas anuales de los indicadores y banda de alerta; registro de riesgos con señales",
            "body": body,
        },
    )


def load(ctx) -> None:
    today = ctx.now.date()
    current = Period.current_quarter(today)
    closed = current.previous().last(CLOSED_QUARTERS)
    story = closed[-1]  # the quarter that closes out of range (CRM migration)
    if not IndicatorResult.objects.exists():
        late_target = _late_target(ctx, closed, story)
        _targets(ctx, sorted({q.start.year for q in [*closed, current]}), late_target)
        _add_late_interactions(ctx, story, late_target)
        services.signal_settings_update(
            actor=ctx.users["quality"], thresholds={builtin.LATE_INTERACTIONS: late_target}, late_interaction_days=2
        )
        for quarter in closed:
            services.period_close(period=quarter, today=today)
            IndicatorResult.objects.filter(period=quarter.label).update(
                closed_at=_local(quarter.end + dt.timedelta(days=1), 6)
            )
    _assess_register(ctx)
    _approved_review(ctx, story)
    _review_in_preparation(ctx, current)
    _document_draft(ctx)
