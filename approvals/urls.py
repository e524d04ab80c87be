from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("posts/<int:pk>/", views.review, name="review"),
    path("posts/<int:pk>/approve/", views.approve, name="approve"),
    path("posts/<int:pk>/request-changes/", views.request_changes, name="request_changes"),
    path("posts/<int:pk>/reject/", views.reject, name="reject"),
    path("posts/<int:pk>/edit/", views.edit, name="edit"),
    path("posts/<int:pk>/comment/", views.comment, name="comment"),
    path("posts/<int:pk>/history/", views.history, name="history"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("autonomous/", views.autonomous, name="autonomous"),
    path("review-modes/", views.review_modes, name="review_modes"),
    path("review-modes/<int:pk>/", views.review_mode_set, name="review_mode_set"),
    path("audit/", views.audit, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
]
