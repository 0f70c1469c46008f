"""Server-rendered pages of deals: the unit's (views.deals), the public publicity notices (views.public) and the
income distribution (views.rewards, helper C's)."""
