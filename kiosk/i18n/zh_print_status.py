"""Chinese for print confirmation: what printers report, jobs sent but not confirmed, reprints, voided
labels and the true words at the station (issue 14)."""

ZH = {
    "May have printed: the connection broke after the printer took the bytes - check the printer":
        "可能已打印：打印机收下数据后连接断开 - 请到打印机处查看",
    "May have printed: the printer took the bytes, then stopped reading - check the printer":
        "可能已打印：打印机收下数据后停止读取 - 请到打印机处查看",
    "May have printed: the server stopped while sending it - check the printer":
        "可能已打印：发送时服务器停止 - 请到打印机处查看",
    "Printer {address} dropped the connection when asked for its status": "询问状态时打印机 {address} 断开了连接",
    "Sent, not confirmed: the printer closed the connection without answering": "已发送，未确认：打印机未应答就关闭了连接",
    "Sent, not confirmed: the printer did not answer its status request": "已发送，未确认：打印机未应答状态查询",
    "Sent, not confirmed: the printer's status answer was not understood": "已发送，未确认：无法识别打印机的状态应答",
    "Sent, not confirmed: {problem}": "已发送，未确认：{problem}",
    "The printer reports: {problems} - fix it and printing goes on by itself": "打印机报告：{problems} - 处理后会自动继续打印",
    "cover open": "盖子打开",
    "cutter error": "切刀故障",
    "offline": "离线",
    "out of paper": "缺纸",
    "out of ribbon": "缺碳带",
    "paper jam": "卡纸",
    "paused": "已暂停",
    "print head open": "打印头打开",
    "printer error": "打印机故障",
    "receive buffer full": "接收缓冲区已满",
    "temperature out of range": "温度超出范围",
    "May have printed - check": "可能已打印 - 请查看",
    "Offline since": "离线开始于",
    "Sending": "发送中",
    "Sent, not confirmed": "已发送，未确认",
    "To check at the printer": "待到打印机处查看",
    "{document} has already gone to the printer - reprint it if another copy is needed":
        "{document} 已发往打印机 - 如需再打一份请重打",
    "Delivery note {code}. {where}": "送货单 {code}。{where}",
    "Manifest: give it to the driver. {where}": "装车清单：交给司机。{where}",
    "Pick list {code}. {where}": "拣货单 {code}。{where}",
    "Printer {printer} is offline since {time} ({count} jobs waiting): these print when it is back.":
        "打印机 {printer} 自 {time} 起离线（{count} 个任务等待）：恢复后会打印。",
    "Queued on {printer} behind {ahead} jobs.": "已排入 {printer} 的队列，前面还有 {ahead} 个任务。",
    "Queued on {printer}, next in line.": "已排入 {printer} 的队列，下一个就打印。",
    "Replacement label for carton {carton}. {where}": "箱 {carton} 的补打标签。{where}",
    "{n} labels, one for each carton. {where}": "{n} 张箱标，每箱贴一张。{where}",
    "Printer {name} offline since {time} - {count} waiting": "打印机 {name} 自 {time} 起离线 - {count} 个等待",
    "May have printed: the printer took the bytes, then stopped answering - check the printer":
        "可能已打印：打印机收下数据后不再应答 - 请到打印机处查看",
    "Printer {address} does not answer - check it is not paused, out of paper or stuck":
        "打印机 {address} 不应答 - 请检查是否暂停、缺纸或卡住",
    "From: {name}": "发货方：{name}",
    "To:": "收货方：",
    "Asked by": "申请人",
    "Carton code": "箱号",
    "Label of carton {carton} voided: loading refuses it until a new label is printed.":
        "箱 {carton} 的标签已作废：重新打印标签前装车会拒收该箱。",
    "New label printed {time}": "已于 {time} 重打新标签",
    "No carton has the code {code} - check the label": "没有箱号为 {code} 的箱子 - 请核对标签",
    "No reprints yet": "还没有重打记录",
    "No voided labels": "没有作废的标签",
    "Refused at loading until reprinted": "重打前装车拒收",
    "Reprint no.": "重打次数",
    "Reprints and voided labels": "重打与作废标签",
    "Say why it is printed again (torn, lost, wrong printer ...)": "请说明重打原因（撕坏、丢失、打错打印机……）",
    "Say why the label is void (torn, wrong, printed twice ...)": "请说明作废原因（撕坏、打错、重复打印……）",
    "The label of carton {carton} is already void ({reason})": "箱 {carton} 的标签已作废（{reason}）",
    "The label of carton {carton} was voided ({reason}, by {who}). Print a new label, stick it on, then load the carton.":
        "箱 {carton} 的标签已作废（{reason}，{who}）。请重打标签并贴上，再装车。",
    "Void this label": "作废此标签",
    "Voided by": "作废人",
    "Why again": "重打原因",
    "Why again?": "重打原因？",
    "Why is it printed again?": "为什么重打？",
    "Why is the label void?": "为什么作废？",
    "Why void": "作废原因",
    "{document} queued again (reprint no. {count}).": "{document} 已重新排队（第 {count} 次重打）。",
    # the order's own receiving contact (收货联系人), printed on its delivery note
    "Receiving contact": "收货联系人",
    "Contact phone": "联系电话",
    "Empty: the customer's default contact": "留空：使用客户的默认联系人",
    "the customer's default: {name} {phone}": "客户默认：{name} {phone}",
    "Phone “{value}” is not a phone number: digits, spaces, + - ( ) only, up to 32.":
        "电话“{value}”不是电话号码：只能用数字、空格、+ - ( )，最多 32 位。",
    "The order's receiving contact goes in the optional columns contact and phone; empty, the delivery note "
    "names the customer's default contact.":
        "订单的收货联系人写在可选列 contact 和 phone（也可用中文列名：收货联系人、电话）；留空则送货单上写客户的默认联系人。",
    # packing's reprint asks why (kiosk/stations/packing.py REPRINT_REASONS)
    "Torn or damaged": "撕破或损坏",
    "Lost": "丢失",
    "Unreadable": "打印不清",
    "Wrong label": "贴错标签",
    "Reprint because: {reason}": "重打原因：{reason}",
    "Nothing printed yet: why is it printed again? Tap a reason (or scan its command code), then Reprint.":
        "尚未打印：为什么重打？请点选原因（或扫描其指令码），再按重打。",
    "Reprint of {what} ({reason}, reprint no. {count}): {printing}": "重打{what}（{reason}，第 {count} 次重打）：{printing}",
}
