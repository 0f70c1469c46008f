"""Server-rendered pages for S&T reports: the unit's reports and form, the report's page, the public list, the
commission's queue and its coverage of funded projects (views.coverage)."""
