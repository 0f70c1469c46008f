"""The deal pages (urls_deals: S8 records, publicity, objections) and the income-distribution pages
(urls_rewards: S9 reward plans, payments, mobility), under one namespace."""

from techtransfer.deals.urls_deals import urlpatterns as deal_urls
from techtransfer.deals.urls_rewards import urlpatterns as reward_urls

app_name = "deals"
urlpatterns = deal_urls + reward_urls
