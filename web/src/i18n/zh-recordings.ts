/** Chinese for call recording (issue 17); spread into zh.ts. */
import type { enRecordings } from "./en-recordings";

export const zhRecordings: Record<keyof typeof enRecordings, string> = {
  "field.recording": "通话录音",
  "field.recording.never": "从不",
  "field.recording.always": "总是（每个接通的通话）",
  "field.recording.on-demand": "按需（通话中按 *1#）",
  "col.recordCalls": "通话录音",
  "nav.recordings": "通话录音",
  "recordings.title": "通话录音",
  "recordings.intro":
    "已录音的通话，最新的在前：双方声音在同一个 WAV 文件中（8 kHz，16 位 PCM）。可在此播放、下载或删除。",
  "recordings.none": "没有录音。",
  "recordings.caller": "主叫",
  "recordings.callee": "被叫",
  "recordings.startedAt": "开始时间",
  "recordings.duration": "时长",
  "recordings.size": "大小",
  "recordings.play": "播放",
  "recordings.download": "下载",
  "recordings.delete": "删除",
  "recordings.confirmDelete": "删除 {caller} → {callee} 的录音？",
  "recordings.deleted": "录音已删除。",
  "recordings.filter": "号码",
  "recordings.call": "通话",
  "cdrs.recording": "录音",
};
