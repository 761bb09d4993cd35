"""Demo requirements: what real customers ask for (delivery times, quality certificates, invoice
formats, data protection and sector rules, service expectations), in every status, some with several
versions and some stuck in clarification, over six quarters. Most belong to the customer's contract
and are traced to the deliverables that satisfy them, so each contract's traceability matrix shows
requirements delivered, partly delivered, only planned and not traced, and the gaps among them."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from clientela.contracts.models import Contract, Deliverable

from . import services
from .models import Requirement, RequirementVersion


@dataclass(frozen=True)
class Change:
    reason: str
    data: dict[str, str]


@dataclass(frozen=True)
class Spec:
    title: str
    description: str
    criteria: str
    kind: str
    source: str
    reference: str
    priority: str
    changes: tuple[Change, ...] = ()
    segments: tuple[str, ...] = ()  # empty: any segment


COMMON = [
    Spec(
        "Plazo de entrega de pedidos estándar",
        "Los pedidos de material estándar se entregan en el almacén central del cliente. "
        "El cliente planifica su producción semanal con este plazo.",
        "El 98 % de los pedidos estándar se entrega en 72 horas laborables desde la confirmación del pedido, "
        "medido cada mes con el albarán firmado.",
        "explicit",
        "tender",
        "Pliego de condiciones técnicas, apartado 4.2",
        "must",
        (
            Change(
                "El cliente reduce el plazo a 48 horas por su nueva planificación de producción (correo del director de compras).",
                {
                    "title": "Plazo de entrega de pedidos estándar en 48 horas",
                    "acceptance_criteria": "El 98 % de los pedidos estándar se entrega en 48 horas laborables desde la "
                    "confirmación del pedido, medido cada mes con el albarán firmado.",
                },
            ),
        ),
    ),
    Spec(
        "Certificado de calidad con cada lote",
        "Cada envío debe llegar con la documentación de calidad del lote para que el cliente pueda "
        "liberar el material sin inspección de recepción.",
        "Cada lote va acompañado del certificado de inspección 3.1 según UNE-EN 10204, firmado por el "
        "responsable de calidad y enviado también en PDF antes de la llegada del camión.",
        "explicit",
        "contract",
        "Contrato marco, cláusula 7",
        "must",
    ),
    Spec(
        "Informe mensual de incidencias",
        "El cliente quiere conocer cada mes las incidencias del servicio y su evolución.",
        "Informe en PDF enviado antes del día 5 de cada mes con las incidencias abiertas y cerradas y el "
        "tiempo medio de resolución en horas.",
        "explicit",
        "email",
        "Correo del responsable de calidad del cliente",
        "should",
    ),
    Spec(
        "Atención telefónica en horario ampliado",
        "El cliente trabaja a dos turnos y necesita poder llamar por la tarde.",
        "Atención de 8:00 a 20:00 de lunes a viernes; el 90 % de las llamadas se atiende antes de 60 segundos.",
        "expectation",
        "meeting",
        "Acta de la reunión de seguimiento trimestral",
        "should",
        (
            Change(
                "Tras la encuesta de satisfacción, el cliente pide también los sábados por la mañana.",
                {
                    "acceptance_criteria": "Atención de 8:00 a 20:00 de lunes a viernes y de 9:00 a 13:00 los sábados; "
                    "el 90 % de las llamadas se atiende antes de 60 segundos."
                },
            ),
        ),
    ),
    Spec(
        "Embalaje reciclable",
        "La dirección del cliente ha asumido compromisos de sostenibilidad y los extiende a sus proveedores.",
        "El 100 % del embalaje de cartón tiene certificado FSC y no se usan plásticos de un solo uso a partir "
        "del 1 de enero.",
        "expectation",
        "survey",
        "Encuesta anual de satisfacción, comentario del cliente",
        "could",
    ),
    Spec(
        "Trazabilidad por número de lote",
        "Ante una reclamación de su propio cliente, necesita saber de qué lote procede cada unidad.",
        "Cada unidad se etiqueta con lote y fecha de fabricación; la trazabilidad completa se entrega en menos "
        "de 4 horas desde la consulta.",
        "implicit",
        "visit",
        "Visita a las instalaciones del cliente",
        "must",
    ),
    Spec(
        "Ventana horaria de descarga",
        "El muelle del cliente solo admite descargas por la mañana.",
        "Descargas de 7:00 a 11:00 en el muelle 3, con cita previa pedida al menos 24 horas antes.",
        "explicit",
        "call",
        "Llamada del jefe de almacén",
        "should",
    ),
    Spec(
        "Tiempo de respuesta a incidencias técnicas",
        "Las paradas de línea del cliente cuestan dinero: pide un compromiso de respuesta.",
        "Respuesta en 4 horas laborables y resolución en 2 días laborables para las incidencias críticas; "
        "en 5 días laborables para las demás.",
        "explicit",
        "contract",
        "Anexo de nivel de servicio, punto 3",
        "must",
        (
            Change(
                "El cliente pide resolver las críticas en 1 día laborable tras la parada de febrero.",
                {
                    "acceptance_criteria": "Respuesta en 4 horas laborables y resolución en 1 día laborable para las "
                    "incidencias críticas; en 5 días laborables para las demás."
                },
            ),
            Change(
                "Se acuerda añadir un informe de causa raíz para cada incidencia crítica.",
                {
                    "acceptance_criteria": "Respuesta en 4 horas laborables y resolución en 1 día laborable para las "
                    "incidencias críticas, con informe de causa raíz en 5 días; en 5 días laborables para las demás."
                },
            ),
        ),
    ),
    Spec(
        "Documentación técnica en español e inglés",
        "Parte del personal de mantenimiento del cliente es de habla inglesa.",
        "Manuales de uso y mantenimiento en español y en inglés, en PDF accesible, entregados con el equipo.",
        "implicit",
        "tender",
        "Pliego técnico, anexo II",
        "should",
    ),
    Spec(
        "Formación del personal del cliente",
        "El cliente quiere que su equipo use el producto sin depender del soporte.",
        "Dos sesiones de 4 horas para un máximo de 12 personas, con una evaluación final de al menos 7 sobre 10.",
        "explicit",
        "meeting",
        "Reunión de arranque del proyecto",
        "should",
    ),
    Spec(
        "Precios fijos durante la vigencia",
        "El cliente necesita cerrar su presupuesto anual.",
        "Sin revisión de precios durante 12 meses; después, revisión como máximo igual al IPC publicado.",
        "expectation",
        "meeting",
        "Negociación de la oferta",
        "could",
    ),
    Spec(
        "Retirada de material defectuoso",
        "Tras la queja del último trimestre, el cliente quiere un procedimiento para devoluciones.",
        "Retirada en 5 días laborables desde la notificación y abono en la siguiente factura.",
        "implicit",
        "complaint",
        "Queja sobre el lote defectuoso de marzo",
        "should",
    ),
    Spec(
        "Entregas en domingo",
        "El cliente preguntó por entregas en domingo para su campaña de verano.",
        "Entregas los domingos de julio y agosto entre las 8:00 y las 12:00.",
        "expectation",
        "call",
        "Llamada de la responsable de logística",
        "wont",
    ),
]

# Deliberately unclear wording: what the clarity aids are for.
VAGUE = [
    Spec(
        "Respuesta rápida a las consultas",
        "Las consultas del cliente deben responderse lo antes posible y de forma adecuada.",
        "",
        "expectation",
        "meeting",
        "",
        "should",
    ),
    Spec(
        "Portal web fácil de usar para seguir los pedidos",
        "El cliente quiere un portal intuitivo y flexible para ver sus pedidos, facturas, albaranes, etc.",
        "",
        "expectation",
        "email",
        "",
        "could",
    ),
    Spec(
        "Stock suficiente de repuestos",
        "Mantener un stock suficiente de repuestos críticos para atender averías rápidamente.",
        "Stock mínimo aproximadamente de un mes de consumo.",
        "implicit",
        "visit",
        "Visita de mantenimiento",
        "must",
    ),
]

LEGAL = {
    "ES": [
        Spec(
            "Factura electrónica en formato Facturae",
            "El cliente solo admite facturas electrónicas por su sistema de contabilidad y por la normativa aplicable.",
            "Facturas en formato Facturae 3.2.2 firmadas con certificado cualificado y enviadas en 5 días hábiles desde la entrega.",
            "legal",
            "regulation",
            "Ley 25/2013 de impulso de la factura electrónica",
            "must",
        ),
        Spec(
            "Tratamiento de datos personales conforme al RGPD",
            "El servicio da acceso a datos personales de empleados y clientes del cliente.",
            "Contrato de encargado del tratamiento firmado antes del inicio; registro de actividades actualizado; "
            "notificación de brechas de seguridad en menos de 24 horas.",
            "legal",
            "regulation",
            "Reglamento (UE) 2016/679, art. 28; LOPDGDD",
            "must",
        ),
        Spec(
            "Coordinación de actividades empresariales (CAE)",
            "Nuestro personal trabaja en las instalaciones del cliente.",
            "Documentación de prevención de riesgos presentada en la plataforma CAE del cliente 5 días antes de la primera visita.",
            "legal",
            "regulation",
            "Real Decreto 171/2004",
            "must",
        ),
    ],
    "MX": [
        Spec(
            "Factura electrónica CFDI 4.0",
            "El cliente solo acepta comprobantes fiscales digitales válidos ante el SAT.",
            "CFDI 4.0 timbrado por un PAC autorizado, con uso de CFDI y régimen fiscal del receptor correctos, en 72 horas desde la entrega.",
            "legal",
            "regulation",
            "Código Fiscal de la Federación, art. 29; Anexo 20 del SAT",
            "must",
        ),
        Spec(
            "Protección de datos personales (LFPDPPP)",
            "El servicio trata datos personales de clientes del cliente.",
            "Aviso de privacidad entregado y cláusula de encargado firmada antes del inicio del servicio.",
            "legal",
            "regulation",
            "Ley Federal de Protección de Datos Personales en Posesión de los Particulares",
            "must",
        ),
    ],
    "AR": [
        Spec(
            "Factura electrónica AFIP",
            "El cliente exige comprobantes electrónicos autorizados.",
            "Factura electrónica con CAE vigente emitida en 48 horas desde la entrega.",
            "legal",
            "regulation",
            "RG AFIP 4291",
            "must",
        ),
        Spec(
            "Protección de datos personales (Ley 25.326)",
            "El servicio accede a la base de datos de clientes del cliente.",
            "Acuerdo de confidencialidad y tratamiento firmado; datos alojados en países con nivel adecuado de protección.",
            "legal",
            "regulation",
            "Ley 25.326 de Protección de los Datos Personales",
            "must",
        ),
    ],
    "CO": [
        Spec(
            "Factura electrónica de venta DIAN",
            "El cliente solo recibe facturas validadas por la DIAN.",
            "Factura electrónica validada previamente por la DIAN y enviada en el mismo día de la entrega.",
            "legal",
            "regulation",
            "Resolución DIAN 000165 de 2023",
            "must",
        ),
    ],
    "CL": [
        Spec(
            "Factura electrónica ante el SII",
            "El cliente recibe documentos tributarios electrónicos.",
            "Factura electrónica timbrada por el SII y enviada al correo de intercambio del cliente en 24 horas.",
            "legal",
            "regulation",
            "Resolución Exenta SII N.º 45",
            "must",
        ),
    ],
    "PE": [
        Spec(
            "Comprobante electrónico SUNAT",
            "El cliente solo acepta comprobantes electrónicos.",
            "Factura electrónica validada por la SUNAT (OSE) emitida en 24 horas desde la entrega.",
            "legal",
            "regulation",
            "Resolución de Superintendencia 097-2012/SUNAT",
            "must",
        ),
    ],
}

SECTOR = {
    "Alimentación": Spec(
        "Registro sanitario y seguridad alimentaria",
        "El cliente comercializa nuestros productos en gran distribución.",
        "Registro sanitario vigente, plan APPCC auditado y certificado IFS Food o BRCGS en vigor en cada entrega.",
        "legal",
        "regulation",
        "Reglamento (CE) 852/2004 relativo a la higiene de los productos alimenticios",
        "must",
    ),
    "Salud": Spec(
        "Productos sanitarios con marcado CE",
        "Los equipos se usan en la atención a pacientes.",
        "Marcado CE, declaración UE de conformidad e instrucciones en español entregadas con cada equipo.",
        "legal",
        "regulation",
        "Reglamento (UE) 2017/745 sobre los productos sanitarios",
        "must",
    ),
    "Sector público": Spec(
        "Accesibilidad de la sede electrónica",
        "El ayuntamiento debe cumplir la normativa de accesibilidad de sus servicios digitales.",
        "Conformidad con UNE-EN 301549 nivel AA verificada por una auditoría externa antes de la puesta en marcha.",
        "legal",
        "regulation",
        "Real Decreto 1112/2018",
        "must",
    ),
    "Construcción": Spec(
        "Marcado CE de los productos de construcción",
        "Los materiales se incorporan a obras con dirección facultativa.",
        "Declaración de prestaciones y marcado CE de cada producto entregados antes de su puesta en obra.",
        "legal",
        "regulation",
        "Reglamento (UE) 305/2011 de productos de construcción",
        "must",
    ),
}

# Words of the deliverables that satisfy a requirement (by the requirement's title); any deliverable
# of the contract otherwise.
SATISFIED_BY = {
    "Plazo de entrega de pedidos estándar": ("Entrega", "pedido"),
    "Certificado de calidad con cada lote": ("Entrega", "Lote", "envases"),
    "Informe mensual de incidencias": ("Informe", "Parte"),
    "Atención telefónica en horario ampliado": ("Informe", "nivel de servicio"),
    "Trazabilidad por número de lote": ("Entrega", "envases"),
    "Ventana horaria de descarga": ("Entrega",),
    "Tiempo de respuesta a incidencias técnicas": ("nivel de servicio", "Informe", "Revisión", "Visita"),
    "Documentación técnica en español e inglés": ("Instalación", "Puesta en producción", "Revisión", "Visita"),
    "Formación del personal del cliente": ("Formación",),
    "Retirada de material defectuoso": ("Entrega",),
    "Registro sanitario y seguridad alimentaria": ("envases", "Entrega"),
    "Productos sanitarios con marcado CE": ("Revisión",),
    "Accesibilidad de la sede electrónica": ("Puesta en producción",),
    "Tratamiento de datos personales conforme al RGPD": ("Análisis de requisitos", "Informe"),
    "Coordinación de actividades empresariales (CAE)": ("Visita", "Parte"),
}
# The statuses in which a contract's requirements are being delivered.
TRACED_CONTRACTS = (Contract.Status.ACTIVE, Contract.Status.COMPLETED, Contract.Status.TERMINATED)

# Final status of each captured requirement (weights), and of the vague ones.
OUTCOMES = ["fulfilled", "approved", "validated", "clarifying", "draft", "rejected", "withdrawn"]
WEIGHTS = [26, 30, 9, 14, 9, 6, 6]
METHODS = ["email", "meeting", "signed_document", "call"]


@dataclass
class Plan:
    """The moments (days ago) of one requirement's life, kept to back-date it after writing."""

    created: float
    versions: dict[int, dict[str, float]] = field(default_factory=dict)
    status_changed: float = 0.0


