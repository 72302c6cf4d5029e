"""Printer transports against real endpoints: a TCP printer on 127.0.0.1, a file, a FIFO, a pty, a fake lp."""

from __future__ import annotations

import os
import random
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from hardware import serial_port, usb_port
from hardware.transports import (
    PrinterURIError,
    TransportError,
    TransportUnavailable,
    is_usable,
    open_transport,
)
from tests.loopback import LoopbackPrinter, free_port

ROOT = Path(__file__).resolve().parents[2]






@pytest.fixture
def loopback_printer():
    with LoopbackPrinter() as printer:
        yield printer


# -- tcp -------------------------------------------------------------------------------------------


def test_tcp_delivers_exact_bytes_over_one_connection(loopback_printer):
    payloads = [
        bytes(range(256)) * 4,
        b"\x1b@\x1bt\x00\xd6\xd0\xce\xc4\n\x1dV\x00",
        random.Random(3).randbytes(300_000),
    ]
    with open_transport(loopback_printer.uri) as transport:
        for payload in payloads:
            transport.send(payload)
    expected = b"".join(payloads)
    assert loopback_printer.wait_for(len(expected)) == expected
    assert len(loopback_printer.connections) == 1


def test_tcp_refused_connection_is_a_clear_error():
    port = free_port()
    transport = open_transport(f"tcp://127.0.0.1:{port}")
    with pytest.raises(TransportError) as caught:
        transport.send(b"label")
    assert caught.value.message.startswith("Printer {address} refused the connection")
    assert caught.value.params["address"] == f"127.0.0.1:{port}"
    assert f"127.0.0.1:{port} refused the connection" in str(caught.value)


def test_tcp_reconnects_when_the_printer_dropped_an_idle_connection(loopback_printer):
    transport = open_transport(loopback_printer.uri)
    transport.send(b"first label")
    loopback_printer.wait_for(len(b"first label"))
    loopback_printer.drop_connections()
    time.sleep(0.05)  # let the FIN reach our side
    transport.send(b"second label")
    loopback_printer.wait_for(len(b"first labelsecond label"))
    transport.close()
    assert [bytes(c) for c in loopback_printer.connections] == [b"first label", b"second label"]


def test_tcp_printer_that_stops_reading_times_out():
    with LoopbackPrinter(read=False, receive_buffer=4096) as stuck:
        transport = open_transport(f"{stuck.uri}?write_timeout=0.3")
        with pytest.raises(TransportError) as caught:
            transport.send(b"x" * 16_000_000)
    assert "stopped taking data for 0.3 s" in str(caught.value)


def test_tcp_unknown_host_is_a_clear_error():
    transport = open_transport("tcp://no-such-printer.invalid:9100?connect_timeout=2")
    with pytest.raises(TransportError) as caught:
        transport.send(b"x")
    assert "no-such-printer.invalid" in str(caught.value)


# -- file ------------------------------------------------------------------------------------------


def test_file_transport_appends_exact_bytes(tmp_path):
    target = tmp_path / "printer.prn"
    target.write_bytes(b"earlier|")
    with open_transport(f"file://{target}") as transport:
        transport.send(b"\x1b@first|")
        transport.send(bytes(range(256)))
    with open_transport(f"file://{target}") as transport:
        transport.send(b"|again")
    assert target.read_bytes() == b"earlier|\x1b@first|" + bytes(range(256)) + b"|again"


def test_file_transport_never_creates_a_missing_device():
    path = "/dev/kiosk-test-no-such-lp0"
    transport = open_transport(f"file://{path}")
    with pytest.raises(TransportError) as caught:
        transport.send(b"label")
    assert "is not there" in str(caught.value)
    assert not os.path.exists(path)


def test_file_transport_missing_folder_is_a_clear_error(tmp_path):
    transport = open_transport(f"file://{tmp_path}/no/such/folder/out.prn")
    with pytest.raises(TransportError, match="does not exist"):
        transport.send(b"label")


