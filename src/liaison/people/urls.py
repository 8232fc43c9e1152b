from django.urls import path

from liaison.people import views

urlpatterns = [
    path("people/search", views.person_search, name="person_search"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/audit", views.person_audit, name="person_audit"),
]
