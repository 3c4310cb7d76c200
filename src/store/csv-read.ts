/**
 * A CSV reader for imports (RFC 4180: quoted fields, doubled quotes), lenient where spreadsheets
 * differ and the meaning is plain: LF or CRLF line ends, a UTF-8 byte order mark, blank lines
 * (skipped). What cannot be read (a quote left open, text after a closing quote) is an error that
 * names the row, counted as a spreadsheet counts it (the header is row 1).
 */

export interface CsvRow {
  /** The row's number as a spreadsheet shows it (header = 1). */
  row: number;
  fields: string[];
}

export type CsvRead = { ok: true; rows: CsvRow[] } | { ok: false; row: number; message: string };

export function readCsv(input: string): CsvRead {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = "";
  let rowStart = 1;
  let i = 0;
  const endRow = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === "")) rows.push({ row: rowStart, fields });
    rowStart++;
    fields = [];
    field = "";
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && field === "") {
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) return { ok: false, row: rowStart, message: "a quoted field is never closed" };
        field += text.slice(j, q);
        if (text[q + 1] === '"') {
          field += '"';
          j = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      if (i < text.length && !",\r\n".includes(text[i]!))
        return { ok: false, row: rowStart, message: "text after a closing quote" };
    } else if (c === ",") {
      fields.push(field);
      field = "";
      i++;
    } else if (c === "\n" || c === "\r") {
      endRow();
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== "" || fields.length > 0) endRow();
  return { ok: true, rows };
}
