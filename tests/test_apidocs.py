"""/docs and /redoc load everything from this service (the browser test also drives them)."""

import re

import pytest

ADDRESS = re.compile(r"""(?:src|href|url|spec-url)\s*[=:]\s*['"]([^'"]+)['"]""")


@pytest.fixture(params=["/docs", "/redoc"])
def page(request, client):
    response = client.get(request.param)
    assert response.status_code == 200
    return response


def test_the_docs_pages_name_only_this_origin(client, page):
    addresses = ADDRESS.findall(page.text)
    assert addresses, "no script or style found on the page"
    for address in addresses:
        assert address.startswith("/"), address
        assert client.get(address).status_code == 200, address
    assert "img-src 'self'" in page.headers["content-security-policy"]


def test_redocs_script_asks_no_cdn_for_its_logo(client):
    script = client.get("/docs-assets/redoc.standalone.js")
    assert script.status_code == 200 and len(script.content) > 500_000
    assert b"cdn.redoc.ly" not in script.content
