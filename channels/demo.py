"""Demo channels and the county's rollout plan (idempotent).

Phase 0 = Facebook (plus the local sandbox channel, so that demo posts can be published without any
network), Phase 1 = Instagram + Mastodon, Phase 2 = X + Bluesky. Phase 0 is active. The demo holds
no credentials: the Facebook channel is switched off again after the activation so that the demo
never talks to a real network – enter a page token and switch it on in the administration.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from departments.models import Department

from . import services
from .models import Channel, RolloutPhase

SANDBOX_NAME = "Sandbox (Testkanal)"

# name, kind, account, base URL
CHANNELS = (
    ("Landkreis auf Facebook", "facebook", "100064000000001", ""),
    ("Landkreis auf Instagram", "instagram", "17841400000000001", ""),
    ("Landkreis auf Mastodon", "mastodon", "@landkreis@social.example", "https://social.example"),
    ("Landkreis auf X", "x", "LandkreisDemo", ""),
    ("Landkreis auf Bluesky", "bluesky", "landkreis-demo.bsky.social", ""),
    (SANDBOX_NAME, "sandbox", "", ""),
)

# order, name, description, start in days from today (None = started already), channels
PHASES = (
    (
        0,
        "Phase 0: Facebook",
        "Das Gesundheitsamt veröffentlicht die Corona-Zahlen auf der Facebook-Seite des Landkreises. "
        "Im Demo-Betrieb gehört der lokale Sandbox-Kanal dazu.",
        None,
        ("Landkreis auf Facebook", SANDBOX_NAME),
    ),
    (
        1,
        "Phase 1: Instagram und Mastodon",
        "Bilder aus den Fachbereichen auf Instagram; Mastodon für alle, die keine kommerziellen Netzwerke nutzen.",
        60,
        ("Landkreis auf Instagram", "Landkreis auf Mastodon"),
    ),
    (
        2,
        "Phase 2: X und Bluesky",
        "Kurzmeldungen, z. B. Verkehrs- und Warnhinweise.",
        150,
        ("Landkreis auf X", "Landkreis auf Bluesky"),
    ),
)


def seed(*, actor, stdout=None) -> None:
    channels = {}
    for name, kind, account, base_url in CHANNELS:
        channel = Channel.objects.filter(name=name).first()
        if channel is None:
            channel = services.channel_create(
                actor=actor, kind=kind, name=name, account=account, base_url=base_url
            )
        channels[name] = channel
    departments = list(Department.objects.filter(active=True))
    today = timezone.localdate()
    for order, name, description, start_in, channel_names in PHASES:
        if RolloutPhase.objects.filter(order=order).exists():
            continue
        services.phase_create(
            actor=actor,
            order=order,
            name=name,
            description=description,
            planned_start=today + timedelta(days=start_in)
            if start_in is not None
            else today - timedelta(days=30),
            channels=[channels[c] for c in channel_names],
            departments=departments if order == 0 else [],
        )
    first = RolloutPhase.objects.get(order=0)
    if not first.is_active:
        services.phase_activate(actor=actor, phase=first, comment="Demo")
        services.channel_disable(
            actor=actor,
            channel=channels["Landkreis auf Facebook"],
            comment="Demo: keine Zugangsdaten. Seiten-Token eintragen, dann einschalten.",
        )
    if stdout:
        stdout.write(
            f"  {len(channels)} channels, {RolloutPhase.objects.count()} rollout phases; "
            f"live: {SANDBOX_NAME} for {len(departments)} departments"
        )
