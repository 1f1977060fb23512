import random

import pytest

from samen.core.ids import among, exactly, one_of
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
    assert "pk__gte" in str(dense) and "pk__gte" not in str(spread)


def test_one_of_finds_exactly_the_rows_whose_value_is_listed():
    posts = [PostFactory() for _ in range(6)]
    pks = [p.pk for p in posts]
    for wanted in ([pks[0], pks[3]], [pks[5], pks[5], pks[1]], [], pks):
        assert set(Post.objects.filter(one_of("pk", wanted)).values_list("pk", flat=True)) == \
            set(wanted)
    ext = [posts[2].external_id, posts[4].external_id, "not-stored"]
    assert set(Post.objects.filter(one_of("external_id", ext)).values_list("pk", flat=True)) \
        == {pks[2], pks[4]}


def test_one_of_takes_hostile_strings_as_data():
    hostile = ['x") OR 1=1 --', "'; DROP TABLE sources_post; --", '"]', "\\", "é\u2028ü",
               "<script>alert(1)</script>"]
    stored = {PostFactory(external_id=value).pk for value in hostile[:3]}
    other = PostFactory(external_id="plain").pk
    found = set(Post.objects.filter(one_of("external_id", hostile)).values_list("pk", flat=True))
    assert found == stored
    assert Post.objects.filter(pk=other).exists()


def test_one_of_is_not_bound_by_the_databases_parameter_limits():
    # SQLite allows at most 32,766 parameters in a statement (999 before 3.32), PostgreSQL
    # 65,535; the list is one parameter.
    pk = PostFactory().pk
    many = [*range(pk + 1, pk + 70_001), pk]
    assert list(Post.objects.filter(one_of("pk", many)).values_list("pk", flat=True)) == [pk]


def test_one_of_refuses_values_it_would_compare_wrongly():
    with pytest.raises(TypeError, match="ints or strings"):
        list(Post.objects.filter(one_of("pk", [1, 2.5])))


def test_exactly_finds_the_ids_asked_for_and_no_other():
    pks = sorted(PostFactory().pk for _ in range(10))
    rng = random.Random(4)
    cases = [set(pks[2:7]), {pks[0], pks[9]}, set(pks), {pks[4]}, set()]
    cases += [set(rng.sample(pks, rng.randint(1, 10))) for _ in range(20)]
    for wanted in cases:
        assert set(Post.objects.filter(exactly("pk", wanted)).values_list("pk", flat=True)) \
            == wanted
        # counted in the database, as the insights rollups count a batch
        assert Post.objects.filter(exactly("pk", list(wanted) * 2)).count() == len(wanted)
    assert "pk__gte" in str(exactly("pk", pks[2:7]))
    assert "pk__gte" not in str(exactly("pk", [pks[0], pks[9]]))
