"""Fuzzing every form of the app with hypothesis: no input gives a server error.

The forms are not listed by hand. The test opens every page of the permission matrix (and every add and
change page of the admin) as the roles who may open it, reads the ``<form>`` elements out of the HTML
and sends each form back with random values: any Unicode (also control characters and NUL), overlong
values, numbers and dates where text belongs and text where numbers belong, several values for one
field, missing fields and unknown extra fields. A new form on any page is fuzzed without a change here.

Every request runs in a savepoint that is rolled back. ``FUZZ_EXAMPLES`` (default 12) sets the examples
per form; raise it for a longer run (``FUZZ_EXAMPLES=200 .venv/bin/pytest tests/security/test_fuzz_forms.py``).

The targeted tests at the end check what the user sees after bad input on the main forms: a German
message next to the field, linked with ``aria-describedby``, and the typed text still in the form.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_permission_matrix import MATRIX
from .test_permission_matrix import world as matrix_world
from .world import object_value, request_in_savepoint, url_for

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
SKIP_FIELDS = {"csrfmiddlewaretoken"}
# Actions that end the session or switch the language for the rest of the walk are fuzzed like the
# others (each request is rolled back and the cookies restored), nothing is excluded.


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, checkbox, radio, hidden, number, date, file, …
    value: str = ""
    options: list[str] = field(default_factory=list)
    multiple: bool = False
    chosen: list[str] = field(default_factory=list)  # checked boxes, selected options


@dataclass
class Form:
    page: str
    method: str
    action: str
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        try:
            view = resolve(urlsplit(self.action).path).view_name
        except Resolver404:
            view = self.action
        return (view, self.method, tuple(sorted(self.fields)))


class FormParser(HTMLParser):
    """The forms of a page with their fields (enough of HTML for Django's templates)."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v or "") for k, v in attrs}
        if tag == "form":
            action = attrs.get("action") or self.page
            if action.startswith("?"):
                action = urlsplit(self.page).path + action
            self.form = Form(self.page, attrs.get("method", "get").upper(), unescape(action))
            return
        if self.form is None or "name" not in attrs or attrs["name"] in SKIP_FIELDS:
            return
        name = attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "reset"):
                current = self.form.fields.setdefault(name, Field(name, "choice"))
                if attrs.get("value"):
                    current.options.append(attrs["value"])
                return
            current = self.form.fields.setdefault(name, Field(name, kind, attrs.get("value", "")))
            if kind in ("checkbox", "radio"):
                current.options.append(attrs.get("value", "on"))
                current.multiple = kind == "checkbox"
                if "checked" in attrs:
                    current.chosen.append(attrs.get("value", "on"))
        elif tag == "textarea":
            self.textarea = self.form.fields.setdefault(name, Field(name, "textarea"))
        elif tag == "select":
            self.select = self.form.fields.setdefault(
                name, Field(name, "select", multiple="multiple" in attrs)
            )
        elif tag == "button" and attrs.get("value"):
            self.form.fields.setdefault(name, Field(name, "choice")).options.append(attrs["value"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "form" and self.form is not None:
            self.forms.append(self.form)
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data

    def unknown_decl(self, data):
        pass


class OptionParser(HTMLParser):
    """``<option value>`` inside each ``<select name>`` (kept apart: options carry no name)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.options: dict[str, list[str]] = {}
        self.current: str | None = None

        self.selected: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v or "") for k, v in attrs}
        if tag == "select":
            self.current = attrs.get("name")
        elif tag == "option" and self.current:
            self.options.setdefault(self.current, []).append(attrs.get("value", ""))
            if "selected" in attrs:
                self.selected.setdefault(self.current, []).append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self.current = None


def forms_of(page: str, html: str) -> list[Form]:
    parser = FormParser(page)
    parser.feed(html)
    options = OptionParser()
    options.feed(html)
    for form in parser.forms:
        for name, values in options.options.items():
            if name in form.fields and form.fields[name].kind == "select":
                form.fields[name].options = values
                form.fields[name].chosen = options.selected.get(name, [])
    return [form for form in parser.forms if form.method in ("GET", "POST")]


# --- what hypothesis sends -------------------------------------------------------------------------------

ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\r\n\t",
        "0",
        "-1",
        "99999999999999999999999999999",
        "1e309",
        "NaN",
        "-0",
        "3.14",
        "true",
        "[]",
        "{}",
        "null",
        "2026-02-30",
        "31.12.9999 25:61",
        "9999-12-31",  # the ends of the date range (the calendar overflowed, issue 14)
        "0001-01-01",
        "0000-00-00T00:00",
        "1.1.1",
        "../../etc/passwd",
        "javascript:alert(1)",
        "http://",
        "https://xn--nxasmq6b.example/ä?x=<y>",
        "<script>alert(1)</script>",
        "\u202e\u200b\ufeff",
        "𝐁𝐨𝐥𝐝 🎉" * 3,
        "%s %(x)s {0} {{x}}",
        "' OR 1=1 --",
        "[" * 5000,  # deeply nested JSON (RecursionError in the live check, issue 14)
        '{"a":' * 3000,
    ]
)
OVERLONG = st.sampled_from([201, 2001, 20_001, 70_000]).map(lambda n: "Ä" * n)


def is_reference(name: str) -> bool:
    """A field that names another object by its id (a formset's ``media-0-id``, ``step``, ``revision`` …)."""
    return name in ("id", "pk", "step", "revision", "post") or name.endswith(("-id", "_id"))


def value_for(f: Field, ids: list[int] = ()) -> st.SearchStrategy:
    choices = [ANY_TEXT, NASTY, OVERLONG]
    if ids and is_reference(f.name):
        # Ids of objects that exist but belong to something else (another post's medium was a 500, issue 14).
        choices.append(st.sampled_from(ids).map(str))
    if f.value:
        choices.append(st.just(f.value))
    if f.options:
        choices.append(st.sampled_from(f.options))
    one = st.one_of(*choices)
    if f.multiple or f.kind in ("select", "checkbox"):
        return st.one_of(one, st.lists(one, min_size=2, max_size=4))
    return one


def form_data(form: Form, ids: list[int] = ()) -> st.SearchStrategy:
    fields = [f for f in form.fields.values() if f.kind != "file"]
    per_field = {
        f.name: st.one_of(st.none(), value_for(f, ids)) for f in fields
    }  # None: the field is left out

    @st.composite
    def build(draw):
        data = {}
        for name, strategy in per_field.items():
            value = draw(strategy)
            if value is not None:
                data[name] = value
        extra = draw(
            st.dictionaries(
                st.sampled_from(["x", "id", "pk", "step", "page", "date", "__proto__"]), NASTY, max_size=2
            )
        )
        for name, value in extra.items():
            data.setdefault(name, value)
        return data

    return build()


def fuzz(client, form: Form, examples: int, ids: list[int] = ()) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=form_data(form, ids))
    def send(data):
        extra = {"HTTP_HX_REQUEST": "true"} if "hx" in form.action else {}
        response = request_in_savepoint(client, form.method, form.action, data, **extra)
        assert response.status_code < 500, (form.method, form.action, response.status_code)

    send()


# --- probes: each class of input that once gave a server error, sent deterministically -----------------

# Values that once broke a view (issue 14): the ends of the date range and JSON nested too deeply. Each
# goes into every text field, and into two parameters that views read without a form field showing them
# (the calendar's ``date``, the live check's ``media``, which the editor's JavaScript sends).
PROBES = ["9999-12-31", "[" * 5000]
HIDDEN_PARAMETERS = {"date": ["9999-12-31", "0001-01-01"], "media": ["[" * 5000]}
TEXT_KINDS = {
    "text",
    "textarea",
    "hidden",
    "search",
    "date",
    "datetime-local",
    "number",
    "url",
    "email",
    "tel",
}


def filled_in(form: Form) -> dict:
    """The form as the page shows it, sent unchanged: typed values, checked boxes, selected options."""
    data = {}
    for f in form.fields.values():
        if f.kind == "file":
            continue
        if f.kind in ("checkbox", "radio", "select"):
            if f.chosen:
                data[f.name] = f.chosen if f.multiple or len(f.chosen) > 1 else f.chosen[0]
        elif f.kind == "choice":
            if f.options:
                data[f.name] = f.options[0]
        else:
            data[f.name] = f.value
    return data


def probe(client, form: Form, ids: list[int]) -> int:
    """The filled-in form with one field changed to each probe (and each reference to each existing
    id), and with each hidden parameter added. Returns the number of requests."""
    base = filled_in(form)
    variants = []
    for f in form.fields.values():
        if f.kind in TEXT_KINDS:
            variants += [{**base, f.name: value} for value in PROBES]
        if is_reference(f.name):
            variants += [{**base, f.name: str(pk)} for pk in ids]
    for name, values in HIDDEN_PARAMETERS.items():
        if name not in form.fields:
            variants += [{**base, name: value} for value in values]
    extra = {"HTTP_HX_REQUEST": "true"} if "hx" in form.action else {}
    for data in variants:
        response = request_in_savepoint(client, form.method, form.action, data, **extra)
        assert response.status_code < 500, (form.method, form.action, response.status_code, data)
    return len(variants)


# --- collecting the forms --------------------------------------------------------------------------------


@pytest.fixture
def world(cast, department, other_department, settings, tmp_path):
    # The permission matrix's world (it adds the objects of later apps, e.g. a post template).
    return matrix_world.__wrapped__(cast, department, other_department, settings, tmp_path)


def pages_for(world, role: str) -> list[str]:
    pages = []
    for row in MATRIX:
        if row.method != "GET" or row.cells[role][0] != "200":
            continue
        value = None if row.obj == "-" else object_value(world, role, row.obj, "own")
        pages.append(url_for(row.view, value))
    if role == "coordinator":  # the review page of the other department too (a second post's forms)
        pages.append(url_for("approvals:review", world["objects"]["other"]["review"]))
    return pages


def admin_pages() -> list[str]:
    pages = []
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pages.append(base + "add/")
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            pages.append(f"{base}{obj.pk}/change/")
    return pages


def collect(client, world, role: str, seen: set) -> list[Form]:
    found = []
    pages = pages_for(world, role) + (admin_pages() if role == "admin" else [])
    for page in pages:
        response = client.get(page)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for form in forms_of(page, response.content.decode()):
            if not form.fields or form.key in seen:
                continue
            seen.add(form.key)
            found.append(form)
    return found


def existing_ids() -> list[int]:
    """Ids that name real objects – media, posts, review steps and revisions of both departments – so
    that a form can be sent with the id of something that is not its own."""
    from approvals.models import ReviewStep
    from posts.models import Media, Post, Revision

    ids = set()
    for model in (Media, Post, ReviewStep, Revision):
        ids.update(model.objects.values_list("pk", flat=True))
    return sorted(ids)


@pytest.mark.slow
def test_no_form_gives_a_server_error(client, world):
    """Each distinct form is fuzzed once, as the first role (in this order) that sees it."""
    seen: set = set()
    fuzzed = []
    ids = existing_ids()
    for role in ("coordinator", "admin", "editor", "head", "press", "outsider"):
        client.force_login(world["cast"][role])
        for form in collect(client, world, role, seen):
            probe(client, form, ids)
            fuzz(client, form, EXAMPLES, ids)
            fuzzed.append(f"{role}: {form.method} {form.action} {sorted(form.fields)[:6]}")
    views = {Form(page="", method="", action=line.split()[2]).key[0] for line in fuzzed}
    # The forms this must have found (a parser that finds nothing would pass silently otherwise).
    for expected in (
        "posts:create",
        "posts:edit",
        "posts:comment_add",
        "approvals:approve",
        "approvals:request_changes",
        "approvals:reject",
        "approvals:edit",
        "approvals:comment",
        "approvals:review_mode_set",
        "approvals:audit_export",
        "approvals:queue",
        "posts:list",
        "etiquette:acknowledge",
        "etiquette:check",
        "password_change",
        "accounts:enrol",
        "set_language",
        "admin:channels_channel_add",
        "admin:departments_department_add",
        "admin:etiquette_rule_change",
    ):
        assert expected in views, f"no form for {expected} found; fuzzed:\n" + "\n".join(fuzzed)
    assert len(fuzzed) >= 30, fuzzed


def test_login_form_as_anonymous(client, world):
    forms = forms_of("/accounts/login/", client.get("/accounts/login/").content.decode())
    assert next(sorted(f.fields) for f in forms if f.method == "POST")[:2] == ["next", "password"]
    for form in forms:
        fuzz(client, form, EXAMPLES * 2)


# --- what the user sees after bad input -----------------------------------------------------------------


def field_error(html: str, field_id: str) -> str:
    """The error text linked to the field: the field names the error element in aria-describedby."""
    tag = re.search(rf'<(?:input|textarea|select)[^>]*\bid="{field_id}"[^>]*>', html)
    assert tag, f"no field {field_id}"
    described = re.search(r'aria-describedby="([^"]+)"', tag.group(0))
    assert described, f"{field_id} has no aria-describedby: {tag.group(0)}"
    for ident in described.group(1).split():
        match = re.search(rf'<div id="{ident}" class="invalid-feedback[^"]*">(.*?)</div>', html, re.S)
        if match:
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()
    raise AssertionError(f"{field_id}: none of {described.group(1)} is an error message")


def test_editor_keeps_what_was_typed_and_says_what_is_wrong(client, world):
    editor = world["cast"]["editor"]
    client.force_login(editor)
    typed = "Unser Text bleibt erhalten – auch mit <Sonderzeichen> & Umlauten äöü"
    response = client.post(
        "/posts/new/",
        {
            "department": world["objects"]["own"]["department"].pk,
            "title": "T" * 201,
            "text": typed,
            "link": "kein link mit leerzeichen",
            "planned_at": "31.02.2030 10:00",
            "channels": [world["channels"][0].pk, "999999", "abc"],
            "media-TOTAL_FORMS": "0",
            "media-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Unser Text bleibt erhalten – auch mit &lt;Sonderzeichen&gt; &amp; Umlauten äöü" in html
    assert 'value="' + "T" * 201 + '"' in html  # the overlong title is shown again to be shortened
    assert "höchstens 200 Zeichen" in field_error(html, "id_title")
    assert "URL" in field_error(html, "id_link") or "Adresse" in field_error(html, "id_link")
    assert "Datum" in field_error(html, "id_planned_at")


def test_review_decisions_with_bad_input_say_so_in_german(client, world):
    coordinator = world["cast"]["coordinator"]
    client.force_login(coordinator)
    post = world["objects"]["own"]["review"]
    review = post.reviews.get(status="open")
    step = review.steps.get(status="open")
    response = client.post(
        f"/approvals/posts/{post.pk}/reject/",
        {"step": step.pk, "revision": review.revision_id, "reason": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Bitte" in html and "Grund" in html
    response = client.post(
        f"/approvals/posts/{post.pk}/approve/",
        {"step": step.pk, "revision": review.revision_id, "schedule": "at", "planned_at": "gestern"},
    )
    assert response.status_code == 400
    assert "gültig" in response.content.decode() or "Datum" in response.content.decode()
    post.refresh_from_db()
    assert post.status == "in_review"


def test_admin_membership_with_a_forged_user_id_is_an_error_not_a_crash(client, world):
    """Found by the fuzzing: Django's autocomplete widget raised on a user id that is no number."""
    department = world["objects"]["own"]["department"]
    client.force_login(world["cast"]["admin"])
    response = client.post(
        f"/admin/departments/department/{department.pk}/change/",
        {
            "name": department.name,
            "code": department.code,
            "review_mode": department.review_mode,
            "active": "on",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": ":",
            "memberships-0-role": "editor",
        },
    )
    assert response.status_code == 200
    assert "Bitte eine gültige Auswahl treffen" in response.content.decode()


def test_admin_can_change_the_word_of_a_term(client, world):
    """Found by the fuzzing: changing a term's word in the admin was a 500 (the service's object
    parameter was called ``term`` like the field)."""
    from audit.models import AuditEvent
    from etiquette.models import Term

    term = Term.objects.order_by("pk").first()
    client.force_login(world["cast"]["admin"])
    response = client.post(
        f"/admin/etiquette/term/{term.pk}/change/",
        {
            "term_list": term.term_list,
            "term": "seitens des Amtes",
            "suggestion": term.suggestion,
            "case_sensitive": "",
            "active": "on",
            "note": term.note,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    term.refresh_from_db()
    assert term.term == "seitens des Amtes"
    assert AuditEvent.objects.filter(verb="term.changed", object_id=str(term.pk)).exists()


@pytest.mark.parametrize(
    "target", ["0", "delivery", "https://evil.example/", "//evil.example/x", "javascript:x"]
)
def test_delivery_actions_return_only_to_pages_of_this_site(client, world, target):
    """Found by the fuzzing: ``next=0`` on a delivery action was a 500 (redirect() took it for a view
    name); other sites are not followed either."""
    delivery = world["objects"]["own"]["delivery"]
    client.force_login(world["cast"]["coordinator"])
    response = request_in_savepoint(
        client, "POST", f"/publishing/deliveries/{delivery.pk}/retry/", {"next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/publishing/deliveries/{delivery.pk}/"
    response = request_in_savepoint(
        client, "POST", f"/publishing/deliveries/{delivery.pk}/retry/", {"next": "/posts/?page=2"}
    )
    assert response["Location"] == "/posts/?page=2"
