/**
 * The catalogue of Parley's voice prompts: every sentence a PBX service plays, and the words that
 * say.ts strings together to speak numbers, amounts and counts. This is the one source of truth:
 * scripts/make-prompts.sh reads it to synthesise prompts/<lang>/<name>.wav, and PromptLibrary
 * lists and validates names against it.
 *
 * NOTE: a prompt has a text only in the languages that use it. Words that exist in one language's
 * grammar only (English "and", the plural forms; Chinese 两, 角, the measure word 条) have no entry
 * in the other, so no file is made for them and say.ts never asks for them there.
 *
 * Texts spell numbers out ("press one", "按一") so the synthesiser reads them as words.
 */

export const LANGUAGES = ["en", "zh"] as const;
export type PromptLanguage = (typeof LANGUAGES)[number];

export const PROMPTS = {
  // Greetings and the auto-attendant (FEATURES 6: "welcome, please enter the extension number").
  welcome: { en: "Welcome.", zh: "欢迎。" },
  "company-greeting": { en: "Thank you for calling.", zh: "感谢您的来电。" },
  "enter-extension": { en: "Please enter the extension number.", zh: "请输入分机号码。" },
  "enter-extension-or-operator": {
    en: "Please enter the extension number, or press zero for the operator.",
    zh: "请输入分机号码，或按零转接总机。",
  },
  invalid: { en: "That is not a valid entry.", zh: "输入无效。" },
  "invalid-number": { en: "That number is not valid.", zh: "号码无效。" },
  "try-again": { en: "Please try again.", zh: "请重试。" },
  "thank-you": { en: "Thank you.", zh: "谢谢。" },
  goodbye: { en: "Goodbye.", zh: "再见。" },
  "please-hold": { en: "Please hold.", zh: "请稍候。" },
  // Call screening (the shipped script lua/screening.lua, issue 18).
  "press-1-to-connect": { en: "To be connected, press 1.", zh: "接通请按1。" },
  transferring: { en: "Please hold while your call is transferred.", zh: "正在为您转接，请稍候。" },

  // Voicemail.
  // The system greeting: "The person at extension" + the number spoken digit by digit + "is not available."
  "vm-person-at-extension": { en: "The person at extension", zh: "分机" },
  "vm-is-unavailable": { en: "is not available.", zh: "的用户无法接听。" },
  "vm-not-available": { en: "The person you are calling is not available.", zh: "您呼叫的用户无法接听。" },
  "leave-message": {
    en: "Please leave a message after the tone. Press pound when finished.",
    zh: "请在提示音后留言，完成后请按井号键。",
  },
  "message-saved": { en: "Your message has been saved.", zh: "您的留言已保存。" },
  // The record-and-playback test number (*45).
  "record-test": {
    en: "This is the recording test. After the tone, say something, then press pound to hear it played back.",
    zh: "这是录音测试。请在提示音后讲话，然后按井号键收听录音。",
  },
  "no-messages": { en: "You have no messages.", zh: "您没有留言。" },
  "you-have": { en: "You have", zh: "您有" },
  "new-message": { en: "new message", zh: "新留言" },
  "new-messages": { en: "new messages" },
  "old-message": { en: "old message", zh: "旧留言" },
  "old-messages": { en: "old messages" },
  "word-message": { en: "message", zh: "留言" },
  "word-messages": { en: "messages" },
  // Voicemail access by phone (src/services/voicemail/access*.ts): the main menu, then "delete
  // greeting" only when the user recorded one.
  "voicemail-menu": {
    en: "Press one to listen to your messages, five to record your greeting, or star to exit.",
    zh: "收听留言请按一，录制问候语请按五，退出请按星号键。",
  },
  "vm-delete-greeting-option": {
    en: "To delete your greeting and use the system greeting, press six.",
    zh: "删除问候语并使用系统问候语，请按六。",
  },
  "message-menu": {
    en: "Press seven to delete this message, nine to save it, four to hear it again, six for the next message, or star for the main menu.",
    zh: "删除按七，保存按九，重听按四，下一条按六，返回主菜单按星号键。",
  },
  "enter-mailbox": {
    en: "Please enter your mailbox number, followed by the pound key.",
    zh: "请输入信箱号码，以井号键结束。",
  },
  // "Message received on" + the date and time (say-date.ts) + "from" + the caller's digits.
  "vm-received-on": { en: "Message received on", zh: "留言时间" },
  "vm-from": { en: "from", zh: "来自" },
  "vm-from-unknown-caller": { en: "from an unknown caller.", zh: "来电号码未知。" },
  "vm-message-kept": { en: "Message saved.", zh: "留言已保存。" },
  "greeting-deleted": {
    en: "Your greeting has been deleted. Callers will hear the system greeting.",
    zh: "您的问候语已删除，来电者将听到系统问候语。",
  },
  "greeting-too-short": {
    en: "The greeting was too short and has not been saved.",
    zh: "问候语太短，未保存。",
  },
  "first-message": { en: "First message.", zh: "第一条留言。" },
  "next-message": { en: "Next message.", zh: "下一条留言。" },
  "no-more-messages": { en: "There are no more messages.", zh: "没有更多留言了。" },
  "message-deleted": { en: "Message deleted.", zh: "留言已删除。" },
  "record-greeting": {
    en: "Please record your greeting after the tone. Press pound when finished.",
    zh: "请在提示音后录制问候语，完成后请按井号键。",
  },
  "greeting-saved": { en: "Your greeting has been saved.", zh: "您的问候语已保存。" },
  "enter-password": {
    en: "Please enter your password, followed by the pound key.",
    zh: "请输入密码，以井号键结束。",
  },
  "enter-pin": {
    en: "Please enter your PIN, followed by the pound key.",
    zh: "请输入个人密码，以井号键结束。",
  },
  "login-incorrect": { en: "Login incorrect.", zh: "密码错误。" },

  // Call failures (what the caller hears instead of a bare tone).
  "number-not-exist": { en: "The number you dialled does not exist.", zh: "您拨打的号码不存在。" },
  busy: {
    en: "The number you dialled is busy. Please try again later.",
    zh: "您拨打的号码正忙，请稍后再拨。",
  },
  "not-available": {
    en: "The number you dialled is not available, please try again later.",
    zh: "您拨打的用户暂时无法接通，请稍后再拨。",
  },
  "no-answer": {
    en: "There is no answer. Please try again later.",
    zh: "您拨打的用户暂时无人接听，请稍后再拨。",
  },
  "call-cannot-be-completed": { en: "Your call cannot be completed as dialled.", zh: "您的呼叫无法完成。" },
  "all-circuits-busy": {
    en: "All circuits are busy now. Please try again later.",
    zh: "所有线路正忙，请稍后再拨。",
  },
  restricted: { en: "You are not allowed to call this number.", zh: "您无权拨打此号码。" },

  // Calling card (prepaid).
  "enter-card-number": {
    en: "Please enter your card number, followed by the pound key.",
    zh: "请输入卡号，以井号键结束。",
  },
  "card-invalid": { en: "That card number or PIN is not valid.", zh: "卡号或密码无效。" },
  "your-balance-is": { en: "Your balance is", zh: "您的余额为" },
  "insufficient-balance": { en: "Your balance is insufficient.", zh: "您的余额不足。" },
  "you-can-talk-for": { en: "You can talk for", zh: "您可以通话" },
  "credit-exhausted": { en: "Your credit has run out. Goodbye.", zh: "您的余额已用完，再见。" },
  "enter-destination": {
    en: "Please enter the number you wish to call, followed by the pound key.",
    zh: "请输入您要拨打的号码，以井号键结束。",
  },

  // Conference room.
  "conference-pin": {
    en: "Please enter the conference password, followed by the pound key.",
    zh: "请输入会议密码，以井号键结束。",
  },
  "conference-joined": { en: "You have joined the conference.", zh: "您已加入会议。" },
  "conference-only-participant": {
    en: "You are the only participant in this conference.",
    zh: "您是会议中唯一的参与者。",
  },
  "conference-locked": { en: "This conference is locked.", zh: "该会议已锁定。" },
  "conference-full": { en: "This conference is full.", zh: "会议人数已满。" },

  // Park, pick-up, forwarding, do-not-disturb and other feature codes.
  "parked-at": { en: "Your call is parked at", zh: "您的通话已停泊在" },
  "park-empty": { en: "There is no call parked there.", zh: "该停泊位没有通话。" },
  "park-taken": { en: "That parking place is taken.", zh: "该停泊位已被占用。" },
  "not-in-call": { en: "That extension is not on a call.", zh: "该分机不在通话中。" },
  "no-call-to-pick-up": { en: "There is no call to pick up.", zh: "没有可代接的来电。" },
  "forwarding-on": { en: "Call forwarding is on.", zh: "呼叫转移已开启。" },
  "forwarding-off": { en: "Call forwarding is off.", zh: "呼叫转移已关闭。" },
  "dnd-on": { en: "Do not disturb is on.", zh: "免打扰已开启。" },
  "dnd-off": { en: "Do not disturb is off.", zh: "免打扰已关闭。" },
  "feature-on": { en: "The feature is on.", zh: "功能已开启。" },
  "feature-off": { en: "The feature is off.", zh: "功能已关闭。" },

  // Tests.
  "echo-test": {
    en: "You are about to enter the echo test. What you say will be played back to you.",
    zh: "您即将进入回声测试，您说的话将回放给您。",
  },
  "prompt-test": {
    en: "This is the Parley prompt playback test. If you can hear this clearly, prompts are working.",
    zh: "这是语音提示测试，能听清说明提示音正常。",
  },

  // Digits, as in a phone number (Chinese reads 1 as 幺 there, so it cannot be confused with 7).
  "digit-0": { en: "zero", zh: "零" },
  "digit-1": { en: "one", zh: "一" },
  "digit-2": { en: "two", zh: "二" },
  "digit-3": { en: "three", zh: "三" },
  "digit-4": { en: "four", zh: "四" },
  "digit-5": { en: "five", zh: "五" },
  "digit-6": { en: "six", zh: "六" },
  "digit-7": { en: "seven", zh: "七" },
  "digit-8": { en: "eight", zh: "八" },
  "digit-9": { en: "nine", zh: "九" },
  "word-yao": { zh: "幺" },
  star: { en: "star", zh: "星号" },
  pound: { en: "pound", zh: "井号" },

  // Numbers: English needs the teens and the tens; Chinese builds them from digits and 十.
  "number-10": { en: "ten", zh: "十" },
  "number-11": { en: "eleven" },
  "number-12": { en: "twelve" },
  "number-13": { en: "thirteen" },
  "number-14": { en: "fourteen" },
  "number-15": { en: "fifteen" },
  "number-16": { en: "sixteen" },
  "number-17": { en: "seventeen" },
  "number-18": { en: "eighteen" },
  "number-19": { en: "nineteen" },
  "number-20": { en: "twenty" },
  "number-30": { en: "thirty" },
  "number-40": { en: "forty" },
  "number-50": { en: "fifty" },
  "number-60": { en: "sixty" },
  "number-70": { en: "seventy" },
  "number-80": { en: "eighty" },
  "number-90": { en: "ninety" },
  "word-hundred": { en: "hundred", zh: "百" },
  "word-thousand": { en: "thousand", zh: "千" },
  "word-ten-thousand": { zh: "万" },
  "word-million": { en: "million" },
  "word-hundred-million": { zh: "亿" },
  "word-liang": { zh: "两" },
  "word-minus": { en: "minus", zh: "负" },
  "word-point": { en: "point", zh: "点" },
  "word-and": { en: "and" },

  // Money and time.
  "word-dollar": { en: "dollar", zh: "美元" },
  "word-dollars": { en: "dollars" },
  "word-cent": { en: "cent", zh: "美分" },
  "word-cents": { en: "cents" },
  "word-yuan": { en: "yuan", zh: "元" },
  "word-jiao": { zh: "角" },
  "word-fen": { en: "fen", zh: "分" },
  "word-minute": { en: "minute", zh: "分钟" },
  "word-minutes": { en: "minutes" },
  "word-second": { en: "second", zh: "秒" },
  "word-seconds": { en: "seconds" },
  "word-tiao": { zh: "条" },

  // Dates and times (src/services/voicemail/say-date.ts): English "Monday, December seventh, at
  // three forty five P M"; Chinese 十二月七日 星期一 下午三点四十五分 (the minutes' 分 is word-fen).
  "weekday-0": { en: "Sunday", zh: "星期日" },
  "weekday-1": { en: "Monday", zh: "星期一" },
  "weekday-2": { en: "Tuesday", zh: "星期二" },
  "weekday-3": { en: "Wednesday", zh: "星期三" },
  "weekday-4": { en: "Thursday", zh: "星期四" },
  "weekday-5": { en: "Friday", zh: "星期五" },
  "weekday-6": { en: "Saturday", zh: "星期六" },
  "month-1": { en: "January", zh: "一月" },
  "month-2": { en: "February", zh: "二月" },
  "month-3": { en: "March", zh: "三月" },
  "month-4": { en: "April", zh: "四月" },
  "month-5": { en: "May", zh: "五月" },
  "month-6": { en: "June", zh: "六月" },
  "month-7": { en: "July", zh: "七月" },
  "month-8": { en: "August", zh: "八月" },
  "month-9": { en: "September", zh: "九月" },
  "month-10": { en: "October", zh: "十月" },
  "month-11": { en: "November", zh: "十一月" },
  "month-12": { en: "December", zh: "十二月" },
  // English ordinals: the 21st is "twenty" + "first".
  "ordinal-1": { en: "first" },
  "ordinal-2": { en: "second" },
  "ordinal-3": { en: "third" },
  "ordinal-4": { en: "fourth" },
  "ordinal-5": { en: "fifth" },
  "ordinal-6": { en: "sixth" },
  "ordinal-7": { en: "seventh" },
  "ordinal-8": { en: "eighth" },
  "ordinal-9": { en: "ninth" },
  "ordinal-10": { en: "tenth" },
  "ordinal-11": { en: "eleventh" },
  "ordinal-12": { en: "twelfth" },
  "ordinal-13": { en: "thirteenth" },
  "ordinal-14": { en: "fourteenth" },
  "ordinal-15": { en: "fifteenth" },
  "ordinal-16": { en: "sixteenth" },
  "ordinal-17": { en: "seventeenth" },
  "ordinal-18": { en: "eighteenth" },
  "ordinal-19": { en: "nineteenth" },
  "ordinal-20": { en: "twentieth" },
  "ordinal-30": { en: "thirtieth" },
  "word-ri": { zh: "日" },
  "word-nian": { zh: "年" },
  "word-at": { en: "at" },
  "word-oh": { en: "oh" },
  "word-oclock": { en: "o'clock", zh: "点" },
  "word-am": { en: "A M", zh: "上午" },
  "word-pm": { en: "P M", zh: "下午" },
  "word-small-hours": { zh: "凌晨" },
  "word-noon": { zh: "中午" },
  "word-evening": { zh: "晚上" },
} as const satisfies Record<string, Partial<Record<PromptLanguage, string>>>;

export type PromptName = keyof typeof PROMPTS;

const NAMES = new Set<string>(Object.keys(PROMPTS));

/** Whether a string (say, from the REST API) names a catalogue prompt. */
export function isPromptName(name: string): name is PromptName {
  return NAMES.has(name);
}

/** The text of a prompt in a language, or undefined where that language has no such prompt. */
export function promptText(name: PromptName, lang: PromptLanguage): string | undefined {
  const entry: Partial<Record<PromptLanguage, string>> = PROMPTS[name];
  return entry[lang];
}

/** Whether a string is one of the prompt languages. */
export function isPromptLanguage(lang: string): lang is PromptLanguage {
  return (LANGUAGES as readonly string[]).includes(lang);
}
