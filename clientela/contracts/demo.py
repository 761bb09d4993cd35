"""Demo contracts: a regulations register with real Spanish and Latin-American rules, and six
quarters of contracts with their review, recurring obligations and on-time, late and nonconforming
deliveries, so the CCT indicator per quarter is realistic (one quarter clearly below target)."""

import datetime as dt
import decimal
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from clientela.core.periods import Period

from . import services
from .models import Contract, ContractRegulation, ContractReview, Deliverable, Delivery, RecurringObligation

# code, title, jurisdiction, summary, official link
REGULATIONS = [
    (
        "RGPD",
        "Reglamento (UE) 2016/679 general de protección de datos",
        "Unión Europea",
        "Tratamiento de datos personales por cuenta del cliente: contrato de encargado (art. 28), medidas de "
        "seguridad y notificación de brechas en 72 horas.",
        "https://eur-lex.europa.eu/eli/reg/2016/679/oj",
    ),
    (
        "LOPDGDD",
        "Ley Orgánica 3/2018, de Protección de Datos Personales y garantía de los derechos digitales",
        "España",
        "Adapta el RGPD al derecho español; deber de confidencialidad y bloqueo de datos (art. 32).",
        "https://www.boe.es/eli/es/lo/2018/12/05/3/con",
    ),
    (
        "LCSP",
        "Ley 9/2017, de 8 de noviembre, de Contratos del Sector Público",
        "España",
        "Contratos con administraciones públicas: pliegos, plazos de ejecución, penalidades y recepción.",
        "https://www.boe.es/eli/es/l/2017/11/08/9/con",
    ),
    (
        "ENS",
        "Real Decreto 311/2022, Esquema Nacional de Seguridad",
        "España",
        "Seguridad de los sistemas de información que prestan servicio al sector público.",
        "https://www.boe.es/eli/es/rd/2022/05/03/311/con",
    ),
    (
        "LPRL",
        "Ley 31/1995, de Prevención de Riesgos Laborales",
        "España",
        "Coordinación de actividades empresariales cuando el personal trabaja en instalaciones del cliente.",
        "https://www.boe.es/eli/es/l/1995/11/08/31/con",
    ),
    (
        "RITE",
        "Real Decreto 1027/2007, Reglamento de Instalaciones Térmicas en los Edificios",
        "España",
        "Mantenimiento preventivo de instalaciones térmicas con periodicidad mínima y registro de operaciones.",
        "https://www.boe.es/eli/es/rd/2007/07/20/1027/con",
    ),
    (
        "Reglamento (CE) 852/2004",
        "Reglamento (CE) n.º 852/2004 relativo a la higiene de los productos alimenticios",
        "Unión Europea",
        "Higiene y trazabilidad en el suministro a la industria alimentaria.",
        "https://eur-lex.europa.eu/eli/reg/2004/852/oj",
    ),
    (
        "MDR 2017/745",
        "Reglamento (UE) 2017/745 sobre los productos sanitarios",
        "Unión Europea",
        "Mantenimiento y trazabilidad de equipos de electromedicina en centros sanitarios.",
        "https://eur-lex.europa.eu/eli/reg/2017/745/oj",
    ),
    (
        "ISO 9001:2015",
        "Sistemas de gestión de la calidad. Requisitos",
        "Internacional",
        "Requisitos para productos y servicios (8.2), control de la producción y prestación del servicio (8.5).",
        "https://www.iso.org/standard/62085.html",
    ),
    (
        "ISO/IEC 27001:2022",
        "Seguridad de la información, ciberseguridad y protección de la privacidad",
        "Internacional",
        "Controles de seguridad exigidos por el cliente a sus proveedores de servicios TIC.",
        "https://www.iso.org/standard/27001",
    ),
    (
        "LFPDPPP",
        "Ley Federal de Protección de Datos Personales en Posesión de los Particulares",
        "México",
        "Aviso de privacidad y deberes del encargado del tratamiento en México.",
        "https://www.diputados.gob.mx/LeyesBiblio/pdf/LFPDPPP.pdf",
    ),
    (
        "NOM-035-STPS-2018",
        "Factores de riesgo psicosocial en el trabajo: identificación, análisis y prevención",
        "México",
        "Obligaciones del patrón respecto del personal que presta servicio en las instalaciones del cliente.",
        "https://www.dof.gob.mx/nota_detalle.php?codigo=5541828&fecha=23/10/2018",
    ),
    (
        "NOM-251-SSA1-2009",
        "Prácticas de higiene para el proceso de alimentos, bebidas o suplementos alimenticios",
        "México",
        "Higiene en el suministro de insumos a la industria alimentaria mexicana.",
        "https://www.dof.gob.mx/normasOficiales/3980/salud/salud.htm",
    ),
    (
        "Ley 25.326",
        "Ley de Protección de los Datos Personales",
        "Argentina",
        "Tratamiento de datos por cuenta de terceros y medidas de seguridad.",
        "https://servicios.infoleg.gob.ar/infolegInternet/anexos/60000-64999/64790/texact.htm",
    ),
    (
        "Ley 1581 de 2012",
        "Régimen general de protección de datos personales",
        "Colombia",
        "Encargados del tratamiento y transmisión de datos personales.",
        "https://www.funcionpublica.gov.co/eva/gestornormativo/norma.php?i=49981",
    ),
    (
        "Ley 19.628",
        "Ley sobre protección de la vida privada",
        "Chile",
        "Tratamiento de datos personales por mandato del cliente.",
        "https://www.bcn.cl/leychile/navegar?idNorma=141599",
    ),
    (
        "Ley 29733",
        "Ley de Protección de Datos Personales",
        "Perú",
        "Encargo de tratamiento y medidas de seguridad.",
        "https://www.gob.pe/institucion/congreso-de-la-republica/normas-legales/243470-29733",
    ),
]

