from django.urls import include, path

from liaison.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    # The API and Open Referral come first: every API call would otherwise try each page's pattern
    # before its own (no page's path starts with either prefix).
    path("api/v1/", include("liaison.api.urls")),
    path("openreferral/", include("liaison.directory.oruk_urls")),
    path("", include("liaison.core.urls")),
    path("", include("liaison.people.urls")),
    path("", include("liaison.episodes.urls")),
    path("", include("liaison.identification.urls")),
    path("", include("liaison.screening.urls")),
    path("", include("liaison.assessment.urls")),
    path("", include("liaison.rights.urls")),
    path("", include("liaison.monitoring.urls")),
    path("", include("liaison.partners.urls")),
    path("", include("liaison.matching.urls")),
    path("", include("liaison.directory.urls")),
    path("", include("liaison.referrals.urls")),
    path("", include("liaison.support.urls")),
    path("", include("liaison.outreach.urls")),
    path("", include("liaison.advice.urls")),
    path("", include("liaison.consent.urls")),
    path("", include("liaison.reports.urls")),
    path("", include("liaison.training.urls")),
    path("", include("liaison.outcomes.urls")),
]
