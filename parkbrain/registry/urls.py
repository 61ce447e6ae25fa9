from django.urls import path

from . import accounts, views

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
    path("users/", accounts.account_list, name="accounts"),
    path("users/new/", accounts.account_create, name="account-create"),
    path("users/enterprises/", accounts.account_enterprise_options, name="account-enterprises"),
    path("users/<int:user_id>/", accounts.account_detail, name="account"),
    path(
        "users/<int:user_id>/password/",
        accounts.account_reset_password,
        name="account-reset-password",
    ),
    path("users/<int:user_id>/active/", accounts.account_set_active, name="account-active"),
]
