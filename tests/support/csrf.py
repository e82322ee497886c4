"""A client of an app with CSRF protection on, signed in through the real login form."""

import re

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def signed_in_with_csrf(app_factory, username, password="secret-pass-1"):
    """(app, client): the app checks CSRF tokens; the client signed in with the login page's token,
    so a later POST without a token fails for that reason alone."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    data = {"username": username, "password": password, "csrf_token": token}
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return app, client
