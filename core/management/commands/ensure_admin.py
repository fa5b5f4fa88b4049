"""Create the first admin account if the site has none, and print its login.

Used by `make run` so a new user can sign in at once. The password is
ADMIN_PASSWORD when set, otherwise random and printed once: it is stored
nowhere but in the database, as a hash.
"""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create an admin superuser if none exists and print the login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--username", default=os.environ.get("ADMIN_USERNAME", "admin")
        )

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "An admin account already exists; its password was printed when it "
                "was created. To set a new one: .venv/bin/python manage.py "
                f"changepassword {username}"
            )
            return
        password = os.environ.get("ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(self.style.SUCCESS("Created the admin account:"))
        self.stdout.write(f"  username: {username}")
        self.stdout.write(f"  password: {password}")
