"""The importable API: what a reader can reuse in their own code."""

import pytest

from conftest import demo_credentials
from fake_sipgate import ACCOUNT, DEMO_TOKEN, DEMO_TOKEN_ID
from sipgate_basic.client import build_request, fetch_account
from sipgate_basic.config import load_config
from sipgate_basic.errors import CredentialsRejected, SipgateError


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
