"""Demo loyalty programme: "Programa Socios Preferentes" with three tiers, earning rules, a rewards
catalogue and six quarters of points earned, redeemed and expired for the demo customers."""

import datetime as dt
import decimal

from clientela.customers.models import Contact, Customer

from . import services
from .models import EarningRule, LoyaltyProgramme, Membership, ProgrammeMessage, Redemption, Reward

NAME = "Programa Socios Preferentes"
HISTORY_DAYS = 548  # six quarters

TIERS = [
    ("Bronce", 0, "Acceso al catálogo de recompensas y extracto trimestral de puntos."),
    ("Plata", 1500, "Soporte prioritario en horario ampliado y acceso a las jornadas técnicas."),
    (
        "Oro",
        6000,
        "Gestor de cuenta dedicado, auditoría interna de cortesía anual y condiciones preferentes de renovación.",
    ),
]
RULES = [
    (EarningRule.Event.CONTRACT_SIGNED, "EUR", 0, "0.1", 5000, "1 punto por cada 10 € del contrato firmado."),
    (EarningRule.Event.CONTRACT_SIGNED, "MXN", 0, "0.005", 5000, "1 punto por cada 200 MXN del contrato firmado."),
    (EarningRule.Event.CONTRACT_SIGNED, "USD", 0, "0.1", 5000, "1 punto por cada 10 USD del contrato firmado."),
    (
        EarningRule.Event.CONTRACT_RENEWED,
        "EUR",
        250,
        "0.1",
        6000,
        "Bono de 250 puntos por renovar, más 1 punto por cada 10 €.",
    ),
    (
        EarningRule.Event.CONTRACT_RENEWED,
        "MXN",
        250,
        "0.005",
        6000,
        "Bono de 250 puntos por renovar, más 1 punto por cada 200 MXN.",
    ),
    (EarningRule.Event.SURVEY_COMPLETED, "", 50, "0", None, "Por responder una encuesta de satisfacción completa."),
    (EarningRule.Event.REFERRAL, "", 500, "0", None, "Cuando el cliente recomendado pasa a ser cliente activo."),
]
REWARDS = [
    (
        "Cesta gourmet de productos regionales",
        600,
        None,
        40,
        "Aceite de oliva virgen extra, conservas del Cantábrico y vino de la tierra.",
    ),
    (
        "Entradas para la jornada técnica anual",
        800,
        None,
        None,
        "Dos plazas para la jornada técnica con comida incluida.",
    ),
    (
        "Descuento del 5 % en la próxima renovación",
        1500,
        "Plata",
        None,
        "Aplicable al importe anual de la siguiente renovación.",
    ),
    (
        "Jornada de formación in company",
        2000,
        "Plata",
        10,
        "Una jornada de formación para su equipo, impartida en sus instalaciones.",
    ),
    (
        "Soporte prioritario durante 6 meses",
        2500,
        None,
        None,
        "Atención telefónica prioritaria y tiempo de respuesta de 2 horas laborables.",
    ),
    (
        "Auditoría interna de cortesía",
        3000,
        "Oro",
        6,
        "Auditoría interna ISO 9001 de un día realizada por nuestro equipo de calidad.",
    ),
]
GESTURES = [
    "Compensación por retraso en la entrega",
    "Bonificación por aniversario como cliente",
    "Gesto comercial por incidencia en la facturación",
    "Bonificación por participar en el caso de éxito",
]
CURRENCY = {"ES": "EUR", "MX": "MXN"}


def _euros(value: decimal.Decimal, currency: str) -> str:
    text = f"{value:,.2f}".replace(",", "\xa0").replace(".", ",")
    return f"{text} {currency}"


