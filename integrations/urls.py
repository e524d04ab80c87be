from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:pk>/preview/", views.template_preview, name="template_preview"),
    path("templates/<int:pk>/auto-approve/", views.template_auto_approve, name="template_auto_approve"),
]
