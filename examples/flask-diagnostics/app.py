"""A small network diagnostics service: operators check reachability of a host."""
from flask import Flask, jsonify, request

from diagnostics.probes import reachability_report

app = Flask(__name__)


@app.route("/api/reachability")
def reachability():
    target = request.args.get("host", "localhost")
    count = int(request.args.get("count", "3"))
    report = reachability_report(target, count)
    return jsonify(report)


@app.route("/healthz")
def healthz():
    return jsonify({"status": "ok"})
