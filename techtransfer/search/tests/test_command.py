from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from techtransfer.search.api import search
from techtransfer.search.models import SearchDocument
from techtransfer.testing import Personas, make_achievement


class TestRebuildSearchIndex:
    def test_it_indexes_every_achievement_and_draws_a_progress_bar_on_stderr(self, p: Personas) -> None:
        # Created without running the after-commit jobs, as a bulk loader with JOBS_BACKEND=off would.
        drafts = [make_achievement(p, attach=False, name=f"肺结节辅助诊断系统{n}") for n in range(3)]
        assert not SearchDocument.objects.exists()
        out, err = StringIO(), StringIO()
        call_command("rebuild_search_index", "--kind", "achievement", stdout=out, stderr=err)
        assert "achievement [" + "#" * 30 + "] 3/3 100%" in err.getvalue()
        assert "\x1b[" not in err.getvalue()  # plain text, no colour codes
        assert "achievement: indexed 3" in out.getvalue()
        assert set(SearchDocument.objects.values_list("object_id", flat=True)) == {a.pk for a in drafts}
        assert search("肺结节", kind="achievement", public_only=False).total == 3

    @pytest.mark.django_db
    def test_it_refuses_an_unknown_kind(self) -> None:
        with pytest.raises(CommandError, match="Unknown kind widget; the indexed kinds are achievement"):
            call_command("rebuild_search_index", "--kind", "widget", stdout=StringIO(), stderr=StringIO())
