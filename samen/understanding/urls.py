from django.urls import path

from samen.understanding import views

app_name = "understanding"

urlpatterns = [
    path("", views.rule_list, name="rules"),
    path("rules/new/", views.rule_new, name="rule_new"),
    path("rules/preview/", views.preview, name="preview"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("rules/<int:pk>/posts/", views.rule_posts, name="rule_posts"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/count/", views.alert_count, name="alert_count"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("settings/", views.settings_page, name="settings"),
]
