"""Demo users: an administrator and people for every role of SPEC §2."""

from django.contrib.auth.models import Group
from django.utils import translation

from clientela.core.permissions import Role

from .models import User

# username, first name, last name, roles, job title
PEOPLE = [
    ("admin", "Administración", "Clientela", ["admin"], "Administrador del sistema"),
    ("direccion", "Carmen", "Ruiz Ortega", ["management"], "Directora general"),
    ("calidad", "Javier", "Morales Díaz", ["quality"], "Responsable de calidad"),
    ("comercial", "Lucía", "Fernández Gil", ["sales_manager"], "Gerente comercial"),
    ("cuentas", "Diego", "Navarro Sánchez", ["account_manager"], "Gerente de cuentas"),
    ("cuentas2", "Sofía", "Herrera Campos", ["account_manager"], "Gerente de cuentas Latinoamérica"),
    ("atencion", "Marta", "López Romero", ["customer_service"], "Atención al cliente"),
    ("atencion2", "Andrés", "Vidal Pérez", ["customer_service"], "Atención al cliente"),
    ("operaciones", "Pablo", "Castillo Vega", ["operations"], "Jefe de operaciones"),
]


def load(ctx) -> None:
    groups = {g.name: g for g in Group.objects.all()}
    for username, first, last, roles, title in PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first, last_name=last, job_title=title)
            user.email = f"{username}@clientela.example"
            user.language = "es"
            if "admin" in roles:
                user.is_staff = user.is_superuser = True
            user.set_password(ctx.password)
            user.save()
            user.groups.set([groups[r] for r in roles])
        for role in roles:
            ctx.users.setdefault(role, user)
            ctx.staff.setdefault(role, []).append(user)
        with translation.override("es"):
            ctx.logins.append((username, ", ".join(str(Role(r).label) for r in roles), ctx.password))
