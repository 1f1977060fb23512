from django.urls import path

from samen.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("csv/<str:key>/", views.metric_csv, name="metric_csv"),
    path("report/", views.report_page, name="report"),
    path("report/pdf/", views.report_pdf, name="report_pdf"),
    path("scan/", views.scan_page, name="scan"),
    path("scan/results/", views.scan_results, name="scan_results"),
    path("scan/results/csv/", views.scan_results_csv, name="scan_results_csv"),
    path("scan/rounds/", views.scan_rounds, name="scan_rounds"),
]
