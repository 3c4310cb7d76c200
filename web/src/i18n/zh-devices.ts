/** 简体中文: a user's devices in the users list (en-devices.ts); spread into zh.ts. */
import type { enDevices } from "./en-devices";

export const zhDevices: Record<keyof typeof enDevices, string> = {
  "devices.title": "设备",
  "devices.none": "没有已注册的设备",
  "devices.address": "地址",
  "devices.userAgent": "用户代理",
  "devices.unknownAgent": "未知话机",
};
