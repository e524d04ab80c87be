"""The Content-Security-Policy stays strict, and no template needs it to be loosened.

Every template of the project (``templates/``) and of every project app (``<app>/templates/``) is read
as text, so templates added later are checked without touching this file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

BASE = Path(settings.BASE_DIR)


def template_dirs() -> list[Path]:
    dirs = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    for config in apps.get_app_configs():
        path = Path(config.path)
        if BASE in path.parents and ".venv" not in path.parts and (path / "templates").is_dir():
            dirs.append(path / "templates")
    return sorted(set(dirs))


def project_templates() -> list[Path]:
    return sorted(
        p
        for d in template_dirs()
        for p in d.rglob("*")
        if p.is_file() and p.suffix in {".html", ".txt", ".xml", ".svg"}
    )


_COMMENTS = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.S | re.I)
_TAG = re.compile(r"<[a-zA-Z][^<>]*>", re.S)
_HANDLER = re.compile(r"""(?:^|[\s"'}])(on[a-z]+)\s*=""", re.I)
_STYLE_ATTR = re.compile(r"""(?:^|[\s"'}])style\s*=""", re.I)
_HX_ON = re.compile(r"""(?:^|[\s"'}])(?:data-)?hx-on[:\-\w]*\s*=""", re.I)
_JS_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)
_DATA_SCRIPT_TYPES = ("application/json", "application/ld+json")


def csp_violations(text: str) -> list[str]:
    """What in a template's source would need 'unsafe-inline' (or eval) in the policy."""
    text = _COMMENTS.sub("", text)
    found = []
    for attrs, body in _SCRIPT.findall(text):
        type_ = re.search(r"""type\s*=\s*["']?([^"'\s>]+)""", attrs, re.I)
        if body.strip() and not (type_ and type_.group(1).lower() in _DATA_SCRIPT_TYPES):
            found.append(f"inline <script>: {body.strip()[:60]!r}")
    for body in _STYLE_BLOCK.findall(text):
        if body.strip():
            found.append(f"inline <style>: {body.strip()[:60]!r}")
    for tag in _TAG.findall(text):
        head = tag[:80].replace("\n", " ")
        found += [f"event handler {m} in {head!r}" for m in _HANDLER.findall(tag)]
        if _STYLE_ATTR.search(tag):
            found.append(f"style attribute in {head!r}")
        if _HX_ON.search(tag):
            found.append(f"hx-on handler in {head!r}")
        if _JS_URL.search(tag):
            found.append(f"javascript: URL in {head!r}")
    return found


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("<script>alert(1)</script>", "inline <script>"),
        ('<script type="text/javascript">\n  go();\n</script>', "inline <script>"),
        ('<button class="btn" onclick="go()">x</button>', "event handler onclick"),
        ("<body\n  onload='x()'>", "event handler onload"),
        ('<a href="#" {% if x %}onmouseover="y()"{% endif %}>', "event handler onmouseover"),
        ('<div style="color:red">x</div>', "style attribute"),
        ("<p class='x' style='x'>", "style attribute"),
        ("<style>p { color: red }</style>", "inline <style>"),
        ('<button hx-on:click="alert(1)">', "hx-on handler"),
        ('<a href="javascript:void(0)">', "javascript: URL"),
    ],
)
def test_the_check_finds_what_the_policy_forbids(snippet, expected):
    assert any(v.startswith(expected) for v in csp_violations(snippet)), csp_violations(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "<script src=\"{% static 'js/app.js' %}\"></script>",
        '<script id="data" type="application/json">{"a": 1}</script>',
        '<button data-confirm="Sicher?" data-bs-toggle="collapse">',
        "<p>Bitte melden Sie sich online an: onboarding=ok</p>",
        '<input aria-controls="x" data-style="y" name="onion">',
        '{# <div style="x"> only in a comment #}',
        "<a href=\"{% url 'accounts:security' %}\">Sicherheit</a>",
    ],
)
def test_the_check_leaves_allowed_markup_alone(snippet):
    assert csp_violations(snippet) == []


def test_the_templates_of_every_project_app_are_checked():
    dirs = template_dirs()
    assert BASE / "templates" in dirs
    assert BASE / "accounts/templates" in dirs
    names = {p.relative_to(BASE).as_posix() for p in project_templates()}
    assert {"templates/base.html", "templates/registration/login.html"} <= names
    assert "accounts/templates/accounts/verify.html" in names


@pytest.mark.parametrize("path", project_templates(), ids=lambda p: p.relative_to(BASE).as_posix())
def test_template_needs_no_unsafe_inline(path):
    violations = csp_violations(path.read_text(encoding="utf-8"))
    assert not violations, (
        f"{path.relative_to(BASE)}: move JavaScript to static/js and styles to static/css: {violations}"
    )


def test_policy_in_settings_is_strict():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for name, sources in directives.items():
        for source in sources:
            assert source not in {
                "'unsafe-inline'",
                "'unsafe-eval'",
                "'unsafe-hashes'",
                "*",
                "http:",
                "https:",
            }, (
                name,
                source,
            )
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]
    assert (
        "CONTENT_SECURITY_POLICY_REPORT_ONLY" not in dir(settings)
        or not settings.CONTENT_SECURITY_POLICY_REPORT_ONLY
    )


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/accounts/security/", "/does-not-exist/"])
def test_responses_carry_the_security_headers(client, editor, path):
    if path != "/accounts/login/":
        client.force_login(editor)
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
