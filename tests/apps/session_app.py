#!/usr/bin/python3
"""A small web app with server-side sessions, as a team would write it: the
reference contract (GET /set-session?sessionVal=V, GET /get-session), a
`sessionid` cookie, and the sessions in this process's memory or in Redis.
It is not sessim's: the test suite runs it as command nodes and as upstream
servers to check what sessim reports about an app it did not write.

    session_app.py --port P --name NAME [--store memory|redis --redis-url URL]
                   [--cert CERT.pem --key KEY.pem]
"""
import argparse
import http.server
import json
import secrets
import sys
import threading
import urllib.parse

COOKIE = "sessionid"
IDLE_TIMEOUT_S = 1800


class MemoryStore:
    def __init__(self):
        self.sessions = {}
        self.lock = threading.Lock()

    def load(self, session_id):
        with self.lock:
            data = self.sessions.get(session_id)
            return None if data is None else dict(data)

    def save(self, session_id, data):
        with self.lock:
            self.sessions[session_id] = dict(data)


class RedisStore:
    def __init__(self, url):
        import redis  # Debian's python3-redis

        self.client = redis.Redis.from_url(url)

    def load(self, session_id):
        raw = self.client.get("pyapp:session:" + session_id)
        return None if raw is None else json.loads(raw)

    def save(self, session_id, data):
        self.client.set("pyapp:session:" + session_id, json.dumps(data), ex=IDLE_TIMEOUT_S)


def make_handler(store, name):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            sys.stderr.write("%s %s\n" % (name, fmt % args))

        def session(self):
            """The session the cookie names, else a new one (like Spring)."""
            cookies = {}
            for part in self.headers.get("Cookie", "").split(";"):
                key, _, value = part.strip().partition("=")
                if key:
                    cookies[key] = value
            session_id = cookies.get(COOKIE, "")
            if session_id and all(c in "0123456789abcdef" for c in session_id):
                data = store.load(session_id)
                if data is not None:
                    return session_id, data, False
            return secrets.token_hex(16), {}, True

        def answer(self, status, body, session_id=None):
            payload = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("X-Served-By", name)
            if session_id:
                self.send_header("Set-Cookie", "%s=%s; Path=/; HttpOnly" % (COOKIE, session_id))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path == "/health":
                return self.answer(200, "ok")
            if url.path not in ("/set-session", "/get-session"):
                return self.answer(404, "not found")
            session_id, data, new = self.session()
            if url.path == "/set-session":
                values = urllib.parse.parse_qs(url.query).get("sessionVal")
                if not values:
                    return self.answer(400, "missing sessionVal")
                data["sessionVal"] = values[0]
            store.save(session_id, data)
            self.answer(200, data.get("sessionVal", ""), session_id if new else None)

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--name", default="pyapp")
    # "local" is sessim's word for memory ({store} in --node-cmd).
    parser.add_argument("--store", choices=["memory", "local", "redis"], default="memory")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--cert", help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--key", help="and this private key (PEM)")
    args = parser.parse_args()
    store = RedisStore(args.redis_url) if args.store == "redis" else MemoryStore()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(store, args.name))
    server.daemon_threads = True
    if args.cert:
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
