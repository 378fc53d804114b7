"""Settings of a small Django blog written for secreview's quality benchmark."""
import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# vuln: secrets
SECRET_KEY = "django-insecure-9x!v2k#b7q@w3e$r5t^y7u*i9o(p)"
# vuln: debug
DEBUG = True
# vuln: misconfig
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions", "blog"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]

PASSWORD_HASHERS = [
    # vuln: weak-crypto
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# vuln: deserialization
SESSION_SERIALIZER = "django.contrib.sessions.serializers.PickleSerializer"
# vuln: misconfig
SESSION_COOKIE_SECURE = False
# vuln: misconfig
SESSION_COOKIE_HTTPONLY = False
# vuln: misconfig
CSRF_COOKIE_SECURE = False
# safe: misconfig
SECURE_CONTENT_TYPE_NOSNIFF = True

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "blog",
        "USER": "blog",
        # vuln: secrets
        "PASSWORD": "Blog$Passw0rd!",
        "HOST": "db",
    }
}

EMAIL_HOST_USER = "notifications@blog.example"
# safe: secrets
EMAIL_HOST_PASSWORD = os.environ["EMAIL_HOST_PASSWORD"]
