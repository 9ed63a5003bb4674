import { For } from "solid-js";
import { chooseLanguage, language, languageName, t } from "../i18n/i18n";
import { isLanguage, LANGUAGES } from "../i18n/locale";
import { createAction } from "./action";
import { ErrorText } from "./ErrorText";

/** The app's language: switched at once, remembered on this device. */
export function LanguageSettings() {
  const switching = createAction();
  return (
    <section class="panel" aria-labelledby="language-title">
      <h2 id="language-title">{t("settings.language")}</h2>
      <label class="visually-hidden" for="app-language">
        {t("settings.language")}
      </label>
      <select
        id="app-language"
        value={language()}
        onChange={(e) => {
          const chosen = e.currentTarget.value;
          if (isLanguage(chosen)) void switching.run(() => chooseLanguage(chosen));
        }}
      >
        <For each={LANGUAGES}>
          {(l) => (
            <option value={l} lang={l}>
              {languageName(l)}
            </option>
          )}
        </For>
      </select>
      <p class="muted">{t("settings.languageHelp")}</p>
      <ErrorText message={switching.error()} />
    </section>
  );
}
