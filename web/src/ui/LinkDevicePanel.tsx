import { createSignal, onCleanup, Show } from "solid-js";
import { answer } from "../api/serverApi";
import { toBase64Url } from "../crypto/bytes";
import { createAction } from "./action";
import { useDb } from "./dbContext";
import { ErrorText } from "./ErrorText";
import { t } from "../i18n/i18n";

/**
 * On a signed-in device: shows a one-time code, and a QR code of the link that spends it. The QR
 * link also carries the account key in its fragment (never sent to a server); the typed code does
 * not, so a device that types it asks for the recovery phrase (the server alone cannot give the key).
 */
export function LinkDevicePanel(props: { serverUrl: string }) {
  const { client } = useDb();
  const [code, setCode] = createSignal<{ code: string; expiresAt: number; svg: string; link: string }>();
  const creating = createAction();
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), 1_000);
  onCleanup(() => clearInterval(timer));

  const create = () =>
    creating.run(async () => {
      const created = await answer(client.server.api["link-codes"].$post());
      const key = await client.accountKey({ action: "secret" });
      const { renderSVG } = await import("uqr"); // loaded only when a code is shown
      const link = `${props.serverUrl}/#link=${created.code}${key ? `&key=${toBase64Url(key.secret)}` : ""}`;
      setCode({ ...created, svg: renderSVG(link), link });
    });
  const left = () => Math.max(0, Math.round(((code()?.expiresAt ?? 0) - now()) / 1000));

  return (
    <div class="stack">
      <h3>{t("linkDevice.title")}</h3>
      <Show when={code() && left() > 0} fallback={<button type="button" onClick={() => void create()}>{t("linkDevice.show")}</button>}>
        <p class="muted">
          {t("linkDevice.explain")}
        </p>
        <p class="link-code" aria-label={t("common.linkCode")} data-code={code()!.code}>
          {code()!.code.slice(0, 4)}-{code()!.code.slice(4)}
        </p>
        <div class="qr" role="img" aria-label={t("linkDevice.qr")} data-link={code()!.link} innerHTML={code()!.svg} />
        <p class="muted">
          {t("linkDevice.expires", { time: `${Math.floor(left() / 60)}:${String(left() % 60).padStart(2, "0")}` })}
        </p>
      </Show>
      <ErrorText message={creating.error()} />
    </div>
  );
}
