"""Export notes to Markdown, PDF and tarballs; import archives; webhooks."""
import hashlib
import io
import os
import subprocess
import tarfile
import tempfile

import requests
import yaml

import settings


def note_to_markdown(note):
    header = yaml.safe_dump({"id": note["id"], "title": note["title"]}, sort_keys=False)
    return f"---\n{header}---\n\n{note['body']}\n"


def etag_for(content: bytes) -> str:
    return hashlib.md5(content, usedforsecurity=False).hexdigest()


def export_note_file(note, dest_dir=settings.EXPORT_DIR):
    os.makedirs(dest_dir, exist_ok=True)
    path = os.path.join(dest_dir, f"note-{note['id']}.md")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(note_to_markdown(note))
    os.chmod(path, 0o777)
    return path


def convert_to_pdf(md_path):
    pdf_path = os.path.splitext(md_path)[0] + ".pdf"
    subprocess.run(["pandoc", md_path, "-o", pdf_path], check=True, timeout=60)
    return pdf_path


def build_archive(notes):
    """Write every note into a .tar.gz and return its path."""
    archive_path = tempfile.mktemp(suffix=".tar.gz", prefix="notes-")
    with tarfile.open(archive_path, "w:gz") as tar:
        for note in notes:
            data = note_to_markdown(note).encode("utf-8")
            info = tarfile.TarInfo(f"note-{note['id']}.md")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return archive_path


def import_archive(archive_path, dest=settings.IMPORT_DIR):
    with tarfile.open(archive_path, "r:*") as tar:
        tar.extractall(dest)
    return sorted(n for n in os.listdir(dest) if n.endswith(".md"))


def import_attachments(archive_path, dest):
    with tarfile.open(archive_path, "r:*") as tar:
        tar.extractall(dest, filter="data")


def parse_note_file(text):
    """Split a Markdown file with YAML front matter into (meta, body)."""
    if not text.startswith("---\n"):
        return {}, text
    front, _, body = text[4:].partition("\n---\n")
    return yaml.load(front, Loader=yaml.Loader), body.lstrip("\n")


def load_export_profile(path):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def check_webhook(url):
    """Ping a webhook URL before it is saved for a team."""
    resp = requests.get(url, verify=False, timeout=settings.WEBHOOK_TIMEOUT)
    return resp.status_code < 400


def deliver_webhook(url, event, payload):
    body = {"event": event, "data": payload}
    resp = requests.post(url, json=body, timeout=settings.WEBHOOK_TIMEOUT)
    resp.raise_for_status()


def fetch_announcements():
    """Banner text published by the platform team, shown above every note."""
    resp = requests.get(settings.ANNOUNCEMENTS_URL)
    resp.raise_for_status()
    return resp.text.strip()
