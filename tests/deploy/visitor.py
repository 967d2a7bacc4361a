"""A visitor of the deployed site over real HTTP: one keep-alive connection with its
cookies, like a browser tab, and the admin's forms filled in as a browser submits them."""

import http.client
import ssl
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from bench.admin_form import FormFields, csrf_token


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Visitor:
    """Requests to 127.0.0.1:``port`` named as localhost, from the loopback address
    ``source``; over TLS without checking the test's self-signed certificate. ``scheme`` is
    what the browser sees, where a proxy in front terminates TLS."""

    def __init__(self, port: int, tls=False, source=None, headers=None, scheme=None):
        self.origin = f"{scheme or ('https' if tls else 'http')}://localhost:{port}"
        self.cookies = SimpleCookie()
        self.headers = {"Host": f"localhost:{port}", **(headers or {})}
        source_address = (source, 0) if source else None
        if tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            self.connection = http.client.HTTPSConnection(
                "127.0.0.1", port, timeout=30, source_address=source_address, context=context
            )
        else:
            self.connection = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=30, source_address=source_address
            )

    def request(self, method: str, path: str, body: str | None = None, **headers) -> Response:
        headers = {**self.headers, **headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
        try:
            response, content = self.send(method, path, body, headers)
        except (ConnectionResetError, BrokenPipeError):
            # The server closed the kept-alive connection as the request left: a browser
            # asks again on a new one, and so does this.
            response, content = self.send(method, path, body, headers)
        for value in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(value)
        return Response(response.status, response.headers, content)

    def send(self, method, path, body, headers):
        """One request and its response on the open connection, or on a new one."""
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            return response, response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # a new connection for the next request
            raise

    def get(self, path: str, **headers) -> Response:
        return self.request("GET", path, **headers)

    def post(self, path: str, fields) -> Response:
        return self.request("POST", path, urlencode(fields))

    def log_in(self, username: str, password: str) -> Response:
        page = self.get("/admin/login/").text
        fields = {"csrfmiddlewaretoken": csrf_token(page), "username": username}
        return self.post("/admin/login/?next=/admin/", {**fields, "password": password})

    def save_event(self, pk: int, **changes) -> Response:
        return self.save_in_admin("event", pk, **changes)

    def save_in_admin(self, model: str, pk: int, **changes) -> Response:
        """Open the admin's change form of a timeline ``model`` (its model name: "event",
        "theme", …), change ``changes`` (form field names, inlines' included), save it."""
        url = f"/admin/timeline/{model}/{pk}/change/"
        page = self.get(url).text
        fields = FormFields(page.split(f'id="{model}_form"', 1)[1]).fields
        fields = [(name, changes.get(name, value)) for name, value in fields]
        return self.post(url, [*fields, ("_save", "Save")])
