/** 简体中文: the Black and white lists page's keys (en-lists.ts); spread into zh.ts. */
import type { enLists } from "./en-lists";

export const zhLists: Record<keyof typeof enLists, string> = {
  "nav.lists": "黑白名单",
  "lists.title": "黑白名单",
  "lists.calls": "呼叫黑白名单",
  "lists.callsHelp":
    '只要有白名单记录匹配，呼叫即被放行。否则由匹配的最长黑名单记录决定（先比主叫前缀，再比被叫前缀），按其比率（百分比）阻止呼叫。"*" 匹配任何号码，"anonymous" 匹配隐藏号码的主叫。',
  "lists.ip": "IP 黑白名单",
  "lists.ipHelp":
    "接受的地址不会因登录失败而被封禁（其他检查照常）；拒绝的地址被直接丢弃，不作应答。立即生效。",
  "lists.response": "被阻止呼叫的应答",
  "lists.newRecord": "新建记录",
  "lists.deleteRecord": "记录 {key}",
  "lists.newEntry": "新建地址",
  "lists.deleteEntry": "地址条目 {key}",
  "col.callerPrefix": "主叫前缀",
  "col.calledPrefix": "被叫前缀",
  "col.listKind": "类型",
  "col.rate": "比率 (%)",
  "hint.callerPrefix": '数字，"*" 表示任何主叫，或 "anonymous"。',
  "hint.calledPrefix": '数字，或 "*" 表示任何号码。',
  "hint.rate": "黑名单记录：100 阻止所有匹配的呼叫，0 不阻止。",
  "hint.ipRange": "地址或 CIDR 网段，IPv4 或 IPv6：192.0.2.7、10.0.0.0/8、2001:db8::/32。",
  "opt.listKind.black": "黑名单",
  "opt.listKind.white": "白名单",
  "opt.ipKind.accept": "接受（永不封禁）",
  "opt.ipKind.reject": "拒绝（丢弃）",
  "opt.blockResponse.603": "603 Decline（拒绝）",
  "opt.blockResponse.403": "403 Forbidden（禁止）",
  "opt.blockResponse.486": "486 Busy Here（忙）",
  "opt.blockResponse.480": "480 Temporarily Unavailable（暂不可用）",
};
