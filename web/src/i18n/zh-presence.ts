/** 简体中文: the presence badges' keys (en-presence.ts); spread into zh.ts. */
import type { enPresence } from "./en-presence";

export const zhPresence: Record<keyof typeof enPresence, string> = {
  "presence.label": "在线状态",
  "presence.dnd": "免打扰",
  "presence.closed": "不可用",
  "presence.forwarded": "来电已转移到 {number}",
  "presence.activity.away": "离开",
  "presence.activity.busy": "忙碌",
  "presence.activity.meeting": "会议中",
  "presence.activity.appointment": "有约",
  "presence.activity.presentation": "演示中",
  "presence.activity.meal": "用餐中",
  "presence.activity.breakfast": "早餐中",
  "presence.activity.dinner": "晚餐中",
  "presence.activity.holiday": "休假中",
  "presence.activity.vacation": "度假中",
  "presence.activity.travel": "出差中",
  "presence.activity.in-transit": "在途中",
  "presence.activity.steering": "驾驶中",
  "presence.activity.sleeping": "休息中",
  "presence.activity.working": "工作中",
  "presence.activity.permanent-absence": "长期不在",
};
