#!/usr/bin/env python3
"""An HTTP upstream that misbehaves on purpose, one way per --mode, for the
tests that prove sessim's balancer and clients survive what a broken or
hostile server sends. Standard library only; loopback only.

  hostile_upstream.py --port N --mode MODE [--log FILE]

Every request head it receives is appended to --log (one line per request:
its request line), so that tests can tell what reached the upstream.

Modes:
  normal            a plain 200 answer per request, keep-alive
  continue          "100 Continue" before every answer (with no Expect asked);
                    the answer to /NAME sets SESSION=secret-of-NAME
  unsolicited       answers, then 50 ms later writes an unrequested response
                    with Set-Cookie: SESSION=unsolicited on the idle connection
  trailing          answers with a second, unrequested response in the same write
  endless-body      a chunked body that never ends
  huge-length       Content-Length: 1 GiB, bytes sent as fast as they are read
  endless-headers   Set-Cookie header fields that never end
  trickle           the answer one byte a second
  endless-continue  a "100 Continue" every 50 ms, never a final answer
  silent            reads the request, never answers
  many-cookies      10,000 distinct Set-Cookie fields in each answer
  switch            "101 Switching Protocols" unasked
  large             a well-behaved 3 MiB answer with Content-Length
  large-chunked     the same 3 MiB, chunked in parts of 7777 bytes
  deep-json         a JSON body nested 100,000 arrays deep (200 KB)
  bad-utf8          a node header and a body that are not UTF-8 (and U+FFFE)
  long-node         a node header (X-Node) of 5,000 bytes
  shell-node        a node header that is a shell command substitution
  answers-two       answers two requests, then closes every connection unanswered
  exits-on-request  answers as normal, but a request to /exit makes the whole
                    process print "fatal: simulated crash" and exit with status 1
  new-cookie        a plain 200 that sets one more cookie (c1, c2, ...) each time;
                    logs the number of cookies each request carried
  status-431        every answer is 431 Request Header Fields Too Large
"""

import argparse
import os
import socket
import sys
import socketserver
import threading
import time

MODES = [
    "normal", "continue", "unsolicited", "trailing", "endless-body", "huge-length",
    "endless-headers", "trickle", "endless-continue", "silent", "many-cookies", "switch",
    "large", "large-chunked", "deep-json", "bad-utf8", "long-node", "shell-node", "answers-two",
    "exits-on-request", "new-cookie", "status-431", "log-headers",
]

DEEP_JSON = b"[" * 100000 + b"]" * 100000
answered = [0]

LARGE_BODY = b"0123456789abcdef" * (3 * 65536)  # 3 MiB

log_lock = threading.Lock()


def response(body, cookie=None, extra=""):
    head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n" % len(body)
    if cookie:
        head += "Set-Cookie: SESSION=%s; Path=/; HttpOnly\r\n" % cookie
    return (head + extra + "\r\n").encode() + body


