"""Staff for every role, and the sales manager the runner signs in as."""

import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from bench.common import BENCH_PASSWORD, BENCH_USER
from bench.generators import Context, generator
from clientela.core.permissions import Role

FIRST_NAMES = [
    "Ana", "Carlos", "Laura", "Miguel", "Elena", "José Luis", "Cristina", "Fernando", "Isabel", "Raúl",
    "Pilar", "Alberto", "Rocío", "Sergio", "Beatriz", "Jorge", "Nuria", "Óscar", "Verónica", "Ignacio",
    "Ximena", "Alejandro", "Guadalupe", "Mateo", "Valentina", "Santiago", "Camila", "Martín", "Florencia",
    "Joaquín", "Catalina", "Renata", "Begoña", "Íñigo", "Montserrat", "Aitor", "Maite", "Jesús", "Lucía",
]  # fmt: skip
LAST_NAMES = [
    "García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Jiménez", "Ruiz", "Hernández", "Díaz",
    "Moreno", "Álvarez", "Muñoz", "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez",
    "Vázquez", "Ramos", "Castro", "Ortega", "Rubio", "Medina", "Sanz", "Iglesias", "Núñez", "Peña",
    "Rojas", "Quispe", "Cárdenas", "Echeverría", "Zubizarreta", "Ibáñez", "Villalobos", "Aguirre",
]  # fmt: skip

# Staff per role at scale L (an organisation with 100,000 customers) and never fewer than the minimum.
STAFF = {
    Role.SALES_MANAGER: (4, 1),
    Role.ACCOUNT_MANAGER: (40, 4),
    Role.CUSTOMER_SERVICE: (20, 3),
    Role.QUALITY: (3, 1),
    Role.MANAGEMENT: (3, 1),
    Role.OPERATIONS: (15, 2),
}
JOB_TITLES = {
    Role.SALES_MANAGER: "Gerente comercial",
    Role.ACCOUNT_MANAGER: "Gerente de cuentas",
    Role.CUSTOMER_SERVICE: "Agente de atención al cliente",
    Role.QUALITY: "Técnico de calidad",
    Role.MANAGEMENT: "Dirección",
    Role.OPERATIONS: "Técnico de operaciones",
}


def ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(c for c in text if c.isalnum())


@generator("accounts")
def generate(ctx: Context) -> dict[str, int]:
    User = get_user_model()
    rng = ctx.rng
    password = make_password(BENCH_PASSWORD)
    groups = dict(Group.objects.values_list("name", "pk"))
    users = []
    memberships: list[tuple[int, int]] = []
    staff: dict[str, list[int]] = {}
    taken: set[str] = set()

    def add(username: str, first: str, last: str, role: str) -> None:
        (pk,) = ctx.next_id(User, 1)
        users.append(
            {
                "id": pk,
                "username": username,
                "first_name": first,
                "last_name": last,
                "email": f"{username}@clientela.example",
                "password": password,
                "job_title": JOB_TITLES[role],
                "language": "es",
                "date_joined": ctx.start,
            }
        )
        memberships.append((pk, groups[role]))
        staff.setdefault(role, []).append(pk)

    add(BENCH_USER, "Gema", "Benavides Ruiz", Role.SALES_MANAGER)
    taken.add(BENCH_USER)
    for role, (at_l, minimum) in STAFF.items():
        for _ in range(ctx.n(at_l, minimum)):
            first, last = rng.choice(FIRST_NAMES), f"{rng.choice(LAST_NAMES)} {rng.choice(LAST_NAMES)}"
            username = f"{ascii_slug(first)}.{ascii_slug(last.split()[0])}"
            suffix = 2
            while username in taken:
                username = f"{ascii_slug(first)}.{ascii_slug(last.split()[0])}{suffix}"
                suffix += 1
            taken.add(username)
            add(username, first, last, role)

    written = ctx.insert(User, users)
    ctx.insert(User.groups.through, ({"user_id": u, "group_id": g} for u, g in memberships))
    ctx.shared["staff"] = staff
    return {"accounts.User": written}
