app_name = "coupons"
urlpatterns = []
