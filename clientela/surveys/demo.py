"""Demo surveys at four touchpoints with six quarters of answers: a quarterly relationship survey
that counts toward SC (one quarter clearly below the 85 % target, and a second version of its
questions), delivery answers from invitations and a reception kiosk, satisfaction with the
resolution of complaints, welcome calls, opt-outs and follow-ups of dissatisfied customers."""

import datetime as dt
from typing import Any

from django.db.models import F
from django.utils import timezone

from clientela.core.errors import DomainError
from clientela.core.models import Notification
from clientela.core.periods import Period
from clientela.customers.models import Contact, Customer

from . import services
from .models import FollowUp, Survey, SurveyInvitation, SurveyResponse, SurveyVersion

QUARTERS = 6
# Share of satisfied customers per quarter, oldest first: the third quarter falls clearly below 85 %.
SC_PLAN = [0.88, 0.90, 0.79, 0.86, 0.91, 0.89]
ANSWER_RATE = 0.72

QUARTERLY = {
    "title": "Encuesta trimestral de relación con el cliente",
    "introduction": (
        "Cada trimestre preguntamos a nuestros clientes cómo valoran el servicio. "
        "Sus respuestas se revisan con la Alta Dirección y nos ayudan a mejorar."
    ),
    "thanks_message": "Gracias por dedicarnos unos minutos. Su gerente de cuentas revisará sus comentarios.",
    "touchpoint": "periodic",
    "counts_toward_sc": True,
    "trigger": "quarterly",
}
ASPECTS = ["Calidad del producto", "Plazos de entrega", "Atención del equipo", "Precio", "Documentación técnica"]
IMPROVE = ["Plazos de entrega", "Comunicación", "Facturación", "Soporte técnico", "Precio"]
QUARTERLY_QUESTIONS = [
    {"kind": "rating", "text": "En general, ¿qué tan satisfecho está con nuestro servicio?", "is_headline": True},
    {"kind": "nps", "text": "¿Con qué probabilidad nos recomendaría a un colega o a otra empresa?"},
    {"kind": "single_choice", "text": "¿Qué aspecto de nuestro servicio valora más?", "choices": ASPECTS},
    {
        "kind": "text",
        "text": "¿Qué fue lo que no funcionó?",
        "required": False,
        "show_if_position": 1,
        "show_if_values": [1, 2, 3],
    },
    {"kind": "multiple_choice", "text": "¿En qué deberíamos mejorar?", "choices": IMPROVE, "required": False},
    {"kind": "text", "text": "¿Algún comentario adicional?", "required": False},
]
CES_QUESTION = {"kind": "ces", "text": "¿Qué tan fácil le resulta trabajar con nosotros?", "required": False}

PRAISE = [
    "Muy contentos con la puntualidad de las entregas este trimestre.",
    "El equipo técnico respondió rápido a todas nuestras consultas.",
    "La documentación llegó completa y bien organizada.",
    "Buena comunicación con nuestro gerente de cuentas.",
    "Calidad del producto excelente, como siempre.",
    "Agradecemos la flexibilidad con los cambios de última hora.",
    "Seguimos confiando en ustedes para el próximo año.",
]
COMPLAINTS = [
    "La última entrega llegó con dos semanas de retraso y nadie nos avisó.",
    "Tuvimos que reclamar tres veces la factura corregida.",
    "El soporte técnico tarda demasiado en responder.",
    "Faltaban piezas en el pedido y la reposición fue lenta.",
    "Cambiaron de interlocutor sin avisarnos.",
    "Los certificados de calidad no venían con el envío.",
]
RESOLUTIONS = [
    "Llamé al cliente: se acordó revisar los plazos con logística y se le enviará un aviso previo en cada envío.",
    "Reunión con el cliente. Se emitió la factura corregida y se revisó el proceso de facturación.",
    "Se repusieron las piezas y se abrió una acción con el almacén para revisar el embalaje.",
    "El cliente valoró la llamada. Se le asignó un interlocutor técnico fijo.",
]


