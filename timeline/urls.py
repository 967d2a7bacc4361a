from django.urls import path

from . import views

app_name = "timeline"

urlpatterns = [
    path("", views.index, name="index"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("essays/", views.essay_list, name="essay_list"),
    path("essays/<slug:slug>/", views.essay_detail, name="essay_detail"),
    path("export/events.json", views.export_events_json, name="export_events_json"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
