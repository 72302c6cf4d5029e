"""Chinese for the boards on a TV and the truth they tell (issue 19: held-at station, pace model, TV mode)."""

ZH = {
    "Stuck at {station}": "卡在{station}",
    "This delay reason was already cleared.": "这个延误原因已经清除。",
    "Delay on order {order} cleared: {reason}.": "订单 {order} 的延误原因已清除：{reason}。",
    "Cleared by {name} {at}": "{name} 于 {at} 清除",
    "Scan or type an order number, job card, carton or pick list code": "扫描或输入订单号、工单卡、箱号或拣货单号",
    "Hold released": "已解除暂停",
    "Delay reason recorded": "已记录延误原因",
    "Delay reason cleared": "延误原因已清除",
    "Signed delivery note back": "签收送货单已收回",
    "Andon call": "安灯呼叫",
    "Andon acknowledged": "安灯已响应",
    "Andon: arrived": "安灯：已到场",
    "Andon fixed": "安灯已解决",
    "Andon rechecked": "安灯已复检",
    "Andon escalated": "安灯已升级",
    "Desk action": "办公室操作",
    "Work already done counts wherever it waits, and loading is not counted as production: it waits for the truck, so an order in stock is not at risk. A late or at-risk order names the station holding most of its remaining units.":
        "已完成的工作无论在哪里等待都算已完成；装车不算生产（它等的是车），所以已入库的订单不算有风险。逾期或有风险的订单会标出剩余数量最多的工位。",
}