def _quarters(ctx) -> list[Period]:
    return Period.current_quarter(timezone.localdate(ctx.now)).last(QUARTERS)


def _moment(ctx, period: Period) -> dt.datetime:
    """A working-hours moment inside the period and not after today."""
    last = min(period.end, timezone.localdate(ctx.now) - dt.timedelta(days=1))
    day = period.start + dt.timedelta(days=ctx.rng.randint(0, max((last - period.start).days, 0)))
    moment = dt.datetime.combine(day, dt.time(ctx.rng.randint(9, 18), ctx.rng.choice([0, 10, 20, 30, 45])))
    return timezone.make_aware(moment).astimezone(dt.UTC)


def _backdate_response(response: SurveyResponse, at: dt.datetime) -> None:
    SurveyResponse.objects.filter(pk=response.pk).update(submitted_at=at, created_at=at)
    FollowUp.objects.filter(response=response).update(
        created_at=at, due_date=timezone.localdate(at) + dt.timedelta(days=services.FOLLOWUP_DUE_DAYS)
    )


def _publish(ctx, survey: Survey, at: dt.datetime) -> Survey:
    survey = services.survey_publish(actor=ctx.users["quality"], survey=survey)
    Survey.objects.filter(pk=survey.pk).update(created_at=at - dt.timedelta(days=10), first_published_at=at)
    SurveyVersion.objects.filter(pk=survey.current_version_id).update(
        created_at=at - dt.timedelta(days=10), published_at=at
    )
    survey.refresh_from_db()
    return survey


def _eligible(ctx) -> list[tuple[Customer, Contact]]:
    pairs = []
    for customer in ctx.shared["customers"]:
        if customer.status != Customer.Status.ACTIVE:
            continue
        contacts = [c for c in ctx.shared["contacts"].get(customer.pk, []) if c.may_be_surveyed]
        if contacts:
            pairs.append((customer, sorted(contacts, key=lambda c: not c.is_primary)[0]))
    return pairs


def _invite(
    ctx, survey: Survey, contact: Contact, at: dt.datetime, *, actor: Any = None, **extra: Any
) -> SurveyInvitation | None:
    """An invitation made at `at`; None when the rules refuse it (e.g. the frequency cap)."""
    try:
        invitation = services.invitation_create(actor=actor, survey=survey, contact=contact, **extra)
    except DomainError:
        return None
    # The e-mail went out at the time: the demo marks it sent instead of mailing old invitations.
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        status=SurveyInvitation.Status.SENT,
        created_at=at,
        sent_at=at,
        reminded_at=at + dt.timedelta(days=survey.reminder_days)
        if at + dt.timedelta(days=survey.reminder_days) < ctx.now
        else None,
    )
    invitation.refresh_from_db()
    return invitation


def _answer_invitation(invitation: SurveyInvitation, raw: dict[int, Any], at: dt.datetime) -> SurveyResponse:
    response = services.response_submit(invitation=invitation, raw=raw)
    _backdate_response(response, at)
    SurveyInvitation.objects.filter(pk=invitation.pk).update(responded_at=at, opened_at=at - dt.timedelta(minutes=4))
    return response


def _quarterly_answers(ctx, survey: Survey, satisfied: bool) -> dict[int, Any]:
    rng = ctx.rng
    questions = {q.position: q for q in survey.current_version.questions.all()}
    score = rng.choices([4, 5], [45, 55])[0] if satisfied else rng.choices([1, 2, 3], [15, 35, 50])[0]
    raw: dict[int, Any] = {
        questions[1].pk: score,
        questions[2].pk: rng.randint(8, 10) if satisfied else rng.randint(2, 7),
        questions[3].pk: rng.choice(ASPECTS),
    }
    if not satisfied:
        raw[questions[4].pk] = rng.choice(COMPLAINTS)
        raw[questions[5].pk] = rng.sample(IMPROVE, rng.randint(1, 2))
    elif rng.random() < 0.3:
        raw[questions[5].pk] = [rng.choice(IMPROVE)]
    if rng.random() < 0.35:
        raw[questions[6].pk] = rng.choice(PRAISE if satisfied else COMPLAINTS)
    if 7 in questions and rng.random() < 0.9:
        raw[questions[7].pk] = rng.randint(5, 7) if satisfied else rng.randint(2, 5)
    return raw


