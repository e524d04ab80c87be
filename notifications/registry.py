"""What notifications need from the apps above them, registered by those apps in ``AppConfig.ready``.

Who may see the object a notification is about: a rule per model, registered by the app that owns it.

Notifications sit at the bottom of the layers and know nothing about posts. The app that owns a model
registers "may this user see this object?" for it (posts does so for ``Post``);
a caller may also pass its own ``may_see`` to :func:`notifications.services.notify`. An object without a
rule is shown to nobody (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models

Rule = Callable[[object, models.Model], bool]

_rules: dict[str, Rule] = {}
# Where a notification about an object of the model leads (``url(obj_id) -> str``), for objects that are
# not posts (an inbox item's conversation page).
_urls: dict[str, Callable[[int], str]] = {}


def register(model: type[models.Model], may_see: Rule, *, url: Callable[[int], str] | None = None) -> None:
    _rules[model._meta.label_lower] = may_see
    if url is not None:
        _urls[model._meta.label_lower] = url


def url_for(label_lower: str, obj_id: int) -> str | None:
    url = _urls.get(label_lower)
    return url(obj_id) if url is not None else None


def rule_for(obj: models.Model) -> Rule | None:
    return _rules.get(obj._meta.label_lower)


def may_see(user, obj: models.Model) -> bool:
    rule = rule_for(obj)
    return bool(user.is_active) and rule is not None and bool(rule(user, obj))


# Labels of values in ``data`` that belong to an app above (the review step's kind: approvals registers
# its labels); shown in the reader's language when the text is built.
_labels: dict[str, Callable[[str], str]] = {}


def register_label(key: str, label: Callable[[str], str]) -> None:
    _labels[key] = label


def label(key: str, value) -> str:
    label = _labels.get(key)
    try:
        return str(label(value)) if label and value else ""
    except ValueError:
        return ""
