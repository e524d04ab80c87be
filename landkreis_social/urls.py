from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from accounts import views as accounts_views

from . import theme, views

admin.site.site_header = "Landkreis Social"
admin.site.site_title = "Landkreis Social"

# Bookmarks of the administration from before issue 13 moved these models to the audit and channels apps.
OLD_ADMIN_PAGES = [
    re_path(
        rf"^admin/{old}/(?P<model>{models})/(?P<rest>.*)$",
        RedirectView.as_view(url=f"/admin/{new}/%(model)s/%(rest)s", permanent=False, query_string=True),
    )
    for old, new, models in (
        ("publishing", "channels", "channel|rolloutphase|sandboxpost"),
        ("approvals", "audit", "auditevent"),
        ("approvals", "notifications", "notification"),
    )
]

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("theme.css", theme.theme_view, name="theme_css"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/login/", accounts_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("posts/", include("posts.urls")),
    path("approvals/", include("approvals.urls")),
    path("etiquette/", include("etiquette.urls")),
    path("netiquette/", include("etiquette.netiquette_urls")),
    path("publishing/", include("publishing.urls")),
    path("reports/", include("reports.urls")),
    path("inbox/", include("inbox.urls")),
    path("api/v1/", include("integrations.api.urls")),
    path("integrations/", include("integrations.urls")),
    *OLD_ADMIN_PAGES,
    path("admin/", admin.site.urls),
]
