"""A local HTTP server for offline sites: the bundled demo and the test fixtures.

It answers as an HTTP proxy would (absolute-URI requests, and CONNECT tunnels for https:// with a
throwaway certificate) and also plain requests, and picks the
site by host: `http://kjj.xuchang.example/xwdt/` is served from `ROOT/kjj.xuchang.example/xwdt/
index.html`. The crawler routes hosts here through Scrapy's proxy support (crawler/hostmap.py), so
URLs keep their real hosts, nothing resolves DNS, and nothing leaves 127.0.0.1.

The host `faults.example` misbehaves on purpose, for tests: `/status/503`, `/slow/2.5/...`,
`/redirect/N/...`, `/truncated/...`, `/huge/...`, `/challenge/...` (412 with a JS cookie page),
`/drop/...` (closes the connection), `/loop/...` (redirects to itself for ever), `/bigheader/...`
(a 200 whose response header is larger than any client accepts), `/hugelist/...` (a list page of
good.example's three articles followed by 3 MB of inline base64 images) and `/stream/MB/NAME` (a
generated file of MB megabytes, streamed: a test of size caps needs no big file on disk).
"""

from __future__ import annotations

import contextlib
import datetime
import email.utils
import hashlib
import mimetypes
import socketserver
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEMO_ROOT = Path(__file__).parent / "sites" / "www"
FAULTS_HOST = "faults.example"
COOKIE_PATH = "/__set_cookie/"
# File systems allow 255 bytes per name.
MAX_NAME_BYTES = 250
_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".xml": "application/xml",
    ".json": "application/json", ".txt": "text/plain", ".pdf": "application/pdf",
}  # fmt: skip


