"""The headers every chart probe sends (charts/probes.ts, probeHeaders) keep Django from redirecting on their own.

For an app without ProbeMiddleware: with SECURE_PROXY_SSL_HEADER set, as behind any TLS-terminating
ingress, `X-Forwarded-Proto: https` makes the plain-HTTP probe count as secure, so SECURE_SSL_REDIRECT
answers the view itself instead of a 301 that the kubelet would take for a pass.
"""
from django.test import Client

CHART_PROBE_HEADERS = {"HTTP_HOST": "shop.example.test", "HTTP_X_FORWARDED_PROTO": "https"}


def test_a_view_behind_security_middleware_is_not_redirected_for_the_probe_headers():
    client = Client()  # plain HTTP, like the kubelet
    assert client.get("/", HTTP_HOST="shop.example.test").status_code == 301  # the setup does redirect
    response = client.get("/", **CHART_PROBE_HEADERS)
    assert (response.status_code, response.content) == (200, b"home")
