"""Demo training records: customer-service competences and what each role requires, six courses,
sessions over six quarters with attendance and evaluations, and a few competences about to expire."""

import datetime as dt
import decimal

from django.utils import timezone

from clientela.core.permissions import Role

from . import services
from .models import Attendance, Competence, CompetenceEvaluation, Course, TrainingNeed, TrainingSession

# code, name, validity (months), description
COMPETENCES = [
    (
        "ATC-QUEJAS",
        "Gestión de quejas según ISO 10002",
        24,
        "Recibir, evaluar, investigar y responder quejas con trazabilidad.",
    ),
    (
        "ATC-EMPATIA",
        "Comunicación empática con el cliente",
        36,
        "Escucha activa, lenguaje claro y manejo de clientes disgustados.",
    ),
    (
        "ATC-CRM",
        "Uso del CRM Clientela",
        0,
        "Registrar interacciones, quejas y requisitos de forma completa y a tiempo.",
    ),
    (
        "ATC-RGPD",
        "Protección de datos (RGPD) en atención al cliente",
        12,
        "Base legal, derechos de los interesados y bloqueo de datos.",
    ),
    (
        "COM-RENOV",
        "Negociación y renovación de contratos",
        36,
        "Revisión del contrato, detección de riesgos y propuesta de renovación.",
    ),
    (
        "OPE-ENTREGA",
        "Control de entregas y conformidad",
        24,
        "Verificar la entrega contra los criterios de aceptación y registrar evidencias.",
    ),
    (
        "CAL-CAUSA",
        "Análisis de causa raíz (5 porqués e Ishikawa)",
        36,
        "Investigar no conformidades hasta la causa y verificar la eficacia.",
    ),
]
REQUIREMENTS = {
    Role.CUSTOMER_SERVICE: {"ATC-QUEJAS": 3, "ATC-EMPATIA": 3, "ATC-CRM": 3, "ATC-RGPD": 3},
    Role.ACCOUNT_MANAGER: {"ATC-EMPATIA": 3, "ATC-CRM": 3, "ATC-RGPD": 3, "COM-RENOV": 3, "ATC-QUEJAS": 2},
    Role.SALES_MANAGER: {"COM-RENOV": 4, "ATC-CRM": 3, "ATC-RGPD": 3, "ATC-EMPATIA": 3},
    Role.OPERATIONS: {"OPE-ENTREGA": 3, "ATC-RGPD": 2, "ATC-CRM": 2},
    Role.QUALITY: {"ATC-QUEJAS": 4, "CAL-CAUSA": 4, "ATC-RGPD": 3},
    Role.MANAGEMENT: {"ATC-RGPD": 2},
}
# code, title, hours, modality, provider name (external) or "", competences, objectives
COURSES = [
    (
        "CUR-QUEJAS",
        "Gestión de quejas según ISO 10002",
        "8",
        "in_person",
        "",
        ["ATC-QUEJAS", "CAL-CAUSA"],
        "Ciclo completo de una queja: acuse, evaluación inicial, investigación, respuesta y cierre con aceptación del cliente.",
    ),
    (
        "CUR-EMPATIA",
        "Comunicación empática con el cliente",
        "6",
        "in_person",
        "Instituto de Formación Empresarial del Norte",
        ["ATC-EMPATIA"],
        "Técnicas de escucha activa, desescalada de conflictos y redacción de respuestas claras.",
    ),
    (
        "CUR-CRM",
        "Uso del CRM Clientela",
        "4",
        "online",
        "",
        ["ATC-CRM"],
        "Ficha 360° del cliente, registro de interacciones, quejas y requisitos; informes y exportaciones.",
    ),
    (
        "CUR-RGPD",
        "Protección de datos (RGPD) en atención al cliente",
        "3",
        "online",
        "Lex Privacy Consultores S.L.",
        ["ATC-RGPD"],
        "Bases legales, consentimiento para encuestas, derechos ARSOPL y bloqueo de datos (LOPDGDD art. 32).",
    ),
    (
        "CUR-RENOV",
        "Negociación y renovación de contratos",
        "8",
        "blended",
        "",
        ["COM-RENOV"],
        "Revisión del contrato (ISO 9001 8.2.3), preparación de la renovación y negociación basada en valor.",
    ),
    (
        "CUR-ENTREGA",
        "Control de entregas y conformidad",
        "4",
        "in_person",
        "",
        ["OPE-ENTREGA"],
        "Criterios de aceptación, registro de entregas y tratamiento de entregas no conformes.",
    ),
]
# course code, days ago (negative: future), trainer role or "", location
SESSIONS = [
    ("CUR-CRM", 520, "sales_manager", "Aula virtual Teams"),
    ("CUR-RGPD", 505, "", "Aula virtual Zoom"),
    ("CUR-QUEJAS", 470, "quality", "Sala de formación, planta 2"),
    ("CUR-EMPATIA", 430, "", "Sala de formación, planta 2"),
    ("CUR-RENOV", 395, "sales_manager", "Sala de reuniones Dirección"),
    ("CUR-ENTREGA", 360, "quality", "Almacén central"),
    ("CUR-RGPD", 345, "", "Aula virtual Zoom"),
    ("CUR-CRM", 290, "sales_manager", "Aula virtual Teams"),
    ("CUR-QUEJAS", 230, "quality", "Sala de formación, planta 2"),
    ("CUR-EMPATIA", 160, "", "Sala de formación, planta 2"),
    ("CUR-RENOV", 110, "sales_manager", "Sala de reuniones Dirección"),
    ("CUR-QUEJAS", 45, "quality", "Sala de formación, planta 2"),
    ("CUR-RGPD", -20, "", "Aula virtual Zoom"),
    ("CUR-EMPATIA", -45, "", "Sala de formación, planta 2"),
]
METHODS = ["observation", "test", "case_review", "customer_feedback"]
NOTES = [
    "Resuelve los casos prácticos con criterio y registra la trazabilidad completa.",
    "Aplica lo aprendido en las llamadas observadas; mejora el tono en situaciones tensas.",
    "Supera la prueba práctica; se recomienda repasar los plazos de respuesta.",
    "Las respuestas revisadas cumplen la plantilla y los plazos acordados.",
]


