"""An internal operations API on Flask written for secreview's quality benchmark: data reaches
sinks through wrappers, containers, match statements and helper modules."""
import configparser
import os
import re
import sqlite3
import subprocess
import tempfile

import requests
from flask import Flask, abort, jsonify, request, session

from helpers import run_report, shell

app = Flask(__name__)
# vuln: debug
app.config["DEBUG"] = True
# vuln: misconfig
app.config["SESSION_COOKIE_SECURE"] = False
app.config.update(SESSION_COOKIE_HTTPONLY=True)

JOBS = "/srv/ops/jobs"
ACTIONS = ("restart", "status", "reload")


class Req:
    """A thin wrapper the handlers use instead of flask.request."""

    def arg(self, key, default=""):
        return request.args.get(key, default)

    def field(self, key):
        return request.form[key]


req = Req()


@app.route("/service")
def service():
    name = req.arg("name")
    # vuln: cmdi
    subprocess.call("systemctl status " + name, shell=True)
    return "ok"


@app.route("/service/action")
def service_action():
    action = req.arg("action")
    if action not in ACTIONS:
        abort(400)
    # safe: cmdi
    subprocess.call("systemctl " + action + " nginx", shell=True)
    return "ok"


@app.route("/service/checked")
def service_checked():
    unit = req.arg("unit")
    if not re.fullmatch(r"[a-z0-9-]+", unit):
        abort(400)
    # safe: cmdi
    os.system("systemctl restart " + unit)
    return "ok"


@app.route("/job", methods=["POST"])
def job():
    kind = request.json.get("kind")
    target = request.json.get("target", "")
    match kind:
        case "backup":
            # vuln: cmdi
            os.system("backup.sh " + target)
        case "report":
            # vuln: cmdi
            run_report(target)
        case _:
            abort(400)
    return "queued"


@app.route("/job/shell", methods=["POST"])
def job_shell():
    # vuln: cmdi
    shell(request.form["cmd"])
    return "done"


@app.route("/settings", methods=["POST"])
def settings():
    cfg = configparser.ConfigParser()
    cfg["job"] = {}
    cfg.set("job", "script", request.form["script"])
    # vuln: cmdi
    subprocess.run(cfg.get("job", "script"), shell=True)
    return "saved"


@app.route("/bulk", methods=["POST"])
def bulk():
    con = sqlite3.connect("ops.db")
    for key in request.form.keys():
        # vuln: sqli
        con.execute("DELETE FROM jobs WHERE name = '%s'" % key)
    for key, value in request.form.items():
        # vuln: sqli
        con.execute("UPDATE jobs SET state = '" + value + "' WHERE name = ?", (key,))
    # safe: sqli
    con.executemany("DELETE FROM jobs WHERE name = ?", [(k,) for k in request.form.keys()])
    return "ok"


@app.route("/jobs/<int:job_id>/log")
def job_log(job_id):
    # safe: path
    with open(os.path.join(JOBS, "%d.log" % job_id)) as fh:
        return fh.read()


@app.route("/jobs/<name>/log")
def job_log_by_name(name):
    # vuln: path
    with open(os.path.join(JOBS, name + ".log")) as fh:
        return fh.read()


@app.route("/jobs/artifact")
def artifact():
    rel = req.arg("path")
    full = os.path.normpath(os.path.join(JOBS, rel))
    if not full.startswith(JOBS + os.sep):
        abort(403)
    # safe: path
    with open(full, "rb") as fh:
        return fh.read()


@app.route("/webhook/test", methods=["POST"])
def webhook_test():
    hook = request.get_json()["hook"]["url"]
    # vuln: ssrf
    requests.post(hook, json={"ping": True}, timeout=5)
    return "sent"


@app.route("/scratch", methods=["POST"])
def scratch():
    # vuln: tempfile
    path = tempfile.mktemp(suffix=".json")
    with open(path, "w") as fh:
        fh.write(request.get_data(as_text=True))
    # safe: tempfile
    fd, safe_path = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    return jsonify(path=path, safe=safe_path)


@app.route("/whoami")
def whoami():
    # safe: xss
    return jsonify(user=session.get("user"), agent=request.headers.get("User-Agent"))


@app.route("/echo")
def echo():
    # vuln: xss
    return "<pre>%s</pre>" % request.args.get("msg", "")


@app.route("/echo/number")
def echo_number():
    n = int(request.args.get("n", "0"))
    # safe: xss
    return "<pre>%d</pre>" % n


@app.route("/limits")
def limits():
    size = request.args.get("size", type=int)
    # vuln: allocation
    return str(len(list(range(size))))


@app.route("/limits/capped")
def limits_capped():
    size = request.args.get("size", 10, type=int)
    if size > 10_000:
        abort(413)
    # safe: allocation
    return str(len(list(range(size))))


@app.errorhandler(500)
def on_error(err):
    import traceback

    # vuln: error-exposure
    return "<pre>" + traceback.format_exc() + "</pre>", 500
