import pytest

from liaison.directory.models import TaxonomyTerm
from liaison.directory.taxonomy import ensure_needs_taxonomy, need_term_id

pytestmark = pytest.mark.django_db


def test_the_needs_taxonomy_has_a_term_per_need_and_is_idempotent():
    ensure_needs_taxonomy()
    ensure_needs_taxonomy()
    term = TaxonomyTerm.objects.get(id=need_term_id("basic:sleep_tonight"))
    assert term.code == "basic:sleep_tonight"
    assert term.name == "A safe place to sleep tonight"
    assert TaxonomyTerm.objects.filter(taxonomy_id="liaison-needs", code="housing").count() == 1
    assert TaxonomyTerm.objects.filter(taxonomy_id="liaison-needs").count() == 21
