"""Chinese for the printers page, printer set-up, job-card printing from the desk and label previews."""

from __future__ import annotations

ZH = {
    # printer languages (kiosk/printer_setup.py LANGUAGE_NAMES)
    "ESC/POS receipt printer": "ESC/POS 小票打印机",
    "ZPL label printer (Zebra)": "ZPL 标签打印机（斑马 Zebra）",
    "TSPL label printer (TSC, Xprinter, Gprinter)": "TSPL 标签打印机（TSC、芯烨、佳博）",
    # the printers page
    "Printers": "打印机",
    "While a printer is off, unplugged or out of paper its jobs wait here, and they print by themselves, in order "
    "and once each, when it is back.": "打印机关机、断线或缺纸时，任务在这里排队等待；打印机恢复后会按顺序自动打印，每个任务只打印一次。",
    "Online": "在线",
    "Offline": "离线",
    "Not used yet": "尚未使用",
    "Printed": "已打印",
    "Last error:": "最近错误：",
    "Last error": "最近错误",
    "Waiting since": "等待开始于",
    "Next try": "下次重试",
    "Used by": "使用者",
    "No station or desk uses it yet": "还没有工位或办公桌使用它",
    "{station} receipts": "{station} 小票",
    "{station} labels": "{station} 标签",
    "Clerk desk ({setting})": "跟单员办公桌（{setting}）",
    "Print test label": "打印测试标签",
    "Retry now": "立即重试",
    "Edit printer": "编辑打印机",
    "Document": "单据",
    "Tries": "尝试次数",
    "Queued at": "排队时间",
    "Printed at": "打印时间",
    "Preview": "预览",
    "Cancel": "取消",
    "Nothing printed yet": "还没有打印任务",
    "No printers yet. Until one is added, print job cards from the job-card sheet in the browser.": (
        "还没有打印机。添加之前，请在浏览器中从工单卡页面打印工单卡。"
    ),
    "Station printers": "工位打印机",
    "Receipt printer": "小票打印机",
    "Label printer": "标签打印机",
    "None": "无",
    "no printer has this name": "没有这个名称的打印机",
    "Save station printers": "保存工位打印机",
    "Clerk desk": "跟单员办公桌",
    "not set": "未设置",
    "Releasing an order queues its job cards on the desk's label printer, or on its receipt printer when it has no "
    "label printer. Set them in instance/config.py or with KIOSK_DESK_LABEL_PRINTER and KIOSK_DESK_RECEIPT_PRINTER.": (
        "订单下达后，工单卡会排队到办公桌的标签打印机；没有标签打印机时排队到小票打印机。"
        "请在 instance/config.py 中设置，或设置环境变量 KIOSK_DESK_LABEL_PRINTER 和 KIOSK_DESK_RECEIPT_PRINTER。"
    ),
    "Add a printer": "添加打印机",
    "Back to printers": "返回打印机列表",
    "Jobs already queued keep waiting for this printer and go to its new address. A new name is followed by the "
    "stations that use it.": "已排队的任务继续等待这台打印机，并发送到新地址。改名后，使用它的工位会自动跟随新名称。",
    # the printer form
    "Printer name": "打印机名称",
    "Address (URI)": "地址（URI）",
    "tcp://host:9100 for a network printer; usb://VID:PID, serial:///dev/ttyUSB0?baudrate=9600, file:///dev/usb/lp0 "
    "or cups://queue for others.": (
        "网络打印机写 tcp://主机:9100；其他打印机写 usb://VID:PID、serial:///dev/ttyUSB0?baudrate=9600、"
        "file:///dev/usb/lp0 或 cups://队列名。"
    ),
    "Printer language": "打印机语言",
    "Options (JSON, may be empty)": "选项（JSON，可留空）",
    "For example:": "例如：",
    "docs/printing.md lists every option and the Chinese settings for each kind of printer.": (
        "docs/printing.md 列出了所有选项，以及每种打印机的中文设置。"
    ),
    "Save printer": "保存打印机",
    # answers on the printers page
    "Printer {name} added. Print a test label to check it.": "已添加打印机 {name}。请打印测试标签检查。",
    "Printer {name} saved.": "已保存打印机 {name}。",
    "It cannot print from this server yet: {problem}": "这台服务器暂时还不能用它打印：{problem}",
    "The clerk desk still names {old} in {setting}: change the setting to {new}.": (
        "跟单员办公桌的设置 {setting} 仍是 {old}：请改为 {new}。"
    ),
    "Station printers saved ({count} changed).": "工位打印机已保存（{count} 个有改动）。",
    "Test label queued on {printer}.": "测试标签已排队到 {printer}。",
    "Trying {printer} again now ({count} waiting).": "正在重试 {printer}（{count} 个任务等待）。",
    "{document} queued again.": "{document} 已重新排队。",
    "{document} taken out of the queue.": "{document} 已从队列中取消。",
    # printer set-up checks (kiosk/printer_setup.py)
    "Give the printer a name of up to {max} characters, e.g. packing-label.": (
        "请给打印机起一个不超过 {max} 个字符的名称，例如 packing-label。"
    ),
    "A printer called {name} already exists - choose another name.": "已有名为 {name} 的打印机 - 请换一个名称。",
    "Write the printer's address, e.g. tcp://192.168.1.50:9100 (up to {max} characters).": (
        "请填写打印机地址，例如 tcp://192.168.1.50:9100（不超过 {max} 个字符）。"
    ),
    "Choose the printer's language: ESC/POS for receipt printers, ZPL for Zebra, TSPL for TSC, Xprinter and "
    "Gprinter label printers.": "请选择打印机语言：小票打印机选 ESC/POS，斑马选 ZPL，TSC、芯烨、佳博标签打印机选 TSPL。",
    "The options are not valid JSON (line {line}, column {column}) - write them like {example}": (
        "选项不是有效的 JSON（第 {line} 行第 {column} 列）- 请按此格式填写：{example}"
    ),
    "The options must be a JSON object in braces, like {example}": "选项必须是用花括号括起的 JSON 对象，例如 {example}",
    "A {language} printer has no option {option} - known options: {known}": (
        "{language}没有选项 {option} - 可用选项：{known}"
    ),
    "Option {option} must be a whole number from {low} to {high}.": "选项 {option} 必须是 {low} 到 {high} 之间的整数。",
    "Option {option} must be a number from {low} to {high}.": "选项 {option} 必须是 {low} 到 {high} 之间的数字。",
    "Option {option} must be one of: {choices}.": "选项 {option} 只能是以下之一：{choices}。",
    "Option {option} must be true or false.": "选项 {option} 必须是 true 或 false。",
    "Option {option} must be a font stored in the printer, such as {example} (letters, digits and : . _ - only), "
    "or null.": "选项 {option} 必须是打印机内存储的字体，例如 {example}（只能用字母、数字和 : . _ -），或为 null。",
    "Option {option} must be a receipt printer profile such as {example}.": (
        "选项 {option} 必须是小票打印机型号配置，例如 {example}。"
    ),
    "Option {option} must be [width, height] in mm, each from {low} to {high}.": (
        "选项 {option} 必须写成 [宽, 高]（毫米），每个在 {low} 到 {high} 之间。"
    ),
    "These options cannot print a test label: {detail}": "用这些选项无法打印测试标签：{detail}",
    # job cards from the clerk desk and the order page
    "Print all job cards": "打印全部工单卡",
    "{count} job cards queued on printer {printer}.": "{count} 张工单卡已排队到打印机 {printer}。",
    "Job cards were not queued ({problem}); print them from the job-card sheet instead.": (
        "工单卡未能排队（{problem}）；请改从工单卡页面打印。"
    ),
    "No printer was chosen: print the job cards from the job-card sheet instead.": (
        "没有选择打印机：请改从工单卡页面打印工单卡。"
    ),
}
