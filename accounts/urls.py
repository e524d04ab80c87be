from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("security/", views.security, name="security"),
    path("2fa/", views.verify, name="verify"),
    path("2fa/backup/", views.verify, {"backup": True}, name="verify_backup"),
    path("2fa/setup/", views.enrol, name="enrol"),
    path("2fa/backup-codes/", views.backup_codes, name="backup_codes"),
    path("2fa/backup-codes/new/", views.backup_codes_renew, name="backup_codes_renew"),
    path("2fa/off/", views.disable, name="disable"),
]
