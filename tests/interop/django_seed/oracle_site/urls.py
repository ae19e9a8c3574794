"""The seed's API routes (oracle/views.py)."""

from django.urls import path
from oracle import views

urlpatterns = [
    path("api/providers/", views.providers),
    path("api/providers/<str:ident>/models/", views.provider_models),
    path("api/providers/<str:ident>/active-model/", views.active_model),
    path("api/select/", views.select),
]
