app_name = "together"
urlpatterns = []
