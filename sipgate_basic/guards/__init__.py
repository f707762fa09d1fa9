"""The guards: each module keeps one of the promises README's Security table makes.

The example (`config`, `auth`, `client`, `cli`) reads without them: each
guard is reached from it by one named call. A guard's docstring names its
promise; the Security table names the tests that prove it.

    checks     nothing is sent when the configuration is wrong; bad input in words
    urls       the base URL, piece by piece; clear text only to this machine
    proxy      the route: direct, or through which proxy, as urllib reads it
    transport  no redirects; verified TLS; the proxy's tunnel
    limits     the deadline, the body's size, an account that is an account
    network    a failure on the way, named by its hop
    masking    no secret printed, in the forms README lists
    output     every printed line masked and escaped; exit 23

Guards import only each other and the floor (`defaults`, `errors`,
`auth`), never the example's modules: no import circle can close.
"""
