"""Who may open which page: every URL pattern × every role × an object of their own and of another
department, against the table below.

The URL patterns come from the resolver (``url_walk.concrete_paths``), so a new page is covered
automatically: the test fails until the page has a row in ``MATRIX`` (or, for the admin site, until the
admin rules below can classify it). Every request runs inside a savepoint that is rolled back, so a
permitted POST really does its work (approve, reject, comment …) and the next cell starts from the same
data.

The API (``api:*``) opens only with an integration token, never with a session: every role gets 401
here; what each token may do is tested in ``tests/integrations/`` (one test per right and scope). Its
schema and documentation page are public.

How to read a cell: ``200`` / ``403`` / ``404`` / ``405`` / ``400`` / ``422`` are the HTTP status;
``302`` is a redirect (not to the login page); ``login`` is a redirect to the login page (anonymous).
``200/404`` means: 200 for the object of the role's own department, 404 for the other department's
object. The roles' own department is the Gesundheitsamt; for ``outsider`` (an editor of the
Straßenverkehrsamt) it is the Straßenverkehrsamt. Objects without a department have their own meaning
of own/other, named in the ``object`` column (see ``OBJECTS``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import resolve, reverse

from .url_walk import concrete_paths
from .world import (
    ROLES,
    default_world,
    login_as,
    object_value,
    request_in_savepoint,
    role_objects,
    status_of,
    url_for,
)

# view name                          method object         anonymous editor   head     outsider coordinator press    admin
MATRIX_TABLE = """
home                                 GET    -              login     200      200      200      200      200      200
health                               GET    -              200       200      200      200      200      200      200
theme_css                            GET    -              200       200      200      200      200      200      200
favicon                              GET    -              301       301      301      301      301      301      301
login                                GET    -              200       302      302      302      302      302      302
logout                               POST   -              302       302      302      302      302      302      302
password_change                      GET    -              login     200      200      200      200      200      200
password_change_done                 GET    -              login     200      200      200      200      200      200
accounts:security                    GET    -              login     200      200      200      200      200      200
accounts:verify                      GET    -              login     302      302      302      302      302      302
accounts:verify_backup               GET    -              login     302      302      302      302      302      302
accounts:enrol                       GET    -              login     200      200      200      200      200      200
accounts:backup_codes                GET    -              login     200      200      200      200      200      200
accounts:backup_codes_renew          POST   -              login     302      302      302      302      302      302
accounts:disable                     POST   -              login     302      302      302      302      302      302
set_language                         POST   -              302       302      302      302      302      302      302
posts:list                           GET    -              login     200      200      200      200      200      200
posts:create                         GET    -              login     200      200      200      403      403      403
posts:create                         POST   -              login     302      302      302      403      403      403
posts:check                          POST   -              login     200      200      200      404      404      404
posts:detail                         GET    review         login     200/404  200/404  200/404  200      200      200
posts:edit                           GET    draft          login     200/404  200/404  200/404  200      302      302
posts:edit                           POST   draft          login     302/404  302/404  302/404  302      302      302
posts:check_post                     POST   draft          login     200/404  200/404  200/404  200      200      200
posts:autosave                       POST   draft          login     200/404  200/404  200/404  200      409      409
posts:submit                         POST   draft          login     302/404  302/404  302/404  302      302      302
posts:reschedule                     POST   draft          login     302/404  302/404  302/404  302      302      302
posts:comment_add                    POST   review         login     302/404  302/404  302/404  302      302      302
posts:revisions                      GET    review         login     200/404  200/404  200/404  200      200      200
posts:media                          GET    image          login     200/404  200/404  200/404  200      200      200
posts:media_thumbnail                GET    image          login     200/404  200/404  200/404  200      200      200
posts:media_captions                 GET    video          login     200/404  200/404  200/404  200      200      200
posts:media_public                   GET    signed_media   200/404   200/404  200/404  200/404  200/404  200/404  200/404
posts:calendar                       GET    -              login     200      200      200      200      200      200
posts:calendar_feed_renew            POST   -              login     302      302      302      302      302      302
posts:calendar_feed_revoke           POST   -              login     302      302      302      302      302      302
posts:calendar_feed                  GET    feed           200/404   200/404  200/404  200/404  200/404  200/404  200/404
approvals:queue                      GET    -              login     403      200      403      200      200      403
approvals:review                     GET    review         login     200/404  200/404  200/404  200      200      200
approvals:approve                    POST   review         login     403/404  403/404  403/404  302      403      403
approvals:request_changes            POST   review         login     403/404  403/404  403/404  302      403      403
approvals:reject                     POST   review         login     403/404  403/404  403/404  302      403      403
approvals:edit                       POST   review         login     403/404  403/404  403/404  302      403      403
approvals:comment                    POST   review         login     302/404  302/404  302/404  302      302      302
approvals:history                    GET    review         login     200/404  200/404  200/404  200      200      200
approvals:notifications              GET    -              login     200      200      200      200      200      200
approvals:notifications_read         POST   -              login     302      302      302      302      302      302
approvals:notification_open          GET    notification   login     302/404  302/404  302/404  302/404  302/404  302/404
approvals:autonomous                 GET    -              login     403      403      403      200      403      200
approvals:review_modes               GET    -              login     403      403      403      403      403      200
approvals:review_mode_set            POST   department     login     403      403      403      403      403      302
approvals:audit                      GET    -              login     403      403      403      403      403      200
approvals:audit_export               GET    -              login     403      403      403      403      403      200
etiquette:guide                      GET    -              login     200      200      200      200      200      200
etiquette:guide_version              GET    guide          login     200/404  200/404  200/404  200/404  200/404  200
etiquette:acknowledge                POST   -              login     302      302      302      302      302      302
etiquette:training_record            GET    -              login     403      403      403      200      403      200
etiquette:training_record_csv        GET    -              login     403      403      403      200      403      200
etiquette:check                      POST   -              login     200      200      200      200      200      200
etiquette:try                        GET    -              login     200      200      200      200      200      200
netiquette:page                      GET    -              200       200      200      200      200      200      200
netiquette:version                   GET    netiquette     200/404   200/404  200/404  200/404  200/404  200/404  200/404
publishing:rollout                   GET    -              login     404      404      404      404      404      200
publishing:rollout_check             POST   phase          login     404      404      404      404      404      200/302
publishing:rollout_activate          POST   phase          login     404      404      404      404      404      302
publishing:sandbox                   GET    -              login     200      200      200      200      200      200
publishing:sandbox_post              GET    sandbox_post   login     200/404  200/404  200/404  200/404  200/404  200/404
publishing:sandbox_media             GET    sandbox_post   login     404      404      404      404      404      404
publishing:deliveries                GET    -              login     404      404      404      200      404      200
publishing:delivery                  GET    delivery       login     200/404  200/404  200/404  200      200      200
publishing:delivery_retry            POST   delivery       login     403/404  403/404  403/404  302      403      403
publishing:delivery_mark_published   POST   delivery       login     403/404  403/404  403/404  302      403      403
publishing:post_withdraw             GET    approved       login     403/404  403/404  403/404  200      403      403
publishing:post_withdraw             POST   approved       login     403/404  403/404  403/404  302      403      403
reports:index                        GET    -              login     403      200      403      200      200      200
reports:csv                          GET    -              login     403      200      403      200      200      200
reports:pdf                          GET    -              login     403      200      403      200      200      200
reports:report_download              GET    committee_report login   404      404      404      200/404  200/404  200/404
inbox:list                           GET    -              login     200      200      200      200      200      200
inbox:item                           GET    inbox_item     login     200/404  200/404  200/404  200      200      200
inbox:take_over                      POST   inbox_item     login     302/404  302/404  302/404  302      302      302
inbox:close                          POST   inbox_item     login     302/404  302/404  302/404  302      302      302
inbox:assign                         POST   inbox_item     login     403/404  403/404  403/404  302      403      302
inbox:demo_comment                   GET    -              login     404      404      404      404      404      404
inbox:webhook_meta                   GET    -              404       404      404      404      404      404      404
api:posts                            GET    -              401       401      401      401      401      401      401
api:posts                            POST   -              401       401      401      401      401      401      401
api:post                             GET    review         401       401      401      401      401      401      401
api:post_submit                      POST   draft          401       401      401      401      401      401      401
api:post_withdraw                    POST   approved       401       401      401      401      401      401      401
api:check                            POST   -              401       401      401      401      401      401      401
api:channels                         GET    -              401       401      401      401      401      401      401
api:templates                        GET    -              401       401      401      401      401      401      401
api:template_preview                 POST   template       401       401      401      401      401      401      401
api:template_posts                   POST   template       401       401      401      401      401      401      401
api:schema                           GET    -              200       200      200      200      200      200      200
api:docs                             GET    -              200       200      200      200      200      200      200
integrations:templates               GET    -              login     403      403      403      200      403      200
integrations:template_preview        GET    template       login     403      403      403      200/404  403      200/404
integrations:template_preview        POST   template       login     403      403      403      200/404  403      200/404
integrations:template_auto_approve   POST   template       login     403      403      403      302/404  403      403
inbox:reply                          POST   inbox_item     login     302/404  302/404  302/404  302      302      302
inbox:escalate                       POST   inbox_item     login     302/404  302/404  302/404  302      302      302
inbox:hand_back                      POST   inbox_item     login     403/404  403/404  403/404  403      422      403
inbox:moderate                       POST   inbox_item     login     422/404  422/404  422/404  422      422      422
inbox:reply_check                    POST   inbox_item     login     200/404  200/404  200/404  200      200      200
inbox:reply_queue                    GET    -              login     404      200      404      200      404      200
inbox:reply_approve                  POST   reply          login     403/404  302/404  403/404  302      403      302
inbox:reply_reject                   POST   reply          login     403/404  302/404  403/404  302      403      302
inbox:reply_retry                    POST   reply          login     403/404  403/404  403/404  302      403      302
inbox:saved_replies                  GET    -              login     200      200      200      200      200      200
inbox:saved_reply_search             GET    -              login     200      200      200      200      200      200
inbox:saved_reply_create             GET    -              login     403      403      403      200      403      200
inbox:saved_reply_create             POST   -              login     403      403      403      200      403      200
inbox:saved_reply_edit               GET    saved_reply    login     404      404      404      200      404      200
"""

# What "own" and "other" mean for objects without a department.
OBJECTS = {
    "-": "no object",
    "review": "a post in review (own department / other department)",
    "draft": "a draft (own department / other department)",
    "image": "the draft's image (own / other department)",
    "video": "the draft's video with captions (own / other department)",
    "signed_media": "a signed public media address / a forged one",
    "feed": "a valid iCal address (someone's secret token) / an unknown token",
    "notification": "a notification addressed to the user / to someone else",
    "department": "the Gesundheitsamt / the Straßenverkehrsamt",
    "guide": "the published guide version / an unpublished draft version",
    "netiquette": "the published netiquette (public) / an unpublished draft, also for administrators",
    "phase": "the next planned rollout phase / the phase that is active already",
    "sandbox_post": "a sandbox post / an id that does not exist",
    "approved": "a post Koordination approved (own department / other department)",
    "delivery": "a failed delivery of that post (own department / other department)",
    "committee_report": "a stored monthly committee report (county-wide) / an id that does not exist",
    "inbox_item": "a citizen's comment on that post in the inbox (own department / other department)",
    "template": "a post template (Vorlage) / an id that does not exist",
    "saved_reply": "a Textbaustein of the own department / of the other department",
    "reply": "the editor's reply to that inbox item, waiting for approval (own department / other department)",
}


@dataclass(frozen=True)
class Row:
    view: str
    method: str
    obj: str
    cells: dict[str, tuple[str, str]]  # role -> (own, other)


def parse_matrix(text: str) -> list[Row]:
    rows = []
    for line in text.strip().splitlines():
        view, method, obj, *cells = line.split()
        assert len(cells) == len(ROLES), f"row {view}: {len(cells)} cells for {len(ROLES)} roles"
        assert obj in OBJECTS, f"row {view}: unknown object kind {obj!r}"
        parsed = {}
        for role, cell in zip(ROLES, cells, strict=True):
            own, _, other = cell.partition("/")
            parsed[role] = (own, other or own)
        rows.append(Row(view, method, obj, parsed))
    return rows


MATRIX = parse_matrix(MATRIX_TABLE)


@pytest.fixture
def world(cast, department, other_department, settings, tmp_path):
    from integrations.models import PostTemplate

    made = default_world(cast, department, other_department, settings, tmp_path)
    template = PostTemplate.objects.create(
        name="Pegelstand", department=department, title="Pegel", text="Pegel {{ stand }} cm", fields=[]
    )
    made["objects"]["own"]["template"] = template
    made["objects"]["other"]["template"] = template.pk + 1000  # no such template
    return made


def payload(world, row: Row, role: str, value) -> dict:
    """The form data a POST sends: what the page's own form would send, so that a permitted role
    succeeds and the status shows the permission, not a validation error."""
    from approvals.models import ReviewStep

    channels = world["channels"]
    department = role_objects(world, role)[0]["department"]
    text = "Ab Montag vergibt das Gesundheitsamt neue Termine. Mehr unter https://www.lk-row.de/impfen"
    if row.view in ("approvals:approve", "approvals:request_changes", "approvals:reject"):
        review = value.reviews.get(status="open")
        step = review.steps.get(status=ReviewStep.Status.OPEN)
        return {
            "step": step.pk,
            "revision": review.revision_id,
            "schedule": "keep",
            "comment": "Bitte die Uhrzeit prüfen.",
            "reason": "Das passt nicht zu unserem Auftrag.",
        }
    if row.view == "approvals:edit":
        review = value.reviews.get(status="open")
        return {"revision": review.revision_id, "text": text + " Neu.", "link": ""}
    if row.view in ("posts:create", "posts:edit", "posts:check", "posts:check_post", "posts:autosave"):
        data = {
            "department": department.pk,
            "title": "Neuer Titel",
            "text": text,
            "link": "",
            "channels": [c.pk for c in channels],
            "media-TOTAL_FORMS": "0",
            "media-INITIAL_FORMS": "0",
        }
        if row.view == "posts:edit":
            media = list(value.media.order_by("position"))
            data.update({"media-TOTAL_FORMS": str(len(media)), "media-INITIAL_FORMS": str(len(media))})
            for index, medium in enumerate(media):
                data.update(
                    {
                        f"media-{index}-id": medium.pk,
                        f"media-{index}-alt_text": medium.alt_text,
                        f"media-{index}-credit": medium.credit,
                    }
                )
        return data
    if row.view == "publishing:delivery_mark_published":
        return {"url": "https://social.example/@landkreis/1"}
    if row.view in ("inbox:reply", "inbox:reply_check"):
        return {"text": "Danke für den Hinweis, wir prüfen das."}
    if row.view in ("inbox:escalate", "inbox:hand_back"):
        return {"note": "Presseanfrage"}
    if row.view == "inbox:moderate":
        from etiquette.selectors import netiquette_clause

        return {"action": "report", "clause": netiquette_clause("respekt").pk, "reason": "Beleidigung"}
    if row.view == "inbox:reply_reject":
        return {"comment": "Bitte anders formulieren."}
    if row.view == "inbox:close":
        return {"resolution": "answered", "reason": "Telefonisch beantwortet."}
    if row.view == "inbox:assign":
        own, other = (objects["department"] for objects in role_objects(world, role))
        target = other if value.department_id == own.pk else own
        return {"department": target.pk, "note": "Zuständig ist das andere Amt."}
    if row.view == "publishing:post_withdraw":
        return {"reason": "Der Termin ist abgesagt."}
    if row.view in ("posts:comment_add", "approvals:comment"):
        return {"text": "Sieht gut aus."}
    if row.view == "approvals:review_mode_set":
        return {f"d{value.pk}-review_mode": "autonomous", f"d{value.pk}-comment": "Test"}
    if row.view == "approvals:audit_export":
        return {"start": "2020-01-01", "end": "2029-12-31"}
    if row.view == "etiquette:acknowledge":
        from etiquette.selectors import current_guide

        return {"version": current_guide().pk, "confirm": "on"}
    if row.view == "integrations:template_preview":
        return {"data": '{"stand": 312}'}
    if row.view == "integrations:template_auto_approve":
        return {"enabled": "on"}
    if row.view == "etiquette:check":
        return {"text": text, "channels": ["mastodon"]}
    if row.view == "reports:csv":
        return {"table": "posts-by-month"}
    if row.view == "set_language":
        return {"language": "de", "next": "/"}
    return {}


# --- the tests -------------------------------------------------------------------------------------------


def test_every_url_pattern_has_a_row_or_an_admin_rule():
    """A new URL pattern fails here until someone writes down who may open it."""
    named = {row.view for row in MATRIX}
    unclassified = []
    for path in concrete_paths():
        match = resolve(path)
        if match.view_name in named or admin_rule(path, match) is not None:
            continue
        unclassified.append(f"{path} ({match.view_name})")
    assert not unclassified, "URL patterns without a row in MATRIX_TABLE:\n  " + "\n  ".join(unclassified)
    stale = named - {resolve(path).view_name for path in concrete_paths()}
    assert not stale, f"rows for URL patterns that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("role", ROLES)
def test_matrix(client, world, role):
    login_as(client, world, role)
    wrong = []
    for row in MATRIX:
        for which, index in (("own", 0), ("other", 1)):
            expected = row.cells[role][index]
            if row.obj == "-" and which == "other":
                continue
            value = None if row.obj == "-" else object_value(world, role, row.obj, which)
            url = url_for(row.view, value)
            response = request_in_savepoint(client, row.method, url, payload(world, row, role, value))
            got = status_of(response)
            if got != expected:
                wrong.append(f"{row.method} {url} ({row.view}, {which}): expected {expected}, got {got}")
            if got == "login":
                assert response["Location"].startswith("/accounts/login/?next="), url
    assert not wrong, f"{role}:\n  " + "\n  ".join(wrong)


def test_outsiders_404_reveals_nothing(client, world):
    """The 404 an outsider gets for another department's post is the same page as for a missing id."""
    login_as(client, world, "outsider")
    own_dept_post = world["objects"]["own"]["review"]
    hidden = client.get(reverse("posts:detail", args=[own_dept_post.pk]))
    missing = client.get(reverse("posts:detail", args=[own_dept_post.pk + 10_000]))
    assert hidden.status_code == missing.status_code == 404
    assert own_dept_post.title not in hidden.content.decode()
    strip = re.compile(r"\d+")
    assert strip.sub("", hidden.content.decode()) == strip.sub("", missing.content.decode())


