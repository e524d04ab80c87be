"""The template language of the Vorlagen: Jinja2's ``SandboxedEnvironment``.

The sandbox refuses access to underscore attributes and to anything unsafe; the context holds only the
data the caller passed (JSON values: strings, numbers, booleans, lists, objects) – no models, no
settings, no functions. Undefined placeholders are errors (``StrictUndefined``), output is plain text
(no HTML escaping: the networks get text). Rendering is limited in size.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

MAX_OUTPUT = 20_000
MAX_SOURCE = 10_000

_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)


def _de_number(value, digits: int = 1) -> str:
    """1234.5 → "1.234,5" (German number format)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    text = f"{number:,.{int(digits)}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


_env.filters["zahl"] = _de_number


class TemplateProblem(ValueError):
    """The template cannot be rendered with this data (message in English, German via the catalogue)."""


def render(source: str, data: dict) -> str:
    if len(source) > MAX_SOURCE:
        raise TemplateProblem(_("The template is too long."))
    try:
        output = _env.from_string(source).render(**_plain(data))
    except TemplateError as error:
        raise TemplateProblem(
            _("The template cannot be filled: %(error)s") % {"error": error.message or error}
        ) from None
    if len(output) > MAX_OUTPUT:
        raise TemplateProblem(_("The filled-in text is too long."))
    return output.strip()


def check_syntax(source: str) -> None:
    try:
        _env.parse(source)
    except TemplateError as error:
        raise TemplateProblem(
            _("The template has an error: %(error)s") % {"error": error.message or error}
        ) from None


def _plain(value):
    """Only JSON values reach the template."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if isinstance(k, str) and k.isidentifier()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
