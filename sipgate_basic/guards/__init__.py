"""The guards: each module keeps promises of README's Security table, names
them in its docstring, and is reached from the example by one named call.

    checks     nothing is sent when the configuration is wrong; bad input in words
    urls       the base URL, piece by piece; clear text only to this machine
    proxy      the route: direct, or through which proxy, as urllib reads it
    transport  no redirects; verified TLS; the proxy's tunnel
    limits     the deadline, the body's size, an account that is an account
    network    a failure on the way, named by its hop
    masking    no secret printed, in the forms README lists
    output     every printed line masked and escaped; exit 23

They import only each other, `defaults`, `errors` and `auth` (pure, asked by
both), never `config`, `client` or `cli`, so no import circle can close.
"""
