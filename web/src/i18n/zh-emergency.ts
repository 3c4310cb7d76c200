/** 紧急号码与密码规则（issue 23）的中文；展开到 zh.ts。 */
import type { enEmergency } from "./en-emergency";

export const zhEmergency: Record<keyof typeof enEmergency, string> = {
  "emergency.title": "紧急号码",
  "dp.emergency": "紧急号码",
  "emergency.help":
    "任何本地用户都可以拨打这些号码，加不加出局前缀均可，不受呼叫权限和黑名单限制。呼叫先从该号码指定的线路出局，再走出局前缀所用的线路。本地用户、寻线组和会议室都不能使用这些号码。",
  "emergency.new": "新建紧急号码",
  "emergency.deleteWhat": "紧急号码 {key}",
  "emergency.noLine": "普通出局路由",
  "col.emergencyNumber": "号码",
  "col.emergencyLine": "优先线路",
  "col.emergencyDescription": "说明",
  "hint.emergencyNumber": "只能是数字、*、# 和 +，按拨打的样子填写（如 110、120）。",
  "hint.emergencyLine": "外线账号；留空则只走普通出局路由。",
  "users.passwordRule": "至少 {n} 个字符，且不能与分机号相同。",
  "users.passwordKeepRule": "留空则保留当前密码。新密码至少 {n} 个字符，且不能与分机号相同。",
  "dashboard.weakPasswords":
    "以下用户的密码与分机号相同，因此只接受来自私有和本机地址的登录：在对外开放本服务器之前请修改。",
  "error.notExtension": "不能与分机号相同。",
  "error.emergencyNumber": "{n} 是紧急号码（紧急号码表）。",
};
