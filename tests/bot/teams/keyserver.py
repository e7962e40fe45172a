"""A local stand-in for Microsoft's OpenID metadata and signing keys, which can stall, and tokens it would sign."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.fakes._http import LocalHttpServer

ISSUER = "https://api.botframework.com"  # what botbuilder's channel validation expects of a Teams token


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def signed_token(key: rsa.RSAPrivateKey, kid: str, *, app_id: str, service_url: str) -> str:
    """A Bot Framework token as Microsoft issues them for a Teams activity sent to `app_id`."""
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": app_id, "serviceurl": service_url, "nbf": now - 60, "exp": now + 3600}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


class KeyServer(LocalHttpServer):
    """`/openid` names `/keys`, which publishes one RSA key endorsed for Teams; each request can be held."""

    def __init__(self) -> None:
        super().__init__(threaded=True)  # botbuilder's own fetch blocks the test's loop: serve from another
        self.key = new_key()
        self.kid = "microsoft-key-1"
        self.stall_seconds = 0.0
        self.requests = 0
        self.answered = 0

    @property
    def metadata_url(self) -> str:
        return f"{self.origin}/openid"

    def token(self, *, app_id: str, service_url: str) -> str:
        return signed_token(self.key, self.kid, app_id=app_id, service_url=service_url)

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/openid", self._openid)
        app.router.add_get("/keys", self._keys)
        return app

    async def _answer(self, body: dict[str, Any]) -> web.Response:
        self.requests += 1
        self.notify_changed()
        await self.stall(self.stall_seconds)
        self.answered += 1
        return web.json_response(body)

    async def _openid(self, request: web.Request) -> web.Response:
        return await self._answer({"issuer": ISSUER, "jwks_uri": f"{self.origin}/keys"})

    async def _keys(self, request: web.Request) -> web.Response:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return await self._answer({"keys": [{**public, "kid": self.kid, "use": "sig", "endorsements": ["msteams"]}]})
