/**
 * The one table of records: a header of column labels, a row per record, and on a phone each row
 * stacked as a card whose cells carry their column's label (`data-label`, styles.css). It also says
 * "loading" and "none" the same way everywhere. Pages describe columns; they never write a <table>.
 */
import type { ReactNode } from "react";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";

export interface Column<T> {
  /** The header, and each cell's `data-label` on a phone. A headless table's columns need none. */
  label?: MessageKey;
  /**
   * "actions": buttons acting on the row; the header is for screen readers only and the cells carry
   * no label. "rowHeader": the cell names its row (`<th scope="row">`).
   */
  kind?: "actions" | "rowHeader";
  className?: string;
  cell: (row: T) => ReactNode;
}

/** Attributes of a row's <tr>: its test id, data-* a test or a style selects on. */
export type RowAttributes = { [name: `data-${string}`]: string | undefined };

export interface DataTableProps<T> {
  /** undefined while loading. */
  rows: readonly T[] | undefined;
  columns: ReadonlyArray<Column<T>>;
  rowKey: (row: T) => string | number;
  rowAttributes?: (row: T) => RowAttributes;
  /** Shown instead of an empty table; without it an empty table is shown. */
  empty?: MessageKey;
  /** Say "loading" while rows are undefined (else show nothing). */
  showLoading?: boolean;
  /** Rows become stacked cards on a phone-sized screen (default true). */
  responsive?: boolean;
  /** A table of named rows (row headers) has no column header. */
  header?: boolean;
  testId?: string;
}

export function DataTable<T>(props: DataTableProps<T>) {
  const { t } = useI18n();
  const { rows, columns, responsive = true, header = true } = props;
  if (rows === undefined) return props.showLoading ? <p className="muted">{t("common.loading")}</p> : null;
  if (rows.length === 0 && props.empty !== undefined) return <p className="muted">{t(props.empty)}</p>;
  return (
    <div className="table-wrap">
      <table className={responsive ? "responsive" : undefined} data-testid={props.testId}>
        {header ? (
          <thead>
            <tr>
              {columns.map((column, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the columns are a fixed list
                <th key={i}>{headerText(column, t)}</th>
              ))}
            </tr>
          </thead>
        ) : null}
        <tbody>
          {rows.map((row) => (
            <tr key={props.rowKey(row)} {...props.rowAttributes?.(row)}>
              {columns.map((column, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the columns are a fixed list
                <Cell key={i} column={column} row={row} label={column.label && t(column.label)} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function headerText<T>(column: Column<T>, t: (key: MessageKey) => string): ReactNode {
  if (column.label === undefined) return null;
  if (column.kind === "actions") return <span className="sr-only">{t(column.label)}</span>;
  return t(column.label);
}

function Cell<T>(props: { column: Column<T>; row: T; label: string | undefined }) {
  const { column, row } = props;
  if (column.kind === "rowHeader")
    return (
      <th scope="row" className={column.className}>
        {column.cell(row)}
      </th>
    );
  const label = column.kind === "actions" ? undefined : props.label;
  return (
    <td data-label={label} className={column.className}>
      {column.cell(row)}
    </td>
  );
}
