"""The Open Referral UK 3.0 read API at /openreferral/ (public by decision: published services only)."""

from django.urls import path

from liaison.directory import oruk_api

app_name = "openreferral"
urlpatterns = [
    path("", oruk_api.api_details, name="oruk_api_details"),
    path("services", oruk_api.services, name="oruk_services"),
    path("services/<str:pk>", oruk_api.service_detail, name="oruk_service"),
    path("service_at_locations", oruk_api.service_at_locations, name="oruk_service_at_locations"),
    path(
        "service_at_locations/<str:pk>", oruk_api.service_at_location_detail, name="oruk_service_at_location"
    ),
    path("taxonomies", oruk_api.taxonomies, name="oruk_taxonomies"),
    path("taxonomies/<str:pk>", oruk_api.taxonomy_detail, name="oruk_taxonomy"),
    path("taxonomy_terms", oruk_api.taxonomy_terms, name="oruk_taxonomy_terms"),
    path("taxonomy_terms/<str:pk>", oruk_api.taxonomy_term_detail, name="oruk_taxonomy_term"),
]
