"""Chinese for packing, warehouse-in, pick lists and loading (kiosk/cartons.py, kiosk/shipping.py,
kiosk/stations/packing.py, warehouse.py, loading.py, kiosk/shipping_views.py and their templates)."""

ZH = {
    # packing
    "Card {card} packed: {units} units, {cartons} cartons. {printing}": "工单卡 {card} 已包装：{units} 件，{cartons} 箱。{printing}",
    "{n} labels sent to {printer}: stick one on each carton.": "{n} 张箱标已发送到 {printer}：每箱贴一张。",
    "No label printer is set up here: print the labels from the browser preview.": "本工位未设置标签打印机：请在浏览器预览中打印箱标。",
    "Printing did not work ({problem}); print from the browser instead.": "打印未成功（{problem}）；请改用浏览器打印。",
    "Card {card} was already packed at {time} into {cartons} cartons; no new cartons were made. Press Reprint to print its labels again.":
        "工单卡 {card} 已于 {time} 包装成 {cartons} 箱；没有生成新箱。如需重打箱标，请按“重打”。",
    "Carton {carton} is carton {i} of {n} of unit {unit} on card {card}, packed at {time}. Press Reprint if its label is lost or damaged.":
        "箱 {carton} 是工单卡 {card} 第 {unit} 件的第 {i} 箱 / 共 {n} 箱，包装于 {time}。如箱标丢失或损坏，请按“重打”。",
    "Carton {carton} is not on card {card}.": "箱 {carton} 不属于工单卡 {card}。",
    "Reprint of {what}: {printing}": "重打{what}：{printing}",
    "all {n} labels of card {card}": "工单卡 {card} 的全部 {n} 张箱标",
    "the label of carton {carton}": "箱 {carton} 的箱标",
    "Label preview ({n} cartons)": "箱标预览（{n} 箱）",
    "Labels to reprint": "要重打的箱标",
    "All {n} labels": "全部 {n} 张",
    "Reprint": "重打",
    "Card {card} waits at packing again; throw away its {n} carton labels.": "工单卡 {card} 重新回到包装工位；请丢弃它的 {n} 张箱标。",
    "Cartons of card {card} were scanned since; undo those scans first.": "工单卡 {card} 的箱子之后已被扫描；请先撤销那些扫描。",
    # warehouse-in
    "Bin {bin}: now scan the cartons you put there.": "库位 {bin}：请扫描放入该库位的箱子。",
    "{code} is not a bin label this warehouse uses. Scan the label on the shelf.": "{code} 不是本仓库使用的库位码。请扫货架上的库位标签。",
    "in bin {bin}": "（库位 {bin}）",
    "with no bin": "（未指定库位）",
    "Carton {carton} stored {where}. This unit waits for {left} more.": "箱 {carton} 已入库{where}。本件还差 {left} 箱。",
    "Carton {carton} stored {where}. Unit {unit} of order {order} is now in stock.":
        "箱 {carton} 已入库{where}。订单 {order} 的第 {unit} 件已全部入库。",
    "Carton {carton} stored {where}. Order {order} line {line} is all in stock: ready to ship.":
        "箱 {carton} 已入库{where}。订单 {order} 第 {line} 行已全部入库：可以发货。",
    "Carton {carton} is already in stock ({where}, since {time}). Counted once.":
        "箱 {carton} 已经入库{where}，入库时间 {time}。只计一次。",
    "Carton {carton} was loaded on pick list {code} at {time}. It belongs on that truck, not in the warehouse - tell the supervisor.":
        "箱 {carton} 已于 {time} 按拣货单 {code} 装车。它应在那辆车上，不应在仓库——请告诉主管。",
    "Order {order} was cancelled. Do not store carton {carton}; put it aside for the supervisor.":
        "订单 {order} 已取消。不要把箱 {carton} 入库；请放在一边交给主管。",
    "Card {card} has not been packed yet: take it to packing first.": "工单卡 {card} 还没有包装：请先送到包装工位。",
    "{card} is a job card. Scan the labels on its cartons, one by one.": "{card} 是工单卡。请逐箱扫描箱标。",
    "Unknown code {code}: no carton has it. Check the label, or ask packing to reprint it.":
        "未知条码 {code}：没有对应的箱子。请检查箱标，或请包装工位重打。",
    "Carton {carton} is no longer in the warehouse; undo its loading first.": "箱 {carton} 已不在仓库；请先撤销它的装车。",
    "Carton {carton} is out of stock again: scan it in when it is really stored.": "箱 {carton} 已退出库存：真正放好后再扫描入库。",
    "Bin": "库位",
    "none": "无",
    "Scan a bin label to put the next cartons there.": "扫描库位标签，后面的箱子就放入该库位。",
    # loading
    "Pick list {code} for {customer}, truck {truck}: {loaded} of {expected} cartons loaded. Scan the cartons.":
        "拣货单 {code}，客户 {customer}，车牌 {truck}：已装 {loaded} / {expected} 箱。请扫描箱子。",
    "Pick list {code} was already finished at {time}. Scan the next pick list.": "拣货单 {code} 已于 {time} 完成。请扫描下一张拣货单。",
    "Scan the pick list first, then its cartons.": "请先扫拣货单，再扫它的箱子。",
    "Scan the pick list first, then its cartons. (Carton {carton} is for order {order}, {customer}.)":
        "请先扫拣货单，再扫它的箱子。（箱 {carton} 属于订单 {order}，客户 {customer}。）",
    "Wrong carton: {carton} belongs to order {order} for {customer}, not to pick list {code}. Put it back.":
        "装错箱：{carton} 属于订单 {order}（客户 {customer}），不在拣货单 {code} 上。请放回去。",
    "Order {order} was cancelled. Do not load carton {carton}: put it back and tell the supervisor.":
        "订单 {order} 已取消。不要装箱 {carton}：请放回去并告诉主管。",
    "Order {order} is on hold ({why}). Do not load carton {carton}: put it back and ask the clerk.":
        "订单 {order} 已暂停（{why}）。不要装箱 {carton}：请放回去并询问跟单员。",
    "Carton {carton} belongs with a unit whose other cartons are on pick list {other}. Keep a unit's cartons together: put it back and ask the supervisor.":
        "箱 {carton} 所属这一件的其他箱子已在拣货单 {other} 上。同一件的箱子要装在一起：请放回去并询问主管。",
    "One too many: pick list {code} takes {units} units of {model} for order {order}, and they are all being loaded. Put carton {carton} back.":
        "多装了：拣货单 {code} 只要订单 {order} 的 {model} 共 {units} 件，已经都在装车。请把箱 {carton} 放回去。",
    "Carton {carton} is already on this truck (loaded at {time} by {worker}). Counted once - go on with the next carton.":
        "箱 {carton} 已经在这辆车上（{time} 由 {worker} 装车）。只计一次——请继续扫下一箱。",
    "Carton {carton} was already loaded on pick list {other} (truck {truck}) at {time}. A carton cannot go on two trucks: check the label and tell the supervisor.":
        "箱 {carton} 已于 {time} 按拣货单 {other}（车牌 {truck}）装车。一个箱子不能装上两辆车：请核对箱标并告诉主管。",
    "{loaded} of {expected} cartons loaded.": "已装 {loaded} / {expected} 箱。",
    "All {expected} cartons loaded - press Finish loading.": "全部 {expected} 箱已装车——请按“完成装车”。",
    "Carton {carton} loaded: {order} {model}, carton {i} of {n}. {tally}": "箱 {carton} 已装车：{order} {model}，第 {i} 箱 / 共 {n} 箱。{tally}",
    "Carton {carton} loaded ({order} {model}, {i}/{n}), but it was never scanned into the warehouse - tell the warehouse. {tally}":
        "箱 {carton} 已装车（{order} {model}，{i}/{n}），但它从未扫描入库——请告诉仓库。{tally}",
    "{card} is a job card. Scan the labels on the cartons.": "{card} 是工单卡。请扫描箱子上的箱标。",
    "Unknown code {code}: no carton or pick list has it. Check the label.": "未知条码 {code}：没有对应的箱子或拣货单。请检查标签。",
    "Unknown code {code}: no carton has it. Check the label.": "未知条码 {code}：没有对应的箱子。请检查箱标。",
    # finishing and undo
    "Pick list {code} is not complete: {missing} of {expected} cartons missing ({codes}). Load them, or a supervisor can finish it short with a reason.":
        "拣货单 {code} 还没装完：共 {expected} 箱，缺 {missing} 箱（{codes}）。请装上，或由主管填写原因后缺箱完成。",
    "{who} is not a supervisor. Only a supervisor can let a truck leave short.": "{who} 不是主管。只有主管才能让车辆缺箱发车。",
    "A unit is only partly on the truck: {codes} missing. Load those cartons, or have the supervisor take its other cartons off, then finish short.":
        "有一件只装了一部分：缺 {codes}。请装上这些箱子，或由主管把这一件已装的箱子卸下，再缺箱完成。",
    "Write why the truck leaves short; the reason is printed on the manifest.": "请写明缺箱发车的原因；原因会印在装车清单上。",
    "Pick list {code} finished: all {loaded} cartons loaded. {printing}": "拣货单 {code} 已完成：全部 {loaded} 箱已装车。{printing}",
    "Pick list {code} finished short: {loaded} of {expected} cartons loaded, approved by {who} ({reason}). {printing}":
        "拣货单 {code} 缺箱完成：已装 {loaded} / {expected} 箱，由 {who} 批准（{reason}）。{printing}",
    "Manifest sent to {printer}; give it to the driver.": "装车清单已发送到 {printer}；请交给司机。",
    "No receipt printer is set up here: print the manifest from the browser.": "本工位未设置小票打印机：请在浏览器中打印装车清单。",
    "Only a supervisor can undo a loaded carton. Ask the supervisor to scan their badge into the supervisor field.":
        "只有主管才能撤销已装车的箱子。请主管在主管栏扫描工牌。",
    "Carton {carton} is not loaded on pick list {code}; there is nothing to undo.": "箱 {carton} 没有按拣货单 {code} 装车；没有可撤销的内容。",
    "Carton {carton} has no loading scan on record; it cannot be undone.": "箱 {carton} 没有装车扫描记录；无法撤销。",
    "Pick list {code} is finished and the truck has left; a loaded carton cannot be taken off it now.":
        "拣货单 {code} 已完成，车辆已出发；已装的箱子现在不能卸下。",
    "Carton {carton} is off pick list {code} again: take it off the truck. {loaded} of {expected} cartons loaded.":
        "箱 {carton} 已从拣货单 {code} 撤下：请把它从车上卸下。已装 {loaded} / {expected} 箱。",
    "There is no pick list {code}.": "没有拣货单 {code}。",
    # creating pick lists
    "Choose at least one order line and how many units to load.": "请至少选择一行订单明细及要装车的数量。",
    "That order line does not belong to {customer}.": "该订单明细不属于 {customer}。",
    "Order {order} is on hold ({why}); release the hold before shipping it.": "订单 {order} 已暂停（{why}）；请先解除暂停再发货。",
    "Order {order} line {line}: only {available} units are in stock and free to load; you asked for {units}.":
        "订单 {order} 第 {line} 行：只有 {available} 件在库且可装车；您要了 {units} 件。",
    "Ship date “{value}” is not a date; write it as 2026-12-31.": "发货日期“{value}”不是日期；请写成 2026-12-31。",
    "Units must be whole numbers.": "数量必须是整数。",
    # loading kiosk panel and tally
    "Leave short: supervisor only": "缺箱发车：仅限主管",
    "Supervisor badge": "主管工牌",
    "Reason": "原因",
    "Finish loading": "完成装车",
    "Undo a carton (supervisor)": "撤销一箱（主管）",
    "Carton": "箱号",
    "Take off the truck": "从车上卸下",
    "Scan a pick list to start loading a truck.": "扫描拣货单开始装车。",
    "Manifest {code}": "装车清单 {code}",
    "Truck": "车牌",
    "Dock": "月台",
    "{loaded} of {expected} cartons loaded": "已装 {loaded} / {expected} 箱",
    "{n} missing": "缺 {n} 箱",
    "Cartons expected": "应装箱数",
    "Loaded": "已装",
    "Still missing": "仍缺",
    # clerk pages
    "Pick lists": "拣货单",
    "Carton labels": "箱标",
    "New pick list": "新建拣货单",
    "No pick lists.": "没有拣货单。",
    "Not started": "未开始",
    "Loading": "装车中",
    "Short": "缺箱",
    "Show goods in stock": "显示在库货物",
    "Tick the order lines to load. A whole line is filled in; lower the units to ship part of it.":
        "勾选要装车的订单明细。默认整行装车；减少数量即可部分发货。",
    "Load": "装车",
    "Ordered": "订购数",
    "In stock": "已入库",
    "On other pick lists": "其他拣货单已占用",
    "Units to load": "装车数量",
    "Ready to ship": "可发货",
    "Nothing of this customer's is in stock.": "该客户没有在库货物。",
    "Truck plate": "车牌号",
    "Ship date": "发货日期",
    "Create pick list": "创建拣货单",
    "Left short": "缺箱发车",
    "Printer": "打印机",
    "No receipt printer": "没有小票打印机",
    "Print pick list": "打印拣货单",
    "Print from the browser": "在浏览器中打印",
    "Loading finishes when every carton is on the truck. To let the truck leave short, a supervisor gives a reason; it is printed on the manifest.":
        "所有箱子装上车后才能完成装车。如需缺箱发车，须由主管填写原因；原因会印在装车清单上。",
    "Cartons loaded": "已装箱子",
    "Unit": "件",
    "No cartons loaded yet.": "还没有装车的箱子。",
    "Pick list {code} sent to {printer}.": "拣货单 {code} 已发送到 {printer}。",
    "Pick list {code}": "拣货单 {code}",
    "Loading manifest {code}": "装车清单 {code}",
    "Choose a printer, or print from the browser.": "请选择打印机，或在浏览器中打印。",
    "Carton code or SSCC": "箱号或 SSCC",
    "No carton has the code {code}.": "没有箱号为 {code} 的箱子。",
    "No label printer": "没有标签打印机",
    "Reprint this label": "重打此箱标",
    "Replacement label for carton {carton} sent to {printer}.": "箱 {carton} 的补打箱标已发送到 {printer}。",
    "This card has no cartons yet: pack it first.": "该工单卡还没有箱子：请先包装。",
}
