"""Demo data: the first version of the etiquette guide (published), the demo users' acknowledgements and
an upcoming election for the election-window rule."""

from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model

from . import services
from .models import Acknowledgement, Election, GuideVersion

GUIDE_FILE = Path(__file__).resolve().parent / "guides" / "etikette-1.0.md"
# Everyone of the demo cast has read version 1.0, so the posts demo can submit; publish a version 2.0
# in the admin to see the notice and the blocked submission.
ACKNOWLEDGED_BY = ("redaktion", "redaktion2", "leitung", "koordination", "presse", "admin")
DEMO_ELECTION = ("Landtagswahl Niedersachsen 2027", date(2027, 10, 10))


def seed(*, actor, stdout=None) -> None:
    User = get_user_model()
    admin = User.objects.filter(username="admin").first() or actor
    version = GuideVersion.objects.filter(major=1, minor=0).first()
    if version is None:
        version = services.guide_version_create(
            actor=admin,
            major=1,
            minor=0,
            body=GUIDE_FILE.read_text(encoding="utf-8"),
            changes="Erste Fassung.",
        )
    if not version.is_published:
        version = services.guide_version_publish(actor=admin, version=version)
    acknowledged = 0
    for user in User.objects.filter(username__in=ACKNOWLEDGED_BY):
        if not Acknowledgement.objects.filter(user=user, version=version).exists():
            services.guide_acknowledge(actor=user, version=version)
        acknowledged += 1
    name, day = DEMO_ELECTION
    if not Election.objects.filter(name=name).exists():
        services.election_add(actor=admin, name=name, date=day, window_days=90)
    if stdout:
        stdout.write(
            f"  etiquette guide {version.label} published, acknowledged by {acknowledged} demo users"
        )
