"""Behind a corporate proxy: the route, every proxy failure in words, no password shown.

The client runs in a subprocess with HTTPS_PROXY pointing at the fake proxy
(fake_proxy.py), which tunnels to the fake sipgate over TLS. Each failure
must name the proxy, the variable to fix and the fix, with exit 5; a
malformed variable is exit 2 before any connection. The `run` fixture
checks every output for the token and credentials; these tests add the
proxy password and its Base64 form.
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import urllib.request

import pytest

from conftest import clean_environment, closed_port, demo_credentials, env_for
from fake_proxy import PROXY_CA, UPSTREAM_CA, FakeProxy

USER, PASSWORD = "alice", "pr0xy-s3cret-p@ss"
QUOTED_PASSWORD = "pr0xy-s3cret-p%40ss"  # as it stands in a URL
PROXY_SECRETS = (PASSWORD, QUOTED_PASSWORD,
                 base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode())


def proxy_url(proxy, user=USER, password=QUOTED_PASSWORD):
    return "http://%s:%s@127.0.0.1:%d" % (user, password, proxy.port)


def shown(proxy, user=USER):
    """How the client names the proxy: the password masked."""
    if user is None:
        return "the proxy http://127.0.0.1:%d (from HTTPS_PROXY)" % proxy.port
    return "the proxy http://%s:<hidden>@127.0.0.1:%d (from HTTPS_PROXY)" % (user, proxy.port)


@pytest.fixture
def run_proxied(run, tls_fake):
    """run(proxy_value, *args, **env) through a proxy to the TLS fake; checks no proxy secret."""

    def run_proxied(value, *args, **more):
        env = env_for(tls_fake, HTTPS_PROXY=value, **more)
        result = run("--cacert", more.pop("cacert", UPSTREAM_CA), *args, env=env)
        for secret in PROXY_SECRETS + (PROXY_SECRETS[2].rstrip("="),):
            assert secret not in result.output, "the proxy password was printed"
        assert "Traceback" not in result.output
        return result

    return run_proxied


# --- The route ----------------------------------------------------------------

def test_through_a_proxy_with_credentials(run_proxied, tls_fake):
    with FakeProxy(user=USER, password=PASSWORD) as proxy:
        result = run_proxied(proxy_url(proxy), "--verbose")
    assert result.code == 0, result
    assert "* route: through %s\n" % shown(proxy) in result.err
    assert proxy.targets == [("CONNECT", "127.0.0.1:%d" % tls_fake.port)]
    # The proxy's credentials went to the proxy only, ours to sipgate only.
    assert proxy.proxy_authorizations == ["Basic " + PROXY_SECRETS[2]]
    (seen,) = tls_fake.requests
    assert [name for name, _ in seen.headers if "authorization" in name.lower()] == [
        "Authorization"]
    assert dict(seen.headers)["Authorization"] == "Basic " + demo_credentials()
    assert dict(seen.headers)["Host"] == "127.0.0.1:%d" % tls_fake.port


@pytest.mark.promise("proxy-route")
def test_lowercase_variable_wins_as_in_urllib(run, tls_fake):
    with FakeProxy() as proxy:
        env = env_for(tls_fake, https_proxy=proxy.url,
                      HTTPS_PROXY="http://127.0.0.1:%d" % closed_port())
        result = run("--cacert", UPSTREAM_CA, "-v", env=env)
    assert result.code == 0, result
    assert "* route: through the proxy %s (from https_proxy)\n" % proxy.url in result.err
    assert len(proxy.targets) == 1


@pytest.mark.parametrize("no_proxy,entry", [
    ("127.0.0.1", "127.0.0.1"), ("example.com, .0.0.1", ".0.0.1"), ("*", "*"),
])
def test_no_proxy_entry_sends_it_direct_and_says_which(run, tls_fake, no_proxy, entry):
    with FakeProxy() as proxy:
        result = run("--cacert", UPSTREAM_CA, "-v",
                     env=env_for(tls_fake, HTTPS_PROXY=proxy.url, NO_PROXY=no_proxy))
    assert result.code == 0, result
    assert "* route: direct: NO_PROXY entry %r matches 127.0.0.1\n" % entry in result.err
    assert proxy.targets == []


def test_offline_shows_the_route_without_the_password(run_proxied, tls_fake):
    with FakeProxy() as proxy:
        result = run_proxied(proxy_url(proxy), "--offline")
    assert result.code == 0, result
    assert "* route: through %s\n" % shown(proxy) in result.err
    assert proxy.targets == [] and tls_fake.requests == []


# --- Each proxy failure in words: exit 5, the proxy, the variable, the fix -----------

def test_proxy_wants_credentials(run_proxied):
    with FakeProxy(user=USER, password=PASSWORD) as proxy:
        result = run_proxied(proxy.url)
    assert result.code == 5, result
    assert result.err == (
        "sipgate_basic: %s wants a user and password (HTTP 407 Proxy Authentication "
        "Required): put them in HTTPS_PROXY as http://USER:PASSWORD@HOST:PORT\n"
        % shown(proxy, None))


@pytest.mark.parametrize("with_credentials", [False, True])
def test_a_proxy_that_says_401_instead_of_407(run_proxied, with_credentials):
    with FakeProxy(mode="refuse", status=401) as proxy:  # as tinyproxy does
        result = run_proxied(proxy_url(proxy) if with_credentials else proxy.url)
    assert result.code == 5, result
    if with_credentials:
        assert "%s refused the user and password given (HTTP 401 Unauthorized)" % shown(
            proxy) in result.err
    else:
        assert "%s wants a user and password (HTTP 401 Unauthorized)" % shown(
            proxy, None) in result.err


def test_proxy_refuses_the_credentials(run_proxied, tls_fake):
    with FakeProxy(user=USER, password="another") as proxy:
        result = run_proxied(proxy_url(proxy))
    assert result.code == 5, result
    assert result.err == (
        "sipgate_basic: %s refused the user and password given (HTTP 407 Proxy "
        "Authentication Required): check the user and password in HTTPS_PROXY\n"
        % shown(proxy))
    assert "401" not in result.err and tls_fake.requests == []


@pytest.mark.parametrize("status,why", [
    (403, "(HTTP 403 Forbidden): its policy may block 127.0.0.1:{port}; ask your "
          "network's administrators"),
    (502, "(HTTP 502 Bad Gateway): it could not reach 127.0.0.1:{port}; try again later, "
          "or ask your network's administrators"),
    (503, "(HTTP 503 Service Unavailable): it could not reach 127.0.0.1:{port}; try again "
          "later, or ask your network's administrators"),
    (500, "(HTTP 500 Internal Server Error): it could not reach 127.0.0.1:{port}; try again "
          "later, or ask your network's administrators"),
    (400, "(HTTP 400 Bad Request): check HTTPS_PROXY"),
])
def test_proxy_refuses_the_tunnel(run_proxied, tls_fake, status, why):
    with FakeProxy(mode="refuse", status=status) as proxy:
        result = run_proxied(proxy.url)
    assert result.code == 5, result
    assert result.err == "sipgate_basic: %s refused to open a tunnel to 127.0.0.1:%d %s\n" % (
        shown(proxy, None), tls_fake.port, why.format(port=tls_fake.port))


@pytest.mark.promise("no-traceback")
@pytest.mark.parametrize("mode,words", [
    ("hang-up", "closed the connection without answering the request for a tunnel to "
                "127.0.0.1:{port}: check that HTTPS_PROXY names an HTTP proxy"),
    ("garbage", "answered the request for a tunnel to 127.0.0.1:{port} with something that "
                "is not HTTP: check that HTTPS_PROXY names an HTTP proxy"),
])
def test_proxy_hangs_up_or_answers_garbage(run_proxied, tls_fake, mode, words):
    with FakeProxy(mode=mode) as proxy:
        result = run_proxied(proxy.url)
    assert result.code == 5, result
    assert result.err == "sipgate_basic: %s %s\n" % (
        shown(proxy, None), words.format(port=tls_fake.port))


@pytest.mark.promise("timeout")
def test_proxy_that_never_answers_is_a_timeout_at_the_proxy(run_proxied, tls_fake):
    with FakeProxy(mode="silent") as proxy:
        result = run_proxied(proxy_url(proxy), "--timeout", "1")
    assert result.code == 5, result
    assert result.err == (
        "sipgate_basic: timed out after 1 s waiting for %s to open a tunnel to 127.0.0.1:%d "
        "(--timeout). Check that HTTPS_PROXY names a proxy that answers.\n"
        % (shown(proxy), tls_fake.port))


def test_proxy_down(run_proxied):
    port = closed_port()
    result = run_proxied("http://%s:%s@127.0.0.1:%d" % (USER, QUOTED_PASSWORD, port))
    assert result.code == 5, result
    assert result.err == (
        "sipgate_basic: the proxy http://%s:<hidden>@127.0.0.1:%d (from HTTPS_PROXY) refused "
        "the connection: nothing listens at 127.0.0.1:%d. Check the host and port in "
        "HTTPS_PROXY, or unset it to connect directly\n" % (USER, port, port))


def test_proxy_host_unknown(run_proxied):
    result = run_proxied("http://%s:%s@proxy.invalid:3128" % (USER, QUOTED_PASSWORD))
    assert result.code == 5, result
    assert result.err.startswith(
        "sipgate_basic: cannot resolve the host of the proxy "
        "http://%s:<hidden>@proxy.invalid:3128 (from HTTPS_PROXY) (" % USER)
    assert result.err.endswith("): check the host in HTTPS_PROXY\n")


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="Linux refuses TCP to a multicast address itself (ENETUNREACH)")
def test_a_proxy_that_cannot_be_reached_is_said_in_our_words_first(run_proxied):
    # No route to the proxy: the C library's words only follow, in parentheses.
    result = run_proxied("http://224.0.0.1:3128", "--timeout", "5")
    assert result.code == 5, result
    assert result.err.startswith("sipgate_basic: network error talking to the proxy "
                                 "http://224.0.0.1:3128 (from HTTPS_PROXY) (")
    assert result.err.endswith(")\n") and result.err.count("\n") == 1


# --- TLS through an intercepting proxy ---------------------------------------------

def test_intercepting_proxy_is_named_with_the_issuer(run_proxied, tls_fake):
    with FakeProxy(mode="intercept") as proxy:
        result = run_proxied(proxy.url)
    assert result.code == 5, result
    assert result.err.startswith(
        "sipgate_basic: the TLS certificate presented for 127.0.0.1:%d could not be "
        "verified (" % tls_fake.port)
    assert result.err.endswith(
        "; it was issued by 'sipgate_basic Test Proxy CA'. Only the authorities in --cacert "
        "%s are trusted (it replaces the system's, SSL_CERT_FILE and SSL_CERT_DIR). The "
        "connection goes through %s, which may be re-signing TLS with its own certificate "
        "authority: if so, pass --cacert FILE with that authority's certificate (your IT "
        "department has it).\n" % (UPSTREAM_CA, shown(proxy, None)))
    assert tls_fake.requests == []  # nothing reached sipgate: no header went out


def test_intercepting_proxy_works_with_its_ca(run_proxied, tls_fake):
    with FakeProxy(mode="intercept", user=USER, password=PASSWORD) as proxy:
        result = run_proxied(proxy_url(proxy), cacert=PROXY_CA)
    assert result.code == 0, result
    assert dict(tls_fake.requests[0].headers)["Authorization"] == "Basic " + demo_credentials()


@pytest.mark.promise("tls-verified")
def test_host_name_is_verified(run_proxied, tls_fake):
    """The test certificate covers 127.0.0.1 and localhost, not api.sipgate.test."""
    with FakeProxy(routes={"api.sipgate.test:443": ("127.0.0.1", tls_fake.port)}) as proxy:
        result = run_proxied(proxy.url, SIPGATE_BASE_URL="https://api.sipgate.test/v2")
    assert result.code == 5, result
    # (A second CONNECT, without a request, learns who issued the certificate.)
    assert set(proxy.targets) == {("CONNECT", "api.sipgate.test:443")}
    assert result.err.startswith(
        "sipgate_basic: the TLS certificate presented for api.sipgate.test could not be "
        "verified (")
    assert "mismatch" in result.err or "not valid for" in result.err
    assert tls_fake.requests == []


# --- A proxy variable that cannot be used: exit 2, before any connection -------------

@pytest.mark.promise("no-secret-is-printed")
@pytest.mark.promise("nothing-sent")
@pytest.mark.parametrize("value,problem", [
    ("http:/%s:%s@proxy:3128" % (USER, QUOTED_PASSWORD), "'http:' is not followed by //"),
    ("http://%s:%s@proxy:port" % (USER, QUOTED_PASSWORD), "the port is not a number"),
    ("http://%s:%s@proxy:99999" % (USER, QUOTED_PASSWORD), "the port is not a number"),
    ("ftp://%s:%s@proxy:21" % (USER, QUOTED_PASSWORD), "unknown scheme 'ftp:'"),
    ("socks5://%s:%s@proxy:1080" % (USER, QUOTED_PASSWORD), "SOCKS proxies are not supported"),
    ("https://%s:%s@proxy:3128" % (USER, QUOTED_PASSWORD), "https:// (TLS to the proxy"),
    ("http://%s:%s@proxy:3128/path" % (USER, QUOTED_PASSWORD), "has a path"),
    ("http://%s:%s@pro xy:3128" % (USER, QUOTED_PASSWORD), "the host is not a host name"),
    ("http://%s:pr0xy-s3cret-p%%4@proxy:3128" % USER, "a %-escape that is broken or not UTF-8"),
    ("http://%s:pr0xy-s3cret-p%%FC@proxy:3128" % USER, "a %-escape that is broken or not UTF-8"),
    ("http://:%s@proxy:3128" % QUOTED_PASSWORD, "the user name is empty"),
    ("http://us%%3Aer:%s@proxy:3128" % QUOTED_PASSWORD, "a Basic Auth user-id cannot hold ':'"),
    ("http://%s:%s@proxy:3128?x=1" % (USER, QUOTED_PASSWORD), "a query or fragment"),
])
def test_malformed_proxy_variable(run_proxied, tls_fake, value, problem):
    result = run_proxied(value)
    assert result.code == 2, result
    assert result.err.startswith("sipgate_basic: HTTPS_PROXY cannot be used as a proxy: ")
    assert problem in result.err
    assert result.err.endswith("Expected http://[USER:PASSWORD@]HOST:PORT\n")
    assert tls_fake.requests == []


def test_scheme_less_proxy_is_http_as_in_urllib(run_proxied, tls_fake):
    with FakeProxy(user=USER, password=PASSWORD) as proxy:
        result = run_proxied("%s:%s@127.0.0.1:%d" % (USER, QUOTED_PASSWORD, proxy.port), "-v")
    assert result.code == 0, result
    assert "* route: through %s\n" % shown(proxy) in result.err


# --- Trusted authorities: SSL_CERT_FILE, SSL_CERT_DIR, and --cacert replacing them ----

@pytest.mark.promise("tls-verified")
def test_ssl_cert_file_is_honoured(run, tls_fake):
    result = run(env=env_for(tls_fake, SSL_CERT_FILE=UPSTREAM_CA))
    assert result.code == 0, result


@pytest.mark.promise("tls-verified")
def test_cacert_replaces_the_system_authorities(run, tls_fake):
    # SSL_CERT_FILE stands in for the system's store: it trusts the fake,
    # but --cacert names another authority, and only that one counts.
    result = run("--cacert", PROXY_CA, env=env_for(tls_fake, SSL_CERT_FILE=UPSTREAM_CA))
    assert result.code == 5, result
    assert "could not be verified" in result.err


@pytest.mark.skipif(not shutil.which("openssl"), reason="needs openssl to name the hash link")
def test_ssl_cert_dir_is_honoured(run, tls_fake, tmp_path):
    digest = subprocess.check_output(["openssl", "x509", "-hash", "-noout", "-in", UPSTREAM_CA],
                                     universal_newlines=True).strip()
    shutil.copy(UPSTREAM_CA, str(tmp_path / ("%s.0" % digest)))
    result = run(env=env_for(tls_fake, SSL_CERT_DIR=str(tmp_path),
                             SSL_CERT_FILE=os.devnull))
    assert result.code == 0, result


def test_empty_lowercase_variable_hides_the_uppercase_one_and_says_so(run, tls_fake):
    with FakeProxy() as proxy:
        result = run("--cacert", UPSTREAM_CA, "-v",
                     env=env_for(tls_fake, HTTPS_PROXY=proxy.url, https_proxy=""))
    assert result.code == 0, result
    assert ("* route: direct: https_proxy is set but empty, which overrides HTTPS_PROXY "
            "(as in urllib)\n") in result.err
    assert proxy.targets == []


def test_a_5xx_through_a_proxy_may_be_the_proxys_own(run_proxied, tls_fake):
    tls_fake.mode, tls_fake.status = "status", 502
    with FakeProxy() as proxy:
        result = run_proxied(proxy.url)
    assert result.code == 4, result
    assert result.err == (
        "sipgate_basic: HTTP 502 Bad Gateway: a problem on sipgate's side, or on %s in "
        "between; try again later\n" % shown(proxy, None))


def test_proxy_variable_that_is_not_utf8(run_proxied, tls_fake):
    result = run_proxied("http://%s:p\udcffw@127.0.0.1:3128" % USER)
    assert result.code == 2, result
    assert "HTTPS_PROXY cannot be used as a proxy: it holds bytes that are not UTF-8 text" \
        in result.err


def test_a_malformed_proxy_that_would_not_be_used_is_no_error(run, tls_fake):
    result = run("--cacert", UPSTREAM_CA, env=env_for(
        tls_fake, HTTPS_PROXY="socks5://%s:%s@proxy:1080" % (USER, QUOTED_PASSWORD),
        NO_PROXY="*"))
    assert result.code == 0, result


def test_cacert_that_does_not_match_says_it_replaced_the_rest(run, tls_fake):
    result = run("--cacert", PROXY_CA, env=env_for(tls_fake))
    assert result.code == 5, result
    assert ("Only the authorities in --cacert %s are trusted (it replaces the system's, "
            "SSL_CERT_FILE and SSL_CERT_DIR)" % PROXY_CA) in result.err


@pytest.mark.promise("no-secret-is-printed")
def test_a_short_proxy_password_does_not_garble_the_output(run, tls_fake):
    with FakeProxy(user="alice", password="127") as proxy:
        result = run("--cacert", UPSTREAM_CA, "-v", env=env_for(
            tls_fake, HTTPS_PROXY="http://alice:127@127.0.0.1:%d" % proxy.port))
    assert result.code == 0, result
    assert "* route: through the proxy http://alice:<hidden>@127.0.0.1:%d (from HTTPS_PROXY)" \
        % proxy.port in result.err
    assert "> Host: 127.0.0.1:%d" % tls_fake.port in result.err


@pytest.mark.promise("no-secret-is-printed")
@pytest.mark.parametrize("reason", [QUOTED_PASSWORD, PROXY_SECRETS[2].rstrip("=")])
def test_a_proxy_that_hands_the_password_back_is_masked(run_proxied, raw_server, reason):
    # The proxy's 407 reason phrase repeats the password as written in
    # HTTPS_PROXY, or the Base64 of the credentials without its padding.
    proxy_url = raw_server(("HTTP/1.1 407 %s\r\nContent-Length: 0\r\n\r\n" % reason)
                           .encode("latin-1")).rsplit("/", 1)[0]
    result = run_proxied(proxy_url.replace("http://", "http://%s:%s@" % (USER, QUOTED_PASSWORD)))
    assert result.code == 5, result  # run_proxied asserts that no form of the password shows
    assert "refused the user and password given (HTTP 407 <hidden>)" in result.err


# --- NO_PROXY and the proxy variables, read exactly as urllib reads them ------------

def route_of(run, env, *args):
    """(True if through the proxy, the route line) that --offline says, sending nothing."""
    result = run("--offline", *args, env=env)
    assert result.code == 0, result
    (line,) = [line for line in result.err.splitlines() if line.startswith("* route: ")]
    assert line.startswith(("* route: direct: ", "* route: through the proxy ")), line
    return line.startswith("* route: through"), line


@pytest.mark.promise("proxy-route")
@pytest.mark.parametrize("no_proxy,base_url", [
    (".", "https://api.sipgate.com./v2"),  # "." alone: any name ending in a dot
    (".", "https://api.sipgate.com/v2"),
    ("..sipgate.com", "https://api.sipgate.com/v2"),
    ("ipgate.com", "https://api.sipgate.com/v2"),  # whole labels only
    (".sipgate.com", "https://api.sipgate.com/v2"),
    ("sipgate.com", "https://api.sipgate.com/v2"),
    ("com", "https://api.sipgate.com/v2"),
    ("api.sipgate.co", "https://api.sipgate.com/v2"),
    ("api.sipgate.com:443", "https://api.sipgate.com/v2"),
    ("api.sipgate.com:443", "https://api.sipgate.com:443/v2"),
    ("sipgate.com:443", "https://api.sipgate.com:443/v2"),
    ("api.sipgate.com:8443", "https://api.sipgate.com:443/v2"),  # its port only
    ("api.sipgate.com:8443", "https://api.sipgate.com:8443/v2"),
    ("sipgate.com", "https://api.sipgate.com./v2"),
    ("API.SIPGATE.COM", "https://api.sipgate.com/v2"),
    ("api.sipgate.com", "https://API.Sipgate.COM/v2"),
    ("[::1]", "https://[::1]:8443/v2"),
    ("[::1]:8443", "https://[::1]:8443/v2"),
    ("[::1]:443", "https://[::1]:8443/v2"),
    ("::1", "https://[::1]:8443/v2"),
    ("::1", "https://[::1]/v2"),
    ("[:", "https://[::1]/v2"),  # no port to strip from [::1]
    ("0.0.1", "https://127.0.0.1:8443/v2"),
    ("*", "https://api.sipgate.com/v2"),
    (" * ", "https://api.sipgate.com/v2"),
    ("*,x", "https://api.sipgate.com/v2"),
    ("x,*", "https://api.sipgate.com/v2"),
    (",,api.sipgate.com,", "https://api.sipgate.com/v2"),
    (" , ,", "https://api.sipgate.com/v2"),
    ("", "https://api.sipgate.com/v2"),
    ("  .api.sipgate.com  ,x", "https://api.sipgate.com/v2"),
])
def test_no_proxy_matches_as_urllib_does(run, no_proxy, base_url):
    host = urllib.request.Request(base_url + "/account").host
    bypassed = urllib.request.proxy_bypass_environment(host, {"no": no_proxy})
    through, line = route_of(run, {"HTTPS_PROXY": "http://127.0.0.1:3128", "NO_PROXY": no_proxy,
                                   "SIPGATE_BASE_URL": base_url})
    assert through == (not bypassed), line


def urllib_proxies(env):
    """urllib's getproxies_environment(), run in a process with `env` as its environment."""
    return json.loads(subprocess.check_output(
        [sys.executable, "-c", "import json, urllib.request; "
         "print(json.dumps(urllib.request.getproxies_environment()))"],
        env=clean_environment(**env), universal_newlines=True))