def load(ctx) -> None:
    if Competence.objects.filter(code="ATC-QUEJAS").exists():
        return
    rng = ctx.rng
    quality = ctx.users["quality"]
    competences = {
        code: services.competence_create(
            actor=quality,
            data={"code": code, "name": name, "validity_months": months, "description": description},
        )
        for code, name, months, description in COMPETENCES
    }
    for role, needed in REQUIREMENTS.items():
        for code, level in needed.items():
            services.requirement_set(actor=quality, role=role, competence=competences[code], level=level)
    courses = {}
    for code, title, hours, modality, provider, codes, objectives in COURSES:
        courses[code] = services.course_create(
            actor=quality,
            data={
                "code": code,
                "title": title,
                "duration_hours": decimal.Decimal(hours),
                "modality": modality,
                "provider": "external" if provider else "internal",
                "provider_name": provider,
                "competences": [competences[c] for c in codes],
                "objectives": objectives,
            },
        )

    people = [u for role, users in ctx.staff.items() if role != Role.ADMIN for u in users]
    people = list({u.pk: u for u in people}.values())
    roles = {u.pk: {r for r, users in ctx.staff.items() for x in users if x.pk == u.pk} for u in people}
    trainers = {ctx.users.get(role) for _code, _days, role, _place in SESSIONS if role}
    _baseline(ctx, competences, people, roles, trainers)
    for code, days_ago, trainer_role, location in SESSIONS:
        course = courses[code]
        starts = ctx.working_time(days_ago) if days_ago > 0 else _future(ctx, -days_ago)
        trainer = ctx.users.get(trainer_role) if trainer_role else None
        session = services.session_create(
            actor=quality,
            course=course,
            data={
                "starts_at": starts.replace(hour=9, minute=30),
                "trainer": trainer,
                "trainer_name": "" if trainer else (course.provider_name or "Formador externo"),
                "modality": "online" if course.modality == "online" else "in_person",
                "location": location,
            },
        )
        audience = [p for p in people if _needs_course(roles[p.pk], course) and p != trainer]
        if days_ago <= 0:
            for person in audience:
                services.attendance_record(actor=quality, session=session, person=person, status="registered")
            continue
        session = services.session_transition(actor=quality, session=session, to=TrainingSession.Status.HELD)
        for person in audience:
            roll = rng.random()
            status = "attended" if roll < 0.86 else "excused" if roll < 0.94 else "absent"
            hours = course.duration_hours if status == "attended" and rng.random() < 0.9 else None
            if status == "attended" and hours is None:
                hours = course.duration_hours - decimal.Decimal("1")
            services.attendance_record(actor=quality, session=session, person=person, status=status, hours=hours)
            if status == "attended":
                _evaluate(ctx, session, person, competences, roles[person.pk])
    _needs(ctx, competences, people, roles)
    services.competence_expiry_run(today=timezone.localdate())


def _baseline(ctx, competences, people, roles, trainers) -> None:
    """The initial assessment of everyone's required competences, before the training plan started."""
    rng = ctx.rng
    evaluated_on = timezone.localtime(ctx.working_time(545)).date()
    for person in people:
        evaluator = ctx.users["quality"] if person != ctx.users["quality"] else ctx.users["management"]
        required: dict[str, int] = {}
        for role in roles[person.pk]:
            for code, level in REQUIREMENTS.get(role, {}).items():
                required[code] = max(required.get(code, 0), level)
        for code, level in sorted(required.items()):
            reached = 4 if person in trainers else max(1, min(4, level + rng.choice([-2, -1, -1, 0, 0, 1])))
            services.evaluation_record(
                actor=evaluator,
                data={
                    "person": person,
                    "competence": competences[code],
                    "evaluator": evaluator,
                    "evaluated_on": evaluated_on,
                    "method": "interview",
                    "level_after": reached,
                    "result": CompetenceEvaluation.Result.COMPETENT
                    if reached >= level
                    else CompetenceEvaluation.Result.NOT_YET,
                    "notes": "Evaluación inicial de competencias del plan de formación.",
                },
            )


