"""Customers, contacts and interactions from Spain and Latin America.

At scale L: 100,000 customers (about 8 % of them people, the rest organisations), 200,000 contacts
and 500,000 interactions over six quarters. Tax IDs carry valid check digits for their country
(python-stdnum), phone numbers are stored as the service stores them, and `search_text` is the
same normalised text the model computes in `clean()`.

The organisation names combine an activity, a place or family name and a legal form; every
place or family name is used by about 1 in 200 organisations, so a search for one of them
("Peñalver") finds about 500 customers at scale L.
"""

import datetime as dt
import itertools

from stdnum.ar import cuit
from stdnum.cl import rut
from stdnum.co import nit
from stdnum.es import cif, dni
from stdnum.mx import rfc
from stdnum.pe import ruc

from bench.generators import Context, GeneratedCustomer, generator
from bench.generators.accounts import FIRST_NAMES, LAST_NAMES, ascii_slug
from clientela.core import sequences
from clientela.core.importing import normalise
from clientela.core.permissions import Role
from clientela.customers.models import Contact, Customer, Interaction

CUSTOMERS_AT_L = 100_000
CONTACTS_AT_L = 200_000
INTERACTIONS_AT_L = 500_000

# The fragment the `customer_search` scenario looks for (one of NAMES below, ~0.5 % of organisations).
SEARCH_FRAGMENT = "Peñalver"

