import pytest

from techtransfer.testing import Personas, make_personas


@pytest.fixture
def p(db: None) -> Personas:
    """The named personas (see techtransfer.testing.Personas)."""
    return make_personas()
