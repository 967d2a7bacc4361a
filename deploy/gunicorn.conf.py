"""Gunicorn's settings for one app server. The systemd unit (systemd/relations@.service)
gives each instance its port and control socket; tests/deploy/ starts two with this file."""

# Two processes of four threads: a page waits on the database more than on the CPU.
workers = 2
threads = 4
# A request taking longer is stuck: its worker is replaced.
timeout = 30
# On a reload or stop, requests under way get this long to finish.
graceful_timeout = 20
# nginx logs every request; gunicorn only its own errors, to the journal.
errorlog = "-"
loglevel = "warning"
