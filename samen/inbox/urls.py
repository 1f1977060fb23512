from django.urls import path

from samen.inbox import views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox_list, name="list"),
    path("away/", views.away, name="away"),
    path("notices/", views.notices, name="notices"),
    path("approvals/", views.approvals, name="approvals"),
    path("policy/", views.policy_page, name="policy"),
    path("views/<int:pk>/delete/", views.delete_filter, name="delete_filter"),
    path("c/<int:pk>/", views.conversation, name="conversation"),
    path("c/<int:pk>/presence/", views.presence, name="presence"),
    path("c/<int:pk>/assign/", views.assign, name="assign"),
    path("c/<int:pk>/state/", views.transition, name="transition"),
    path("c/<int:pk>/priority/", views.priority, name="priority"),
    path("c/<int:pk>/note/", views.note, name="note"),
    path("c/<int:pk>/reply/", views.reply, name="reply"),
    path("replies/<int:pk>/retry/", views.retry, name="retry"),
    path("replies/<int:pk>/decide/", views.decide, name="decide"),
    path("contacts/<int:pk>/", views.contact, name="contact"),
    path("contacts/<int:pk>/merge/", views.merge, name="merge"),
    path("handles/<int:pk>/split/", views.split, name="split"),
]
