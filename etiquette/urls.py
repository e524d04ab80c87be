app_name = "etiquette"

urlpatterns = []
