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
    "The server is busy checking other sign-ins. Try again in a moment.": "服务器正在处理其他登录，请稍后再试。",
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
}
