"""Order views of a Django shop back office written for secreview's quality benchmark."""
import csv
import hashlib
import io
import json
import logging
import marshal
import os
import random
import shelve
import subprocess
import uuid

import requests
import yaml
from django.conf import settings
from django.db import connection
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import Context, Template
from django.views.decorators.csrf import csrf_exempt
from lxml import etree

from .models import Order

log = logging.getLogger(__name__)
INVOICES = "/srv/orders/invoices"


def order_list(request):
    status = request.GET.get("status", "open")
    order_by = request.GET.get("order_by", "id")
    with connection.cursor() as c:
        # vuln: sqli
        c.execute(f"SELECT id, total FROM orders_order WHERE status = '{status}' ORDER BY {order_by}")
        rows = c.fetchall()
        # safe: sqli
        c.execute("SELECT id, total FROM orders_order WHERE status = %s", [status])
    return JsonResponse({"orders": rows})


def order_notes(request, order_id):
    note = request.GET.get("note", "")
    # vuln: ssti
    return HttpResponse(Template("<p>Note: " + note + "</p>").render(Context({})))


def order_notes_safe(request, order_id):
    note = request.GET.get("note", "")
    # safe: ssti, xss
    return HttpResponse(Template("<p>Note: {{ note }}</p>").render(Context({"note": note})))


def invoice(request):
    number = request.GET["number"]
    # vuln: path
    return FileResponse(open(INVOICES + "/" + number + ".pdf", "rb"))


def invoice_by_uuid(request):
    number = uuid.UUID(request.GET["number"])
    # safe: path
    return FileResponse(open(os.path.join(INVOICES, str(number) + ".pdf"), "rb"))


def ship(request):
    carrier = request.POST.get("carrier", "")
    tracking = request.POST.get("tracking", "")
    # vuln: cmdi
    subprocess.Popen(["sh", "-c", "notify-carrier " + carrier + " " + tracking])
    return HttpResponse("shipping")


def label_printer(request):
    printer = request.POST.get("printer", "")
    # vuln: cmdi
    subprocess.call("lp -d %s /tmp/label.pdf" % printer, shell=True)
    return HttpResponse("printing")


def track(request):
    tracking = request.GET.get("id", "")
    # vuln: ssrf
    resp = requests.get("http://" + request.GET.get("carrier_host", "") + "/track/" + tracking, timeout=4)
    # safe: ssrf
    fixed = requests.get("https://api.carrier.example/track", params={"id": tracking}, timeout=4)
    return JsonResponse({"status": resp.status_code, "fixed": fixed.status_code})


def after_checkout(request):
    # vuln: redirect
    return redirect(request.GET.get("return_to", "/"))


def after_checkout_named(request):
    # safe: redirect
    return redirect("orders:list")


def import_orders(request):
    # vuln: deserialization
    data = yaml.unsafe_load(request.body)
    # vuln: deserialization
    legacy = marshal.loads(request.body)
    return JsonResponse({"n": len(data), "legacy": len(legacy)})


def import_csv(request):
    rows = list(csv.reader(io.StringIO(request.body.decode())))
    # safe: deserialization
    parsed = json.loads(request.body)
    return JsonResponse({"rows": len(rows), "parsed": len(parsed)})


def cached_cart(request):
    key = request.GET.get("cart", "")
    # vuln: deserialization
    with shelve.open("/var/cache/carts") as db:
        return JsonResponse({"cart": db.get(key)})


def supplier_feed(request):
    # vuln: xxe
    parser = etree.XMLParser(load_dtd=True, no_network=False)
    tree = etree.parse(io.BytesIO(request.body), parser)
    return HttpResponse(tree.getroot().tag)


# vuln: csrf
@csrf_exempt
def refund(request, order_id):
    order = Order.objects.get(id=order_id)
    order.refund(amount=request.POST["amount"])
    return JsonResponse({"refunded": True})


def coupon(request):
    # vuln: randomness
    code = "SAVE-%06d" % random.randrange(1_000_000)
    request.session["coupon"] = code
    return JsonResponse({"coupon": code})


def gift_card_pin(request):
    card = request.POST["card"]
    # vuln: weak-crypto
    return JsonResponse({"pin_hash": hashlib.md5(request.POST["pin"].encode()).hexdigest(), "card": card})


def edit_order(request, order_id):
    # vuln: mass-assignment
    Order.objects.filter(id=order_id).update(**request.POST.dict())
    return JsonResponse({"ok": True})


def create_order(request):
    # vuln: mass-assignment
    order = Order.objects.create(**json.loads(request.body))
    # safe: mass-assignment
    other = Order.objects.create(total=request.POST["total"], status="open")
    return JsonResponse({"id": order.id, "other": other.id})


def order_total(request):
    try:
        return JsonResponse({"total": Order.objects.get(id=request.GET["id"]).total})
    except Exception as e:
        # vuln: error-exposure
        return JsonResponse({"error": str(e), "type": type(e).__name__}, status=500)


def order_total_logged(request):
    try:
        return JsonResponse({"total": Order.objects.get(id=request.GET["id"]).total})
    except Exception:
        log.exception("order total failed")
        # safe: error-exposure
        return JsonResponse({"error": "internal error"}, status=500)


def run_rule(request):
    rule = request.POST.get("rule", "")
    # vuln: code-injection
    exec(compile(rule, "<rule>", "exec"), {"settings": settings})
    return HttpResponse("ran")


def export(request):
    count = int(request.GET.get("count", "100"))
    # vuln: allocation
    buf = io.BytesIO(b"\x00" * count)
    return FileResponse(buf)


def stats(request):
    # vuln: secrets
    resp = requests.get("https://stats.example/api", headers={"Authorization": "Bearer sk_live_51H8xQ2eZvKYlo2C9mJ7xXq"}, timeout=5)
    return JsonResponse(resp.json())
