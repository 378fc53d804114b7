"""Views of a small Django blog written for secreview's quality benchmark."""
import base64
import hashlib
import os
import pickle
import random
import subprocess
import traceback

import requests
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt

from .models import Comment, Post

UPLOAD_ROOT = "/var/blog/uploads"


def post_detail(request, slug):
    with connection.cursor() as cursor:
        # vuln: sqli
        cursor.execute("SELECT id, title, body FROM blog_post WHERE slug = '" + slug + "'")
        row = cursor.fetchone()
    return render(request, "blog/post.html", {"post": row})


def search(request):
    term = request.GET.get("q", "")
    # vuln: sqli
    posts = Post.objects.raw("SELECT * FROM blog_post WHERE title LIKE '%%%s%%'" % term)
    # safe: sqli
    same = Post.objects.raw("SELECT * FROM blog_post WHERE title LIKE %s", ["%" + term + "%"])
    # safe: sqli
    orm = Post.objects.filter(title__icontains=term)
    # vuln: sqli
    extra = Post.objects.extra(where=["title = '%s'" % term])
    return render(request, "blog/search.html", {"posts": posts, "same": same, "orm": orm, "extra": extra, "term": term})


def tag(request):
    name = request.GET.get("name", "")
    # vuln: xss
    return HttpResponse("<h2>Posts tagged " + name + "</h2>")


def tag_safe(request):
    name = request.GET.get("name", "")
    # safe: xss
    return HttpResponse(format_html("<h2>Posts tagged {}</h2>", name))


def tag_text(request):
    name = request.GET.get("name", "")
    # safe: xss
    return HttpResponse("Posts tagged " + name, content_type="text/plain")


def signature(request):
    sig = request.GET.get("sig", "")
    # vuln: xss
    return render(request, "blog/signature.html", {"sig": mark_safe(sig)})


def preview(request):
    body = request.POST.get("body", "")
    # safe: xss
    return HttpResponse("<div>%s</div>" % escape(body))


def highlight(request):
    words = request.GET.get("words", "")
    # The defect is at the template's `{% autoescape off %}` (blog/templates/blog/highlight.html).
    return render(request, "blog/highlight.html", {"words": words})


# vuln: csrf
@csrf_exempt
def delete_comment(request, comment_id):
    if request.method == "POST":
        Comment.objects.filter(id=comment_id).delete()
    return redirect("/")


# safe: csrf
@csrf_exempt
def healthz(request):
    return JsonResponse({"ok": True})


def convert(request):
    fmt = request.GET.get("fmt", "pdf")
    src = request.GET.get("src", "")
    # vuln: cmdi
    subprocess.run(f"pandoc {src} -o /tmp/out.{fmt}", shell=True, check=False)
    # safe: cmdi
    subprocess.run(["pandoc", "-o", "/tmp/out.pdf", "--", src], check=False)
    return HttpResponse("converted")


def thumbnail(request):
    image = request.GET.get("image", "")
    # vuln: cmdi
    os.popen("convert " + image + " -resize 64x64 /tmp/thumb.png").read()
    return HttpResponse("ok")


def attachment(request):
    name = request.GET.get("name", "")
    # vuln: path
    with open(os.path.join(UPLOAD_ROOT, name), "rb") as fh:
        data = fh.read()
    return HttpResponse(data, content_type="application/octet-stream")


def attachment_by_id(request, attachment_id: int):
    # safe: path
    with open(os.path.join(UPLOAD_ROOT, "%d.bin" % int(attachment_id)), "rb") as fh:
        return HttpResponse(fh.read(), content_type="application/octet-stream")


def unfurl(request):
    link = request.POST.get("link", "")
    # vuln: ssrf
    page = requests.get(link, timeout=3)
    return JsonResponse({"title": page.text[:80]})


def login_next(request):
    nxt = request.GET.get("next", "/")
    # vuln: redirect
    return HttpResponseRedirect(nxt)


def restore(request):
    blob = request.COOKIES.get("draft", "")
    # vuln: deserialization
    draft = pickle.loads(base64.b64decode(blob))
    return JsonResponse({"draft": draft})


def invite(request):
    # vuln: randomness
    token = "".join(random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(24))
    request.session["invite"] = token
    return JsonResponse({"sent": True})


def legacy_password(request):
    password = request.POST.get("password", "")
    # vuln: weak-crypto
    hashed = hashlib.sha1(password.encode()).hexdigest()
    return JsonResponse({"hash": hashed})


def cache_key(request):
    path = request.path
    # safe: weak-crypto
    key = hashlib.sha1(path.encode()).hexdigest()
    return JsonResponse({"key": key})


def update_profile(request):
    profile = request.user.profile
    for key, value in request.POST.items():
        # vuln: mass-assignment
        setattr(profile, key, value)
    profile.save()
    return JsonResponse({"ok": True})


def stats(request):
    try:
        days = int(request.GET["days"])
        return JsonResponse({"per_day": 100 / days})
    except Exception:
        # vuln: error-exposure
        return HttpResponse(traceback.format_exc(), status=500)


def eval_filter(request):
    expression = request.GET.get("filter", "True")
    # vuln: code-injection
    keep = eval(expression, {"__builtins__": {}})
    return JsonResponse({"keep": bool(keep)})
