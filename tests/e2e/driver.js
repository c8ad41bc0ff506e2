#!/usr/bin/env node
// Drives the Microsoft 365 Agents Playground page in headless Chromium for the e2e tests.
//
// A long-lived process: one JSON request per line on stdin ({"id", "cmd", ...args}), one
// JSON answer per line on stdout ({"id", "ok": true, "result"} or {"id", "ok": false,
// "error"}). Diagnostics go to stderr. Uses Debian's Chromium (CHROMIUM, default
// /usr/bin/chromium) through the npm package playwright-core: no browser download.
//
// Every wait is on a condition (a card with these texts is visible), never a fixed sleep.
'use strict';

const readline = require('node:readline');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

let browser = null;
let context = null;
let page = null;
let baseUrl = null;
const frames = []; // what the Playground pushed to the page over its conversation WebSocket
const pageErrors = [];
let defaultTimeout = 20000;
let clicks = 0;
let current = 'Personal Chat'; // the conversation the page shows (it opens on this one)

// ---- In-page helpers (run inside the Playground page) --------------------------------------

// Top-level Adaptive Cards of the open conversation, oldest first. A ShowCard's inner card is
// also an .ac-adaptiveCard; it is part of its parent, not a message of its own.
function topCardsJs() {
  return [...document.querySelectorAll('.ac-adaptiveCard')].filter(
    (el) => !el.parentElement || !el.parentElement.closest('.ac-adaptiveCard'),
  );
}

async function findCard(texts, { timeout, fresh = false, clicked = null } = {}) {
  // Waits until a top-level card's visible text contains every one of `texts` and marks the
  // newest such card with data-e2e="card". `fresh`: only cards that were not there when the
  // last message was sent; `clicked`: only the card whose button `click` pressed (the same
  // element, so an update in place and not a new message). Returns its index, the card count
  // and its text.
  const handle = await page.waitForFunction(
    ({ texts, fresh, clicked, topCardsSrc }) => {
      const topCards = new Function(`return (${topCardsSrc})()`);
      const cards = topCards();
      // Newest first: in a chat the newest message is at the bottom, in a channel on top.
      const order = cards.map((el, i) => i);
      order.sort((a, b) => Number(cards[b].dataset.e2eBorn || 0) - Number(cards[a].dataset.e2eBorn || 0) || b - a);
      for (const i of order) {
        const el = cards[i];
        if (fresh && el.dataset.e2eSeen) continue;
        if (clicked && el.dataset.e2eClicked !== clicked) continue;
        const text = el.innerText;
        if (texts.every((t) => text.includes(t))) {
          document.querySelectorAll('[data-e2e="card"]').forEach((c) => c.removeAttribute('data-e2e'));
          el.setAttribute('data-e2e', 'card');
          return { index: i, count: cards.length, text };
        }
      }
      return null;
    },
    { texts, fresh, clicked, topCardsSrc: topCardsJs.toString() },
    { timeout: timeout || defaultTimeout, polling: 100 },
  );
  return handle.jsonValue();
}

// Cards on the page now are not "fresh": what the next message brings is.
async function markSeen() {
  await page.evaluate((src) => {
    new Function(`return (${src})()`)().forEach((el) => { el.dataset.e2eSeen = '1'; });
  }, topCardsJs.toString());
}

// The input of the newest card showing `texts` whose label reads `label` (without the " *" of
// a required field): its container (.ac-input-container) is marked data-e2e-field and returned.
async function fieldOf(texts, label, clicked) {
  await findCard(texts, { clicked });
  const found = await page.evaluate((label) => {
    document.querySelectorAll('[data-e2e-field]').forEach((el) => el.removeAttribute('data-e2e-field'));
    const card = document.querySelector('[data-e2e="card"]');
    for (const el of card.querySelectorAll('label')) {
      if (el.innerText.replace(/\s*\*\s*$/, '').trim() !== label) continue;
      const box = el.parentElement && el.parentElement.querySelector(':scope > .ac-input-container');
      if (box) {
        box.setAttribute('data-e2e-field', '1');
        return true;
      }
    }
    return false;
  }, label);
  if (!found) throw new Error(`no input labelled ${JSON.stringify(label)} in the card ${JSON.stringify(texts)}`);
  return page.locator('[data-e2e-field="1"]');
}