def load(ctx) -> None:
    if LoyaltyProgramme.objects.filter(name=NAME).exists():
        return
    rng = ctx.rng
    manager = ctx.users["sales_manager"]
    programme = services.programme_create(
        actor=manager,
        data={
            "name": NAME,
            "description": (
                "Programa de fidelización para clientes con contrato activo: acumulan puntos por contratar, "
                "renovar, responder encuestas y recomendarnos, y los canjean por servicios y obsequios."
            ),
            "points_validity_months": 12,
            "max_adjustment": 5000,
            "enrol_segments": ["Salud", "Alimentación"],
            "terms": (
                "Los puntos caducan a los 12 meses de su obtención. El nivel se calcula con los puntos obtenidos "
                "en los últimos 12 meses. Los canjes están sujetos a disponibilidad."
            ),
            "owner": manager,
        },
    )
    tiers = {}
    for name, points, benefits in TIERS:
        tiers[name] = services.tier_create(
            actor=manager, programme=programme, data={"name": name, "min_points": points, "benefits": benefits}
        )
    rules: dict[tuple[str, str], EarningRule] = {}
    for event, currency, fixed, per_unit, cap, description in RULES:
        rules[(event, currency)] = services.rule_create(
            actor=manager,
            programme=programme,
            data={
                "event": event,
                "currency": currency,
                "fixed_points": fixed,
                "points_per_unit": decimal.Decimal(per_unit),
                "max_points": cap,
                "description": description,
            },
        )
    rewards = []
    for name, cost, tier, stock, description in REWARDS:
        rewards.append(
            services.reward_create(
                actor=manager,
                programme=programme,
                data={
                    "name": name,
                    "points_cost": cost,
                    "min_tier": tiers[tier] if tier else None,
                    "stock": stock,
                    "description": description,
                },
            )
        )
    programme = services.programme_transition(actor=manager, programme=programme, to=LoyaltyProgramme.Status.ACTIVE)

    customers = [c for c in ctx.shared.get("customers", []) if c.status == Customer.Status.ACTIVE]
    members = []
    for customer in customers:
        in_segment = customer.segment in programme.enrol_segments
        if not in_segment and rng.random() < 0.35:
            continue
        enrolled_at = ctx.working_time(rng.uniform(120, HISTORY_DAYS))
        membership = services.membership_enrol(
            actor=customer.account_manager or manager,
            programme=programme,
            customer=customer,
            source=Membership.Source.SEGMENT if in_segment else Membership.Source.MANUAL,
            at=enrolled_at,
        )
        members.append(membership)
        _history(ctx, membership, rules, rewards, enrolled_at)
    _referrals(ctx, members)
    _campaign(ctx, programme, members)
    services.expire_all_due(at=ctx.now)
    ctx.shared["loyalty_programme"] = programme


def _contact(membership: Membership) -> Contact | None:
    return (
        Contact.objects.filter(customer=membership.customer, archived_at__isnull=True)
        .order_by("-is_primary", "pk")
        .first()
    )


def _history(ctx, membership: Membership, rules, rewards, enrolled_at: dt.datetime) -> None:
    rng = ctx.rng
    customer = membership.customer
    actor = customer.account_manager or ctx.users["sales_manager"]
    contact = _contact(membership)
    if contact is not None:
        by_email = contact.marketing_consent and bool(contact.email)
        services.message_record(
            actor=actor,
            membership=membership,
            data={
                "contact": contact,
                "recipient": contact.email if by_email else customer.address or customer.name,
                "channel": ProgrammeMessage.Channel.EMAIL if by_email else ProgrammeMessage.Channel.LETTER,
                "kind": ProgrammeMessage.Kind.WELCOME,
                "subject": f"Bienvenida al {membership.programme.name}",
                "body": f"Su número de socio es {membership.number}. Desde hoy acumula puntos por cada contrato.",
                "sent_at": enrolled_at + dt.timedelta(hours=2),
            },
        )
    days = (ctx.now - enrolled_at).days
    events: list[tuple[dt.datetime, str]] = []
    for _ in range(rng.randint(1, 4)):
        events.append((ctx.working_time(rng.uniform(1, days)), "contract"))
    for _ in range(rng.randint(0, 3)):
        events.append((ctx.working_time(rng.uniform(1, days)), "survey"))
    if rng.random() < 0.3:
        events.append((ctx.working_time(rng.uniform(1, days)), "gesture"))
    for _ in range(rng.randint(0, 3)):
        events.append((ctx.working_time(rng.uniform(1, days)), "redeem"))
    currency = CURRENCY.get(customer.country.code, "USD")
    signed = False
    last = enrolled_at + dt.timedelta(hours=3)
    for moment, kind in sorted(events):
        # Strictly increasing moments keep the ledger's order the order things happened in.
        moment = last = max(moment, last + dt.timedelta(minutes=10))
        if kind == "contract":
            renewal = signed and rng.random() < 0.6
            event = EarningRule.Event.CONTRACT_RENEWED if renewal else EarningRule.Event.CONTRACT_SIGNED
            rule = rules.get((event, currency)) or rules.get((EarningRule.Event.CONTRACT_SIGNED, currency))
            scale = {"EUR": 1, "USD": 1, "MXN": 20}[currency]
            value = decimal.Decimal(rng.randrange(2_000, 40_000, 250) * scale)
            what = "renovado" if renewal else "firmado"
            services.points_earn(
                actor=actor,
                membership=membership,
                rule=rule,
                value=value,
                reason=f"Contrato {what} por {_euros(value, currency)}",
                at=moment,
            )
            signed = True
        elif kind == "survey":
            services.points_earn(
                actor=None,
                membership=membership,
                rule=rules[(EarningRule.Event.SURVEY_COMPLETED, "")],
                reason="Encuesta de satisfacción respondida",
                at=moment,
            )
        elif kind == "gesture":
            services.points_adjust(
                actor=ctx.users["sales_manager"],
                membership=membership,
                points=rng.choice([100, 150, 200, 300]),
                reason=rng.choice(GESTURES),
                at=moment,
            )
        else:
            _redeem(ctx, membership, rewards, moment, actor)
    services.points_expire_due(membership=membership, at=ctx.now)


