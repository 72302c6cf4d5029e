"""Chinese for the offline scan queue on the station page (kiosk.js, docs/offline.md)."""

ZH = {
    "{n} queued": "{n} 条待发送",
    "Not sent yet - no connection. Scan {code} is kept on this kiosk and will be sent when the connection is back ({n} waiting). Keep working.": (
        "尚未发送：网络未连接。扫码 {code} 已保存在本机，连接恢复后自动发送（共 {n} 条等待）。请继续工作。"
    ),
    "Connection back: sending {n} queued scans...": "网络已恢复：正在发送 {n} 条待发送扫码……",
    "Connection back: the {n} queued scans were sent and none was rejected. Their answers are listed above.": (
        "网络已恢复：{n} 条待发送扫码已全部发送，没有被拒绝的。结果列在上方。"
    ),
    "Connection back: {n} queued scans sent, {bad} rejected. Check the red lines above and deal with those cards.": (
        "网络已恢复：已发送 {n} 条待发送扫码，其中 {bad} 条被拒绝。请查看上方红色行并处理这些卡片。"
    ),
    "No connection: QC cannot look up {code} now. Put the card aside and scan it again when the connection is back.": (
        "网络未连接：质检现在无法查询 {code}。请先把卡片放在一边，连接恢复后再扫一次。"
    ),
    "Not inspected: scan {code} again to pass or fail it.": "未检验：请再扫一次 {code}，判定合格或不合格。",
    "Not recorded: the server could not take scan {code}. Scan it again; if it keeps happening, tell the supervisor.": (
        "未记录：服务器无法接收扫码 {code}。请再扫一次；如果一直这样，请告诉主管。"
    ),
    "This kiosk cannot keep more scans while the connection is down. Stop scanning and tell the supervisor.": (
        "网络断开期间本机无法再保存更多扫码。请停止扫码并告诉主管。"
    ),
    "Sent after the connection came back": "网络恢复后补发的扫码",
    "Seen - clear this list": "已看过，清空列表",
}
