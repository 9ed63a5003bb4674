/**
 * The sync status's problem and action in the chosen language. The sync client (another thread)
 * writes them in English (shared/syncRefusals.ts), shown as they are in English (so their English
 * entries, checked equal by a test, live in the later part and never weigh on the first paint);
 * in another language the close code behind them picks the words.
 */
import { CloseCode } from "../../../shared/syncProtocol";
import { HELD_ACTION, type SyncStatus } from "../../../shared/syncStatus";
import { language, t } from "./i18n";

type Refusal = keyof typeof CloseCode;
const REFUSAL_NAMES = new Map(Object.entries(CloseCode).map(([name, code]) => [code as number, name as Refusal]));
const refusalOf = (status: SyncStatus) => (status.code === undefined ? undefined : REFUSAL_NAMES.get(status.code));

/** What went wrong, or undefined when nothing did. */
export function problemWords(status: SyncStatus): string | undefined {
  const name = status.problem === undefined || language() === "en" ? undefined : refusalOf(status);
  return name ? t(`refusal.${name}.problem`) : status.problem;
}

/** What the person can do about it, or undefined. */
export function actionWords(status: SyncStatus): string | undefined {
  if (status.action === undefined) return undefined;
  if (language() === "en") return status.action;
  if (status.action === HELD_ACTION) return t("sync.heldAction");
  const name = refusalOf(status);
  return name ? t(`refusal.${name}.action`) : status.action;
}
