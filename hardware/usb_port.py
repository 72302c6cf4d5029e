"""USB printers through pyusb and libusb, for receipt and label printers plugged straight into the PC.

pyusb is the optional extra [usb]: imported guarded, as python-escpos's printer/usb.py does, so the
kiosk starts without it and a USB printer then reports what to install instead of an ImportError.
"""

from __future__ import annotations

from hardware.transports import (
    PrinterURIError,
    Transport,
    TransportError,
    TransportUnavailable,
    short,
    split_uri,
)

try:
    import usb.core
    import usb.util
except ImportError:  # the [usb] extra is not installed: is_usable() says so, open says what to do
    usb = None

OPTIONS: dict[str, object] = {"interface": 0, "out_ep": 0, "timeout": 10.0}
MISSING_EXTRA = "USB printers need the USB extra: pip install shopfloor-kiosk[usb]"


def is_usable() -> bool:
    return usb is not None


class UsbTransport(Transport):
    """The bulk OUT endpoint of USB device VID:PID (hex, e.g. usb://04b8:0202)."""

    scheme = "usb"

    def __init__(
        self, vendor_id: int, product_id: int, interface: int = 0, out_ep: int = 0, timeout: float = 10.0
    ) -> None:
        if not is_usable():
            raise TransportUnavailable(MISSING_EXTRA)
        self.vendor_id = vendor_id
        self.product_id = product_id
        self.interface = interface
        self.out_ep = out_ep  # 0: the interface's first bulk OUT endpoint
        self.timeout = timeout
        self.uri = f"usb://{self.device_id}"
        self._device: tuple | None = None  # (pyusb device, OUT endpoint address) once opened

    @staticmethod
    def is_usable() -> bool:
        return is_usable()

    @classmethod
    def from_uri(cls, uri: str) -> UsbTransport:
        parts, options = split_uri(uri, OPTIONS)
        vendor, _, product = parts.netloc.partition(":")
        try:
            vendor_id, product_id = int(vendor, 16), int(product, 16)
        except ValueError:
            raise PrinterURIError(
                "Printer address {uri} needs the USB vendor and product id in hex, like usb://04b8:0202",
                uri=uri,
            ) from None
        return cls(vendor_id, product_id, **options)

    @property
    def device_id(self) -> str:
        return f"{self.vendor_id:04x}:{self.product_id:04x}"

    def send(self, data: bytes) -> None:
        if not data:
            return
        device, endpoint = self._opened()
        try:
            written = device.write(endpoint, data, int(self.timeout * 1000))
        except usb.core.USBError as error:
            self.close()
            raise TransportError(
                "USB printer {device} did not take the data ({detail}) - check paper, cover and cable",
                device=self.device_id,
                detail=short(error),
            ) from error
        if written != len(data):
            self.close()
            raise TransportError(
                "USB printer {device} took only {written} of {total} bytes - check paper, cover and cable",
                device=self.device_id,
                written=written,
                total=len(data),
            )

    def close(self) -> None:
        opened, self._device = self._device, None
        if opened is not None:
            try:
                usb.util.dispose_resources(opened[0])
            except usb.core.USBError:
                pass

    def _opened(self):
        if self._device is not None:
            return self._device
        try:
            device = usb.core.find(idVendor=self.vendor_id, idProduct=self.product_id)
        except usb.core.NoBackendError:
            raise TransportUnavailable(
                "USB printing needs libusb: install the libusb-1.0-0 package (printer {device})",
                device=self.device_id,
            ) from None
        if device is None:
            raise TransportError(
                "USB printer {device} is not connected - check the cable and that it is switched on",
                device=self.device_id,
            )
        try:
            try:
                if device.is_kernel_driver_active(self.interface):
                    # usblp claims printers; we talk to the endpoint ourselves.
                    device.detach_kernel_driver(self.interface)
            except NotImplementedError:  # not on every platform
                pass
            try:
                device.get_active_configuration()
            except usb.core.USBError:
                device.set_configuration()
            endpoint = self.out_ep or _first_bulk_out(device, self.interface)
        except (usb.core.USBError, KeyError, IndexError) as error:
            usb.util.dispose_resources(device)
            raise TransportError(
                "Could not open USB printer {device} ({detail}) - check that the kiosk's user may use USB devices",
                device=self.device_id,
                detail=short(error),
            ) from error
        self._device = (device, endpoint)
        return self._device


def _first_bulk_out(device, interface: int) -> int:
    setting = device.get_active_configuration()[(interface, 0)]
    for endpoint in setting:
        if usb.util.endpoint_direction(endpoint.bEndpointAddress) == usb.util.ENDPOINT_OUT:
            return endpoint.bEndpointAddress
    raise usb.core.USBError("no OUT endpoint")
