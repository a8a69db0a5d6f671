"""RegisterImage attributes (patches/images.py) and the fake Debian images (amis.py)."""

from __future__ import annotations

from typing import Any

from tests.emulator.amis import DEBIAN_AMI_NAMES, register_debian_ami
from tests.emulator.server import ACCOUNT_ID


def test_register_image_keeps_its_attributes(ec2: Any) -> None:
    image_id = ec2.register_image(
        Name="attributes-test-arm64", Architecture="arm64", VirtualizationType="hvm", RootDeviceName="/dev/xvda",
        BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}], EnaSupport=True, BootMode="uefi",
    )["ImageId"]
    image = ec2.describe_images(ImageIds=[image_id])["Images"][0]
    assert (image["Architecture"], image["VirtualizationType"], image["RootDeviceName"], image["RootDeviceType"]) == ("arm64", "hvm", "/dev/xvda", "ebs")
    assert (image["EnaSupport"], image["BootMode"], image["OwnerId"]) == (True, "uefi", ACCOUNT_ID)
    found = ec2.describe_images(Owners=["self"], Filters=[{"Name": "architecture", "Values": ["arm64"]}, {"Name": "name", "Values": ["attributes-test-*"]}])
    assert [i["ImageId"] for i in found["Images"]] == [image_id]
    # Documented defaults for an EBS-backed image registered without them.
    bare = ec2.describe_images(ImageIds=[ec2.register_image(Name="attributes-test-bare")["ImageId"]])["Images"][0]
    assert (bare["Architecture"], bare["VirtualizationType"]) == ("i386", "paravirtual")


def test_register_debian_ami_once_per_architecture(ec2: Any) -> None:
    images = register_debian_ami(ec2)
    assert register_debian_ami(ec2) == images  # a second call finds them
    for architecture, name in DEBIAN_AMI_NAMES.items():
        pattern = name.rsplit("-", 2)[0] + "-*"  # debian-12-amd64-*, debian-12-arm64-*
        found = ec2.describe_images(Owners=[ACCOUNT_ID], Filters=[{"Name": "name", "Values": [pattern]}, {"Name": "architecture", "Values": [architecture]}])
        assert [(i["ImageId"], i["Name"], i["State"]) for i in found["Images"]] == [(images[architecture], name, "available")]
    instance_id = ec2.run_instances(ImageId=images["x86_64"], MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]["InstanceId"]
    instance = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    assert (instance["ImageId"], instance["Architecture"]) == (images["x86_64"], "x86_64")
