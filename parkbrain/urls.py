from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from parkbrain.api import api
from parkbrain.registry import accounts
from parkbrain.registry import views as registry_views

urlpatterns = [
    path("", registry_views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("parkbrain.registry.urls")),
    path("", include("parkbrain.notifications.urls")),
    path("", include("parkbrain.reporting.urls")),
    path("", include("parkbrain.cockpit.urls")),
    path("", include("parkbrain.evaluation.urls")),
    path("", include("parkbrain.monitoring.urls")),
    path("", include("parkbrain.trace.urls")),
    path("", include("parkbrain.mes.urls")),
    path("", include("parkbrain.jobs.urls")),
]
