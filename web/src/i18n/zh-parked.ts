/** 简体中文: the parked calls panel's keys (en-parked.ts); spread into zh.ts. */
import type { enParked } from "./en-parked";

export const zhParked: Record<keyof typeof enParked, string> = {
  "parked.title": "驻留的呼叫",
  "parked.none": "没有驻留的呼叫。",
  "parked.slot": "驻留位",
  "parked.party": "被驻留方",
  "parked.parker": "驻留发起方",
  "parked.time": "驻留时长",
  "parked.status": "状态",
  "parked.waiting": "保持中",
  "parked.ringingBack": "正在回呼",
  "parked.ringBacks": "回呼次数：{n}",
};
