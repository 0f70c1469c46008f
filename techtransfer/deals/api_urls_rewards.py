"""Income-distribution routes under /api/v1/ (included through deals/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from techtransfer.api.routing import method_route
from techtransfer.deals import api_rewards as api

urlpatterns: list[URLPattern | URLResolver] = [
    path("reward-plans/", method_route(get=api.PlanListApi, post=api.PlanCreateApi), name="reward-plans"),
    path("reward-plans/<int:pk>/", method_route(get=api.PlanDetailApi, patch=api.PlanUpdateApi), name="reward-plan"),
    path("reward-plans/<int:pk>/costs/", api.CostCreateApi.as_view(), name="reward-plan-costs"),
    path("reward-plans/<int:pk>/costs/<int:cost_pk>/", api.CostDeleteApi.as_view(), name="reward-plan-cost"),
    path("reward-plans/<int:pk>/allocations/", api.AllocationCreateApi.as_view(), name="reward-plan-allocations"),
    path("reward-plans/<int:pk>/allocations/<int:allocation_pk>/",
         method_route(patch=api.AllocationUpdateApi, delete=api.AllocationDeleteApi), name="reward-plan-allocation"),
    path("reward-plans/<int:pk>/allocations/<int:allocation_pk>/payments/", api.PaymentCreateApi.as_view(),
         name="reward-plan-payments"),
    *api.STEP_ROUTES,
    path("mobility/", method_route(get=api.MobilityListApi, post=api.MobilityCreateApi), name="mobility"),
    path("mobility/<int:pk>/",
         method_route(get=api.MobilityDetailApi, patch=api.MobilityUpdateApi, delete=api.MobilityDeleteApi),
         name="mobility-record"),
]
