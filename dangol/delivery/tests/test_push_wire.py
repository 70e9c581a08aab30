"""What goes on the wire: the aes128gcm body (RFC 8291 / RFC 8188) and the push service's HTTP/1.1 answers."""

import asyncio
import base64
import os
import socket
import threading

import http_ece
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from dangol.delivery import push
from dangol.delivery.push import push_send_many, read_answer


def unb64(value):
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


# RFC 8291 Appendix A: the worked example, every input fixed.
RFC = {
    "plaintext": b"When I grow up, I want to be a watermelon",
    "as_private": "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw",
    "ua_private": "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94",
    "ua_public": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
    "auth": "BTBZMqHH6r4Tts7J_aSIgg",
    "salt": "DGv6ra1nlYgDCS1FRnbzlw",
    "body": "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6P"
    "Bru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
}


def test_the_body_is_byte_for_byte_rfc_8291s_worked_example():
    as_private = ec.derive_private_key(int.from_bytes(unb64(RFC["as_private"]), "big"), ec.SECP256R1())
    body = push._encrypt(unb64(RFC["ua_public"]), unb64(RFC["auth"]), RFC["plaintext"], as_private, unb64(RFC["salt"]))
    assert body == unb64(RFC["body"])


def test_every_push_has_its_own_key_and_salt_and_http_ece_reads_it():
    browser = ec.generate_private_key(ec.SECP256R1())
    auth = os.urandom(16)
    p256dh = push._b64(push._point(browser))
    payload = '{"title": "햇살과일", "body": "마감 세일"}'.encode()
    first, second = push.encrypt(p256dh, push._b64(auth), payload), push.encrypt(p256dh, push._b64(auth), payload)
    assert first[:16] != second[:16]  # salt
    assert first[21:86] != second[21:86]  # the sender's one-time public key
    for body in (first, second):
        assert http_ece.decrypt(body, private_key=browser, auth_secret=auth, version="aes128gcm") == payload


def test_a_payload_too_large_for_one_record_is_refused():
    browser = push._b64(push._point(ec.generate_private_key(ec.SECP256R1())))
    with pytest.raises(ValueError):
        push.encrypt(browser, push._b64(os.urandom(16)), b"x" * 4080)


