from techtransfer.deals.api_urls_deals import urlpatterns as deal_urls
from techtransfer.deals.api_urls_rewards import urlpatterns as reward_urls

urlpatterns = deal_urls + reward_urls
