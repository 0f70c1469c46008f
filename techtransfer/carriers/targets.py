"""The plans' targets for the number of firms in incubation, as dated rows (carriers.models.IncubationTarget).

Loaded after every migrate, as the code tables are (core.apps): a missing row is added, an existing one is left
as the commission may have corrected it in the admin. A later plan adds a row with its own date.
"""

from __future__ import annotations

import datetime
from typing import Any

TARGETS = [
    {
        "valid_from": datetime.date(2016, 1, 1),
        "firms": 10000,
        # The seed's section 三 (domain-spec §7); the period is the 13th five-year plan, 2016–2020.
        "source": "京政办发〔2016〕50号：“十三五”时期各类孵化机构在孵企业数量超过10000家",
        "confirmed": True,
    },
]


def targets_load(**kwargs: Any) -> None:
    """post_migrate: add the targets the database lacks."""
    from techtransfer.carriers.models import IncubationTarget

    for target in TARGETS:
        IncubationTarget.objects.get_or_create(
            valid_from=target["valid_from"],
            defaults={k: v for k, v in target.items() if k != "valid_from"},
        )