def _future(ctx, days: int) -> dt.datetime:
    moment = timezone.localtime(ctx.now + dt.timedelta(days=days))
    while moment.weekday() >= 5:
        moment += dt.timedelta(days=1)
    return moment


def _needs_course(person_roles: set[str], course: Course) -> bool:
    wanted = {c.code for c in course.competences.all()}
    return any(code in wanted for role in person_roles for code in REQUIREMENTS.get(role, {}))


def _evaluate(ctx, session: TrainingSession, person, competences, person_roles: set[str]) -> None:
    rng = ctx.rng
    evaluator = ctx.users["quality"] if person != ctx.users["quality"] else ctx.users["management"]
    held = timezone.localtime(session.starts_at).date()
    evaluated_on = min(held + dt.timedelta(days=rng.randint(10, 35)), timezone.localdate())
    for competence in session.course.competences.all():
        required = max((REQUIREMENTS.get(r, {}).get(competence.code, 0) for r in person_roles), default=0)
        if not required:
            continue
        before = rng.choice([1, 2, 2, 3]) if required > 1 else 1
        competent = rng.random() < 0.85
        after = max(before, required if competent else required - 1)
        if competent and after < 2:
            after = 2
        services.evaluation_record(
            actor=evaluator,
            data={
                "person": person,
                "competence": competence,
                "session": session,
                "evaluator": evaluator,
                "evaluated_on": evaluated_on,
                "method": rng.choice(METHODS),
                "level_before": before,
                "level_after": after,
                "result": CompetenceEvaluation.Result.COMPETENT if competent else CompetenceEvaluation.Result.NOT_YET,
                "notes": rng.choice(NOTES),
            },
        )
        already = TrainingNeed.objects.filter(
            person=person, competence=competence, status__in=TrainingNeed.OPEN_STATUSES
        ).exists()
        if not competent and not already:
            services.need_create(
                actor=evaluator,
                data={
                    "person": person,
                    "competence": competence,
                    "source": TrainingNeed.Source.EVALUATION,
                    "reason": "La evaluación posterior a la formación no alcanza el nivel requerido: "
                    "reforzar con práctica supervisada.",
                    "due_date": evaluated_on + dt.timedelta(days=90),
                },
            )


def _needs(ctx, competences, people, roles) -> None:
    """A need raised by a corrective action plan, and one planned in the next session."""
    quality = ctx.users["quality"]
    service_staff = ctx.staff.get(Role.CUSTOMER_SERVICE, [])
    if service_staff:
        person = service_staff[-1]
        has_open = TrainingNeed.objects.filter(
            person=person, competence=competences["ATC-QUEJAS"], status__in=TrainingNeed.OPEN_STATUSES
        ).exists()
        if not has_open:
            services.need_create(
                actor=quality,
                data={
                    "person": person,
                    "competence": competences["ATC-QUEJAS"],
                    "source": TrainingNeed.Source.ACTION_PLAN,
                    "reason": "Plan de acción correctiva por respuestas lentas a quejas telefónicas: "
                    "repasar los plazos de acuse y la evaluación inicial.",
                    "due_date": timezone.localdate() + dt.timedelta(days=60),
                },
            )
    upcoming = TrainingSession.objects.filter(course__code="CUR-EMPATIA", status=TrainingSession.Status.PLANNED).first()
    for person in ctx.staff.get(Role.ACCOUNT_MANAGER, [])[:1]:
        need = TrainingNeed.objects.filter(
            person=person, competence=competences["ATC-EMPATIA"], status__in=TrainingNeed.OPEN_STATUSES
        ).first() or services.need_create(
            actor=quality,
            data={
                "person": person,
                "competence": competences["ATC-EMPATIA"],
                "source": TrainingNeed.Source.REQUEST,
                "reason": "Solicitado por la gerente comercial tras dos quejas por el tono de las respuestas.",
                "due_date": timezone.localdate() + dt.timedelta(days=75),
            },
        )
        if upcoming is not None and need.status == TrainingNeed.Status.OPEN:
            services.need_transition(actor=quality, need=need, to=TrainingNeed.Status.PLANNED, session=upcoming)
            if not Attendance.objects.filter(session=upcoming, person=person).exists():
                services.attendance_record(actor=quality, session=upcoming, person=person, status="registered")