@dataclass
class RequestLog:
    """Every request the server saw, for tests that count what the crawler fetched."""

    entries: list[tuple[str, str, str, int]] = field(default_factory=list)
    # The request headers of each entry, same order (for tests of per-source headers and cookies).
    headers: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self, method: str, host: str, path: str, status: int, headers: dict[str, str] | None = None
    ) -> None:
        """Record one request."""
        with self.lock:
            self.entries.append((method, host, path, status))
            self.headers.append(headers or {})

    def paths(self, host: str | None = None) -> list[str]:
        """Paths requested (optionally of one host), in order."""
        with self.lock:
            return [p for _, h, p, _ in self.entries if host is None or h == host]

    def clear(self) -> None:
        """Forget everything logged so far."""
        with self.lock:
            self.entries.clear()
            self.headers.clear()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Keep test and demo output quiet."""

    def _target(self) -> tuple[str, str, str]:
        if self.path.startswith(("http://", "https://")):
            parts = urlsplit(self.path)
            return (parts.hostname or "").lower(), parts.path or "/", parts.query
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        host = host or getattr(self, "tunnel_host", "")
        path, _, query = self.path.partition("?")
        return host, path or "/", query

    def finish(self) -> None:
        """Close the TLS wrapper of a CONNECT tunnel too (the base class closes only the files)."""
        super().finish()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.close()

    def do_CONNECT(self) -> None:
        """Open an HTTPS tunnel (how Scrapy proxies https:// URLs) and serve the host over TLS."""
        self.send_response(200, "Connection Established")
        self.end_headers()
        self.wfile.flush()
        tls = self.server.tls_context().wrap_socket(self.connection, server_side=True)
        self.connection = tls
        self.rfile = tls.makefile("rb", self.rbufsize)  # type: ignore[assignment]
        self.wfile = socketserver._SocketWriter(tls)  # type: ignore[attr-defined]
        self.tunnel_host = self.path.rpartition(":")[0].lower()
        self.close_connection = False

    def do_HEAD(self) -> None:
        """Answer HEAD like GET, without a body."""
        self.do_GET()

    def do_POST(self) -> None:
        """POST serves the same file as GET (JSON list APIs use POST)."""
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.do_GET()

    def do_GET(self) -> None:
        """Serve a file of the requested host, or a fault."""
        host, path, query = self._target()
        if path.startswith(COOKIE_PATH):
            # Any host: /__set_cookie/NAME/VALUE answers a page that sets that cookie (tests of
            # sources that must fetch a page first to get past a cookie check).
            name, _, value = path[len(COOKIE_PATH) :].partition("/")
            page = b"<html><body><p>ok</p></body></html>"
            status = self._send(200, page, "text/html", {"Set-Cookie": f"{name}={value}; path=/"})
        elif host == FAULTS_HOST:
            status = self._fault(path)
        else:
            status = self._file(host, unquote(path), query)
        target = path + (f"?{query}" if query else "")
        self.server.log.add(self.command, host, target, status, dict(self.headers.items()))

    def _send(
        self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None
    ) -> int:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return status

    def _resolve(self, host: str, path: str, query: str) -> Path:
        """The file for a request: `index.html` for folders, `__query` before the extension, and
        `.json` for an extension-less API path."""
        root = self.server.root / host
        rel = path.lstrip("/")
        if not rel or rel.endswith("/") or (root / rel).is_dir():
            rel = rel.rstrip("/") + "/index.html" if rel.strip("/") else "index.html"
        stem, dot, ext = rel.rpartition(".")
        # A query too long for a file name (MIIT's search API) is served by the query-less file.
        if query and len(f"{rel.rsplit('/', 1)[-1]}__{query}".encode()) <= MAX_NAME_BYTES:
            rel = f"{stem}__{query}.{ext}" if dot and "/" not in ext else f"{rel}__{query}"
        file = (root / rel).resolve()
        if not file.suffix and not file.is_file():
            file = file.with_name(file.name + ".json")
        return file

    def _file(self, host: str, path: str, query: str) -> int:
        file = self._resolve(host, path, query)
        if not file.is_relative_to(self.server.root.resolve()) or not file.is_file():
            return self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html")
        body = file.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = email.utils.formatdate(int(file.stat().st_mtime), usegmt=True)
        headers = {"ETag": etag, "Last-Modified": modified}
        if self.headers.get("If-None-Match") == etag or (
            not self.headers.get("If-None-Match")
            and self.headers.get("If-Modified-Since") == modified
        ):
            self.send_response(304)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return 304
        ctype = (
            _TYPES.get(file.suffix.lower()) or mimetypes.guess_type(file.name)[0] or "text/plain"
        )
        if not file.suffix and body.lstrip()[:9].lower() in (b"<!doctype", b"<html cla", b"<html>"):
            ctype = "text/html"  # extension-less article URLs (mp.weixin.qq.com/s/TOKEN)
        if file.suffix == ".xml" and ("rss" in file.name or "feed" in file.name):
            ctype = "application/rss+xml"
        if file.suffix == ".xml" and "atom" in file.name:
            ctype = "application/atom+xml"
        if ctype == "application/json":
            ctype += "; charset=utf-8"
        return self._send(200, body, ctype, headers)

    def _fault(self, path: str) -> int:
        parts = [p for p in path.split("/") if p]
        kind = parts[0] if parts else ""
        page = b"<html><head><meta charset='utf-8'></head><body><p>fault</p></body></html>"
        if kind == "status" and len(parts) > 1 and parts[1].isdigit():
            return self._send(int(parts[1]), page, "text/html")
        if kind == "slow" and len(parts) > 1:
            time.sleep(float(parts[1]))
            return self._send(200, page, "text/html")
        if kind == "redirect" and len(parts) > 1:
            # /redirect/HOST/PATH → http://HOST/PATH (the trailing slash is kept)
            target = "/".join(parts[1:]) + ("/" if path.endswith("/") else "")
            return self._send(302, b"", "text/html", {"Location": f"http://{target}"})
        if kind == "challenge":
            js = b"<html><script>document.cookie='__jsl_clearance=1';location.reload()</script>"
            return self._send(412, js, "text/html", {"Set-Cookie": "__jsluid_h=abc; path=/"})
        if kind == "truncated":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(page)
            self.wfile.flush()
            self.close_connection = True
            return 200
        if kind == "huge":
            return self._send(200, b"<html><body>" + b"x" * (12 * 1024 * 1024), "text/html")
        if kind == "loop":
            return self._send(302, b"", "text/html", {"Location": f"http://{FAULTS_HOST}{path}"})
        if kind == "bigheader":
            # The client hangs up in the middle of the header: that is the point.
            with contextlib.suppress(OSError):
                self._send(200, page, "text/html", {"X-Padding": "x" * 200_000})
            self.close_connection = True
            return 200
        if kind == "hugelist":
            links = "".join(
                f'<li><a href="http://good.example/list/a{n}.html">测试文章标题第{n}篇内容</a>'
                f"<span>2026-11-1{n}</span></li>"
                for n in (1, 2, 3)
            )
            head = f"<html><head><meta charset='utf-8'></head><body><ul class='news'>{links}</ul>"
            image = b'<img src="data:image/png;base64,' + b"iVBORw0KGgo" * 300_000 + b'">'
            return self._send(200, head.encode() + image + b"</body></html>", "text/html")
        if kind == "stream" and len(parts) > 2 and parts[1].isdigit():
            return self._stream(int(parts[1]) * 1024 * 1024)
        if kind == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return 0
        return self._send(404, page, "text/html")

    def _stream(self, size: int) -> int:
        """Send `size` generated bytes in chunks; stop quietly when the client hangs up."""
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        chunk = b"PK\x03\x04" + b"\0" * (64 * 1024 - 4)
        sent = 0
        try:
            while sent < size and self.command != "HEAD":
                piece = chunk[: size - sent]
                self.wfile.write(piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True
        return 200


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # PERF.md: the default listen queue of 5 caps a local server near 145 pages/s.
    request_queue_size = 256

    def __init__(self, root: Path, log: RequestLog) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root
        self.log = log
        self._tls: ssl.SSLContext | None = None

    def tls_context(self) -> ssl.SSLContext:
        """A TLS context with a throwaway self-signed certificate (Scrapy does not verify)."""
        if self._tls is None:
            self._tls = _self_signed_context()
        return self._tls


def _self_signed_context() -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "newsdesk offline fixtures")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # load_cert_chain only reads files, so the PEMs live in a directory removed right after.
    with tempfile.TemporaryDirectory(prefix="newsdesk-tls-") as tmp:
        folder = Path(tmp)
        (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        (folder / "key.pem").write_bytes(key_pem)
        context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


@dataclass(frozen=True)
class RunningServer:
    """A started server: its port, its request log and the proxy URL the crawler should use."""

    port: int
    log: RequestLog

    @property
    def proxy(self) -> str:
        """The address to route site hosts to."""
        return f"127.0.0.1:{self.port}"


@contextmanager
def serve(root: Path = DEMO_ROOT) -> Iterator[RunningServer]:
    """Serve `root` on a free 127.0.0.1 port in a background thread for the `with` block."""
    log = RequestLog()
    server = _Server(Path(root), log)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield RunningServer(server.server_address[1], log)
    finally:
        server.shutdown()
        server.server_close()
