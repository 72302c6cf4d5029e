"""Chinese for delivery notes and outside work (kiosk/delivery_notes.py, kiosk/outside_work.py,
kiosk/labels/delivery_note.py, kiosk/delivery_views.py and templates/delivery, templates/outside)."""

ZH = {
    # the printed delivery note (送货单)
    "Delivery note": "送货单",
    "Customer's copy": "客户联",
    "Copy to sign and return to the plant": "回单联：签收后交回工厂",
    "Address: {address}": "地址：{address}",
    "Contact: {name} {phone}": "联系人：{name} {phone}",
    "Received in good order - customer signature": "货物完好签收 - 客户签名",
    "Date": "日期",
    "Please sign and give this copy back to the driver.": "请签收后将本联交回司机。",
    # delivery-note pages
    "Delivery notes": "送货单",
    "Signed copies back": "回单签收",
    "Scan signed copies back": "扫描签收回单",
    "A delivery note is printed for each customer when loading finishes. The customer signs one copy; scan it when it comes back. Notes not back after {days} days are overdue.":
        "装车完成时为每个客户打印送货单。客户签收其中一联；回单交回时请扫描。超过 {days} 天未交回的送货单为逾期。",
    "Not back yet": "未回单",
    "Not back yet: {n}": "未回单：{n}",
    "Overdue": "逾期",
    "Overdue: {n}": "逾期：{n}",
    "Back": "已回单",
    "Back {time} ({who})": "{time} 已回单（{who}）",
    "Days out": "已出天数",
    "Signed copy": "签收回单",
    "No delivery notes here.": "没有送货单。",
    "Address": "地址",
    "Contact": "联系人",
    "Phone": "电话",
    "Cartons": "箱数",
    "{n} days ago": "{n} 天前",
    "Not back yet; overdue after {days} days.": "尚未回单；超过 {days} 天即为逾期。",
    "Print on A4 from the browser": "在浏览器中用 A4 纸打印",
    "Print again on the receipt printer": "在小票打印机上重打",
    "As printed": "打印样张",
    "Delivery note {code} sent to {printer}.": "送货单 {code} 已发送到 {printer}。",
    "Scan the barcode at the top of each signed delivery note the driver brings back.": "请扫描司机带回的每张签收送货单顶部的条码。",
    "Scan a signed delivery note": "扫描签收的送货单",
    "Not back after {days} days": "超过 {days} 天未回单",
    "Every signed copy is back in time.": "所有签收回单均已按时交回。",
    "Unknown code {code}: no delivery note has it. Scan the barcode at the top of the signed note.":
        "未知条码 {code}：没有这张送货单。请扫描签收单顶部的条码。",
    "Delivery note {code} was already scanned back at {time} by {who}. Counted once; file it.":
        "送货单 {code} 已于 {time} 由 {who} 扫描回单。只记一次；请归档。",
    "Delivery note {code} for {customer} is back, signed ({truck}, pick list {pick_list}). File it.":
        "{customer} 的送货单 {code} 已签收交回（{truck}，拣货单 {pick_list}）。请归档。",
    # outside work (外协)
    "Outside work": "外协",
    "Send out": "外协发出",
    "Back in": "外协收回",
    "Send cards out": "工单卡外协发出",
    "Cards back in": "外协工单卡收回",
    "Supplier": "外协厂",
    "Suppliers": "外协厂",
    "Stage": "工序",
    "Sent": "发出时间",
    "Expected back": "预计返回",
    "Back recently": "最近收回",
    "Usual days out": "通常外协天数",
    "usually {n} days": "通常 {n} 天",
    "{n} cards out": "外协中 {n} 张卡",
    "{n} overdue": "{n} 张逾期",
    "No cards are out at suppliers.": "没有在外协厂的工单卡。",
    "Nothing came back yet.": "还没有收回的工单卡。",
    "No suppliers yet.": "还没有外协厂。",
    "No suppliers yet: add one on the outside-work page.": "还没有外协厂：请在外协页面添加。",
    "Add or change supplier": "添加或修改外协厂",
    "Supplier {code} saved: {name}.": "外协厂 {code} 已保存：{name}。",
    "Choose...": "请选择...",
    "Empty: the supplier's usual days from today.": "留空：从今天起按该外协厂的通常天数计算。",
    "Choose the supplier and the day they promised, then scan each job card that goes with the truck. The card's next stage is done there; no station takes the card until it is scanned back in.":
        "先选择外协厂和对方承诺的返回日期，再逐张扫描随车发出的工单卡。卡的下一道工序由外协厂完成；扫描收回之前，任何工位都不接收这张卡。",
    "Scan a job card going out": "扫描要发出的工单卡",
    "Scan a job card coming back": "扫描收回的工单卡",
    "Scan each job card that came back from a supplier. Its stage counts as done and the card goes on to its next station.":
        "请逐张扫描从外协厂收回的工单卡。该工序记为完成，卡流转到下一个工位。",
    "Back without the work done (the card waits at the same stage again)": "退回未加工（卡仍在同一工序等待）",
    "A supplier code is 1 to 32 letters, digits, dots, dashes or underscores.": "外协厂代码为 1 到 32 个字母、数字、点、短横线或下划线。",
    "Give the supplier a name.": "请填写外协厂名称。",
    "Usual days out must be a whole number from 0 to {most}.": "通常外协天数必须是 0 到 {most} 之间的整数。",
    "Choose the supplier the card goes to, then scan the card.": "请先选择工单卡要去的外协厂，再扫描工单卡。",
    "“{value}” is not a date; write the expected-back date as 2026-12-31.": "“{value}”不是日期；预计返回日期请写成 2026-12-31。",
    "Expected back {date} is not a date ahead; choose the day the supplier promised.":
        "预计返回日期 {date} 不是今后的日期；请选择外协厂承诺的日期。",
    "Order {order} was cancelled. Do not send card {card} out; take it to the clerk.":
        "订单 {order} 已取消。不要发出工单卡 {card}；请交给跟单员。",
    "Order {order} is on hold ({why}). Do not send card {card} out until the hold is released.":
        "订单 {order} 已暂停（{why}）。暂停解除前不要发出工单卡 {card}。",
    "Card {card} is {status}: it has no stage left to send out.": "工单卡 {card} 状态为{status}：没有可外协的工序。",
    "Card {card} is already out at {supplier} since {since}, expected back {expected}. Scan it back in first.":
        "工单卡 {card} 自 {since} 起已在 {supplier}，预计 {expected} 返回。请先扫描收回。",
    "Card {card} waits at {stage}; that stage stays in the plant. Only production stages go to suppliers.":
        "工单卡 {card} 在 {stage} 等待；该工序只在厂内进行。只有生产工序可以外协。",
    "Card {card} ({units} units, order {order}) out to {supplier} for {stage}; expected back {expected}.":
        "工单卡 {card}（{units} 件，订单 {order}）已发往 {supplier} 做 {stage}；预计 {expected} 返回。",
    "Card {card} came back from {supplier} at {time}. Counted once; pass it on.": "工单卡 {card} 已于 {time} 从 {supplier} 收回。只记一次；请传下去。",
    "Card {card} is not out at a supplier, so there is nothing to scan in. Is it the right card?":
        "工单卡 {card} 不在外协厂，无需收回。是这张卡吗？",
    "Card {card} is back from {supplier} without the work: it waits at {stage}.": "工单卡 {card} 从 {supplier} 退回未加工：在 {stage} 等待。",
    "Card {card} is back from {supplier}: {units} units done at {stage}. Next: {next}.":
        "工单卡 {card} 已从 {supplier} 收回：{units} 件 {stage} 完成。下一步：{next}。",
    "Card {card} is at {supplier} since {since}, expected back {expected}. Scan it back in at the clerk desk first.":
        "工单卡 {card} 自 {since} 起在 {supplier}，预计 {expected} 返回。请先到跟单员处扫描收回。",
    # board and top bar
    "Delivery & outside work": "送货单与外协",
    "At {supplier}: {n} cards": "在 {supplier}：{n} 张卡",
    "{n} cards out at suppliers": "{n} 张卡在外协厂",
    "Record scan": "记录扫描",
    "Supplier code": "外协厂代码",
    "Supplier name": "外协厂名称",
}