def _data(spec: Spec) -> dict[str, str]:
    return {
        "title": spec.title,
        "description": spec.description,
        "acceptance_criteria": spec.criteria,
        "kind": spec.kind,
        "source": spec.source,
        "source_reference": spec.reference,
        "priority": spec.priority,
    }


def _confirm(ctx, requirement: Requirement, contacts: list, actor, days_ago: float) -> Requirement:
    return services.requirement_confirm(
        actor=actor,
        requirement=requirement,
        contact=ctx.rng.choice(contacts),
        confirmed_on=_day(days_ago),
        method=ctx.rng.choice(METHODS),
        note=ctx.rng.choice(["", "Confirmado sin cambios.", "Confirmado tras aclarar las cifras en la reunión."]),
    )


def _later(rng, at: float, low: float, high: float) -> float:
    """A moment after `at` (days ago), never reaching today: steps shrink when time is short."""
    return at - min(rng.uniform(low, high), at * 0.35)


def _agree(
    ctx,
    requirement: Requirement,
    contacts: list,
    manager,
    approver,
    start: float,
    outcome: str,
    plan: Plan,
    version: int,
):
    """From clarification to `outcome`; returns the requirement and the moment (days ago) it ended."""
    rng = ctx.rng
    moments = plan.versions.setdefault(version, {})
    at = start
    if outcome == "clarifying":
        return requirement, at
    if outcome == "rejected":
        at = _later(rng, at, 3, 20)
        requirement = services.requirement_transition(
            actor=approver,
            requirement=requirement,
            target="rejected",
            note=rng.choice(
                [
                    "No podemos comprometernos con este plazo con la capacidad actual.",
                    "Fuera del alcance del servicio contratado; se propone una alternativa.",
                ]
            ),
        )
        return requirement, at
    if outcome == "withdrawn":
        at = _later(rng, at, 3, 30)
        requirement = services.requirement_transition(
            actor=manager, requirement=requirement, target="withdrawn", note="El cliente retira la petición."
        )
        return requirement, at
    at = _later(rng, at, 2, 18)
    requirement = _confirm(ctx, requirement, contacts, manager, at)
    moments["confirmed"] = at
    at = _later(rng, at, 0.1, 3)
    requirement = services.requirement_transition(actor=manager, requirement=requirement, target="validated")
    moments["validated"] = at
    if outcome == "validated":
        return requirement, at
    at = _later(rng, at, 0.5, 8)
    requirement = services.requirement_transition(actor=approver, requirement=requirement, target="approved")
    moments["approved"] = at
    if outcome == "approved":
        return requirement, at
    at = _later(rng, at, 20, 150)
    requirement = services.requirement_transition(
        actor=manager,
        requirement=requirement,
        target="fulfilled",
        note="Verificado con el cliente en la revisión del servicio.",
    )
    return requirement, at


