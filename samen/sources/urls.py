from django.urls import path

from samen.sources import views

app_name = "sources"
urlpatterns = [
    path("", views.index, name="index"),
    path("accounts/<int:pk>/", views.account, name="account"),
    path("accounts/<int:pk>/pause/", views.pause, name="pause"),
    path("streams/<int:pk>/toggle/", views.toggle_stream, name="toggle_stream"),
]
