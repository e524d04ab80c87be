from django.urls import path

from . import views

app_name = "publishing"

urlpatterns = [
    path("rollout/", views.rollout, name="rollout"),
    path("rollout/<int:pk>/activate/", views.rollout_activate, name="rollout_activate"),
    path("sandbox/", views.sandbox_feed, name="sandbox"),
    path("sandbox/<int:pk>/", views.sandbox_post, name="sandbox_post"),
]
