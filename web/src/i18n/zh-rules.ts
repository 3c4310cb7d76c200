/**
 * 简体中文: the field rules' keys (en-rules.ts), spread into zh.ts. The server's own rule messages
 * in Chinese are zh-server-rules.ts.
 */
import type { enRules } from "./en-rules";

export const zhRules: Record<keyof typeof enRules, string> = {
  "rule.sentence": "{text}。",
  "rule.only": "只能包含{chars}",
  "rule.lengthRange": "{min}-{max} 个字符",
  "rule.lengthMax": "最多 {max} 个字符",
  "rule.lengthExact": "正好 {n} 个字符",
  "rule.lengthMin": "至少 {min} 个字符",
  "rule.notEmpty": "不能为空",
  "rule.listSeparator": "、",
  "rule.listLast": " 和 ",
  "rule.partSeparator": "，",
  "rule.digits": "数字",
  "rule.letters": "字母",
  "rule.lowercase": "小写字母",
  "rule.uppercase": "大写字母",
  "rule.underscore": "_",
  "rule.printable": "可打印的 ASCII 字符（不含重音字母和中文）",
  "rule.isoTime": "日期（2027-01-15），或带时区的日期和时间（2027-01-15T08:00:00Z、…+08:00）。",
  "rule.prefixOrAny": "数字、*、# 和 +（1-32 个），或单独一个 * 表示任意。",
  "rule.text": "须为文本。",
  "rule.number": "须为数字。",
  "rule.boolean": "须为是或否。",
  "rule.list": "须为列表。",
  "rule.object": "须为一组字段。",
};