DATA_LAW = {
    "ES": ["RGPD", "LOPDGDD"],
    "MX": ["LFPDPPP"],
    "AR": ["Ley 25.326"],
    "CO": ["Ley 1581 de 2012"],
    "CL": ["Ley 19.628"],
    "PE": ["Ley 29733"],
}
SAFETY_LAW = {"ES": ["LPRL"], "MX": ["NOM-035-STPS-2018"]}
FOOD_LAW = {"ES": ["Reglamento (CE) 852/2004"], "MX": ["NOM-251-SSA1-2009"]}
# Contract values are drawn in euros and converted roughly to the customer's currency.
CURRENCY = {
    "ES": ("EUR", 1),
    "MX": ("MXN", 20),
    "AR": ("ARS", 1000),
    "CO": ("COP", 4500),
    "CL": ("CLP", 1000),
    "PE": ("PEN", 4),
}


@dataclass(frozen=True)
class Archetype:
    title: str
    kind: str
    months: int
    value: tuple[int, int]  # in euros
    recurring: tuple[tuple[str, str, str, str], ...] = ()  # description, frequency, team, acceptance criteria
    milestones: tuple[tuple[str, int, str], ...] = ()  # description, days after the start, team
    laws: tuple[str, ...] = ()  # "data", "safety", "food", or a regulation code
    terms: str = ""


