from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("csv/", views.section_csv, name="csv"),
    path("pdf/", views.period_pdf, name="pdf"),
    path("archive/<int:pk>/", views.report_download, name="report_download"),
]
