"""The answers schema in a real editor back end: yaml-language-server (what the VS Code YAML
extension runs) opens the template, an example and a bad file over its stdio protocol.
Skipped unless the server is installed: `npm install yaml-language-server` and set
SIVREG_YAML_LS to its `node_modules/.bin/yaml-language-server` (or put it on PATH).
Measured 2026-12-01 with yaml-language-server 1.25.0: the template and the sepsis example give no
diagnostic; the bad file one per mistake; completion offers the question ids and values."""
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import sivreg

SERVER = os.environ.get("SIVREG_YAML_LS") or shutil.which("yaml-language-server")
pytestmark = pytest.mark.skipif(not SERVER, reason="yaml-language-server not installed (see the module docstring)")
SETTINGS = {"validate": True, "completion": True, "hover": True, "schemas": {}, "schemaStore": {"enable": False}}


class Client:
    """Just enough of the Language Server Protocol: requests, notifications, replies."""

    def __init__(self):
        self.proc = subprocess.Popen([SERVER, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.inbox: queue.Queue = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.decode().strip()
                if not line:
                    break
                k, v = line.split(":", 1)
                headers[k.lower()] = v.strip()
            self.inbox.put(json.loads(out.read(int(headers["content-length"]))))

    def send(self, msg):
        body = json.dumps({"jsonrpc": "2.0", **msg}).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method, params) -> int:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.next_id


def run(docs: dict, asks: dict):
    """Open `docs` (uri -> text), send `asks` (name -> (method, params)); diagnostics and replies."""
    c = Client()
    try:
        init = c.request("initialize", {"processId": None, "rootUri": None,
                                        "capabilities": {"workspace": {"configuration": True}}})
        diags, replies, pending, started = {}, {}, {}, None
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                m = c.inbox.get(timeout=1)
            except queue.Empty:
                m = None
            if m and m.get("method") == "workspace/configuration":
                c.send({"id": m["id"], "result": [SETTINGS] * len(m["params"]["items"])})
            elif m and "id" in m and m.get("method"):
                c.send({"id": m["id"], "result": None})
            elif m and m.get("id") == init and started is None:
                started = time.time()
                c.send({"method": "initialized", "params": {}})
                c.send({"method": "workspace/didChangeConfiguration", "params": {"settings": {"yaml": SETTINGS}}})
                for uri, text in docs.items():
                    c.send({"method": "textDocument/didOpen", "params": {"textDocument": {
                        "uri": uri, "languageId": "yaml", "version": 1, "text": text}}})
                for name, (method, params) in asks.items():
                    pending[c.request(method, params)] = name
            elif m and m.get("method") == "textDocument/publishDiagnostics":
                diags[m["params"]["uri"]] = m["params"]["diagnostics"]
            elif m and m.get("id") in pending:
                replies[pending.pop(m["id"])] = m.get("result")
            if started and len(diags) == len(docs) and not pending and time.time() - started > 5:
                break
        return diags, replies
    finally:
        c.proc.kill()
        c.proc.wait()


def test_the_editor_checks_and_completes_an_answers_file(tmp_path):
    schema = tmp_path / "sivreg-answers.schema.json"
    r = subprocess.run([sys.executable, "-m", "sivreg.cli", "schema", "answers", "--out", str(schema), "--lang", "en"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    template = subprocess.run([sys.executable, "-m", "sivreg.cli", "template", "--lang", "en"],
                              capture_output=True, text=True).stdout
    book = sivreg.rulebook()
    bool_q = next(q for q in book.questions.values() if q.type == "bool")
    line = f"# yaml-language-server: $schema={schema.as_uri()}\n"
    example = Path(__file__).resolve().parent.parent / "parameters" / "sepsis-icu.yaml"
    bad = line + (f"project: {{id: p1, title: Test}}\njurisdiction: SE\ncolour: blue\nanswers:\n"
                  f"  {bool_q.id}: maybe\n  qual.no_such_question: yes\n  \n")
    docs = {(tmp_path / "template.yaml").as_uri(): template.replace(
                "$schema=sivreg-answers.schema.json", f"$schema={schema.as_uri()}"),
            (tmp_path / "example.yaml").as_uri(): line + example.read_text(encoding="utf-8"),
            (tmp_path / "bad.yaml").as_uri(): bad}
    bad_uri = (tmp_path / "bad.yaml").as_uri()
    asks = {"keys": ("textDocument/completion", {"textDocument": {"uri": bad_uri}, "position": {"line": 7, "character": 2}}),
            "values": ("textDocument/completion", {"textDocument": {"uri": bad_uri},
                                                   "position": {"line": 5, "character": len(bool_q.id) + 4}}),
            "hover": ("textDocument/hover", {"textDocument": {"uri": bad_uri}, "position": {"line": 5, "character": 4}})}
    diags, replies = run(docs, asks)
    for uri, text in docs.items():
        if uri != bad_uri:
            assert diags.get(uri) == [], (uri, diags.get(uri))
    lines = sorted(d["range"]["start"]["line"] + 1 for d in diags[bad_uri])
    assert lines == [3, 4, 6, 7], diags[bad_uri]
    keys = {i["label"] for i in (replies["keys"] or {}).get("items", [])}
    assert set(book.questions) - {bool_q.id} <= keys | {"qual.no_such_question"}
    values = {i["label"].strip('"') for i in (replies["values"] or {}).get("items", [])}
    assert {"yes", "no", "unknown"} <= values, values
    hover = json.dumps(replies["hover"], ensure_ascii=False)
    assert bool_q.label["en"].split("(")[0].strip()[:30] in hover, hover[:500]


def test_the_editor_accepts_the_rulebook_files(tmp_path):
    r = subprocess.run([sys.executable, "-m", "sivreg.cli", "schema", "rulebook", "--out", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rulebook = Path(__file__).resolve().parent.parent / "sivreg" / "rulebook"
    docs = {}
    for kind in ("questions", "rules", "references", "messages", "obligations", "dates"):
        for f in sorted((rulebook / kind).glob("*.yaml"))[:2]:
            line = f"# yaml-language-server: $schema={(tmp_path / (kind + '.schema.json')).as_uri()}\n"
            docs[(tmp_path / f"{kind}-{f.name}").as_uri()] = line + f.read_text(encoding="utf-8")
    broken = "# yaml-language-server: $schema=" + (tmp_path / "rules.schema.json").as_uri() + "\n"
    broken += "x.rule:\n  label: {nb: a}\n  refs: []\n  colour: blue\n"
    docs[(tmp_path / "broken.yaml").as_uri()] = broken
    diags, _ = run(docs, {})
    for uri in docs:
        if not uri.endswith("broken.yaml"):
            assert diags.get(uri) == [], (uri, diags.get(uri)[:3])
    assert len(diags[(tmp_path / "broken.yaml").as_uri()]) >= 2
