"""The reply rules (issue 16): installed with their default parameters, editable in the admin.

Values are frozen here, as in 0002."""

from django.db import migrations

RULES = [
    (
        "reply.personal_data",
        "block",
        {"file_numbers": True, "plates": True},
        "Eine öffentliche Antwort wiederholt keine persönlichen Angaben der Bürgerin oder des Bürgers "
        "(Telefonnummer, Anschrift, E-Mail, Aktenzeichen, Kennzeichen …) – DSGVO.",
        260,
    ),
    (
        "reply.individual_case",
        "warn",
        {},  # the kind's default cue lists
        "Einzelfälle werden nicht öffentlich besprochen: Die Antwort verweist auf eine Direktnachricht "
        "oder einen offiziellen Kontakt.",
        270,
    ),
]


def install(apps, schema_editor):
    Rule = apps.get_model("etiquette", "Rule")
    RuleSetState = apps.get_model("etiquette", "RuleSetState")
    for code, severity, parameters, why, position in RULES:
        Rule.objects.get_or_create(
            code=code,
            defaults={
                "kind": code,
                "severity": severity,
                "channels": [],
                "parameters": parameters,
                "active": True,
                "description": why,
                "position": position,
            },
        )
    RuleSetState.objects.update_or_create(id=1, defaults={"token": "installed-0005"})


def uninstall(apps, schema_editor):
    apps.get_model("etiquette", "Rule").objects.filter(code__in=[rule[0] for rule in RULES]).delete()
    apps.get_model("etiquette", "RuleSetState").objects.update_or_create(
        id=1, defaults={"token": "uninstalled-0005"}
    )


class Migration(migrations.Migration):
    dependencies = [("etiquette", "0004_netiquette_default")]

    operations = [migrations.RunPython(install, uninstall)]
