"""Ten satisfaction surveys with their published versions and questions, and their responses.

At scale L: 300,000 responses over six quarters, most through e-mail invitations (each with its
invitation, answered; about 28 % of the invitations expire unanswered and the last weeks' are
still open), the rest entered by staff from calls and paper forms or anonymous through the kiosk's
open link. About 85 % of the headline answers are satisfied (4 or 5 on 1–5), a little lower in one
quarter. Questions are normalised by `surveys.validation.clean_question`; responses carry the
denormalised headline question and value the service stores, and every identified response at or
below the follow-up threshold has its follow-up, as `surveys.services` opens them.
"""

import base64
import datetime as dt

from bench.generators import Context, generator
from clientela.core.permissions import Role
from clientela.surveys import validation
from clientela.surveys.demo import ASPECTS, COMPLAINTS, IMPROVE, PRAISE, RESOLUTIONS
from clientela.surveys.models import (
    Answer,
    FollowUp,
    Question,
    Survey,
    SurveyInvitation,
    SurveyResponse,
    SurveyVersion,
)
from clientela.surveys.services import FOLLOWUP_DUE_DAYS

RESPONSES_AT_L = 300_000
ANSWER_RATE = 0.72
# title, touchpoint, trigger, counts toward SC, share of the responses, second question kind
SURVEYS = [
    ("Encuesta trimestral de relación con el cliente", "periodic", "quarterly", True, 34, "nps"),
    ("Satisfacción tras la entrega", "delivery", "delivery", True, 24, "ces"),
    ("Satisfacción con la gestión de su reclamación", "complaint_closed", "complaint_closed", False, 8, "ces"),
    ("Bienvenida: sus primeros 30 días con nosotros", "onboarding", "activation", True, 5, "nps"),
    ("Renovación del contrato", "renewal", "contract_end", True, 4, "nps"),
    ("Opinión en el mostrador de atención", "other", "manual", False, 8, "yes_no"),
    ("Satisfacción con el soporte técnico", "other", "manual", True, 9, "ces"),
    ("Valoración de la formación impartida", "other", "manual", False, 3, "nps"),
    ("Instalación y puesta en marcha", "delivery", "manual", False, 3, "ces"),
    ("Encuesta anual a clientes estratégicos", "periodic", "manual", True, 2, "nps"),
]
KIOSK = 5  # the survey answered through its open link (anonymous)
SECOND = {
    "nps": "¿Con qué probabilidad nos recomendaría a un colega o a otra empresa?",
    "ces": "¿Qué tan fácil le resultó resolver lo que necesitaba con nosotros?",
    "yes_no": "¿Encontró lo que buscaba?",
}
HEADLINE = "En general, ¿qué tan satisfecho está con nuestro servicio?"
# Headline scores 1–5; the third quarter back dips (as the demo's SC plan does).
SCORES = [1, 2, 3, 4, 5]
SCORE_WEIGHTS = [2, 4, 9, 40, 45]
DIP_WEIGHTS = [4, 7, 14, 40, 35]


def questions_for(second: str) -> list[dict]:
    specs = [
        {"kind": "rating", "text": HEADLINE, "is_headline": True},
        {"kind": second, "text": SECOND[second]},
        {"kind": "single_choice", "text": "¿Qué aspecto de nuestro servicio valora más?", "choices": ASPECTS},
        {"kind": "multiple_choice", "text": "¿En qué deberíamos mejorar?", "choices": IMPROVE, "required": False},
        {"kind": "text", "text": "¿Algún comentario adicional?", "required": False},
    ]
    return [validation.clean_question(spec) for spec in specs]


def token(rng) -> str:
    """A 43-character URL-safe token, as `secrets.token_urlsafe(32)` gives (but from the seed)."""
    return base64.urlsafe_b64encode(rng.getrandbits(256).to_bytes(32, "big")).rstrip(b"=").decode()