def _redeem(ctx, membership: Membership, rewards: list[Reward], moment: dt.datetime, actor) -> None:
    from . import ledger

    rng = ctx.rng
    services.points_expire_due(membership=membership, at=moment)
    balance = ledger.balance_of(membership, at=moment)
    tier = ledger.tier_for(membership.programme.tiers.all(), ledger.qualifying_points(membership, moment))
    affordable = [
        r
        for r in rewards
        if r.points_cost <= balance
        and (r.min_tier is None or (tier is not None and tier.min_points >= r.min_tier.min_points))
        and (r.stock is None or Reward.objects.get(pk=r.pk).stock > 0)
    ]
    if not affordable:
        return
    reward = rng.choice(affordable)
    redemption = services.redemption_create(actor=actor, membership=membership, reward=reward, at=moment)
    if rng.random() < 0.08:
        # Cancelled at once, before anything else happens to the member's points.
        services.redemption_transition(
            actor=actor,
            redemption=redemption,
            to=Redemption.Status.CANCELLED,
            note="El cliente prefiere conservar los puntos",
            at=moment + dt.timedelta(minutes=5),
        )
        return
    delivered = moment + dt.timedelta(days=rng.randint(3, 20))
    if delivered < ctx.now - dt.timedelta(days=5):  # recent requests are still waiting for delivery
        services.redemption_transition(actor=actor, redemption=redemption, to=Redemption.Status.DELIVERED, at=delivered)


def _referrals(ctx, members: list[Membership]) -> None:
    prospects = list(Customer.objects.filter(status=Customer.Status.PROSPECT, archived_at__isnull=True)[:3])
    for membership, prospect in zip(
        ctx.rng.sample(members, min(len(members), len(prospects))), prospects, strict=False
    ):
        services.referral_record(
            actor=membership.customer.account_manager or ctx.users["sales_manager"],
            membership=membership,
            referred_customer=prospect,
            note="Nos recomendó en una reunión sectorial.",
        )


def _campaign(ctx, programme: LoyaltyProgramme, members: list[Membership]) -> None:
    sent_at = ctx.working_time(200)
    for membership in members:
        if membership.enrolled_at > sent_at:
            continue
        contact = (
            Contact.objects.filter(customer=membership.customer, marketing_consent=True, archived_at__isnull=True)
            .exclude(email="")
            .first()
        )
        if contact is None:
            continue
        services.message_record(
            actor=ctx.users["sales_manager"],
            membership=membership,
            data={
                "contact": contact,
                "recipient": contact.email,
                "channel": ProgrammeMessage.Channel.EMAIL,
                "kind": ProgrammeMessage.Kind.CAMPAIGN,
                "subject": "Nuevo catálogo de recompensas",
                "body": "Hemos renovado el catálogo: ahora puede canjear sus puntos por una auditoría interna de cortesía.",
                "sent_at": sent_at,
            },
        )
