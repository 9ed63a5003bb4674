/**
 * An opt-in timeline of the owner worker's sync and list work, for the devices benchmark (an
 * edit's way between devices, where a first sync's time goes): named moments
 * in wall-clock milliseconds (`performance.timeOrigin + now()`), so the marks of two browsers on
 * one machine line up. Off (always, unless a benchmark asks), a mark is one check.
 */
export type TraceLabel =
  /** Sync is starting (sign-in, app start, a new key): keys, cipher, then the connection. */
  | "sync starting"
  /** A new device asked the server for the account's copy, opened it (before it is placed); a device stored a new copy. */
  | "copy asked"
  | "copy opened"
  /** Every byte of the copy arrived (before it is opened). */
  | "copy downloaded"
  /** The copy was checked in memory and given this device's private rows (before anything is erased). */
  | "copy checked"
  /** The copy was placed and opened as this device's database (every note in it stored). */
  | "copy placed"
  | "copy stored"
  /** The cell cipher is ready (libsodium loaded); the account key was checked with the server (whatever the answer). */
  | "cipher ready"
  | "account key checked"
  /** The sync socket opened, and the server then answered the device's presence. */
  | "socket opened"
  | "streaming started"
  /** A page's write committed in the owner's worker. */
  | "write committed"
  /** An upload's read of local changes began (its turn at the database came), and ended (read, and sealed with the account key). */
  | "pull started"
  | "changes pulled"
  /** Local changes went out on the socket. */
  | "changes sent"
  /** A frame could not be sent: the socket's buffer was full (the server reads slower than we send). */
  | "send buffer full"
  /** A Ping went out (after a push or an applied frame, or as a heartbeat). */
  | "ping sent"
  /** A binary message from the server reached the worker, before it is decoded. */
  | "message arrived"
  /** A frame of changes from the server, decoded. */
  | "changes received"
  /** Applying a frame of received changes began (after any apply before it). */
  | "apply started"
  /** Received changes opened with the account key (before they are merged). */
  | "changes opened"
  /** Received changes merged (opened, merged, the search index and ancestors written), before their COMMIT. */
  | "changes merged"
  /** Received changes merged and committed. */
  | "changes applied"
  /** One of the page's named reads (the note list's) began, and ended. */
  | "read started"
  | "read done";

/** Bounded: a trace left on never grows without end. */
const TRACE_MARKS_LIMIT = 10_000;

let marks: [TraceLabel, number][] | undefined;

export function traceMark(label: TraceLabel): void {
  if (marks && marks.length < TRACE_MARKS_LIMIT) marks.push([label, performance.timeOrigin + performance.now()]);
}

/** Hands back the marks so far, and starts a new trace (`on`) or stops tracing. */
export function takeTrace(on: boolean): [TraceLabel, number][] {
  const taken = marks ?? [];
  marks = on ? [] : undefined;
  return taken;
}
