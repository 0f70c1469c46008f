"""Importing a carrier's firms: good rows saved, bad rows reported by row, column and reason, re-import idempotent."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied

from techtransfer.carriers.importing import firm_import, firm_import_template
from techtransfer.carriers.models import IncubatedFirm
from techtransfer.carriers.tests.helpers import make_carrier, uscc
from techtransfer.core.models import ImportMode
from techtransfer.testing import Personas

pytestmark = pytest.mark.django_db
HEADER = ["企业名称", "统一社会信用代码", "入驻日期", "毕业或离开日期", "状态", "技术领域"]


def csv_file(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def rows() -> list[list[str]]:
    bad = uscc(3)[:17] + ("0" if uscc(3)[17] != "0" else "1")
    return [
        ["北京云帆智能科技有限公司", uscc(1).lower(), "2023-03-01", "", "在孵", "电子信息"],      # 2 good
        ["北京青禾生物科技有限公司", uscc(2), "2021/05/06", "2024-01-31", "毕业", "biomedicine"],  # 3 good
        ["北京错码科技有限公司", bad, "2023-03-01", "", "", ""],                                  # 4 bad code
        ["", uscc(4), "2023-02-30", "", "倒闭", "不存在的领域"],                                  # 5 four problems
        ["北京先走科技有限公司", uscc(5), "2023-03-01", "", "离开", ""],                          # 6 left, no date
        ["北京云帆智能科技有限公司", uscc(1), "2023-03-01", "", "", ""],                          # 7 repeats 2
    ]


def test_good_rows_are_saved_and_every_bad_row_is_reported(p: Personas) -> None:
    carrier = make_carrier(p, listed=True)
    batch = firm_import(by=p.researcher, carrier=carrier, file=csv_file(rows()), file_name="firms.csv")
    assert (batch.total_rows, batch.created_count, batch.error_count) == (6, 2, 4)
    firm = IncubatedFirm.objects.get(uscc=uscc(2))
    assert (firm.status, firm.graduation_date, firm.field.code) == ("graduated", datetime.date(2024, 1, 31),
                                                                   "biomedicine")
    assert IncubatedFirm.objects.get(uscc=uscc(1)).status == "incubating"
    errors: dict[int, dict[str, str]] = {}
    for error in batch.errors:
        errors.setdefault(error["row"], {})[error["field"]] = error["message"]
    assert set(errors) == {4, 5, 6, 7}
    assert "check character" in errors[4]["统一社会信用代码"]
    assert set(errors[5]) == {"企业名称", "入驻日期", "状态", "技术领域"}
    assert list(errors[6]) == ["毕业或离开日期"] and "date it did so" in errors[6]["毕业或离开日期"]
    assert errors[7] == {"统一社会信用代码": "This credit code repeats row 2."}


def test_importing_again_creates_nothing_twice_and_all_or_nothing_saves_nothing(p: Personas) -> None:
    carrier = make_carrier(p, listed=True)
    content = csv_file(rows())
    firm_import(by=p.tto_officer, carrier=carrier, file=content, file_name="firms.csv")
    again = firm_import(by=p.tto_officer, carrier=carrier, file=content, file_name="firms.csv")
    assert (again.created_count, again.unchanged_count, again.error_count) == (0, 2, 4)
    assert IncubatedFirm.objects.count() == 2
    other = make_carrier(p, name="示范孵化器")
    batch = firm_import(by=p.tto_officer, carrier=other, file=content, file_name="firms.csv",
                        mode=ImportMode.ALL_OR_NOTHING)
    assert batch.nothing_saved and not IncubatedFirm.objects.filter(carrier=other).exists()


def test_the_template_is_skipped_and_strangers_cannot_import(p: Personas) -> None:
    carrier = make_carrier(p, listed=True)
    batch = firm_import(by=p.tto_officer, carrier=carrier, file=firm_import_template("csv"), file_name="t.csv")
    assert batch.created_count == 0 and batch.error_count == 0
    for user in (p.other_tto, p.outsider, p.commission_admin):
        with pytest.raises(PermissionDenied):
            firm_import(by=user, carrier=carrier, file=csv_file(rows()), file_name="firms.csv")
    assert not IncubatedFirm.objects.exists()
