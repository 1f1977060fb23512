import pytest

from samen.core.ids import among
from samen.sources.models import Post
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_among_finds_exactly_the_ids_asked_for_once_the_caller_keeps_them():
    pks = [PostFactory().pk for _ in range(12)]
    for wanted in ({pks[0], pks[1], pks[3]}, {pks[2], pks[11]}, {pks[5]}, set(pks), set()):
        found = set(Post.objects.filter(among("pk", wanted))
                    .values_list("pk", flat=True))
        assert wanted <= found and found & wanted == wanted
        assert found <= set(pks)
    dense, spread = among("pk", {pks[0], pks[1], pks[3]}), among("pk", {pks[0], pks[11]})
    assert "pk__gte" in str(dense) and "pk__in" in str(spread)