ARCHETYPES = {
    "maintenance": Archetype(
        "Mantenimiento preventivo de instalaciones de climatización",
        "maintenance",
        12,
        (18_000, 60_000),
        (
            (
                "Visita de mantenimiento preventivo",
                "quarterly",
                "Mantenimiento",
                "Lista de comprobación RITE completa y firmada por el responsable de la instalación.",
            ),
            (
                "Informe mensual de intervenciones",
                "monthly",
                "Mantenimiento",
                "Informe enviado con todas las incidencias cerradas o planificadas.",
            ),
        ),
        laws=("safety", "RITE", "ISO 9001:2015"),
        terms="Mantenimiento preventivo trimestral y correctivo con respuesta en 8 horas laborables. "
        "Penalización del 2 % mensual por visita no realizada.",
    ),
    "software": Archetype(
        "Servicio de soporte y mantenimiento del software de gestión",
        "services",
        12,
        (24_000, 90_000),
        (
            (
                "Informe mensual de nivel de servicio",
                "monthly",
                "Soporte",
                "Disponibilidad igual o superior al 99,5 % y tiempos de respuesta dentro del acuerdo de nivel de servicio.",
            ),
        ),
        laws=("data", "ISO/IEC 27001:2022"),
        terms="Soporte de lunes a viernes de 8 a 18 h; incidencias críticas resueltas en 4 horas.",
    ),
    "supply": Archetype(
        "Suministro programado de material fungible",
        "supply",
        12,
        (30_000, 150_000),
        (
            (
                "Entrega mensual del pedido programado",
                "monthly",
                "Logística",
                "Pedido completo, sin roturas, con albarán firmado y certificado de lote.",
            ),
        ),
        laws=("ISO 9001:2015",),
        terms="Entregas el día 10 de cada mes en el almacén del cliente; devolución de material no conforme.",
    ),
    "food_supply": Archetype(
        "Suministro de envases y etiquetado para la línea de envasado",
        "supply",
        12,
        (40_000, 180_000),
        (
            (
                "Entrega mensual de envases y etiquetas",
                "monthly",
                "Logística",
                "Lote completo con certificado de aptitud alimentaria y etiquetado conforme.",
            ),
        ),
        laws=("food", "ISO 9001:2015"),
        terms="Suministro mensual con trazabilidad por lote; análisis de migración a cargo del proveedor.",
    ),
    "medical": Archetype(
        "Mantenimiento de equipos de electromedicina",
        "maintenance",
        24,
        (35_000, 120_000),
        (
            (
                "Revisión trimestral de equipos críticos",
                "quarterly",
                "Electromedicina",
                "Pruebas de seguridad eléctrica registradas y etiqueta de revisión en cada equipo.",
            ),
        ),
        laws=("MDR 2017/745", "data"),
        terms="Revisión trimestral de equipos críticos y respuesta en 4 horas para quirófanos y UCI.",
    ),
    "project": Archetype(
        "Implantación del sistema de gestión documental",
        "project",
        9,
        (40_000, 120_000),
        milestones=(
            ("Análisis de requisitos y plan de proyecto", 30, "Consultoría"),
            ("Instalación en el entorno de pruebas", 90, "Sistemas"),
            ("Formación de usuarios clave", 150, "Consultoría"),
            ("Puesta en producción y acta de aceptación", 240, "Sistemas"),
        ),
        laws=("data", "ISO/IEC 27001:2022"),
        terms="Proyecto llave en mano en cuatro hitos; el último se factura con el acta de aceptación firmada.",
    ),
    "saas": Archetype(
        "Licencia y servicio en la nube de CRM",
        "subscription",
        12,
        (6_000, 20_000),
        (
            (
                "Informe trimestral de uso y disponibilidad",
                "quarterly",
                "Soporte",
                "Informe con disponibilidad mensual, incidencias y copias de seguridad verificadas.",
            ),
        ),
        laws=("data",),
        terms="Suscripción anual con renovación expresa; disponibilidad comprometida del 99,9 %.",
    ),
    "public_cleaning": Archetype(
        "Acuerdo marco de limpieza de edificios municipales",
        "framework",
        24,
        (80_000, 200_000),
        (
            (
                "Parte mensual de servicio y control de calidad",
                "monthly",
                "Servicios generales",
                "Parte firmado por el responsable municipal con la inspección de calidad superada.",
            ),
        ),
        laws=("LCSP", "safety", "ENS"),
        terms="Lote 2 del acuerdo marco; penalidades según el pliego de cláusulas administrativas particulares.",
    ),
}
BY_SEGMENT = {
    "Industria": ["maintenance", "supply", "software"],
    "Alimentación": ["food_supply", "maintenance", "saas"],
    "Salud": ["medical", "software", "supply"],
    "Distribución": ["software", "saas", "maintenance"],
    "Servicios profesionales": ["saas", "project"],
    "Tecnología": ["project", "saas"],
    "Construcción": ["maintenance", "project"],
    "Educación": ["saas", "maintenance"],
    "Sector público": ["public_cleaning"],
    "Turismo": ["maintenance"],
    "Energía": ["project", "maintenance"],
}
# Share of the contracts in scope that miss something in each quarter (one bad quarter).
FAILURE_RATE = {-5: 0.04, -4: 0.03, -3: 0.14, -2: 0.05, -1: 0.03, 0: 0.05}
NONCONFORMITIES = [
    ("Faltan las firmas del responsable del cliente en el parte.", "low"),
    ("El informe no incluye las mediciones de la planta 2.", "medium"),
    ("Se entregaron 40 unidades menos de las pedidas.", "medium"),
    ("Lote sin certificado de aptitud alimentaria.", "high"),
    ("Equipo de quirófano revisado sin prueba de seguridad eléctrica.", "critical"),
    ("Disponibilidad del mes por debajo del 99,5 % comprometido.", "high"),
    ("Embalaje dañado: 12 cajas con roturas.", "medium"),
]
ON_TIME_NOTES = [
    "",
    "",
    "Recibido y validado por el cliente.",
    "Entregado en mano al responsable de mantenimiento.",
    "Enviado por correo con acuse de recibo.",
]


