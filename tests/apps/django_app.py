#!/usr/bin/python3
"""A Django app written the usual way, for sessim's tests: Django's own
session middleware and engines, login as django.contrib.auth.login does it
(cycle_key, then the user in the session) and logout as auth.logout does it
(flush). Nothing here knows about sessim.

  django_app.py --port P --name N --engine db --db FILE [--session-timeout S]

--engine db: Django's default, sessions in a database (one SQLite file per
instance, or one file shared by all); --engine signed-cookies: the session
in a signed cookie. Endpoints (profile:
tests/apps/django_app.profile.yaml): /session/set?name=&value=,
/session/get?name= (404 when not set), /session/remove?name=,
/login?user=, /logout, /set-session?sessionVal=, /get-session, /health;
and a real form login with CSRF: django.contrib.auth's LoginView at
/accounts/login/ (csrftoken cookie, csrfmiddlewaretoken field), LogoutView at
/accounts/logout/ (POST), and /accounts/me (the user, or 401). The user
alice has the password given with --password.
Nothing in it waits on purpose: sessim makes writes overlap by sending them
together.
"""
import argparse
import time

import django
from django.conf import settings


def configure(args):
    engine = {
        "db": "django.contrib.sessions.backends.db",
        "signed-cookies": "django.contrib.sessions.backends.signed_cookies",
    }[args.engine]
    settings.configure(
        DEBUG=False,
        SECRET_KEY="sessim-test-secret-shared-by-every-instance",
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth",
                        "django.contrib.sessions"],
        MIDDLEWARE=[
            __name__ + ".served_by",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", {
                "registration/login.html":
                    "<form method=\"post\">{% csrf_token %}{{ form.as_p }}"
                    "<button type=\"submit\">log in</button></form>",
                "registration/logged_out.html": "logged out",
            })]},
        }],
        LOGIN_REDIRECT_URL="/accounts/me",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": args.db,
                               "OPTIONS": {"timeout": 20}}},
        SESSION_ENGINE=engine,
        SESSION_COOKIE_AGE=args.session_timeout,
        # Idle timeout, as sessim's stories mean it: each request renews it.
        SESSION_SAVE_EVERY_REQUEST=True,
        USE_TZ=True,
    )
    django.setup()


NAME = "django"


def served_by(get_response):
    def middleware(request):
        response = get_response(request)
        response["X-Served-By"] = NAME
        return response
    return middleware


def text(body, status=200):
    from django.http import HttpResponse
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


def set_value(request):
    name, value = request.GET.get("name"), request.GET.get("value")
    if not name or value is None:
        return text("missing name or value", 400)
    request.session[name] = value
    return text(value)


def get_value(request):
    name = request.GET.get("name", "")
    if name not in request.session:
        return text("not set", 404)
    return text(request.session[name])


def remove_value(request):
    request.session.pop(request.GET.get("name", ""), None)
    return text("removed")


def login(request):
    user = request.GET.get("user")
    if not user:
        return text("missing user", 400)
    # What django.contrib.auth.login does: a new key, the data kept.
    request.session.cycle_key()
    request.session["user"] = user
    return text(user)


def logout(request):
    # What django.contrib.auth.logout does.
    request.session.flush()
    return text("logged out")


def set_reference(request):
    request.session["sessionVal"] = request.GET.get("sessionVal", "")
    return text(request.session["sessionVal"])


def get_reference(request):
    return text(request.session.get("sessionVal", ""))


def health(request):
    return text("ok")


def me(request):
    if not request.user.is_authenticated:
        return text("not logged in", 401)
    return text(request.user.get_username())


def main():
    global NAME, urlpatterns
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--name", default="django")
    parser.add_argument("--engine", default="db", choices=["db", "signed-cookies"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--session-timeout", type=int, default=1209600)
    parser.add_argument("--password", default="wonderland")
    args = parser.parse_args()
    NAME = args.name
    configure(args)
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application
    from django.contrib.auth import views as auth_views
    from django.urls import path
    urlpatterns = [
        path("accounts/login/", auth_views.LoginView.as_view()),
        path("accounts/logout/", auth_views.LogoutView.as_view()),
        path("accounts/me", me),
        path("session/set", set_value), path("session/get", get_value),
        path("session/remove", remove_value), path("login", login), path("logout", logout),
        path("set-session", set_reference), path("get-session", get_reference),
        path("health", health),
    ]
    # The users (and, with --engine db, the sessions) live in the database.
    # Instances that share one SQLite file start together: one of them may
    # find the tables half made by another and try again.
    for attempt in range(20):
        try:
            call_command("migrate", verbosity=0)
            ensure_user("alice", args.password)
            break
        except Exception:
            if attempt == 19:
                raise
            time.sleep(0.2)
    run("127.0.0.1", args.port, get_wsgi_application(), threading=True)


def ensure_user(name, password):
    from django.contrib.auth.models import User
    user, _ = User.objects.get_or_create(username=name)
    user.set_password(password)
    user.save()


urlpatterns = []

if __name__ == "__main__":
    main()
