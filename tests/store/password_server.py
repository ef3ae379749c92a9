"""A loopback listener that checks a PostgreSQL password as a server does, and nothing more.

The test server here trusts every connection from 127.0.0.1 and the local socket (pg_hba.conf:
``trust``), so it never asks for a password, and the tests do not change its configuration.
A server that does ask answers a wrong password the same way whatever it holds: this listener
speaks the protocol's start (SSL and GSS requests refused, the startup message read), asks for
SCRAM-SHA-256 as PostgreSQL 14 and later do by default, checks the client's proof against the
one password it knows (RFC 5802/7677), and answers a wrong one with PostgreSQL's own error
(FATAL, SQLSTATE 28P01). libpq, through psycopg, reports it in its own words, so the bot sees
the driver's real "password authentication failed". A right password is answered with the same
refusal: the listener has no database behind it (``proofs`` says which the client sent).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import socket
import struct
import threading
from types import TracebackType

SSL_REQUEST, GSS_REQUEST, PROTOCOL_3 = 80877103, 80877104, 196608
ITERATIONS = 4096


class PasswordCheckingServer:
    """``with PasswordCheckingServer("right-pw") as server:`` listens on ``server.port``."""

    def __init__(self, password: str):
        self.password = password
        self.proofs: list[bool] = []  # for each client that got that far: was its password right?
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> PasswordCheckingServer:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._listener.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # closed: the test is over
                return
            with client:
                client.settimeout(10)
                try:
                    self._session(client)
                except (OSError, ConnectionError, struct.error):
                    continue  # the client went away; the next one may come

    def _session(self, client: socket.socket) -> None:
        while True:  # SSL and GSS encryption requests come first, each refused with one byte
            length, code = struct.unpack("!ii", _read(client, 8))
            body = _read(client, length - 8)
            if code in (SSL_REQUEST, GSS_REQUEST):
                client.sendall(b"N")
                continue
            break
        if code != PROTOCOL_3:
            return
        fields = body.split(b"\0")
        params = dict(zip(fields[0::2], fields[1::2], strict=False))
        user = params.get(b"user", b"").decode()
        client.sendall(_message(b"R", struct.pack("!i", 10) + b"SCRAM-SHA-256\0\0"))  # AuthenticationSASL
        client_first = _sasl_initial(_expect(client, b"p"))
        bare = client_first.split(",", 2)[2]  # after the GS2 header "n,,"
        nonce = dict(a.split("=", 1) for a in bare.split(","))["r"] + base64.b64encode(os.urandom(18)).decode()
        salt = os.urandom(16)
        server_first = f"r={nonce},s={base64.b64encode(salt).decode()},i={ITERATIONS}"
        client.sendall(_message(b"R", struct.pack("!i", 11) + server_first.encode()))  # SASLContinue
        client_final = _expect(client, b"p").decode()
        without_proof, _, proof = client_final.rpartition(",p=")
        self.proofs.append(self._proof_is_right(salt, f"{bare},{server_first},{without_proof}", proof))
        client.sendall(_message(b"E", b"".join(
            key + value.encode() + b"\0" for key, value in (
                (b"S", "FATAL"), (b"V", "FATAL"), (b"C", "28P01"),
                (b"M", f'password authentication failed for user "{user}"'), (b"R", "auth_failed"))) + b"\0"))

    def _proof_is_right(self, salt: bytes, auth_message: str, proof_b64: str) -> bool:
        """RFC 5802: the client's proof XOR its signature gives back the client key of the password."""
        salted = hashlib.pbkdf2_hmac("sha256", self.password.encode(), salt, ITERATIONS)
        client_key = hmac.digest(salted, b"Client Key", "sha256")
        signature = hmac.digest(hashlib.sha256(client_key).digest(), auth_message.encode(), "sha256")
        proof = base64.b64decode(proof_b64)
        if len(proof) != len(signature):
            return False
        return bytes(a ^ b for a, b in zip(proof, signature, strict=True)) == client_key


def _read(client: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = client.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the client closed the connection")
        data += chunk
    return data


def _expect(client: socket.socket, kind: bytes) -> bytes:
    tag = _read(client, 1)
    (length,) = struct.unpack("!i", _read(client, 4))
    body = _read(client, length - 4)
    if tag != kind:
        raise ConnectionError(f"expected a {kind!r} message, got {tag!r}")
    return body


def _sasl_initial(body: bytes) -> str:
    """SASLInitialResponse: the mechanism's name, then the client's first message (length first)."""
    rest = body.partition(b"\0")[2]
    (length,) = struct.unpack("!i", rest[:4])
    return rest[4:4 + length].decode()


def _message(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body
