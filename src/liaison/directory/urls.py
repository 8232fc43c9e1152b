from django.urls import path

from liaison.directory import match_views, views

app_name = "directory"
urlpatterns: list = [
    # The directory (ids are ORUK string ids, usually UUIDs).
    path("directory/", views.directory_list, name="service_list"),
    path("directory/services/new", views.service_new, name="service_new"),
    path("directory/services/<str:pk>/", views.service_detail, name="service_detail"),
    path("directory/services/<str:pk>/edit", views.service_edit, name="service_edit"),
    path("directory/services/<str:pk>/notes", views.local_knowledge_edit, name="local_knowledge"),
    path("directory/services/<str:pk>/contacts", views.named_contact_new, name="contact_new"),
    path(
        "directory/services/<str:pk>/contacts/<int:contact_pk>/remove",
        views.named_contact_delete,
        name="contact_remove",
    ),
    # Service matching (helper B).
    path("episodes/<int:pk>/needs/<str:need_key>/services/", match_views.need_services, name="need_services"),
]
