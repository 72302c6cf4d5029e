"""Chinese for issue 15's hardening: approvals by the approver (kiosk/people/approvals.py), sign-in
throttling and bounded hashing, upload and image limits, stream caps, and the refusals they answer."""

ZH = {
    # approvals
    "Approval badge {badge} and a new PIN for {username}.": "已为 {username} 设置审批工牌 {badge} 和新 PIN。",
    "Only a supervisor can approve this. Ask a supervisor to sign in, or to approve at the kiosk with their badge and PIN.":
        "只有主管可以审批。请主管登录，或在工位终端刷本人工牌并输入 PIN 审批。",
    "A supervisor scans their own badge and types their PIN to approve this.": "审批须由主管刷本人工牌并输入 PIN。",
    "Too many wrong PINs. Wait {seconds} seconds and try again.": "PIN 错误次数过多。请等待 {seconds} 秒后再试。",
    "Badge or PIN not right: not approved. A supervisor scans their own badge and types their PIN.":
        "工牌或 PIN 不正确：未审批。须由主管刷本人工牌并输入 PIN。",
    "Only supervisors and admins approve at kiosks; this user cannot have an approval badge.":
        "只有主管和管理员可以在工位终端审批；此用户不能设置审批工牌。",
    "A PIN is 4 to 8 digits.": "PIN 为 4 到 8 位数字。",
    "Badge {badge} is a worker's badge. Only a supervisor's own badge and PIN approve this.":
        "工牌 {badge} 是工人的工牌。只有主管本人的工牌和 PIN 才能审批。",
    "The server is busy checking other sign-ins. Try again in {seconds} seconds.": "服务器正在处理其他登录，请 {seconds} 秒后再试。",
    "Only a supervisor can undo a loaded carton: they scan their own badge and type their PIN.":
        "只有主管可以撤销已装车的箱：须刷本人工牌并输入 PIN。",
    "Supervisor: scan your own badge": "主管：请刷本人工牌",
    "Approve: truck leaves short": "批准：货车缺货发车",
    "Approval badge and PIN": "审批工牌和 PIN",
    "Approval badge": "审批工牌",
    "PIN": "PIN 密码",
    "approves nothing": "无审批权",
    "Clear": "清除",
    "Reason to leave short (you approve it)": "缺货发车原因（由您批准）",
    "Only a supervisor can let the truck leave short: signed in here, or at the loading kiosk with their badge and PIN.":
        "只有主管可以批准缺货发车：在此登录，或在装车工位终端刷工牌并输入 PIN。",
    # uploads and pictures
    "Photo {name}": "照片 {name}",
    "The camera picture": "摄像头画面",
    "{what} is damaged or incomplete and cannot be opened. Take or save it again.": "{what}已损坏或不完整，无法打开。请重新拍摄或保存。",
    "{what} is not a JPEG, PNG or WebP picture. Save it as one of those and try again.":
        "{what}不是 JPEG、PNG 或 WebP 图片。请另存为其中一种格式后重试。",
    "{what} is {width} x {height} pixels ({mp} megapixels); the most is {max} megapixels. Send a smaller copy.":
        "{what}为 {width} x {height} 像素（{mp} 百万像素）；最多 {max} 百万像素。请发送较小的图片。",
    "The workbook has {n} parts; at most {max} are read. Save it again as a plain .xlsx with one sheet.":
        "该工作簿有 {n} 个部件；最多读取 {max} 个。请另存为只有一个工作表的普通 .xlsx 文件。",
    "Row {row} has a cell longer than {max} characters; shorten it and import again.":
        "第 {row} 行有单元格超过 {max} 个字符；请缩短后重新导入。",
    "The workbook is password-protected. Save it without a password and try again.": "该工作簿有密码保护。请去掉密码保存后重试。",
    "The workbook unpacks to too much data to import ({part} alone would be {size} MB). Import at most {rows} rows at a time, without pictures.":
        "工作簿解压后数据过多，无法导入（仅 {part} 就有 {size} MB）。每次最多导入 {rows} 行，且不要包含图片。",
    "The file is not a readable CSV file: save it from Excel as CSV and try again.": "该文件不是可读取的 CSV 文件：请在 Excel 中另存为 CSV 后重试。",
    # sign-in
    "Too many failed sign-ins. Wait {seconds} seconds and try again.": "登录失败次数过多。请等待 {seconds} 秒后再试。",
    # event streams, scan times, a kiosk's scan refused in words
    "Not recorded: {reason}": "未记录：{reason}",
    "This screen already has {n} live boards open; close one first.": "此屏幕已打开 {n} 个实时看板；请先关闭一个。",
    "The server is showing as many live boards as it can ({n}). Try again in a minute.": "服务器已达到实时看板上限（{n} 个）。请一分钟后再试。",
    "The scan's time ({value}) is not a real time: check the kiosk's clock and scan again.": "扫描时间（{value}）不是有效时间：请检查终端的时钟后重新扫描。",
}
