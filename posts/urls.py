from django.urls import path

from . import views

app_name = "posts"

urlpatterns = [
    path("", views.post_list, name="list"),
    path("new/", views.post_create, name="create"),
    path("check/", views.post_check, name="check"),
    path("<int:pk>/", views.post_detail, name="detail"),
    path("<int:pk>/edit/", views.post_edit, name="edit"),
    path("<int:pk>/check/", views.post_check, name="check_post"),
    path("<int:pk>/autosave/", views.post_autosave, name="autosave"),
    path("<int:pk>/submit/", views.post_submit, name="submit"),
    path("<int:pk>/reschedule/", views.post_reschedule, name="reschedule"),
    path("<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("<int:pk>/revisions/", views.post_revisions, name="revisions"),
    path("media/<int:pk>/", views.media_file, name="media"),
    path("media/<int:pk>/thumbnail/", views.media_thumbnail, name="media_thumbnail"),
    path("media/<int:pk>/captions/", views.media_captions, name="media_captions"),
    path("media/public/<str:token>/", views.media_public, name="media_public"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/feed/renew/", views.calendar_feed_renew, name="calendar_feed_renew"),
    path("calendar/feed/revoke/", views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
