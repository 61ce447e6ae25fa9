from django.urls import path

from . import views

app_name = "trace"
urlpatterns = [path("trace/genealogy/", views.genealogy_page, name="genealogy")]
