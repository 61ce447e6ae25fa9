from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("warnings/", views.alert_list, name="list"),
    path("warnings/export/", views.export, name="export"),
    path("warnings/acknowledge/", views.acknowledge_selected, name="acknowledge-selected"),
    path("warnings/<int:pk>/", views.alert_detail, name="detail"),
    path("warnings/<int:pk>/assign/", views.assign, name="assign"),
    path("warnings/<int:pk>/supervise/", views.supervise, name="supervise"),
    path("warnings/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("warnings/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("warnings/<int:pk>/note/", views.note, name="note"),
    path("warnings/rules/", views.rule_list, name="rules"),
    path("warnings/rules/<int:pk>/", views.rule_edit, name="rule-edit"),
]