# activity → segment
ACTIVITIES = {
    "Construcciones": "Construcción", "Constructora": "Construcción", "Reformas Integrales": "Construcción",
    "Distribuciones": "Distribución", "Logística Integral": "Distribución", "Transportes": "Distribución",
    "Supermercados": "Distribución", "Comercializadora": "Distribución", "Servicios Portuarios": "Distribución",
    "Talleres Mecánicos": "Industria", "Ingeniería Térmica": "Industria", "Papelera": "Industria",
    "Muebles Artesanos": "Industria", "Imprenta Gráficas": "Industria", "Metalúrgica": "Industria",
    "Textiles": "Industria", "Minera": "Industria", "Plásticos Técnicos": "Industria",
    "Clínica Dental": "Salud", "Hospital": "Salud", "Farmacéutica": "Salud", "Residencia de Mayores": "Salud",
    "Laboratorios Clínicos": "Salud", "Óptica": "Salud",
    "Bodegas": "Alimentación", "Conservas": "Alimentación", "Aceites": "Alimentación", "Café": "Alimentación",
    "Alimentos": "Alimentación", "Cooperativa Agrícola": "Alimentación", "Panificadora": "Alimentación",
    "Asesoría Jurídica": "Servicios profesionales", "Gestoría": "Servicios profesionales",
    "Estudio Contable": "Servicios profesionales", "Consultora": "Servicios profesionales",
    "Servicios Informáticos": "Tecnología", "Soluciones Digitales": "Tecnología", "Software": "Tecnología",
    "Hoteles": "Turismo", "Viajes": "Turismo", "Energías Renovables": "Energía", "Eléctrica": "Energía",
    "Colegio": "Educación", "Academia": "Educación", "Universidad Privada": "Educación",
    "Ayuntamiento de": "Sector público", "Mancomunidad de": "Sector público",
}  # fmt: skip
# Places and family names: 200 of them, so each names about 0.5 % of the organisations.
NAMES = [
    "Alcázar", "Guadalquivir", "Ebro", "Cantábrico", "Levante", "Tramontana", "Cinca", "Úbeda", "Almería",
    "Sierra Mágina", "Galenia", "Begoña", "Ybarra", "Castellana", "Costa Brava", "Navarra", "Aragón",
    "Montserrat", "Guadarrama", "Gredos", "Moncayo", "Montseny", "Picos de Europa", "Doñana", "Albarracín",
    "Cazorla", "Alpujarra", "Bierzo", "Rioja Alta", "Ribera del Duero", "Penedès", "Priorat", "Jerez",
    "Montilla", "Valdepeñas", "Toro", "Rías Baixas", "Ourense", "Lugo", "Ferrol", "Vigo", "Avilés",
    "Gijón", "Santander", "Laredo", "Bilbao", "Getxo", "Donostia", "Irún", "Pamplona", "Tudela", "Logroño",
    "Soria", "Burgos", "Palencia", "Zamora", "Salamanca", "Ávila", "Segovia", "Cuenca", "Teruel", "Huesca",
    "Lleida", "Tarragona", "Girona", "Vic", "Manresa", "Sabadell", "Terrassa", "Castellón", "Sagunto",
    "Gandía", "Alcoy", "Elche", "Orihuela", "Cartagena", "Lorca", "Jaén", "Linares", "Córdoba", "Écija",
    "Osuna", "Ronda", "Antequera", "Motril", "Guadix", "Huelva", "Cádiz", "Algeciras", "Mérida", "Cáceres",
    "Plasencia", "Badajoz", "Talavera", "Toledo", "Ciudad Real", "Albacete", "Guadalajara", "Alcalá",
    "Aranjuez", "Móstoles", "Getafe", "Leganés", "Tenerife", "Lanzarote", "Menorca", "Ibiza",
    "Peñalver", "Echevarría", "Zubiaurre", "Olaizola", "Arrieta", "Urquijo", "Goicoechea", "Larrañaga",
    "Villanueva", "Valderrama", "Montoya", "Carvajal", "Santamaría", "Bustamante", "Sotomayor", "Quiroga",
    "Figueroa", "Cifuentes", "Arellano", "Barrientos", "Maldonado", "Covarrubias", "Altamirano", "Zavala",
    "Bajío", "Huasteca", "Regiomontana", "Yucatán", "Querétaro", "Puebla", "Oaxaca", "Chiapas", "Sonora",
    "Sinaloa", "Jalisco", "Tlaxcala", "Anáhuac", "Sierra Madre", "Pampeana", "Valle de Uco", "Rosario",
    "Austral", "Río de la Plata", "Santafesina", "Belgrano", "Mendoza", "Tucumán", "Córdoba del Sur",
    "Patagonia", "Neuquén", "Salta", "Misiones", "Antioquia", "Montaña Verde", "Caribe", "Bogotá", "Andina",
    "Cali", "Medellín", "Cartagena de Indias", "Barranquilla", "Santa Marta", "Bucaramanga", "Pereira",
    "Manizales", "Maule", "Atacama", "Valparaíso", "Biobío", "Araucanía", "Los Lagos", "Magallanes",
    "Antofagasta", "Coquimbo", "Temuco", "Ica", "Gamarra", "San Borja", "Inca del Pacífico", "Arequipa",
    "Cusco", "Trujillo", "Chiclayo", "Piura", "Huancayo", "Cajamarca", "Puno", "Tacna", "Miraflores",
    "Surco", "Chorrillos", "Callao", "Sepúlveda",
]  # fmt: skip
assert len(NAMES) == len(set(NAMES)) == 200, len(NAMES)

