"""Chinese for scanner-only stations: QC verdicts, command barcodes, scanner hardening and self-test."""

ZH = {
    # QC: only an explicit verdict is recorded
    "{card} still waits for a verdict: press Pass, Fail or Scrap, or Cancel, before scanning {code}. "
    "Nothing was recorded.": "{card} 还在等待质检结论：请先按 合格、不合格 或 报废（或 取消），再扫 {code}。本次未记录任何内容。",
    "Choose Pass, Fail or Scrap for card {card}.": "请为工单卡 {card} 选择 合格、不合格 或 报废。",
    "Choose the station to send the failed units back to.": "请选择不合格件退回的工位。",
    "Card {card}: {failed} failed ({defect}) - new rework card {rework} goes back to {station}. {printing} "
    "{good} good units carry on.": "工单卡 {card}：{failed} 件不合格（{defect}）——新返工卡 {rework} 退回 {station}。{printing}"
                                   "{good} 件合格品继续流转。",
    "Card {card}: {scrapped} units scrapped ({defect}). {good} good units carry on. Tell the clerk: order "
    "{order} is {scrapped} units short.": "工单卡 {card}：{scrapped} 件报废（{defect}）。{good} 件合格品继续流转。"
                                          "请告知跟单员：订单 {order} 少 {scrapped} 件。",
    "No printer is set up at this station: print card {rework} from the order page and attach it.":
        "本工位没有设置打印机：请在订单页打印卡 {rework} 并贴上。",
    "Card {rework} could not be queued for printing ({problem}): print it from the order page.":
        "卡 {rework} 未能加入打印队列（{problem}）：请在订单页打印。",
    "Card {rework} was sent to the print queue of {printer}: attach it when it comes out.":
        "卡 {rework} 已加入打印机 {printer} 的打印队列：打出后请贴上。",
    "Reprint: {printing}": "重打：{printing}",
    "Card {card}: {units} units of {product} - Pass, Fail or Scrap?": "工单卡 {card}：{product} 共 {units} 件——合格、不合格还是报废？",
    "Fail or scrap": "不合格或报废",
    "of {units}": "共 {units} 件",
    "Keypad": "数字键盘",
    "Scrap these units": "报废这些件",
    "Reprint rework card {card}": "重打返工卡 {card}",
    "Card {card} was not inspected: nothing recorded. Scan it again when you inspect it.":
        "工单卡 {card} 未检验：未记录任何内容。检验时请重新扫描。",
    # the scan field owns the keyboard
    "The next scan goes into: {field}. Scan it, or type it and press Enter.": "下一次扫描将填入：{field}。请扫描，或输入后按回车。",
    "Filled in: {value}": "已填入：{value}",
}
