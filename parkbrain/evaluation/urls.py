from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("evaluation/", views.results, name="results"),
    path("evaluation/act/", views.act, name="act"),
    path("evaluation/export/", views.export, name="export"),
    path("evaluation/policy/", views.policy, name="policy"),
    path("evaluation/enterprise/<int:pk>/", views.enterprise, name="enterprise"),
    path("evaluation/results/<int:pk>/grade/", views.override, name="override"),
    path("evaluation/results/<int:pk>/objections/", views.object_to, name="object"),
    path("evaluation/objections/<int:pk>/answer/", views.answer, name="answer"),
]
