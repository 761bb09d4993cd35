"""Demo customers from Spain and Latin America with valid tax IDs, contacts and six quarters of
interactions."""

import datetime as dt
import unicodedata

from django.core.exceptions import ValidationError
from stdnum.ar import cuit
from stdnum.cl import rut
from stdnum.co import nit
from stdnum.es import cif, dni
from stdnum.mx import rfc
from stdnum.pe import ruc

from . import services
from .models import Contact, Customer, Interaction, StatusChange
from .validation import normalise_tax_id

# name, country, segment, kind
COMPANIES = [
    ("Construcciones Alcázar S.L.", "ES", "Construcción", "organization"),
    ("Distribuciones Guadalquivir S.A.", "ES", "Distribución", "organization"),
    ("Talleres Mecánicos Ebro S.L.", "ES", "Industria", "organization"),
    ("Clínica Dental Sonrisa Norte S.L.", "ES", "Salud", "organization"),
    ("Hospital San Rafael de Córdoba", "ES", "Salud", "organization"),
    ("Ayuntamiento de Villanueva del Pardillo", "ES", "Sector público", "organization"),
    ("Bodegas Viña Castellana S.A.", "ES", "Alimentación", "organization"),
    ("Conservas Cantábricas del Norte S.L.", "ES", "Alimentación", "organization"),
    ("Asesoría Jurídica Peñalver y Asociados S.L.P.", "ES", "Servicios profesionales", "organization"),
    ("Logística Integral Levante S.A.", "ES", "Distribución", "organization"),
    ("Hoteles Costa Brava Mediterránea S.L.", "ES", "Turismo", "organization"),
    ("Ingeniería Térmica Ibérica S.A.", "ES", "Industria", "organization"),
    ("Farmacéutica Galenia S.L.", "ES", "Salud", "organization"),
    ("Papelera del Cinca S.A.", "ES", "Industria", "organization"),
    ("Universidad Privada de Castilla", "ES", "Educación", "organization"),
    ("Servicios Informáticos Begoña S.L.", "ES", "Tecnología", "organization"),
    ("Transportes Hermanos Ybarra S.L.", "ES", "Distribución", "organization"),
    ("Cooperativa Agrícola Nuestra Señora del Pilar", "ES", "Alimentación", "organization"),
    ("Muebles Artesanos Úbeda S.L.", "ES", "Industria", "organization"),
    ("Energías Renovables Tramontana S.A.", "ES", "Energía", "organization"),
    ("Gestoría Ortiz & Muñoz S.L.", "ES", "Servicios profesionales", "organization"),
    ("Residencia de Mayores El Roble S.L.", "ES", "Salud", "organization"),
    ("Imprenta Gráficas Cervantes S.L.", "ES", "Industria", "organization"),
    ("Consultora Norte Digital S.L.", "ES", "Tecnología", "organization"),
    ("Supermercados La Despensa Gallega S.A.", "ES", "Distribución", "organization"),
    ("Colegio Concertado San Ignacio", "ES", "Educación", "organization"),
    ("María José Ibáñez Cordero", "ES", "Servicios profesionales", "person"),
    ("Tomás Echevarría Loinaz", "ES", "Servicios profesionales", "person"),
    ("Laboratorios Análisis Clínicos Almería S.L.", "ES", "Salud", "organization"),
    ("Aceites Sierra Mágina S.C.A.", "ES", "Alimentación", "organization"),
    ("Grupo Industrial Regiomontano S.A. de C.V.", "MX", "Industria", "organization"),
    ("Comercializadora del Bajío S.A. de C.V.", "MX", "Distribución", "organization"),
    ("Hospital Ángeles del Pedregal", "MX", "Salud", "organization"),
    ("Software Azteca S. de R.L. de C.V.", "MX", "Tecnología", "organization"),
    ("Constructora Peninsular de Yucatán S.A. de C.V.", "MX", "Construcción", "organization"),
    ("Alimentos La Huasteca S.A. de C.V.", "MX", "Alimentación", "organization"),
    ("Transportes Sierra Madre S.A. de C.V.", "MX", "Distribución", "organization"),
    ("Universidad Tecnológica de Querétaro", "MX", "Educación", "organization"),
    ("Farmacias Guadalupanas S.A. de C.V.", "MX", "Salud", "organization"),
    ("Minera Real de Catorce S.A. de C.V.", "MX", "Industria", "organization"),
    ("Metalúrgica Pampeana S.A.", "AR", "Industria", "organization"),
    ("Bodega Valle de Uco S.A.", "AR", "Alimentación", "organization"),
    ("Clínica Modelo de Rosario S.R.L.", "AR", "Salud", "organization"),
    ("Tecnología Austral S.A.", "AR", "Tecnología", "organization"),
    ("Logística Río de la Plata S.R.L.", "AR", "Distribución", "organization"),
    ("Cooperativa Láctea Santafesina Ltda.", "AR", "Alimentación", "organization"),
    ("Estudio Contable Belgrano S.R.L.", "AR", "Servicios profesionales", "organization"),
    ("Textiles de Antioquia S.A.S.", "CO", "Industria", "organization"),
    ("Café Montaña Verde S.A.S.", "CO", "Alimentación", "organization"),
    ("Clínica del Caribe S.A.", "CO", "Salud", "organization"),
    ("Soluciones Digitales Bogotá S.A.S.", "CO", "Tecnología", "organization"),
    ("Constructora Andina de Cali S.A.S.", "CO", "Construcción", "organization"),
    ("Viña Santa Rosa del Maule S.A.", "CL", "Alimentación", "organization"),
    ("Minera Desierto de Atacama SpA", "CL", "Industria", "organization"),
    ("Salmones del Sur SpA", "CL", "Alimentación", "organization"),
    ("Servicios Portuarios Valparaíso S.A.", "CL", "Distribución", "organization"),
    ("Agroexportadora Ica S.A.C.", "PE", "Alimentación", "organization"),
    ("Textil Gamarra S.A.C.", "PE", "Industria", "organization"),
    ("Clínica San Borja S.A.C.", "PE", "Salud", "organization"),
    ("Constructora Inca del Pacífico S.A.C.", "PE", "Construcción", "organization"),
]

