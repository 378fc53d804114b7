"""An inventory API on FastAPI written for secreview's quality benchmark."""
import hashlib
import hmac
import os
import random
import secrets
import shlex
import sqlite3
import subprocess
import tarfile
import tempfile
import xml.etree.ElementTree as ET
import zipfile

import httpx
import jwt
import yaml
from fastapi import FastAPI, File, Form, Header, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from sqlalchemy import create_engine, text

app = FastAPI()
engine = create_engine("sqlite:///inventory.db")
# vuln: secrets
API_TOKEN = "inv-4f9c2e7a1b3d5e6f7a8b9c0d1e2f3a4b"
# vuln: secrets
AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
# safe: secrets
ADMIN_PASSWORD = os.environ.get("ADMIN_PASSWORD")
STORE = "/srv/inventory/files"


@app.get("/items")
def items(owner: str = Query("")):
    with engine.connect() as conn:
        # vuln: sqli
        rows = conn.execute(text("SELECT * FROM items WHERE owner = '" + owner + "'")).fetchall()
        # safe: sqli
        same = conn.execute(text("SELECT * FROM items WHERE owner = :owner"), {"owner": owner}).fetchall()
    return {"rows": [dict(r._mapping) for r in rows], "same": len(same)}


@app.get("/items/{item_id}")
def item(item_id: int):
    con = sqlite3.connect("inventory.db")
    # safe: sqli
    return con.execute("SELECT * FROM items WHERE id = %d" % item_id).fetchone()


@app.get("/lookup")
def lookup(sku: str):
    con = sqlite3.connect("inventory.db")
    # vuln: sqli
    return con.execute("SELECT * FROM items WHERE sku = '{}'".format(sku)).fetchone()


@app.get("/label", response_class=HTMLResponse)
def label(name: str):
    # vuln: xss
    return HTMLResponse("<span class='label'>" + name + "</span>")


@app.get("/label/plain")
def label_plain(name: str):
    # safe: xss
    return {"label": name}


@app.post("/scan")
def scan_barcode(device: str = Form(...)):
    # vuln: cmdi
    return subprocess.getoutput("zbarimg /dev/" + device)


@app.post("/scan/quoted")
def scan_quoted(device: str = Form(...)):
    # safe: cmdi
    return subprocess.getoutput("zbarimg /dev/" + shlex.quote(device))


@app.get("/files/{name}")
def get_file(name: str):
    # vuln: path
    return FileResponse(os.path.join(STORE, name))


@app.get("/files/safe/{name}")
def get_file_safe(name: str):
    # safe: path
    return FileResponse(os.path.join(STORE, os.path.basename(name)))


@app.post("/upload")
async def upload(archive: UploadFile = File(...)):
    with tempfile.NamedTemporaryFile(delete=False) as tmp:
        tmp.write(await archive.read())
    with tarfile.open(tmp.name) as tar:
        # vuln: path
        tar.extractall(STORE)
    with zipfile.ZipFile(tmp.name) as z:
        for member in z.namelist():
            # vuln: path
            z.extract(member, STORE)
    return {"ok": True}


@app.get("/proxy")
async def proxy(url: str):
    async with httpx.AsyncClient() as client:
        # vuln: ssrf
        r = await client.get(url)
    return {"status": r.status_code}


@app.get("/out")
def out(to: str):
    # vuln: redirect
    return RedirectResponse(to)


@app.post("/config")
async def config(request: Request):
    body = await request.body()
    # vuln: deserialization
    return yaml.load(body, Loader=yaml.UnsafeLoader)


@app.post("/manifest")
async def manifest(request: Request):
    # vuln: xxe
    root = ET.fromstring(await request.body())
    return {"tag": root.tag}


@app.get("/me")
def me(authorization: str = Header("")):
    # vuln: jwt
    claims = jwt.decode(authorization, "ignored", algorithms=["none"], options={"verify_signature": False})
    return claims


@app.post("/session")
def new_session():
    # vuln: randomness
    sid = "%x" % random.getrandbits(64)
    # safe: randomness
    csrf = secrets.token_urlsafe(32)
    return {"sid": sid, "csrf": csrf}


@app.post("/webhook")
async def webhook(request: Request, x_signature: str = Header("")):
    body = await request.body()
    expected = hmac.new(API_TOKEN.encode(), body, hashlib.sha256).hexdigest()
    # vuln: timing
    if x_signature != expected:
        raise HTTPException(status_code=401)
    # safe: timing
    if not hmac.compare_digest(x_signature, expected):
        raise HTTPException(status_code=401)
    return {"ok": True}


@app.post("/users")
def create_user(username: str = Form(...), password: str = Form(...)):
    # vuln: weak-crypto
    pw_hash = hashlib.sha256(password.encode()).hexdigest()
    # safe: weak-crypto
    good = hashlib.pbkdf2_hmac("sha256", password.encode(), os.urandom(16), 600_000)
    return {"user": username, "hash": pw_hash, "ok": bool(good)}


@app.get("/export")
def export(rows: int = 10, fill: str = "x"):
    # safe: allocation
    return {"data": fill * min(rows, 1000)}


@app.get("/pad")
def pad(width: str = "10"):
    # vuln: allocation
    return {"data": " " * int(width)}


@app.get("/debug/eval")
def debug_eval(code: str):
    # vuln: code-injection
    exec(code)
    return {"ran": True}


@app.get("/error")
def error(n: str):
    try:
        return {"v": 10 / int(n)}
    except Exception as exc:
        # vuln: error-exposure
        return {"error": repr(exc)}
