import { Route, Router, useLocation, useNavigate } from "@solidjs/router";
import { createEffect, createMemo, createResource, createSignal, For, lazy, Match, onCleanup, onMount, Show, Suspense, Switch } from "solid-js";
import { HISTORY_PRUNE_DELAY_MS } from "../../../shared/constants";
import type { SyncStatus } from "../../../shared/syncStatus";
import type { DbStatus } from "../db/protocol";
import type { LeftUnsaved } from "./NoteEditor";
import { forgetTyping, isSavedIn, keptTyping, keptTypingOf } from "./keptTyping";
import { useDb } from "./dbContext";
import { RecoveryPhraseNotice } from "./RecoveryPhrase";
import { loadDrizzle } from "../db/drizzleLoader";
import type { AppDatabase } from "../db/drizzle";
import { createNavigation, HOME, parseLocation, type HistoryPort, type NavState, type Section } from "./navigation";
import { NotesPane } from "./NotesPane";
import { firstListDrawn } from "./firstList";
import { ReminderAlerts } from "./ReminderAlerts";
import { askAboutLink, pendingLink } from "./linkQuestion";
import { AccountKeyPrompt } from "./AccountKeyPrompt";
import { takeSignInLink } from "./signInLink";
import { SecurityAlerts } from "./SecurityAlerts";
import { StorageBanner } from "./StorageBanner";
import { SyncIndicator } from "./SyncIndicator";
import { UpdatePrompt } from "./UpdatePrompt";
import { errorMessage } from "../../../shared/errorMessage";
import { loadLaterTexts, t } from "../i18n/i18n";

// Screens not needed to paint the list load after it (their code is not in the first paint);
// they are fetched in the background once the list shows, so the first tap does not wait.
// Each also waits for the later screens' words (i18n.ts, loadLaterTexts) and for Drizzle's code, so
// inside them `useDb().db` is ready (db/drizzleLoader.ts).
const withTexts = <T,>(load: Promise<T>) => Promise.all([load, loadLaterTexts(), loadDrizzle()]).then(([m]) => m);
const NoteEditor = lazy(() => withTexts(import("./NoteEditor")).then((m) => ({ default: m.NoteEditor })));
const SettingsPane = lazy(() => withTexts(import("./SettingsPane")).then((m) => ({ default: m.SettingsPane })));
const ViewsPane = lazy(() => withTexts(import("./ViewsPane")).then((m) => ({ default: m.ViewsPane })));
const EntityPage = lazy(() => withTexts(import("./EntityPage")).then((m) => ({ default: m.EntityPage })));
const LinkTarget = lazy(() => withTexts(import("./LinkTarget")).then((m) => ({ default: m.LinkTarget })));
const SearchResults = lazy(() => withTexts(import("./SearchResults")).then((m) => ({ default: m.SearchResults })));
const RemindersPane = lazy(() => withTexts(import("./RemindersPane")).then((m) => ({ default: m.RemindersPane })));
// Only when a link is opened: under its own Suspense, so the list never waits for it.
const LinkPrompt = lazy(() => withTexts(import("./LinkPrompt")).then((m) => ({ default: m.LinkPrompt })));
/** Where the list and the editor sit side by side (the same width as in app.css). */
const SIDE_BY_SIDE = "(min-width: 800px)";
/**
 * The longest the start's deferred work (below) waits for the database: a worker that never
 * answers must not also keep the service worker, which could bring a fixed version, away.
 */
const DEFERRED_START_BOUND_MS = 10_000;
/** How long the deferred work waits after the database opened for the list to draw (another screen may be first). */
const FIRST_LIST_BOUND_MS = 3_000;

const NAV = ["active", "archived", "trash", "reminders", "views", "settings"] as const satisfies readonly Section[];

/**
 * The app under its router. Every screen is drawn by `Screen` from the location (navigation.ts
 * reads it), so the router needs one catch-all route; links are handled by the app, not by the
 * router's link interception (explicitLinks), and back/forward restores the list's scroll.
 */
export function App() {
  return (
    <Router root={Screen} explicitLinks scrollRestoration>
      <Route path="*any" component={() => null} />
    </Router>
  );
}

/** /tag/:name and /person/:name: the entity's id is derived from its name (shared/ids.ts). */
function MentionPage(props: { kind: "tag" | "person"; name: string; onOpen: (id: string) => void }) {
  const [id] = createResource(async () => (await import("../../../shared/ids")).entityId(props.kind, props.name)); // hash code: not in the first paint
  return <Show when={id()}>{(i) => <EntityPage entityId={i()} onOpen={props.onOpen} />}</Show>;
}

/** A new empty note (the notes code loads with the first one). */
async function newNote(drizzle: () => Promise<AppDatabase>) {
  const [{ createNote }, db] = await Promise.all([import("../notes/notesRepo"), drizzle()]);
  return createNote(db);
}

