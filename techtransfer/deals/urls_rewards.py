"""The income-distribution pages (S9), in the "deals" namespace under /deals/."""

from django.urls import URLPattern, URLResolver, path

from techtransfer.deals.views import rewards as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:deal_pk>/rewards/new/", views.plan_create, name="plan_create"),
    path("rewards/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("rewards/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("rewards/<int:pk>/costs/", views.cost_add, name="cost_add"),
    path("rewards/<int:pk>/costs/<int:cost_pk>/remove/", views.cost_remove, name="cost_remove"),
    path("rewards/<int:pk>/costs/<int:cost_pk>/evidence/", views.cost_evidence, name="cost_evidence"),
    path("rewards/<int:pk>/allocations/", views.allocation_add, name="allocation_add"),
    path("rewards/<int:pk>/allocations/<int:allocation_pk>/", views.allocation_edit, name="allocation_edit"),
    path("rewards/<int:pk>/allocations/<int:allocation_pk>/remove/", views.allocation_remove,
         name="allocation_remove"),
    path("rewards/<int:pk>/allocations/<int:allocation_pk>/payments/", views.payment_add, name="payment_add"),
    path("mobility/", views.mobility_list, name="mobility_list"),
    path("mobility/new/", views.mobility_create, name="mobility_create"),
    path("mobility/<int:pk>/", views.mobility_edit, name="mobility_edit"),
    path("mobility/<int:pk>/delete/", views.mobility_delete, name="mobility_delete"),
    path("reward-rules/", views.unit_rules, name="unit_rules"),
    path("reward-rules/<int:pk>/", views.unit_rule_edit, name="unit_rule_edit"),
]
