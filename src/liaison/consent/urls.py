from django.urls import path

from liaison.consent import views

app_name = "consent"

urlpatterns = [
    path("people/<int:pk>/consent/", views.person_consent, name="person_consent"),
    path("people/<int:pk>/consent/record", views.consent_record, name="consent_record"),
    path(
        "people/<int:pk>/consent/<int:consent_id>/withdraw", views.consent_withdraw, name="consent_withdraw"
    ),
    path("people/<int:pk>/consent/basis/new", views.basis_new, name="basis_new"),
    path("people/<int:pk>/disclosures/", views.person_disclosures, name="person_disclosures"),
    path("consent/requests/", views.basis_queue, name="basis_queue"),
    path("consent/requests/<int:pk>/decide", views.basis_decide, name="basis_decide"),
]
