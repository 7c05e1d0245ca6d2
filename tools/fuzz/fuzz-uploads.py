#!/usr/bin/env python3
"""Fuzz the upload path of a running `inspect serve`.

Sends random and mutated multipart/form-data bodies (the selfie route), JSON and CSV bodies
(survival), and image bodies (faces, inspection) to a server that is already running, then
checks three things:

  * the server never stops answering (a crash shows as a refused connection),
  * no answer is a 5xx other than 503 (queue full) and 504 (timeout),
  * its resident memory (GET /metrics, process_resident_memory_bytes) is flat: after the
    first tenth of the requests (allocator warm-up) it grows by no more than --rss-slack-mb.

Usage:
    .build/release/inspect serve --port 8080 --access-log off &
    python3 tools/fuzz/fuzz-uploads.py --url http://127.0.0.1:8080 [--count 10000] [--seed 1]

Exit status 0 when all three hold, 1 otherwise (each failure is printed). Standard library only.
"""
import argparse
import http.client
import json
import random
import struct
import sys
import urllib.parse
import zlib


def png(width, height, seed):
    """A small RGB PNG of noise (a valid image with no face in it)."""
    rng = random.Random(seed)
    raw = b"".join(b"\x00" + bytes(rng.getrandbits(8) for _ in range(width * 3)) for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def form(parts, boundary):
    out = b""
    for name, filename, ctype, body in parts:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
        if filename is not None:
            head += f'; filename="{filename}"'
        if ctype is not None:
            head += f"\r\nContent-Type: {ctype}"
        out += head.encode() + b"\r\n\r\n" + body + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def mutate(data, rng):
    """Byte flips, cuts, insertions, duplications and splices of a valid body."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(6)
        if not data:
            data += bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 64)))
            continue
        i = rng.randrange(len(data))
        if op == 0:
            data[i] = rng.getrandbits(8)
        elif op == 1:
            del data[i:i + rng.randint(1, 256)]
        elif op == 2:
            data[i:i] = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 64)))
        elif op == 3:
            data = data[:i]
        elif op == 4:
            j = rng.randrange(len(data))
            data[i:i] = data[j:j + rng.randint(1, 512)]
        else:
            data[i:i] = rng.choice([b"\r\n", b"--", b"\r\n--", b'"', b";", b"=", b"\x00", b"\r\n\r\n"])
    return bytes(data)


def random_json(rng, depth=0):
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.choice([0, -1, 1e308, -1e308, 2 ** 63, 3.5, 28, 120, 121, -0.0])
    if kind == 2:
        return rng.choice(["", "male", "FEMALE", "unknown", "S", "x" * rng.randint(0, 5000), "\u00e9\u0000\ud7ff", "NaN", "1e999"])
    if kind == 3:
        return rng.randint(-10 ** 6, 10 ** 6)
    if kind == 4:
        return "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(rng.randint(0, 40)))
    if kind == 5:
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    keys = ["age", "sex", "pclass", "embarked", "name", "Age", "", "x" * 100]
    return {rng.choice(keys): random_json(rng, depth + 1) for _ in range(rng.randint(0, 6))}


def bodies(rng, photo):
    """One request: (method, path, content type, body)."""
    valid_json = json.dumps({"age": 28, "sex": "male", "pclass": 3, "embarked": "S"}).encode()
    boundary = "fuzz" + "".join(rng.choice("abcdefXYZ0123-_") for _ in range(rng.randint(1, 40)))
    valid_form = form([("pclass", None, None, b"1"), ("embarked", None, None, b"C"),
                       ("photo", "me.png", "image/png", photo)], boundary)
    kind = rng.randrange(10)
    if kind == 0:
        return "POST", "/v1/survival/predict", "application/json", json.dumps(random_json(rng)).encode()
    if kind == 1:
        return "POST", "/v1/survival/predict", "application/json", mutate(valid_json, rng)
    if kind == 2:
        return "POST", "/v1/survival/predict", "text/csv", mutate(b"age,sex,pclass,embarked\n28,male,3,S\n", rng)
    if kind in (3, 4, 5):
        ctype = f"multipart/form-data; boundary={boundary}"
        if rng.random() < 0.1:
            ctype = rng.choice(["multipart/form-data", "multipart/form-data; boundary=", f"multipart/form-data; boundary=\"{boundary}\"",
                                "multipart/form-data; boundary=" + "b" * 80, "application/json"])
        return "POST", "/v1/survival/selfie", ctype, mutate(valid_form, rng) if kind != 5 else valid_form
    if kind == 6:
        return "POST", "/v1/survival/selfie", f"multipart/form-data; boundary={boundary}", bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 4096)))
    if kind == 7:
        return "POST", "/v1/faces/detect", rng.choice(["image/png", "image/jpeg"]), mutate(photo, rng)
    if kind == 8:
        return "POST", "/v1/inspection/" + rng.choice(["demo", "nope", "%00", "a" * 300]) + "/detect", "image/png", mutate(photo, rng)
    return rng.choice(["GET", "PUT", "DELETE", "PATCH"]), rng.choice(["/v1/survival/predict", "/v1/survival/selfie", "/healthz"]), "application/json", b"{}"


def rss(connection_factory):
    conn = connection_factory()
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    for line in text.splitlines():
        if line.startswith("process_resident_memory_bytes "):
            return float(line.split()[1])
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rss-slack-mb", type=float, default=64.0,
                        help="growth of resident memory allowed after warm-up (default 64 MB)")
    args = parser.parse_args()
    url = urllib.parse.urlparse(args.url)

    def connect():
        return http.client.HTTPConnection(url.hostname, url.port or 80, timeout=60)

    rng = random.Random(args.seed)
    photo = png(96, 80, args.seed)
    failures = []
    statuses = {}
    warm_rss = None
    first_rss = rss(connect)
    conn = connect()
    for i in range(args.count):
        method, path, ctype, body = bodies(rng, photo)
        try:
            conn.request(method, path, body=body, headers={"Content-Type": ctype})
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = connect()
        except (ConnectionError, http.client.HTTPException, OSError) as error:
            # One retry on a fresh connection tells a closed keep-alive from a dead server.
            conn.close()
            conn = connect()
            try:
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                statuses["dropped"] = statuses.get("dropped", 0) + 1
                continue
            except (ConnectionError, http.client.HTTPException, OSError):
                failures.append(f"request {i} ({method} {path}): the server stopped answering ({error})")
                break
        statuses[status] = statuses.get(status, 0) + 1
        if status >= 500 and status not in (503, 504):
            failures.append(f"request {i} ({method} {path}, {len(body)} bytes): status {status}")
        if i + 1 == max(1, args.count // 10):
            warm_rss = rss(connect)
        if (i + 1) % 1000 == 0:
            print(f"{i + 1} requests; statuses {dict(sorted(statuses.items(), key=str))}", file=sys.stderr)
    conn.close()

    final_rss = rss(connect) if not any("stopped answering" in f for f in failures) else None
    mb = lambda b: f"{b / 1e6:.1f} MB" if b is not None else "unknown"
    print(f"statuses: {dict(sorted(statuses.items(), key=str))}")
    print(f"resident memory: {mb(first_rss)} at start, {mb(warm_rss)} after warm-up, {mb(final_rss)} at the end")
    if warm_rss is not None and final_rss is not None and final_rss - warm_rss > args.rss_slack_mb * 1e6:
        failures.append(f"resident memory grew by {mb(final_rss - warm_rss)} after warm-up (allowed {args.rss_slack_mb:.0f} MB)")
    for failure in failures[:50]:
        print("FAIL", failure)
    if failures:
        print(f"{len(failures)} failures")
        return 1
    print(f"OK: {args.count} requests, no crash, no 5xx other than 503/504, memory flat")
    return 0


if __name__ == "__main__":
    sys.exit(main())
