from django.urls import path

from liaison.advice import views

urlpatterns = [
    path("advice/", views.worklist, name="advice_worklist"),
    path("episodes/<int:pk>/advice/new", views.advice_new, name="advice_new"),
    path("advice/<int:pk>/", views.advice_detail, name="advice_detail"),
    path("advice/<int:pk>/allocate", views.advice_reallocate, name="advice_reallocate"),
    path("advice/<int:pk>/actions", views.advice_action, name="advice_action"),
    path("advice/<int:pk>/outcomes", views.advice_outcome, name="advice_outcome"),
    path("advice/<int:pk>/duty-to-refer", views.advice_duty_to_refer, name="advice_duty_to_refer"),
    path("advice/<int:pk>/close", views.advice_close, name="advice_close"),
]
