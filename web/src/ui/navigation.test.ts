import { createRoot } from "solid-js";
import { describe, expect, it } from "vitest";
import { createNavigation, type Navigation } from "./navigation";

/** A fresh store inside a reactive root, as a component would own it. */
const withNavigation = (test: (nav: Navigation) => void) =>
  createRoot((dispose) => {
    test(createNavigation());
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

  it("opening a section leaves search and keeps the open note", () =>
    withNavigation((nav) => {
      nav.openNote("n1");
      nav.search("kyoto");
      nav.openSection("trash");
      expect(nav.section()).toBe("trash");
      expect(nav.query()).toBe("");
      expect(nav.note()).toBe("n1");
    }));

  it("opening a note from search keeps the search", () =>
    withNavigation((nav) => {
      nav.search("kyoto");
      nav.openNote("n2");
      expect(nav.note()).toBe("n2");
      expect(nav.searching()).toBe(true);
    }));

  it("back closes the open note and stays in the section", () =>
    withNavigation((nav) => {
      nav.openSection("archived");
      nav.openNote("n1");
      nav.back();
      expect(nav.note()).toBeUndefined();
      expect(nav.section()).toBe("archived");
    }));

  it("an entity page is a section of its own, and opening it leaves search", () =>
    withNavigation((nav) => {
      nav.openNote("n1");
      nav.search("trip");
      nav.openEntity("tag-travel");
      expect(nav.section()).toBe("entity");
      expect(nav.entity()).toBe("tag-travel");
      expect(nav.query()).toBe("");
      expect(nav.note()).toBe("n1");
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
    const [a, b] = createRoot(() => [createNavigation(), createNavigation()]);
    a.openSection("trash");
    expect(b.section()).toBe("active");
  });
});
