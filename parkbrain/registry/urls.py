from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprises"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise"),
    path("enterprises/<int:pk>/tokens/", views.token_create, name="token-create"),
    path(
        "enterprises/<int:pk>/tokens/<int:token_id>/revoke/",
        views.token_revoke,
        name="token-revoke",
    ),
    path("zone/", views.zone_map, name="zone"),
]
