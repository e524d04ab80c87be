"""Signing in: password login with throttling (django-axes), the second factor (django-otp TOTP with
backup codes) and the "Sicherheit" page. See ``policy`` for who must use a second factor."""