FIRST = [
    "Ana",
    "Carlos",
    "Laura",
    "Miguel",
    "Elena",
    "José Luis",
    "Cristina",
    "Fernando",
    "Isabel",
    "Raúl",
    "Pilar",
    "Alberto",
    "Rocío",
    "Sergio",
    "Beatriz",
    "Jorge",
    "Nuria",
    "Óscar",
    "Verónica",
    "Ignacio",
    "Ximena",
    "Alejandro",
    "Guadalupe",
    "Mateo",
    "Valentina",
    "Santiago",
    "Camila",
    "Martín",
    "Florencia",
    "Joaquín",
    "Catalina",
    "Renata",
]
LAST = [
    "García",
    "Martínez",
    "López",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Álvarez",
    "Muñoz",
    "Romero",
    "Alonso",
    "Gutiérrez",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Castro",
    "Ortega",
    "Rubio",
    "Medina",
    "Sanz",
    "Iglesias",
    "Núñez",
    "Peña",
    "Rojas",
    "Quispe",
    "Cárdenas",
]
POSITIONS = [
    "Director general",
    "Directora de compras",
    "Responsable de calidad",
    "Jefe de mantenimiento",
    "Gerente de operaciones",
    "Administradora",
    "Responsable de logística",
    "Coordinadora de proyectos",
]
SUBJECTS = {
    "meeting": [
        "Reunión de seguimiento trimestral",
        "Revisión del plan de servicio",
        "Reunión de arranque del proyecto",
        "Presentación de resultados de satisfacción",
    ],
    "visit": ["Visita a planta", "Visita comercial de cortesía", "Auditoría de segunda parte en instalaciones"],
    "phone": [
        "Llamada por incidencia en la entrega",
        "Consulta sobre la factura",
        "Seguimiento de la oferta enviada",
        "Llamada para confirmar requisitos",
        "Aviso de retraso del transportista",
    ],
    "email": [
        "Envío de oferta revisada",
        "Confirmación de pedido",
        "Solicitud de documentación técnica",
        "Envío del certificado de calidad",
        "Respuesta a consulta técnica",
    ],
    "chat": ["Consulta por chat sobre plazos", "Duda sobre el portal de clientes"],
    "web": ["Solicitud de información desde la web", "Formulario de contacto: nueva necesidad"],
}
AREA_PHONES = {
    "ES": "+34 9{}{} {}{}{} {}{}{}",
    "MX": "+52 55 {}{}{}{} {}{}{}{}",
    "AR": "+54 11 {}{}{}{}-{}{}{}{}",
    "CO": "+57 601 {}{}{} {}{}{}{}",
    "CL": "+56 2 {}{}{}{} {}{}{}{}",
    "PE": "+51 1 {}{}{} {}{}{}{}",
}


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = [w for w in "".join(c if c.isalnum() or c == " " else " " for c in text).split() if len(w) > 2]
    return "".join(words[:2]) or "empresa"


