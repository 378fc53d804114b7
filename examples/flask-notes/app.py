"""Team notes: a small Flask service for sharing notes inside a team."""
import base64
import logging
import os
import pickle
import subprocess

from flask import Flask, abort, jsonify, make_response, request, render_template_string, send_file
from jinja2 import Environment
from markupsafe import Markup

import auth
import db
import export
import settings

app = Flask(__name__)
app.secret_key = settings.SECRET_KEY
app.config["MAX_CONTENT_LENGTH"] = settings.MAX_UPLOAD_BYTES
app.teardown_appcontext(db.close_db)

pages = Environment(autoescape=False)
NOTE_PAGE = pages.from_string(
    "<html><head><title>{{ note.title }}</title></head>"
    "<body>{{ banner }}<h1>{{ note.title }}</h1><article>{{ note.body }}</article></body></html>"
)

SEARCH_PAGE = """
<ul>{% for n in notes %}<li><a href="/notes/{{ n.id }}">{{ n.title }}</a></li>{% endfor %}</ul>
<p>Results for <b>{{ term }}</b></p>
"""

DEFAULT_PREFS = {"theme": "light", "page_size": 20}


def current_user():
    user = auth.verify_session_token(request.cookies.get("session"))
    if user is None:
        abort(401)
    return user


def load_prefs():
    raw = request.cookies.get("prefs")
    if not raw:
        return dict(DEFAULT_PREFS)
    return pickle.loads(base64.b64decode(raw))


def audit(user, action, detail=""):
    try:
        db.add_audit(user.id, action, detail)
    except Exception:
        pass


@app.post("/login")
def login():
    user = auth.login(request.form["username"], request.form["password"])
    if user is None:
        abort(403)
    resp = make_response(jsonify(user=user.username))
    resp.set_cookie("session", auth.issue_session_token(user))
    audit(user, "login")
    return resp


@app.post("/api/token")
def api_token():
    user = current_user()
    token = auth.make_api_token()
    resp = make_response(jsonify(token=token))
    resp.set_cookie("api_token", token, secure=True, httponly=True, samesite="Strict")
    audit(user, "api-token")
    return resp


@app.post("/password/reset")
def request_reset():
    row = db.find_user(request.form["username"])
    if row is not None:
        db.set_reset_token(row["id"], auth.make_reset_token())
    return jsonify(status="sent")


@app.get("/notes/search")
def search():
    user = current_user()
    term = request.args.get("q", "")
    if "tag" in request.args:
        notes = db.notes_by_tag(user.team_id, request.args["tag"])
    else:
        notes = db.search_notes(user.team_id, term, request.args.get("sort", "updated_at"))
    return render_template_string(SEARCH_PAGE, notes=notes, term=term)


@app.get("/notes/<int:note_id>")
def show_note(note_id):
    user = current_user()
    note = db.get_note(note_id, user.team_id)
    if note is None:
        abort(404)
    prefs = load_prefs()
    banner = Markup(f"<div class='banner {prefs['theme']}'>Signed in as {user.username}</div>")
    notice = Markup("<p class='notice'>{}</p>").format(export.fetch_announcements())
    body = NOTE_PAGE.render(note=note, banner=banner + notice).encode("utf-8")
    resp = make_response(body)
    resp.set_etag(export.etag_for(body))
    return resp.make_conditional(request)


@app.post("/notes")
def create_note():
    user = current_user()
    meta, body = export.parse_note_file(request.get_data(as_text=True))
    title = meta.get("title") or request.args.get("title", "Untitled")
    note_id = db.save_note(user.team_id, user.id, title, body)
    audit(user, "create-note", str(note_id))
    return jsonify(id=note_id), 201


@app.get("/notes/<int:note_id>/pdf")
def note_pdf(note_id):
    user = current_user()
    note = db.get_note(note_id, user.team_id)
    if note is None:
        abort(404)
    return send_file(export.convert_to_pdf(export.export_note_file(note)))


@app.get("/export")
def export_all():
    user = current_user()
    archive = export.build_archive(db.team_notes(user.team_id))
    audit(user, "export")
    return send_file(archive, download_name="notes.tar.gz")


@app.post("/import")
def import_notes():
    user = current_user()
    upload = request.files["archive"]
    path = os.path.join(settings.IMPORT_DIR, f"upload-{user.id}.tar.gz")
    upload.save(path)
    names = export.import_archive(path)
    audit(user, "import", ",".join(names))
    return jsonify(imported=names)


@app.post("/team/webhook")
def register_webhook():
    user = current_user()
    url = request.form["url"]
    if not export.check_webhook(url):
        abort(400)
    export.deliver_webhook(url, "webhook.registered", {"team": user.team_id})
    audit(user, "webhook", url)
    return jsonify(url=url)


@app.post("/hooks/inbound")
def inbound_hook():
    if not settings.WEBHOOK_SECRET:
        abort(404)
    body = request.get_data()
    if not auth.verify_webhook_signature(body, request.headers.get("X-Notes-Signature", "")):
        abort(403)
    event = request.get_json()
    return jsonify(received=event.get("type"))


@app.get("/admin/diag")
def diagnostics():
    user = current_user()
    assert user.is_admin
    host = request.args.get("host", "localhost")
    result = subprocess.run(f"ping -c 1 -W 2 {host}", shell=True, capture_output=True, text=True)
    return jsonify(host=host, ok=result.returncode == 0, output=result.stdout)


@app.get("/calc")
def calculator():
    current_user()
    value = eval(request.args["expr"])
    return jsonify(result=value)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    with app.app_context():
        db.init_db()
    app.run(host="0.0.0.0", debug=True)
