"""The password hash: Argon2id at a cost chosen for a county server.

Django's default Argon2 cost (memory 100 MiB, 2 passes, 8 lanes) made every
login take about 100 MB of memory while it ran, so a handful of people
signing in at once on a small server could exhaust it. We use the OWASP
Password Storage Cheat Sheet's (2023) equivalent setting with the least
time: Argon2id with 46 MiB of memory (47,104 KiB), one pass, one lane —
the same resistance to guessing on graphics cards as its 19 MiB / two-pass
line, within 64 MB and well under 300 ms a login on the 2-core benchmark
machine (`make bench-login`, docs/BENCHMARKS.md).

The algorithm name stays "argon2", so stored hashes made at Django's cost
still verify; `must_update` sees their other parameters and Django stores
the new cost at the user's next login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2Hasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 47_104  # KiB
    parallelism = 1
