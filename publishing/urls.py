from django.urls import path

from channels import views as channel_views

from . import views

# The rollout and sandbox pages belong to channels; their URLs and names stay where they always were.
app_name = "publishing"

urlpatterns = [
    path("rollout/", channel_views.rollout, name="rollout"),
    path("rollout/<int:pk>/check/", channel_views.rollout_check, name="rollout_check"),
    path("rollout/<int:pk>/activate/", channel_views.rollout_activate, name="rollout_activate"),
    path("sandbox/", channel_views.sandbox_feed, name="sandbox"),
    path("sandbox/<int:pk>/", channel_views.sandbox_post, name="sandbox_post"),
    path("sandbox/<int:pk>/media/", channel_views.sandbox_media, name="sandbox_media"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
    path("deliveries/<int:pk>/published/", views.delivery_mark_published, name="delivery_mark_published"),
    path("posts/<int:pk>/withdraw/", views.post_withdraw, name="post_withdraw"),
]
