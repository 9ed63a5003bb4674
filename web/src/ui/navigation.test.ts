import { createRoot, createSignal } from "solid-js";
import { describe, expect, it } from "vitest";
import { createNavigation, parseLocation, pathOf, startEntries, type HistoryPort, type Navigation, type NavState } from "./navigation";

/** A browser history in memory: entries, a current index, and back/forward that drop nothing. */
function memoryHistory(start = "/notes") {
  const [entries, setEntries] = createSignal<Array<{ pathname: string; state?: NavState }>>([{ pathname: start }]);
  const [at, setAt] = createSignal(0);
  const port: HistoryPort = {
    location: () => {
      const e = entries()[at()]!;
      return { pathname: e.pathname, state: e.state };
    },
    push: (path, state) => {
      setEntries((list) => [...list.slice(0, at() + 1), { pathname: path, state }]);
      setAt(at() + 1);
    },
    replace: (path, state) => setEntries((list) => list.map((e, i) => (i === at() ? { pathname: path, state } : e))),
    go: (delta) => setAt(Math.max(0, Math.min(entries().length - 1, at() + delta))),
  };
  return { port, path: () => port.location().pathname, length: () => entries().length, at };
}

/** A fresh store inside a reactive root, as a component would own it. */
const withNavigation = (test: (nav: Navigation, h: ReturnType<typeof memoryHistory>) => void, start?: string) =>
  createRoot((dispose) => {
    const h = memoryHistory(start);
    test(createNavigation(h.port), h);
    dispose();
  });

