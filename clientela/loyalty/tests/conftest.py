import pytest
from django.contrib.contenttypes.models import ContentType


@pytest.fixture(autouse=True)
def _fresh_content_types():
    # Stand-ins for records of other modules create content types that a rolled-back test removes;
    # the cache must not hand their ids to the next test.
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()
