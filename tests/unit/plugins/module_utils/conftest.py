"""Fixtures shared by the module_utils unit tests."""

import botocore.session
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.v6vpn.aws.plugins.module_utils import ec2


@pytest.fixture
def stubbed():
    """(retrying client as module_utils.ec2 makes it, stubber of the botocore client inside it)"""
    client = botocore.session.get_session().create_client(
        "ec2", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    with Stubber(client) as stubber:
        yield RetryingBotoClientWrapper(client, ec2.RETRY), stubber
        stubber.assert_no_pending_responses()
