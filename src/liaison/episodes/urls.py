from django.urls import path

from liaison.episodes import views

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("arrivals/new", views.arrival_new, name="arrival_new"),
    path("episodes/<int:pk>/", views.episode_detail, name="episode_detail"),
    path("episodes/<int:pk>/contacts", views.episode_contact, name="episode_contact"),
    path("episodes/<int:pk>/tasks", views.episode_task, name="episode_task"),
    path("episodes/<int:pk>/tasks/<int:task_pk>/done", views.episode_task_done, name="episode_task_done"),
    path("episodes/<int:pk>/stage", views.episode_stage, name="episode_stage"),
    path("episodes/<int:pk>/reopen", views.episode_reopen_view, name="episode_reopen"),
]
