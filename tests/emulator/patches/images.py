"""RegisterImage keeps the image's attributes."""

from __future__ import annotations

from typing import Any

from moto.ec2.responses.amis import AmisResponse

from ._common import wrap


def _register_image(original: Any) -> Any:
    """AWS (RegisterImage): the image keeps `Architecture` (default `i386` for EBS-backed images),
    `VirtualizationType` (default `paravirtual`), `RootDeviceName`, `BootMode`, `EnaSupport` and
    `ImdsSupport`; with `BlockDeviceMappings` it is EBS-backed (`RootDeviceType: ebs`). DescribeImages
    filters such as `architecture` then find it.
    moto 5.2.5 reads only Name and Description: every registered image has no architecture (an
    `architecture=x86_64` or `arm64` lookup finds nothing) and the root device `/dev/sda1`."""
    def patched(self: AmisResponse) -> Any:
        result = original(self)
        image = self.ec2_backend.amis[result.result["ImageId"]]
        image.architecture = self._get_param("Architecture") or "i386"
        image.virtualization_type = self._get_param("VirtualizationType") or "paravirtual"
        image.root_device_name = self._get_param("RootDeviceName") or image.root_device_name
        image.boot_mode = self._get_param("BootMode")
        image.ena_support = self._get_param("EnaSupport")
        image.imds_support = self._get_param("ImdsSupport")
        if self._get_param("BlockDeviceMappings"):
            image.root_device_type = "ebs"
        return result
    return patched


def apply() -> None:
    wrap(AmisResponse, "register_image", _register_image)
