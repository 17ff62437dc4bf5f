#!/usr/bin/env python3
"""Render local HTML pages in headless Chromium and report what happened.

Chromium is driven through the DevTools protocol over a pipe
(--remote-debugging-pipe: JSON messages ended by NUL on file descriptors 3
and 4), so no network port and no extra Python module are needed.

For every page given it prints one JSON object per line:
  url            the page
  requests       every URL the page asked for (itself excluded)
  outside        those that are not file: URLs under --root
  blocked        loads refused (CSP violations, blocked requests)
  console        console messages and uncaught exceptions
  probe          the value of the JavaScript expression --probe, evaluated
                 after the load (e.g. whether an injected script ran)
  scripting      true when any script ran in the page (window.__rp_ran set
                 by a page's own script would show here; see --probe)
  dom            the page's DOM as HTML after the load (with --dom)
  text           document.body.innerText (with --text)
--screenshot FILE saves a PNG of the first page (full width, --width).
--pdf FILE prints the first page to PDF as a browser's Print would (the
page's own @page size).
"""
import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse


class Browser:
    def __init__(self, chromium, width):
        self.profile = tempfile.mkdtemp(prefix="rp-chromium-")
        r_ours, w_theirs = os.pipe()   # Chromium reads fd 3
        r_theirs, w_ours = os.pipe()   # Chromium writes fd 4

        def child_fds():
            # through fresh descriptors: the pipe's own may already be 3 or 4
            a, b = os.dup(r_ours), os.dup(w_ours)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--no-first-run", "--user-data-dir=" + self.profile, "--remote-debugging-pipe",
             "--window-size=%d,1200" % width, "--hide-scrollbars", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=child_fds, close_fds=False)
        # the child has its copies on 3 and 4 (dup2 makes them inheritable;
        # os.pipe's own descriptors are not)
        os.close(r_ours)
        os.close(w_ours)
        self.w = os.fdopen(w_theirs, "wb", buffering=0)
        self.r = os.fdopen(r_theirs, "rb", buffering=0)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.w.write(json.dumps(msg).encode() + b"\0")
        want = self.next_id
        while True:
            m = self.read()
            if m.get("id") == want:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)

    def read(self, deadline=60):
        end = time.time() + deadline
        while b"\0" not in self.buf:
            if time.time() > end:
                raise TimeoutError("no answer from Chromium")
            chunk = self.r.read(65536)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def wait_event(self, method, session, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            for i, e in enumerate(self.events):
                if e.get("method") == method and e.get("sessionId") == session:
                    return self.events.pop(i)
            self.events.append(self.read(timeout))
        raise TimeoutError("no %s" % method)

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def render(b, url, root, probe, want_dom, want_text, shot, width, pdf=None, height=4000):
    target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    s = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Network", "Runtime", "Log"):
        b.send(domain + ".enable", session=s)
    b.events = [e for e in b.events if e.get("sessionId") != s]
    b.send("Page.navigate", {"url": url}, session=s)
    b.wait_event("Page.loadEventFired", s)
    time.sleep(0.3)  # late loads (images, frames) and onerror handlers
    out = {"url": url, "requests": [], "outside": [], "blocked": [], "console": []}
    res = b.send("Runtime.evaluate", {"expression": probe, "returnByValue": True}, session=s)
    out["probe"] = res.get("result", {}).get("value")
    if want_dom:
        out["dom"] = b.send("Runtime.evaluate", {"expression": "document.documentElement.outerHTML",
                                                  "returnByValue": True}, session=s)["result"]["value"]
    if want_text:
        out["text"] = b.send("Runtime.evaluate", {"expression": "document.body.innerText",
                                                   "returnByValue": True}, session=s)["result"]["value"]
    if shot:
        h = b.send("Runtime.evaluate", {"expression": "document.documentElement.scrollHeight",
                                         "returnByValue": True}, session=s)["result"]["value"]
        b.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": min(int(h), height),
                                                      "deviceScaleFactor": 1, "mobile": False}, session=s)
        png = b.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False}, session=s)
        with open(shot, "wb") as f:
            f.write(base64.b64decode(png["data"]))
    if pdf:
        doc = b.send("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": False}, session=s)
        with open(pdf, "wb") as f:
            f.write(base64.b64decode(doc["data"]))
    # drain what is left
    b.send("Runtime.evaluate", {"expression": "1"}, session=s)
    for e in [e for e in b.events if e.get("sessionId") == s]:
        m, p = e.get("method"), e.get("params", {})
        if m == "Network.requestWillBeSent":
            u = p["request"]["url"]
            if u != url:
                out["requests"].append(u)
                pu = urllib.parse.urlparse(u)
                path = urllib.parse.unquote(pu.path)
                if pu.scheme != "file" or not os.path.realpath(path).startswith(root + os.sep):
                    out["outside"].append(u)
        elif m == "Network.loadingFailed" and p.get("blockedReason"):
            out["blocked"].append(p["blockedReason"])
        elif m == "Log.entryAdded":
            out["console"].append(p["entry"].get("text", ""))
            if "Content Security Policy" in p["entry"].get("text", ""):
                out["blocked"].append("csp")
        elif m == "Runtime.consoleAPICalled":
            out["console"].append(" ".join(str(a.get("value")) for a in p.get("args", [])))
        elif m == "Runtime.exceptionThrown":
            out["console"].append(p["exceptionDetails"].get("text", "exception"))
    b.events = [e for e in b.events if e.get("sessionId") != s]
    b.send("Target.closeTarget", {"targetId": target})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    ap.add_argument("--root", required=True, help="the package folder: loads outside it are reported")
    ap.add_argument("--probe", default="typeof window.__rp_pwned === 'undefined' ? null : window.__rp_pwned")
    ap.add_argument("--dom", action="store_true")
    ap.add_argument("--text", action="store_true")
    ap.add_argument("--screenshot")
    ap.add_argument("--pdf")
    ap.add_argument("--width", type=int, default=1100)
    ap.add_argument("--height", type=int, default=4000, help="largest screenshot height")
    ap.add_argument("pages", nargs="+")
    a = ap.parse_args()
    root = os.path.realpath(a.root)
    b = Browser(a.chromium, a.width)
    try:
        for i, p in enumerate(a.pages):
            url = "file://" + urllib.parse.quote(os.path.realpath(p))
            r = render(b, url, root, a.probe, a.dom, a.text, a.screenshot if i == 0 else None, a.width,
                       a.pdf if i == 0 else None, a.height)
            print(json.dumps(r, ensure_ascii=False))
    finally:
        b.close()


if __name__ == "__main__":
    sys.exit(main())
