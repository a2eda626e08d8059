"""Development only: `manage.py runserver` points the embedded EasyPay emulator at itself.

Installed by config/settings/local.py ahead of every other app (its runserver must win, and
extends the next one: whitenoise's, staticfiles', or Django's). See follow.py.
"""
