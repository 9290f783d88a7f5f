#!/usr/bin/python3
"""A Flask app written the usual way, for sessim's tests: Flask's default
session (the whole session in a signed cookie, one secret key for every
instance) or, with --server-side DIR, Flask-Session's filesystem store (one
directory per instance: server-side sessions that instances do not share).
Login writes the user into the session; logout clears it, as Flask-Login's
logout_user() does. Nothing here knows about sessim.

  flask_app.py --port P --name N [--server-side DIR] [--session-timeout S]

Endpoints (profile: tests/apps/flask_app.profile.yaml): /session/set?name=&value=,
/session/get?name= (404 when not set), /session/remove?name=, /login?user=,
/logout, /health. Nothing in it waits on purpose: sessim makes writes overlap
by sending them together.
"""
import argparse
import datetime

from flask import Flask, request, session
from werkzeug.serving import make_server

app = Flask(__name__)
app.secret_key = "sessim-test-secret-shared-by-every-instance"
NAME = "flask"


@app.before_request
def permanent_when_timed():
    # An idle timeout, the way Flask apps set one: a permanent session whose
    # lifetime each request renews (SESSION_REFRESH_EACH_REQUEST).
    session.permanent = app.permanent_session_lifetime.total_seconds() < 31 * 86400


@app.after_request
def served_by(response):
    response.headers["X-Served-By"] = NAME
    return response


def text(body, status=200):
    return body, status, {"Content-Type": "text/plain; charset=utf-8"}


@app.get("/session/set")
def set_value():
    name, value = request.args.get("name"), request.args.get("value")
    if not name or value is None:
        return text("missing name or value", 400)
    session[name] = value
    return text(value)


@app.get("/session/get")
def get_value():
    name = request.args.get("name", "")
    if name not in session:
        return text("not set", 404)
    return text(session[name])


@app.get("/session/remove")
def remove_value():
    session.pop(request.args.get("name", ""), None)
    return text("removed")


@app.get("/login")
def login():
    user = request.args.get("user")
    if not user:
        return text("missing user", 400)
    session["user"] = user
    return text(user)


@app.get("/logout")
def logout():
    session.clear()
    return text("logged out")


@app.get("/health")
def health():
    return text("ok")


def main():
    global NAME
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--name", default="flask")
    parser.add_argument("--server-side", metavar="DIR")
    parser.add_argument("--session-timeout", type=int, default=31 * 86400)
    args = parser.parse_args()
    NAME = args.name
    app.permanent_session_lifetime = datetime.timedelta(seconds=args.session_timeout)
    if args.server_side:
        from flask_session import Session
        app.config.update(SESSION_TYPE="filesystem", SESSION_FILE_DIR=args.server_side)
        Session(app)
    make_server("127.0.0.1", args.port, app, threaded=True).serve_forever()


if __name__ == "__main__":
    main()
