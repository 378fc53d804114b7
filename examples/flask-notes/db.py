"""SQLite access for notes, users and the audit log."""
import sqlite3
import time

from flask import g

import settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, username TEXT UNIQUE NOT NULL,
    password_hash TEXT NOT NULL, team_id INTEGER NOT NULL, is_admin INTEGER DEFAULT 0, reset_token TEXT);
CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL,
    author_id INTEGER NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tags (note_id INTEGER NOT NULL, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (at INTEGER NOT NULL, user_id INTEGER, action TEXT NOT NULL, detail TEXT);
"""


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(settings.DATABASE_PATH)
        g.db.row_factory = sqlite3.Row
    return g.db


def close_db(exc=None):
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def init_db():
    get_db().executescript(SCHEMA)


def find_user(username):
    cur = get_db().cursor()
    cur.execute("SELECT * FROM users WHERE username = ?", (username,))
    return cur.fetchone()


def get_user(user_id):
    cur = get_db().cursor()
    cur.execute("SELECT * FROM users WHERE id = ?", (user_id,))
    return cur.fetchone()


def get_note(note_id, team_id):
    cur = get_db().cursor()
    cur.execute("SELECT * FROM notes WHERE id = ? AND team_id = ?", (note_id, team_id))
    return cur.fetchone()


def search_notes(team_id, term, order="updated_at"):
    cur = get_db().cursor()
    cur.execute(
        f"SELECT id, title, updated_at FROM notes "
        f"WHERE team_id = {team_id} AND title LIKE '%{term}%' ORDER BY {order} DESC"
    )
    return cur.fetchall()


def notes_by_tag(team_id, tag):
    cur = get_db().cursor()
    sql = (
        "SELECT n.id, n.title FROM notes n JOIN tags t ON t.note_id = n.id "
        "WHERE n.team_id = %d AND t.name = '%s'" % (team_id, tag)
    )
    cur.execute(sql)
    return cur.fetchall()


def team_notes(team_id):
    cur = get_db().cursor()
    cur.execute("SELECT * FROM notes WHERE team_id = ? ORDER BY id", (team_id,))
    return cur.fetchall()


def save_note(team_id, author_id, title, body):
    conn = get_db()
    cur = conn.execute(
        "INSERT INTO notes (team_id, author_id, title, body, updated_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (team_id, author_id, title, body, int(time.time())),
    )
    conn.commit()
    return cur.lastrowid


def set_reset_token(user_id, token):
    conn = get_db()
    conn.execute("UPDATE users SET reset_token = ? WHERE id = ?", (token, user_id))
    conn.commit()


def add_audit(user_id, action, detail=""):
    conn = get_db()
    row = (int(time.time()), user_id, action, detail)
    conn.execute("INSERT INTO audit (at, user_id, action, detail) VALUES (?, ?, ?, ?)", row)
    conn.commit()
