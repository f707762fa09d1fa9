"""The Authorization header, against the RFCs' own examples; and how it is shown."""

import base64

import pytest

from sipgate_basic import auth
from sipgate_basic.auth import basic_auth_header, bearer_auth_header
from sipgate_basic.config import Config
from sipgate_basic.guards import masking


def test_rfc_7617_example():
    # RFC 7617, section 2: user-id "Aladdin", password "open sesame".
    assert basic_auth_header("Aladdin", "open sesame") == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="


def test_sipgates_own_example():
    # sipgate's authentication page: token ID token-FQ1V12 and this token give
    # these credentials (the page's "complete header" line has a typo).
    assert basic_auth_header("token-FQ1V12", "e68ead46-a7db-46cd-8a1a-44aed1e4e372") == (
        "Basic dG9rZW4tRlExVjEyOmU2OGVhZDQ2LWE3ZGItNDZjZC04YTFhLTQ0YWVkMWU0ZTM3Mg==")


def test_docstring_examples_hold():
    import doctest
    failed, attempted = doctest.testmod(auth)
    assert (failed, attempted) == (0, 2)


def test_auth_holds_the_header_functions_only():
    public = sorted(name for name in vars(auth) if not name.startswith("_"))
    assert public == ["base64", "basic_auth_header", "bearer_auth_header", "re"]


def test_non_ascii_token_is_utf8_before_base64():
    # RFC 7617, section 2.1: the charset is UTF-8. "test" / "123£" is its example.
    assert basic_auth_header("test", "123\u00a3") == "Basic dGVzdDoxMjPCow=="
    value = basic_auth_header("token-Ü1", "pässwörd-€")
    assert base64.b64decode(value[len("Basic "):]).decode("utf-8") == "token-Ü1:pässwörd-€"
    value.encode("ascii")  # a header value must be plain ASCII


def test_colon_in_password_is_kept_and_in_token_id_refused():
    value = basic_auth_header("id", "a:b")
    assert base64.b64decode(value[6:]) == b"id:a:b"
    with pytest.raises(ValueError, match="RFC 7617"):
        basic_auth_header("id:x", "token")


def test_bearer_header_is_the_token_as_is():
    assert bearer_auth_header("abc.DEF-123_~+/==") == "Bearer abc.DEF-123_~+/=="
    for bad in ("has space", "ümlaut", "a=b", ""):
        with pytest.raises(ValueError, match="RFC 6750"):
            bearer_auth_header(bad)


def test_mask_shows_at_most_the_last_four_of_a_long_secret():
    assert masking.mask("3fa85f64-5717-4562-b3fc-2c963f66afa6") == "...afa6"
    assert masking.mask("0123456789abcdef") == "...cdef"  # 16: the shortest shown in part
    assert masking.mask("0123456789abcde") == "..."
    config = Config("https://api.sipgate.com/v2", "token-ABC123",
                    "3fa85f64-5717-4562-b3fc-2c963f66afa6")
    assert masking.shown_authorization(config) == (
        "Basic <hidden: Base64 of token-ABC123:...afa6>")


@pytest.mark.promise("no-secret-is-printed")
def test_config_repr_hides_secrets():
    config = Config("https://api.sipgate.com/v2", "token-X", "the-secret-token-value",
                    sources={})
    bearer = Config("https://api.sipgate.com/v2", access_token="the-secret-access-token")
    for text in (repr(config), str(config), repr(bearer)):
        assert "the-secret" not in text
        assert base64.b64encode(b"token-X:the-secret-token-value").decode() not in text
    assert "token-X" in repr(config)


def test_proxy_and_config_reprs_hide_the_proxy_password():
    from sipgate_basic.config import load_config
    from sipgate_basic.guards.proxy import parse_proxy
    proxy = parse_proxy("http://alice:long-proxy-secret@proxy.example:3128", "HTTPS_PROXY")
    assert "long-proxy-secret" not in proxy.shown + repr(proxy)
    assert proxy.shown == "http://alice:<hidden>@proxy.example:3128"
    config = load_config(environ={"SIPGATE_TOKEN_ID": "token-X", "SIPGATE_TOKEN": "t" * 36,
                                  "HTTPS_PROXY": "http://alice:long-proxy-secret@proxy:3128"},
                         env_file="/dev/null")
    assert "long-proxy-secret" not in repr(config) and "t" * 36 not in repr(config)
    assert "alice:<hidden>@proxy:3128" in repr(config)
