"""Chinese for what is printed on job cards, carton labels, pick lists and loading manifests."""

ZH = {
    # job card
    "Job card": "工单卡",
    "Order: {number}": "订单：{number}",
    "Customer: {name}": "客户：{name}",
    "Product: {model} {name}": "产品：{model} {name}",
    "Colour: {colour}": "颜色：{colour}",
    "Size: {size}": "尺寸：{size}",
    "Units: {n}": "数量：{n} 件",
    "Due: {date}": "交期：{date}",
    "RUSH": "加急",
    "Rework of {code}": "返工单，原流程卡 {code}",
    "Route": "工艺路线",
    # carton label
    "Destination: {place}": "目的地：{place}",
    "Carton {i} of {n}": "第 {i} 箱 / 共 {n} 箱",
    "Unit {i} of {n}": "第 {i} 件 / 共 {n} 件",
    "Replacement label": "补打标签",
    # pick list and manifest
    "Pick list": "拣货单",
    "Pick list: {code}": "拣货单：{code}",
    "Scan to start loading": "扫码开始装车",
    "Truck: {plate}": "车牌：{plate}",
    "Dock: {dock}": "月台：{dock}",
    "Ship date: {date}": "发货日期：{date}",
    "{n} units": "{n} 件",
    "{n} cartons": "{n} 箱",
    "Total: {units} units, {cartons} cartons": "合计：{units} 件，{cartons} 箱",
    "Loading manifest": "装车清单",
    "Finished: {time}": "完成时间：{time}",
    "Loaded {loaded} of {units} units": "已装 {loaded} / {units} 件",
    "Cartons loaded: {n}": "已装箱数：{n}",
    "Missing: {codes}": "缺少：{codes}",
    "Missing cartons: {n}": "缺少箱数：{n}",
    "All cartons loaded": "全部装车，无缺箱",
    "Loaded short, approved: {reason}": "缺箱放行，原因：{reason}",
    "Driver signature": "司机签名",
    "Warehouse signature": "仓库签名",
    # test print
    "Test label": "测试标签",
    "Printer: {name}": "打印机：{name}",
}