def _fifo_reader(path: Path, into: bytearray, read: bool, opened: threading.Event, done: threading.Event):
    fd = os.open(path, os.O_RDONLY)
    opened.set()
    try:
        while read:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            into.extend(chunk)
        done.wait(5)
    finally:
        os.close(fd)


def test_file_transport_writes_to_a_device_like_pipe(tmp_path):
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    got, opened, done = bytearray(), threading.Event(), threading.Event()
    reader = threading.Thread(target=_fifo_reader, args=(fifo, got, True, opened, done))
    reader.start()
    payload = random.Random(5).randbytes(500_000)
    with open_transport(f"file://{fifo}") as transport:
        transport.send(payload)
    done.set()
    reader.join(5)
    assert bytes(got) == payload


def test_file_transport_times_out_on_a_device_that_stops_taking_data(tmp_path):
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    got, opened, done = bytearray(), threading.Event(), threading.Event()
    reader = threading.Thread(target=_fifo_reader, args=(fifo, got, False, opened, done))
    reader.start()
    transport = open_transport(f"file://{fifo}?timeout=0.2")
    try:
        with pytest.raises(TransportError, match="stopped taking data for 0.2 s"):
            transport.send(b"x" * 1_000_000)
    finally:
        transport.close()
        done.set()
        reader.join(5)


# -- serial ----------------------------------------------------------------------------------------


def test_serial_transport_writes_to_a_port():
    controller, port_fd = os.openpty()
    try:
        payload = bytes(range(256)) * 8 + b"\r\n\n"
        with open_transport(f"serial://{os.ttyname(port_fd)}?baudrate=115200") as transport:
            transport.send(payload)
        got = b""
        while len(got) < len(payload) and select.select([controller], [], [], 2)[0]:
            got += os.read(controller, 65536)
        assert got == payload
    finally:
        os.close(controller)
        os.close(port_fd)


def test_serial_port_that_is_not_there_is_a_clear_error():
    transport = open_transport("serial:///dev/ttyKIOSKTEST9?baudrate=9600")
    with pytest.raises(TransportError) as caught:
        transport.send(b"label")
    assert str(caught.value).startswith("Could not open serial port /dev/ttyKIOSKTEST9")
    assert str(caught.value).endswith("check the cable and the port name")


# -- usb -------------------------------------------------------------------------------------------


def test_usb_printer_that_is_not_plugged_in_is_a_clear_error():
    transport = open_transport("usb://0x1d6b:0xfffe")  # a product id no device has
    with pytest.raises(TransportError) as caught:
        transport.send(b"label")
    assert "1d6b:fffe" in str(caught.value)
    assert "not connected" in str(caught.value) or "libusb" in str(caught.value)


# -- optional extras -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "guarded_import", "uri", "extra"),
    [
        (usb_port, "usb", "usb://04b8:0202", "pip install shopfloor-kiosk[usb]"),
        (serial_port, "serial", "serial:///dev/ttyUSB0", "pip install shopfloor-kiosk[serial]"),
    ],
)
def test_missing_extra_names_what_to_install(monkeypatch, module, guarded_import, uri, extra):
    assert is_usable(uri)
    monkeypatch.setattr(module, guarded_import, None)  # as if the import at the top had failed
    assert not is_usable(uri)
    with pytest.raises(TransportUnavailable) as caught:
        open_transport(uri)
    assert extra in str(caught.value)


def test_kiosk_starts_without_the_usb_and_serial_extras():
    """With pyusb and pyserial absent, importing works and only opening such a printer says what to do."""
    script = (
        "import sys\n"
        "sys.modules['usb'] = sys.modules['usb.core'] = sys.modules['serial'] = None\n"
        "import hardware\n"
        "for uri in ('usb://04b8:0202', 'serial:///dev/ttyUSB0'):\n"
        "    try:\n"
        "        hardware.open_transport(uri)\n"
        "    except hardware.TransportUnavailable as error:\n"
        "        print(error)\n"
        "print(type(hardware.open_transport('tcp://127.0.0.1:9100')).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "USB printers need the USB extra: pip install shopfloor-kiosk[usb]",
        "Serial printers need the serial extra: pip install shopfloor-kiosk[serial]",
        "TcpTransport",
    ]


