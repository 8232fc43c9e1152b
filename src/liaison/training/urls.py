from django.urls import path

from liaison.training import views

app_name = "training"

urlpatterns = [
    path("training/", views.training_list, name="training_list"),
    path("training/new", views.training_new, name="training_new"),
]
