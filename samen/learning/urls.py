from django.urls import path

from samen.learning import views

app_name = "learning"

urlpatterns = [
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session, name="session"),
    path("sessions/<int:pk>/invite.ics", views.session_ics, name="session_ics"),
    path("courses/", views.courses, name="courses"),
    path("champions/", views.champions, name="champions"),
]
