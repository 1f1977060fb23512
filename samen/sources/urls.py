from django.urls import path

from samen.sources import views

app_name = "sources"

urlpatterns = [
    path("", views.accounts, name="accounts"),
    path("<int:pk>/", views.account, name="account"),
    path("<int:pk>/pause/", views.account_pause, name="account_pause"),
    path("<int:pk>/remove/", views.account_remove, name="account_remove"),
    path("streams/<int:pk>/remove/", views.stream_remove, name="stream_remove"),
]
