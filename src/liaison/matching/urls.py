from django.urls import path

from liaison.matching import views

urlpatterns = [
    path("duplicates", views.duplicate_queue_page, name="duplicate_queue"),
    path("duplicates/<int:pk>/", views.duplicate_pair_page, name="duplicate_pair"),
    path("duplicates/<int:pk>/merge", views.duplicate_pair_merge, name="duplicate_pair_merge"),
    path("people/<int:pk>/merged", views.person_merged_page, name="person_merged"),
    path("people/<int:pk>/merges/<int:merge_pk>/undo", views.person_unmerge_page, name="person_unmerge"),
]
