from django.urls import path

from . import views

app_name = "trace"
urlpatterns = [
    path("trace/genealogy/", views.genealogy_page, name="genealogy"),
    path("trace/suggest/", views.suggest, name="suggest"),
    path("trace/recall/notices/", views.recall_notices, name="recall_notices"),
    path("trace/recall/", views.recall_page, name="recall"),
    path("trace/recall/report.<str:fmt>", views.recall_scope_report, name="recall_scope_report"),
    path("trace/recall/<int:pk>/", views.recall_detail, name="recall_detail"),
    path("trace/recall/<int:pk>/report.<str:fmt>", views.recall_report, name="recall_report"),
]