@dataclass
class Plan:
    contract: Contract
    final_status: str = Contract.Status.ACTIVE
    close_note: str = ""
    deliverables: list[Deliverable] = field(default_factory=list)


def _quarter_index(day: dt.date, today: dt.date) -> int:
    """0 for the current quarter, -1 for the previous one…"""
    return (day.year - today.year) * 4 + (day.month - 1) // 3 - (today.month - 1) // 3


def _at(day: dt.date, hour: int, rng) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, rng.choice([0, 10, 20, 30, 45]))))


def _regulations(archetype: Archetype, country: str, codes: dict[str, Any]) -> list[Any]:
    wanted: list[str] = []
    for law in archetype.laws:
        if law == "data":
            wanted += DATA_LAW.get(country, [])
        elif law == "safety":
            wanted += SAFETY_LAW.get(country, [])
        elif law == "food":
            wanted += FOOD_LAW.get(country, [])
        elif law.startswith("ISO") or country == "ES":
            wanted.append(law)
    return [codes[c] for c in dict.fromkeys(wanted) if c in codes]


class Builder:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        self.today = timezone.localdate(ctx.now)
        self.sales = ctx.users["sales_manager"]
        self.ops = ctx.staff.get("operations", [self.sales])
        self.plans: list[Plan] = []
        self.codes: dict[str, Any] = {}

    def regulations(self) -> None:
        for code, title, jurisdiction, summary, url in REGULATIONS:
            regulation = services.regulation_create(
                actor=self.ctx.users.get("quality", self.sales),
                data={"code": code, "title": title, "jurisdiction": jurisdiction, "summary": summary, "url": url},
            )
            self.codes[code] = regulation

    def contract(
        self, customer, key: str, start: dt.date, *, renews: Contract | None = None, status: str = "active"
    ) -> Plan:
        archetype = ARCHETYPES[key]
        rng = self.rng
        country = customer.country.code if customer.country else "ES"
        currency, factor = CURRENCY.get(country, ("EUR", 1))
        low, high = archetype.value
        value = decimal.Decimal(rng.randrange(low, high, 500) * factor).quantize(decimal.Decimal("0.01"))
        end = _add_months(start, archetype.months) - dt.timedelta(days=1)
        owner = customer.account_manager or self.sales
        contacts = self.ctx.shared.get("contacts", {}).get(customer.pk) or []
        contract = services.contract_create(
            actor=owner,
            data={
                "number": services.next_contract_number(start.year if start <= self.today else self.today.year),
                "customer": customer,
                "contact": contacts[0] if contacts else None,
                "title": archetype.title,
                "kind": archetype.kind,
                "start_date": start,
                "end_date": end,
                "value": value,
                "currency": currency,
                "owner": owner,
                "renews": renews,
                "terms": archetype.terms,
                "regulations": _regulations(archetype, country, self.codes),
            },
        )
        responsible = rng.choice(self.ops)
        for description, frequency, team, criteria in archetype.recurring:
            first = start + dt.timedelta(days=rng.randint(20, 34) if frequency == "monthly" else rng.randint(45, 85))
            if first > end:
                continue
            services.recurring_obligation_create(
                actor=owner,
                contract=contract,
                data={
                    "description": description,
                    "frequency": frequency,
                    "first_due_date": first,
                    "acceptance_criteria": criteria,
                    "responsible": responsible,
                    "team": team,
                },
            )
        for description, offset, team in archetype.milestones:
            due = min(start + dt.timedelta(days=offset + rng.randint(-5, 10)), end)
            services.deliverable_create(
                actor=owner,
                contract=contract,
                data={
                    "description": description,
                    "due_date": due,
                    "acceptance_criteria": "Acta de entrega firmada por el director del proyecto del cliente.",
                    "responsible": responsible,
                    "team": team,
                },
            )
        plan = Plan(contract=contract, final_status=status)
        self.plans.append(plan)
        return plan

    def open_for_business(self, plan: Plan) -> None:
        """Submit, review and activate (as the sales manager), back-dated to before the start."""
        contract = plan.contract
        owner = contract.owner or self.sales
        contract = services.contract_transition(actor=owner, contract=contract, to="in_review")
        review = services.contract_review_record(
            actor=self.sales,
            contract=contract,
            data={
                "requirements_defined": True,
                "differences_resolved": True,
                "capacity_confirmed": True,
                "regulations_identified": True,
                "notes": self.rng.choice(
                    [
                        "Oferta y contrato coinciden; plazos validados con operaciones.",
                        "Se acuerda con el cliente el calendario de visitas. Capacidad confirmada con el jefe de operaciones.",
                        "Revisadas las cláusulas de protección de datos y el anexo de encargado del tratamiento.",
                    ]
                ),
            },
        )
        plan.contract = services.contract_transition(actor=self.sales, contract=contract, to="active")
        reviewed = contract.start_date - dt.timedelta(days=self.rng.randint(5, 12))
        ContractReview.objects.filter(pk=review.pk).update(reviewed_at=_at(reviewed, 11, self.rng))
        ContractRegulation.objects.filter(contract=contract).update(last_reviewed_on=reviewed)

    def deliver(self, failing: set[tuple[int, int]]) -> None:
        today = self.today
        for plan in self.plans:
            contract = plan.contract
            if contract.status != Contract.Status.ACTIVE:
                continue
            due_items = list(contract.deliverables.filter(due_date__lte=today).order_by("due_date"))
            chosen: dict[int, int] = {}
            for deliverable in due_items:
                quarter = _quarter_index(deliverable.due_date, today)
                # The first miss of a closed quarter; the latest one of the open quarter (still overdue).
                if (contract.pk, quarter) in failing and (quarter not in chosen or quarter == 0):
                    chosen[quarter] = deliverable.pk
            for deliverable in due_items:
                fails = deliverable.pk in chosen.values()
                self._deliver_one(plan, deliverable, fails)

    def _deliver_one(self, plan: Plan, deliverable: Deliverable, fails: bool) -> None:
        rng, today, contract = self.rng, self.today, plan.contract
        due = deliverable.due_date
        recorder = deliverable.responsible or self.ops[0]
        recent = (today - due).days <= 25
        if fails:
            if recent and plan.final_status == Contract.Status.ACTIVE:
                return  # still outstanding: overdue
            mode = rng.choice(["late", "late", "nonconforming"])
            if mode == "nonconforming":
                what, severity = rng.choice(NONCONFORMITIES)
                first = max(contract.start_date, due - dt.timedelta(days=rng.randint(0, 3)))
                self._record(deliverable, first, recorder, conforming=False, what=what, severity=severity)
            fixed = min(today, due + dt.timedelta(days=rng.randint(2, 14)))
            if fixed <= due:
                return
            self._record(deliverable, fixed, recorder, notes="Entregado fuera de plazo.")
            return
        on_time = max(contract.start_date, due - dt.timedelta(days=rng.randint(0, 6)))
        if rng.random() < 0.07 and on_time < due:
            what, severity = rng.choice(NONCONFORMITIES)
            early = max(contract.start_date, on_time - dt.timedelta(days=rng.randint(1, 4)))
            self._record(deliverable, early, recorder, conforming=False, what=what, severity=severity)
            self._record(deliverable, on_time, recorder, notes="Corregido y aceptado antes del vencimiento.")
            return
        self._record(deliverable, on_time, recorder, notes=rng.choice(ON_TIME_NOTES))

    def _record(self, deliverable, day, recorder, *, conforming=True, what="", severity="", notes="") -> None:
        data: dict[str, Any] = {"delivered_on": day, "conforming": conforming, "notes": notes}
        if not conforming:
            data.update(nonconformity=what, severity=severity)
        delivery = services.delivery_record(actor=recorder, deliverable=deliverable, data=data)
        Delivery.objects.filter(pk=delivery.pk).update(created_at=_at(day, self.rng.randint(9, 18), self.rng))

    def close(self, plan: Plan) -> None:
        contract = plan.contract
        if plan.final_status == Contract.Status.COMPLETED:
            for leftover in contract.deliverables.filter(status=Deliverable.Status.PENDING):
                # The customer waived what could not be delivered before the end (a real-world loose end).
                services.deliverable_transition(
                    actor=self.sales, deliverable=leftover, to="cancelled", note="Anulado de mutuo acuerdo al cierre."
                )
            plan.contract = services.contract_transition(actor=self.sales, contract=contract, to="completed")
            closed = contract.end_date + dt.timedelta(days=self.rng.randint(2, 10))
            Contract.objects.filter(pk=contract.pk).update(closed_at=_at(min(closed, self.today), 12, self.rng))
        elif plan.final_status == Contract.Status.TERMINATED:
            for leftover in contract.deliverables.filter(status=Deliverable.Status.PENDING, due_date__gt=self.today):
                services.deliverable_transition(
                    actor=self.sales, deliverable=leftover, to="cancelled", note=plan.close_note
                )
            plan.contract = services.contract_transition(
                actor=self.sales, contract=contract, to="terminated", note=plan.close_note
            )

    def backdate(self, plan: Plan) -> None:
        contract = plan.contract
        created = min(contract.start_date - dt.timedelta(days=self.rng.randint(15, 35)), self.today)
        created_at = _at(created, 10, self.rng)
        Contract.objects.filter(pk=contract.pk).update(created_at=created_at)
        Deliverable.objects.filter(contract=contract).update(created_at=created_at)
        RecurringObligation.objects.filter(contract=contract).update(created_at=created_at)
        if contract.activated_at is not None:
            activated = min(contract.start_date - dt.timedelta(days=self.rng.randint(1, 4)), self.today)
            Contract.objects.filter(pk=contract.pk).update(activated_at=_at(activated, 13, self.rng))


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, 28))


