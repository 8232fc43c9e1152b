from django.urls import path

from liaison.identification import views

urlpatterns = [
    path("arrivals/review", views.review_list, name="arrival_review"),
    path("arrivals/import", views.import_upload, name="arrival_import"),
    path("arrivals/imports/<int:pk>/", views.import_batch, name="import_batch"),
    path("arrivals/<int:pk>/", views.arrival_detail, name="arrival_detail"),
    path("arrivals/<int:pk>/reviewed", views.arrival_reviewed, name="arrival_reviewed"),
    path("arrivals/<int:pk>/flags", views.arrival_flag, name="arrival_flag"),
    path("arrivals/<int:pk>/episode", views.arrival_episode, name="arrival_episode"),
]
