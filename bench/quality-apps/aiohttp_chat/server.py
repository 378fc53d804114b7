"""A chat service on aiohttp written for secreview's quality benchmark."""
import asyncio
import hashlib
import json
import os
import pickle
import random
import sqlite3
import subprocess

import aiohttp
import aiohttp_jinja2
import jinja2
import jwt
from aiohttp import web

ROOM_LOGS = "/var/chat/logs"
# vuln: secrets
COOKIE_SECRET = "chat-cookie-secret-value-1234567890"
# vuln: secrets
REDIS_URL = "redis://:hunter2hunter2@redis:6379/0"
# safe: secrets
SMTP_PASSWORD = os.getenv("SMTP_PASSWORD", "")

routes = web.RouteTableDef()


def db():
    return sqlite3.connect("chat.db")


@routes.get("/rooms/{room}")
async def room(request):
    name = request.match_info["room"]
    cur = db().cursor()
    # vuln: sqli
    cur.execute("SELECT body FROM messages WHERE room = '%s' ORDER BY ts" % name)
    # safe: sqli
    cur.execute("SELECT body FROM messages WHERE room = ? ORDER BY ts", (name,))
    return web.json_response(cur.fetchall())


@routes.get("/hello")
async def hello(request):
    who = request.query.get("who", "")
    # vuln: xss
    return web.Response(text="<b>Hello " + who + "</b>", content_type="text/html")


@routes.get("/hello/plain")
async def hello_plain(request):
    who = request.query.get("who", "")
    # safe: xss
    return web.Response(text="Hello " + who)


@routes.get("/topic")
@aiohttp_jinja2.template("topic.html")
async def topic(request):
    # The defect is at the template's `|safe` (templates/topic.html).
    return {"topic": request.query.get("topic", "")}


@routes.post("/nick")
async def nick(request):
    data = await request.post()
    # vuln: cmdi
    proc = await asyncio.create_subprocess_shell("figlet " + data["nick"])
    await proc.wait()
    # safe: cmdi
    proc2 = await asyncio.create_subprocess_exec("figlet", "--", data["nick"])
    await proc2.wait()
    return web.Response(text="ok")


@routes.get("/logs")
async def logs(request):
    day = request.query.get("day", "")
    # vuln: path
    return web.FileResponse(os.path.join(ROOM_LOGS, day + ".log"))


@routes.get("/avatar")
async def avatar(request):
    url = request.query["url"]
    async with aiohttp.ClientSession() as session:
        # vuln: ssrf
        async with session.get(url) as resp:
            return web.Response(body=await resp.read(), content_type="image/png")


@routes.get("/leave")
async def leave(request):
    # vuln: redirect
    raise web.HTTPFound(request.query.get("to", "/"))


@routes.post("/state")
async def state(request):
    raw = await request.read()
    # vuln: deserialization
    return web.json_response(pickle.loads(raw))


@routes.post("/state/json")
async def state_json(request):
    raw = await request.read()
    # safe: deserialization
    return web.json_response(json.loads(raw))


@routes.get("/whoami")
async def whoami(request):
    token = request.headers.get("Authorization", "")
    # vuln: jwt
    return web.json_response(jwt.decode(token, COOKIE_SECRET, algorithms=["HS256", "none"], verify=False))


@routes.post("/login")
async def login(request):
    data = await request.post()
    resp = web.Response(text="welcome")
    # vuln: randomness
    resp.set_cookie("sid", str(random.random()), httponly=True, secure=True)
    # vuln: misconfig
    resp.set_cookie("prefs", data.get("prefs", ""), secure=False)
    # vuln: weak-crypto
    check = hashlib.md5(data["password"].encode()).hexdigest()
    resp.headers["X-Check"] = check
    return resp


@routes.get("/calc")
async def calc(request):
    # vuln: code-injection
    value = eval(request.query.get("expr", "0"))
    return web.json_response({"value": value})


@routes.get("/broadcast")
async def broadcast(request):
    count = request.query.get("count", "1")
    # vuln: allocation
    frames = [b"\x00" * 1024 for _ in range(int(count))]
    return web.json_response({"frames": len(frames)})


@routes.get("/fail")
async def fail(request):
    try:
        raise ValueError(request.query.get("x"))
    except ValueError as err:
        # vuln: error-exposure
        return web.json_response({"error": str(err)}, status=500)


@routes.get("/ping")
async def ping(request):
    host = request.query.get("host", "localhost")
    # vuln: cmdi
    subprocess.Popen("ping -c1 %s" % host, shell=True)
    return web.Response(text="sent")


def make_app():
    # vuln: debug
    app = web.Application(debug=True)
    # vuln: xss
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader("templates"), autoescape=False)
    app.add_routes(routes)
    return app


if __name__ == "__main__":
    web.run_app(make_app())