def tax_id_for(rng, country: str, kind: str) -> str:
    for _ in range(50):
        digits = "".join(str(rng.randint(0, 9)) for _ in range(8))
        if country == "ES":
            if kind == "person":
                candidate = digits + dni.calc_check_digit(digits)
            else:
                body = rng.choice("AB") + digits[:7]
                candidate = body + cif.calc_check_digits(body)[0]
        elif country == "MX":
            letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
            date = f"{rng.randint(80, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            body = letters + date + rng.choice("ABCDEFGHJKLMN") + str(rng.randint(1, 9))
            candidate = body + rfc.calc_check_digit(body)
        elif country == "AR":
            body = "30" + digits
            candidate = body + cuit.calc_check_digit(body)
        elif country == "CO":
            body = "9" + digits
            candidate = body + nit.calc_check_digit(body)
        elif country == "CL":
            body = str(rng.randint(76, 77)) + digits[:6]
            candidate = body + rut.calc_check_digit(body)
        else:
            body = "20" + digits
            candidate = body + ruc.calc_check_digit(body)
        try:
            return normalise_tax_id(candidate, country)
        except ValidationError:
            continue
    return ""


def phone_for(rng, country: str) -> str:
    pattern = AREA_PHONES[country]
    digits = [rng.randint(1, 8)] + [rng.randint(0, 9) for _ in range(pattern.count("{}") - 1)]
    return pattern.format(*digits)


