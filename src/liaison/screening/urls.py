from django.urls import path

from liaison.screening import views

urlpatterns = [
    path("episodes/<int:pk>/screenings/new", views.screening_new, name="screening_new"),
    path("screenings/<int:pk>/", views.screening_detail, name="screening_detail"),
    path("screenings/<int:pk>/answers", views.screening_answers, name="screening_answers"),
    path("screenings/<int:pk>/acknowledge", views.screening_acknowledge, name="screening_acknowledge"),
]
