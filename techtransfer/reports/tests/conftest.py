import pytest

from techtransfer.reports.tests.factories import World, make_world


@pytest.fixture
def w(db: None) -> World:
    return make_world()
