"""The importable API: what a reader can reuse in their own code."""

import pytest

from conftest import demo_credentials
from fake_sipgate import ACCOUNT, DEMO_TOKEN, DEMO_TOKEN_ID
from sipgate_basic.client import build_request, fetch_account
from sipgate_basic.config import load_config
from sipgate_basic.errors import ConfigError, CredentialsRejected, SipgateError


@pytest.fixture(autouse=True)
def empty_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray ./.env


def test_fetch_account_returns_the_account(fake):
    config = load_config(environ={"SIPGATE_BASE_URL": fake.base_url,
                                  "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN})
    assert fetch_account(config) == ACCOUNT
    assert dict(fake.requests[0].headers)["Authorization"] == "Basic " + demo_credentials()


def test_fetch_account_raises_typed_errors(fake):
    config = load_config(environ={"SIPGATE_BASE_URL": fake.base_url,
                                  "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": "wrong"})
    with pytest.raises(CredentialsRejected) as caught:
        fetch_account(config)
    assert caught.value.exit_code == 3
    assert isinstance(caught.value, SipgateError)


def test_request_carries_the_authorization_only_unredirected(fake):
    config = load_config(environ={"SIPGATE_BASE_URL": fake.base_url,
                                  "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN})
    request = build_request(config)
    assert request.unredirected_hdrs == {"Authorization": "Basic " + demo_credentials(),
                                        "Host": "127.0.0.1:%d" % fake.port}
    assert "Authorization" not in request.headers


@pytest.mark.promise("no-secret-is-printed")
@pytest.mark.parametrize("form", ["token", "credentials", "credentials unpadded"])
def test_an_error_the_api_raises_holds_no_secret(raw_server, form):
    # A server that puts the credentials in its reason phrase: the exception
    # fetch_account raises is masked where it is made, not only when printed.
    shown = {"token": DEMO_TOKEN, "credentials": demo_credentials(),
             "credentials unpadded": demo_credentials().rstrip("=")}[form]
    base_url = raw_server(("HTTP/1.1 401 %s\r\nContent-Length: 0\r\n\r\n" % shown).encode())
    config = load_config(environ={"SIPGATE_BASE_URL": base_url,
                                  "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN})
    with pytest.raises(CredentialsRejected) as caught:
        fetch_account(config)
    assert str(caught.value).startswith("HTTP 401 <hidden>: the token ID and/or token are wrong")
    assert shown not in repr(caught.value) and DEMO_TOKEN[:8] not in str(caught.value)


def test_a_configuration_error_the_api_raises_holds_no_secret():
    # A base URL refused for its space is shown, and the token in it masked.
    with pytest.raises(ConfigError) as caught:
        load_config(environ={"SIPGATE_BASE_URL": "https://api.example/a b/" + DEMO_TOKEN,
                             "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN})
    assert str(caught.value).startswith(
        "SIPGATE_BASE_URL (environment) 'https://api.example/a b/<hidden>' is not a usable")
    assert DEMO_TOKEN not in repr(caught.value)


@pytest.mark.promise("no-secret-is-printed")
def test_an_api_error_carries_no_unmasked_exception_for_a_traceback_to_print(raw_server):
    # http.client's own exception holds the bad status line, the credentials
    # in it; the error raised is cut from it, so logging.exception or a
    # traceback prints only the masked text.
    import traceback
    base_url = raw_server(("XTTP/1.1 200 Basic %s\r\n\r\n" % demo_credentials()).encode())
    config = load_config(environ={"SIPGATE_BASE_URL": base_url,
                                  "SIPGATE_TOKEN_ID": DEMO_TOKEN_ID, "SIPGATE_TOKEN": DEMO_TOKEN})
    with pytest.raises(SipgateError) as caught:
        fetch_account(config)
    printed = "".join(traceback.format_exception(caught.type, caught.value, caught.tb))
    assert "<hidden>" in printed or "not HTTP" in printed
    assert demo_credentials() not in printed and demo_credentials()[:20] not in printed