// What a field shows now: its text or date box, the chosen option, or the people picked.
async function shownIn(field) {
  return field.evaluate((box) => {
    if (box.querySelector('.ms-BasePicker')) {
      // The people picked, by name (each shows initials, name and a second line).
      return [...box.querySelectorAll('.ms-PickerPersona-container')]
        .map((el) => (el.querySelector('[dir="auto"]') || el).innerText.trim())
        .join(', ');
    }
    const input = box.querySelector('textarea, input:not([type="checkbox"]):not([type="radio"])');
    return input ? input.value : '';
  });
}

async function cardTexts() {
  return page.evaluate((src) => new Function(`return (${src})()`)().map((el) => el.innerText), topCardsJs.toString());
}

// ---- Commands -------------------------------------------------------------------------------

const commands = {
  async open({ url, width = 1280, height = 1000, timeout }) {
    if (timeout) defaultTimeout = timeout;
    baseUrl = url.replace(/\/$/, '');
    // Playwright gives every launch a fresh temporary profile (--user-data-dir) of its own.
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
    context = await browser.newContext({ viewport: { width, height }, locale: 'en-US' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
    // Stamps each card with the order in which it appeared, to tell the newest one (a chat
    // adds messages at the bottom, a channel adds posts on top).
    await context.addInitScript(() => {
      let born = 0;
      const stamp = () => {
        document.querySelectorAll('.ac-adaptiveCard:not([data-e2e-born])').forEach((el) => {
          born += 1;
          el.dataset.e2eBorn = String(born);
        });
      };
      new MutationObserver(stamp).observe(document, { childList: true, subtree: true });
    });
    page = await context.newPage();
    page.setDefaultTimeout(defaultTimeout);
    page.on('pageerror', (error) => pageErrors.push(String(error).slice(0, 300)));
    page.on('websocket', (ws) => {
      if (!ws.url().includes('_ws_conversation')) return;
      ws.on('framereceived', ({ payload }) => {
        try {
          const frame = JSON.parse(String(payload));
          if (frame.action && frame.message) {
            frames.push({
              action: frame.action,
              conversationId: frame.actionConversationId,
              messageId: frame.message.messageId,
              text: JSON.stringify(frame.message.attachments || frame.message.text || ''),
            });
          }
        } catch (error) { /* not JSON: not ours */ }
      });
    });
    await page.goto(baseUrl + '/');
    await page.getByRole('treeitem', { name: 'Personal Chat' }).waitFor();
    return { title: await page.title() };
  },

  async select({ name }) {
    // A conversation of the left pane: "Personal Chat", "Group Chat", "My Team - General"...
    // Switching replaces the message list: wait until the old conversation's cards are gone.
    const switching = name !== current;
    if (switching) {
      await page.evaluate((src) => {
        new Function(`return (${src})()`)().forEach((el) => { el.dataset.e2eOld = '1'; });
      }, topCardsJs.toString());
    }
    await page.getByRole('treeitem', { name, exact: true }).click();
    if (switching) {
      await page.waitForFunction(() => !document.querySelector('[data-e2e-old]'), null, {
        timeout: defaultTimeout, polling: 50,
      });
      current = name;
    }
    await page.locator('[data-lexical-editor="true"]').first().waitFor();
    return {};
  },

  async send({ text, mention }) {
    await markSeen();
    const editor = page.locator('[data-lexical-editor="true"]').first();
    await editor.click();
    if (mention) {
      // As a person does it: type @ and part of the name, pick the bot from the suggestions.
      await page.keyboard.type('@' + mention.slice(0, 4));
      await page.getByRole('listbox').getByText(mention, { exact: true }).click();
      await page.keyboard.type(' ');
    }
    await page.keyboard.insertText(text);
    const post = page.getByRole('button', { name: 'Post', exact: true });
    if (await post.isVisible()) await post.click();
    else await page.keyboard.press('Enter');
    // The message is sent once the editor is empty again.
    await page.waitForFunction(
      () => {
        const el = document.querySelector('[data-lexical-editor="true"]');
        return el && el.innerText.trim() === '';
      },
      null,
      { timeout: defaultTimeout, polling: 100 },
    );
    return {};
  },

  async wait_card({ texts, timeout, fresh, clicked }) {
    return findCard(texts, { timeout, fresh, clicked });
  },

  async mark_seen() {
    await markSeen();
    return {};
  },

  async cards() {
    return { texts: await cardTexts() };
  },

  async wait_card_count({ count, timeout }) {
    await page.waitForFunction(
      ({ count, src }) => new Function(`return (${src})()`)().length === count,
      { count, src: topCardsJs.toString() },
      { timeout: timeout || defaultTimeout, polling: 100 },
    );
    return { count };
  },

  async click({ texts, button, within, timeout, fresh }) {
    // Clicks the button named `button` in the newest card showing all `texts`; with `within`,
    // the one in the innermost part of that card that shows `within` (e.g. a task's title).
    // Only a button a person can see: one in a part the card keeps folded is not clicked.
    const found = await findCard(texts, { timeout, fresh });
    clicks += 1;
    const token = `click-${clicks}`;
    const marked = await page.evaluate(({ button, within, token }) => {
      const card = document.querySelector('[data-e2e="card"]');
      card.dataset.e2eClicked = token;
      const scopes = within
        ? [...card.querySelectorAll('.ac-container')].filter((el) => el.innerText.includes(within))
        : [card];
      for (const scope of scopes.reverse()) {
        const target = [...scope.querySelectorAll('button, [role="button"]')].find(
          (el) => el.checkVisibility() && (el.getAttribute('aria-label') || el.innerText).trim() === button,
        );
        if (target) {
          target.setAttribute('data-e2e-target', '1');
          return true;
        }
      }
      return false;
    }, { button, within: within || null, token });
    if (!marked) throw new Error(`no visible button ${JSON.stringify(button)} in the card ${JSON.stringify(texts)}`);
    const target = page.locator('[data-e2e-target="1"]');
    await target.click();
    // Not through `target`: the card may already be re-rendered without it, and a locator
    // would wait for the element to come back.
    await page.evaluate(() => {
      document.querySelectorAll('[data-e2e-target]').forEach((el) => el.removeAttribute('data-e2e-target'));
    });
    return { ...found, clicked: token };
  },

  async fill({ texts, label, value, clicked }) {
    // Types `value` into the text, multi-line or date input labelled `label`, as a person
    // does: click into it, replace what is there, type. A date box (Input.Date, a date picker
    // that also takes typed dates) reads the typed date on Enter; its calendar is then closed.
    const field = await fieldOf(texts, label, clicked);
    const input = field.locator('textarea, input:not([type="checkbox"]):not([type="radio"])').first();
    const isDate = (await field.locator('.fui-DatePicker').count()) > 0;
    const calendar = page.getByRole('dialog').filter({ has: page.getByRole('grid') });
    await input.click();
    if (isDate) {
      // A click opens the calendar and moves the focus into it: close it to type instead.
      await calendar.waitFor({ state: 'visible' });
      await page.keyboard.press('Escape');
      await calendar.waitFor({ state: 'hidden' });
    }
    await input.press('Control+A');
    await input.press('Delete');
    await input.pressSequentially(value);
    if (isDate) {
      await input.press('Enter');
      const open = page.locator('[role="dialog"]:visible').filter({ has: page.getByRole('grid') });
      if ((await open.count()) > 0) await page.keyboard.press('Escape');
      await calendar.waitFor({ state: 'hidden' });
      // Parsed: the box shows the date in its own words (e.g. "March 2, 2026"), not as typed.
      await page.waitForFunction(
        ({ typed }) => {
          const el = document.querySelector('[data-e2e-field="1"] input');
          return el && el.value.trim() !== '' && el.value !== typed;
        },
        { typed: value },
        { timeout: defaultTimeout, polling: 50 },
      );
    }
    return { shown: await shownIn(field) };
  },

  async choose({ texts, label, option, clicked }) {
    // Picks `option` in the drop-down (compact Input.ChoiceSet) or the people picker
    // (Input.ChoiceSet with choices.data) labelled `label`, as a person does: open the list,
    // or type the start of the name until the person is suggested, then click the entry.
    const field = await fieldOf(texts, label, clicked);
    if ((await field.locator('.ms-BasePicker').count()) > 0) {
      const persona = field.locator('.ms-PickerPersona-container');
      if ((await persona.count()) === 1 && (await shownIn(field)) === option) return { shown: option };
      // It takes one person: whoever is picked already is removed first (their x button).
      while ((await persona.count()) > 0) {
        const before = await persona.count();
        await persona.first().locator('button').click();
        await page.waitForFunction(
          (n) => document.querySelectorAll('[data-e2e-field="1"] .ms-PickerPersona-container').length < n,
          before,
          { timeout: defaultTimeout, polling: 50 },
        );
      }
      const input = field.locator('input[role="combobox"]');
      await input.click();
      const suggestion = page.locator('.ms-Suggestions [role="option"]').filter({ hasText: option });
      let shown = false;
      for (const char of option) {
        // Typed into what the picker completed (the rest of a name, selected), as a person
        // typing on would.
        await input.pressSequentially(char);
        try {
          await suggestion.first().waitFor({ state: 'visible', timeout: 2000 });
          shown = true;
          break;
        } catch (error) { /* not suggested yet: type the next letter */ }
      }
      if (!shown) throw new Error(`the people picker ${JSON.stringify(label)} never suggested ${option}`);
      await suggestion.first().click();
      await field.locator('.ms-PickerPersona-container').filter({ hasText: option }).waitFor();
    } else {
      await field.locator('[role="combobox"]').first().click();
      await page.getByRole('option', { name: option, exact: true }).click();
      await page.waitForFunction(
        ({ option }) => {
          const el = document.querySelector('[data-e2e-field="1"] [role="combobox"]');
          return el && (el.value || el.innerText).includes(option);
        },
        { option },
        { timeout: defaultTimeout, polling: 50 },
      );
      if ((await page.locator('[role="listbox"]:visible').count()) > 0) await page.keyboard.press('Escape');
    }
    return { shown: await shownIn(field) };
  },

  async shown({ texts, label, clicked }) {
    // What the input labelled `label` shows now.
    return { shown: await shownIn(await fieldOf(texts, label, clicked)) };
  },

  async custom_activity({ activity }) {
    await markSeen();
    // The Playground's own way to send any activity: Mock an Activity > Custom activity, an
    // editor prefilled with a template for the open conversation, replaced here by `activity`.
    await page.getByRole('button', { name: 'Mock an Activity' }).click();
    await page.getByRole('menuitem', { name: 'Custom activity' }).click();
    const dialog = page.getByRole('dialog');
    const lines = dialog.locator('.monaco-editor .view-lines');
    // Prefilled with the template once the editor shows its first fields.
    await page.waitForFunction(
      () => {
        const el = document.querySelector('[role="dialog"] .monaco-editor .view-lines');
        return el && el.innerText.includes('serviceUrl');
      },
      null,
      { timeout: defaultTimeout, polling: 100 },
    );
    await lines.click();
    await page.keyboard.press('Control+A');
    // Pasted, not typed: the editor would auto-close brackets and re-indent typed JSON.
    const json = JSON.stringify(activity, null, 2);
    await page.evaluate((value) => navigator.clipboard.writeText(value), json);
    await page.keyboard.press('Control+V');
    const sent = page.waitForRequest(
      (r) => r.url().includes('/_internal/v1/customActivities') && r.method() === 'POST',
    );
    await dialog.getByRole('button', { name: 'Send activity' }).click();
    const request = await sent;
    const response = await request.response();
    // What the dialog sent must be exactly what was pasted.
    if (JSON.stringify(request.postDataJSON()) !== JSON.stringify(activity)) {
      throw new Error(`the dialog sent ${request.postData().slice(0, 500)}`);
    }
    await dialog.waitFor({ state: 'hidden' });
    return { status: response ? response.status() : null };
  },

  async frames({ since = 0 }) {
    return { frames: frames.slice(since), total: frames.length };
  },

  async images({ texts, clicked }) {
    // The card's pictures once each has loaded or failed: address and natural size (0 × 0
    // when the page could not load it).
    await findCard(texts, { clicked });
    const images = await page.locator('[data-e2e="card"]').evaluate(async (el) => {
      const imgs = [...el.querySelectorAll('img')];
      await Promise.all(imgs.map((img) => (img.complete ? null : new Promise((done) => {
        img.addEventListener('load', done);
        img.addEventListener('error', done);
      }))));
      return imgs.map((img) => ({ src: img.src, width: img.naturalWidth, height: img.naturalHeight }));
    });
    return { images };
  },

  async screenshot({ file, texts, clicked, margin = 16, fullPage = false }) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (!texts) {
      await page.screenshot({ path: file, fullPage });
      return { file };
    }
    await findCard(texts, { clicked });
    const card = page.locator('[data-e2e="card"]');
    // Make the window tall enough for the whole card, so nothing is cut off by the chat pane.
    const viewport = page.viewportSize();
    const box0 = await card.boundingBox();
    const needed = Math.ceil(box0.height + 320);
    if (needed > viewport.height) await page.setViewportSize({ width: viewport.width, height: needed });
    try {
      await card.scrollIntoViewIfNeeded();
      // The message around the card (sender, time) belongs in the picture too.
      const box = await card.boundingBox();
      const size = page.viewportSize();
      const top = margin + 24; // the sender and time above the card
      const left = margin + 12; // where the sender's name starts
      const x = Math.max(0, box.x - left);
      const y = Math.max(0, box.y - top);
      const clip = {
        x, y,
        width: Math.min(size.width - x, box.width + left + margin),
        height: Math.min(size.height - y, box.height + top + margin + 24),
      };
      await page.screenshot({ path: file, clip });
    } finally {
      if (needed > viewport.height) await page.setViewportSize(viewport);
    }
    return { file };
  },

  async errors() {
    return { pageErrors };
  },

  async close() {
    if (browser) await browser.close();
    browser = null;
    return {};
  },
};

// ---- Protocol -------------------------------------------------------------------------------

function reply(message) {
  process.stdout.write(JSON.stringify(message) + '\n');
}

const rl = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
rl.on('line', (line) => {
  if (!line.trim()) return;
  queue = queue.then(async () => {
    let request;
    try {
      request = JSON.parse(line);
    } catch (error) {
      reply({ id: null, ok: false, error: `bad request: ${error}` });
      return;
    }
    const { id, cmd, ...args } = request;
    const handler = commands[cmd];
    if (!handler) {
      reply({ id, ok: false, error: `unknown command ${cmd}` });
      return;
    }
    try {
      reply({ id, ok: true, result: await handler(args) });
    } catch (error) {
      reply({ id, ok: false, error: String(error && error.message ? error.message : error).slice(0, 2000) });
    }
  });
});
rl.on('close', () => {
  queue.then(() => commands.close()).finally(() => process.exit(0));
});