def _quarterly(ctx, quarters: list[Period]) -> Survey:
    rng = ctx.rng
    quality = ctx.users["quality"]
    survey = services.survey_create(actor=quality, data=QUARTERLY, questions=QUARTERLY_QUESTIONS)
    survey = _publish(ctx, survey, timezone.make_aware(dt.datetime.combine(quarters[0].start, dt.time(9))))
    pairs = _eligible(ctx)
    phone_staff = ctx.staff["customer_service"]
    for index, quarter in enumerate(quarters):
        if index == 4:
            # A second version adds the effort question; earlier answers keep version 1.
            services.question_add(actor=quality, survey=survey, data=CES_QUESTION)
            start = timezone.make_aware(dt.datetime.combine(quarter.start, dt.time(9)))
            survey = _publish(ctx, Survey.objects.get(pk=survey.pk), start)
            Survey.objects.filter(pk=survey.pk).update(first_published_at=survey.versions.get(number=1).published_at)
            survey.versions.filter(number=1).update(retired_at=start)
            survey.refresh_from_db()
        answering = [pair for pair in pairs if rng.random() < ANSWER_RATE]
        satisfied_count = round(SC_PLAN[index] * len(answering))
        flags = [True] * satisfied_count + [False] * (len(answering) - satisfied_count)
        rng.shuffle(flags)
        outcome = dict(zip([c.pk for c, _ in answering], flags, strict=True))
        for customer, contact in pairs:
            at = _moment(ctx, quarter)
            key = f"quarterly:{quarter.label}:{customer.pk}"
            invitation = None
            if customer.pk not in outcome or rng.random() > 0.15:
                invitation = _invite(
                    ctx,
                    survey,
                    contact,
                    at - dt.timedelta(days=rng.randint(1, 6)),
                    origin="quarterly",
                    trigger_key=key,
                )
            if invitation is not None:
                if customer.pk in outcome:
                    _answer_invitation(invitation, _quarterly_answers(ctx, survey, outcome[customer.pk]), at)
            elif customer.pk in outcome:
                # Some customers answer by phone to customer service (and the cap spares a second e-mail).
                response = services.response_record(
                    actor=rng.choice(phone_staff),
                    survey=survey,
                    raw=_quarterly_answers(ctx, survey, outcome[customer.pk]),
                    submitted_at=at,
                    channel=SurveyResponse.Channel.PHONE,
                    customer=customer,
                    contact=contact,
                    version=survey.current_version,
                )
                _backdate_response(response, at)
    return survey