# -- cups ------------------------------------------------------------------------------------------


def _fake_lp(tmp_path: Path, monkeypatch, exit_status: int = 0, complaint: str = "") -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    lp = bin_dir / "lp"
    lp.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > "{tmp_path}/lp-args"\n'
        f'cat > "{tmp_path}/lp-data"\n'
        f'printf "{complaint}" >&2\n'
        f"exit {exit_status}\n"
    )
    lp.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return tmp_path


def test_cups_transport_sends_raw_to_the_queue(tmp_path, monkeypatch):
    spool = _fake_lp(tmp_path, monkeypatch)
    payload = b"^XA^FD\xe4\xb8\xad^FS^XZ\x00\xff"
    open_transport("cups://packing_labels").send(payload)
    assert (spool / "lp-data").read_bytes() == payload
    assert (spool / "lp-args").read_text().split() == ["-d", "packing_labels", "-o", "raw"]
    open_transport("cups://printsrv:631/dock_labels").send(b"x")
    assert (spool / "lp-args").read_text().split() == ["-d", "dock_labels", "-o", "raw", "-h", "printsrv:631"]


def test_cups_refusal_is_reported(tmp_path, monkeypatch):
    _fake_lp(tmp_path, monkeypatch, exit_status=1, complaint="lp: The printer or class does not exist.")
    with pytest.raises(TransportError) as caught:
        open_transport("cups://nosuch").send(b"x")
    assert str(caught.value) == (
        "CUPS did not accept the job for queue nosuch: lp: The printer or class does not exist."
    )


def test_cups_without_lp_names_the_package(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert not is_usable("cups://labels")
    with pytest.raises(TransportUnavailable, match="install the cups-client package"):
        open_transport("cups://labels")


# -- addresses -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "says"),
    [
        ("ftp://printer", "is not understood"),
        ("192.168.1.50:9100", "is not understood"),
        ("tcp://", "has no host"),
        ("tcp://printer:port", "is not a number"),
        ("tcp://printer:9100?speed=fast", "Unknown option speed"),
        ("tcp://printer:9100?write_timeout=soon", "is not a valid value"),
        ("tcp://printer:9100?connect_timeout=-1", "is not a valid value"),
        ("usb://epson", "vendor and product id in hex"),
        ("usb://04b8:zz02", "vendor and product id in hex"),
        ("serial://", "names no serial port"),
        ("serial:///dev/ttyUSB0?rtscts=maybe", "is not a valid value"),
        ("file://relative/lp0", "needs an absolute path"),
    ],
)
def test_bad_printer_addresses_are_refused_clearly(uri, says):
    with pytest.raises(PrinterURIError) as caught:
        open_transport(uri)
    assert says in str(caught.value)
    assert uri in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_options_in_the_address_reach_the_transport():
    tcp = open_transport("tcp://printer?connect_timeout=1.5&write_timeout=20")
    assert (tcp.host, tcp.port, tcp.connect_timeout, tcp.write_timeout) == ("printer", 9100, 1.5, 20.0)
    port = open_transport("serial:///dev/ttyS1?baudrate=19200&rtscts=1&parity=E")
    assert (port.port, port.settings["baudrate"], port.settings["rtscts"], port.settings["parity"]) == (
        "/dev/ttyS1",
        19200,
        True,
        "E",
    )
    usb = open_transport("usb://04B8:0E15?interface=1&out_ep=0x02")
    assert (usb.vendor_id, usb.product_id, usb.interface, usb.out_ep) == (0x04B8, 0x0E15, 1, 2)