A, B = "http://127.0.0.1:3128", "http://127.0.0.2:3129"


@pytest.mark.promise("proxy-route")
@pytest.mark.parametrize("env,note", [
    ({"Https_Proxy": A}, None),
    ({"hTTPS_PROXY": A}, None),
    ({"https_proxy": A, "HTTPS_PROXY": B}, None),
    ({"HTTPS_PROXY": B, "https_proxy": A}, None),
    ({"Https_proxy": A, "HTTPS_PROXY": B}, None),  # ends in "_proxy": counts as lowercase
    ({"https_proxy": "", "HTTPS_PROXY": B},
     "direct: https_proxy is set but empty, which overrides HTTPS_PROXY (as in urllib)"),
    ({"HTTPS_PROXY": "", "https_proxy": A}, None),
    ({"Https_Proxy": "", "HTTPS_PROXY": B}, None),
    ({"HTTPS_PROXY": A, "no_proxy": "", "NO_PROXY": "sipgate.com"},
     "(from HTTPS_PROXY); no_proxy is set but empty, which overrides NO_PROXY (as in urllib)"),
    ({"HTTPS_PROXY": A, "No_Proxy": "sipgate.com"}, None),
    ({"HTTPS_PROXY": A, "no_proxy": "sipgate.com", "NO_PROXY": "example.com"}, None),
    ({"HTTPS_PROXY": A, "no_proxy": "example.com", "NO_PROXY": "sipgate.com"}, None),
    ({"HTTP_PROXY": A, "ALL_PROXY": B}, None),  # neither is for https://
])
def test_proxy_variables_are_read_as_urllib_reads_them(run, env, note):
    proxies = urllib_proxies(env)
    expected = "https" in proxies and not urllib.request.proxy_bypass_environment(
        "api.sipgate.com", proxies)
    through, line = route_of(run, env, "--base-url", "https://api.sipgate.com/v2")
    assert through == expected, (proxies, line)
    if through:
        (value, variable), = [(v, k) for k, v in env.items() if v == proxies["https"]]
        assert line == "* route: through the proxy %s (from %s)" % (value, variable) + (
            "; " + note.split("; ")[1] if note else "")
    elif note:
        assert line == "* route: " + note


@pytest.mark.promise("broken-connections")
def test_a_response_cut_short_through_a_proxy_names_the_api_host(run_proxied, tls_fake):
    # urllib's set_proxy makes the Request's host the proxy's; the words name
    # the host the response came from.
    tls_fake.mode = "short"
    with FakeProxy() as proxy:
        result = run_proxied(proxy.url)
    assert result.code == 5, result
    assert result.err == ("sipgate_basic: the response from 127.0.0.1:%d broke off after 50 of "
                          "the 500 bytes it announced\n" % tls_fake.port)
