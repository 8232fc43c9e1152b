from django.urls import path

from liaison.rights.views import corrections, retention, subject_access

# Addresses carry record ids only: never a name, NHS number or date of birth.
urlpatterns = [
    path("subject-access", subject_access.sar_list, name="sar_list"),
    path("people/<int:pk>/subject-access/new", subject_access.sar_new, name="sar_new"),
    path("subject-access/<int:pk>", subject_access.sar_detail, name="sar_detail"),
    path("subject-access/<int:pk>/extend", subject_access.sar_extend, name="sar_extend"),
    path("subject-access/<int:pk>/export", subject_access.sar_export, name="sar_export"),
    path("people/<int:pk>/history", corrections.person_history, name="person_history"),
    path("people/<int:pk>/corrections/new", corrections.person_correction_new, name="person_correction_new"),
    path("people/<int:pk>/disputes/new", corrections.person_dispute_new, name="person_dispute_new"),
    path(
        "people/<int:pk>/disputes/<int:dispute_pk>/resolve",
        corrections.person_dispute_resolve,
        name="person_dispute_resolve",
    ),
    path("retention", retention.retention_list, name="retention_list"),
    path("people/<int:pk>/retention/propose", retention.destruction_propose_view, name="destruction_propose"),
    path("retention/proposals/<int:pk>", retention.destruction_detail, name="destruction_detail"),
    path(
        "retention/proposals/<int:pk>/approve", retention.destruction_approve_view, name="destruction_approve"
    ),
    path("retention/proposals/<int:pk>/reject", retention.destruction_reject_view, name="destruction_reject"),
    path("people/<int:pk>/legal-holds/new", retention.legal_hold_new, name="legal_hold_new"),
    path(
        "people/<int:pk>/legal-holds/<int:hold_pk>/lift",
        retention.legal_hold_lift_view,
        name="legal_hold_lift",
    ),
]
