from django.urls import path

from . import views

app_name = "mes"
urlpatterns = [
    path("mes/orders/", views.order_list, name="orders"),
    path("mes/orders/<int:pk>/", views.order_detail, name="order"),
]
