"""The API's OpenAPI schema: served, browsable with files we serve, and the
same as the committed openapi.yaml (regenerate with `make schema`)."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_schema_is_the_codes_schema(tmp_path, db):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn")
    assert generated.read_text() == (ROOT / "openapi.yaml").read_text(), "run `make schema` and commit openapi.yaml"


def test_the_schema_is_openapi_3_1(client, clerk):
    client.force_login(clerk)
    answer = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert answer.status_code == 200
    assert answer.json()["openapi"] == "3.1.0"


@pytest.mark.parametrize("page", ["/api/schema/swagger/", "/api/schema/redoc/"])
def test_the_browsable_pages_load_only_our_own_files(client, clerk, page):
    client.force_login(clerk)
    answer = client.get(page)
    assert answer.status_code == 200
    html = answer.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(not re.match(r"(https?:)?//", source) for source in sources), sources
    assert any("/static/drf_spectacular_sidecar/" in source for source in sources)
