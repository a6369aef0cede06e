#!/usr/bin/env python3
"""A tiny fake CKAN action API for the test suite: keeps packages in memory, checks the API
token, and records every request (action, Authorization header, JSON body) as one JSON line in
the log file. Listens on 127.0.0.1 on a free port, printed as the first line of stdout; stops
by itself after --lifetime seconds so that a failed test never leaves it running.

    python3 tests/tools/fake_ckan.py LOG --token TOKEN [--lifetime 60]
"""

import argparse
import json
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

PACKAGES = {}  # name -> package dict (with "resources")
ACTIONS = {"package_show", "package_create", "package_update", "resource_create", "resource_update"}


def find_package(key):
    for p in PACKAGES.values():
        if key in (p["name"], p["id"]):
            return p
    return None


def act(action, body):
    """Returns (HTTP status, response dict)."""
    if action == "package_show":
        p = find_package(body.get("id", ""))
        if p is None:
            return 404, {"success": False, "error": {"__type": "Not Found Error", "message": "Not found"}}
        return 200, {"success": True, "result": p}
    if action == "package_create":
        if find_package(body.get("name", "")):
            return 409, {"success": False, "error": {"__type": "Validation Error", "name": ["That URL is already in use."]}}
        p = dict(body, id=str(uuid.uuid4()), resources=[])
        PACKAGES[p["name"]] = p
        return 200, {"success": True, "result": p}
    if action == "package_update":
        p = find_package(body.get("id", ""))
        if p is None:
            return 404, {"success": False, "error": {"__type": "Not Found Error"}}
        # As CKAN: resources not passed are deleted.
        p.clear()
        p.update(body)
        p.setdefault("resources", [])
        return 200, {"success": True, "result": p}
    if action == "resource_create":
        p = find_package(body.get("package_id", ""))
        if p is None:
            return 404, {"success": False, "error": {"__type": "Not Found Error"}}
        r = dict(body, id=str(uuid.uuid4()))
        p["resources"].append(r)
        return 200, {"success": True, "result": r}
    # resource_update
    for p in PACKAGES.values():
        for i, r in enumerate(p["resources"]):
            if r["id"] == body.get("id"):
                p["resources"][i] = dict(body)
                return 200, {"success": True, "result": p["resources"][i]}
    return 404, {"success": False, "error": {"__type": "Not Found Error"}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("log")
    parser.add_argument("--token", required=True)
    parser.add_argument("--lifetime", type=float, default=60)
    args = parser.parse_args()
    log = open(args.log, "a", encoding="utf-8")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            action = self.path.rsplit("/", 1)[-1]
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                body = None
            auth = self.headers.get("Authorization")
            log.write(json.dumps({"action": action, "path": self.path, "auth": auth, "body": body}, ensure_ascii=False) + "\n")
            log.flush()
            if not self.path.startswith("/api/3/action/") or action not in ACTIONS:
                status, reply = 400, {"success": False, "error": {"message": "unknown action"}}
            elif auth != args.token:
                status, reply = 403, {"success": False, "error": {"__type": "Authorization Error"}}
            elif not isinstance(body, dict):
                status, reply = 400, {"success": False, "error": {"message": "a JSON object"}}
            else:
                status, reply = act(action, body)
            data = json.dumps(reply, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Timer(args.lifetime, server.shutdown).start()
    print(server.server_address[1], flush=True)
    server.serve_forever()
    sys.exit(0)


if __name__ == "__main__":
    main()
