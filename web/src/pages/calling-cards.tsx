/**
 * Calling cards (issue 18; FEATURES.md section 6, "Calling card"): the prepaid cards (number, PIN,
 * balance, currency, expiry, enabled) with an atomic credit, and the rates by called-number
 * prefix (connect charge, per-minute price, 60/6-style increments); each table exported as CSV
 * and imported from CSV (all rows or none; the errors name row and field). Money is shown and
 * typed as decimals; a change applies to the next call.
 */
import { type ChangeEvent, type FormEvent, useState } from "react";
import type { Static } from "typebox";
import type { ImportResultBody } from "../../../src/api/routes/calling-card-schemas";
import { type FieldGroup, FormFailure } from "../components/form";
import { type Row, TableEditor, textColumn } from "../components/table-editor";
import { formatTime, PageHeader, useNotify } from "../components/ui";
import { useI18n } from "../i18n";
import { api } from "../lib/api";

type ImportResult = Static<typeof ImportResultBody>;

const CARD_GROUPS: FieldGroup[] = [
  {
    title: "group.basic",
    fields: [
      { path: "number", kind: "text", label: "col.cardNumber", hint: "hint.cardNumber" },
      { path: "pin", kind: "text", label: "col.cardPin", hint: "hint.cardPin", autoComplete: "off" },
      { path: "balance", kind: "text", label: "col.balance", hint: "hint.money" },
      { path: "currency", kind: "text", label: "col.currency", hint: "hint.currency" },
      { path: "expiresAt", kind: "text", label: "col.expiresAt", hint: "hint.expiresAt" },
      { path: "enabled", kind: "bool", label: "col.enabled" },
    ],
  },
];
const CARD_DEFAULTS: Row = {
  number: "",
  pin: "",
  balance: 0,
  currency: "USD",
  expiresAt: null,
  enabled: true,
};

const RATE_GROUPS: FieldGroup[] = [
  {
    title: "group.basic",
    fields: [
      { path: "prefix", kind: "text", label: "col.ratePrefix", hint: "hint.ratePrefix" },
      { path: "connectCharge", kind: "text", label: "col.connectCharge", hint: "hint.money" },
      { path: "perMinute", kind: "text", label: "col.perMinute", hint: "hint.money" },
      { path: "firstIncrement", kind: "int", label: "col.firstIncrement", hint: "hint.increment" },
      { path: "increment", kind: "int", label: "col.increment", hint: "hint.increment" },
      { path: "description", kind: "text", label: "col.rateDescription" },
    ],
  },
];
const RATE_DEFAULTS: Row = {
  prefix: "",
  connectCharge: 0,
  perMinute: 0,
  firstIncrement: 60,
  increment: 6,
  description: "",
};

const DECIMAL = /^\s*\d+(\.\d+)?\s*$/;

/**
 * The form's money text as numbers (anything else is sent as typed, so the API names the field)
 * and a blank expiry as null (never).
 */
function prepare(body: Record<string, unknown>): Record<string, unknown> {
  const out = { ...body };
  for (const key of ["balance", "connectCharge", "perMinute"])
    if (typeof out[key] === "string" && DECIMAL.test(out[key])) out[key] = Number(out[key]);
  if (out.expiresAt === "") out.expiresAt = null;
  return out;
}

/** Export (a CSV download) and import (a CSV file, all rows or none) of one collection. */
function CsvButtons(props: { path: string; file: string; testId: string; onImported: () => void }) {
  const { t } = useI18n();
  const notify = useNotify();
  const [failure, setFailure] = useState<unknown>();
  const exportCsv = async () => {
    try {
      const text = await api.text(`${props.path}.csv`);
      const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = `parley-${props.file}-${new Date().toISOString().slice(0, 10)}.csv`;
      link.click();
      URL.revokeObjectURL(url);
    } catch (error) {
      setFailure(error);
    }
  };
  const importCsv = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const file = input.files?.[0];
    if (file === undefined) return;
    try {
      const result = await api.post<ImportResult>(`${props.path}.csv`, { csv: await file.text() });
      setFailure(undefined);
      notify(t("cards.imported", { created: result.created, updated: result.updated }));
      props.onImported();
    } catch (error) {
      setFailure(error);
    } finally {
      input.value = "";
    }
  };
  return (
    <div className="card-header" data-testid={`${props.testId}-csv`}>
      <button type="button" onClick={exportCsv} data-testid={`${props.testId}-export`}>
        {t("cards.export")}
      </button>
      <label className="button">
        {t("cards.import")}{" "}
        <input
          type="file"
          accept=".csv,text/csv"
          onChange={importCsv}
          data-testid={`${props.testId}-import`}
        />
      </label>
      <FormFailure failure={failure} />
    </div>
  );
}

