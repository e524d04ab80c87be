from django.urls import path

from . import views, webhooks

app_name = "inbox"

urlpatterns = [
    path("", views.inbox, name="list"),
    path("<int:pk>/", views.item_detail, name="item"),
    path("<int:pk>/take-over/", views.item_take_over, name="take_over"),
    path("<int:pk>/close/", views.item_close, name="close"),
    path("<int:pk>/assign/", views.item_assign, name="assign"),
    path("demo/comment/", views.demo_comment, name="demo_comment"),
    path("webhooks/meta/", webhooks.meta, name="webhook_meta"),
    path("<int:pk>/reply/", views.item_reply, name="reply"),
    path("<int:pk>/moderate/", views.item_moderate, name="moderate"),
    path("<int:pk>/escalate/", views.item_escalate, name="escalate"),
    path("<int:pk>/hand-back/", views.item_hand_back, name="hand_back"),
    path("<int:pk>/reply/check/", views.item_reply_check, name="reply_check"),
    path("replies/", views.reply_queue, name="reply_queue"),
    path("replies/<int:pk>/approve/", views.reply_approve, name="reply_approve"),
    path("replies/<int:pk>/reject/", views.reply_reject, name="reply_reject"),
    path("replies/<int:pk>/retry/", views.reply_retry, name="reply_retry"),
    path("textbausteine/", views.saved_replies, name="saved_replies"),
    path("textbausteine/neu/", views.saved_reply_create, name="saved_reply_create"),
    path("textbausteine/suche/", views.saved_reply_search, name="saved_reply_search"),
    path("textbausteine/<int:pk>/", views.saved_reply_edit, name="saved_reply_edit"),
]
