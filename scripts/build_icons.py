"""Build ``static/icons/sprite.svg`` from the vendored npm packages simple-icons and bootstrap-icons.

    mkdir /tmp/icons && cd /tmp/icons && npm pack simple-icons@16.37.0 bootstrap-icons@1.13.2
    for f in *.tgz; do mkdir "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}" --strip-components=1; done
    .venv/bin/python scripts/build_icons.py /tmp/icons/simple-icons-16.37.0 /tmp/icons/bootstrap-icons-1.13.2

Networks (simple-icons, CC0-1.0; the logos remain their owners' trademarks) become ``<symbol id="net-KIND">``
in the brand colour from simple-icons' data; interface icons (bootstrap-icons, MIT) become
``<symbol id="bi-NAME">`` drawn in ``currentColor``. The templates refer to them with
``{% icon "bell" %}`` and ``{% network_icon channel.kind %}`` (``landkreis_social/templatetags/shell.py``).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "static" / "icons" / "sprite.svg"

# network kind (the registry's key) → simple-icons slug
NETWORKS = {
    "facebook": "facebook",
    "x": "x",
    "instagram": "instagram",
    "mastodon": "mastodon",
    "bluesky": "bluesky",
}
# The sandbox is ours, not a brand: a bootstrap-icons picture stands for it.
NETWORK_FALLBACK = {"sandbox": "cone-striped"}
UI_ICONS = (
    "bell",
    "list",
    "person-circle",
    "pencil-square",
    "calendar3",
    "check2-square",
    "send",
    "broadcast",
    "gear",
    "journal-text",
    "shield-lock",
    "inbox",
    "plus-lg",
    "house",
    "translate",
    "box-arrow-right",
    "diagram-3",
    "flag",
    "exclamation-triangle",
    "clock",
    "eye",
    "cone-striped",
    "layers",
    "shield-check",
    "check-circle",
    "x-circle",
    "arrow-right",
    "grip-vertical",
    "x-lg",
    "clipboard",
    "people",
    "bar-chart-line",
)


def _inner(svg: str) -> tuple[str, str]:
    view_box = re.search(r'viewBox="([^"]+)"', svg).group(1)
    body = re.sub(r"^.*?<svg[^>]*>", "", svg, flags=re.S)
    body = re.sub(r"</svg>\s*$", "", body, flags=re.S)
    body = re.sub(r"<title>.*?</title>", "", body, flags=re.S)
    return view_box, body.strip()


def main(simple: Path, bootstrap: Path) -> None:
    data = json.loads((simple / "data" / "simple-icons.json").read_text())
    icons = data if isinstance(data, list) else data["icons"]
    colours = {icon.get("slug") or icon["title"].lower(): icon["hex"] for icon in icons}
    symbols = []
    for kind, slug in NETWORKS.items():
        view_box, body = _inner((simple / "icons" / f"{slug}.svg").read_text())
        symbols.append(
            f'<symbol id="net-{kind}" viewBox="{view_box}"><g fill="#{colours[slug]}">{body}</g></symbol>'
        )
    for kind, name in NETWORK_FALLBACK.items():
        view_box, body = _inner((bootstrap / "icons" / f"{name}.svg").read_text())
        symbols.append(f'<symbol id="net-{kind}" viewBox="{view_box}"><g fill="#8a4b00">{body}</g></symbol>')
    for name in UI_ICONS:
        view_box, body = _inner((bootstrap / "icons" / f"{name}.svg").read_text())
        symbols.append(f'<symbol id="bi-{name}" viewBox="{view_box}" fill="currentColor">{body}</symbol>')
    simple_version = json.loads((simple / "package.json").read_text())["version"]
    bootstrap_version = json.loads((bootstrap / "package.json").read_text())["version"]
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg">\n'
        f"<!-- simple-icons {simple_version} (CC0-1.0; logos are trademarks of their owners), "
        f"bootstrap-icons {bootstrap_version} (MIT). Built by scripts/build_icons.py. -->\n"
        + "\n".join(symbols)
        + "\n</svg>\n"
    )
    print(f"{TARGET}: {len(symbols)} symbols")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
