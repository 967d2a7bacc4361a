"""Gunicorn's settings for one app server. The systemd unit (systemd/relations@.service)
gives each instance its port and control socket; tests/deploy/ starts two with this file."""

# Two processes of four threads each, as measured in docs/performance.md.
workers = 2
threads = 4
# A request taking longer is stuck: its worker is replaced.
timeout = 30
# Idle connections from nginx are kept longer than nginx keeps them (keepalive_timeout in
# deploy/nginx/relations.conf), so nginx closes them first and never sends a request down
# one gunicorn is closing.
keepalive = 65
# On a reload or stop, requests under way get this long to finish.
graceful_timeout = 20
# nginx logs every request; gunicorn only its own errors, to the journal.
errorlog = "-"
loglevel = "warning"
