#!/usr/bin/env python3
"""What each index setting costs Meilisearch a one-document update.

Usage (MEILI_URL and MEILI_MASTER_KEY from .data/env; INDEX is a listings
index kept by `katalogpes-load -keep`):

    python3 bench/indexcost/indexcost.py INDEX [UPDATES]

For each variant of the index's settings it applies the variant, sends
UPDATES (default 7) one-document updates one after another (listings
with and without a point in turn), reads each batch's duration and its
"writing geo points" step from GET /batches/{uid}, prints the median, and
puts the settings back. bench/RESULTS.md holds what it printed.
"""
import copy
import json
import os
import statistics
import sys
import time
import urllib.error
import urllib.request

URL, KEY = os.environ["MEILI_URL"], os.environ["MEILI_MASTER_KEY"]
GEO_STEP = "processing tasks > indexing > writing geo points"


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(URL + path, method=method, data=data,
                                 headers={"Authorization": "Bearer " + KEY, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        sys.exit("%s %s: %s" % (method, path, e.read().decode()))


def wait(uid):
    while True:
        t = call("GET", "/tasks/%d" % uid)
        if t["status"] in ("succeeded", "failed"):
            if t["status"] == "failed":
                sys.exit(t)
            return t
        time.sleep(0.005)


def ms(v):
    """A progress trace's "1.2ms", "830.5µs" or "2.1s" in milliseconds."""
    for suffix, f in (("ms", 1), ("µs", 1e-3), ("ns", 1e-6), ("s", 1000)):
        if v.endswith(suffix):
            return float(v[:-len(suffix)]) * f
    return 0.0


def update_one(idx, located):
    docs = call("GET", "/indexes/%s/documents?limit=300" % idx)["results"]
    doc = next(d for d in docs if ("_geo" in d) == located)
    doc["description"] = doc.get("description", "") + " ."
    task = wait(call("POST", "/indexes/%s/documents" % idx, [doc])["taskUid"])
    batch = call("GET", "/batches/%d" % task["batchUid"])
    duration = float(batch["duration"][2:-1]) * 1000  # "PT0.154S"
    return duration, ms(batch["stats"]["progressTrace"].get(GEO_STEP, "0ms"))


def main():
    idx, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 7
    base = call("GET", "/indexes/%s/settings" % idx)
    variants = [
        ("as they are", {}),
        ("without _geo (filterable and sortable)", {
            "filterableAttributes": [a for a in base["filterableAttributes"] if a != "_geo"],
            "sortableAttributes": [a for a in base["sortableAttributes"] if a != "_geo"]}),
        ("without localizedAttributes", {"localizedAttributes": None}),
        ("sortable: _geo only", {"sortableAttributes": ["_geo"]}),
        ("filterable: tenant and _geo only", {"filterableAttributes": ["tenant", "_geo"]}),
        ("proximityPrecision byWord", {"proximityPrecision": "byWord"}),
        ("prefixSearch disabled", {"prefixSearch": "disabled"}),
    ]
    for label, change in variants:
        if change:
            wait(call("PATCH", "/indexes/%s/settings" % idx, change)["taskUid"])
        runs = [update_one(idx, i % 2 == 0) for i in range(n)]
        took, geo = [r[0] for r in runs], [r[1] for r in runs]
        print("%-40s one-document batch: median %6.1f ms (%.0f–%.0f); writing geo points: median %6.1f ms"
              % (label, statistics.median(took), min(took), max(took), statistics.median(geo)), flush=True)
        if change:
            wait(call("PATCH", "/indexes/%s/settings" % idx, {k: copy.deepcopy(base.get(k)) for k in change})["taskUid"])


if __name__ == "__main__":
    main()
