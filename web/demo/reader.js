// The "open" view: a modal <dialog> showing an item. The time it stays open is the
// dwell: closing it (button, Esc) reports the seconds so the page can send the engine
// a dwell event. <dialog> gives focus trapping and Esc for free.

import { h } from './dom.js';
import { topicBadge, topicClass } from './topics.js';

export class Reader {
  #dialog;
  #session;
  #onLike;
  #onClose;
  #id = null;
  #opened = 0;
  #timer = 0;
  #body;
  #timerText;
  #likeButton;

  constructor(dialog, { session, onLike, onClose }) {
    this.#dialog = dialog;
    this.#session = session;
    this.#onLike = onLike;
    this.#onClose = onClose;
    this.#body = dialog.querySelector('[data-part="body"]');
    this.#timerText = dialog.querySelector('[data-part="timer"]');
    this.#likeButton = dialog.querySelector('[data-part="like"]');
    dialog.querySelector('[data-part="close"]').addEventListener('click', () => dialog.close());
    this.#likeButton.addEventListener('click', () => {
      if (this.#id === null) return;
      this.#onLike(this.#id);
      this.#likeButton.disabled = true;
      this.#likeButton.textContent = 'Liked';
    });
    dialog.addEventListener('close', () => this.#closed());
  }

  get openId() {
    return this.#id;
  }

  open(id) {
    const item = this.#session.byId.get(id);
    const topic = this.#session.catalog.topics[item.topic];
    this.#id = id;
    this.#body.replaceChildren(
      h('p', { class: 'reader-topic' }, topicBadge(topic, item.topic), h('span', { class: `chip ${topicClass(item.topic)}` }, topic),
        item.tags.length ? h('span', { class: 'tags' }, item.tags.join(' · ')) : null),
      h('h2', { id: 'reader-title' }, item.title),
      h('p', {}, `A stand-in article about ${topic.toLowerCase()} from the demo catalog. Opening it told the engine ` +
        'you clicked it; how long you keep it open is a signal too. When you close it, the engine gets a dwell ' +
        'event with the seconds you spent (0.1 per second, at most 3: as much as a click and a like).'));
    this.#likeButton.disabled = false;
    this.#likeButton.textContent = 'Like';
    this.#opened = performance.now();
    this.#tick();
    this.#timer = setInterval(() => this.#tick(), 1000);
    this.#dialog.showModal();
  }

  #seconds() {
    return (performance.now() - this.#opened) / 1000;
  }

  #tick() {
    this.#timerText.textContent = `Open for ${Math.floor(this.#seconds())} s`;
  }

  #closed() {
    clearInterval(this.#timer);
    const id = this.#id;
    if (id === null) return;
    this.#id = null;
    this.#onClose(id, this.#seconds());
  }
}
