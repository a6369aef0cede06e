#!/usr/bin/env python3
"""Push a built hromadata site's CKAN payloads to a CKAN portal (data.gov.ua or any CKAN 2.x).

    CKAN_API_TOKEN=... python3 tools/ckan-push.py --site site --url https://data.gov.ua --owner-org ORG

The build writes, per dataset, `datasets/<id>/ckan/package_create.json` and one
`resource_create-<name>.json` per file. For each dataset (in id order) this script calls the
portal's action API:

1. `package_show` with the payload's `name`;
2. `package_create` when there is no such package, else `package_update` with the package's
   `id` and its current resources (so that updating the metadata never deletes files);
3. per resource payload (in file-name order): `resource_update` of the package's resource with
   the same `url` (else the same `name`), or `resource_create`.

The portal's URL comes from --url or CKAN_URL, the API token from CKAN_API_TOKEN (or --token,
which shells keep in history: prefer the variable). Neither is written anywhere. Only the
Python standard library is used. Exit 0 when every call succeeded, 1 when some failed (each is
named on stderr), 2 on a usage error.
"""

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path


class CkanError(Exception):
    """A call the portal refused or could not answer."""


class Ckan:
    """The action API of one portal."""

    def __init__(self, url, token, timeout=60):
        self.base = url.rstrip("/") + "/api/3/action/"
        self.token = token
        self.timeout = timeout

    def call(self, action, payload):
        """POSTs `payload` as JSON to `action`; returns (found, result). `found` is False when
        the portal answers "Not Found" (package_show of a new dataset)."""
        request = urllib.request.Request(
            self.base + action,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8", "Authorization": self.token},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            try:
                body = json.loads(e.read().decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                raise CkanError(f"{action}: HTTP {e.code}") from None
            error = body.get("error") or {}
            if e.code == 404 and error.get("__type") == "Not Found Error":
                return False, None
            raise CkanError(f"{action}: HTTP {e.code}: {json.dumps(error, ensure_ascii=False)}") from None
        except (urllib.error.URLError, OSError, ValueError) as e:
            raise CkanError(f"{action}: {e}") from None
        if not body.get("success"):
            raise CkanError(f"{action}: {json.dumps(body.get('error'), ensure_ascii=False)}")
        return True, body.get("result")


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def push_dataset(ckan, folder, owner_org, log):
    """Creates or updates one dataset and its resources. Returns the number of calls made."""
    package = read_json(folder / "package_create.json")
    if owner_org:
        package["owner_org"] = owner_org
    name = package["name"]
    found, existing = ckan.call("package_show", {"id": name})
    if found:
        update = dict(package, id=existing["id"], resources=existing.get("resources", []))
        _, result = ckan.call("package_update", update)
        log(f"updated  {name}")
    else:
        _, result = ckan.call("package_create", package)
        log(f"created  {name}")
    current = (result or {}).get("resources") or (existing or {}).get("resources") or []
    for path in sorted(folder.glob("resource_create-*.json")):
        resource = read_json(path)
        same = [r for r in current if r.get("url") == resource.get("url")]
        same = same or [r for r in current if r.get("name") == resource.get("name")]
        if same:
            ckan.call("resource_update", dict(resource, id=same[0]["id"]))
            log(f"  updated  {resource.get('name')}")
        else:
            ckan.call("resource_create", resource)
            log(f"  created  {resource.get('name')}")


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Push a built hromadata site's CKAN payloads (datasets/*/ckan/) to a CKAN portal.",
        epilog="The token is read from CKAN_API_TOKEN (or --token); nothing is stored.",
    )
    parser.add_argument("--site", default="site", help="the built site (default: site)")
    parser.add_argument("--url", default=os.environ.get("CKAN_URL"), help="the portal, e.g. https://data.gov.ua (or CKAN_URL)")
    parser.add_argument("--token", default=os.environ.get("CKAN_API_TOKEN"), help="API token (prefer CKAN_API_TOKEN)")
    parser.add_argument("--owner-org", help="the portal's id or name of your organisation (default: the payloads' owner_org, the publisher's slug)")
    parser.add_argument("--dataset", action="append", default=[], metavar="ID", help="push only this dataset (repeatable)")
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("the portal's URL is needed: --url or CKAN_URL")
    if not args.token:
        parser.error("an API token is needed: set CKAN_API_TOKEN")
    folders = sorted(Path(args.site).glob("datasets/*/ckan"))
    if args.dataset:
        folders = [f for f in folders if f.parent.name in args.dataset]
    if not folders:
        parser.error(f"no CKAN payloads under {args.site}/datasets/*/ckan/ (build the site first)")
    ckan = Ckan(args.url, args.token)
    failed = 0
    for folder in folders:
        try:
            push_dataset(ckan, folder, args.owner_org, print)
        except (CkanError, OSError, ValueError, KeyError) as e:
            failed += 1
            print(f"ckan-push: dataset {folder.parent.name}: {e}", file=sys.stderr)
    print(f"{len(folders) - failed} dataset(s) pushed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