# country → (share, legal forms, e-mail domain ending, cities)
COUNTRIES = {
    "ES": (55, ["S.L.", "S.A.", "S.L.U.", "S.C.A.", "S.L.P."], ".es",
           ["Madrid", "Sevilla", "Bilbao", "Valencia", "Zaragoza", "Córdoba", "Málaga", "A Coruña", "Murcia"]),
    "MX": (15, ["S.A. de C.V.", "S. de R.L. de C.V.", "S.A.P.I. de C.V."], ".com.mx",
           ["Ciudad de México", "Monterrey", "Guadalajara", "Querétaro", "Puebla", "Mérida"]),
    "AR": (8, ["S.A.", "S.R.L.", "S.A.S."], ".com.ar", ["Buenos Aires", "Rosario", "Córdoba", "Mendoza"]),
    "CO": (8, ["S.A.S.", "S.A.", "Ltda."], ".com.co", ["Bogotá", "Medellín", "Cali", "Barranquilla"]),
    "CL": (7, ["SpA", "S.A.", "Ltda."], ".cl", ["Santiago", "Valparaíso", "Concepción", "Antofagasta"]),
    "PE": (7, ["S.A.C.", "S.A.", "E.I.R.L."], ".pe", ["Lima", "Arequipa", "Trujillo", "Cusco"]),
}  # fmt: skip
STREETS = ["Calle", "Avenida", "Paseo", "Plaza", "Camino", "Ronda"]
STATUSES = ["active", "prospect", "inactive", "former"]
STATUS_WEIGHTS = [70, 12, 10, 8]
POSITIONS = [
    "Director general", "Directora de compras", "Responsable de calidad", "Jefe de mantenimiento",
    "Gerente de operaciones", "Administradora", "Responsable de logística", "Coordinadora de proyectos",
    "Director financiero", "Técnica de prevención", "Responsable de atención al cliente", "",
]  # fmt: skip
CHANNELS = ["email", "phone", "meeting", "visit", "chat", "web"]
CHANNEL_WEIGHTS = [32, 32, 16, 6, 7, 7]
SUBJECTS = {
    "meeting": ["Reunión de seguimiento trimestral", "Revisión del plan de servicio", "Reunión de arranque del proyecto",
                "Presentación de resultados de satisfacción", "Revisión de requisitos del contrato"],
    "visit": ["Visita a planta", "Visita comercial de cortesía", "Auditoría de segunda parte en instalaciones",
              "Visita técnica de puesta en marcha"],
    "phone": ["Llamada por incidencia en la entrega", "Consulta sobre la factura", "Seguimiento de la oferta enviada",
              "Llamada para confirmar requisitos", "Aviso de retraso del transportista", "Consulta sobre plazos"],
    "email": ["Envío de oferta revisada", "Confirmación de pedido", "Solicitud de documentación técnica",
              "Envío del certificado de calidad", "Respuesta a consulta técnica", "Envío de la factura rectificada"],
    "chat": ["Consulta por chat sobre plazos", "Duda sobre el portal de clientes", "Consulta sobre el estado del pedido"],
    "web": ["Solicitud de información desde la web", "Formulario de contacto: nueva necesidad",
            "Petición de presupuesto desde la web"],
}  # fmt: skip
NOTES = [
    "", "", "", "Se acuerda enviar propuesta antes del viernes.", "El cliente pide revisar los plazos de entrega.",
    "Sin incidencias. Próximo contacto en un mes.", "Queda pendiente confirmar el presupuesto con dirección.",
    "Valoran positivamente la respuesta del equipo técnico.", "Solicitan una copia del certificado ISO 9001.",
    "Se escala la incidencia al equipo de operaciones.", "Piden factura con el nuevo CIF de la matriz.",
]  # fmt: skip
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def tax_id(rng, country: str, kind: str) -> str:
    """A valid tax ID in the compact form `normalise_tax_id` stores (check digits from python-stdnum)."""
    digits = f"{rng.randrange(10**8):08d}"
    if country == "ES":
        if kind == "person":
            return digits + dni.calc_check_digit(digits)
        body = rng.choice("AB") + digits[:7]
        return body + cif.calc_check_digits(body)[0]
    if country == "MX":
        letters = "".join(rng.choice(LETTERS) for _ in range(4 if kind == "person" else 3))
        body = f"{letters}{rng.randint(60, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        body += rng.choice("ABCDEFGHJKLMN") + str(rng.randint(1, 9))
        return body + rfc.calc_check_digit(body)
    if country == "AR":
        body = ("20" if kind == "person" else "30") + digits
        return body + cuit.calc_check_digit(body)
    if country == "CO":
        body = ("1" if kind == "person" else "9") + digits
        return body + nit.calc_check_digit(body)
    if country == "CL":
        body = str(rng.randint(10, 25) if kind == "person" else rng.randint(76, 77)) + digits[:6]
        return body + rut.calc_check_digit(body)
    body = ("10" if kind == "person" else "20") + digits
    return body + ruc.calc_check_digit(body)


def phone(rng, country: str) -> str:
    """A number in the international format `normalise_phone` stores."""
    d = f"{rng.randrange(10**8):08d}"
    if country == "ES":
        return f"+34 9{rng.randint(1, 8)}{d[0]} {d[1:3]} {d[3:5]} {d[5:7]}"
    if country == "MX":
        return f"+52 55 {rng.randint(1, 9)}{d[:3]} {d[3:7]}"
    if country == "AR":
        return f"+54 11 {rng.randint(4, 6)}{d[:3]}-{d[3:7]}"
    if country == "CO":
        return f"+57 601 {rng.randint(2, 7)}{d[:6]}"
    if country == "CL":
        return f"+56 2 2{d[:3]} {d[3:7]}"
    return f"+51 1 {rng.randint(2, 7)}{d[:6]}"


