"""Demo complaints, suggestions and compliments: six quarters of history with realistic timing
(most on time, some breached, some paused, some reopened or rejected), the open ones at every step,
and the corrective and improvement plans they started.

Records are made and moved through the services, then back-dated with queryset updates. The SLA
fields are recomputed for the back-dated moments with the same business calendar and rules
(`sla.schedule`), so every deadline matches a hand calculation."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F
from django.utils import timezone

from clientela.action_plans.demo import PlanStory, build_plan, renumber
from clientela.action_plans.services import notify_overdue_actions
from clientela.core import audit
from clientela.core.calendar import default_calendar
from clientela.core.models import Notification

from . import services, sla
from .models import Category, Feedback

S = Feedback.Status

# category, subject, description, remedy sought, impact, root cause, resolution, response, Ishikawa category
COMPLAINTS = [
    (
        "Plazo de entrega",
        "Pedido entregado con una semana de retraso",
        "El pedido comprometido para el lunes llegó el lunes siguiente. Nadie nos avisó del retraso y tuvimos la obra parada dos días.",
        "Que nos compensen los dos días de obra parada y que nos avisen si hay retrasos.",
        "Un cliente; obra parada dos días.",
        "La planificación de rutas no tenía en cuenta el cierre del almacén regulador.",
        "Se replanificó la ruta y se aplicó un abono del 5 % en la factura del pedido.",
        "Lamentamos el retraso. Hemos aplicado un abono del 5 % y revisado la planificación de rutas para que no se repita.",
        "method",
    ),
    (
        "Calidad del producto o servicio",
        "Material recibido fuera de especificación",
        "Dos de las cinco bobinas recibidas no cumplen el espesor indicado en la ficha técnica (0,8 mm en lugar de 1 mm).",
        "Sustitución de las bobinas defectuosas.",
        "Un lote; riesgo de rechazo del cliente final.",
        "El lote del proveedor no pasó la inspección de recepción por un calibre descalibrado.",
        "Se sustituyeron las dos bobinas y se calibraron los equipos de medición de recepción.",
        "Le hemos enviado dos bobinas nuevas verificadas. Gracias por avisarnos a tiempo.",
        "measurement",
    ),
    (
        "Facturación y cobros",
        "Factura duplicada del mes de marzo",
        "Hemos recibido dos facturas con distinto número por el mismo servicio de marzo y se nos ha cargado dos veces.",
        "Anulación de la factura duplicada y devolución del cargo.",
        "Un cliente; cargo indebido de 1.240 €.",
        "La migración del programa de facturación generó de nuevo las facturas de un lote.",
        "Se emitió la factura rectificativa y se devolvió el importe en 48 horas.",
        "Hemos anulado la factura duplicada y devuelto el importe. Disculpe las molestias.",
        "machine",
    ),
    (
        "Atención recibida",
        "Nadie devuelve nuestras llamadas",
        "Llevamos tres días llamando al número de atención al cliente. Dejamos mensajes y nadie nos llama.",
        "Que nos llamen hoy y un contacto directo.",
        "Un cliente molesto; riesgo de pérdida.",
        "El buzón de voz no avisaba al equipo: los mensajes se revisaban una vez por semana.",
        "Se asignó un gestor de referencia y se configuró el aviso por correo de cada mensaje de voz.",
        "Le hemos asignado un gestor de referencia con teléfono directo. Los mensajes se atienden ahora el mismo día.",
        "method",
    ),
    (
        "Incumplimiento de requisitos",
        "El informe no incluye el apartado pactado en el contrato",
        "El informe trimestral no incluye el análisis por centro que figura en el anexo II del contrato.",
        "Reedición del informe con el apartado completo.",
        "Incumplimiento contractual leve.",
        "La plantilla del informe no se actualizó al firmar el anexo II.",
        "Se reeditó el informe y se añadió el apartado a la plantilla.",
        "Le enviamos el informe completo. Hemos actualizado nuestra plantilla para incluir siempre ese apartado.",
        "method",
    ),
    (
        "Documentación y certificados",
        "Falta el certificado de calidad del lote",
        "El lote 2407 llegó sin certificado de calidad y nuestro cliente no lo acepta sin él.",
        "Envío urgente del certificado.",
        "Mercancía retenida en el cliente final.",
        "El certificado se generaba a mano y se olvidó en la expedición.",
        "Se envió el certificado y se automatizó su adjunto en el albarán.",
        "Le hemos enviado el certificado por correo; a partir de ahora irá siempre adjunto al albarán.",
        "manpower",
    ),
    (
        "Servicio técnico y postventa",
        "El técnico no se presentó a la cita",
        "Teníamos cita para la revisión de la caldera el martes por la mañana. Esperamos toda la mañana y nadie vino ni avisó.",
        "Nueva cita esta semana.",
        "Servicio no prestado; molestias al cliente.",
        "La cita se asignó a un técnico de baja por un error en el calendario compartido.",
        "Se dio nueva cita en 48 horas y se revisó el calendario de técnicos.",
        "Le pedimos disculpas. El técnico acudirá el jueves a las 10:00.",
        "manpower",
    ),
    (
        "Calidad del producto o servicio",
        "Botellas rotas en la entrega",
        "De las 48 cajas, seis llegaron con botellas rotas. El embalaje estaba deformado.",
        "Reposición de las botellas rotas.",
        "Pérdida de producto; imagen ante nuestros clientes.",
        "El nuevo embalaje no resistía el apilado en el camión.",
        "Se repuso el producto y se volvió al embalaje anterior.",
        "Le reponemos las botellas esta semana y hemos cambiado el embalaje.",
        "material",
    ),
    (
        "Comunicación",
        "No nos avisaron del cambio de horario",
        "Fuimos a recoger el pedido el viernes por la tarde y el almacén estaba cerrado por el horario de verano.",
        "Que avisen de estos cambios con antelación.",
        "Desplazamiento inútil del cliente.",
        "El cambio de horario se publicó solo en la web.",
        "Se envía ahora un aviso por correo a todos los clientes con recogidas programadas.",
        "Tiene razón. Desde ahora avisamos por correo de cualquier cambio de horario.",
        "environment",
    ),
    (
        "Plazo de entrega",
        "Entrega parcial sin avisar",
        "Recibimos solo 30 de las 50 unidades y el albarán indicaba 50.",
        "Entrega del resto y albarán correcto.",
        "Pedido incompleto; producción retrasada.",
        "El sistema de expedición cerró el pedido sin comprobar las unidades pendientes.",
        "Se entregaron las 20 unidades al día siguiente y se corrigió el albarán.",
        "Las 20 unidades restantes salen hoy. Hemos corregido el albarán.",
        "machine",
    ),
    (
        "Facturación y cobros",
        "Precio distinto al de la oferta",
        "La factura aplica la tarifa general y no el precio de la oferta aceptada.",
        "Factura rectificativa con el precio ofertado.",
        "Diferencia de 380 € a favor del cliente.",
        "La oferta no se vinculó al pedido en el sistema.",
        "Se emitió la rectificativa y se vinculan ahora las ofertas al pedido.",
        "Le enviamos la factura rectificativa con el precio de la oferta.",
        "method",
    ),
    (
        "Atención recibida",
        "Trato poco amable en el mostrador",
        "El empleado del mostrador contestó de malas maneras a nuestra compañera cuando preguntó por su pedido.",
        "Una disculpa.",
        "Un cliente; imagen de la empresa.",
        "Pico de trabajo sin refuerzo en el mostrador y falta de formación en atención al cliente.",
        "Se pidió disculpas y se programó formación en atención al cliente para el equipo.",
        "Le pedimos disculpas sinceras. El equipo recibirá formación en atención al cliente este mes.",
        "manpower",
    ),
]

SUGGESTIONS = [
    (
        "Portal de clientes en inglés",
        "Parte de nuestro equipo no habla español. ¿Podrían ofrecer el portal también en inglés?",
    ),
    ("Avisos por SMS de la entrega", "Nos vendría muy bien un SMS el día antes de cada entrega con la franja horaria."),
    (
        "Factura electrónica en formato Facturae",
        "Nuestra administración pública necesita recibir las facturas en Facturae.",
    ),
    (
        "Pedido mínimo más bajo",
        "Para clientes pequeños el pedido mínimo actual es alto; proponemos reducirlo a la mitad.",
    ),
    ("Catálogo con fichas técnicas descargables", "Sería útil descargar las fichas técnicas en PDF desde el catálogo."),
    ("Horario de atención ampliado", "Proponemos ampliar la atención telefónica hasta las 19:00."),
    ("Informe mensual de consumos", "Un informe mensual de consumos nos ayudaría a planificar las compras."),
    ("Embalaje reutilizable", "¿Podrían usar cajas reutilizables y recogerlas en la siguiente entrega?"),
]

COMPLIMENTS = [
    (
        "Excelente trabajo del equipo de instalación",
        "Queremos agradecer al equipo su puntualidad y limpieza durante la instalación.",
    ),
    ("Gracias por la rapidez", "Resolvieron nuestra incidencia en menos de una hora. ¡Muchas gracias!"),
    ("Muy buena atención de Marta", "Marta nos ayudó con mucha paciencia a configurar el pedido recurrente."),
    ("Entrega impecable", "Todo llegó a tiempo y perfectamente embalado. Así da gusto."),
]

PUBLIC_PEOPLE = [
    ("Rosa Delgado", "rosa.delgado@correo.es", "Cafetería La Esquina"),
    ("Luis Peña", "luis.pena@gmail.com", ""),
    ("Ana Belén Soto", "absoto@hotmail.es", "Peluquería Soto"),
    ("Gonzalo Rivas", "grivas@rivasyasociados.com", "Rivas y Asociados"),
]

IMPROVEMENT_ACTIONS = {
    "Portal de clientes en inglés": ["Traducir el portal al inglés.", "Revisar la traducción con un cliente."],
    "Avisos por SMS de la entrega": ["Contratar el servicio de SMS.", "Configurar el aviso la víspera de la entrega."],
    "Factura electrónica en formato Facturae": ["Activar la exportación Facturae.", "Probar el envío con FACe."],
}
CORRECTIVE_ACTIONS = [
    "Revisar y actualizar el procedimiento afectado.",
    "Formar al equipo implicado en el procedimiento revisado.",
    "Añadir un control en la expedición para detectar el fallo.",
    "Comunicar el cambio a los clientes afectados.",
]


@dataclass
class Story:
    """What happened to one record, as moments in time (None: it has not happened)."""

    kind: str
    received: dt.datetime
    severity: str = "medium"
    acknowledged: dt.datetime | None = None
    assessed: dt.datetime | None = None
    pauses: list[tuple[dt.datetime, dt.datetime | None]] = field(default_factory=list)
    resolved: dt.datetime | None = None
    first_resolved: dt.datetime | None = None
    reopened: dt.datetime | None = None
    answered: dt.datetime | None = None
    accepted: bool | None = None
    closed: dt.datetime | None = None
    rejected: dt.datetime | None = None
    plan: str = ""  # the state its action plan reached, if it started one

    @property
    def status(self) -> str:
        if self.rejected:
            return S.REJECTED
        if self.closed:
            return S.CLOSED
        if self.resolved:
            return S.RESOLVED
        if self.pauses and self.pauses[-1][1] is None:
            return S.WAITING_CUSTOMER
        if self.assessed:
            return S.IN_ANALYSIS
        if self.acknowledged:
            return S.ACKNOWLEDGED
        return S.RECEIVED


def _hours(value: float) -> dt.timedelta:
    return dt.timedelta(minutes=round(value * 60))


def _received(ctx, days_ago: float) -> dt.datetime:
    """Most arrive in office hours; some in the evening or at the weekend (web, e-mail)."""
    moment = ctx.working_time(days_ago)
    if ctx.rng.random() < 0.15:
        moment = timezone.localtime(ctx.now - dt.timedelta(days=days_ago)).replace(
            hour=ctx.rng.choice([7, 20, 21, 22]), minute=ctx.rng.randint(0, 59), second=0, microsecond=0
        )
    # Recent ones: never later than a little while ago.
    return min(moment, ctx.now - dt.timedelta(minutes=ctx.rng.randint(20, 180)))


def _story(ctx, calendar, kind: str, days_ago: float, severity: str, policy, stop: str = "") -> Story:
    """A complaint's history: acknowledged and resolved mostly in time, with the usual exceptions.
    `stop` leaves it open at a step: received, acknowledged, in_analysis, waiting or resolved."""
    rng = ctx.rng
    now = ctx.now
    story = Story(kind=kind, received=_received(ctx, days_ago), severity=severity)
    acknowledge, resolve = (float(h) for h in policy[severity]) if kind == "complaint" else (8.0, 45.0)

    def at(start: dt.datetime, hours: float) -> dt.datetime | None:
        moment = calendar.add(start, _hours(hours))
        return moment if moment < now else None

    if stop == "received":
        return story
    late_ack = rng.random() < 0.09
    story.acknowledged = at(
        story.received, acknowledge * (rng.uniform(1.1, 1.9) if late_ack else rng.uniform(0.05, 0.7))
    )
    if story.acknowledged is None:
        return story
    if kind != "compliment" and rng.random() < 0.05:
        story.rejected = at(story.acknowledged, rng.uniform(0.5, 4))
        return story
    if kind == "compliment":
        story.closed = at(story.acknowledged, rng.uniform(0.1, 2))
        return story
    if stop == "acknowledged":
        return story
    story.assessed = at(story.acknowledged, rng.uniform(0.1, 1.5))
    if story.assessed is None or stop == "in_analysis":
        return story
    consumed = calendar.between(story.received, story.assessed)
    if stop == "waiting":
        pause_start = at(story.assessed, rng.uniform(0.5, 6))
        if pause_start is not None:
            story.pauses.append((pause_start, None))
        return story
    if rng.random() < 0.2:
        pause_start = at(story.assessed, rng.uniform(1, max(resolve * 0.3, 2)))
        if pause_start is None:
            return story
        pause_end = at(pause_start, rng.uniform(3, 30))
        story.pauses.append((pause_start, pause_end))
        if pause_end is None:
            return story
    paused = sum((calendar.between(p, r) for p, r in story.pauses), dt.timedelta(0))
    late = rng.random() < 0.12
    target = resolve * (rng.uniform(1.05, 1.7) if late else rng.uniform(0.25, 0.95))
    target_time = max(_hours(target), consumed + _hours(1))
    story.resolved = calendar.add(story.received, target_time + paused)
    if story.pauses:
        story.resolved = max(story.resolved, calendar.add(story.pauses[-1][1], _hours(1)))
    if story.resolved >= now:
        story.resolved = None
        return story
    if stop == "resolved":
        return story
    story.answered = at(story.resolved, rng.uniform(4, 30))
    if story.answered is None:
        return story
    story.accepted = rng.random() < 0.92
    if not story.accepted and kind == "complaint" and rng.random() < 0.7:
        # The customer objected: the complaint goes back to the analysis and is resolved again.
        story.first_resolved, story.reopened = story.resolved, story.answered
        story.resolved = at(story.reopened, rng.uniform(3, 20))
        story.answered = story.accepted = None
        if story.resolved is None:
            return story
        story.answered = at(story.resolved, rng.uniform(2, 16))
        if story.answered is None:
            return story
        story.accepted = True
    story.closed = at(story.answered, rng.uniform(0.2, 2))
    return story


def _sla_fields(story: Story, feedback: Feedback, calendar, policy, now: dt.datetime) -> dict[str, Any]:
    """The SLA clock of `story`, computed like the services would have at the time."""
    paused = sum((calendar.between(p, r) for p, r in story.pauses if r), dt.timedelta(0))
    if story.reopened and story.first_resolved:
        paused += calendar.between(story.first_resolved, story.reopened)
    answered_at = story.resolved or story.rejected
    scratch = Feedback(
        kind=story.kind,
        severity=story.severity,
        received_at=story.received,
        sla_paused_seconds=int(paused.total_seconds()),
    )
    sla.schedule(scratch, calendar=calendar, policy=policy)
    fields: dict[str, Any] = {
        name: getattr(scratch, name)
        for name in (
            "acknowledge_target_hours",
            "resolve_target_hours",
            "acknowledge_due_at",
            "acknowledge_warn_at",
            "resolve_due_at",
            "resolve_warn_at",
        )
    }
    current_pause = story.pauses[-1][0] if story.pauses and story.pauses[-1][1] is None else None
    fields.update(
        acknowledged_at=story.acknowledged or story.rejected,
        resolved_at=answered_at,
        sla_paused_seconds=int(paused.total_seconds()),
        sla_paused_at=current_pause,
        resolution_seconds=max(int((calendar.between(story.received, answered_at) - paused).total_seconds()), 0)
        if answered_at
        else None,
        acknowledge_breached_at=None,
        resolve_breached_at=None,
    )
    if scratch.acknowledge_due_at is not None:
        if (fields["acknowledged_at"] or now) > scratch.acknowledge_due_at:
            fields["acknowledge_breached_at"] = scratch.acknowledge_due_at
        due = scratch.resolve_due_at
        # A first resolution later than the deadline of the time (before the reopening moved it).
        before_reopening = calendar.add(
            story.received,
            sla.hours(scratch.resolve_target_hours)
            + sum((calendar.between(p, r) for p, r in story.pauses if r), dt.timedelta(0)),
        )
        first_late = story.first_resolved is not None and story.first_resolved > before_reopening
        stopped_in_time = current_pause is not None and current_pause <= due
        if first_late or (not stopped_in_time and (answered_at or now) > due):
            fields["resolve_breached_at"] = before_reopening if first_late else due
    return fields


def _walk(ctx, story: Story, feedback: Feedback, agent, content: dict[str, str]) -> Feedback:
    """Move the record through the services, step by step, to the status of its story."""
    if story.status == S.RECEIVED:
        return feedback

    def move(to: str, note: str = "", *, when: dt.datetime | None, **data: Any) -> None:
        nonlocal feedback
        with audit.as_of(when):  # the step log shows when each step happened
            feedback = services.feedback_transition(actor=agent, feedback=feedback, to=to, note=note, data=data)

    def answer(accepted: bool, note: str, when: dt.datetime | None) -> None:
        nonlocal feedback
        with audit.as_of(when):
            feedback = services.feedback_record_answer(actor=agent, feedback=feedback, accepted=accepted, note=note)

    move(S.ACKNOWLEDGED, when=story.acknowledged)
    if story.rejected:
        move(S.REJECTED, content["rejection"], when=story.rejected)
        return feedback
    if story.kind == "compliment":
        if story.closed:
            move(
                S.CLOSED,
                when=story.closed,
                response_to_customer="Muchas gracias por su mensaje: lo hemos compartido con el equipo.",
            )
        return feedback
    if not story.assessed:
        return feedback
    move(
        S.IN_ANALYSIS,
        when=story.assessed,
        severity=story.severity,
        impact=content["impact"],
        immediate_action_needed=story.severity in ("high", "critical"),
        immediate_action="Contacto telefónico con el cliente y solución provisional el mismo día.",
    )
    for start, end in story.pauses:
        move(S.WAITING_CUSTOMER, "Se piden al cliente fotografías y el número de albarán.", when=start)
        if end is None:
            return feedback
        move(S.IN_ANALYSIS, when=end)
    if not (story.resolved or story.first_resolved):
        return feedback
    resolution = {k: content[k] for k in ("root_cause", "resolution", "response_to_customer")}
    if story.kind == "suggestion":
        resolution.pop("root_cause")
    move(S.RESOLVED, when=story.first_resolved or story.resolved, **resolution)
    if story.reopened:
        answer(False, "El cliente indica que el problema persiste.", story.reopened)
        move(S.IN_ANALYSIS, "El cliente no acepta la resolución: el problema persiste.", when=story.reopened)
        if not story.resolved:
            return feedback
        move(S.RESOLVED, when=story.resolved, **resolution)
    if story.accepted is not None:
        note = "Conforme con la solución." if story.accepted else "No está de acuerdo con el abono propuesto."
        answer(story.accepted, note, story.answered)
    if story.closed:
        move(S.CLOSED, when=story.closed)
    return feedback


def _backdate(story: Story, feedback: Feedback, calendar, policy, now: dt.datetime, assessor) -> None:
    fields = _sla_fields(story, feedback, calendar, policy, now)
    fields.update(
        created_at=min(story.received + dt.timedelta(minutes=7), now),
        assessed_at=story.assessed,
        responded_at=story.resolved or story.rejected or (story.closed if story.kind == "compliment" else None),
        customer_decision_at=story.answered if story.accepted is not None else None,
        closed_at=story.closed,
    )
    Feedback.objects.filter(pk=feedback.pk).update(**fields)


def load(ctx) -> None:
    rng = ctx.rng
    now = ctx.now
    calendar = default_calendar()
    policy = sla.targets()
    customers = [c for c in ctx.shared.get("customers", []) if c.status in ("active", "inactive")]
    contacts = ctx.shared.get("contacts", {})
    agents = ctx.staff["customer_service"]
    quality = ctx.users["quality"]
    categories = {c.name: c for c in Category.objects.all()}

    # Plans opened in the last months are still under way; older ones have been verified.
    recent_plans = ["in_progress"] * 4 + ["open"] * 2 + ["pending_verification"] * 2
    older_plans = ["closed"] * 9 + ["not_effective", "follow_up", "cancelled"]
    rng.shuffle(recent_plans)
    rng.shuffle(older_plans)

    specs: list[tuple[str, float, int, str]] = []  # kind, days ago, template index, open at step
    for _ in range(120):
        specs.append(("complaint", rng.uniform(20, 545), rng.randrange(len(COMPLAINTS)), ""))
    # The open ones: received in the last two weeks, left at every step of the process.
    for stop, count in (("received", 4), ("acknowledged", 3), ("in_analysis", 6), ("waiting", 3), ("resolved", 4)):
        for _ in range(count):
            days_ago = rng.uniform(0.1, 3) if stop == "received" else rng.uniform(1, 12)
            specs.append(("complaint", days_ago, rng.randrange(len(COMPLAINTS)), stop))
    for index in range(len(SUGGESTIONS)):
        for _ in range(3):
            specs.append(("suggestion", rng.uniform(3, 540), index, ""))
    for index in range(len(COMPLIMENTS)):
        for _ in range(4):
            specs.append(("compliment", rng.uniform(1, 540), index, ""))

    stories = []
    for kind, days_ago, index, stop in specs:
        severity = rng.choices(["low", "medium", "high", "critical"], weights=[25, 45, 22, 8])[0]
        stories.append((_story(ctx, calendar, kind, days_ago, severity, policy, stop), index))
    stories.sort(key=lambda pair: pair[0].received)  # numbers follow the order of receipt

    accepted_suggestions: dict[str, Feedback] = {}
    for story, index in stories:
        agent = rng.choice(agents) if rng.random() < 0.85 else quality
        public = rng.random() < 0.12 or not customers
        customer = None if public else rng.choice(customers)
        contact = rng.choice(contacts.get(customer.pk) or [None]) if customer else None
        person = rng.choice(PUBLIC_PEOPLE)
        if story.kind == "complaint":
            category, subject, description, remedy, impact, cause, resolution, response, _m = COMPLAINTS[index]
        elif story.kind == "suggestion":
            subject, description = SUGGESTIONS[index]
            category, remedy, impact, cause = "Comunicación", "", "", ""
            resolution = "Se incorpora al plan de mejora del servicio."
            response = "Gracias por su sugerencia: la pondremos en marcha en los próximos meses."
        else:
            subject, description = COMPLIMENTS[index]
            category, remedy, impact, cause, resolution, response = "", "", "", "", "", ""
        data = {
            "kind": story.kind,
            "channel": "web" if public else rng.choice(["email", "phone", "phone", "email", "meeting", "chat"]),
            "received_at": story.received,
            "subject": subject,
            "description": description,
            "remedy_sought": remedy,
            "severity": story.severity if story.kind == "complaint" else "medium",
            "category": categories.get(category),
            "customer": customer,
            "contact": contact,
            "assigned_to": agent if story.status != S.RECEIVED or rng.random() < 0.5 else None,
        }
        if public:
            data.update(submitter_name=person[0], submitter_email=person[1], submitter_organisation=person[2])
        with audit.as_of(story.received):
            feedback = services.feedback_create(actor=agent, data=data)
        content = {
            "impact": impact or "Sin impacto operativo.",
            "root_cause": cause,
            "resolution": resolution,
            "response_to_customer": response,
            "rejection": rng.choice(
                [
                    "Duplicada: el cliente ya la presentó por correo electrónico.",
                    "No procede: el plazo contratado es de diez días, y se cumplió.",
                    "Fuera de alcance: el producto no es nuestro.",
                ]
            ),
        }
        if story.kind == "suggestion" and story.status in (S.RESOLVED, S.CLOSED) and rng.random() < 0.3:
            story.rejected, story.resolved, story.closed = story.resolved, None, None
            story.answered = story.accepted = None
            content["rejection"] = "No es viable por ahora; la revisaremos en el próximo presupuesto."
        feedback = _walk(ctx, story, feedback, agent, content)
        _backdate(story, feedback, calendar, policy, now, quality)
        feedback.refresh_from_db()
        if story.kind == "complaint" and story.status == S.CLOSED and rng.random() < 0.35:
            pool = recent_plans if now - feedback.resolved_at < dt.timedelta(days=100) else older_plans
            if pool:
                _complaint_plan(ctx, feedback, pool.pop(), COMPLAINTS[index][8])
        if story.kind == "suggestion" and feedback.evaluation == "accepted" and subject in IMPROVEMENT_ACTIONS:
            accepted_suggestions.setdefault(subject, feedback)

    for subject, suggestion in accepted_suggestions.items():
        state = (
            "closed" if now - suggestion.resolved_at > dt.timedelta(days=120) else rng.choice(["in_progress", "open"])
        )
        build_plan(
            ctx,
            PlanStory(
                data={
                    "kind": "improvement",
                    "origin": "feedback",
                    "title": f"{suggestion.number} · {subject}",
                    "problem": suggestion.description,
                    "owner": ctx.users["sales_manager"],
                },
                state=state,
                opened=min(suggestion.resolved_at + dt.timedelta(days=3), now - dt.timedelta(days=2)),
                actions=IMPROVEMENT_ACTIONS[subject],
                criterion="Al menos el 60 % de los clientes que lo piden lo usan en tres meses.",
                evidence="El 72 % de los clientes que lo pidieron ya lo usan.",
            ),
            source=suggestion,
        )
    renumber(ctx)

    # The demo's own moves notified many people; keep only what is true today: the escalation job
    # records (again, with the same deadlines) the breaches of open complaints and warns of the rest.
    Notification.objects.filter(kind__startswith="feedback_").delete()
    Notification.objects.filter(kind__startswith="action").delete()
    Feedback.objects.filter(status=S.RECEIVED).update(acknowledge_breached_at=None)
    Feedback.objects.filter(status__in=[S.ACKNOWLEDGED, S.IN_ANALYSIS], resolve_breached_at=F("resolve_due_at")).update(
        resolve_breached_at=None
    )
    for feedback in services.sla_candidates(timezone.now()):
        services.feedback_check_sla(feedback=feedback)
    notify_overdue_actions()


def _complaint_plan(ctx, complaint: Feedback, state: str, ishikawa_category: str) -> None:
    rng = ctx.rng
    opened = min(complaint.resolved_at + dt.timedelta(days=rng.randint(1, 6)), ctx.now - dt.timedelta(days=3))
    cause = complaint.root_cause or "Causa por determinar."
    build_plan(
        ctx,
        PlanStory(
            data={
                "kind": "corrective",
                "origin": "feedback",
                "title": f"{complaint.number} · {complaint.subject}",
                "problem": complaint.description,
                "containment": complaint.resolution,
                "customer": complaint.customer,
            },
            state=state,
            opened=opened,
            actions=rng.sample(CORRECTIVE_ACTIONS, rng.randint(1, 3)),
            analysis={
                "root_cause_method": rng.choice(["five_whys", "both"]),
                "five_whys": [
                    {"why": f"¿Por qué ocurrió «{complaint.subject.lower()}»?", "answer": cause},
                    {"why": "¿Por qué no se detectó antes?", "answer": "No había un control en ese punto del proceso."},
                    {"why": "¿Por qué no había control?", "answer": "El procedimiento no lo preveía."},
                ],
                "ishikawa": _ishikawa(ishikawa_category, cause),
                "root_cause": f"{cause} El procedimiento no incluía un control que lo detectara.",
                "correction": complaint.resolution,
                "consequences": "Se compensó al cliente y se revisaron los pedidos abiertos.",
                "similar_cases_checked": True,
                "similar_cases": "Revisados los pedidos del mismo mes: sin otros casos.",
                "risk_update_needed": rng.random() < 0.3,
            },
        ),
        source=complaint,
    )


def _ishikawa(category: str, cause: str) -> dict[str, list[str]]:
    causes = {
        "method": ["Procedimiento sin control de verificación"],
        "manpower": ["Personal nuevo sin formación específica"],
    }
    causes.setdefault(category, []).insert(0, cause)
    return causes
