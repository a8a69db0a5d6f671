"""Fake Debian images for the emulator.

moto ships ~1300 AMIs, none of them Debian. `register_debian_ami(client)` registers
`debian-12-amd64-20250101-0000` (x86_64) and `debian-12-arm64-20250101-0000` (arm64) in the
client's region, the way Debian publishes them (HVM, EBS root /dev/xvda, ENA, UEFI-preferred).

RegisterImage makes the caller the owner, so these images belong to the emulator's account
123456789012 (`ACCOUNT_ID`), not to Debian's 136693071363. Point roles and tests at them with
`ec2_ami_owner: "123456789012"` (DescribeImages `Owners=["123456789012"]` or `["self"]`) and a name
pattern such as `debian-12-amd64-*`, or pass the returned id as `ec2_ami_id`.
"""

from __future__ import annotations

from typing import Any

DEBIAN_AMI_NAMES = {
    "x86_64": "debian-12-amd64-20250101-0000",
    "arm64": "debian-12-arm64-20250101-0000",
}


def register_debian_ami(client: Any) -> dict[str, str]:
    """Register the fake Debian 12 images once; returns {architecture: image id}."""
    images: dict[str, str] = {}
    for architecture, name in DEBIAN_AMI_NAMES.items():
        found = client.describe_images(Owners=["self"], Filters=[{"Name": "name", "Values": [name]}])["Images"]
        if found:
            images[architecture] = found[0]["ImageId"]
            continue
        images[architecture] = client.register_image(
            Name=name,
            Description=f"Debian 12 (bookworm) {architecture}, fake image of the v6vpn.aws test emulator",
            Architecture=architecture,
            VirtualizationType="hvm",
            RootDeviceName="/dev/xvda",
            BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "VolumeType": "gp3", "DeleteOnTermination": True}}],
            EnaSupport=True,
            BootMode="uefi-preferred",
        )["ImageId"]
    return images