def test_an_answer_is_read_by_content_length_chunks_or_the_connections_end():
    assert read_answer(bytearray(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")) == (
        201,
        {"content-length": "0"},
        b"",
        True,
    )
    partial = bytearray(b"HTTP/1.1 410 Gone\r\nContent-Length: 7\r\n\r\nexpi")
    assert read_answer(partial) is None
    partial += b"red"
    assert read_answer(partial)[::2] == (410, b"expired")

    chunked = bytearray(b"HTTP/1.1 429 Too Many\r\nTransfer-Encoding: chunked\r\nRetry-After: 30\r\n\r\n5\r\nslow ")
    assert read_answer(chunked) is None
    chunked += b"\r\n4;x=y\r\ndown\r\n0\r\n"
    assert read_answer(chunked) is None
    chunked += b"\r\n"
    status, headers, body, keep_alive = read_answer(chunked)
    assert (status, headers["retry-after"], body, keep_alive) == (429, "30", b"slow down", True)

    unframed = bytearray(b"HTTP/1.1 500 Oops\r\nConnection: close\r\n\r\nbroken")
    assert read_answer(unframed) is None
    assert read_answer(unframed, ended=True) == (500, {"connection": "close"}, b"broken", False)

    interim = bytearray(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
    assert read_answer(interim)[0] == 201
    with pytest.raises(ValueError):
        read_answer(bytearray(b"SSH-2.0-OpenSSH\r\n\r\n"))


class _RawPushService:
    """A push service that answers each request with the next canned raw HTTP/1.1 response, then
    closes the connection when told to (as a server whose keep-alive ended). A response given as a
    list of pieces is written piece by piece with a pause between, so the client reads it in parts."""

    def __init__(self, answers, tls=None):
        self.answers, self.connections, self.requests = list(answers), 0, 0
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self.handle, "127.0.0.1", 0, ssl=tls), self.loop
        ).result()
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def handle(self, reader, writer):
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                self.requests += 1
                raw, close = self.answers.pop(0)
                for piece in [raw] if isinstance(raw, bytes) else raw:
                    writer.write(piece)
                    await writer.drain()
                    await asyncio.sleep(0.02)
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    def stop(self):
        async def shut_down():
            self.server.close()
            handlers = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in handlers:
                task.cancel()
            await asyncio.gather(*handlers, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shut_down(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture
def raw_push_service(db):
    services = []

    def start(answers, tls=None):
        services.append(_RawPushService(answers, tls))
        push.forget_cached_keys()
        return services[-1]

    yield start
    for service in services:
        service.stop()


def _subscription(url, name):
    browser = push._b64(push._point(ec.generate_private_key(ec.SECP256R1())))
    return {"endpoint": f"{url}/push/{name}", "keys": {"p256dh": browser, "auth": push._b64(os.urandom(16))}}


def test_chunked_and_closing_answers_are_read_and_the_next_push_opens_a_new_connection(raw_push_service, settings):
    settings.PUSH_CONCURRENCY = 1  # one connection, so the pushes follow each other on it
    service = raw_push_service(
        [
            (b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", False),
            (
                b"HTTP/1.1 429 Slow\r\nRetry-After: 90\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwait\r\n0\r\n\r\n",
                False,
            ),
            (b"HTTP/1.1 503 Busy\r\nConnection: close\r\n\r\nback soon", True),
            (b"HTTP/1.1 410 Gone\r\nContent-Length: 0\r\n\r\n", False),
        ]
    )
    answers = push_send_many([(_subscription(service.url, i), b"{}") for i in range(4)])
    assert [(a.status, a.retry_after) for a in answers] == [(201, None), (429, 90), (503, None), (410, None)]
    assert "back soon" in answers[2].error and answers[2].worth_retrying and answers[3].gone
    assert service.requests == 4 and service.connections == 2


def test_answers_of_every_shape_are_read_through_the_connection_even_in_pieces(raw_push_service, settings):
    settings.PUSH_CONCURRENCY = 1  # one lane, so the pushes follow each other in this order
    created = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
    service = raw_push_service(
        [
            ([b"HTTP/1.1 100 Continue\r\n\r\n", created], False),  # an interim answer, then the final one
            ([b"HTTP/1.1 410 Gone\r\nContent-Length: 7\r\n\r\nexpi", b"red"], False),
            (
                [
                    b"HTTP/1.1 429 Too Many\r\nTransfer-Encoding: chunked\r\nRetry-After: 30\r\n\r\n5\r\nslow ",
                    b"\r\n4;x=y\r\ndown\r\n0\r\n",
                    b"\r\n",
                ],
                False,
            ),
            (created, False),  # the same connection, still kept alive after a chunked answer
            ([b"HTTP/1.1 500 Oops\r\n\r\nbro", b"ken"], True),  # no length: the body ends with the connection
            (created, False),
            (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", False),  # not HTTP: this connection is given up
            (created, False),
            (b"HTTP/1.1 201 Created\r\nContent-Length: 10\r\n\r\nabc", True),  # cut short by the server
            (created, False),
        ]
    )
    answers = push_send_many([(_subscription(service.url, i), b"{}") for i in range(10)])
    assert [(a.status, a.retry_after) for a in answers] == [
        (201, None),
        (410, None),
        (429, 30),
        (201, None),
        (500, None),
        (201, None),
        (0, None),
        (201, None),
        (0, None),
        (201, None),
    ]
    assert "expired" in answers[1].error and answers[1].gone
    assert "slow down" in answers[2].error and "broken" in answers[4].error
    assert answers[6].worth_retrying and answers[8].worth_retrying
    # Kept alive through the 1xx, split and chunked answers; a new connection after each close or garbage.
    assert service.requests == 10 and service.connections == 4


def test_an_unreachable_push_service_answers_every_push_at_once_without_waiting_for_each(db, settings):
    settings.PUSH_CONCURRENCY = 2
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}"  # nothing listens there
        answers = push_send_many([(_subscription(url, i), b"{}") for i in range(50)])
    assert {a.status for a in answers} == {0} and all(a.worth_retrying for a in answers)


def _self_signed_for_localhost(folder):
    """A certificate for 127.0.0.1, as a push service's TLS server would present (signed by itself)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "push.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "push.pem", folder / "push.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def test_pushes_go_over_verified_tls_and_an_untrusted_certificate_is_not_sent_to(
    raw_push_service, tmp_path, monkeypatch
):
    import ssl

    cert_file, key_file = _self_signed_for_localhost(tmp_path)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert_file, key_file)
    created = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"

    untrusted = raw_push_service([(created, False)], tls)  # before its certificate is trusted
    [refused] = push_send_many([(_subscription(untrusted.url, "a"), b"{}")])
    assert refused.status == 0 and "CERTIFICATE_VERIFY_FAILED" in refused.error and untrusted.requests == 0

    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # read when a push service is first met
    trusted = raw_push_service([(created, False)] * 3, tls)
    answers = push_send_many([(_subscription(trusted.url, i), b"{}") for i in range(3)])
    assert [a.status for a in answers] == [201] * 3 and trusted.requests == 3
