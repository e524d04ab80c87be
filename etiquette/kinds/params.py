"""Parameter specifications of the rule kinds.

Each rule kind declares its parameters as ``{"name": Param(...)}``. :func:`clean_parameters` checks an
admin's JSON against that declaration and returns the cleaned values (defaults filled in) or raises a
``ValidationError`` whose messages name the parameter, so the admin form shows them next to the field.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..types import Severity


class ParamError(ValueError):
    """A bad parameter value; the message is already translated."""


class Param:
    """One parameter: a default and how a value is checked."""

    type_label = ""

    def __init__(self, default: Any, help_text: str = ""):
        self.default = default
        self.help_text = help_text

    def clean(self, value: Any) -> Any:
        return value


class IntParam(Param):
    def __init__(self, default: int, *, min_value: int = 0, max_value: int = 10_000_000, help_text: str = ""):
        super().__init__(default, help_text)
        self.min_value, self.max_value = min_value, max_value

    def clean(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParamError(_("must be a whole number"))
        if not self.min_value <= value <= self.max_value:
            raise ParamError(
                _("must be between %(min)s and %(max)s") % {"min": self.min_value, "max": self.max_value}
            )
        return value


class FloatParam(Param):
    def __init__(self, default: float, *, min_value: float, max_value: float, help_text: str = ""):
        super().__init__(default, help_text)
        self.min_value, self.max_value = min_value, max_value

    def clean(self, value):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParamError(_("must be a number"))
        if not self.min_value <= value <= self.max_value:
            raise ParamError(
                _("must be between %(min)s and %(max)s") % {"min": self.min_value, "max": self.max_value}
            )
        return float(value)


class BoolParam(Param):
    def clean(self, value):
        if not isinstance(value, bool):
            raise ParamError(_("must be true or false"))
        return value


class StrListParam(Param):
    """A list of non-empty strings (stripped, duplicates removed, order kept)."""

    def __init__(self, default: list[str], *, lower: bool = False, pattern: str | None = None, help_text=""):
        super().__init__(default, help_text)
        self.lower = lower
        self.pattern = re.compile(pattern) if pattern else None

    def clean(self, value):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ParamError(_("must be a list of texts"))
        cleaned: list[str] = []
        for item in value:
            item = item.strip()
            if self.lower:
                item = item.lower()
            if not item:
                raise ParamError(_("must not contain empty entries"))
            if self.pattern and not self.pattern.fullmatch(item):
                raise ParamError(_("“%(value)s” is not a valid entry") % {"value": item})
            if item not in cleaned:
                cleaned.append(item)
        return cleaned


class ChannelIntMapParam(Param):
    """``{"x": 280, …}``: a whole number per network kind."""

    def __init__(
        self, default: dict[str, int], *, min_value: int = 1, max_value: int = 1_000_000, help_text=""
    ):
        super().__init__(default, help_text)
        self.min_value, self.max_value = min_value, max_value

    def clean(self, value):
        from ..channels import channel_kinds

        if not isinstance(value, dict):
            raise ParamError(_('must be an object of network and number, e.g. {"x": 280}'))
        known = channel_kinds()
        cleaned = {}
        for key, number in value.items():
            if key not in known:
                raise ParamError(
                    _("unknown network “%(kind)s” (known: %(known)s)")
                    % {"kind": key, "known": ", ".join(known)}
                )
            if isinstance(number, bool) or not isinstance(number, int):
                raise ParamError(_("the value for “%(kind)s” must be a whole number") % {"kind": key})
            if not self.min_value <= number <= self.max_value:
                raise ParamError(
                    _("the value for “%(kind)s” must be between %(min)s and %(max)s")
                    % {"kind": key, "min": self.min_value, "max": self.max_value}
                )
            cleaned[key] = number
        return cleaned


class ChannelListParam(Param):
    def clean(self, value):
        from ..channels import channel_kinds

        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ParamError(_('must be a list of networks, e.g. ["instagram"]'))
        known = channel_kinds()
        for item in value:
            if item not in known:
                raise ParamError(
                    _("unknown network “%(kind)s” (known: %(known)s)")
                    % {"kind": item, "known": ", ".join(known)}
                )
        return list(dict.fromkeys(value))


class TimeParam(Param):
    """A time of day as ``"HH:MM"``."""

    def clean(self, value):
        if not isinstance(value, str) or not re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
            raise ParamError(_("must be a time like “08:00”"))
        hours, minutes = (int(part) for part in value.strip().split(":"))
        if hours > 24 or minutes > 59 or (hours == 24 and minutes):
            raise ParamError(_("must be a time like “08:00”"))
        return f"{hours:02d}:{minutes:02d}"

    @staticmethod
    def to_time(value: str) -> time | None:
        """``"24:00"`` (end of day) is returned as None."""
        hours, minutes = (int(part) for part in value.split(":"))
        return None if hours == 24 else time(hours, minutes)


class WeekdaysParam(Param):
    """Weekdays as numbers, Monday = 1 … Sunday = 7 (ISO)."""

    def clean(self, value):
        if not isinstance(value, list) or not all(
            isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= 7 for day in value
        ):
            raise ParamError(_("must be a list of weekday numbers from 1 (Monday) to 7 (Sunday)"))
        return sorted(set(value))


class DateListParam(Param):
    """Dates as ``"YYYY-MM-DD"`` (once) or ``"MM-DD"`` (every year)."""

    def clean(self, value):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ParamError(_("must be a list of dates like “2027-12-24” or “12-24” (every year)"))
        cleaned = []
        for item in value:
            item = item.strip()
            try:
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", item):
                    date.fromisoformat(item)
                elif re.fullmatch(r"\d{2}-\d{2}", item):
                    date.fromisoformat(f"2028-{item}")  # a leap year, so 02-29 is accepted
                else:
                    raise ValueError(item)
            except ValueError:
                raise ParamError(
                    _("“%(value)s” is not a date like “2027-12-24” or “12-24”") % {"value": item}
                ) from None
            cleaned.append(item)
        return cleaned


class ChoiceParam(Param):
    def __init__(self, default: str, *, choices: tuple[str, ...], help_text: str = ""):
        super().__init__(default, help_text)
        self.choices = choices

    def clean(self, value):
        if value not in self.choices:
            raise ParamError(_("must be one of: %(choices)s") % {"choices": ", ".join(self.choices)})
        return value


class SeverityParam(ChoiceParam):
    def __init__(self, default: str, help_text: str = ""):
        super().__init__(default, choices=tuple(s.value for s in Severity), help_text=help_text)


class StrParam(Param):
    def __init__(self, default: str, *, max_length: int = 200, pattern: str | None = None, help_text=""):
        super().__init__(default, help_text)
        self.max_length = max_length
        self.pattern = re.compile(pattern) if pattern else None

    def clean(self, value):
        if not isinstance(value, str):
            raise ParamError(_("must be a text"))
        value = value.strip()
        if len(value) > self.max_length:
            raise ParamError(_("must not be longer than %(max)s characters") % {"max": self.max_length})
        if self.pattern and not self.pattern.fullmatch(value):
            raise ParamError(_("“%(value)s” is not a valid value") % {"value": value})
        return value


def clean_parameters(spec: dict[str, Param], raw: Any) -> dict:
    """Check ``raw`` against ``spec``; missing parameters get their default.

    Raises ``ValidationError`` with one message per bad parameter.
    """
    if raw in (None, ""):
        raw = {}
    if not isinstance(raw, dict):
        raise ValidationError(_('The parameters must be a JSON object, e.g. {"max": 3}.'), code="invalid")
    errors = []
    unknown = sorted(set(raw) - set(spec))
    if unknown:
        if spec:
            errors.append(
                _("Unknown parameter(s) %(unknown)s; this rule kind knows: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(spec)}
            )
        else:
            errors.append(
                _("This rule kind has no parameters; remove %(unknown)s.") % {"unknown": ", ".join(unknown)}
            )
    cleaned = {}
    for name, param in spec.items():
        value = raw.get(name, param.default)
        try:
            cleaned[name] = param.clean(value)
        except ParamError as exc:
            errors.append(_("Parameter “%(name)s”: %(error)s.") % {"name": name, "error": exc})
    if errors:
        raise ValidationError(errors, code="invalid")
    return cleaned


def default_parameters(spec: dict[str, Param]) -> dict:
    return {name: param.default for name, param in spec.items()}
