#!/usr/bin/env python3
"""Writes Tests/Fixtures/hostile: event payloads an attacker or a broken backend could send.

Each .json file is one event's JSON as it would arrive in an SSE `data:` field or a WebSocket
text frame. The expected outcome of each is in Tests/Fixtures/hostile/EXPECTED (name -> event
or malformed), checked by the tests. Run again after changing this file; the output is committed.
"""
import json, os

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "hostile")
TS = "2025-12-08T10:30:00"

def alert(message, **extra):
    e = {"event_type": "alert.raised", "tenant_id": "t-01", "timestamp": TS, "alert_id": "hx-1",
         "alert_type": "device_offline", "severity": "critical", "source": "olt-01", "message": message}
    e.update(extra)
    return e

def session(**over):
    e = {"event_type": "session.updated", "tenant_id": "t-01", "timestamp": TS, "username": "mallory@isp",
         "session_id": "hs-1", "nas_ip_address": "10.0.0.1", "bytes_in": 10, "bytes_out": 20, "session_time": 30}
    e.update(over)
    return e

def job(**over):
    e = {"event_type": "job.progress", "tenant_id": "t-01", "timestamp": TS, "job_id": "hj-1", "job_type": "bulk_provision",
         "status": "running", "progress_percent": 50, "items_total": 100, "items_processed": 50, "items_succeeded": 50, "items_failed": 0}
    e.update(over)
    return e

E = "\u001b"
cases = {}
# Terminal escape sequences, each followed by a marker the byte scan looks for.
cases["csi-clear-screen"] = (alert(E + "[2J" + E + "[HHOSTILE-CSI-CLEAR"), "event")
cases["csi-cursor-moves"] = (alert(E + "[10;10H" + E + "[5A" + E + "[2KHOSTILE-CSI-MOVE"), "event")
cases["osc52-clipboard"] = (alert(E + "]52;c;cm0gLXJmIH4K\u0007HOSTILE-OSC52"), "event")
cases["osc8-link"] = (alert(E + "]8;;https://evil.example/" + E + "\\HOSTILE-OSC8" + E + "]8;;" + E + "\\"), "event")
cases["dcs"] = (alert(E + "P1$qm" + E + "\\HOSTILE-DCS"), "event")
cases["apc"] = (alert(E + "_evil-apc" + E + "\\HOSTILE-APC"), "event")
cases["c0-controls"] = (alert("".join(chr(c) for c in range(0x00, 0x20)) + "\u007fHOSTILE-C0"), "event")
cases["c1-controls"] = (alert("".join(chr(c) for c in range(0x80, 0xA0)) + "HOSTILE-C1"), "event")
cases["c1-csi-8bit"] = (alert("\u009b2J\u009d52;c;eA==\u009cHOSTILE-C1CSI"), "event")
cases["nul-in-string"] = (alert("before\u0000HOSTILE-NUL"), "event")
cases["bidi-override"] = (alert("\u202eHOSTILE-BIDI gnirts desrever\u202c \u2066iso\u2069 \u200f"), "event")
cases["zero-width"] = (alert("HOSTILE\u200b-\u200c\u200dZW\ufeff\u2060"), "event")
cases["wide-cjk"] = (alert("光回線の障害 OLT-04 全ポート停止 HOSTILE-CJK 日本語中文한국어"), "event")
cases["emoji-sequences"] = (alert("👩‍👩‍👧‍👦 🇳🇬 👍🏽 🏳️‍🌈 1️⃣ HOSTILE-EMOJI"), "event")
cases["combining-marks"] = (alert("e\u0301\u0301\u0301\u0301 Z\u0337\u0322\u034e\u0354\u0300\u0301\u0302 HOSTILE-COMBINING"), "event")
cases["one-mib-message"] = (alert("HOSTILE-MIB " + "A" * (1 << 20)), "event")
cases["long-identifiers"] = (session(username="u" * 5000, session_id="s" * 5000), "event")
cases["escape-in-every-string"] = (session(username=E + "]0;title" + "\u0007user", nas_ip_address=E + "[31m10.0.0.1", bandwidth_profile=E + "[5m100M"), "event")
cases["integer-beyond-int64"] = (session(bytes_in=99999999999999999999999), "malformed")
cases["integer-int64-max"] = (session(bytes_in=9223372036854775807), "event")
cases["negative-counters"] = (session(bytes_in=-5, bytes_out=-1, session_time=-3600), "event")
cases["float-counter"] = (session(bytes_in=1.5), "malformed")
cases["exponent-counter"] = (session(bytes_in=1e400), "malformed")
cases["progress-below-zero"] = (job(progress_percent=-20), "event")
cases["progress-above-100"] = (job(progress_percent=250, items_processed=900), "event")
cases["progress-absurd"] = (job(progress_percent=1e308), "event")
cases["items-negative"] = (job(items_total=-1, items_failed=-7), "event")
cases["unknown-event-type"] = ({"event_type": "onu.exploded", "tenant_id": "t-01", "timestamp": TS, "onu_serial": "X"}, "event")
cases["unknown-fields"] = (alert("ok HOSTILE-UNKNOWN-FIELDS", extra_field={"a": [1, 2, {"b": None}]}, another=E + "[2J"), "event")
cases["missing-event-type"] = ({"tenant_id": "t-01", "timestamp": TS}, "malformed")
cases["missing-required-session-id"] = ({k: v for k, v in session().items() if k != "session_id"}, "malformed")
cases["null-required"] = (session(username=None), "malformed")
cases["wrong-type-tenant"] = (alert("x", tenant_id=17), "malformed")
cases["wrong-type-severity"] = (alert("x", severity=["critical"]), "malformed")
cases["wrong-type-timestamp"] = (alert("x", timestamp=True), "malformed")
cases["bad-timestamp"] = (alert("x", timestamp="yesterday, about noon"), "malformed")
cases["timestamp-year-99999"] = (alert("x", timestamp="99999-01-01T00:00:00"), "malformed")
cases["event-type-is-number"] = (alert("x", event_type=3), "malformed")