# --- the admin site ---------------------------------------------------------------------------------------

ADMIN_PAGES = re.compile(
    r"^/admin/(?P<app>\w+)/(?P<model>\w+)/(?:(?P<page>add)/|x/(?P<objpage>history|delete|change|password)/|x/|(?P<custom>\d+/\w+)/)?$"
)
# The admin site itself: anonymous and every non-admin role are sent to the admin login (staff only).
ADMIN_SITE_PAGES = {
    "admin:index": ("GET", "200"),
    "admin:password_change": ("GET", "200"),
    "admin:password_change_done": ("GET", "200"),
    "admin:jsi18n": ("GET", "200"),
    "admin:autocomplete": ("GET", "403"),  # without the widget's parameters
    "admin:view_on_site": ("GET", "404"),  # with the walk's sample ids
    "admin:django.contrib.admin.sites.catch_all_view": ("GET", "404"),
}


def admin_rule(path: str, match) -> tuple[str, str] | None:
    """(method, status for the admin role) for an admin URL, or None if the rules do not know it."""
    if not match.view_name.startswith("admin:"):
        return None
    if match.view_name in ADMIN_SITE_PAGES:
        return ADMIN_SITE_PAGES[match.view_name]
    if match.view_name in ("admin:login", "admin:logout"):
        return ("GET", "special")
    found = ADMIN_PAGES.match(path)
    if found is None:
        return None
    model = admin_model(found["app"], found["model"])
    if model is None:
        return None
    return ("GET", "model")


