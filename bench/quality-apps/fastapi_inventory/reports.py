"""Report endpoints of the inventory API (FastAPI), written for secreview's quality benchmark."""
import sqlite3
import ssl
import subprocess
import xml.dom.minidom

import httpx
from fastapi import APIRouter, Body, Query
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, Template

router = APIRouter()
env = Environment(autoescape=True)


@router.get("/reports/title", response_class=HTMLResponse)
def title(heading: str = Query("")):
    # vuln: ssti, xss
    return Template("<h1>" + heading + "</h1>").render()


@router.get("/reports/title/safe", response_class=HTMLResponse)
def title_safe(heading: str = Query("")):
    # safe: ssti
    return env.from_string("<h1>{{ heading }}</h1>").render(heading=heading)


@router.get("/reports/upstream")
def upstream(path: str = "status"):
    # vuln: tls
    return httpx.get("https://erp.internal/" + "status", verify=False).json()


@router.get("/reports/legacy")
def legacy():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    # vuln: tls
    ctx.verify_mode = ssl.CERT_NONE
    return {"ok": True}


@router.post("/reports/layout")
def layout(xml_text: str = Body(...)):
    # vuln: xxe
    return {"root": xml.dom.minidom.parseString(xml_text).documentElement.tagName}


@router.post("/reports/cleanup")
def cleanup(table: str = Body(...)):
    con = sqlite3.connect("inventory.db")
    # vuln: sqli
    con.executescript("DELETE FROM " + table + "; VACUUM;")
    return {"ok": True}


@router.get("/reports/open")
def open_report(name: str):
    # vuln: cmdi
    subprocess.Popen("xdg-open /srv/reports/" + name, shell=True)
    return {"ok": True}


@router.get("/reports/back")
def back(url: str):
    # vuln: redirect
    return RedirectResponse(url=url, status_code=303)


@router.get("/reports/back/local")
def back_local():
    # safe: redirect
    return RedirectResponse(url="/reports", status_code=303)