def _delivery(ctx, quarters: list[Period]) -> Survey:
    rng = ctx.rng
    survey = services.survey_create(
        actor=ctx.users["quality"],
        data={
            "title": "Satisfacción con la entrega",
            "introduction": "Acabamos de completar una entrega para usted. ¿Cómo fue?",
            "touchpoint": "delivery",
            "trigger": "delivery",
            "reminder_days": 5,
            "invitation_days": 21,
        },
        questions=[
            {"kind": "rating", "text": "¿Qué tan satisfecho está con la entrega recibida?", "is_headline": True},
            {"kind": "yes_no", "text": "¿La entrega llegó completa y en el plazo acordado?"},
            {"kind": "ces", "text": "¿Qué tan fácil fue recibir y revisar la entrega?", "required": False},
            {"kind": "text", "text": "¿Quiere contarnos algo más?", "required": False},
        ],
    )
    survey = _publish(ctx, survey, timezone.make_aware(dt.datetime.combine(quarters[0].start, dt.time(9))))
    survey = services.survey_open_link(actor=ctx.users["quality"], survey=survey, enabled=True)
    q = {x.position: x.pk for x in survey.current_version.questions.all()}
    comments = [
        "Entrega completa y a tiempo.",
        "El transportista fue muy amable.",
        "Embalaje deficiente: dos cajas llegaron dañadas.",
        "Faltaba el albarán firmado.",
    ]
    # Deliveries are received by someone other than the main contact, who gets the quarterly survey.
    receivers = []
    for customer in ctx.shared["customers"]:
        contacts = [c for c in ctx.shared["contacts"].get(customer.pk, []) if c.may_be_surveyed and not c.is_primary]
        if customer.status == Customer.Status.ACTIVE and contacts:
            receivers.append(contacts[0])
    for quarter in quarters[:-1]:
        for contact in rng.sample(receivers, min(len(receivers), 8)):
            at = _moment(ctx, quarter)
            invitation = _invite(ctx, survey, contact, at - dt.timedelta(days=1), origin="delivery")
            if invitation is not None and rng.random() < 0.7:
                good = rng.random() < 0.85
                raw = {
                    q[1]: rng.choice([4, 5]) if good else rng.choice([2, 3]),
                    q[2]: "sí" if good else "no",
                    q[3]: rng.randint(5, 7) if good else rng.randint(2, 4),
                }
                if rng.random() < 0.4:
                    raw[q[4]] = comments[rng.randint(0, 1)] if good else comments[rng.randint(2, 3)]
                _answer_invitation(invitation, raw, at)
        # The reception kiosk collects anonymous answers when customers pick up their orders.
        for _ in range(rng.randint(3, 6)):
            raw = {q[1]: rng.choices([2, 3, 4, 5], [5, 15, 40, 40])[0], q[2]: rng.choice(["sí", "sí", "sí", "no"])}
            response = services.response_submit_open(survey=survey, raw=raw)
            _backdate_response(response, _moment(ctx, quarter))
    return survey


def _complaints(ctx, quarters: list[Period], pairs: list[tuple[Customer, Contact]]) -> Survey:
    rng = ctx.rng
    survey = services.survey_create(
        actor=ctx.users["quality"],
        data={
            "title": "Satisfacción con la resolución de su queja",
            "introduction": "Hemos cerrado su queja. Queremos saber si la solución le resultó satisfactoria.",
            "touchpoint": "complaint_closed",
            "trigger": "complaint_closed",
            "frequency_cap_days": 7,
        },
        questions=[
            {"kind": "rating", "text": "¿Qué tan satisfecho está con la solución de su queja?", "is_headline": True},
            {"kind": "yes_no", "text": "¿Se resolvió su problema?"},
            {"kind": "ces", "text": "¿Qué tan fácil fue presentar la queja?", "required": False},
            {"kind": "text", "text": "¿Qué podríamos haber hecho mejor?", "required": False},
        ],
    )
    survey = _publish(ctx, survey, timezone.make_aware(dt.datetime.combine(quarters[0].start, dt.time(9))))
    q = {x.position: x.pk for x in survey.current_version.questions.all()}
    for quarter in quarters[:-1]:
        for _customer, contact in rng.sample(pairs, min(len(pairs), 3)):
            at = _moment(ctx, quarter)
            invitation = _invite(
                ctx, survey, contact, at - dt.timedelta(days=2), origin="complaint_closed", actor=ctx.users["quality"]
            )
            if invitation is None:
                continue
            solved = rng.random() < 0.75
            raw = {q[1]: rng.choice([4, 5]) if solved else rng.choice([1, 2]), q[2]: solved, q[3]: rng.randint(4, 7)}
            if not solved:
                raw[q[4]] = "Tardaron demasiado en darnos una respuesta definitiva."
            _answer_invitation(invitation, raw, at)
    return survey