@generator("surveys", requires=("customers",))
def generate(ctx: Context) -> dict[str, int]:
    rng = ctx.rng
    now, start = ctx.now, ctx.start
    staff = ctx.shared["staff"]
    service = staff[Role.CUSTOMER_SERVICE]
    quality = staff[Role.QUALITY]
    customers = [c for c in ctx.shared["customers"] if c.status in ("active", "inactive", "former")]
    published = start - dt.timedelta(days=40)
    dip_start = start + dt.timedelta(days=183)
    dip_end = dip_start + dt.timedelta(days=91)

    survey_ids = ctx.next_id(Survey, len(SURVEYS))
    version_ids = ctx.next_id(SurveyVersion, len(SURVEYS))
    surveys, versions, questions = [], [], []
    layout: list[tuple[int, int, list[tuple[int, dict]]]] = []  # survey, version, [(question id, spec)]
    for index, ((title, touchpoint, trigger, sc, _share, second), survey_pk, version_pk) in enumerate(
        zip(SURVEYS, survey_ids, version_ids, strict=True)
    ):
        specs = questions_for(second)
        question_ids = ctx.next_id(Question, len(specs))
        surveys.append(
            {
                "id": survey_pk,
                "title": title,
                "introduction": "Sus respuestas nos ayudan a mejorar. Le llevará menos de dos minutos.",
                "thanks_message": "Gracias por dedicarnos unos minutos.",
                "status": "published",
                "touchpoint": touchpoint,
                "counts_toward_sc": sc,
                "current_version_id": version_pk,
                "trigger": trigger,
                "open_link_key": token(rng)[:24] if index == KIOSK else None,
                "first_published_at": published,
                "created_by_id": quality[0],
                "created_at": published - dt.timedelta(days=7),
                "lock_version": 2,
            }
        )
        versions.append(
            {
                "id": version_pk,
                "survey_id": survey_pk,
                "number": 1,
                "created_at": published - dt.timedelta(days=7),
                "published_at": published,
                "published_by_id": quality[0],
            }
        )
        for position, (question_pk, spec) in enumerate(zip(question_ids, specs, strict=True), start=1):
            questions.append({"id": question_pk, "version_id": version_pk, "position": position, **spec})
        layout.append((survey_pk, version_pk, list(zip(question_ids, specs, strict=True))))
    written = {
        "surveys.Survey": ctx.insert(Survey, surveys),
        "surveys.SurveyVersion": ctx.insert(SurveyVersion, versions),
        "surveys.Question": ctx.insert(Question, questions),
    }

    n = ctx.n(RESPONSES_AT_L)
    shares = [s[4] for s in SURVEYS]
    response_ids = iter(ctx.next_id(SurveyResponse, n))
    invitations: list[dict] = []
    answers: list[dict] = []
    followups: list[dict] = []
    invitation_pk = iter(range(ctx.next_id(SurveyInvitation, 1)[0], 10**12))

    def invitation(survey_pk, customer, sent_at, *, answered_at=None) -> int:
        pk = next(invitation_pk)
        expires = sent_at + dt.timedelta(days=30)
        status = "responded" if answered_at else "expired" if expires <= now else "sent"
        invitations.append(
            {
                "id": pk,
                "survey_id": survey_pk,
                "customer_id": customer.id,
                "contact_id": customer.contact_ids[0],
                "token": token(rng),
                "status": status,
                "origin": SURVEYS[survey_ids.index(survey_pk)][2],
                "expires_at": expires,
                "sent_at": sent_at,
                "reminded_at": sent_at + dt.timedelta(days=7)
                if not answered_at or answered_at > sent_at + dt.timedelta(days=7)
                else None,
                "opened_at": answered_at - dt.timedelta(minutes=rng.randint(2, 20)) if answered_at else None,
                "responded_at": answered_at,
                "created_at": sent_at,
            }
        )
        return pk

    def responses():
        for pk in response_ids:
            index = rng.choices(range(len(SURVEYS)), shares)[0]
            survey_pk, version_pk, qs = layout[index]
            submitted = ctx.moment(rng, since=start, until=now - dt.timedelta(minutes=10))
            row = {
                "id": pk,
                "survey_id": survey_pk,
                "version_id": version_pk,
                "submitted_at": submitted,
                "created_at": submitted,
            }
            customer = None
            if index == KIOSK:
                row["channel"] = "kiosk"
            else:
                customer = rng.choice(customers)
                row["customer_id"] = customer.id
                row["contact_id"] = customer.contact_ids[0]
                roll = rng.random()
                if roll < 0.78:
                    row["channel"] = "email"
                    sent = submitted - dt.timedelta(
                        days=rng.choice([0, 0, 1, 1, 2, 3, 5, 8, 12]), hours=rng.randint(0, 6)
                    )
                    row["invitation_id"] = invitation(survey_pk, customer, sent, answered_at=submitted)
                else:
                    row["channel"] = "phone" if roll < 0.93 else "paper"
                    row["entered_by_id"] = rng.choice(service)
            weights = DIP_WEIGHTS if dip_start <= submitted < dip_end else SCORE_WEIGHTS
            score = rng.choices(SCORES, weights)[0]
            complete = row["channel"] not in ("phone", "paper") or rng.random() > 0.03
            headline_pk = qs[0][0]
            row.update(complete=complete, headline_question_id=headline_pk, headline_value=score)
            for question_pk, spec in qs:
                kind = spec["kind"]
                if kind == "rating":
                    value, number = score, score
                elif kind == "nps":
                    if not complete:
                        continue
                    value = number = max(0, min(10, score * 2 + rng.randint(-2, 1)))
                elif kind == "ces":
                    value = number = max(1, min(7, score + rng.randint(0, 2)))
                elif kind == "yes_no":
                    value, number = (True, 1) if score >= 3 or rng.random() < 0.3 else (False, 0)
                elif kind == "single_choice":
                    value, number = rng.choice(spec["choices"]), None
                elif kind == "multiple_choice":
                    if rng.random() < 0.6:
                        continue
                    picked = set(rng.sample(spec["choices"], rng.randint(1, 2)))
                    value, number = [c for c in spec["choices"] if c in picked], None
                else:
                    if rng.random() < 0.75:
                        continue
                    value, number = rng.choice(PRAISE if score >= 4 else COMPLAINTS), None
                answers.append({"response_id": pk, "question_id": question_pk, "value": value, "number": number})
            if customer is not None and complete and score <= 3:
                due = submitted.astimezone(now.tzinfo).date() + dt.timedelta(days=FOLLOWUP_DUE_DAYS)
                followup = {
                    "response_id": pk,
                    "customer_id": customer.id,
                    "assigned_to_id": customer.manager_id,
                    "due_date": due,
                    "created_at": submitted,
                }
                if submitted < now - dt.timedelta(days=21):
                    closed = submitted + dt.timedelta(days=rng.randint(1, 12))
                    followup.update(
                        status="closed",
                        resolution=rng.choice(RESOLUTIONS),
                        closed_at=closed,
                        closed_by_id=customer.manager_id or rng.choice(quality),
                        updated_at=closed,
                    )
                else:
                    followup["status"] = rng.choice(["open", "open", "in_progress"])
                followups.append(followup)
            yield row

    # Invitations first in the database (responses point at them): collect, then write in order.
    rows = list(responses())
    # Invitations that were not answered: expired, or still open when sent in the last 30 days.
    unanswered = round(len(invitations) * (1 - ANSWER_RATE) / ANSWER_RATE)
    invited = [i for i, s in enumerate(SURVEYS) if i != KIOSK]
    for _ in range(unanswered):
        survey_pk = layout[rng.choice(invited)][0]
        invitation(survey_pk, rng.choice(customers), ctx.moment(rng, since=start, until=now - dt.timedelta(hours=2)))
    written["surveys.SurveyInvitation"] = ctx.insert(SurveyInvitation, invitations)
    written["surveys.SurveyResponse"] = ctx.insert(SurveyResponse, rows)
    written["surveys.Answer"] = ctx.insert(Answer, answers)
    written["surveys.FollowUp"] = ctx.insert(FollowUp, followups)
    return written
