export { createCancel } from "./cancel.js";
export { TRANSACTION_FAILURES } from "./errors.js";
export { InviteClientTransaction } from "./invite-client-transaction.js";
export { InviteServerTransaction, TRYING_DELAY_MS } from "./invite-server-transaction.js";
export { NonInviteClientTransaction } from "./non-invite-client-transaction.js";
export { NonInviteServerTransaction } from "./non-invite-server-transaction.js";
export { MAGIC_COOKIE } from "./transaction-keys.js";
export { TransactionLayer, type TransactionLayerOptions } from "./transaction-layer.js";
export * from "./types.js";
