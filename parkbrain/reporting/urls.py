from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("reports/", views.my_reports, name="mine"),
    path("reports/completeness/", views.completeness, name="completeness"),
    path("reports/template/", views.template, name="template"),
    path("reports/upload/", views.upload, name="upload"),
    path("reports/<int:pk>/", views.enterprise_reports, name="enterprise"),
    path("reports/<int:pk>/<int:year>/<int:month>/", views.report_month, name="month"),
]
