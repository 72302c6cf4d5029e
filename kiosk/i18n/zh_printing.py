"""Chinese for the print queue (kiosk/printing.py) and the printer transports' errors (hardware/)."""

from __future__ import annotations

ZH = {
    # the print queue
    "Nothing to print for {document}": "{document} 没有可打印的内容",
    "No printer is called {name} - add it on the printers page": "没有名为 {name} 的打印机 - 请在打印机页面添加",
    "Print job {id} does not exist": "打印任务 {id} 不存在",
    "{document} has already been printed - reprint it if another copy is needed": (
        "{document} 已经打印 - 如需再打一份请点重打"
    ),
    "Printing failed: {detail}": "打印失败：{detail}",
    "Online - {count} waiting": "在线 - {count} 个任务等待",
    "Offline - {count} waiting; printing resumes by itself when the printer is back": (
        "离线 - {count} 个任务等待；打印机恢复后会自动继续打印"
    ),
    "Not used yet - {count} waiting": "尚未使用 - {count} 个任务等待",
    # printer addresses
    "Printer address {uri} is not understood - use tcp://host:9100, usb://VID:PID, serial:///dev/ttyUSB0, "
    "file:///dev/usb/lp0 or cups://queue": (
        "无法识别打印机地址 {uri} - 请使用 tcp://主机:9100、usb://VID:PID、serial:///dev/ttyUSB0、"
        "file:///dev/usb/lp0 或 cups://队列名"
    ),
    "Unknown option {option} in printer address {uri} - known options: {known}": (
        "打印机地址 {uri} 中的选项 {option} 无法识别 - 可用选项：{known}"
    ),
    "Option {option}={value} in printer address {uri} is not a valid value": (
        "打印机地址 {uri} 中的选项 {option}={value} 取值无效"
    ),
    "Printer address {uri} has no host - write tcp://host:9100": "打印机地址 {uri} 缺少主机 - 请写成 tcp://主机:9100",
    "The port in printer address {uri} is not a number": "打印机地址 {uri} 中的端口不是数字",
    "Printer address {uri} needs the USB vendor and product id in hex, like usb://04b8:0202": (
        "打印机地址 {uri} 需要十六进制的 USB 厂商号和产品号，例如 usb://04b8:0202"
    ),
    "Printer address {uri} names no serial port - write serial:///dev/ttyUSB0": (
        "打印机地址 {uri} 没有指定串口 - 请写成 serial:///dev/ttyUSB0"
    ),
    "Printer address {uri} needs an absolute path - write file:///dev/usb/lp0": (
        "打印机地址 {uri} 需要绝对路径 - 请写成 file:///dev/usb/lp0"
    ),
    "Printer address {uri} names no CUPS queue - write cups://queue": (
        "打印机地址 {uri} 没有指定 CUPS 队列 - 请写成 cups://队列名"
    ),
    # network printers
    "Printer {address} refused the connection - check it is switched on and that port {port} is right": (
        "打印机 {address} 拒绝连接 - 请检查打印机已开机，端口 {port} 是否正确"
    ),
    "No answer from printer {address} within {seconds} s - check it is switched on and on the network": (
        "打印机 {address} 在 {seconds} 秒内无响应 - 请检查打印机已开机并已联网"
    ),
    "Printer host {host} is unknown - check the printer address": "找不到打印机主机 {host} - 请检查打印机地址",
    "Could not connect to printer {address} ({detail})": "无法连接打印机 {address}（{detail}）",
    "Printer {address} stopped taking data for {seconds} s - check paper, ribbon and cover": (
        "打印机 {address} 已 {seconds} 秒不接收数据 - 请检查纸张、碳带和机盖"
    ),
    "Lost the connection to printer {address} ({detail}) - check it is switched on and on the network": (
        "与打印机 {address} 的连接中断（{detail}）- 请检查打印机已开机并已联网"
    ),
    # USB printers
    "USB printers need the USB extra: pip install shopfloor-kiosk[usb]": (
        "USB 打印机需要安装 USB 扩展：pip install shopfloor-kiosk[usb]"
    ),
    "USB printing needs libusb: install the libusb-1.0-0 package (printer {device})": (
        "USB 打印需要 libusb：请安装 libusb-1.0-0 软件包（打印机 {device}）"
    ),
    "USB printer {device} is not connected - check the cable and that it is switched on": (
        "USB 打印机 {device} 未连接 - 请检查数据线并确认打印机已开机"
    ),
    "Could not open USB printer {device} ({detail}) - check that the kiosk's user may use USB devices": (
        "无法打开 USB 打印机 {device}（{detail}）- 请检查系统用户是否有 USB 设备权限"
    ),
    "USB printer {device} did not take the data ({detail}) - check paper, cover and cable": (
        "USB 打印机 {device} 未接收数据（{detail}）- 请检查纸张、机盖和数据线"
    ),
    "USB printer {device} took only {written} of {total} bytes - check paper, cover and cable": (
        "USB 打印机 {device} 只接收了 {total} 字节中的 {written} 字节 - 请检查纸张、机盖和数据线"
    ),
    # serial printers
    "Serial printers need the serial extra: pip install shopfloor-kiosk[serial]": (
        "串口打印机需要安装串口扩展：pip install shopfloor-kiosk[serial]"
    ),
    "Could not open serial port {port} ({detail}) - check the cable and the port name": (
        "无法打开串口 {port}（{detail}）- 请检查数据线和串口名称"
    ),
    "Printer on {port} stopped taking data for {seconds} s - check paper and that flow control matches the "
    "printer": "{port} 上的打印机已 {seconds} 秒不接收数据 - 请检查纸张，以及流控设置是否与打印机一致",
    "Lost the printer on serial port {port} ({detail}) - check the cable": (
        "串口 {port} 上的打印机连接中断（{detail}）- 请检查数据线"
    ),
    # device files
    "Printer device {path} is not there - check the USB cable and that the printer is switched on": (
        "打印机设备 {path} 不存在 - 请检查 USB 数据线并确认打印机已开机"
    ),
    "The folder for {path} does not exist - check the printer address": "{path} 所在的文件夹不存在 - 请检查打印机地址",
    "No permission to write to {path} - add the kiosk's user to the lp group": (
        "没有写入 {path} 的权限 - 请把系统用户加入 lp 组"
    ),
    "Could not open {path} ({detail})": "无法打开 {path}（{detail}）",
    "Could not write to {path} ({detail})": "无法写入 {path}（{detail}）",
    "Printer device {path} stopped taking data for {seconds} s - check paper and cover": (
        "打印机设备 {path} 已 {seconds} 秒不接收数据 - 请检查纸张和机盖"
    ),
    # CUPS
    "CUPS printing needs the lp command: install the cups-client package (queue {queue})": (
        "CUPS 打印需要 lp 命令：请安装 cups-client 软件包（队列 {queue}）"
    ),
    "CUPS did not accept the job for queue {queue}: {detail}": "CUPS 队列 {queue} 未接受打印任务：{detail}",
    "CUPS did not answer within {seconds} s for queue {queue}": "CUPS 队列 {queue} 在 {seconds} 秒内无响应",
    "Could not run lp ({detail})": "无法运行 lp（{detail}）",
}