class Handler(socketserver.BaseRequestHandler):
    def read_request(self, buffered):
        """One request (head and Content-Length or chunked body); None at EOF."""
        while b"\r\n\r\n" not in buffered[0]:
            data = self.request.recv(65536)
            if not data:
                return None
            buffered[0] += data
        head, rest = buffered[0].split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        length = 0
        chunked = False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
            if name.strip().lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            while not rest.endswith(b"0\r\n\r\n"):
                data = self.request.recv(65536)
                if not data:
                    return None
                rest += data
            body, rest = rest, b""
        else:
            while len(rest) < length:
                data = self.request.recv(65536)
                if not data:
                    return None
                rest += data
            body, rest = rest[:length], rest[length:]
        buffered[0] = rest
        if self.server.log_path:
            entry = lines[0]
            if self.server.mode == "new-cookie":
                cookies = [line.partition(":")[2] for line in lines[1:]
                           if line.partition(":")[0].strip().lower() == "cookie"]
                entry += " cookies=%d" % sum(len(c.split(";")) for c in cookies)
            if self.server.mode == "log-headers":
                entry += " headers=" + ",".join(
                    sorted(line.partition(":")[0].strip().lower() + "=" +
                           line.partition(":")[2].strip() for line in lines[1:]))
                entry += " body=" + body.decode("latin-1")
            with log_lock, open(self.server.log_path, "a") as log:
                log.write(entry + "\n")
        return lines[0], body

    def handle(self):
        try:
            self.serve_connection()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def serve_connection(self):
        buffered = [b""]
        mode = self.server.mode
        send = self.request.sendall
        while True:
            request = self.read_request(buffered)
            if request is None:
                return
            request_line, _ = request
            path = request_line.split(" ")[1] if " " in request_line else "/"
            name = path.strip("/").split("?")[0] or "root"
            if mode == "new-cookie":
                answered[0] += 1
                send(response(b"ok", extra="Set-Cookie: c%d=v; Path=/\r\n" % answered[0]))
                continue
            if mode == "status-431":
                send(b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n\r\n")
                continue
            if mode == "normal" or mode == "log-headers":
                send(response(b"ok " + name.encode() + b"\n"))
            elif mode == "continue":
                send(b"HTTP/1.1 100 Continue\r\n\r\n")
                time.sleep(0.02)
                send(response(b"body of " + name.encode() + b"\n", "secret-of-" + name))
            elif mode == "unsolicited":
                send(response(b"ok " + name.encode() + b"\n"))
                time.sleep(0.05)
                send(response(b"unsolicited\n", "unsolicited"))
                if self.server.log_path:
                    with log_lock, open(self.server.log_path, "a") as log:
                        log.write("unsolicited sent\n")
            elif mode == "trailing":
                send(response(b"ok " + name.encode() + b"\n") +
                     response(b"trailing\n", "trailing"))
            elif mode == "endless-body":
                send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                chunk = b"x" * 65536
                while True:
                    send(b"10000\r\n" + chunk + b"\r\n")
            elif mode == "huge-length":
                send(b"HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n")
                chunk = b"x" * 65536
                for _ in range(1073741824 // 65536):
                    send(chunk)
            elif mode == "endless-headers":
                send(b"HTTP/1.1 200 OK\r\n")
                counter = 0
                while True:
                    counter += 1
                    send(b"".join(b"Set-Cookie: c%d=%s\r\n" % (counter * 100 + i, b"v" * 64)
                                  for i in range(100)))
            elif mode == "trickle":
                for byte in response(b"trickled\n"):
                    send(bytes([byte]))
                    time.sleep(1)
            elif mode == "endless-continue":
                while True:
                    send(b"HTTP/1.1 100 Continue\r\n\r\n")
                    time.sleep(0.05)
            elif mode == "silent":
                time.sleep(3600)
            elif mode == "many-cookies":
                extra = "".join("Set-Cookie: c%d=v; Path=/\r\n" % i for i in range(10000))
                send(response(b"cookies\n", None, extra))
            elif mode == "large":
                send(response(LARGE_BODY))
            elif mode == "large-chunked":
                send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                for at in range(0, len(LARGE_BODY), 7777):
                    part = LARGE_BODY[at:at + 7777]
                    send(b"%x\r\n" % len(part) + part + b"\r\n")
                send(b"0\r\n\r\n")
            elif mode == "deep-json":
                send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(DEEP_JSON) + DEEP_JSON)
            elif mode == "bad-utf8":
                body = b"value \xff\xc3\x28 \xef\xbf\xbe end\n"
                send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                     b"Content-Length: %d\r\nX-Node: n\xff\xfe\r\n\r\n" % len(body) + body)
            elif mode == "long-node":
                send(response(b"ok\n", None, "X-Node: " + "n" * 5000 + "\r\n"))
            elif mode == "shell-node":
                send(response(b"ok\n", None, "X-Node: $(touch pwned)\r\n"))
            elif mode == "exits-on-request":
                if name == "exit":
                    sys.stderr.write("fatal: simulated crash\n")
                    sys.stderr.flush()
                    os._exit(1)
                send(response(b"ok " + name.encode() + b"\n"))
            elif mode == "answers-two":
                with log_lock:
                    answered[0] += 1
                    count = answered[0]
                if count > 2:
                    return
                send(response(b"ok " + name.encode() + b"\n"))
            elif mode == "switch":
                send(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: nonsense\r\n"
                     b"Connection: Upgrade\r\n\r\n")
                time.sleep(3600)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", choices=MODES, required=True)
    parser.add_argument("--log", default="")
    args = parser.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    server.mode = args.mode
    server.log_path = args.log
    try:
        server.serve_forever()
    except (BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        pass


if __name__ == "__main__":
    main()
