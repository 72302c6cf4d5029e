"""Chinese for complaints and replacement parts (kiosk/complaints.py, kiosk/complaint_views.py, the
templates under complaints/, the daily report's complaint figures and the replacement-parts carton mark)."""

ZH = {
    # kinds of problem (kiosk.complaints.REASONS) and states
    "Damaged in transit": "运输损坏",
    "Manufacturing defect": "生产质量问题",
    "Missing part or carton": "少件 / 少箱",
    "Wrong product, colour or size": "错发（型号、颜色或尺寸）",
    "Does not assemble": "无法安装",
    "Other problem": "其他问题",
    "Awaiting decision": "待处理",
    "Confirmed": "已确认",
    "packing": "包装",
    "warehouse-in": "入库",
    "loading": "装车",
    # recording a complaint
    "There is no order {number}. Check the number on the customer's delivery note.":
        "没有订单 {number}。请核对客户送货单上的单号。",
    "Order {order} has shipped nothing yet, so there is nothing to complain about. For goods still in the plant, "
    "tell the supervisor.":
        "订单 {order} 还没有发货，无从投诉。厂内货物有问题请告诉主管。",
    "There is no carton {carton}. Check the code on the carton label.": "没有箱号 {carton}。请核对箱标上的条码。",
    "Carton {carton} belongs to order {other}, not {order}.": "箱 {carton} 属于订单 {other}，不是 {order}。",
    "Carton {carton} has not shipped yet: it is still in the plant. A complaint is about goods the customer "
    "received.":
        "箱 {carton} 还没有发货，仍在厂内。投诉只针对客户已收到的货。",
    "Carton {carton} is of line {line} ({model}), not line {wanted}. Choose the line of the carton, or leave the "
    "carton out.":
        "箱 {carton} 属于第 {line} 行（{model}），不是第 {wanted} 行。请选该箱所在的行，或不填箱号。",
    "Choose which product of order {order} the complaint is about.": "请选择投诉的是订单 {order} 的哪个产品。",
    "Line {line} ({model}) of order {order} has shipped nothing yet. Choose a line the customer received.":
        "订单 {order} 第 {line} 行（{model}）还没有发货。请选择客户已收到的产品。",
    "Choose what kind of problem it is.": "请选择问题类型。",
    "Say what is wrong, in the customer's words if you have them.": "请写明问题，尽量用客户的原话。",
    "Units to replace must be between 1 and {max}, the units of this line that shipped.":
        "补件数量须在 1 到 {max} 之间（该行已发货的数量）。",
    "Complaint {code} on order {order}, line {line} ({model}) - {what}: {reason}. Recorded by {user}.":
        "投诉 {code}：订单 {order} 第 {line} 行（{model}）- {what}：{reason}。登记人 {user}。",
    # photos
    "Photo {name} is {size} MB; the most is {max} MB. Send a smaller copy (a phone's \"medium\" size is enough).":
        "照片 {name} 有 {size} MB，最大只收 {max} MB。请发一张小一些的（手机“中等”尺寸即可）。",
    "Photo {name} is empty. Choose the picture again.": "照片 {name} 是空文件。请重新选择。",
    "Photo {name} is not a JPEG, PNG or WebP picture. Save it as one of those and try again.":
        "照片 {name} 不是 JPEG、PNG 或 WebP 图片。请另存为其中一种再上传。",
    "Photo {name} is {width} x {height} pixels, too large to keep. Send a smaller copy.":
        "照片 {name} 有 {width} x {height} 像素，太大无法保存。请发一张小一些的。",
    "Photo {name} is damaged or incomplete and cannot be opened. Take or save it again.":
        "照片 {name} 已损坏或不完整，无法打开。请重新拍摄或保存。",
    "A complaint keeps at most {max} photos; this one has {have}. Choose the clearest.":
        "每个投诉最多保存 {max} 张照片，本投诉已有 {have} 张。请挑最清楚的上传。",
    "Choose one or more photos to add.": "请选择要添加的照片。",
    "A complaint keeps at most {max} photos. Choose the clearest.": "每个投诉最多保存 {max} 张照片。请挑最清楚的上传。",
    "{n} photos added to complaint {code} by {user}.": "{user} 为投诉 {code} 添加了 {n} 张照片。",
    # the manager's decision
    "There is no complaint {code}.": "没有投诉 {code}。",
    "Only a supervisor or an admin can confirm or reject a complaint. Ask one of them to decide.":
        "只有主管或管理员可以确认或驳回投诉。请找他们处理。",
    "Complaint {code} was already confirmed by {who} at {time}. A decision cannot be changed; record a new "
    "complaint if the customer comes back.":
        "投诉 {code} 已于 {time} 由 {who} 确认。处理结果不能更改；客户再次反映请登记新投诉。",
    "Complaint {code} was already rejected by {who} at {time}. A decision cannot be changed; record a new "
    "complaint if the customer comes back.":
        "投诉 {code} 已于 {time} 由 {who} 驳回。处理结果不能更改；客户再次反映请登记新投诉。",
    "Write a note for the decision: why it is confirmed or rejected.": "请填写处理意见：为什么确认或驳回。",
    "Choose the route the replacement parts will follow.": "请选择补件的工艺路线。",
    "Route {route} has no {stage} station, and replacement parts must be packed, stored and loaded to ship. "
    "Choose another route.":
        "工艺路线 {route} 没有{stage}工位，而补件必须经过包装、入库和装车才能发货。请选择其他路线。",
    "Complaint {code} confirmed by {user}: {note}. Replacement order {replacement} released.":
        "投诉 {code} 已由 {user} 确认：{note}。补件单 {replacement} 已下达。",
    "Replacement parts for order {order} (complaint {code}), released by {user}.":
        "订单 {order} 的补件单（投诉 {code}），由 {user} 下达。",
    "Complaint {code} rejected by {user}: {note}": "投诉 {code} 已由 {user} 驳回：{note}",
    "Complaint {code} confirmed. Replacement order {replacement} is released to the floor; its job cards follow "
    "route {route}.":
        "投诉 {code} 已确认。补件单 {replacement} 已下达车间，工单卡按工艺路线 {route} 流转。",
    "Complaint {code} rejected. Tell the customer why.": "投诉 {code} 已驳回。请告知客户原因。",
    "Press Confirm or Reject.": "请按“确认”或“驳回”。",
    # carton label of a replacement order
    "Replacement for {number}": "补件 原单 {number}",
    # pages
    "Complaints": "客户投诉",
    "Complaint": "投诉",
    "Record a complaint": "登记投诉",
    "Record complaint": "登记投诉",
    "All complaints": "全部投诉",
    "Complaint or order number": "投诉号或订单号",
    "No complaints match.": "没有符合条件的投诉。",
    "Problem": "问题类型",
    "State": "状态",
    "Recorded on": "登记时间",
    "Replacement order": "补件单",
    "Show what shipped": "查看已发货",
    "Which product": "哪个产品",
    "Units shipped": "已发数量",
    "Carton (scan its label, or choose; leave empty if unknown)": "箱号（扫箱标或选择；不清楚可不填）",
    "Part (e.g. left armrest, table leg)": "部件（如左扶手、桌腿）",
    "What is wrong": "问题描述",
    "Units to replace": "补件数量",
    "Photos (JPEG, PNG or WebP, up to {mb} MB each)": "照片（JPEG、PNG 或 WebP，每张最大 {mb} MB）",
    "JPEG, PNG or WebP, up to {mb} MB each": "JPEG、PNG 或 WebP，每张最大 {mb} MB",
    "Part": "部件",
    "Decision": "处理结果",
    "Photos": "照片",
    "Photo {n}": "照片 {n}",
    "No photos yet.": "还没有照片。",
    "Add photos": "添加照片",
    "Note (why; the clerk tells the customer)": "处理意见（原因；跟单员会转告客户）",
    "If confirmed: the replacement order": "确认后生成的补件单",
    "Confirm and make replacement order": "确认并生成补件单",
    "Reject": "驳回",
    "A supervisor or an admin decides on this complaint.": "此投诉由主管或管理员处理。",
    "Replacement parts for order {order}, complaint {code}.": "订单 {order} 的补件单，投诉 {code}。",
    "Open the complaint": "查看投诉",
    # daily report
    "Complaints opened": "新增投诉",
    "Complaint reasons": "投诉原因",
    "{opened} opened, {confirmed} confirmed, {rejected} rejected": "新增 {opened}，确认 {confirmed}，驳回 {rejected}",
    "No complaints recorded.": "没有投诉记录。",
}