describe("navigation", () => {
  it("starts on the notes, with no note open and no search", () =>
    withNavigation((nav) => {
      expect(nav.section()).toBe("active");
      expect(nav.note()).toBeUndefined();
      expect(nav.entity()).toBeUndefined();
      expect(nav.query()).toBe("");
      expect(nav.searching()).toBe(false);
      expect(nav.focusTitle()).toBe(false);
    }));

  it("searches only while the box holds more than spaces", () =>
    withNavigation((nav) => {
      nav.search("   ");
      expect(nav.searching()).toBe(false);
      nav.search(" kyoto ");
      expect(nav.query()).toBe(" kyoto ");
      expect(nav.searching()).toBe(true);
    }));

  it("every place has its own URL", () =>
    withNavigation((nav, h) => {
      nav.openSection("trash");
      expect(h.path()).toBe("/trash");
      nav.openNote("n1");
      expect(h.path()).toBe("/notes/n1");
      expect(nav.section()).toBe("trash"); // the list it was opened from stays beside it
      nav.openView("v1");
      expect(h.path()).toBe("/notes/n1");
      expect(nav.place()).toEqual({ section: "views", view: "v1", note: "n1" });
      nav.back();
      nav.openEntity("e_1");
      expect(h.path()).toBe("/entity/e_1");
      nav.openPath("/tag/travel%20plans");
      expect(nav.place()).toEqual({ section: "entity", mention: { kind: "tag", name: "travel plans" } });
      nav.openSection("settings");
      expect(h.path()).toBe("/settings");
    }));

  it("opening a section leaves search and keeps the open note", () =>
    withNavigation((nav) => {
      nav.openNote("n1");
      nav.search("kyoto");
      nav.openSection("trash");
      expect(nav.section()).toBe("trash");
      expect(nav.query()).toBe("");
      expect(nav.note()).toBe("n1");
    }));

  it("on a phone (no list beside the note) opening a section closes the note", () =>
    createRoot((dispose) => {
      const h = memoryHistory();
      const nav = createNavigation(h.port, () => false);
      nav.openNote("n1");
      nav.openSection("trash");
      expect(h.path()).toBe("/trash");
      expect(nav.note()).toBeUndefined();
      dispose();
    }));

  it("opening a note from search keeps the search", () =>
    withNavigation((nav) => {
      nav.search("kyoto");
      nav.openNote("n2");
      expect(nav.note()).toBe("n2");
      expect(nav.searching()).toBe(true);
    }));

  it("back closes the open note by going back in history to the list, so the phone's back does not reopen it", () =>
    withNavigation((nav, h) => {
      nav.openSection("archived");
      nav.openNote("n1");
      nav.openNote("n2"); // a link in n1
      nav.back();
      expect(nav.note()).toBeUndefined();
      expect(nav.section()).toBe("archived");
      expect(h.path()).toBe("/archive");
      expect(h.at()).toBe(1); // the entry the list was left from, not a new one
    }));

  it("back after switching sections with a note open lands on the section switched to", () =>
    withNavigation((nav, h) => {
      nav.openNote("n1");
      nav.openSection("reminders");
      nav.back();
      expect(h.path()).toBe("/reminders");
      expect(nav.note()).toBeUndefined();
    }));

  it("back on a note reached by a deep link (no list under it known) shows the list beside it", () =>
    withNavigation((nav, h) => {
      nav.back();
      expect(h.path()).toBe("/notes");
      expect(nav.note()).toBeUndefined();
    }, "/notes/deep"));

  it("a tag or person page is a page of its own; the browser's back returns to the note", () =>
    withNavigation((nav, h) => {
      nav.openNote("n1");
      nav.search("trip");
      nav.openEntity("tag-travel");
      expect(nav.section()).toBe("entity");
      expect(nav.entity()).toBe("tag-travel");
      expect(nav.query()).toBe("");
      expect(nav.note()).toBeUndefined();
      h.port.go(-1);
      expect(nav.note()).toBe("n1");
    }));

  it("a [[link]] opens as /link/:title and the note it finds takes its place in history", () =>
    withNavigation((nav, h) => {
      nav.openNote("n1");
      nav.openPath("/link/Packing%20list");
      expect(nav.linkTitle()).toBe("Packing list");
      const length = h.length();
      nav.resolveLink("n9");
      expect(h.path()).toBe("/notes/n9");
      expect(h.length()).toBe(length);
      nav.back();
      expect(h.path()).toBe("/notes");
      expect(nav.note()).toBeUndefined();
    }));

  it("the sync indicator toggles between settings and the notes", () =>
    withNavigation((nav) => {
      nav.openSection("views");
      nav.toggleSettings();
      expect(nav.section()).toBe("settings");
      nav.toggleSettings();
      expect(nav.section()).toBe("active");
    }));

  it("a note made from the keyboard opens in the notes with its title focused, once", () =>
    withNavigation((nav) => {
      nav.openSection("reminders");
      nav.search("x");
      nav.openNewNote("n3");
      expect(nav.section()).toBe("active");
      expect(nav.query()).toBe("");
      expect(nav.note()).toBe("n3");
      expect(nav.focusTitle()).toBe(true);
      nav.titleFocused();
      expect(nav.focusTitle()).toBe(false);
      nav.openNote("n4");
      expect(nav.focusTitle()).toBe(false);
    }));

  it("each store is its own: two never share state", () => {
    const [a, b] = createRoot(() => [createNavigation(memoryHistory().port), createNavigation(memoryHistory().port)]);
    a.openSection("trash");
    expect(b.section()).toBe("active");
  });
});

describe("paths", () => {
  it("parse back to the place they were made from", () => {
    for (const place of [{ section: "active" }, { section: "archived" }, { section: "views", view: "v 1" }, { section: "entity", entity: "e_1" }, { section: "entity", mention: { kind: "person", name: "Anna B/é" } }, { section: "settings" }] as const) {
      expect(parseLocation(pathOf(place))).toEqual(place);
    }
    expect(parseLocation("/notes/n1", { beside: "/trash" })).toEqual({ section: "trash", note: "n1" });
    expect(parseLocation("/nowhere")).toBeUndefined();
    expect(parseLocation("/notes/%E0%A4%A")).toEqual({ section: "active", note: "%E0%A4%A" });
  });

  it("a deep link starts with the notes list under it; the list itself and a reload need nothing", () => {
    expect(startEntries("/notes")).toEqual([]);
    expect(startEntries("/")).toEqual([{ path: "/notes" }]);
    expect(startEntries("/notes/n1")).toEqual([{ path: "/notes" }, { path: "/notes/n1", state: { beside: "/notes", depth: 1, base: "/notes" } }]);
    expect(startEntries("/trash")).toEqual([{ path: "/notes" }, { path: "/trash", state: undefined }]);
  });
});
