from django.urls import path

from liaison.people import views

urlpatterns = [
    path("people/search", views.person_search, name="person_search"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit", views.person_edit, name="person_edit"),
    path("people/<int:pk>/contacts/new", views.person_contact_new, name="person_contact_new"),
    path(
        "people/<int:pk>/contacts/<int:contact_pk>/remove",
        views.person_contact_delete,
        name="person_contact_remove",
    ),
    path("people/<int:pk>/aliases/new", views.person_alias_new, name="person_alias_new"),
    path(
        "people/<int:pk>/aliases/<int:alias_pk>/remove", views.person_alias_delete, name="person_alias_remove"
    ),
    path("people/<int:pk>/audit", views.person_audit, name="person_audit"),
]
