from django.db import models


class DemoStep(models.Model):
    """A demo step that has run, so `load_demo` can be run again safely."""

    name = models.CharField(max_length=200, unique=True)
    done_at = models.DateTimeField(auto_now_add=True)
