"""Demo data: the departments of a Landkreis and one user per role (password ``demo-passwort``)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from . import roles, services
from .models import Department, Membership

DEMO_PASSWORD = "demo-passwort"  # noqa: S105 - documented demo password; seeding refuses to run without DEBUG

DEPARTMENTS = (
    ("Gesundheitsamt", "GA"),
    ("Straßenverkehrsamt", "SVA"),
    ("Jugendamt", "JA"),
    ("Ordnungsamt", "OA"),
    ("Schulamt", "SA"),
    ("Umweltamt", "UA"),
    ("Kreisentwicklung", "KE"),
    ("Pressestelle", "PS"),
    ("Bauamt", "BA"),
    ("Sozialamt", "SozA"),
)

# username, first name, last name, (department code, membership role) or None, county-wide groups, superuser
USERS = (
    ("redaktion", "Renate", "Redlich", ("GA", Membership.Role.EDITOR), (), False),
    ("redaktion2", "Stefan", "Straßburg", ("SVA", Membership.Role.EDITOR), (), False),
    ("leitung", "Lena", "Leitner", ("GA", Membership.Role.HEAD), (), False),
    ("koordination", "Konrad", "Kordes", None, (roles.KOORDINATION,), False),
    ("presse", "Paula", "Presser", None, (roles.PRESSESTELLE,), False),
    ("admin", "Anna", "Admin", None, (roles.ADMINISTRATION,), True),
)


def seed(*, actor, stdout=None) -> None:
    by_code = {}
    for name, code in DEPARTMENTS:
        department = Department.objects.filter(code=code).first()
        if department is None:
            department = services.department_create(actor=actor, name=name, code=code)
        by_code[code] = department

    User = get_user_model()
    for username, first, last, membership, groups, superuser in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@landkreis.example",
                "is_staff": superuser,
                "is_superuser": superuser,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        for group_name in groups:
            user.groups.add(Group.objects.get(name=group_name))
        if membership:
            code, role = membership
            existing = Membership.objects.filter(user=user, department=by_code[code]).first()
            if existing is None:
                services.membership_add(actor=actor, user=user, department=by_code[code], role=role)
            elif existing.role != role:
                services.membership_set_role(actor=actor, membership=existing, role=role)
    if stdout:
        stdout.write(f"  {len(by_code)} departments, {len(USERS)} demo users")
