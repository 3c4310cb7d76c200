/**
 * The API's rule messages (written in English by the server: "must be 1-32 of digits, *, #, +",
 * "no external line \"x\"") in Chinese, by patterns over the message, so a Chinese form names the
 * rule in Chinese. field-rules.ts applies them; a message none matches is shown as the server wrote
 * it.
 */
/** Words of the server's English rules, in Chinese (longest first where one contains another). */
const WORDS: Array<[RegExp, string]> = [
  [/\bthe keys 0-9\b/g, "按键 0-9"],
  [/\bkeys\b/g, "按键"],
  [/\bprintable characters\b/g, "可打印字符"],
  [/\bcharacters\b/g, "个字符"],
  [/\bdigits\b/g, "数字"],
  [/\bletters\b/g, "字母"],
  [/\bwithout spaces\b/g, "（不含空格）"],
  [/\bseconds\b/g, "秒"],
  [/\bentries\b/g, "项"],
  [/\buser names\b/g, "用户名"],
  [/\bprompt names\b/g, "提示音名称"],
  [/\bnumbers\b/g, "号码"],
  [/\bdates\b/g, "日期"],
  [/\boffice hours\b/g, "办公时间"],
  [/ and /g, " 和 "],
  [/ or /g, " 或 "],
  [/, /g, "、"],
];

function words(text: string): string {
  let out = text;
  for (const [from, to] of WORDS) out = out.replace(from, to);
  return out;
}

/** What follows "must be" in the server's rules, as a Chinese phrase. */
const PHRASES: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^(\d+)-(\d+) of (.+)$/, (m) => `${m[1]}-${m[2]} 个字符，只能包含${words(m[3]!)}`],
  [/^(\d+)-(\d+) (digits|characters|printable characters)$/, (m) => `${m[1]}-${m[2]} 个${words(m[3]!)}`],
  [/^up to (\d+) (.+)$/, (m) => `最多 ${m[1]} 个${words(m[2]!)}`],
  [/^(\d+)-(\d+)$/, (m) => `${m[1]} 到 ${m[2]} 之间的数`],
  [
    /^a whole number( of seconds)? from (-?\d+) to (-?\d+)$/,
    (m) => `${m[2]} 到 ${m[3]} 之间的整数${m[1] ? "（秒）" : ""}`,
  ],
  [/^a whole number(.*) from (-?\d+) to (-?\d+)$/, (m) => `${m[2]} 到 ${m[3]} 之间的整数${m[1] ?? ""}`],
  [/^one of (.+)$/, (m) => `以下之一：${m[1]}`],
  [/^(\w+), (\w+) or (\w+)$/, (m) => `${m[1]}、${m[2]} 或 ${m[3]}`],
  [/^(\w+) or (\w+)$/, (m) => `${m[1]} 或 ${m[2]}`],
  [/^a string of at most (\d+) characters$/, (m) => `最多 ${m[1]} 个字符的文本`],
  [/^at most (\d+) characters$/, (m) => `最多 ${m[1]} 个字符`],
  [/^at least (\d+) characters$/, (m) => `至少 ${m[1]} 个字符`],
  [/^at most (\d+)$/, (m) => `不大于 ${m[1]} 的数`],
  [/^at least (\d+)$/, (m) => `不小于 ${m[1]} 的数`],
  [/^a list of at most (\d+) (.+)$/, (m) => `最多 ${m[1]} 个${words(m[2]!)}的列表`],
  [/^a list of (.+)$/, (m) => `${words(m[1]!)}的列表`],
  [/^a string$/, () => "文本"],
  [/^an integer$/, () => "整数"],
  [/^a number$/, () => "数字"],
  [/^an e-mail address$/, () => "电子邮件地址"],
  [/^a host name or (?:an )?(?:IP )?address$/, () => "主机名或 IP 地址"],
  [/^a sip: or sips: URI$/, () => "sip: 或 sips: URI"],
  [/^an IPv4 or IPv6 address or CIDR range$/, () => "IPv4 或 IPv6 地址，或 CIDR 网段"],
  [/^a time HH:MM \((.+)\)$/, (m) => `时间 HH:MM（${m[1]}）`],
  [/^a date YYYY-MM-DD, or MM-DD for every year$/, () => "日期 YYYY-MM-DD，或每年的 MM-DD"],
  [/^a real date and time \(ISO 8601\)$/, () => "真实的日期和时间（ISO 8601）"],
  [/^a user name$/, () => "用户名"],
  [/^a prompt name$/, () => "提示音名称"],
  [/^a SIP status (\d+)-(\d+)(.*)$/, (m) => `${m[1]}-${m[2]} 之间的 SIP 状态码${m[3] ?? ""}`],
  [/^later than from$/, () => "晚于开始时间"],
];