/** The router's history, as navigation.ts needs it. `?storage=` stays on every URL (it picks the storage at the next reload). */
function routerHistory(): HistoryPort {
  const location = useLocation();
  const navigate = useNavigate();
  const keep = () => location.search;
  return {
    location: () => ({ pathname: location.pathname, state: location.state }),
    push: (path, state?: NavState) => navigate(path + keep(), { state }),
    replace: (path, state?: NavState) => navigate(path + keep(), { state, replace: true }),
    go: (delta) => navigate(delta),
  };
}

function Screen() {
  const { client, drizzle } = useDb();
  const nav = createNavigation(routerHistory(), () => matchMedia(SIDE_BY_SIDE).matches);
  const location = useLocation();
  const navigate = useNavigate();
  // A path the app does not know shows the notes, under their own URL.
  createEffect(() => {
    if (!parseLocation(location.pathname)) navigate(HOME + location.search, { replace: true });
  });

  const [status, setStatus] = createSignal<DbStatus>(client.status);
  const [sync, setSync] = createSignal<SyncStatus>(client.syncStatus);
  onCleanup(client.onStatus(setStatus));
  onCleanup(client.onSync(setSync));
  const [notice, setNotice] = createSignal<string>();
  // Typing whose save failed as its note closed: named here, and handed back when the note opens.
  const [leftUnsaved, setLeftUnsaved] = createSignal<LeftUnsaved[]>([]);
  /** Notes whose left typing an editor took on: never offered again by the check below. */
  const taken = new Set<string>();
  const tookUnsaved = (noteId: string) => {
    taken.add(noteId);
    setLeftUnsaved((all) => all.filter((left) => left.noteId !== noteId));
  };
  // Typing an earlier visit kept a copy of (keptTyping.ts) and did not see saved: offered back,
  // unless the note already holds it (the save landed as the page closed) or an editor took it.
  onMount(() => {
    const kept = keptTyping();
    if (kept.length === 0) return;
    const offer = (copy: LeftUnsaved) => {
      if (!keptTypingOf(copy.noteId) || taken.has(copy.noteId)) return;
      setLeftUnsaved((all) => (all.some((left) => left.noteId === copy.noteId) ? all : [...all, { ...copy, fromEarlierVisit: true }]));
    };
    void Promise.all([drizzle(), import("../notes/notesRepo")])
      .then(async ([db, { getNote }]) => {
        for (const copy of kept) {
          const stored = await getNote(db, copy.noteId);
          if (stored && isSavedIn(copy, stored)) forgetTyping(copy.noteId, copy.writer);
          else offer(copy);
        }
      })
      .catch(() => kept.forEach(offer)); // the notes cannot be read: offer every copy rather than none
  });
  let searchInput: HTMLInputElement | undefined;

  // A link only asks (LinkPrompt); nothing is signed in until the person answers.
  const takeLink = () => {
    const link = takeSignInLink();
    if (link) askAboutLink(link);
  };
  onMount(takeLink);
  // History retention (shared/constants.ts): pruned once per start, after the first screen.
  onMount(() => {
    const prune = async () => (await import("../notes/historyRepo")).pruneHistory(await drizzle());
    const timer = setTimeout(() => void prune().catch(() => undefined), HISTORY_PRUNE_DELAY_MS); // retried next start
    onCleanup(() => clearTimeout(timer));
  });
  // A sign-in or link-code link opened while the app is already open.
  window.addEventListener("hashchange", takeLink);
  onCleanup(() => window.removeEventListener("hashchange", takeLink));
  // Work the first list does not need waits until the database has failed to open, or has opened
  // and the list has drawn its answer: the other screens' code and the service worker, whose
  // install fetches every asset. (Drizzle is not held back: the first screen's import button and
  // reminders load it.) Started with the page, it took the cores the opening needed: on this
  // 2-core machine a new device's app start, timed in the page over six fresh profiles, went from
  // 2.6 to 2.1 s. Started when the database opened, it kept the list's answer from being drawn
  // (README, *The app*).
  const [opened, setOpened] = createSignal(false);
  const database = createMemo(() => (status().error ? "failed" : status().role === "starting" ? "opening" : "open"));
  createEffect(() => {
    if (database() === "opening") return;
    if (database() === "failed" || firstListDrawn()) return void setOpened(true);
    const bound = setTimeout(() => setOpened(true), FIRST_LIST_BOUND_MS);
    onCleanup(() => clearTimeout(bound));
  });
  onMount(() => {
    const bound = setTimeout(() => setOpened(true), DEFERRED_START_BOUND_MS);
    onCleanup(() => clearTimeout(bound));
  });
  createEffect(() => {
    if (!opened()) return;
    [NoteEditor, SettingsPane, ViewsPane, EntityPage, LinkTarget, SearchResults, RemindersPane].forEach((c) => void c.preload());
    void drizzle().catch(() => undefined); // writes and the other screens need it (a failure is retried there)
  });

  // Desktop shortcuts: "/" or Ctrl/⌘+K search, "n" new note, Escape closes the note.
  const onKey = (e: KeyboardEvent) => {
    const typing = e.target instanceof HTMLElement && (e.target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName));
    if ((e.key === "k" && (e.ctrlKey || e.metaKey)) || (e.key === "/" && !typing)) {
      e.preventDefault();
      searchInput?.focus();
    } else if (e.key === "n" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      void newNote(drizzle).then(
        (note) => nav.openNewNote(note.id),
        (error: unknown) => setNotice(t("app.couldNotCreate", { error: errorMessage(error) })),
      );
    } else if (e.key === "Escape" && (nav.note() || nav.linkTitle())) {
      nav.back();
    }
  };
  window.addEventListener("keydown", onKey);
  onCleanup(() => window.removeEventListener("keydown", onKey));

  return (
    <div class="app" data-storage={status().storage} data-role={status().role}>
      <header class="topbar">
        <h1>CoBrain</h1>
        <label class="search">
          <span class="visually-hidden">{t("app.searchNotes")}</span>
          <input ref={searchInput} type="search" placeholder={t("app.searchPlaceholder")} value={nav.query()} onInput={(e) => nav.search(e.currentTarget.value)} aria-label={t("app.searchNotes")} />
        </label>
        <SyncIndicator status={sync} onClick={nav.toggleSettings} />
      </header>
      <nav class="tabs" aria-label={t("app.sections")}>
        <For each={NAV}>
          {(id) => (
            <button type="button" aria-current={nav.section() === id ? "page" : undefined} onClick={() => nav.openSection(id)}>
              {t(`app.nav.${id}`)}
            </button>
          )}
        </For>
      </nav>
      <StorageBanner status={status} />
      <Show when={pendingLink()}>
        <Suspense>
          <LinkPrompt onDone={() => undefined} />
        </Suspense>
      </Show>
      <AccountKeyPrompt sync={sync} />
      <RecoveryPhraseNotice sync={sync} />
      <SecurityAlerts sync={sync} />
      <Show when={opened()}>
        <UpdatePrompt />
      </Show>
      <ReminderAlerts onOpen={nav.openNote} />
      <For each={leftUnsaved()}>
        {(left) => (
          <div class="banner banner-error" role="alert">
            {left.error
              ? t("app.leftUnsaved", { title: left.title || t("common.untitledNote"), error: left.error })
              : t("app.leftUnsavedClosed", { title: left.title || t("common.untitledNote") })}{" "}
            <button type="button" onClick={() => nav.openNote(left.noteId)}>
              {t("app.leftUnsavedOpen")}
            </button>
          </div>
        )}
      </For>
      <Show when={notice()}>
        <div class="banner banner-info" role="status">
          {notice()}{" "}
          <button type="button" class="ghost" aria-label={t("common.dismiss")} onClick={() => setNotice(undefined)}>
            ✕
          </button>
        </div>
      </Show>
      <main class="layout" classList={{ editing: nav.note() !== undefined || nav.linkTitle() !== undefined }}>
        {/* Each pane waits for its own code: a screen loading late never blanks the other one. */}
        <Suspense>
          <Switch>
            <Match when={nav.searching()}>
              <SearchResults query={nav.query()} onOpen={nav.openNote} />
            </Match>
            <Match when={nav.section() === "active" || nav.section() === "archived" || nav.section() === "trash"}>
              <NotesPane section={nav.section() as "active"} selected={nav.note()} onOpen={nav.openNote} />
            </Match>
            <Match when={nav.section() === "reminders"}>
              <RemindersPane onOpen={nav.openNote} />
            </Match>
            <Match when={nav.section() === "views"}>
              <ViewsPane onOpen={nav.openNote} view={nav.place().view} onView={nav.openView} />
            </Match>
            <Match when={nav.section() === "settings"}>
              <SettingsPane sync={sync} storage={status} onClose={() => nav.openSection("active")} />
            </Match>
            <Match when={nav.section() === "entity" && nav.entity()}>
              {(id) => <EntityPage entityId={id()} onOpen={nav.openNote} />}
            </Match>
            <Match when={nav.section() === "entity" && nav.place().mention} keyed>
              {(m) => <MentionPage kind={m.kind} name={m.name} onOpen={nav.openNote} />}
            </Match>
          </Switch>
        </Suspense>
        <Suspense>
          <Show when={nav.note()} keyed>
            {(id) => (
              <div class="editor-pane">
                <NoteEditor
                  noteId={id}
                  autoFocus={nav.focusTitle()}
                  onFocused={nav.titleFocused}
                  onClose={nav.back}
                  onOpenEntity={nav.openEntity}
                  onOpenNote={nav.openNote}
                  onOpenPath={nav.openPath}
                  unsaved={leftUnsaved().find((left) => left.noteId === id && !left.fromEarlierVisit)?.work}
                  onTookUnsaved={() => tookUnsaved(id)}
                  onLeftUnsaved={(left) => setLeftUnsaved((all) => [...all.filter((l) => l.noteId !== left.noteId), left])}
                />
              </div>
            )}
          </Show>
          <Show when={nav.linkTitle()} keyed>
            {(title) => (
              <div class="editor-pane">
                <LinkTarget title={title} onFound={nav.resolveLink} onClose={nav.back} />
              </div>
            )}
          </Show>
        </Suspense>
      </main>
    </div>
  );
}
