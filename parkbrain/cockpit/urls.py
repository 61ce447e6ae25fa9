from django.urls import path

from . import views

app_name = "cockpit"
urlpatterns = [
    path("cockpit/", views.dashboard, name="dashboard"),
    path("cockpit/wall/", views.wall, name="wall"),
    path("cockpit/wall/data.json", views.wall_data, name="wall-data"),
    path("cockpit/export.<str:fmt>", views.export, name="export"),
    path("cockpit/held-out/", views.held_out, name="held_out"),
    path("cockpit/targets/", views.targets, name="targets"),
    path("cockpit/firms/", views.firms, name="firms"),
    path("enterprises/<int:pk>/portrait/", views.portrait, name="portrait"),
]