function phrase(text: string): string | undefined {
  for (const [re, make] of PHRASES) {
    const m = re.exec(text);
    if (m) return make(m);
  }
  return undefined;
}

const OWNERS: Record<string, string> = {
  "external line": "外线",
  "SIP trunk": "SIP 中继",
  "dial plan": "拨号方案",
  "local user": "本地用户",
  menu: "菜单",
  "time condition": "时间条件",
  prompt: "提示音",
  transition: "号码变换",
  "hunt group": "寻线组",
  "conference room": "会议室",
};

/** Whole messages of the server, in Chinese. */
const MESSAGES: Array<[RegExp, (m: RegExpExecArray) => string | undefined]> = [
  [/^must be empty or (.+)$/, (m) => withPhrase(m[1]!, (p) => `须为空，或为${spaced(p)}。`)],
  [/^must be (.+)$/, (m) => withPhrase(m[1]!, (p) => `须为${spaced(p)}。`)],
  [/^must not equal the extension number$/, () => "不能与分机号码相同。"],
  [/^must not contain control characters$/, () => "不能包含控制字符。"],
  [/^must not be negative$/, () => "不能为负数。"],
  [
    /^must name another (line|trunk)$/,
    (m) => (m[1] === "line" ? "须指向另一条外线。" : "须指向另一个中继。"),
  ],
  [/^must differ from the room's PIN$/, () => "须与会议室的 PIN 不同。"],
  [
    /^at most (\d+) (characters|entries)$/,
    (m) => `最多 ${m[1]} ${m[2] === "characters" ? "个字符" : "项"}。`,
  ],
  [
    /^no (external line|SIP trunk|dial plan|local user|transition) "?([^"]*)"?$/,
    (m) => `没有${OWNERS[m[1]!]} “${m[2]}”。`,
  ],
  [
    /^no (menu|time condition|prompt|local user) is named "(.*)"$/,
    (m) => `没有名为 “${m[2]}” 的${OWNERS[m[1]!]}。`,
  ],
  [/^no hunt group has the number "(.*)"$/, (m) => `没有号码为 “${m[1]}” 的寻线组。`],
  [/^is a (local user|hunt group)'s number$/, (m) => `已是某个${OWNERS[m[1]!]}的号码。`],
  [
    /^is (local user|hunt group|conference room) (\S+)'s number$/,
    (m) => `已是${OWNERS[m[1]!]} ${m[2]} 的号码。`,
  ],
  [/^(\S+) is an emergency number \((.+)\)$/, (m) => `${m[1]} 是紧急号码（紧急号码表）。`],
  [/^already used by (.+)$/, (m) => `已被 ${m[1]} 使用。`],
  [/^already in dial plan "(.*)"$/, (m) => `已在拨号方案 “${m[1]}” 中。`],
  [/^is already a member$/, () => "已是成员。"],
  [/^is (?:in use|used by):? (.+)$/, (m) => `正在使用：${m[1]}。`],
  [/^cannot be changed \(delete and create instead\)$/, () => "不能修改（请删除后重新创建）。"],
  [/^is required (?:for|when) (.+)$/, (m) => `必填（${m[1]}）。`],
  [/^needs (.+)$/, (m) => `需要 ${m[1]}。`],
];

/** A space between Chinese and a phrase that starts with digits or Latin letters ("须为 1-16 个数字"). */
function spaced(p: string): string {
  return /^[\w"]/.test(p) ? ` ${p}` : p;
}

function withPhrase(text: string, sentence: (p: string) => string): string | undefined {
  const p = phrase(text);
  return p === undefined ? undefined : sentence(p);
}

/** A server rule message in Chinese, or undefined when it is not one this table knows. */
export function zhServerRule(message: string): string | undefined {
  for (const [re, make] of MESSAGES) {
    const m = re.exec(message);
    if (m) {
      const out = make(m);
      if (out !== undefined) return out;
    }
  }
  return undefined;
}
