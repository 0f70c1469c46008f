import pytest

from techtransfer.matchmaking.tests.helpers import World, make_world
from techtransfer.testing import Personas


@pytest.fixture
def w(p: Personas) -> World:
    """A published demand and achievement with their parties, a broker and a rival (see helpers.World)."""
    return make_world(p)
