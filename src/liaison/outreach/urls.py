from django.urls import path

from liaison.outreach import views

urlpatterns = [
    path("team/engagement", views.team_engagement, name="team_engagement"),
]