/** Adds to a card's balance through POST .../credit (atomic: a call's charges all stay). */
function CreditForm(props: { onCredited: () => void }) {
  const { t } = useI18n();
  const notify = useNotify();
  const [number, setNumber] = useState("");
  const [amount, setAmount] = useState("");
  const [failure, setFailure] = useState<unknown>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const body = { amount: DECIMAL.test(amount) ? Number(amount) : amount };
      const card = await api.post<{ balance: number }>(
        `/calling-cards/${encodeURIComponent(number)}/credit`,
        body,
      );
      setFailure(undefined);
      setAmount("");
      notify(t("cards.credited", { number, balance: card.balance }));
      props.onCredited();
    } catch (error) {
      setFailure(error);
    }
  };
  return (
    <form className="card" onSubmit={submit} data-testid="calling-card-credit">
      <label>
        {t("col.cardNumber")}{" "}
        <input value={number} onChange={(e) => setNumber(e.target.value)} data-field="creditNumber" />
      </label>{" "}
      <label>
        {t("cards.credit")}{" "}
        <input
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          inputMode="decimal"
          data-field="amount"
        />
      </label>{" "}
      <button type="submit" className="primary" data-testid="calling-card-credit-submit">
        {t("cards.credit")}
      </button>
      <FormFailure failure={failure} />
    </form>
  );
}

export function CallingCardsPage() {
  const { t, lang } = useI18n();
  // Remounting a table reloads it (after an import or a credit).
  const [cardsVersion, setCardsVersion] = useState(0);
  const [ratesVersion, setRatesVersion] = useState(0);
  const expires = (row: Row) => {
    if (typeof row.expiresAt !== "string") return t("cards.never");
    const when = formatTime(row.expiresAt, lang);
    return row.expired === true ? `${when} (${t("cards.expired")})` : when;
  };
  return (
    <section data-testid="page-calling-cards">
      <PageHeader title={t("cards.title")} />
      <h2>{t("cards.cards")}</h2>
      <p className="hint">{t("cards.cardsHelp")}</p>
      <CsvButtons
        path="/calling-cards"
        file="calling-cards"
        testId="calling-cards"
        onImported={() => setCardsVersion((v) => v + 1)}
      />
      <CreditForm onCredited={() => setCardsVersion((v) => v + 1)} />
      <TableEditor
        key={`cards-${cardsVersion}`}
        path="/calling-cards"
        keyOf={(row) => String(row.number)}
        columns={[
          textColumn("col.cardNumber", "number", t),
          textColumn("col.cardPin", "pin", t),
          textColumn("col.balance", "balance", t),
          textColumn("col.currency", "currency", t),
          { label: "col.expiresAt", cell: expires },
          textColumn("col.enabled", "enabled", t),
        ]}
        groups={CARD_GROUPS}
        defaults={CARD_DEFAULTS}
        prepare={prepare}
        newLabel="cards.newCard"
        deleteWhat="cards.deleteCard"
        featureName={t("cards.title")}
        testId="calling-cards"
      />
      <h2>{t("cards.rates")}</h2>
      <p className="hint">{t("cards.ratesHelp")}</p>
      <CsvButtons
        path="/calling-card-rates"
        file="calling-card-rates"
        testId="calling-card-rates"
        onImported={() => setRatesVersion((v) => v + 1)}
      />
      <TableEditor
        key={`rates-${ratesVersion}`}
        path="/calling-card-rates"
        keyOf={(row) => String(row.id)}
        columns={[
          { label: "col.ratePrefix", cell: (row) => (row.prefix === "" ? '""' : String(row.prefix)) },
          textColumn("col.connectCharge", "connectCharge", t),
          textColumn("col.perMinute", "perMinute", t),
          { label: "col.increment", cell: (row) => `${row.firstIncrement}/${row.increment}` },
          textColumn("col.rateDescription", "description", t),
        ]}
        groups={RATE_GROUPS}
        defaults={RATE_DEFAULTS}
        prepare={prepare}
        newLabel="cards.newRate"
        deleteWhat="cards.deleteRate"
        featureName={t("cards.rates")}
        testId="calling-card-rates"
      />
    </section>
  );
}