def admin_model(app_label: str, model_name: str):
    for model in admin.site._registry:
        if model._meta.app_label == app_label and model._meta.model_name == model_name:
            return model
    return None


def admin_expectation(path: str, match, superuser) -> tuple[str, str]:
    """The admin role's expected status from the model admin's own permission hooks."""
    found = ADMIN_PAGES.match(path)
    model = admin_model(found["app"], found["model"])
    model_admin = admin.site._registry[model]
    request = RequestFactory().get(path)
    request.user = superuser
    obj = model._default_manager.order_by("pk").first()
    if found["page"] == "add":
        return ("add", "200" if model_admin.has_add_permission(request) else "403")
    if found["objpage"] is None and found["custom"] is None:
        if path.endswith("/x/"):
            return ("redirect", "302")
        return ("changelist", "200" if model_admin.has_view_or_change_permission(request) else "403")
    if found["custom"]:
        return ("custom", "custom")
    if found["objpage"] == "delete":
        allowed = model_admin.has_delete_permission(request, obj)
    else:
        allowed = model_admin.has_view_or_change_permission(request, obj)
    if not allowed:
        return (found["objpage"], "403")
    # No object of the model in the data: the admin says "does not exist" on its index page.
    return (found["objpage"], "200" if obj is not None else "302")


