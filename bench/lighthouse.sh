#!/usr/bin/env bash
# Lighthouse (mobile preset) on `/`, `/` with an event open and an event page, served by
# gunicorn with the production settings over plain HTTP on loopback. Prints the four category
# scores of each page.
# Usage: bench/lighthouse.sh   (needs Node.js and Chromium; installs Lighthouse with npm)
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory setup >/dev/null
PORT="${PORT:-8731}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
(cd bench/lighthouse && npm install --no-audit --no-fund --silent >/dev/null)

export DJANGO_DEBUG=0 DJANGO_HTTPS=0 DJANGO_SECRET_KEY="lighthouse-$(head -c 32 /dev/urandom | base64 | tr -d '/+=')"
.venv/bin/python manage.py collectstatic --no-input -v0
.venv/bin/gunicorn relations.wsgi --bind "127.0.0.1:${PORT}" --workers 2 --log-level warning &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:${PORT}/healthz" >/dev/null && break; sleep 0.2; done

event=$(curl -fs "http://127.0.0.1:${PORT}/export/events.json" | .venv/bin/python -c \
  'import json,sys; print(json.load(sys.stdin)["events"][0]["slug"])')
out="$(mktemp -d)"
printf '%-32s %12s %14s %15s %6s\n' page performance accessibility best-practices seo
for path in "/" "/?event=${event}" "/events/${event}/"; do
  CHROME_PATH="$CHROMIUM" bench/lighthouse/node_modules/.bin/lighthouse "http://127.0.0.1:${PORT}${path}" \
    --quiet --output=json --output-path="$out/report.json" \
    --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run --disable-sync --disable-quic" \
    >/dev/null 2>&1
  .venv/bin/python - "$out/report.json" "$path" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
scores = [report["categories"][c]["score"] for c in ("performance", "accessibility", "best-practices", "seo")]
print(f"{sys.argv[2]:<32} " + " ".join(f"{s:>{w}.2f}" for s, w in zip(scores, (12, 14, 15, 6))))
for category in ("performance", "accessibility", "best-practices", "seo"):
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 0.9:
            print(f"    {category}: {audit['title']} ({audit['score']})")
PY
done
