from django.urls import path

from liaison.outreach import views

urlpatterns = [
    path("team/engagement", views.team_engagement, name="team_engagement"),
    path("drop-in/", views.drop_in_list, name="drop_in_list"),
    path("drop-in/<int:pk>/", views.drop_in_detail, name="drop_in_detail"),
    path("drop-in/<int:pk>/count", views.drop_in_update, name="drop_in_update"),
    path("drop-in/<int:pk>/register", views.drop_in_attend, name="drop_in_attend"),
]