def _onboarding(ctx, quarters: list[Period], pairs: list[tuple[Customer, Contact]]) -> Survey:
    rng = ctx.rng
    survey = services.survey_create(
        actor=ctx.users["quality"],
        data={
            "title": "Bienvenida: sus primeras semanas con nosotros",
            "touchpoint": "onboarding",
            "trigger": "activation",
            "trigger_days": 30,
        },
        questions=[
            {
                "kind": "rating",
                "text": "¿Qué tan satisfecho está con el inicio de nuestra relación?",
                "is_headline": True,
            },
            {"kind": "yes_no", "text": "¿Recibió toda la información que necesitaba para empezar?"},
            {"kind": "text", "text": "¿Qué echó en falta?", "required": False},
        ],
    )
    survey = _publish(ctx, survey, timezone.make_aware(dt.datetime.combine(quarters[-2].start, dt.time(9))))
    q = {x.position: x.pk for x in survey.current_version.questions.all()}
    for customer, contact in rng.sample(pairs, min(len(pairs), 8)):
        at = _moment(ctx, rng.choice(quarters[-2:]))
        response = services.response_record(
            actor=customer.account_manager or ctx.users["sales_manager"],
            survey=survey,
            raw={q[1]: rng.choice([3, 4, 5, 5]), q[2]: rng.random() < 0.8},
            submitted_at=at,
            channel=SurveyResponse.Channel.PHONE,
            customer=customer,
            contact=contact,
            note="Llamada de bienvenida a las cuatro semanas.",
            version=survey.current_version,
        )
        _backdate_response(response, at)
    return survey


def _english_draft(ctx) -> Survey:
    return services.survey_create(
        actor=ctx.users["quality"],
        data={
            "title": "Customer relationship survey (English-speaking customers)",
            "language": "en",
            "touchpoint": "periodic",
            "introduction": "Once a year we ask our customers how we are doing.",
        },
        questions=[
            {"kind": "rating", "text": "Overall, how satisfied are you with our service?", "is_headline": True},
            {"kind": "nps", "text": "How likely are you to recommend us to a colleague?"},
            {"kind": "text", "text": "What should we do better?", "required": False},
        ],
    )


def _close_the_loop(ctx) -> None:
    """Old follow-ups were worked and closed; the recent ones are still on the managers' desks."""
    rng = ctx.rng
    recent = ctx.now - dt.timedelta(days=40)
    for followup in FollowUp.objects.select_related("customer__account_manager").order_by("created_at"):
        actor = followup.assigned_to or ctx.users["quality"]
        if followup.created_at < recent:
            followup = services.followup_transition(actor=actor, followup=followup, to="in_progress")
            followup = services.followup_transition(
                actor=actor, followup=followup, to="closed", resolution=rng.choice(RESOLUTIONS)
            )
            FollowUp.objects.filter(pk=followup.pk).update(
                closed_at=followup.created_at + dt.timedelta(days=rng.randint(1, 6))
            )
        elif rng.random() < 0.3:
            services.followup_transition(actor=actor, followup=followup, to="in_progress")
    # The notices of these past events were read and e-mailed at the time.
    closed = list(FollowUp.objects.filter(status="closed").values_list("pk", flat=True))
    Notification.objects.filter(kind="surveys.followup").update(emailed_at=ctx.now)
    Notification.objects.filter(kind="surveys.followup", object_id__in=closed).update(read_at=ctx.now)


def load(ctx) -> None:
    if Survey.objects.exists():
        return
    quarters = _quarters(ctx)
    pairs = _eligible(ctx)
    quarterly = _quarterly(ctx, quarters)
    delivery = _delivery(ctx, quarters)
    complaints = _complaints(ctx, quarters, pairs)
    onboarding = _onboarding(ctx, quarters, pairs)
    english = _english_draft(ctx)
    for survey in (quarterly, delivery, complaints):
        # Backdated last, so that invitations could still be answered while the demo answered them.
        SurveyInvitation.objects.filter(survey=survey).update(
            expires_at=F("created_at") + dt.timedelta(days=survey.invitation_days)
        )
    services.invitations_expire()
    # Two contacts asked not to receive surveys, from the link in their invitation.
    pending = list(
        SurveyInvitation.objects.filter(survey=quarterly, status=SurveyInvitation.Status.SENT).order_by("pk")[:2]
    )
    for invitation in pending:
        services.invitation_opt_out(invitation=invitation)
    _close_the_loop(ctx)
    ctx.shared["surveys"] = {
        "quarterly": quarterly,
        "delivery": delivery,
        "complaint_closed": complaints,
        "onboarding": onboarding,
        "english": english,
    }