def load(ctx) -> None:
    if Contract.objects.exists():
        ctx.shared["contracts"] = list(Contract.objects.all())
        return
    builder = Builder(ctx)
    rng, today = builder.rng, builder.today
    builder.regulations()
    customers = [c for c in ctx.shared.get("customers", []) if c.status in ("active", "former", "inactive")]
    horizon = Period.current_quarter(today).last(7)[0].start  # a quarter before the six reported ones

    for index, customer in enumerate(customers):
        keys = BY_SEGMENT.get(customer.segment, ["maintenance"])
        key = keys[index % len(keys)]
        start = horizon + dt.timedelta(days=rng.randint(0, 200))
        previous: Contract | None = None
        while start <= today - dt.timedelta(days=20):
            months = ARCHETYPES[key].months
            end = _add_months(start, months) - dt.timedelta(days=1)
            ended = end < today
            status = Contract.Status.COMPLETED if ended else Contract.Status.ACTIVE
            plan = builder.contract(customer, key, start, renews=previous)
            builder.open_for_business(plan)
            plan.final_status = status
            previous = plan.contract
            if customer.status != "active" and ended:
                break  # a former customer did not renew
            if not ended or rng.random() > 0.75:
                break  # still running, or not renewed
            start = end + dt.timedelta(days=1)
        if customer.status == "active" and index % 4 == 0 and ARCHETYPES[key].kind != "project":
            extra = builder.contract(customer, "project", today - dt.timedelta(days=rng.randint(40, 260)))
            builder.open_for_business(extra)

    terminated = next((p for p in builder.plans if p.final_status == "active" and p.contract.kind == "supply"), None)
    if terminated is not None:
        terminated.final_status = Contract.Status.TERMINATED
        terminated.close_note = "Rescisión de mutuo acuerdo por el cierre de la planta del cliente."

    # Which contracts miss something in each quarter, at each quarter's failure rate.
    in_scope: dict[int, set[int]] = {}
    for contract_id, due in Deliverable.objects.filter(due_date__lte=today).values_list("contract_id", "due_date"):
        in_scope.setdefault(_quarter_index(due, today), set()).add(contract_id)
    failing: set[tuple[int, int]] = set()
    for quarter, contract_ids in in_scope.items():
        rate = FAILURE_RATE.get(quarter, 0.04)
        count = max(1, round(len(contract_ids) * rate)) if quarter >= -5 else 0
        for contract_id in rng.sample(sorted(contract_ids), min(count, len(contract_ids))):
            failing.add((contract_id, quarter))
    builder.deliver(failing)

    for plan in builder.plans:
        builder.close(plan)
        builder.backdate(plan)

    _pipeline(builder, customers)
    services.send_alerts(today=today)
    ctx.shared["contracts"] = [plan.contract for plan in builder.plans]


def _pipeline(builder: Builder, customers: list) -> None:
    """Contracts still being negotiated: drafts, one in review with an open point, one cancelled."""
    rng, today, sales = builder.rng, builder.today, builder.sales
    active = [c for c in customers if c.status == "active"]
    picks = rng.sample(active, min(5, len(active)))
    for number, customer in enumerate(picks):
        key = BY_SEGMENT.get(customer.segment, ["saas"])[-1]
        plan = builder.contract(customer, key, today + dt.timedelta(days=rng.randint(20, 60)))
        contract = plan.contract
        if number in (1, 2):
            contract = services.contract_transition(actor=contract.owner or sales, contract=contract, to="in_review")
        if number == 2:
            services.contract_review_record(
                actor=sales,
                contract=contract,
                data={
                    "requirements_defined": True,
                    "differences_resolved": True,
                    "capacity_confirmed": False,
                    "regulations_identified": True,
                    "notes": "Falta confirmar con operaciones que hay técnicos certificados para la zona.",
                },
            )
        if number == 4:
            services.contract_transition(
                actor=contract.owner or sales,
                contract=contract,
                to="cancelled",
                note="El cliente adjudicó el servicio a otro proveedor.",
            )
        plan.final_status = contract.status
