/**
 * The English catalogue, first part: the words of the first paint (the list, the top bar, banners).
 * The later screens' words are in en.later.ts, loaded with those screens. Together they are the source
 * catalogue: the source every other language is typed against (see `Catalogue`).
 * Keys are "screen.what"; `{{ name }}` is a placeholder the caller fills in; an object of plural
 * forms (Intl.PluralRules categories) is read with `plural()`, which fills `{{ count }}`.
 * The e2e tests find elements by these words: change them only with the tests.
 */
import type { enLater } from "./en.later";

export const en = {
  "common.untitled": "Untitled",
  "common.untitledNote": "Untitled note",
  "common.cancel": "Cancel",
  "common.close": "Close",
  "common.dismiss": "Dismiss",
  "common.loading": "Loading…",
  "common.done": "Done",
  "common.import": "Import",
  "common.allowNotifications": "Allow notifications",
  "common.backToNotes": "Back to notes",
  "common.added": "added: ",
  "common.removed": "removed: ",
  "common.notes": "Notes",
  "common.reminders": "Reminders",
  "common.recoveryPhrase": "Recovery phrase",
  "common.linkCode": "Link code",
  "common.notSaved": "Not saved: ",
  "common.noteCount": { one: "{{ count }} note", other: "{{ count }} notes" },
  "common.andMore": "and {{ count }} more",
  "common.megabytes": "{{ count }} MB",
  "common.kilobytes": "{{ count }} KB",
  "errors.keptChanging": "the note kept changing on other devices while saving; your text is still here and is saved again when you type on or leave the field",
  "errors.tooLong": "the {{ field }} is too long to sync ({{ length }} characters; the limit is {{ limit }}); split the note",
  "errors.field.title": "title",
  "errors.field.body": "body",
  "errors.notJson": "the file is not JSON",
  "errors.notAList": 'expected a list of notes or { "notes": [...] }',
  "errors.notAnObject": "note {{ number }} is not an object",
  "errors.noTitleOrBody": "note {{ number }} has neither title nor body",
  "errors.unknownFile": "the file is neither JSON nor a zip of Markdown files",
  "errors.newerBackup": "this backup comes from a newer CoBrain; update the app first",
  "errors.noTables": "the backup has no tables",
  "errors.cannotRestore": "the backup has values this app cannot sync, so nothing was restored: {{ problems }}{{ more }}",
  "errors.cannotRestoreMore": " (and {{ count }} more)",
  "errors.notAZip": "the file is not a readable zip",
  "errors.zipEntries": "the zip holds {{ count }} files; the limit is {{ limit }} files per import",
  "errors.zipSize": "the zip unpacks to {{ size }} MB; the limit is {{ limit }} MB per import",
  "errors.zipSizeMore": "the zip unpacks to more than {{ limit }} MB; the limit is {{ limit }} MB per import",
  "errors.zipEmpty": "the zip holds no Markdown (.md) files",
  "errors.snapshotTooLarge": "this view lists too many notes for one snapshot ({{ count }} notes, {{ size }} KB; the limit is {{ limit }} KB); narrow the view",
  "errors.taskMoved": "The note changed under this checkbox; nothing was ticked.",

  "app.sections": "Sections",
  "app.nav.active": "Notes",
  "app.nav.archived": "Archive",
  "app.nav.trash": "Trash",
  "app.nav.reminders": "Reminders",
  "app.nav.views": "Views",
  "app.nav.settings": "Settings",
  "app.searchNotes": "Search notes",
  "app.searchPlaceholder": "Search  (/)",
  "app.couldNotCreate": "Could not create a note: {{ error }}",
  "app.leftUnsaved": "Your last changes to “{{ title }}” were not saved: {{ error }}",
  "app.leftUnsavedOpen": "Open them",
  "app.leftUnsavedClosed": "Your last changes to “{{ title }}” may not have been saved before the app closed; this device kept a copy.",

  "update.ready": "A new version of CoBrain is ready.",
  "update.reload": "Reload",
  "update.later": "Later",

  "sync.settingsTitle": "Sync settings",
  "sync.notesReceived": "Notes received",
  "sync.changesWaiting": "changes waiting",
  "sync.signedOut": "Not syncing (signed out)",
  "sync.connecting": "Connecting…",
  "sync.receivingCopy": "Receiving a copy of your notes: {{ received }} of {{ total }} MB ({{ percent }})",
  "sync.copyReceived": "Copy of your notes received",
  "sync.receiving": "Receiving {{ received }} of {{ total }} notes ({{ percent }})",
  "sync.syncing": "Syncing…",
  "sync.synced": "Synced {{ ago }}",
  "sync.heldExcept": "Synced, except {{ held }}",
  "sync.offline": "Offline",
  "sync.lastSynced": "last synced {{ ago }}",
  "sync.error": "Sync error: {{ reason }}",
  "sync.unknown": "unknown",
  "sync.justNow": "just now",
  "sync.secondsAgo": "{{ count }} s ago",
  "sync.minutesAgo": "{{ count }} min ago",
  "sync.hoursAgo": "{{ count }} h ago",
  "sync.daysAgo": { one: "{{ count }} day ago", other: "{{ count }} days ago" },
  "sync.nothingHeld": "nothing held",
  "sync.heldNote": "the note “{{ title }}”",
  "sync.heldRecord": "a {{ table }} record ({{ column }})",
  "sync.heldMore": " and {{ count }} more",
  "sync.heldSummary": "{{ what }}{{ more }}: too large to sync ({{ size }}). {{ action }}",

  "storageBanner.couldNotOpen": "The notes database could not open.",
  "storageBanner.notSaved": "Not saved:",
  "storageBanner.memory": "this window cannot store data, so notes written here are lost when it closes.",
  "storageBanner.reason": " ({{ reason }}.)",
  "storageBanner.idb": "Saved in IndexedDB (slower): {{ reason }}.",
  "storageBanner.idbChosen": "chosen for this window",

  "notes.empty.active": "No notes yet. Write your first one above.",
  "notes.empty.archived": "Nothing archived. Archive a note to keep it out of the way without deleting it.",
  "notes.empty.trash": "The trash is empty.",
  "notes.label.active": "Notes",
  "notes.label.archived": "Archived notes",
  "notes.label.trash": "Notes in the trash",
  "notes.pane.active": "active notes",
  "notes.pane.archived": "archived notes",
  "notes.pane.trash": "trash notes",
  "notes.newNote": "New note",
  "notes.newNotePlaceholder": "Write a note…",
  "notes.addNote": "Add note",
  "notes.add": "Add",
  "notes.emptyTrashConfirm": "Delete every note in the trash for good, on all your devices?",
  "notes.emptyTrash": "Empty trash",
  "notes.couldNotSave": "Could not save: ",
  "notes.sortBy": "Sort by",
  "notes.sort.edited": "Last edited",
  "notes.sort.created": "Date created",
  "notes.sort.title": "Title",
  "notes.couldNotLoad": "Could not load notes: {{ error }}",
  "notes.opening": "Opening your notes…",
  "notes.pinned": "Pinned",
  "notes.edited": "Edited {{ when }}",
  "notes.versions": { one: "{{ count }} version", other: "{{ count }} versions" },

  "search.results": "Search results",
  "search.nothing": "Nothing matches “{{ query }}”.",
  "search.searching": "Searching…",

  "reminders.offer": "CoBrain can show a notification when a reminder is due (without one, a banner in the app shows it).",
  "reminders.none": "No reminders. Add one from a note.",
  "reminders.upcoming": "Upcoming reminders",
  "reminders.due": " · due",
  "reminders.alert": "Reminder: {{ title }}",
  "reminders.open": "Open",
  "reminders.notificationTitle": "CoBrain reminder",

  "security.gotIt": "Got it",

  "import.reading": "Reading {{ file }}…",
  "import.importing": "Importing {{ file }}…",
  "import.failed": "Nothing imported: {{ error }}",
  "import.done": { one: "Imported {{ count }} note.", other: "Imported {{ count }} notes." },
  "import.cancelled": "Import cancelled; nothing was written.",
  "import.fileLabel": "Import notes (JSON backup, JSON list or Markdown zip)",
  "import.title": "Import {{ file }}?",
  "import.what": "What the import will do",
  "import.new": "New",
  "import.updated": "Updated (the file's copy is newer; this device's text is kept in the note's history)",
  "import.skipped": "Skipped (this device has a newer version)",
  "import.unchanged": "Already the same on this device: {{ notes }}",
  "import.backupAlso": "A full backup also restores reminders, views and history.",

  "accountKey.title": "Enter your recovery phrase",
  "accountKey.explain":
    "Your notes are end-to-end encrypted: the server cannot read them and cannot give this device their key. Enter the {{ words }}-word recovery phrase you wrote down, or scan the QR code shown on one of your devices (Sync → Link another device). Until then this device does not sync.",
  "accountKey.use": "Use this phrase",
  "accountKey.failed": "That phrase did not work: ",

  "recovery.lossWarning":
    "Write these words down and keep them somewhere safe. They are the only way to open your notes on a new device when none of your devices is left: the server cannot read your notes and cannot recover them. If you lose this phrase and every device, your notes are lost for good.",
  "recovery.yours": "Your recovery phrase",
  "recovery.new": "Your new recovery phrase",
  "recovery.changed": "The account key changed because a device was revoked. Your old recovery phrase no longer works: write down this new one.",
  "recovery.noted": "I have written it down",
  "recovery.showConfirm": "Show your recovery phrase? Anyone who sees it can read your notes. Make sure nobody is watching your screen.",
  "recovery.noKey": "this device does not hold the account key yet",
  "recovery.show": "Show recovery phrase",
  "recovery.hide": "Hide recovery phrase",

  "linkPrompt.signIn": "Sign in?",
  "linkPrompt.cannotUse": "This link cannot be used: {{ error }}",
  "linkPrompt.checking": "Checking whose account this link opens…",
  "linkPrompt.otherAccount": "A link for another account",
  "linkPrompt.belongs": "This device belongs to {{ owner }}. The link is for {{ target }}.",
  "linkPrompt.oneAccount": "A device belongs to one account, so the two accounts' notes never mix.",
  "linkPrompt.keepFor": "Keep this device for {{ user }}",
  "linkPrompt.useFor": "Use this device for {{ user }}",
  "linkPrompt.switchTitle": "Use this device for the other account?",
  "linkPrompt.switchExplain":
    "This erases every note on this device and starts empty for {{ target }}. The notes of {{ owner }} stay in that account and on its other devices, but any note only this device holds is lost unless you export it first.",
  "linkPrompt.exportFirst": "Export a backup first (JSON)",
  "linkPrompt.eraseAndSignIn": "Erase this device and sign in as {{ user }}",
  "linkPrompt.signsIn": "This link signs this device in as {{ target }}.",
  "linkPrompt.willSync": "Notes already on this device will sync to that account.",
  "linkPrompt.signInAs": "Sign in as {{ user }}",
  "linkPrompt.account": "{{ user }} on {{ server }}",
} as const;

/** A text in several plural forms, by Intl.PluralRules category; `other` is always there. */
export interface PluralForms {
  readonly zero?: string;
  readonly one?: string;
  readonly two?: string;
  readonly few?: string;
  readonly many?: string;
  readonly other: string;
}

type English = typeof en & typeof enLater;
/** Every language has exactly the English keys: a missing or extra key fails `npm run typecheck`. */
export type Catalogue = { readonly [K in keyof English]: English[K] extends string ? string : PluralForms };
export type TextKey = { [K in keyof English]: English[K] extends string ? K : never }[keyof English];
export type PluralKey = Exclude<keyof English, TextKey>;
