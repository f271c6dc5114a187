"""Load test: many people using `sivreg dashboard` at once, driven over the real protocol.

    .venv/bin/python benchmarks/bench_dashboard.py [--users 10] [--spread 30] [--answers 5]
        [--burst 20] [--max-pages N] [--preheat N] [--idle-minutes 1] [--url http://127.0.0.1:PORT/]

Starts `sivreg dashboard` on a free port of 127.0.0.1 (or uses --url), then runs

1. **arrivals**: `--users` visitors arriving evenly within `--spread` seconds. Each one does
   what a browser does: GET the page (as a browser navigation), open the kernel's WebSocket,
   ask for the widgets' state (the ipywidgets 8 `jupyter.widget.control` comm), then answers
   `--answers` questions, each time the one the page marks as next (as the sepsis example's
   answers file answers it, "Vet ikke" where it has no answer), and waits until the kernel
   has sent every update of the answer.
   Then the page is closed: the `beforeunload` beacon with the `_xsrf` cookie, as Voilà's
   page sends it.
2. **burst**: `--burst` visitors at the same instant: each must get the page or the busy
   page (503), none may hang or fail.
3. **after**: how long until the kernels and the memory are back at the idle level.

Measured per visitor: page open -> first question (GET start until the widget state with
the next question has arrived; a browser adds its JavaScript start-up, about 0.5 s),
answer -> all updates, busy pages, errors, hangs (`--timeout` per visitor). Memory: the
proportional set size (PSS) of the server and its kernels. Everything is bounded: at most
`--max-users` visitors in all and `--deadline` seconds for the whole run.

Writes build/bench-dashboard.json and prints a summary. Goals (issue 12): 10 users arriving
within 30 s all see the first question within 3 s (p95); 20 at once all get the page or the
busy page; afterwards kernels and memory return to the idle level within the idle time.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "bench-dashboard.json"
BROWSER_HEADERS = {"Accept": "text/html,application/xhtml+xml", "Sec-Fetch-Dest": "document",
                   "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "none",
                   "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) sivreg-load-test"}
_CONFIG = re.compile(r'<script id="jupyter-config-data" type="application/json">\s*(\{.*?\})\s*</script>', re.S)
_MAX_BODY = 50 * 2**20
CONTROL_PROTOCOL = "1.0.0"  # ipywidgets 8's jupyter.widget.control comm


# -- the server ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sivreg_command() -> list[str]:
    script = Path(sys.executable).with_name("sivreg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sivreg.cli"]


class Server:
    """`sivreg dashboard` on a free port; stopped with SIGTERM."""

    def __init__(self, *, max_pages: int | None, preheat: int, idle_minutes: float, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        argv = [*sivreg_command(), "dashboard", "--port", str(self.port), "--no-browser",
                "--preheat", str(preheat), "--idle-minutes", str(idle_minutes)]
        if max_pages:
            argv += ["--max-pages", str(max_pages)]
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = log
        self._log = open(log, "w")
        env = os.environ.copy()
        env.setdefault("JUPYTER_DATA_DIR", str(ROOT / "build" / "jupyter-data"))
        env.setdefault("JUPYTER_CONFIG_DIR", str(ROOT / "build" / "jupyter-config"))
        self.proc = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT, cwd=str(ROOT), env=env)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


async def health(url: str) -> dict | None:
    try:
        r = await AsyncHTTPClient().fetch(url + "sivreg/health", request_timeout=10)
        return json.loads(r.body)
    except Exception:
        return None


async def wait_ready(url: str, preheat: int, proc=None, timeout: float = 120) -> dict:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        h = await health(url)
        if h and h["preheated"] >= preheat and h["pages"] == 0 and h["starting"] == 0:
            return h
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("the dashboard server stopped")
        await asyncio.sleep(0.3)
    raise RuntimeError(f"the dashboard server was not ready within {timeout} s")


def memory_mb(pid: int | None, children: bool = True) -> float | None:
    """PSS (or RSS where PSS is not available) of a process and its children, in MB."""
    if pid is None:
        return None
    try:
        import psutil
    except ImportError:
        return None
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)] if children else [root]
    except psutil.Error:
        return None
    total = 0
    for p in procs:
        try:
            info = p.memory_full_info()
            total += getattr(info, "pss", None) or info.rss
        except psutil.Error:
            continue
    return round(total / 2**20, 1)


def cpu_seconds(pid: int | None) -> float | None:
    """CPU time used so far by a process and all its children, the ones that ended included."""
    if pid is None:
        return None
    try:
        import psutil
        root = psutil.Process(pid)
        t = root.cpu_times()
        total = t.user + t.system + t.children_user + t.children_system
        for child in root.children(recursive=True):
            try:
                c = child.cpu_times()
                total += c.user + c.system
            except psutil.Error:
                continue
        return total
    except (ImportError, Exception):
        return None


_BOOK = None
EXAMPLE = ROOT / "parameters" / "sepsis-icu.yaml"


def _book():
    global _BOOK
    if _BOOK is None:
        from sivreg.catalogue import rulebook
        _BOOK = rulebook()
    return _BOOK


def _example_answers() -> dict:
    try:
        from sivreg.io import load
        return dict(load(EXAMPLE).answers.to_dict())
    except Exception:  # the example is only a source of plausible answers
        return {}


EXAMPLE_ANSWERS = _example_answers()


# -- one visitor -----------------------------------------------------------------------------------

class Visitor:
    """One person: open the page, answer, close."""

    def __init__(self, url: str, answers: int, timeout: float):
        self.url, self.n_answers, self.timeout = url, answers, timeout
        self.session = uuid.uuid4().hex
        self.states: dict[str, dict] = {}
        self.comm_names: dict[str, str] = {}
        self.waiting: dict[str, asyncio.Future] = {}
        self.result = {"outcome": None, "first_question_s": None, "answer_s": [], "error": None}

    # the kernel protocol (JSON over the WebSocket, jupyter_server's legacy protocol)
    def _msg(self, msg_type: str, content: dict, metadata: dict | None = None) -> dict:
        return {"header": {"msg_id": uuid.uuid4().hex, "username": "load", "session": self.session,
                           "msg_type": msg_type, "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": metadata or {}, "content": content, "channel": "shell",
                "buffers": []}

    async def _send(self, msg_type: str, content: dict, metadata: dict | None = None) -> asyncio.Future:
        msg = self._msg(msg_type, content, metadata)
        done = asyncio.get_running_loop().create_future()
        self.waiting[msg["header"]["msg_id"]] = done
        await self.ws.write_message(json.dumps(msg))
        return done

    @staticmethod
    def _decode(raw) -> dict:
        if isinstance(raw, bytes):  # binary message: count, offsets, JSON, buffers
            n = int.from_bytes(raw[:4], "big")
            offsets = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(n)]
            end = offsets[1] if n > 1 else len(raw)
            return json.loads(raw[offsets[0]:end])
        return json.loads(raw)

    async def _reader(self) -> None:
        while True:
            raw = await self.ws.read_message()
            if raw is None:
                return
            msg = self._decode(raw)
            kind, content = msg["header"]["msg_type"], msg["content"]
            parent = msg.get("parent_header", {}).get("msg_id")
            if kind == "comm_open":
                self.comm_names[content["comm_id"]] = content.get("target_name", "")
                state = content.get("data", {}).get("state")
                if state is not None:
                    self.states[content["comm_id"]] = dict(state)
            elif kind == "comm_msg":
                data = content.get("data", {})
                if data.get("method") == "update_states":
                    for mid, st in data.get("states", {}).items():
                        self.states[mid] = dict(st.get("state", {}), _model_name=st.get("model_name"))
                    fut = self.waiting.pop("states", None)
                    if fut and not fut.done():
                        fut.set_result(True)
                elif data.get("method") == "update":
                    self.states.setdefault(content["comm_id"], {}).update(data.get("state", {}))
            elif kind == "status" and content.get("execution_state") == "idle" and parent in self.waiting:
                fut = self.waiting.pop(parent)
                if not fut.done():
                    fut.set_result(True)

    def next_question(self) -> tuple[str, dict] | None:
        for mid, st in self.states.items():
            classes = st.get("_dom_classes") or []
            if "sv-q" in classes and "sv-next" in classes:
                return mid, st
        return None

    def _child(self, ref: str) -> tuple[str, dict]:
        mid = ref.removeprefix("IPY_MODEL_")
        return mid, self.states.get(mid, {})

    def _answer_update(self, box: dict) -> tuple[str, dict]:
        """The widget to change and its new state: the example project's answer to the
        question, "Vet ikke" where it has none (as tests/test_browser_dashboard.py answers)."""
        qid = next(c for c in box["_dom_classes"] if c.startswith("sv-qid-"))[len("sv-qid-"):].replace("--", ".")
        q = _book().questions[qid]
        value = EXAMPLE_ANSWERS.get(qid, "unknown")
        mid, inp = self._child(box["children"][3])
        if q.type in ("bool", "enum"):
            values = ["yes", "no"] if q.type == "bool" else [o.value for o in q.options]
            values.append("unknown")
            return mid, {"index": values.index(value) if value in values else len(values) - 1}
        kids = inp.get("children") or []
        if q.type == "multi":
            values = [o.value for o in q.options] + ["unknown"]
            first = value[0] if isinstance(value, list) and value else value
            return self._child(kids[values.index(first) if first in values else -1])[0], {"value": True}
        if value == "unknown":  # text, date, number: the "Vet ikke" box
            return self._child(kids[-1])[0], {"value": True}
        return self._child(kids[0])[0], {"value": str(value)}

    async def run(self) -> dict:
        t0 = time.perf_counter()
        client = AsyncHTTPClient()
        try:
            r = await client.fetch(HTTPRequest(self.url, headers=BROWSER_HEADERS, request_timeout=self.timeout),
                                   raise_error=False)
            if r.code == 503:
                self.result["outcome"] = "busy"
                return self.result
            if r.code != 200:
                raise RuntimeError(f"GET / -> {r.code}")
            body = r.body.decode("utf-8", "replace")
            m = _CONFIG.search(body)
            if not m:
                raise RuntimeError("no kernel in the page")
            kernel = json.loads(m.group(1))["kernelId"]
            cookies = "; ".join(c.split(";", 1)[0] for c in r.headers.get_list("Set-Cookie"))
            xsrf = re.search(r"_xsrf=([^;]+)", cookies)
            ws_url = self.url.replace("http", "ws", 1) + f"api/kernels/{kernel}/channels?session_id={self.session}"
            self.ws = await websocket_connect(HTTPRequest(ws_url, headers={"Cookie": cookies}),
                                              max_message_size=_MAX_BODY)
            reader = asyncio.ensure_future(self._reader())
            try:
                control = uuid.uuid4().hex
                self.waiting["states"] = asyncio.get_running_loop().create_future()
                await self._send("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control",
                                               "data": {}}, {"version": CONTROL_PROTOCOL})
                await self._send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
                await self.waiting["states"]
                if self.next_question() is None:
                    panel = next((st.get("value", "") for st in self.states.values()
                                  if "sv-result" in (st.get("_dom_classes") or [])), "")
                    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", panel)).strip()
                    raise RuntimeError(f"no next question on the page; the result panel says: {text[:200]!r}")
                self.result["first_question_s"] = time.perf_counter() - t0
                for _ in range(self.n_answers):
                    q = self.next_question()
                    if q is None:
                        break
                    mid, state = self._answer_update(q[1])
                    t1 = time.perf_counter()
                    done = await self._send("comm_msg", {"comm_id": mid, "data": {
                        "method": "update", "state": state, "buffer_paths": []}})
                    await done
                    self.result["answer_s"].append(time.perf_counter() - t1)
                self.result["outcome"] = "page"
            finally:
                # the page closes: Voilà's beforeunload beacon, then the socket goes
                body = urlencode({"_xsrf": xsrf.group(1) if xsrf else ""})
                try:
                    await client.fetch(HTTPRequest(self.url + f"voila/api/shutdown/{kernel}", method="POST",
                                                   body=body, headers={"Cookie": cookies}, request_timeout=10),
                                       raise_error=False)
                finally:
                    self.ws.close()
                    reader.cancel()
        except Exception as exc:
            self.result["outcome"] = "error"
            self.result["error"] = f"{type(exc).__name__}: {exc}"
        return self.result


async def visit(url: str, delay: float, answers: int, timeout: float) -> dict:
    await asyncio.sleep(delay)
    v = Visitor(url, answers, timeout)
    try:
        return await asyncio.wait_for(v.run(), timeout)
    except asyncio.TimeoutError:
        return {**v.result, "outcome": "hang", "error": f"no answer within {timeout} s"}


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))], 3)


def summarise(results: list[dict]) -> dict:
    first = [r["first_question_s"] for r in results if r["first_question_s"] is not None]
    answers = [a for r in results for a in r["answer_s"]]
    count = {k: sum(1 for r in results if r["outcome"] == k) for k in ("page", "busy", "error", "hang")}
    return {"visitors": len(results), **count,
            "first_question_s": {"p50": pct(first, 50), "p95": pct(first, 95), "max": pct(first, 100)},
            "answer_s": {"p50": pct(answers, 50), "p95": pct(answers, 95), "max": pct(answers, 100),
                         "n": len(answers)},
            "errors": sorted({r["error"] for r in results if r["error"]})[:10]}


async def phase(url: str, users: int, spread: float, answers: int, timeout: float, pid: int | None = None) -> dict:
    delays = [spread * i / max(1, users - 1) for i in range(users)] if users > 1 else [0.0]
    t0, cpu0 = time.perf_counter(), cpu_seconds(pid)
    results = await asyncio.gather(*(visit(url, d, answers, timeout) for d in delays))
    summary = {**summarise(list(results)), "users": users, "spread_s": spread,
               "wall_s": round(time.perf_counter() - t0, 2)}
    cpu1 = cpu_seconds(pid)
    if cpu0 is not None and cpu1 is not None and summary["page"]:
        # includes the refill of the preheated pool, which each page causes
        summary["cpu_s_per_page"] = round((cpu1 - cpu0) / summary["page"], 2)
    return {**summary, "results": list(results)}


async def settle(url: str, pid: int | None, preheat: int, limit: float) -> dict:
    """Seconds until no page is open and the pool is full again, and the memory then."""
    t0 = time.monotonic()
    h = None
    while time.monotonic() - t0 < limit:
        h = await health(url)
        if h and h["pages"] == 0 and h["starting"] == 0 and h["kernels"] == h["preheated"] >= preheat:
            await asyncio.sleep(1.0)  # let the last kernel processes exit
            await asyncio.sleep(5.0)
            return {"seconds": round(time.monotonic() - t0, 1), "health": h, "memory_mb": memory_mb(pid),
                    "server_memory_mb": memory_mb(pid, children=False)}
        await asyncio.sleep(0.5)
    return {"seconds": None, "health": h, "memory_mb": memory_mb(pid)}


async def run(users: int = 10, spread: float = 30, answers: int = 5, burst: int = 20, *, url: str | None = None,
              max_pages: int | None = None, preheat: int = 3, idle_minutes: float = 1.0, timeout: float = 120,
              deadline: float = 900, max_users: int = 200, log: Path | None = None) -> dict:
    if users + burst > max_users:
        raise ValueError(f"at most {max_users} visitors in all (asked for {users + burst})")
    AsyncHTTPClient.configure(None, max_clients=max(10, users + burst), max_body_size=_MAX_BODY)
    server = None
    if url is None:
        server = Server(max_pages=max_pages, preheat=preheat, idle_minutes=idle_minutes,
                        log=log or ROOT / "build" / "bench-dashboard-server.log")
        url = server.url
    pid = server.proc.pid if server else None
    report: dict = {"url": url, "preheat": preheat, "idle_minutes": idle_minutes}
    try:
        async def body():
            ready = await wait_ready(url, preheat, server.proc if server else None)
            report["max_pages"] = ready["max_pages"]
            await asyncio.sleep(3.0 + 2.0 * preheat)  # "preheated" counts started kernels; let them run the notebook
            report["idle"] = {"health": ready, "memory_mb": memory_mb(pid),
                              "server_memory_mb": memory_mb(pid, children=False)}
            if users:
                report["arrivals"] = await phase(url, users, spread, answers, timeout, pid)
                report["after_arrivals"] = await settle(url, pid, preheat, idle_minutes * 60 + 60)
            if burst:
                peak: list[float] = []

                async def sample():
                    while True:
                        m = memory_mb(pid)
                        if m:
                            peak.append(m)
                        await asyncio.sleep(1.0)
                sampler = asyncio.ensure_future(sample())
                report["burst"] = await phase(url, burst, 0.0, answers, timeout, pid)
                sampler.cancel()
                report["burst"]["peak_memory_mb"] = max(peak) if peak else None
                report["after_burst"] = await settle(url, pid, preheat, idle_minutes * 60 + 60)
        await asyncio.wait_for(body(), deadline)
    finally:
        if server:
            server.stop()
            report["server_log"] = str(server.log_path)
    return report


def page_memory(report: dict) -> float | None:
    """Memory per open page: the burst's peak over the idle level, per page served."""
    b, idle = report.get("burst") or {}, (report.get("idle") or {}).get("memory_mb")
    if not b or not b.get("peak_memory_mb") or not idle or not b.get("page"):
        return None
    return round((b["peak_memory_mb"] - idle) / b["page"], 1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=10, help="visitors arriving within --spread seconds")
    ap.add_argument("--spread", type=float, default=30.0)
    ap.add_argument("--answers", type=int, default=5, help="questions each visitor answers")
    ap.add_argument("--burst", type=int, default=20, help="visitors arriving at the same instant")
    ap.add_argument("--url", default=None, help="a running dashboard (default: start one)")
    ap.add_argument("--max-pages", type=int, default=None)
    ap.add_argument("--preheat", type=int, default=3)
    ap.add_argument("--idle-minutes", type=float, default=1.0)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds before a visitor counts as hanging")
    ap.add_argument("--deadline", type=float, default=900.0, help="seconds for the whole run")
    ap.add_argument("--out", default=str(OUT))
    a = ap.parse_args(argv)
    report = asyncio.run(run(a.users, a.spread, a.answers, a.burst, url=a.url, max_pages=a.max_pages,
                             preheat=a.preheat, idle_minutes=a.idle_minutes, timeout=a.timeout, deadline=a.deadline))
    report["memory_per_page_mb"] = page_memory(report)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(report, indent=2) + "\n")
    for name in ("arrivals", "burst"):
        p = report.get(name)
        if p:
            print(f"{name}: {p['users']} users in {p['spread_s']} s -> page {p['page']}, busy {p['busy']}, "
                  f"error {p['error']}, hang {p['hang']}; first question p50 {p['first_question_s']['p50']} s, "
                  f"p95 {p['first_question_s']['p95']} s, max {p['first_question_s']['max']} s; "
                  f"answer p50 {p['answer_s']['p50']} s, p95 {p['answer_s']['p95']} s (n={p['answer_s']['n']}); "
                  f"wall {p['wall_s']} s" + (f"; peak memory {p['peak_memory_mb']} MB" if p.get("peak_memory_mb") else "")
                  + (f"; CPU {p['cpu_s_per_page']} s per page" if p.get("cpu_s_per_page") else ""))
            for e in p["errors"]:
                print(f"  error: {e}")
    for name in ("after_arrivals", "after_burst"):
        s = report.get(name)
        if s:
            print(f"{name}: back to idle after {s['seconds']} s; memory {s['memory_mb']} MB "
                  f"(server {s.get('server_memory_mb')} MB); {s['health']}")
    print(f"idle: {report['idle']['memory_mb']} MB (server {report['idle'].get('server_memory_mb')} MB) "
          f"with {report['preheat']} preheated; "
          f"max pages {report.get('max_pages')}; memory per page {report['memory_per_page_mb']} MB")
    print(f"written to {a.out}")
    bad = sum((report.get(n) or {}).get(k, 0) for n in ("arrivals", "burst") for k in ("error", "hang"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
