"""Chinese for camera scanning on a station page."""

ZH = {
    "The camera picture is empty or too large.": "摄像头画面为空或太大。",
    "The camera picture could not be read.": "无法读取摄像头画面。",
    "Camera on": "摄像头已开",
    "Use camera": "使用摄像头",
    "Seen": "识别到",
    "The camera is not available here. Use the hand scanner, or ask IT to allow the camera for this kiosk.":
        "此处无法使用摄像头。请用扫码枪，或请 IT 为本终端开启摄像头权限。",
}
