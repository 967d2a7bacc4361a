"""
WSGI config for relations project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/6.1/howto/deployment/wsgi/
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relations.settings")

application = get_wsgi_application()

# What is loaded by now lasts as long as the process: left out of the garbage collector's
# full passes, which otherwise walk all of it every few hundred requests.
gc.freeze()
