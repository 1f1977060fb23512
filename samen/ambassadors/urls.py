from django.urls import path

from samen.ambassadors import views

app_name = "ambassadors"

urlpatterns = [
    path("guidelines/", views.guidelines, name="guidelines"),
    path("guidelines/history/", views.guidelines_history, name="guidelines_history"),
    path("guidelines/manage/", views.guidelines_manage, name="guidelines_manage"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/<slug:network>/", views.privacy_guide, name="privacy_guide"),
    path("privacy/<slug:network>/edit/", views.privacy_guide_edit, name="privacy_guide_edit"),
    path("hub/", views.hub, name="hub"),
    path("hub/manage/", views.hub_manage, name="hub_manage"),
    path("hub/<int:pk>/", views.hub_item, name="hub_item"),
    path("hub/<int:pk>/share/", views.share, name="share"),
    path("preferences/", views.preferences, name="preferences"),
    path("s/<str:code>", views.short_link, name="short"),
]
