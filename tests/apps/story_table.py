#!/usr/bin/python3
"""Runs every built-in story on every app of tests/apps and prints the table
the docs quote (docs/your-app.md): per story and app, the verdict, the reads
that returned what was written, the anomaly kinds, and the requests whose
session word stayed unknown. Needs a built sessim and the apps' programs.

  tests/apps/story_table.py [--sessim build/sessim] [--apps a,b] [--stories s,t]
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
EXPRESS = os.path.join(HERE, "express")
PHP = os.path.join(HERE, "php")


def express(modules, logout, redis):
    command = (f"exec node {EXPRESS}/app.js --port {{port}} --name {{name}} "
               f"--session-timeout {{session_timeout}} --modules {modules} --logout {logout}")
    return command + (" --redis-url {redis_url}" if redis else "")


def php(handler, strict):
    settings = (f"-d session.use_strict_mode={strict} -d session.gc_maxlifetime={{session_timeout}} "
                "-d session.gc_probability=1 -d session.gc_divisor=1")
    if handler == "redis":
        where = "-d session.save_handler=redis -d 'session.save_path=tcp://{redis_host}:{redis_port}'"
        prefix = ""
    else:
        where = "-d session.save_handler=files -d session.save_path={log_dir}/{name}"
        prefix = "mkdir -p {log_dir}/{name} && "
    return (f"{prefix}SESSIM_NAME={{name}} PHP_CLI_SERVER_WORKERS=4 exec php {where} {settings} "
            f"-S 127.0.0.1:{{port}} {PHP}/app.php")


def django(db):
    return (f"exec {PY} {HERE}/django_app.py --port {{port}} --name {{name}} "
            f"--db {{log_dir}}/{db}.sqlite3 --session-timeout {{session_timeout}}")


def flask(extra=""):
    return (f"exec {PY} {HERE}/flask_app.py --port {{port}} --name {{name}}{extra} "
            "--session-timeout {session_timeout}")


APPS = {
    "django-own-db": ("local", f"{HERE}/django_app.profile.yaml", django("{name}")),
    "django-shared-db": ("shared", f"{HERE}/django_app.profile.yaml", django("shared")),
    "flask-cookie": ("local", f"{HERE}/flask_app.profile.yaml", flask()),
    "flask-server-files": ("local", f"{HERE}/flask_app.profile.yaml",
                           flask(" --server-side {log_dir}/{name}")),
    "express4-memory": ("local", f"{EXPRESS}/express.profile.yaml",
                        express(EXPRESS, "destroy", False)),
    "express4-redis": ("redis", f"{EXPRESS}/express.profile.yaml",
                       express(EXPRESS, "destroy", True)),
    "express5-memory-regenerate": ("local", f"{EXPRESS}/express.profile.yaml",
                                   express(f"{HERE}/express5", "regenerate", False)),
    "express5-redis-regenerate": ("redis", f"{EXPRESS}/express.profile.yaml",
                                  express(f"{HERE}/express5", "regenerate", True)),
    "php-files": ("local", f"{PHP}/app.profile.yaml", php("files", 0)),
    "php-redis": ("redis", f"{PHP}/app.profile.yaml", php("redis", 0)),
    "php-redis-strict": ("redis", f"{PHP}/app.profile.yaml", php("redis", 1)),
    "tomcat": ("local", f"{HERE}/tomcat/tomcat.profile.yaml",
               f"{HERE}/tomcat/run-tomcat.sh {{port}} {{name}} {{log_dir}}/{{name}} {{session_timeout}}"),
}


def cell(sessim, app, story):
    store, profile, command = APPS[app]
    result = subprocess.run(
        [sessim, "run", story, "--store", store, "--profile", profile, "--node-shell",
         "--node-cmd", command, "--json", "--verdict", "declared"],
        capture_output=True, text=True, timeout=300)
    try:
        run = json.loads(result.stdout)["runs"][0]
    except (ValueError, KeyError, IndexError):
        return f"no report (exit {result.returncode}): {result.stderr.strip()[:80]}"
    kinds = sorted({a["kind"] for a in run["anomalies"]})
    unknown = [str(r["number"]) for s in run["steps"] for r in s["requests"]
               if r["session"] == "unknown" and r["status"] != 0]
    reads = f"{run['reads']['ok']}/{run['reads']['total']}" if "reads" in run else "?"
    text = f"{run['verdict']} {reads}"
    if kinds:
        text += " " + ",".join(kinds)
    if unknown:
        text += f" ({len(unknown)} ?)"
    return text


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessim", default=os.path.join(HERE, "../../build/sessim"))
    parser.add_argument("--apps", default=",".join(APPS))
    parser.add_argument("--stories", default="")
    args = parser.parse_args()
    stories = args.stories.split(",") if args.stories else subprocess.run(
        [args.sessim, "list", "--names"], capture_output=True, text=True).stdout.split()
    apps = args.apps.split(",")
    print("| story | " + " | ".join(apps) + " |")
    print("|---" * (len(apps) + 1) + "|")
    for story in stories:
        cells = [cell(args.sessim, app, story) for app in apps]
        print(f"| {story} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
