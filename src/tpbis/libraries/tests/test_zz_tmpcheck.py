import pytest
from tpbis.regions.models import Region

@pytest.mark.django_db(transaction=True)
def test_regions_still_there() -> None:
    assert Region.objects.filter(code="35.24.01.2001").exists()