def _capture(
    ctx,
    customer,
    contacts: list,
    spec: Spec,
    outcome: str,
    created: float,
    stuck: bool = False,
    contract: Contract | None = None,
) -> Requirement:
    rng = ctx.rng
    manager = customer.account_manager or ctx.users["account_manager"]
    approver = ctx.users["sales_manager"]
    plan = Plan(created=created)
    plan.versions[1] = {"created": created}
    requirement = services.requirement_create(
        actor=manager, customer=customer, data={**_data(spec), "contract": contract}
    )
    if outcome == "draft":
        plan.status_changed = created
        return _backdate(requirement, plan)
    if outcome == "withdrawn" and rng.random() < 0.5:
        requirement, at = _agree(ctx, requirement, contacts, manager, approver, created, "withdrawn", plan, 1)
        plan.status_changed = at
        return _backdate(requirement, plan)
    requirement = services.requirement_transition(actor=manager, requirement=requirement, target="clarifying")
    at = _later(rng, created, 0.5, 6)
    if stuck:
        at = _later(rng, created, 0.5, 3)
    plan.status_changed = at
    changes = spec.changes if outcome in ("approved", "fulfilled", "validated") else ()
    if changes and created > 200:
        # Earlier versions were agreed, then the customer asked for a change.
        for index, change in enumerate(changes, start=1):
            requirement, at = _agree(ctx, requirement, contacts, manager, approver, at, "approved", plan, index)
            at = _later(rng, at, 15, 60)
            data = {**requirement_content(requirement), **change.data}
            requirement = services.requirement_new_version(
                actor=manager, requirement=requirement, data=data, reason=change.reason
            )
            plan.versions[index + 1] = {"created": at}
            plan.status_changed = at
    requirement, end = _agree(ctx, requirement, contacts, manager, approver, at, outcome, plan, requirement.version)
    if outcome != "clarifying":
        plan.status_changed = end
    return _backdate(requirement, plan)


