/**
 * The number field and the keypad. With no call in progress a key adds its digit to the number;
 * during an answered call it sends the digit to that call as DTMF (RFC 4733) and shows it.
 */
import { type FormEvent, useState } from "react";
import { useI18n } from "../../i18n";

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"] as const;
const LETTERS: Record<string, string> = {
  "2": "ABC",
  "3": "DEF",
  "4": "GHI",
  "5": "JKL",
  "6": "MNO",
  "7": "PQRS",
  "8": "TUV",
  "9": "WXYZ",
  "0": "+",
};

/** What a dialed number may hold: digits, `*`, `#`, `+`, or a SIP user or URI typed in full. */
const DIALABLE = /^[0-9*#+]+$|^(sips?:)?[A-Za-z0-9._+-]+(@[A-Za-z0-9.:[\]-]+)?$/;

export function Dialer(props: {
  /** Sends a key as DTMF when set (an answered call). */
  onTone: ((tone: string) => void) | undefined;
  onDial: (number: string) => void;
  disabled: boolean;
  number: string;
  setNumber: (number: string) => void;
}) {
  const { t } = useI18n();
  const [tones, setTones] = useState("");
  const { number, setNumber, onTone } = props;
  const press = (key: string) => {
    if (onTone !== undefined) {
      onTone(key);
      setTones((s) => (s + key).slice(-24));
    } else setNumber(number + key);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const target = number.trim();
    if (DIALABLE.test(target)) props.onDial(target);
  };
  return (
    <form className="card dialer" onSubmit={submit} data-testid="phone-dialer">
      <div className="dialer-number">
        <label className="sr-only" htmlFor="phone-number">
          {t("phone.number")}
        </label>
        <input
          id="phone-number"
          value={number}
          onChange={(e) => setNumber(e.target.value)}
          placeholder={t("phone.number")}
          autoComplete="off"
          inputMode="tel"
          data-testid="phone-number"
        />
        <button
          type="button"
          className="dialer-backspace"
          aria-label={t("phone.backspace")}
          onClick={() => setNumber(number.slice(0, -1))}
          disabled={number === ""}
        >
          ⌫
        </button>
      </div>
      {onTone === undefined || tones === "" ? null : (
        <output className="dialer-tones mono" data-testid="phone-tones">
          {tones}
        </output>
      )}
      {/* biome-ignore lint/a11y/useSemanticElements: a keypad of buttons; a fieldset would announce a form group of inputs */}
      <div className="keypad" role="group" aria-label={t("phone.keypad")}>
        {KEYS.map((key) => (
          <button key={key} type="button" onClick={() => press(key)} data-testid={`key-${key}`}>
            <span className="key-digit">{key}</span>
            <span className="key-letters" aria-hidden="true">
              {LETTERS[key] ?? "\u00a0"}
            </span>
          </button>
        ))}
      </div>
      <button
        type="submit"
        className="primary wide dial-button"
        disabled={props.disabled || !DIALABLE.test(number.trim())}
        data-testid="phone-dial"
      >
        {t("phone.dial")}
      </button>
    </form>
  );
}
