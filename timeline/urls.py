from django.urls import path

from .views import classroom, embed, essays, event, exports, site, timeline

app_name = "timeline"

urlpatterns = [
    path("", timeline.index, name="index"),
    path("embed/", embed.embed, name="embed"),
    path("embed/code/", embed.embed_code, name="embed_code"),
    path("oembed", embed.oembed, name="oembed"),
    path("preview.png", embed.preview_image, name="preview_image"),
    path("events/<slug:slug>/", event.event_detail, name="event_detail"),
    path("present/", classroom.present, name="present"),
    path("handout/", classroom.handout, name="handout"),
    path("essays/", essays.essay_list, name="essay_list"),
    path("essays/compare/", essays.essay_compare, name="essay_compare"),
    path("essays/matrix/", essays.essay_matrix, name="essay_matrix"),
    path("essays/<slug:slug>/", essays.essay_detail, name="essay_detail"),
    path("essays/<slug:slug>/read/", essays.essay_read, name="essay_read"),
    path("export/events.json", exports.export_events_json, name="export_events_json"),
    path("export/events.csv", exports.export_events_csv, name="export_events_csv"),
    path("export/citations.csv", exports.export_citations_csv, name="export_citations_csv"),
    path("export/events.ics", exports.export_events_ics, name="export_events_ics"),
    path("export/timelinejs.json", exports.export_timelinejs, name="export_timelinejs"),
    path("export/essays.bib", exports.export_essays_bibtex, name="export_essays_bibtex"),
    path("export/essays.csl.json", exports.export_essays_csl, name="export_essays_csl"),
    path("healthz", site.healthz, name="healthz"),
    path("robots.txt", site.robots_txt, name="robots_txt"),
    path("themes.css", site.themes_css, name="themes_css"),
]
