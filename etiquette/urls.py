from django.urls import path

from . import views

app_name = "etiquette"

urlpatterns = [
    path("", views.guide, name="guide"),
    path("versions/<int:pk>/", views.guide_version, name="guide_version"),
    path("acknowledge/", views.acknowledge, name="acknowledge"),
    path("training-record/", views.training_record, name="training_record"),
    path("training-record.csv", views.training_record_csv, name="training_record_csv"),
    path("check/", views.check, name="check"),
    path("try/", views.try_text, name="try"),
]