def requirement_content(requirement: Requirement) -> dict[str, str]:
    return {name: getattr(requirement, name) for name in services.CONTENT_FIELDS}


def _when(days_ago: float | None) -> dt.datetime | None:
    return None if days_ago is None else timezone.now() - dt.timedelta(days=days_ago)


def _day(days_ago: float) -> dt.date:
    return timezone.localtime(timezone.now() - dt.timedelta(days=days_ago)).date()


def _backdate(requirement: Requirement, plan: Plan) -> Requirement:
    """Give the requirement and its versions the moments of the plan (services stamp "now")."""
    requirement.refresh_from_db()
    last = plan.versions.get(requirement.version, {})
    Requirement.objects.filter(pk=requirement.pk).update(
        created_at=_when(plan.created),
        status_changed_at=_when(plan.status_changed),
        validated_at=_when(last.get("validated")) if requirement.validated_at else None,
        approved_at=_when(last.get("approved")) if requirement.approved_at else None,
        confirmed_on=_day(last["confirmed"])
        if requirement.confirmed_on and "confirmed" in last
        else requirement.confirmed_on,
    )
    for row in RequirementVersion.objects.filter(requirement=requirement):
        moments = plan.versions.get(row.version, {})
        following = plan.versions.get(row.version + 1, {})
        RequirementVersion.objects.filter(pk=row.pk).update(
            created_at=_when(moments.get("created", plan.created)),
            validated_at=_when(moments.get("validated")) if row.validated_at else None,
            approved_at=_when(moments.get("approved")) if row.approved_at else None,
            superseded_at=_when(following.get("created")) if row.superseded_at else None,
            confirmed_on=_day(moments["confirmed"])
            if row.confirmed_on and "confirmed" in moments
            else row.confirmed_on,
        )
    requirement.refresh_from_db()
    return requirement