@generator("customers", requires=("accounts",))
def generate(ctx: Context) -> dict[str, int]:
    rng = ctx.rng
    staff = ctx.shared["staff"]
    managers = staff[Role.ACCOUNT_MANAGER] + staff[Role.SALES_MANAGER]
    service = staff[Role.CUSTOMER_SERVICE]
    countries = list(COUNTRIES)
    country_weights = [COUNTRIES[c][0] for c in countries]
    activities = list(ACTIVITIES)
    now, start = ctx.now, ctx.start
    history = now - dt.timedelta(days=6 * 365)

    n_customers = ctx.n(CUSTOMERS_AT_L)
    customer_ids = ctx.next_id(Customer, n_customers)
    # Older customers have lower codes: draw the creation moments first, then number them in order.
    created = sorted(
        ctx.moment(rng, since=now - dt.timedelta(days=200), until=now - dt.timedelta(hours=2))
        if rng.random() < 0.12
        else ctx.moment(rng, since=history, until=now - dt.timedelta(days=30))
        for _ in range(n_customers)
    )
    taken_tax_ids: set[str] = set()
    plan: list[tuple[int, str, str, str, int | None, dt.datetime]] = []

    def customers():
        for pk, created_at in zip(customer_ids, created, strict=True):
            country = rng.choices(countries, country_weights)[0]
            _, forms, tld, cities = COUNTRIES[country]
            kind = "person" if rng.random() < 0.08 else "organization"
            recent = created_at > now - dt.timedelta(days=200)
            status = "prospect" if recent and rng.random() < 0.7 else rng.choices(STATUSES, STATUS_WEIGHTS)[0]
            if kind == "person":
                first = rng.choice(FIRST_NAMES)
                lasts = f"{rng.choice(LAST_NAMES)} {rng.choice(LAST_NAMES)}"
                name = f"{first} {lasts}"
                email = f"{ascii_slug(first)}.{ascii_slug(lasts.split()[0])}{pk % 97}@correo{tld}"
                segment = "Particulares"
            else:
                activity = rng.choice(activities)
                place = NAMES[rng.randrange(len(NAMES))]
                name = f"{activity} {place}" if activity.endswith(" de") else f"{activity} {place} {rng.choice(forms)}"
                email = f"info@{ascii_slug(activity)[:12]}{ascii_slug(place)}{tld}"
                segment = ACTIVITIES[activity]
            number = ""
            if rng.random() < 0.95:
                for _ in range(20):
                    candidate = tax_id(rng, country, kind)
                    if candidate not in taken_tax_ids:
                        taken_tax_ids.add(candidate)
                        number = candidate
                        break
            manager = rng.choice(managers) if rng.random() < 0.97 else None
            code = f"CLI-{pk:06d}"
            activated = None
            if status != "prospect":
                activated = min(created_at + dt.timedelta(days=rng.randint(3, 60)), now - dt.timedelta(hours=1))
            archived = None
            if status == "former" and rng.random() < 0.12:
                archived = ctx.moment(rng, since=max(created_at, start), until=now)
            plan.append((pk, country, kind, status, manager, created_at))
            yield {
                "id": pk,
                "code": code,
                "name": name,
                "kind": kind,
                "tax_id": number,
                "email": email,
                "phone": phone(rng, country),
                "address": f"{rng.choice(STREETS)} {rng.choice(LAST_NAMES)} {rng.randint(1, 250)}, "
                f"{rng.randint(1000, 52999):05d} {rng.choice(cities)}",
                "country": country,
                "segment": segment,
                "status": status,
                "account_manager_id": manager,
                "activated_at": activated,
                "notes": "Cliente estratégico: revisión trimestral con dirección." if rng.random() < 0.03 else "",
                "search_text": normalise(" ".join([code, name, number, email, segment])),
                "created_at": created_at,
                "archived_at": archived,
            }

    written = {"customers.Customer": ctx.insert(Customer, customers())}
    sequences.ensure_at_least("customer", customer_ids[-1])  # new customers continue the numbering

    # Contacts: one for a person, one to five for an organisation; exactly ctx.n(200,000) in all.
    per_customer = [1 if p[2] == "person" else rng.choices((1, 2, 3, 4, 5), (30, 38, 20, 8, 4))[0] for p in plan]
    target = ctx.n(CONTACTS_AT_L)
    organisations = [i for i, p in enumerate(plan) if p[2] == "organization"] or list(range(len(plan)))
    total = sum(per_customer)
    while total != target:
        i = rng.choice(organisations)
        if total < target and per_customer[i] < 6:
            per_customer[i] += 1
            total += 1
        elif total > target and per_customer[i] > 1:
            per_customer[i] -= 1
            total -= 1
    contact_ids = iter(ctx.next_id(Contact, target))
    generated: list[GeneratedCustomer] = []

    def contacts():
        for (pk, country, kind, status, manager, created_at), count in zip(plan, per_customer, strict=True):
            ids = tuple(itertools.islice(contact_ids, count))
            generated.append(GeneratedCustomer(pk, country, kind, status, manager, created_at, ids))
            domain = f"empresa{pk}{COUNTRIES[country][2]}"
            for position, contact_pk in enumerate(ids):
                first = rng.choice(FIRST_NAMES)
                last = f"{rng.choice(LAST_NAMES)} {rng.choice(LAST_NAMES)}"
                email = f"{ascii_slug(first)}.{ascii_slug(last.split()[0])}@{domain}"
                job = "" if kind == "person" else rng.choice(POSITIONS)
                consent = rng.random() < 0.8
                consent_at = min(created_at + dt.timedelta(days=rng.randint(0, 90)), now) if consent else None
                marketing = rng.random() < 0.45
                yield {
                    "id": contact_pk,
                    "customer_id": pk,
                    "first_name": first,
                    "last_name": last,
                    "email": email,
                    "phone": phone(rng, country),
                    "position": job,
                    "is_primary": position == 0,
                    "survey_consent": consent,
                    "survey_consent_at": consent_at,
                    "survey_legal_basis": "consent" if consent else "",
                    "marketing_consent": marketing,
                    "marketing_consent_at": consent_at or created_at if marketing else None,
                    "search_text": normalise(" ".join([first, last, email, job])),
                    "created_at": created_at,
                }

    written["customers.Contact"] = ctx.insert(Contact, contacts())
    ctx.shared["customers"] = generated

    # Interactions: exactly ctx.n(500,000), more for active customers and for a few key accounts.
    weight = {"active": 6.0, "inactive": 2.0, "former": 1.0, "prospect": 1.5}
    weights = [weight[c.status] * (6 if rng.random() < 0.02 else 1) for c in generated]
    n_interactions = ctx.n(INTERACTIONS_AT_L)
    picks = sorted(rng.choices(range(len(generated)), weights, k=n_interactions))
    interaction_ids = ctx.next_id(Interaction, n_interactions)

    def interactions():
        for pk, index in zip(interaction_ids, picks, strict=True):
            c = generated[index]
            since = max(c.created_at, start)
            until = now if c.status in ("active", "prospect") else since + (now - since) * 0.6
            channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
            occurred = ctx.moment(rng, since=since, until=until)
            user = c.manager_id
            if channel in ("phone", "chat", "web") and rng.random() < 0.5 or user is None:
                user = rng.choice(service)
            yield {
                "id": pk,
                "customer_id": c.id,
                "contact_id": rng.choice(c.contact_ids) if c.contact_ids and rng.random() < 0.9 else None,
                "channel": channel,
                "direction": "inbound" if channel in ("web", "chat") or rng.random() < 0.35 else "outbound",
                "occurred_at": occurred,
                "subject": rng.choice(SUBJECTS[channel]),
                "notes": rng.choice(NOTES),
                "user_id": user,
                "created_at": occurred + dt.timedelta(minutes=rng.randint(1, 240)),
            }

    written["customers.Interaction"] = ctx.insert(Interaction, interactions())
    return written
