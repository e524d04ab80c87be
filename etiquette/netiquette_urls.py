from django.urls import path

from . import netiquette_views

app_name = "netiquette"

urlpatterns = [
    path("", netiquette_views.netiquette, name="page"),
    path("versions/<int:pk>/", netiquette_views.netiquette_version, name="version"),
]