def _contracts_by_customer(ctx) -> dict[int, list[Contract]]:
    """Each customer's contracts that were delivered or are being delivered, oldest first."""
    ids = [c.pk for c in ctx.shared.get("contracts", [])]
    by_customer: dict[int, list[Contract]] = {}
    for contract in Contract.objects.filter(pk__in=ids, status__in=TRACED_CONTRACTS).order_by("start_date", "pk"):
        by_customer.setdefault(contract.customer_id, []).append(contract)
    return by_customer


def _contract_at(contracts: list[Contract], days_ago: float) -> Contract | None:
    """The contract a requirement captured `days_ago` belongs to: the first one still running then
    (requirements are often agreed while the contract is negotiated), else the latest."""
    captured = _day(days_ago)
    return next((c for c in contracts if c.end_date >= captured), contracts[-1] if contracts else None)


class Tracer:
    """Traces the demo requirements to the deliverables of their contracts, so that every kind of row
    of the matrix appears: delivered in form, partly delivered, only planned, not traced, and gaps."""

    def __init__(self, ctx) -> None:
        self.rng = ctx.rng
        self.today = timezone.localdate(ctx.now)
        self.musts = 0

    def _deliverables(self, contract: Contract, spec: Spec) -> tuple[list[Deliverable], list[Deliverable]]:
        """(delivered, still to come) deliverables of the contract that fit the requirement."""
        live = list(contract.deliverables.exclude(status=Deliverable.Status.CANCELLED).order_by("due_date", "pk"))
        words = SATISFIED_BY.get(spec.title, ())
        fitting = [d for d in live if any(w.lower() in d.description.lower() for w in words)] or live
        delivered = [d for d in fitting if d.status == Deliverable.Status.DELIVERED]
        to_come = [d for d in fitting if d.status == Deliverable.Status.PENDING and d.due_date >= self.today]
        return delivered, to_come

    def _shape(self, requirement: Requirement) -> str:
        """How far the requirement is traced: delivered, partial, planned or none."""
        rng = self.rng
        if requirement.status == "fulfilled":
            return "delivered"
        if requirement.status == "approved":
            if requirement.priority == "must":
                self.musts += 1
                if self.musts % 5 == 2:
                    return "none"  # an agreed must-have nobody planned to deliver: a gap
            return rng.choices(["delivered", "partial", "planned", "none"], [3, 4, 3, 1])[0]
        if requirement.status == "validated":
            return rng.choice(["planned", "planned", "none"])
        if requirement.status == "clarifying":
            return "planned" if rng.random() < 0.2 else "none"
        return "none"

    def trace(self, requirement: Requirement, spec: Spec) -> None:
        contract = requirement.contract
        if contract is None or requirement.status in ("rejected", "withdrawn", "draft"):
            return
        shape = self._shape(requirement)
        delivered, to_come = self._deliverables(contract, spec)
        chosen: list[Deliverable] = []
        if shape == "delivered" and delivered:
            chosen = delivered[-self.rng.randint(1, 3) :]
        elif shape == "partial" and delivered and to_come:
            chosen = [delivered[-1], *to_come[: self.rng.randint(1, 2)]]
        elif shape in ("planned", "partial") and to_come:
            chosen = to_come[: self.rng.randint(1, 2)]
        elif shape != "none" and delivered:
            chosen = delivered[-1:]  # the contract has nothing left to deliver: what satisfied it was delivered
        if chosen:
            manager = requirement.customer.account_manager or contract.owner
            services.requirement_trace(actor=manager, requirement=requirement, deliverables=chosen)


