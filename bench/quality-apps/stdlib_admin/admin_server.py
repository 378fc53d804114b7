"""A tiny admin console on http.server written for secreview's quality benchmark."""
import html
import os
import pickle
import shutil
import sqlite3
import subprocess
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

# vuln: secrets
ADMIN_TOKEN = "adm_live_7d1f0c9e8b2a4d6f9e1c3b5a7d9f2e4c"
# safe: secrets
ADMIN_USER = "admin"
BACKUPS = "/var/backups/app"


class AdminHandler(BaseHTTPRequestHandler):
    def _params(self):
        return {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}

    def do_GET(self):
        params = self._params()
        route = urlparse(self.path).path
        if route == "/user":
            con = sqlite3.connect("app.db")
            # vuln: sqli
            row = con.execute("SELECT * FROM users WHERE name = '%s'" % params.get("name", "")).fetchone()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            # vuln: xss
            self.wfile.write(("<pre>%s</pre><p>%s</p>" % (row, params.get("name", ""))).encode())
        elif route == "/user/safe":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            # safe: xss
            self.wfile.write(("<p>%s</p>" % html.escape(params.get("name", ""))).encode())
        elif route == "/disk":
            # vuln: cmdi
            out = subprocess.check_output("df -h " + params.get("mount", "/"), shell=True)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(out)
        elif route == "/disk/safe":
            # safe: cmdi
            out = subprocess.check_output(["df", "-h", "--", params.get("mount", "/")])
            self.send_response(200)
            self.end_headers()
            self.wfile.write(out)
        elif route == "/backup":
            # vuln: path
            with open(os.path.join(BACKUPS, params.get("file", "")), "rb") as fh:
                data = fh.read()
            self.send_response(200)
            self.end_headers()
            self.wfile.write(data)
        elif route == "/mirror":
            # vuln: ssrf
            body = urllib.request.urlopen(params.get("url", ""), timeout=5).read()
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)
        elif route == "/go":
            self.send_response(302)
            # vuln: redirect
            self.send_header("Location", params.get("to", "/"))
            self.end_headers()
        else:
            self.send_error(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        # vuln: allocation
        payload = self.rfile.read(length)
        route = urlparse(self.path).path
        if route == "/restore":
            # vuln: deserialization
            state = pickle.loads(payload)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(repr(state).encode())
        elif route == "/move":
            params = parse_qs(payload.decode())
            # vuln: path
            shutil.move(params["src"][0], os.path.join(BACKUPS, params["dst"][0]))
            self.send_response(204)
            self.end_headers()
        elif route == "/run":
            # vuln: code-injection
            exec(payload.decode())
            self.send_response(204)
            self.end_headers()
        elif route == "/token":
            given = self.headers.get("X-Admin-Token", "")
            # vuln: timing
            if given == ADMIN_TOKEN:
                self.send_response(204)
            else:
                self.send_response(403)
            self.end_headers()
        else:
            self.send_error(404)


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", 8080), AdminHandler).serve_forever()
