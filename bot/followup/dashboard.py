"""``teman-ikd dashboard``: a small read-only web page of the supervisors' figures.

Served by tornado (already installed with python-telegram-bot's webhooks extra; no new web
framework). The page shows the same three lines, tables and chart (SVG from bot/followup/charts.py)
as the report: aggregates only, never a name, a NIK, a chat id or a transcript line.

Access: a user name and password from the environment (TEMAN_IKD_DASHBOARD_USER, default
"supervisor"; TEMAN_IKD_DASHBOARD_PASSWORD). Without a password it only listens on loopback.
A wrong sign-in says "user name or password is wrong" (never which); after MAX_FAILURES
failures from one address (or 10x that from all) within WINDOW seconds, sign-in is refused for
the rest of the window. Sessions are signed cookies (key random per start), HttpOnly, SameSite.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import os
import secrets
import sys
import time
from collections import deque
from datetime import datetime

import tornado.ioloop
import tornado.web
from tornado.template import Template

from bot.followup import charts, report
from bot.guide import Guide

MAX_FAILURES = 5
WINDOW = 15 * 60.0
COOKIE = "teman_ikd_dash"
SESSION_DAYS = 0.5

PAGE = Template("""<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:1100px;color:#1a202c;padding:0 1rem}
h1{font-size:1.4rem}table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
th,td{padding:.25rem .6rem;border-bottom:1px solid #e2e8f0;text-align:right}
th:first-child,td:first-child{text-align:left}
.lines p{margin:.2rem 0;font-size:1.05rem}.note{color:#4a5568;font-size:.85rem}.error{color:#c53030}
img{max-width:100%;border:1px solid #e2e8f0}form label{display:block;margin:.5rem 0}
</style></head><body>
<h1>{{ title }}</h1>
{% if login %}
  {% if error %}<p class="error" role="alert">{{ error }}</p>{% end %}
  <form method="post" action="/login">{% raw xsrf %}
    <label>{{ user_label }} <input name="user" autocomplete="username"></label>
    <label>{{ password_label }} <input name="password" type="password" autocomplete="current-password"></label>
    <button type="submit">{{ login_label }}</button>
  </form>
{% else %}
  <div class="lines">{% for line in lines %}<p>{{ line }}</p>{% end %}</div>
  <img src="/chart.svg" alt="{{ chart_alt }}">
  {% for table in tables %}
  <table><thead><tr>{% for cell in table[0] %}<th>{{ cell }}</th>{% end %}</tr></thead>
  <tbody>{% for row in table[1] %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% end %}</tr>{% end %}</tbody></table>
  {% end %}
  <p class="note">{{ note }}</p>
{% end %}
</body></html>""")


class Attempts:
    """Failed sign-ins per address and in total, in a sliding window."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.failures: dict[str, deque[float]] = {}
        self.all: deque[float] = deque()

    def _trim(self, q: deque[float]) -> deque[float]:
        while q and q[0] < self.clock() - WINDOW:
            q.popleft()
        return q

    def blocked(self, address: str) -> bool:
        return (len(self._trim(self.failures.setdefault(address, deque()))) >= MAX_FAILURES
                or len(self._trim(self.all)) >= MAX_FAILURES * 10)

    def failed(self, address: str) -> None:
        self.failures.setdefault(address, deque()).append(self.clock())
        self.all.append(self.clock())


class Base(tornado.web.RequestHandler):
    @property
    def d(self) -> Dashboard:
        return self.application.settings["dashboard"]

    def get_current_user(self) -> str | None:
        if self.d.password is None:
            return "local"  # loopback only (checked at start)
        value = self.get_signed_cookie(COOKIE, max_age_days=SESSION_DAYS)
        return value.decode() if value else None

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Frame-Options", "DENY")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Content-Security-Policy",
                        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'self'")

    def page(self, **values) -> None:
        t = self.d.words.t
        base = dict(lang=t.locale.language, title=t.text("dash.title"), login=False, error=None, lines=[], tables=[],
                    note="", user_label=t.text("dash.user"), password_label=t.text("dash.password"),
                    login_label=t.text("dash.login"), chart_alt=t.text("chart.funnel"), xsrf=self.xsrf_form_html())
        base.update(values)
        self.write(PAGE.generate(**base))


class Home(Base):
    def get(self) -> None:
        if not self.current_user:
            self.page(login=True)
            return
        f = self.d.funnel()
        w = self.d.words
        t = w.t
        steps = ([t.text(k) for k in ("report.col.step", "report.col.reached", "report.col.stalled",
                                      "report.col.median", "report.col.handoffs")],
                 [[w.step(s.milestone), w.number(s.reached), w.number(s.stalled), w.duration(s.median_seconds),
                   w.number(s.handoffs)] for s in f.steps])
        no_target = t.text("report.no_target")
        places = ([t.text(k) for k in ("report.col.kecamatan", "report.col.steps_reached", "report.col.activated",
                                       "report.col.target", "report.col.share")],
                  [[w.place(p.kecamatan), w.number(p.reached), w.number(p.activated),
                    w.number(p.target.target_people) if p.target and p.target.target_people else no_target,
                    w.share(p.share)] for p in f.places])
        weeks = ([t.text(k) for k in ("report.col.week", "report.col.reached", "report.col.activated")],
                 [[w.day(k.start), w.number(k.started), w.number(k.activated)] for k in f.weeks])
        note = t.text("dash.updated", when=t.moment(datetime.now(self.d.region.timezone), self.d.region.timezone))
        if f.city and not f.targets_confirmed:
            note += " " + t.text("report.target_note", source=f.target_source)
        self.page(lines=report.three_lines(f, w), tables=[steps, places, weeks], note=note)


class Chart(Base):
    @tornado.web.authenticated
    def get(self) -> None:
        self.set_header("Content-Type", "image/svg+xml")
        self.write(charts.draw(self.d.funnel(), self.d.words, "svg"))


class Login(Base):
    def post(self) -> None:
        t = self.d.words.t
        address = self.request.remote_ip or "?"
        if self.d.attempts.blocked(address):
            self.set_status(429)
            self.page(login=True, error=t.text("dash.too_many", minutes=int(WINDOW // 60)))
            return
        user = self.get_body_argument("user", "")
        password = self.get_body_argument("password", "")
        # Both compared, always, in constant time: the answer does not tell which one was wrong.
        ok_user = hmac.compare_digest(user.encode(), self.d.user.encode())
        ok_password = hmac.compare_digest(password.encode(), (self.d.password or "").encode())
        if ok_user and ok_password and self.d.password:
            self.set_signed_cookie(COOKIE, "supervisor", expires_days=SESSION_DAYS, httponly=True, samesite="Strict")
            self.redirect("/")
            return
        self.d.attempts.failed(address)
        self.set_status(401)
        self.page(login=True, error=t.text("dash.wrong"))


class Dashboard:
    def __init__(self, guide: Guide, locale: str, user: str, password: str | None):
        engine = guide.engines[locale]
        self.guide, self.flow, self.region = guide, engine.flow, engine.needs_region()
        self.words = report.Words(guide.renderers[locale].t, engine.flow, self.region)
        self.user, self.password = user, password
        self.attempts = Attempts()

    def funnel(self):
        today = datetime.now(self.region.timezone).date()
        return report.build(self.guide.store, self.flow, self.region, None, today)

    def app(self) -> tornado.web.Application:
        return tornado.web.Application(
            [(r"/", Home), (r"/chart\.svg", Chart), (r"/login", Login)],
            dashboard=self, cookie_secret=secrets.token_hex(32), xsrf_cookies=True, login_url="/")


def is_loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def main_dashboard(db: str, listen: str, port: int, locale: str) -> int:
    from bot.assembly import build_guide
    from bot.store import Store

    password = os.environ.get("TEMAN_IKD_DASHBOARD_PASSWORD") or None
    user = os.environ.get("TEMAN_IKD_DASHBOARD_USER") or "supervisor"
    if password is None and not is_loopback(listen):
        print(f"teman-ikd dashboard: refusing to listen on {listen} without TEMAN_IKD_DASHBOARD_PASSWORD "
              "(set it, or listen on 127.0.0.1)", file=sys.stderr)
        return 2
    if db != ":memory:" and not os.path.exists(db):
        print(f"teman-ikd dashboard: no database at {db} (set --db or TEMAN_IKD_DATABASE)", file=sys.stderr)
        return 2
    guide = build_guide(Store(db), locale=locale)
    Dashboard(guide, locale, user, password).app().listen(port, address=listen)
    print(f"dashboard on http://{listen}:{port}/", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        tornado.ioloop.IOLoop.current().start()
    return 0