def admin_paths(world) -> list[tuple[str, str, object]]:
    """Every admin URL of the walk with a real object id where it needs one."""
    result = []
    for path in concrete_paths():
        match = resolve(path)
        rule = admin_rule(path, match)
        if rule is None:
            continue
        real = path
        found = ADMIN_PAGES.match(path)
        if found and rule[1] == "model":
            model = admin_model(found["app"], found["model"])
            obj = model._default_manager.order_by("pk").first()
            pk = str(obj.pk) if obj is not None else "999999"
            real = re.sub(r"/x/", f"/{pk}/", path)
            if found["custom"]:
                real = re.sub(r"/\d+/(\w+)/$", rf"/{pk}/\1/", path)
        result.append((path, real, match))
    return result


@pytest.mark.parametrize("role", ROLES)
def test_admin_site(client, world, role):
    """Only administrators get into the admin; they get every registered model's pages."""
    login_as(client, world, role)
    superuser = world["cast"]["admin"]
    wrong = []
    checked = 0
    for path, real, match in admin_paths(world):
        response = request_in_savepoint(client, "GET", real, {})
        got = status_of(response)
        if match.view_name == "admin:login":
            expected = "302" if role == "admin" else "200"
        elif match.view_name == "admin:logout":
            # Logging out is a POST; the admin sends others to its index (and from there to the login).
            expected = "405" if role == "admin" else "302"
        elif role != "admin":
            expected = "login"
            if got == "login" and not response["Location"].startswith("/admin/login/?next="):
                wrong.append(f"{real}: sent to {response['Location']}, not the admin login")
        elif match.view_name in ADMIN_SITE_PAGES:
            expected = ADMIN_SITE_PAGES[match.view_name][1]
        else:
            kind, expected = admin_expectation(path, match, superuser)
            if kind == "custom":
                expected = got if got in ("200", "302", "405") else "200, 302 or 405"
        checked += 1
        if got != expected:
            wrong.append(f"GET {real} ({match.view_name}): expected {expected}, got {got}")
    assert checked > 100
    assert not wrong, f"{role}:\n  " + "\n  ".join(wrong)


def test_read_only_admin_models_stay_read_only(client, world):
    """The audit trail and the reviews cannot be added, changed or deleted, even by an administrator."""
    from approvals.models import Review
    from audit.models import AuditEvent

    client.force_login(world["cast"]["admin"])
    event = AuditEvent.objects.order_by("pk").first()
    review = Review.objects.order_by("pk").first()
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    assert client.get(f"/admin/approvals/review/{review.pk}/delete/").status_code == 403
    page = client.get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"verb": "forged"})
    assert response.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).verb == event.verb


def test_matrix_names_every_role_and_the_users_exist(world):
    User = get_user_model()
    assert set(world["cast"]) | {"anonymous"} == set(ROLES)
    assert User.objects.filter(username__in=[u.username for u in world["cast"].values()]).count() == 6
