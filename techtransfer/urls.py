from django.contrib import admin
from django.urls import include, path

from techtransfer.core.views import workflow_step

# The JSON API: its own routes, then each app's (plural kebab-case resources; workflow steps are sub-paths).
API_ROUTES = [
    path("", include(module))
    for module in (
        "techtransfer.api.urls",
        "techtransfer.accounts.api_urls",
        "techtransfer.achievements.api_urls",
        "techtransfer.market.api_urls",
        "techtransfer.challenges.api_urls",
        "techtransfer.matching.api_urls",
        "techtransfer.matchmaking.api_urls",
        "techtransfer.subscriptions.api_urls",
        "techtransfer.contracts.api_urls",
        "techtransfer.stats.api_urls",
        "techtransfer.deals.api_urls",
        "techtransfer.scireports.api_urls",
        "techtransfer.reports.api_urls",
        "techtransfer.facilities.api_urls",
        "techtransfer.vouchers.api_urls",
        "techtransfer.agencies.api_urls",
        "techtransfer.ipr.api_urls",
        "techtransfer.carriers.api_urls",
        "techtransfer.talent.api_urls",
        "techtransfer.investment.api_urls",
        "techtransfer.packages.api_urls",
    )
]

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include((API_ROUTES, "api"))),
    path("admin/", admin.site.urls),
    path("steps/<slug:kind>/<int:pk>/<slug:step>/", workflow_step, name="workflow_step"),
    path("accounts/", include("techtransfer.accounts.urls")),
    path("achievements/", include("techtransfer.achievements.urls")),
    path("demands/", include("techtransfer.market.urls")),
    path("challenges/", include("techtransfer.challenges.urls")),
    path("matching/", include("techtransfer.matching.urls")),
    path("contact-requests/", include("techtransfer.matchmaking.urls")),
    path("subscriptions/", include("techtransfer.subscriptions.urls")),
    path("contracts/", include("techtransfer.contracts.urls")),
    path("stats/", include("techtransfer.stats.urls")),
    path("deals/", include("techtransfer.deals.urls")),
    path("sci-reports/", include("techtransfer.scireports.urls")),
    path("annual-reports/", include("techtransfer.reports.urls")),
    path("facilities/", include("techtransfer.facilities.urls")),
    path("vouchers/", include("techtransfer.vouchers.urls")),
    path("agencies/", include("techtransfer.agencies.urls")),
    path("ip/", include("techtransfer.ipr.urls")),
    path("carriers/", include("techtransfer.carriers.urls")),
    path("talent/", include("techtransfer.talent.urls")),
    path("investment/", include("techtransfer.investment.urls")),
    path("packages/", include("techtransfer.packages.urls")),
    path("", include("techtransfer.portal.urls")),
]

# Uploaded files are never served from MEDIA_URL, not even with DEBUG: they go out only through the
# permission-checked download routes (techtransfer/core/downloads.py).

# JSON errors under /api/, the site's pages elsewhere.
handler404 = "techtransfer.api.errors.page_not_found"
handler500 = "techtransfer.api.errors.server_error"
