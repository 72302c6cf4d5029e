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
    # command barcodes
    "{code} is not a command of this station. Use this station's command sheet.": "{code} 不是本工位的指令码。请使用本工位的指令码表。",
    "{command} cannot be used now.": "现在不能使用 {command}。",
    "No card waits for a verdict: scan a card first, then the command.": "没有等待质检结论的工单卡：请先扫工单卡，再扫指令码。",
    "{name}, your last scan: {code} at {station}, {time} - {answer}": "{name}，你最近一次扫描：{code}，{station}，{time}——{answer}",
    "My last scan": "我的最近一次扫描",
    "Units failed +1": "不合格数量 +1",
    "Units failed -1": "不合格数量 -1",
    "Nobody is signed in here: scan your badge.": "这里没有人登录：请扫你的工牌。",
    "{name}: no scan of yours yet.": "{name}：你还没有扫描记录。",
    "Send back to {station}": "退回到 {station}",
    "Nothing to reprint now: scan the packed card or carton first, then Reprint.": "现在没有可重打的标签：请先扫已包装的工单卡或箱子，再按重打。",
    "Scan a pick list first.": "请先扫拣货单。",
    "Load pick list {code}": "装车拣货单 {code}",
    "Scan a card first; then choose a station on its route before QC.": "请先扫工单卡，再选择其工艺路线上质检之前的工位。",
    "At every station": "所有工位通用",
    "Verdict": "质检结论",
    "Open pick lists": "未完成的拣货单",
    "Command barcodes": "指令条码",
    "No label printer is set up at this station: print the sheet from the browser.": "本工位没有设置标签打印机：请从浏览器打印此表。",
    "The command labels were not queued ({problem}).": "指令标签未加入打印队列（{problem}）。",
    "{n} command labels sent to the print queue of {printer}.": "{n} 张指令标签已加入打印机 {printer} 的打印队列。",
    "{command}: not now. {needs}": "{command}：现在不能用。{needs}",
    "Command: {command}": "指令：{command}",
    "{command} - units failed {units}, reason {defect}, back to {station}": "{command}——不合格 {units} 件，原因 {defect}，退回 {station}",
    "No connection: command {code} needs the server. Try again when the connection is back.": "没有网络：指令 {code} 需要连接服务器。网络恢复后再试。",
    "Scan a code here to do what it says, as if you tapped it. Codes start with {prefix}.": "扫描这里的条码即执行其所写操作，与点按相同。指令码以 {prefix} 开头。",
    "Print this sheet": "打印此表",
    "Print as labels on the station's printer": "在本工位打印机上打印为标签",
    "Back to the station": "返回工位",
    "Andon is not on this page: reload it.": "本页没有安灯按钮：请刷新页面。",
    "Menu": "菜单",
    "Scanner test": "扫描枪测试",
    # scanner hardening and self-test
    "Two codes arrived as one scan ({codes}): nothing was recorded. Scan them one at a time.":
        "一次扫描收到两个码（{codes}）：未记录任何内容。请一个一个地扫。",
    "The Chinese input method is on and this scan could not be read. Switch the input method off (press Shift, "
    "or Ctrl+Space) and scan again.": "中文输入法开着，这次扫描无法读取。请用输入法切换键关掉输入法，再重新扫描。",
    "The input method is on: switch it off (Shift or Ctrl+Space). Scans are still read.":
        "输入法开着：请用输入法切换键关掉。扫描仍能读取。",
    "none yet": "尚无",
    "{suffix} arrived, as this kiosk expects": "收到 {suffix}，与本终端设置一致",
    "{suffix} arrived, but this kiosk expects {expected}: set the scanner, or SCANNER_SUFFIX":
        "收到 {suffix}，但本终端要求 {expected}：请设置扫描枪，或修改终端的扫描枪结束符设置",
    "no suffix arrived: set the scanner to send {expected} after each code": "没有收到结束符：请把扫描枪设为每个码后发送 {expected}",
    "yes - switch the input method off (Shift or Ctrl+Space); the kiosk still reads the keys":
        "是——请用输入法切换键关掉输入法；终端仍按按键读取",
    "matches test code {name}": "与测试码 {name} 一致",
    "matches no test code": "与任何测试码都不一致",
    "Scan each test code below into the box. Every key the scanner sends is listed with its key code and the time "
    "since the key before.": "把下面每个测试码扫进输入框。扫描枪发送的每个按键都会列出，含键码和与上一个按键的间隔时间。",
    "Read as": "读取为",
    "Test code": "测试码",
    "Suffix": "结束符",
    "Input method composing": "输入法正在组字",
    "Characters, time": "字符数，用时",
    "Test codes": "测试码",
    "should read as": "应读取为",
    "Keys received": "收到的按键",
    "Scanners and command barcodes": "扫描枪与指令条码",
    # smaller station defects
    "{code} looks like a badge, but nobody working here now has it (unknown, or switched off). Scan your own "
    "badge, or ask the supervisor.": "{code} 像是工牌，但目前没有在职员工使用它（未知或已停用）。请扫你自己的工牌，或询问主管。",
    "Card {card} has finished its route (order {order}: {status}). There is nothing more to do with it here: "
    "give the card to the clerk.": "工单卡 {card} 已走完工艺路线（订单 {order}：{status}）。在这里无需再处理：请把卡交给跟单员。",
    "No bin chosen: scan the bin label on the shelf first ({prefix}...), then carton {carton}. Nothing was "
    "stored.": "还没有选择库位：请先扫货架上的库位标签（{prefix}...），再扫箱子 {carton}。本次未入库。",
}
