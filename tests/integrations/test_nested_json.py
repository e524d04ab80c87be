"""A JSON body nested deeper than Python's decoder goes (the hardening issue's RecursionError, here in
the API) is a 400 problem, not a 500."""

import pytest


@pytest.mark.parametrize("path", ["/api/v1/posts/", "/api/v1/check/"])
def test_a_deeply_nested_json_body_is_a_problem_not_a_server_error(api, make_token, path):
    response = api(make_token()).generic("POST", path, "[" * 5000, content_type="application/json")
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