def nest(depth):
    d = {"leaf": E + "[2JHOSTILE-DEEP"}
    for _ in range(depth):
        d = {"n": d}
    return d
# Too deep to decode: the JSON reader refuses past its depth limit rather than recursing.
cases["deep-details-10000"] = (None, "malformed")
cases["deep-details-50"] = (alert("deep HOSTILE-DEEP50", details=nest(50)), "event")

os.makedirs(OUT, exist_ok=True)
expected = []
for name, (obj, outcome) in sorted(cases.items()):
    if name == "deep-details-10000":
        text = json.dumps(alert("deep HOSTILE-DEEP10000"))[:-1] + ', "details": ' + '{"n":' * 10000 + "1" + "}" * 10000 + "}"
    else:
        text = json.dumps(obj, ensure_ascii=False)
    with open(os.path.join(OUT, name + ".json"), "w", encoding="utf-8", errors="surrogatepass") as f:
        f.write(text)
    expected.append(f"{name} {outcome}")

# Byte-level cases that json.dumps cannot write.
raw = {
    "lone-surrogates": (b'{"event_type":"alert.raised","tenant_id":"t-01","timestamp":"2025-12-08T10:30:00","alert_id":"s","alert_type":"x","severity":"info","source":"s","message":"\\ud800 HOSTILE-SURROGATE \\udfff \\udc00\\ud800"}', "event"),
    "invalid-utf8": (b'{"event_type":"alert.raised","tenant_id":"t-01","timestamp":"2025-12-08T10:30:00","alert_id":"u","alert_type":"x","severity":"info","source":"s","message":"\xff\xfe\xc0\xafHOSTILE-UTF8"}', "event"),
    "invalid-json-truncated": (b'{"event_type":"alert.raised","tenant_id":"t-01","timest', "malformed"),
    "invalid-json-trailing": (b'{"event_type":"alert.raised"} {"x":1}', "malformed"),
    "invalid-json-not-object": (b'[1,2,3]', "malformed"),
    # Tolerated, as json.loads(strict=False) would: the value keeps the byte, the screen shows it
    # as a visible placeholder and jsonl writes it as a space.
    "raw-control-in-string": (b'{"event_type":"alert.raised","tenant_id":"t-01","timestamp":"2025-12-08T10:30:00","alert_id":"c","alert_type":"x","severity":"info","source":"s","message":"raw\x1b[2JHOSTILE-RAWCTL"}', "event"),
    "empty": (b'', "malformed"),
    "nul-bytes": (b'\x00\x00\x00\x00', "malformed"),
    "binary-garbage": (bytes(range(256)), "malformed"),
}
for name, (data, outcome) in sorted(raw.items()):
    with open(os.path.join(OUT, name + ".json"), "wb") as f:
        f.write(data)
    expected.append(f"{name} {outcome}")

with open(os.path.join(OUT, "EXPECTED"), "w") as f:
    f.write("# fixture outcome (event: decodes, maybe with clamped or placeholder values; malformed: counted and shown, never dropped silently)\n")
    f.write("\n".join(sorted(expected)) + "\n")

# Seeds for the SSE fuzz target: the payloads in SSE framing, with every field kind.
SEEDS = os.path.join(os.path.dirname(__file__), "..", "Fuzz", "seeds", "sse")
os.makedirs(SEEDS, exist_ok=True)
for i, name in enumerate(sorted(n for n in os.listdir(OUT) if n.endswith(".json"))):
    data = open(os.path.join(OUT, name), "rb").read()
    if len(data) > 4096:
        continue
    nl = [b"\r\n", b"\n", b"\r"][i % 3]
    frame = b": ping - 2025-12-08 10:30:00" + nl + b"id: " + str(i).encode() + nl + b"retry: 3000" + nl
    frame += b"event: alert.raised" + nl + b"data: " + data.replace(b"\n", nl + b"data: ") + nl + nl
    with open(os.path.join(SEEDS, name[:-5] + ".sse"), "wb") as f:
        f.write(b"\x07" + frame + frame)
print(f"wrote {len(expected)} payloads to {OUT}")
