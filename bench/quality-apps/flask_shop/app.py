"""A small shop written for secreview's quality benchmark: every vulnerable line is labelled
`# vuln: <class>` on the line above, every safe look-alike `# safe: <class>`."""
import hashlib
import os
import pickle
import random
import sqlite3
import subprocess
from urllib.parse import urlparse

import jwt
import requests
import yaml
from flask import Flask, abort, jsonify, make_response, redirect, render_template, render_template_string, request, send_file, session
from lxml import etree
from markupsafe import Markup, escape

app = Flask(__name__)
# vuln: secrets
app.secret_key = "s3cr3t-shop-key-2024"
# vuln: secrets
JWT_SECRET = "jwt-signing-secret-do-not-share"
# safe: secrets
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///shop.db")
ALLOWED_SORT = {"name", "price", "created"}
MEDIA_ROOT = "/srv/shop/media"


def db():
    return sqlite3.connect("shop.db")


@app.route("/products")
def products():
    category = request.args.get("category", "")
    cur = db().cursor()
    # vuln: sqli
    cur.execute("SELECT * FROM products WHERE category = '%s'" % category)
    rows = cur.fetchall()
    # safe: sqli
    cur.execute("SELECT * FROM products WHERE category = ?", (category,))
    return jsonify(rows)


@app.route("/products/sorted")
def sorted_products():
    sort = request.args.get("sort", "name")
    if sort not in ALLOWED_SORT:
        abort(400)
    cur = db().cursor()
    # safe: sqli
    cur.execute(f"SELECT * FROM products ORDER BY {sort}")
    return jsonify(cur.fetchall())


@app.route("/search")
def search():
    q = request.args.get("q", "")
    cur = db().cursor()
    # vuln: sqli
    cur.execute(f"SELECT id, name FROM products WHERE name LIKE '%{q}%'")
    # vuln: xss
    return "<h1>Results for " + q + "</h1>"


@app.route("/search/safe")
def search_safe():
    q = request.args.get("q", "")
    # safe: xss
    return "<h1>Results for " + str(escape(q)) + "</h1>"


@app.route("/greet")
def greet():
    name = request.args.get("name", "")
    # vuln: xss
    return make_response(f"<p>Hello {name}</p>")


@app.route("/greet/json")
def greet_json():
    name = request.args.get("name", "")
    # safe: xss
    return jsonify(greeting=f"Hello {name}")


@app.route("/banner")
def banner():
    text = request.args.get("text", "")
    # The defect is at the template's `|safe` (templates/banner.html).
    return render_template("banner.html", text=text)


@app.route("/banner/escaped")
def banner_escaped():
    text = request.args.get("text", "")
    # safe: xss
    return render_template("plain.html", text=text)


@app.route("/preview")
def preview():
    body = request.form.get("body", "")
    # vuln: ssti
    return render_template_string("<div>" + body + "</div>")


@app.route("/note")
def note():
    note_text = request.args.get("note", "")
    # vuln: xss
    return Markup("<em>%s</em>" % note_text)


@app.route("/ping")
def ping():
    host = request.args.get("host", "")
    # vuln: cmdi
    out = subprocess.check_output("ping -c 1 " + host, shell=True)
    # safe: cmdi
    out2 = subprocess.check_output(["ping", "-c", "1", "--", host])
    return out + out2


@app.route("/archive")
def archive():
    folder = request.args.get("folder", "")
    # vuln: cmdi
    os.system("tar czf /tmp/backup.tgz " + folder)
    return "ok"


@app.route("/calc")
def calc():
    expr = request.args.get("expr", "1+1")
    # vuln: code-injection
    return str(eval(expr))


@app.route("/media")
def media():
    name = request.args.get("name", "")
    # vuln: path
    return send_file(os.path.join(MEDIA_ROOT, name))


@app.route("/media/safe")
def media_safe():
    name = request.args.get("name", "")
    path = os.path.realpath(os.path.join(MEDIA_ROOT, name))
    if not path.startswith(MEDIA_ROOT + os.sep):
        abort(404)
    # safe: path
    return send_file(path)


@app.route("/download")
def download():
    filename = request.args["file"]
    # vuln: path
    with open("/srv/shop/exports/" + filename, "rb") as fh:
        return fh.read()


@app.route("/fetch")
def fetch():
    url = request.args.get("url", "")
    # vuln: ssrf
    return requests.get(url, timeout=5).text


@app.route("/fetch/allowed")
def fetch_allowed():
    url = request.args.get("url", "")
    if urlparse(url).hostname not in {"api.partner.example", "cdn.partner.example"}:
        abort(400)
    # safe: ssrf
    return requests.get(url, timeout=5).text


@app.route("/go")
def go():
    target = request.args.get("next", "/")
    # vuln: redirect
    return redirect(target)


@app.route("/go/local")
def go_local():
    target = request.args.get("next", "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    # safe: redirect
    return redirect(target)


@app.route("/cart/restore", methods=["POST"])
def restore_cart():
    # vuln: deserialization
    cart = pickle.loads(request.data)
    session["cart"] = cart
    return "restored"


@app.route("/import", methods=["POST"])
def import_catalogue():
    # vuln: deserialization
    catalogue = yaml.load(request.data, Loader=yaml.Loader)
    # safe: deserialization
    defaults = yaml.safe_load(request.data)
    return jsonify(catalogue, defaults)


@app.route("/feed", methods=["POST"])
def feed():
    # vuln: xxe
    parser = etree.XMLParser(resolve_entities=True)
    doc = etree.fromstring(request.data, parser)
    return doc.tag


@app.route("/token")
def token():
    user = request.args.get("user", "")
    # vuln: jwt
    claims = jwt.decode(request.headers.get("Authorization", ""), options={"verify_signature": False})
    # safe: jwt
    verified = jwt.decode(request.headers.get("Authorization", ""), JWT_SECRET, algorithms=["HS256"])
    return jsonify(user=user, claims=claims, verified=verified)


@app.route("/reset", methods=["POST"])
def reset_password():
    # vuln: randomness
    code = str(random.randint(100000, 999999))
    resp = make_response("sent")
    # vuln: randomness, misconfig
    resp.set_cookie("reset_token", "%032x" % random.getrandbits(128))
    session["reset_code"] = code
    return resp


@app.route("/register", methods=["POST"])
def register():
    password = request.form["password"]
    # vuln: weak-crypto
    digest = hashlib.md5(password.encode()).hexdigest()
    # vuln: weak-crypto
    stored = hashlib.sha256(password.encode()).hexdigest()
    # safe: weak-crypto
    etag = hashlib.md5(b"static-asset-v1", usedforsecurity=False).hexdigest()
    return jsonify(digest=digest, stored=stored, etag=etag)


@app.route("/partner")
def partner():
    # vuln: tls
    return requests.get("https://partner.example/api", verify=False, timeout=5).text


@app.route("/profile", methods=["POST"])
def profile():
    from models import User

    # vuln: mass-assignment
    user = User(**request.json)
    user.save()
    return "saved"


@app.route("/report")
def report():
    try:
        return str(1 / int(request.args.get("n", "0")))
    except Exception as e:
        # vuln: error-exposure
        return "Internal error: " + str(e), 500


@app.route("/bulk")
def bulk():
    n = int(request.args.get("n", "1"))
    # vuln: allocation
    buf = bytearray(n)
    # safe: allocation
    small = bytearray(min(n, 4096))
    return str(len(buf) + len(small))


if __name__ == "__main__":
    # vuln: debug
    app.run(host="0.0.0.0", debug=True)