def load(ctx) -> None:
    rng = ctx.rng
    managers = ctx.staff["account_manager"] + ctx.staff["sales_manager"]
    service_staff = ctx.staff["customer_service"]
    customers: list[Customer] = []
    for index, (name, country, segment, kind) in enumerate(COMPANIES):
        if Customer.objects.filter(name=name).exists():
            customers.append(Customer.objects.get(name=name))
            continue
        status = rng.choices(["active", "prospect", "inactive", "former"], weights=[78, 9, 8, 5])[0]
        if index < 45 and status == "prospect":
            status = "active"
        domain = (
            _slug(name)
            + {"ES": ".es", "MX": ".com.mx", "AR": ".com.ar", "CO": ".com.co", "CL": ".cl", "PE": ".pe"}[country]
        )
        latin = country != "ES"
        manager = (
            ctx.staff["account_manager"][1] if latin and len(ctx.staff["account_manager"]) > 1 else rng.choice(managers)
        )
        customer = services.customer_create(
            actor=manager,
            data={
                "name": name,
                "kind": kind,
                "tax_id": tax_id_for(rng, country, kind),
                "email": f"info@{domain}" if kind == "organization" else f"{_slug(name)}@correo.es",
                "phone": phone_for(rng, country),
                "address": f"Calle {rng.choice(LAST)} {rng.randint(1, 180)}, {rng.choice(['Madrid', 'Sevilla', 'Bilbao', 'Valencia', 'Zaragoza', 'Córdoba'])}"
                if country == "ES"
                else {
                    "MX": "Av. Insurgentes Sur 1602, Ciudad de México",
                    "AR": "Av. Corrientes 1234, Buenos Aires",
                    "CO": "Carrera 7 # 71-21, Bogotá",
                    "CL": "Av. Apoquindo 3000, Santiago",
                    "PE": "Av. Javier Prado 2450, Lima",
                }[country],
                "country": country,
                "segment": segment,
                "status": status,
                "account_manager": manager,
            },
        )
        since_days = rng.randint(560, 1400) if status != "prospect" else rng.randint(20, 200)
        created = ctx.days_ago(since_days, hour=10)
        Customer.objects.filter(pk=customer.pk).update(
            created_at=created,
            activated_at=ctx.days_ago(since_days - rng.randint(5, 40), hour=12) if status != "prospect" else None,
        )
        customer.refresh_from_db()
        # The status history behind churn: prospects became customers; some later left.
        StatusChange.objects.filter(customer=customer).delete()
        history = [(created, "prospect")]
        if customer.activated_at:
            history.append((customer.activated_at, "active"))
        if status in ("inactive", "former"):
            left = max(customer.activated_at + dt.timedelta(days=60), ctx.days_ago(rng.randint(20, 520), hour=11))
            history.append((min(left, ctx.now), status))
        StatusChange.objects.bulk_create(StatusChange(customer=customer, status=s, at=a) for a, s in history)
        customers.append(customer)

        contacts = []
        for position_index in range(rng.randint(1, 4) if kind == "organization" else 1):
            first = rng.choice(FIRST) if kind == "organization" else name.split()[0]
            last = f"{rng.choice(LAST)} {rng.choice(LAST)}" if kind == "organization" else " ".join(name.split()[1:])
            consent = rng.random() < 0.82
            contact = services.contact_create(
                actor=manager,
                customer=customer,
                data={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{_slug(first)}.{_slug(last.split()[0])}{position_index or ''}@{domain}"
                    if kind == "organization"
                    else customer.email,
                    "phone": phone_for(rng, country),
                    "position": POSITIONS[(index + position_index) % len(POSITIONS)] if kind == "organization" else "",
                    "is_primary": position_index == 0,
                    "survey_consent": consent,
                    "survey_consent_at": created + dt.timedelta(days=rng.randint(1, 30)) if consent else None,
                    "marketing_consent": rng.random() < 0.45,
                },
            )
            contacts.append(contact)
        ctx.shared.setdefault("contacts", {})[customer.pk] = contacts

        if status == "prospect":
            count = rng.randint(1, 4)
        else:
            count = rng.randint(6, 22) if status == "active" else rng.randint(2, 6)
        horizon = min(since_days, 545)
        for _ in range(count):
            channel = rng.choices(list(SUBJECTS), weights=[18, 8, 30, 30, 6, 8])[0]
            occurred = ctx.working_time(
                rng.uniform(0.5, horizon if status == "active" else horizon * (0.4 if status == "former" else 1))
                + (0 if status == "active" else 120)
            )
            author = (
                rng.choice(service_staff) if channel in ("phone", "chat", "web") and rng.random() < 0.5 else manager
            )
            interaction = services.interaction_log(
                actor=author,
                customer=customer,
                data={
                    "channel": channel,
                    "direction": "inbound" if channel in ("web", "chat") or rng.random() < 0.35 else "outbound",
                    "occurred_at": occurred,
                    "contact": rng.choice(contacts),
                    "subject": rng.choice(SUBJECTS[channel]),
                    "notes": rng.choice(
                        [
                            "",
                            "Se acuerda enviar propuesta antes del viernes.",
                            "El cliente pide revisar los plazos de entrega.",
                            "Sin incidencias. Próximo contacto en un mes.",
                            "Queda pendiente confirmar el presupuesto con dirección.",
                            "Valoran positivamente la respuesta del equipo técnico.",
                        ]
                    ),
                },
            )
            # Most interactions are logged the same day; some days later (a live risk signal).
            delay = (
                dt.timedelta(hours=rng.uniform(0.2, 6))
                if rng.random() < 0.85
                else dt.timedelta(days=rng.uniform(2, 12))
            )
            Interaction.objects.filter(pk=interaction.pk).update(created_at=min(occurred + delay, ctx.now))
    ctx.shared["customers"] = customers
    ctx.shared["contacts_all"] = list(Contact.objects.filter(customer__in=customers))
