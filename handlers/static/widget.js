/*! myKONE privacy assistant — embeddable chat widget.
 *
 * <script src="https://HOST/widget.js" async></script> adds a launcher and a chat panel to any page.
 * Options come from data- attributes on that tag (data-title, data-subtitle, data-color,
 * data-position, data-identity-email / -name / -signature), from window.PrivacyBotConfig set
 * before it loads, or from PrivacyBot.init({...}) afterwards.
 *
 * Why it is built this way: it lives inside a shadow root with constructed stylesheets, so the
 * host page's CSS cannot reach it and a strict host CSP (no inline styles) does not block it;
 * it needs nothing from the host's JavaScript; and every piece of text — the user's and the
 * bot's — goes into the page through textContent or text nodes, never through an HTML parser.
 */
(() => {
  "use strict";
  if (window.PrivacyBot && window.PrivacyBot.version) return; // the tag was included twice

  const VERSION = "1.0.0";
  const script = document.currentScript ||
    Array.from(document.scripts).find((s) => /\/widget\.js(\?|#|$)/.test(s.src));
  // The API lives where this file came from, whichever site embeds it.
  const API = new URL(script && script.src ? script.src : location.href).origin;
  const MAX_CHARS = 2000;
  const TIMEOUT_MS = 30000;
  const DEFAULT_RETRY_SECONDS = 10;
  const LONG_QUOTE = 480; // characters; longer quotes start folded to a few lines
  // One card design per status: its colour (the .st-* class), icon and words. The header names
  // the status in words, so colour is never the only signal.
  const STATUS_CARDS = {
    open: { icon: "inbox", words: "received, not yet started" },
    in_progress: { icon: "clock", words: "being worked on" },
    completed: { icon: "check", words: "completed" },
    rejected: { icon: "cross", words: "declined" },
    withdrawn: { icon: "undo", words: "withdrawn" },
  };
  const LOCAL_ACTIONS = { cancel: "Cancel" };
  const SUGGESTIONS = ["How long do you keep my data?", "What cookies does the portal use?", "Delete my data", "Talk to a person"];
  const WELCOME = "Hi! I'm the myKONE privacy assistant. Ask me how your personal data is handled in the portal and I'll quote the privacy statement. I can also help you delete or correct your data, object to processing or marketing, withdraw a consent, or reach a person.";
  // Words the engine understands at any step; they must get through the e-mail and code fields.
  const COMMANDS = /^(cancel|stop|back|quit|exit|resend|menu|help|skip|start over)$/i;
  const EMAIL_RE = /^[^\s@<>]+@[^\s@<>.]+(\.[^\s@<>.]+)+$/;
  const DEFAULTS = { title: "Privacy assistant", subtitle: "Answers from the myKONE privacy statement", color: "#1450F5", position: "right", identity: null };

  // ---- configuration
  function fromDataset(el) {
    const d = (el && el.dataset) || {};
    const out = {};
    for (const key of ["title", "subtitle", "color", "position"]) if (d[key]) out[key] = d[key];
    if (d.identityEmail && d.identitySignature) {
      out.identity = { email: d.identityEmail, name: d.identityName || null, signature: d.identitySignature };
    }
    return out;
  }

  function normalize(c) {
    const text = (v, fallback, max) => (typeof v === "string" && v.trim() ? v.trim().slice(0, max) : fallback);
    const id = c.identity;
    const identity = id && typeof id.email === "string" && typeof id.signature === "string"
      ? { email: id.email.slice(0, 320), name: typeof id.name === "string" ? id.name.slice(0, 200) : null, signature: id.signature.slice(0, 256) }
      : null;
    return {
      title: text(c.title, DEFAULTS.title, 60),
      subtitle: text(c.subtitle, DEFAULTS.subtitle, 90),
      // Only a hex colour: the value ends up in a stylesheet, so nothing else may pass.
      color: /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(String(c.color || "")) ? c.color : DEFAULTS.color,
      position: /left/i.test(String(c.position || "")) ? "left" : "right",
      identity,
    };
  }

  let config = normalize(Object.assign({}, DEFAULTS, fromDataset(script), window.PrivacyBotConfig || {}));

  // ---- storage (may be unavailable: private modes, blocked third-party storage) -------------
  const memory = new Map();
  function storage(area) {
    const backing = () => { try { return window[area]; } catch (e) { return null; } };
    return {
      get(key) { try { return backing().getItem(key); } catch (e) { return memory.has(area + key) ? memory.get(area + key) : null; } },
      set(key, value) { try { backing().setItem(key, value); } catch (e) { memory.set(area + key, value); } },
      remove(key) { try { backing().removeItem(key); } catch (e) { /* nothing stored */ } memory.delete(area + key); },
    };
  }
  const local = storage("localStorage");
  const perTab = storage("sessionStorage");

  function fnv(text) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) { hash ^= text.charCodeAt(i); hash = Math.imul(hash, 0x01000193) >>> 0; }
    return hash.toString(16);
  }
  // One conversation per signed-in person: another user of the same browser never sees it.
  const sessionKey = () => `privacybot:${API}:${config.identity ? fnv(config.identity.email.trim().toLowerCase()) : "guest"}`;
  // Where the id lives: a guest's only in this tab (sessionStorage: gone with the tab, so the next
  // person at a shared computer starts afresh); a portal-signed-in person's across tabs
  // (localStorage, keyed by who they are). Either way the server forgets it after the idle expiry.
  const idStore = () => (config.identity ? local : perTab);
  const openKey = () => `privacybot:${API}:open`;

  // ---- colour: keep every accent combination at WCAG AA
  function rgb(hex) {
    const h6 = hex.length === 4 ? hex.slice(1).split("").map((c) => c + c).join("") : hex.slice(1);
    return [0, 2, 4].map((i) => parseInt(h6.slice(i, i + 2), 16));
  }
  function luminance(channels) {
    const [r, g, b] = channels.map((v) => v / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  const contrast = (a, b) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  const hex = (channels) => "#" + channels.map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
  function theme(color) {
    const base = rgb(color);
    const lum = luminance(base);
    const onAccent = contrast(1, lum) >= contrast(lum, luminance([17, 20, 24])) ? "#ffffff" : "#111418";
    // Text and outlines drawn in the accent on white need 4.5:1: darken light brand colours.
    let ink = base;
    while (contrast(1, luminance(ink)) < 4.5) ink = ink.map((v) => v * 0.9);
    return `.pb{--pb-accent:${hex(base)};--pb-on-accent:${onAccent};--pb-ink:${hex(ink)}}`;
  }

  // ---- DOM helpers: elements and text nodes only
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value == null || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) if (child != null && child !== false) el.append(child);
    return el;
  }

  const SVG = "http://www.w3.org/2000/svg";
  const ICONS = {
    chat: ["M21 11.5a8.4 8.4 0 0 1-9 8.3 9.3 9.3 0 0 1-3.7-.8L3 20.5l1.5-4.6A8 8 0 0 1 3 11.5 8.4 8.4 0 0 1 12 3.2a8.4 8.4 0 0 1 9 8.3z", "M8 10h8", "M8 13.5h5"],
    shield: ["M12 3l7.5 3v5.5c0 4.6-3.2 8.4-7.5 9.5-4.3-1.1-7.5-4.9-7.5-9.5V6L12 3z", "M9 12l2 2 4-4"],
    close: ["M6 6l12 12", "M18 6L6 18"],
    down: ["M6 9l6 6 6-6"],
    send: ["M5 12h13", "M12 5l7 7-7 7"],
    restart: ["M4 4v5h5", "M4.6 14a8 8 0 1 0 1.9-8.3L4 9"],
    check: ["M5 12.5l4.5 4.5L19 7.5"],
    cross: ["M8 8l8 8", "M16 8l-8 8", "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z"],
    clock: ["M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z", "M12 7.5V12l3 2"],
    inbox: ["M3 13h5l1.5 3h5L16 13h5", "M5.5 5h13L21 13v6H3v-6z"],
    undo: ["M9 14L4 9l5-5", "M4 9h10.5a5.5 5.5 0 0 1 0 11H11"],
    alert: ["M12 8.5v4.5", "M12 16.5h.01", "M10.3 3.9 2.4 18a2 2 0 0 0 1.7 3h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z"],
    offline: ["M2 2l20 20", "M8.5 16.5a5 5 0 0 1 7 0", "M5 12.9a10 10 0 0 1 5.2-2.7", "M19 12.9a10 10 0 0 0-2.1-1.5", "M2 8.8a15 15 0 0 1 4.2-2.6", "M10.7 5a15 15 0 0 1 11.3 3.8", "M12 20h.01"],
  };
  function icon(name, size = 20) {
    const svg = document.createElementNS(SVG, "svg");
    const attrs = { viewBox: "0 0 24 24", width: size, height: size, fill: "none", stroke: "currentColor",
      "stroke-width": 2, "stroke-linecap": "round", "stroke-linejoin": "round", "aria-hidden": "true", focusable: "false" };
    for (const [k, v] of Object.entries(attrs)) svg.setAttribute(k, String(v));
    for (const d of ICONS[name]) {
      const path = document.createElementNS(SVG, "path");
      path.setAttribute("d", d);
      svg.append(path);
    }
    return svg;
  }

  // Links: only absolute http(s) URLs (and www. names, read as https), opened without an opener.
  const URL_RE = /\bhttps?:\/\/[^\s<>"']+|\bwww\.[a-z0-9-]+(\.[a-z0-9-]+)+[^\s<>"']*/gi;
  function linkify(text) {
    const frag = document.createDocumentFragment();
    let last = 0;
    for (const match of String(text).matchAll(URL_RE)) {
      let raw = match[0];
      const trail = raw.match(/[.,;:!?)\]'"’”]+$/);
      if (trail) raw = raw.slice(0, -trail[0].length);
      let url = null;
      try { url = new URL(/^www\./i.test(raw) ? `https://${raw}` : raw); } catch (e) { url = null; }
      if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) continue;
      frag.append(text.slice(last, match.index));
      frag.append(h("a", { href: url.href, target: "_blank", rel: "noopener noreferrer", text: raw }));
      last = match.index + raw.length;
    }
    frag.append(text.slice(last));
    return frag;
  }

  // ---- rendering a reply: light markdown ("> " quotes, "• " bullets, line breaks)
  const squash = (s) => String(s).replace(/\s+/g, " ").trim();
  function sameQuote(a, b) {
    const x = squash(a); const y = squash(b);
    return x === y || (Math.min(x.length, y.length) > 20 && (x.includes(y) || y.includes(x)));
  }
  const sectionLabel = (c) => (/^\d+$/.test(c.section) ? `Section ${c.section} – ${c.title}` : c.title);

  // A quotation keeps the statement's shape: a lead-in sentence ending in ":" followed by its
  // items (one per line) is a list, as on the statement page; other lines stay lines.
  function quoteBody(text) {
    const frag = document.createDocumentFragment();
    const lines = String(text).split(/\r?\n/);
    let plain = [];
    const flush = () => { if (plain.length) frag.append(h("span", { class: "ql" }, linkify(plain.join("\n")))); plain = []; };
    let i = 0;
    while (i < lines.length) {
      const line = lines[i++];
      const bullet = /^(•|-) /.test(line);
      if (bullet || (/:\s*$/.test(line) && line.length >= 25 && i < lines.length && lines[i].trim())) {
        if (!bullet) plain.push(line);
        flush();
        const list = h("ul");
        if (bullet) list.append(h("li", null, linkify(line.slice(2))));
        while (i < lines.length && lines[i].trim()) list.append(h("li", null, linkify(lines[i++].replace(/^(•|-) /, ""))));
        frag.append(list);
      } else {
        plain.push(line);
      }
    }
    flush();
    return frag;
  }

  // Citations link to their section on the statement page (served beside the API).
  function sectionHref(citation) {
    const raw = typeof citation.url === "string" && citation.url ? citation.url : `/statement#section-${citation.section}`;
    try {
      const url = new URL(raw, API);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) { return null; }
  }

  let uid = 0;
  function citationCard(citation, folded) {
    const id = `pb-quote-${++uid}`;
    const long = folded || citation.quote.length > LONG_QUOTE || citation.quote.split("\n").length > 7;
    const quote = h("blockquote", { id, class: long ? (folded ? "clamp short" : "clamp") : null }, quoteBody(citation.quote));
    const numbered = /^\d+$/.test(citation.section);
    const href = sectionHref(citation);
    const card = h("figure", { class: "cite" },
      h("figcaption", null,
        h("span", { class: "badge", "aria-hidden": "true", text: numbered ? `§ ${citation.section}` : "Intro" }),
        h("span", { text: sectionLabel(citation), class: "cite-title" })),
      quote);
    const actions = h("div", { class: "cite-actions" });
    if (href) {
      actions.append(h("a", { class: "source", href, target: "_blank", rel: "noopener",
        text: numbered ? `Read section ${citation.section} in the privacy statement` : "Read the privacy statement" }));
    }
    card.append(actions);
    if (long) {
      const toggle = h("button", { type: "button", class: "more", "aria-expanded": "false", "aria-controls": id, text: "Show full passage" });
      toggle.addEventListener("click", () => {
        const open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", String(open));
        quote.classList.toggle("clamp", !open);
        toggle.textContent = open ? "Show less" : "Show full passage";
      });
      actions.prepend(toggle);
    }
    return card;
  }

  function renderText(text, citations, folded) {
    const frag = document.createDocumentFragment();
    const unused = citations.slice();
    const lines = String(text).split(/\r?\n/);
    let para = [];
    const flush = () => {
      if (!para.length) return;
      const p = h("p");
      para.forEach((line, i) => { if (i) p.append(h("br")); p.append(linkify(line)); });
      frag.append(p);
      para = [];
    };
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      if (/^>( |$)/.test(line)) {
        flush();
        const quoted = [];
        while (i < lines.length && /^>( |$)/.test(lines[i])) quoted.push(lines[i++].replace(/^> ?/, ""));
        const at = unused.findIndex((c) => sameQuote(c.quote, quoted.join("\n")));
        if (at >= 0) {
          frag.append(citationCard(unused.splice(at, 1)[0], folded));
          if (i < lines.length && /^— /.test(lines[i])) i++; // its "— Section n" line is the card's caption
        } else {
          frag.append(h("blockquote", { class: "quote" }, quoteBody(quoted.join("\n"))));
        }
      } else if (/^• /.test(line)) {
        flush();
        const list = h("ul");
        while (i < lines.length && /^• /.test(lines[i])) list.append(h("li", null, linkify(lines[i++].slice(2))));
        frag.append(list);
      } else {
        if (line.trim()) para.push(line); else flush();
        i++;
      }
    }
    flush();
    for (const citation of unused) frag.append(citationCard(citation, folded));
    return frag;
  }

  function formatDate(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso));
    if (!m) return String(iso);
    const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return date.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  }

  const capitalise = (text) => String(text).charAt(0).toUpperCase() + String(text).slice(1);

  // Type and status words come from the server (`type_label`, `status_label`): one vocabulary.
  // The card is the record (reference, type, status, dates, outcome); the message above it tells
  // the story, so the card never repeats a sentence of it. Dates read as in the messages.
  function ticketCard(ticket) {
    const status = String(ticket.status || "").replace(/[^a-z_]/g, "");
    const look = STATUS_CARDS[status] || { icon: "shield", words: ticket.status_label || status.replace(/_/g, " ") };
    const type = ticket.type_label || String(ticket.type || "").replace(/_/g, " ");
    const row = (term, value) => h("div", { class: "row" }, h("dt", { text: term }), h("dd", null, value));
    const date = (iso) => h("time", { datetime: iso, text: formatDate(iso) });
    const closed = ["completed", "rejected", "withdrawn"].includes(status);
    const rows = [row("Reference", h("span", { class: "mono", text: ticket.reference }))];
    if (closed && ticket.closed_on) rows.push(row(status === "withdrawn" ? "Withdrawn" : "Closed", date(ticket.closed_on)));
    else if (!closed && ticket.due_date) rows.push(row("Due by", date(ticket.due_date)));
    const card = h("section", { class: `ticket st-${status}`, "data-reference": ticket.reference, "aria-label": `${type} request ${ticket.reference}: ${look.words}` },
      h("div", { class: "ticket-head" }, icon(look.icon, 18),
        h("span", { class: "ticket-type", text: type }),
        h("span", { class: "status", text: capitalise(ticket.status_label || status.replace(/_/g, " ")) })),
      h("dl", null, rows));
    if (typeof ticket.outcome === "string" && ticket.outcome.trim()) {
      card.append(h("div", { class: "outcome" }, h("h3", { text: "Outcome" }), h("p", { text: ticket.outcome })));
    }
    return card;
  }

  // ---- the widget
  // `generation` changes whenever the conversation shown is replaced, so a late answer is dropped.
  const state = { sessionId: null, busy: false, expecting: null, suggest: false, restored: false, retry: null, countdown: 0, generation: 0, turns: 0, pinned: true };
  let ui = null;

  function build() {
    const host = document.createElement("privacy-bot-widget");
    const shadow = host.attachShadow({ mode: "open" });
    const sheets = [sheet(CSS), sheet(theme(config.color))];
    if (sheets[0]) shadow.adoptedStyleSheets = sheets;
    else shadow.append(h("style", { text: CSS + theme(config.color) })); // old engines without constructed sheets

    const title = h("h2", { id: "pb-title", text: config.title });
    const subtitle = h("p", { class: "sub", text: config.subtitle });
    // One name for the launcher and the panel it opens: the title, visible on both (WCAG 2.5.3).
    const launcherName = h("span", { text: config.title });
    const launcher = h("button", { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "pb-panel" },
      icon("chat", 22), launcherName);
    // A chevron where the panel floats over the page, a cross where it fills the screen.
    const close = h("button", { type: "button", class: "icon-btn close", "aria-label": "Close chat", title: "Close" }, icon("down", 22), icon("close", 22));
    // Apart from close (a slip must not cost a half-filled request), and it asks first when it would.
    const restart = h("button", { type: "button", class: "icon-btn restart", "aria-label": "Start a new conversation", title: "New conversation" }, icon("restart", 19));
    const keep = h("button", { type: "button", class: "chip", text: "Keep going" });
    const discard = h("button", { type: "button", class: "chip danger", text: "Start over" });
    const confirmBar = h("div", { class: "confirm-bar", role: "group", "aria-labelledby": "pb-confirm-text", hidden: true },
      h("p", { id: "pb-confirm-text", text: "Start a new conversation? The request you've begun will be discarded; nothing has been filed." }),
      h("div", { class: "confirm-actions" }, keep, discard));
    const notice = h("div", { class: "notice", role: "status", hidden: true }, icon("offline", 16), h("span", { text: "You're offline. Messages can't be sent until your connection is back." }));
    const log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" });
    const typing = h("div", { class: "typing", hidden: true }, h("span", { class: "sr", text: "The assistant is typing" }), h("i"), h("i"), h("i"));
    const alert = h("div", { class: "alert-slot" });
    const scroller = h("div", { class: "scroller" }, log, typing, alert);
    const choices = h("div", { class: "choices", role: "group", hidden: true });
    const hint = h("p", { class: "hint", id: "pb-hint", "aria-live": "polite" });
    const textarea = h("textarea", { id: "pb-text", rows: "1", maxlength: String(MAX_CHARS), "aria-label": "Message", "aria-describedby": "pb-hint",
      placeholder: "Ask about your personal data…", autocomplete: "off", enterkeyhint: "send" });
    const field = h("input", { id: "pb-field", type: "text", hidden: true, "aria-describedby": "pb-hint", enterkeyhint: "send", spellcheck: "false" });
    const send = h("button", { type: "submit", class: "send", "aria-label": "Send" }, icon("send", 20));
    const form = h("form", { class: "composer", novalidate: true }, h("div", { class: "field" }, textarea, field, hint), send);
    // A plain <div> heads the panel: a <header> here would be a second "banner" landmark beside the host page's.
    const panel = h("section", { class: "panel", id: "pb-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "pb-title", hidden: true },
      h("div", { class: "head" }, h("div", { class: "avatar" }, icon("shield", 20)), h("div", { class: "heading" }, title, subtitle), restart, h("span", { class: "divider", "aria-hidden": "true" }), close),
      confirmBar, notice, scroller, choices, form);
    const root = h("div", { class: `pb ${config.position}` }, panel, launcher);
    shadow.append(root);

    ui = { host, shadow, sheets, root, launcher, launcherName, panel, title, subtitle, close, restart, confirmBar, keep, discard, notice, log, typing, alert, scroller, choices, hint, textarea, field, send, form };

    launcher.addEventListener("click", () => (panel.hidden ? open() : close_()));
    close.addEventListener("click", () => close_());
    restart.addEventListener("click", () => {
      if (state.busy) return;
      if (inFlow(state.expecting)) { confirmBar.hidden = false; keep.focus(); return; }
      restartNow();
    });
    keep.addEventListener("click", () => { confirmBar.hidden = true; focusInput(); });
    discard.addEventListener("click", () => { confirmBar.hidden = true; restartNow(); });
    root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !confirmBar.hidden) { event.stopPropagation(); confirmBar.hidden = true; focusInput(); return; }
      if (event.key === "Escape" && !panel.hidden) { event.stopPropagation(); close_(); }
    });
    // While the panel is open, Tab cycles inside it: from the input on to the header's buttons,
    // the conversation and the chips, without Shift+Tab and without falling back into the page.
    panel.addEventListener("keydown", (event) => {
      if (event.key !== "Tab") return;
      const items = focusables();
      if (!items.length) return;
      const at = items.indexOf(shadow.activeElement);
      if (event.shiftKey && at <= 0) { event.preventDefault(); items[items.length - 1].focus(); }
      else if (!event.shiftKey && at === items.length - 1) { event.preventDefault(); items[0].focus(); }
    });
    // Stay anchored to the latest message while the panel changes size (an on-screen keyboard,
    // a hint under the input, a rotated phone) — unless the reader has scrolled up to read.
    scroller.addEventListener("scroll", () => {
      state.pinned = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
    }, { passive: true });
    if (window.ResizeObserver) new ResizeObserver(keepAnchor).observe(scroller);
    if (window.visualViewport) {
      window.visualViewport.addEventListener("resize", fitViewport);
      window.visualViewport.addEventListener("scroll", fitViewport);
    }
    form.addEventListener("submit", (event) => { event.preventDefault(); submit(); });
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); submit(); }
    });
    textarea.addEventListener("input", () => { autosize(); clearHint(); });
    field.addEventListener("input", clearHint);
    window.addEventListener("online", () => { notice.hidden = true; });
    window.addEventListener("offline", () => { notice.hidden = false; });
    notice.hidden = navigator.onLine !== false;
    document.body.append(host);
    if (perTab.get(openKey())) open({ focus: false });
  }

  function focusables() {
    const all = ui.panel.querySelectorAll("button, a[href], textarea, input, [tabindex='0']");
    return Array.from(all).filter((el) => !el.disabled && !el.closest("[hidden]") && el.getClientRects().length);
  }

  function restartNow() { forget(); startFresh(); focusInput(); }

  // ---- phones: the panel fills the screen, the page behind it stays still
  const fullScreen = () => window.matchMedia("(max-width:480px)").matches;
  const locked = { on: false, html: "", body: "" };
  function lockPageScroll(on) {
    const html = document.documentElement;
    const body = document.body;
    if (on && !locked.on && fullScreen()) {
      Object.assign(locked, { on: true, html: html.style.overflow, body: body.style.overflow });
      html.style.overflow = "hidden"; // CSSOM writes: allowed under a strict host CSP
      body.style.overflow = "hidden";
    } else if (!on && locked.on) {
      html.style.overflow = locked.html;
      body.style.overflow = locked.body;
      locked.on = false;
    }
  }
  // The on-screen keyboard shrinks the visual viewport, not the layout one: size the full-screen
  // panel to what is visible, so the input and the latest message stay on screen.
  function fitViewport() {
    if (!ui || ui.panel.hidden) return;
    const vv = window.visualViewport;
    if (!vv || !fullScreen()) { ui.panel.style.height = ""; ui.panel.style.top = ""; return; }
    ui.panel.style.height = `${Math.round(vv.height)}px`;
    ui.panel.style.top = `${Math.round(vv.offsetTop)}px`;
    keepAnchor();
  }
  // At the end: stay there. Reading a long last answer from its start: keep that start in view.
  function keepAnchor() {
    if (state.pinned) { scrollToEnd(); return; }
    const last = ui.log.lastElementChild;
    const s = ui.scroller;
    if (last && (last.offsetTop < s.scrollTop || last.offsetTop > s.scrollTop + s.clientHeight - 24)) s.scrollTop = last.offsetTop - 12;
  }

  function sheet(css) {
    try { const s = new CSSStyleSheet(); s.replaceSync(css); return s; } catch (e) { return null; }
  }

  function applyConfig() {
    if (!ui) return;
    ui.title.textContent = config.title;
    ui.subtitle.textContent = config.subtitle;
    ui.launcherName.textContent = config.title;
    ui.root.className = `pb ${config.position}${ui.panel.hidden ? "" : " open"}`;
    const themed = sheet(theme(config.color));
    if (themed && ui.sheets[0]) { ui.sheets[1] = themed; ui.shadow.adoptedStyleSheets = ui.sheets.slice(); }
  }

  // ---- open / close
  function open(options) {
    if (!ui) return;
    if (ui.panel.hidden) {
      ui.panel.hidden = false;
      ui.root.classList.add("open");
      ui.launcher.setAttribute("aria-expanded", "true");
      perTab.set(openKey(), "1");
      lockPageScroll(true);
      fitViewport();
      if (!state.restored) { state.restored = true; restore(); }
      scrollToEnd();
    }
    if (!options || options.focus !== false) focusInput();
  }

  function close_() {
    if (!ui || ui.panel.hidden) return;
    const hadFocus = ui.shadow.activeElement != null;
    ui.panel.hidden = true;
    ui.root.classList.remove("open");
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.confirmBar.hidden = true;
    lockPageScroll(false);
    perTab.remove(openKey());
    if (hadFocus) ui.launcher.focus();
  }

  function activeInput() { return ui.field.hidden ? ui.textarea : ui.field; }
  function focusInput() { if (ui && !ui.panel.hidden) activeInput().focus({ preventScroll: true }); }
  function autosize() {
    const t = ui.textarea;
    t.style.height = "auto"; // CSSOM property writes are allowed under a strict CSP
    t.style.height = `${Math.min(t.scrollHeight + 2, 132)}px`;
  }

  // ---- conversation state
  function forget() {
    idStore().remove(sessionKey());
    local.remove(sessionKey()); // an id an older widget kept for a guest
    state.sessionId = null;
  }

  function startFresh() {
    clearAlert();
    ui.confirmBar.hidden = true;
    ui.log.replaceChildren();
    state.generation += 1;
    addWelcome();
    setExpecting(null);
  }

  function addWelcome() {
    state.suggest = true;
    ui.log.append(h("div", { class: "msg bot" }, h("span", { class: "sr", text: "Assistant: " }), h("p", { text: WELCOME })));
  }

  async function restore() {
    state.sessionId = idStore().get(sessionKey());
    startFresh();
    if (!state.sessionId) return;
    const generation = state.generation;
    setBusy(true);
    ui.log.setAttribute("aria-live", "off"); // restoring is not news: don't read the whole history aloud
    try {
      const response = await request("GET", `/api/chat/${encodeURIComponent(state.sessionId)}/history`);
      if (generation !== state.generation) return;
      if (response.status === 404) { forget(); return; } // expired or unknown: start afresh
      if (!response.ok) throw await failure(response);
      const data = await response.json();
      if (generation === state.generation) renderHistory(Array.isArray(data.turns) ? data.turns : []);
    } catch (error) {
      if (generation !== state.generation) return;
      showAlert(describe(error, "I couldn't load our earlier conversation."), error, () => { state.restored = true; restore(); });
    } finally {
      ui.log.setAttribute("aria-live", "polite");
      setBusy(false);
      scrollToEnd();
    }
  }

  function renderHistory(turns) {
    let offered = [];
    let last = null;
    state.turns = turns.length;
    for (const [index, turn] of turns.entries()) {
      if (turn.role === "user") {
        const label = turn.text || (turn.action ? choiceLabel(turn.action, offered) : "");
        if (label) addUser(label);
      } else if (turn.role === "bot") {
        last = turn.reply && typeof turn.reply === "object" ? turn.reply : { reply: turn.text || "", citations: [], expecting: null, ticket: null };
        addBot(last, false, index);
        offered = (last.expecting && last.expecting.choices) || [];
      }
    }
    if (last) { state.suggest = false; setExpecting(last.expecting); }
  }

  function choiceLabel(action, offered) {
    const found = offered.find((c) => c.id === action);
    return found ? found.label : LOCAL_ACTIONS[action] || "";
  }

  function addUser(text) {
    ui.log.append(h("div", { class: "msg user" }, h("span", { class: "sr", text: "You: " }), h("p", { text })));
    scrollToEnd();
  }

  function addBot(reply, reveal = true, turn = null) {
    const citations = Array.isArray(reply.citations) ? reply.citations.filter((c) => c && typeof c.quote === "string") : [];
    // In a request the quotation is context, not the answer: it starts folded to a few lines.
    const message = h("div", { class: "msg bot" }, h("span", { class: "sr", text: "Assistant: " }), renderText(reply.reply || "", citations, inFlow(reply.expecting)));
    if (reply.ticket && reply.ticket.reference) {
      // Earlier cards of the same request show what it is now, too: one request, one status on screen.
      for (const old of ui.log.querySelectorAll(".ticket")) if (old.dataset.reference === reply.ticket.reference) old.replaceWith(ticketCard(reply.ticket));
      message.append(ticketCard(reply.ticket));
    }
    if (turn != null && isAnswer(reply, citations)) message.append(feedbackBar(turn));
    ui.log.append(message);
    if (reveal) revealMessage(message);
  }

  function scrollToEnd() { if (ui) { ui.scroller.scrollTop = ui.scroller.scrollHeight; state.pinned = true; } }
  function revealMessage(message) {
    // A long answer is read from its start; a short one simply scrolls into view at the bottom.
    const room = ui.scroller.clientHeight - 24;
    if (message.offsetHeight > room) ui.scroller.scrollTop = message.offsetTop - 12;
    else scrollToEnd();
  }

  // ---- feedback on an answer: helpful / not helpful, one vote per answer (a second click changes it)
  const isAnswer = (reply, citations) => (reply.intent === "question" && citations.length > 0) || reply.intent === "out_of_scope";
  function feedbackBar(turn) {
    const status = h("p", { class: "fb-status", role: "status" });
    const person = h("button", { type: "button", class: "chip fb-person", hidden: true, text: "Talk to a person",
      onclick: () => choose({ action: "start:handoff", label: "Talk to a person" }) });
    const vote = (helpful) => h("button", { type: "button", class: "fb-btn", "aria-pressed": "false",
      text: helpful ? "Helpful" : "Not helpful", onclick: () => rate(helpful) });
    const buttons = [vote(true), vote(false)];
    const bar = h("div", { class: "fb", role: "group", "aria-label": "Was this answer helpful?" },
      h("span", { class: "fb-q", "aria-hidden": "true", text: "Was this helpful?" }), ...buttons, status, person);
    async function rate(helpful) {
      if (!state.sessionId || bar.dataset.sending) return;
      const bars = ui.log.querySelectorAll(".fb");
      // The newest answer is "the latest" to the server; an older one is named by its turn index.
      const body = { turn: bars[bars.length - 1] === bar ? null : turn, helpful };
      bar.dataset.sending = "1";
      try {
        const response = await request("POST", `/api/chat/${encodeURIComponent(state.sessionId)}/feedback`, body);
        if (!response.ok) throw await failure(response);
        buttons[0].setAttribute("aria-pressed", String(helpful));
        buttons[1].setAttribute("aria-pressed", String(!helpful));
        status.textContent = helpful ? "Thanks for your feedback." : "Thanks for telling us. Would you like to talk to a person?";
        person.hidden = helpful;
      } catch (error) {
        status.textContent = "Your feedback couldn't be sent. Please try again.";
      } finally {
        delete bar.dataset.sending;
      }
    }
    return bar;
  }

  // ---- what the bot expects next: buttons and the right kind of input
  function inFlow(expecting) { return expecting && !["menu", "offer"].includes(expecting.field); }

  function setExpecting(expecting) {
    state.expecting = expecting && typeof expecting === "object" ? expecting : null;
    renderChoices();
    configureInput();
  }

  function renderChoices() {
    const exp = state.expecting;
    const items = [];
    if (exp) {
      for (const choice of exp.choices || []) {
        items.push({ label: choice.label, action: choice.id, kind: exp.kind === "confirm" && choice.id === "yes" ? "primary" : "" });
      }
      if (inFlow(exp) && exp.kind !== "confirm") items.push({ label: LOCAL_ACTIONS.cancel, action: "cancel", kind: "ghost" });
    } else if (state.suggest) {
      for (const text of SUGGESTIONS) items.push({ label: text, message: text, kind: "" });
    }
    ui.choices.replaceChildren(...items.map((item) =>
      h("button", { type: "button", class: `chip ${item.kind}`.trim(), text: item.label, onclick: () => choose(item) })));
    ui.choices.setAttribute("aria-label", !exp ? "Suggested questions" : exp.kind === "confirm" ? "Confirm" : "Options");
    ui.choices.hidden = !items.length || state.busy;
  }

  function configureInput() {
    const kind = state.expecting ? state.expecting.kind : "text";
    const hadFocus = ui.shadow.activeElement === ui.textarea || ui.shadow.activeElement === ui.field;
    const useField = kind === "email" || kind === "code";
    const f = ui.field;
    if (kind === "email") {
      Object.assign(f, { type: "email", autocomplete: "email", inputMode: "email", placeholder: "name@company.com", maxLength: 254 });
      f.setAttribute("aria-label", "Your e-mail address");
    } else if (kind === "code") {
      Object.assign(f, { type: "text", autocomplete: "one-time-code", inputMode: "numeric", placeholder: "6-digit code", maxLength: 9 });
      f.setAttribute("aria-label", "6-digit code from the e-mail");
    } else {
      ui.textarea.placeholder = !inFlow(state.expecting) ? "Ask about your personal data…"
        : kind === "text" ? "Type your answer…" : "Or type your answer…";
    }
    if (useField !== !f.hidden) {
      const from = useField ? ui.textarea : f;
      const to = useField ? f : ui.textarea;
      to.value = "";
      from.hidden = true;
      to.hidden = false;
    }
    clearHint();
    if (hadFocus) focusInput();
  }

  function clearHint() {
    ui.hint.textContent = "";
    ui.hint.classList.remove("err");
    activeInput().removeAttribute("aria-invalid");
  }
  function invalid(message) {
    const input = activeInput();
    input.setAttribute("aria-invalid", "true");
    ui.hint.textContent = message;
    ui.hint.classList.add("err");
    input.focus();
    scrollToEnd(); // the hint takes room from the conversation: keep the question it is about in view
  }

  // A sentence (a question, "my code didn't arrive") or a command goes to the bot as typed.
  const freeText = (text) => COMMANDS.test(text) || (/\s/.test(text) && /[a-z]{2}/i.test(text));

  function submit() {
    if (state.busy || state.countdown) return;
    const input = activeInput();
    const text = input.value.trim();
    if (!text) return;
    const kind = state.expecting ? state.expecting.kind : "text";
    let message = text;
    let shown = text;
    if (kind === "email" && !EMAIL_RE.test(text) && !freeText(text)) {
      invalid("That doesn't look like an e-mail address. Please type it like name@company.com.");
      return;
    }
    if (kind === "code") {
      const digits = text.replace(/[\s-]/g, "");
      if (/^\d{6}$/.test(digits)) { message = digits; shown = "••••••"; } // codes are never shown, as in the transcript
      else if (!freeText(text)) { invalid("The code has 6 digits. Please check the e-mail we sent you."); return; }
    }
    input.value = "";
    autosize();
    send({ message }, shown);
  }

  function choose(item) {
    if (state.busy || state.countdown) return;
    focusInput(); // the buttons are about to go: keep focus where typing continues
    if (item.action) send({ action: item.action }, item.label);
    else send({ message: item.message }, item.message);
  }

  function send(payload, shown) {
    state.suggest = false;
    clearAlert();
    addUser(shown);
    deliver(payload);
  }

  async function deliver(payload) {
    clearAlert();
    setBusy(true);
    const body = { session_id: state.sessionId, message: payload.message || "", action: payload.action || null, identity: config.identity };
    const generation = state.generation;
    try {
      const response = await request("POST", "/api/chat", body);
      if (!response.ok) throw await failure(response);
      const reply = await response.json();
      setBusy(false);
      if (generation !== state.generation) return; // the conversation was reset meanwhile
      if (reply.session_id !== state.sessionId) state.turns = 0; // a new conversation (or a fresh one after expiry)
      state.sessionId = reply.session_id;
      idStore().set(sessionKey(), reply.session_id);
      state.turns += body.message || body.action ? 2 : 1; // the user's turn (if any) and the bot's
      addBot(reply, true, state.turns - 1);
      setExpecting(reply.expecting);
    } catch (error) {
      setBusy(false);
      if (generation !== state.generation) return;
      showAlert(describe(error, ""), error, error.retryable === false ? null : () => deliver(payload));
    }
  }

  function setBusy(busy) {
    state.busy = busy;
    ui.send.disabled = busy;
    ui.log.setAttribute("aria-busy", String(busy));
    ui.typing.hidden = !busy;
    ui.choices.hidden = busy || !ui.choices.childElementCount;
    if (busy) scrollToEnd();
  }

  // ---- talking to the API, and what can go wrong
  async function request(method, path, body) {
    if (navigator.onLine === false) throw Object.assign(new Error("offline"), { kind: "offline" });
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
    try {
      return await fetch(API + path, {
        method, mode: "cors", credentials: "omit", cache: "no-store", signal: abort.signal,
        headers: body ? { "Content-Type": "application/json" } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (error) {
      const kind = error && error.name === "AbortError" ? "timeout" : navigator.onLine === false ? "offline" : "network";
      throw Object.assign(new Error(kind), { kind });
    } finally {
      clearTimeout(timer);
    }
  }

  async function failure(response) {
    let message = "";
    let retryAfter = 0;
    try {
      const data = await response.json();
      const err = data && data.error;
      if (err && typeof err.message === "string") message = err.message;
      if (err && Number.isFinite(err.retry_after)) retryAfter = err.retry_after;
    } catch (e) { /* not JSON: a proxy's error page */ }
    const header = parseInt(response.headers.get("Retry-After") || "", 10);
    if (Number.isFinite(header) && header > 0) retryAfter = header;
    const status = response.status;
    const kind = status === 429 ? "rate" : status >= 500 ? "server" : "client";
    return Object.assign(new Error(message || `HTTP ${status}`), {
      kind, status, message, retryAfter: kind === "rate" ? Math.min(retryAfter || DEFAULT_RETRY_SECONDS, 3600) : 0,
      retryable: kind !== "client",
    });
  }

  function describe(error, context) {
    const prefix = context ? `${context} ` : "";
    switch (error && error.kind) {
      case "offline": return `${prefix}You're offline. Check your internet connection, then try again.`;
      case "timeout": return `${prefix}The assistant is taking too long to answer. Please try again.`;
      case "rate": return error.message || "You're sending messages very quickly. Please wait a moment and try again.";
      case "server":
        return error.message && error.status !== 500
          ? error.message
          : `${prefix}Something went wrong on our side. Please try again in a moment.`;
      case "client": return error.message || "That message couldn't be sent.";
      default: return `${prefix}I couldn't reach the privacy assistant. Please check your connection and try again.`;
    }
  }

  function clearAlert() {
    if (state.retry) clearInterval(state.retry);
    state.retry = null;
    state.countdown = 0;
    ui.alert.replaceChildren();
  }

  function showAlert(text, error, retry) {
    clearAlert();
    const wait = h("span", { class: "wait" });
    const box = h("div", { class: "msg error", role: "alert" }, icon(error && error.kind === "offline" ? "offline" : "alert", 18),
      h("div", { class: "error-body" }, h("p", { text }), wait));
    if (retry) {
      const button = h("button", { type: "button", class: "retry", text: "Retry" });
      button.addEventListener("click", () => { if (!state.countdown) { clearAlert(); focusInput(); retry(); } });
      box.lastChild.append(button);
      const seconds = error && error.kind === "rate" ? error.retryAfter : 0;
      if (seconds > 0) countdown(seconds, button, wait);
    }
    ui.alert.append(box);
    renderChoices();
    scrollToEnd();
  }

  function countdown(seconds, button, wait) {
    state.countdown = seconds;
    button.disabled = true;
    const tick = () => {
      wait.textContent = state.countdown > 0 ? `You can try again in ${state.countdown} s.` : "";
      if (state.countdown <= 0) { clearInterval(state.retry); state.retry = null; button.disabled = false; return; }
      state.countdown -= 1;
    };
    tick();
    state.retry = setInterval(tick, 1000);
  }

  // ---- public API
  function init(options) {
    const before = sessionKey();
    config = normalize(Object.assign({}, config, options || {}));
    applyConfig();
    if (ui && sessionKey() !== before) {
      // Someone else signed in (or out): their conversation, not the previous person's.
      state.restored = false;
      if (!ui.panel.hidden) { state.restored = true; restore(); }
    }
    return api;
  }

  function reset() {
    forget();
    if (ui) { state.restored = !ui.panel.hidden; if (state.restored) startFresh(); }
  }

  const api = Object.freeze({ version: VERSION, init, open: () => open(), close: () => close_(), reset });
  window.PrivacyBot = api;

  const CSS = `
:host{all:initial}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.pb{--pb-text:#1b1f24;--pb-muted:#545c6a;--pb-line:#dfe3e9;--pb-soft:#f5f7fa;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--pb-text);-webkit-font-smoothing:antialiased;text-align:left}
.sr{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
button,input,textarea{font:inherit;color:inherit;margin:0}
button{cursor:pointer}
:focus-visible{outline:3px solid var(--pb-ink);outline-offset:2px}
.launcher{position:fixed;bottom:24px;right:24px;z-index:2147483000;display:inline-flex;align-items:center;gap:10px;height:56px;padding:0 22px 0 18px;border:0;border-radius:28px;background:var(--pb-accent);color:var(--pb-on-accent);font-weight:650;font-size:15.5px;letter-spacing:.01em;box-shadow:0 8px 24px rgba(9,22,56,.28),0 2px 6px rgba(9,22,56,.18);transition:transform .15s ease,box-shadow .15s ease}
.launcher:hover{transform:translateY(-2px);box-shadow:0 12px 28px rgba(9,22,56,.32),0 2px 6px rgba(9,22,56,.18)}
.launcher:focus-visible{outline-offset:3px}
.left .launcher{right:auto;left:24px}
.panel{position:fixed;bottom:96px;right:24px;z-index:2147483001;width:400px;height:min(660px,calc(100vh - 120px));min-height:360px;display:flex;flex-direction:column;background:#fff;border:1px solid rgba(9,22,56,.1);border-radius:18px;box-shadow:0 24px 60px rgba(9,22,56,.28),0 4px 12px rgba(9,22,56,.12);overflow:hidden;animation:pb-in .2s ease-out}
.left .panel{right:auto;left:24px}
@keyframes pb-in{from{opacity:0;transform:translateY(12px) scale(.98)}to{opacity:1;transform:none}}
.head{display:flex;align-items:center;gap:12px;padding:14px 10px 14px 16px;background:var(--pb-accent);color:var(--pb-on-accent)}
.head :focus-visible{outline-color:var(--pb-on-accent);outline-offset:-3px}
.divider{flex:none;width:1px;height:24px;margin:0 6px;background:currentColor;opacity:.45}
.confirm-bar{padding:12px 16px;background:#fff4e0;border-bottom:1px solid #f0d3a4;color:#3d2600;font-size:14px}
.confirm-bar p{margin:0 0 8px}
.confirm-actions{display:flex;flex-wrap:wrap;gap:8px}
.chip.danger{background:#a4161a;border-color:#a4161a;color:#fff}
.avatar{flex:none;width:38px;height:38px;border-radius:50%;display:grid;place-items:center;border:2px solid currentColor}
.heading{flex:1;min-width:0}
h2{margin:0;font-size:16.5px;font-weight:700;line-height:1.25}
.sub{margin:2px 0 0;font-size:12.5px;line-height:1.3}
.icon-btn{flex:none;width:40px;height:40px;border:0;border-radius:10px;background:transparent;color:inherit;display:grid;place-items:center}
.icon-btn:hover{background:rgba(127,127,127,.22)}
.close svg+svg{display:none}
.notice{display:flex;align-items:center;gap:8px;padding:8px 16px;background:#fff4e0;color:#5a3200;font-size:13px;border-bottom:1px solid #f0d3a4}
.scroller{position:relative;flex:1;min-height:0;overflow-y:auto;padding:18px 14px 10px;background:var(--pb-soft);overscroll-behavior:contain}
.log{display:flex;flex-direction:column;gap:12px}
.log:focus-visible{outline-offset:4px;border-radius:6px}
.msg{max-width:88%;padding:10px 14px;border-radius:16px;overflow-wrap:anywhere}
.msg p{margin:0}
.msg>*+*,.msg p+p{margin-top:8px}
.msg .sr+*{margin-top:0}
.bot{max-width:96%;align-self:flex-start;background:#fff;border:1px solid var(--pb-line);border-bottom-left-radius:5px;box-shadow:0 1px 2px rgba(9,22,56,.05)}
.user{align-self:flex-end;background:var(--pb-accent);color:var(--pb-on-accent);border-bottom-right-radius:5px;white-space:pre-wrap}
.bot a{color:var(--pb-ink);text-decoration:underline;text-underline-offset:2px}
.bot ul{margin:8px 0 0;padding-left:20px}
.bot li+li{margin-top:3px}
.quote{margin:8px 0 0;padding:2px 0 2px 12px;border-left:3px solid var(--pb-line);color:var(--pb-muted);white-space:pre-line}
.cite{margin:10px 0 0;padding:10px 12px;background:#f2f5fc;border-left:4px solid var(--pb-accent);border-radius:4px 10px 10px 4px}
.cite figcaption{display:flex;align-items:center;gap:8px;font-size:12.5px;font-weight:650;color:#343b47;line-height:1.3}
.badge{flex:none;padding:2px 7px;border-radius:5px;background:var(--pb-accent);color:var(--pb-on-accent);font-size:11.5px;font-weight:700;letter-spacing:.02em}
.cite blockquote{margin:7px 0 0;font-size:14px;line-height:1.5}
.ql{white-space:pre-line}
blockquote ul{margin:4px 0 0;padding-left:20px}
blockquote li+li{margin-top:2px}
.clamp.short{-webkit-line-clamp:3}
.cite-actions{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 16px}
.cite-actions:empty{display:none}
.source{margin-top:6px;font-size:13px;font-weight:600;color:var(--pb-ink);text-underline-offset:2px}
.cite blockquote::before{content:"\\201C"}
.cite blockquote::after{content:"\\201D"}
.clamp{display:-webkit-box;-webkit-line-clamp:6;-webkit-box-orient:vertical;overflow:hidden}
.more{margin-top:6px;padding:2px 0;border:0;background:none;color:var(--pb-ink);font-size:13px;font-weight:650;text-decoration:underline;text-underline-offset:2px}
.ticket{--st-bg:#eaf0fe;--st-ink:#0d3aa8;margin-top:12px;border:1px solid #cfd6e0;border-radius:12px;overflow:hidden;background:#fff}
.ticket.st-in_progress{--st-bg:#fff3e0;--st-ink:#7a4100}
.ticket.st-completed{--st-bg:#e9f6ee;--st-ink:#0b5a2b}
.ticket.st-rejected{--st-bg:#fdeceb;--st-ink:#a4161a}
.ticket.st-withdrawn{--st-bg:#eef0f3;--st-ink:#414955}
.ticket-head{display:flex;align-items:center;gap:8px;padding:10px 12px;background:var(--st-bg);color:var(--st-ink);font-weight:700}
.ticket-head svg{flex:none}
.ticket-type{flex:1;min-width:0}
.status{flex:none;margin-left:auto;padding:2px 10px;border-radius:999px;font-size:12px;font-weight:700;white-space:nowrap;overflow-wrap:normal;background:var(--st-ink);color:#fff}
.outcome{margin:0 12px 12px;padding:10px 12px;border-radius:8px;background:var(--st-bg);font-size:14px}
.outcome h3{margin:0 0 4px;font-size:13px;color:var(--st-ink)}
.outcome p{margin:0;white-space:pre-line}
.ticket dl{margin:0;padding:10px 12px 12px;display:grid;gap:6px}
.ticket dd{overflow-wrap:anywhere}
.row{display:grid;grid-template-columns:88px 1fr;gap:10px;font-size:14px}
.ticket dt{color:var(--pb-muted)}
.ticket dd{margin:0;font-weight:600}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;letter-spacing:.03em}
.typing{display:inline-flex;gap:5px;margin-top:12px;padding:13px 15px;background:#fff;border:1px solid var(--pb-line);border-radius:16px;border-bottom-left-radius:5px}
.typing i{width:7px;height:7px;border-radius:50%;background:#6b7482;animation:pb-dot 1.2s infinite ease-in-out both}
.typing i:nth-of-type(2){animation-delay:.15s}.typing i:nth-of-type(3){animation-delay:.3s}
@keyframes pb-dot{0%,80%,100%{opacity:.35;transform:none}40%{opacity:1;transform:translateY(-3px)}}
.alert-slot:not(:empty){margin-top:12px}
.error{max-width:none;display:flex;gap:10px;align-items:flex-start;background:#fdeceb;border:1px solid #f0bcb8;color:#7a1410;font-size:14px}
.error svg{flex:none;margin-top:2px}
.error-body{flex:1}
.wait:empty{display:none}
.wait{display:block;margin-top:4px;font-size:13px}
.retry{margin-top:8px;padding:6px 14px;border:1.5px solid #7a1410;border-radius:8px;background:#fff;color:#7a1410;font-weight:650;font-size:13.5px}
.retry:disabled{opacity:.6;cursor:default}
.retry:focus-visible{outline-color:#7a1410}
.choices{display:flex;flex-wrap:wrap;gap:8px;padding:12px 14px 2px;background:#fff;border-top:1px solid var(--pb-line);max-height:42%;overflow-y:auto}
.chip{padding:8px 14px;border:1.5px solid var(--pb-ink);border-radius:999px;background:#fff;color:var(--pb-ink);font-size:14px;font-weight:600;line-height:1.25;text-align:left}
.chip:hover{background:#eef2fc}
.chip.primary{background:var(--pb-accent);border-color:var(--pb-accent);color:var(--pb-on-accent)}
.chip.primary:hover{filter:brightness(.93)}
.chip.ghost{border-color:#7b8494;color:var(--pb-muted)}
.composer{display:flex;align-items:flex-end;gap:8px;padding:10px 14px 14px;background:#fff}
.choices[hidden]+.composer{border-top:1px solid var(--pb-line)}
.field{flex:1;min-width:0}
textarea,input{display:block;width:100%;min-height:46px;max-height:132px;padding:11px 14px;border:1.5px solid #7b8494;border-radius:12px;background:#fff;color:var(--pb-text);font-size:15px;line-height:1.4;resize:none;outline:none}
textarea::placeholder,input::placeholder{color:#6b7380}
textarea:focus,input:focus{border-color:var(--pb-ink);box-shadow:0 0 0 3px color-mix(in srgb,var(--pb-ink) 25%,transparent)}
[aria-invalid=true]{border-color:#b3261e}
.hint{margin:0;font-size:13px;color:var(--pb-muted)}
.hint:not(:empty){margin-top:6px}
.hint.err{color:#b3261e}
.send{flex:none;width:46px;height:46px;border:0;border-radius:12px;background:var(--pb-accent);color:var(--pb-on-accent);display:grid;place-items:center}
.send:disabled{background:#c9ced6;color:#3f4652;cursor:default}
.fb{display:flex;flex-wrap:wrap;align-items:center;gap:6px 8px;margin-top:10px;padding-top:8px;border-top:1px solid var(--pb-line);font-size:13px;color:var(--pb-muted)}
.fb-btn{padding:4px 10px;border:1.5px solid #7b8494;border-radius:999px;background:#fff;color:var(--pb-text);font-size:13px;font-weight:600}
.fb-btn:hover{background:#eef2fc}
.fb-btn[aria-pressed=true]{background:var(--pb-accent);border-color:var(--pb-accent);color:var(--pb-on-accent)}
.fb-status{flex-basis:100%;margin:0}
.fb-status:empty{display:none}
.fb-person{font-size:13px;padding:6px 12px}
@media (max-width:480px){
.panel{inset:0;width:100%;height:100%;height:100dvh;min-height:0;border:0;border-radius:0;animation:none}
.head{padding-top:calc(14px + env(safe-area-inset-top,0px));padding-left:calc(16px + env(safe-area-inset-left,0px));padding-right:calc(10px + env(safe-area-inset-right,0px))}
.composer{padding-bottom:calc(14px + env(safe-area-inset-bottom,0px));padding-left:calc(14px + env(safe-area-inset-left,0px));padding-right:calc(14px + env(safe-area-inset-right,0px))}
.scroller,.choices{padding-left:calc(14px + env(safe-area-inset-left,0px));padding-right:calc(14px + env(safe-area-inset-right,0px))}
.open .launcher{display:none}
.close svg{display:none}.close svg+svg{display:block}
.launcher{bottom:calc(16px + env(safe-area-inset-bottom,0px));right:calc(16px + env(safe-area-inset-right,0px))}.left .launcher{left:calc(16px + env(safe-area-inset-left,0px))}
textarea,input{font-size:16px}
.msg{max-width:94%}
}
@media (max-height:560px){.choices{flex-wrap:nowrap;overflow-x:auto;overflow-y:hidden;padding-bottom:8px}.chip{flex:none}}
@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important}}
@media (forced-colors:active){.launcher,.send,.chip,.msg,.panel{border:1px solid CanvasText}}
`;

  // An async script may run before <body> exists.
  if (document.body) build();
  else document.addEventListener("DOMContentLoaded", build, { once: true });
  document.dispatchEvent(new CustomEvent("privacybot:ready"));
})();
