from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

urlpatterns = [
    path("posts/", views.PostListCreate.as_view(), name="posts"),
    path("posts/<int:pk>/", views.PostDetail.as_view(), name="post"),
    path("posts/<int:pk>/submit/", views.PostSubmit.as_view(), name="post_submit"),
    path("posts/<int:pk>/withdraw/", views.PostWithdraw.as_view(), name="post_withdraw"),
    path("check/", views.EtiquetteCheck.as_view(), name="check"),
    path("channels/", views.ChannelList.as_view(), name="channels"),
    path("templates/", views.TemplateList.as_view(), name="templates"),
    path("templates/<int:pk>/preview/", views.TemplatePreview.as_view(), name="template_preview"),
    path("templates/<int:pk>/posts/", views.TemplatePostCreate.as_view(), name="template_posts"),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="integrations/api_docs.html"
        ),
        name="docs",
    ),
    # Anything else under /api/v1/: a problem+json 404, not the site's HTML page.
    re_path(r"^.*$", views.NotFound.as_view(), name="not_found"),
]