def load(ctx) -> None:
    rng = ctx.rng
    customers = [c for c in ctx.shared.get("customers", []) if c.status in ("active", "prospect", "inactive")]
    contracts = _contracts_by_customer(ctx)
    tracer = Tracer(ctx)
    vague_left = 7
    for customer in customers:
        contacts = ctx.shared.get("contacts", {}).get(customer.pk) or list(customer.contacts.all())
        if not contacts or rng.random() < 0.25:
            continue
        catalogue = rng.sample(COMMON, rng.randint(2, 4))
        catalogue += LEGAL.get(customer.country.code, [])[: rng.randint(1, 2)]
        if customer.segment in SECTOR and rng.random() < 0.7:
            catalogue.append(SECTOR[customer.segment])
        for spec in catalogue:
            outcome = (
                "draft" if customer.status == "prospect" and rng.random() < 0.5 else rng.choices(OUTCOMES, WEIGHTS)[0]
            )
            if spec.changes and rng.random() < 0.6:
                outcome = rng.choice(["approved", "fulfilled", "validated"])
            created = rng.uniform(30, 540) if outcome in ("fulfilled", "approved") else rng.uniform(3, 300)
            if spec.changes and outcome != "draft":
                created = rng.uniform(260, 540)
            if outcome == "clarifying":
                created = rng.uniform(3, 60)
            # Most requirements belong to the customer's contract; a few are general expectations.
            contract = _contract_at(contracts.get(customer.pk, []), created) if rng.random() < 0.85 else None
            requirement = _capture(ctx, customer, contacts, spec, outcome, created, contract=contract)
            tracer.trace(requirement, spec)
        if vague_left and customer.status == "active":
            vague_left -= 1
            spec = VAGUE[vague_left % len(VAGUE)]
            stuck = vague_left % 2 == 0
            created = rng.uniform(40, 160) if stuck else rng.uniform(2, 15)
            _capture(ctx, customer, contacts, spec, "clarifying", created, stuck=stuck)
