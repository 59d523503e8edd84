// Blend weights and half-life sliders (engine.configure), and the time controls.

import { h } from './dom.js';
import { clockTime, fullTime, duration } from './format.js';

export const WEIGHT_CONTROLS = [
  { name: 'server', label: 'Server score (popularity)' },
  { name: 'longTerm', label: 'Long-term interest' },
  { name: 'shortTerm', label: 'Short-term interest' },
  { name: 'attention', label: 'Attention to recent events' },
  { name: 'sequence', label: 'Sequence model (what people read next)' },
  { name: 'negative', label: 'Skips and hides (subtracted)' },
];

/** Half-life choices in minutes: a log-like scale from a minute to a day. */
export const HALF_LIVES = [1, 5, 10, 30, 60, 180, 720, 1440];

function halfLifeText(minutes) {
  return duration(minutes * 60_000);
}

function nearestHalfLife(minutes) {
  let best = 0;
  HALF_LIVES.forEach((m, i) => {
    if (Math.abs(Math.log(m / minutes)) < Math.abs(Math.log(HALF_LIVES[best] / minutes))) best = i;
  });
  return best;
}

export class SettingsControls {
  #inputs = new Map(); // name -> { input, output }
  #halfLife;
  #halfLifeOutput;

  /**
   * `host`: an element to fill. onChange(changes, { final }) is called on every move
   * (final: false, so the feed follows the slider) and once when it is released (final: true).
   */
  constructor(host, { settings, onChange, onReset }) {
    const list = h('div', { class: 'sliders' });
    for (const { name, label } of WEIGHT_CONTROLS) {
      const id = `weight-${name}`;
      const input = h('input', {
        type: 'range', id, name, min: '0', max: '3', step: '0.1', 'data-testid': id,
      });
      const output = h('output', { for: id, class: 'slider-value' });
      const handler = (event) => {
        const value = Number(input.value);
        output.textContent = value.toFixed(1);
        onChange({ weights: { [name]: value } }, { final: event.type === 'change' });
      };
      input.addEventListener('input', handler);
      input.addEventListener('change', handler);
      list.append(h('div', { class: 'slider' }, h('label', { for: id }, label), input, output));
      this.#inputs.set(name, { input, output });
    }
    this.#halfLife = h('input', {
      type: 'range', id: 'half-life', min: '0', max: String(HALF_LIVES.length - 1), step: '1', 'data-testid': 'half-life',
    });
    this.#halfLifeOutput = h('output', { for: 'half-life', class: 'slider-value' });
    const onHalfLife = (event) => {
      const minutes = HALF_LIVES[Number(this.#halfLife.value)];
      this.#showHalfLife(minutes);
      onChange({ halfLifeMinutes: minutes }, { final: event.type === 'change' });
    };
    this.#halfLife.addEventListener('input', onHalfLife);
    this.#halfLife.addEventListener('change', onHalfLife);
    list.append(h('div', { class: 'slider' },
      h('label', { for: 'half-life' }, 'Short-term half-life'), this.#halfLife, this.#halfLifeOutput));
    const reset = h('button', { type: 'button', 'data-testid': 'reset-settings', on: { click: onReset } }, 'Reset to defaults');
    host.append(list, reset);
    this.set(settings);
  }

  #showHalfLife(minutes) {
    const text = halfLifeText(minutes);
    this.#halfLifeOutput.textContent = text;
    this.#halfLife.setAttribute('aria-valuetext', text);
  }

  /** Shows `settings` ({ weights, halfLifeMinutes }) without firing onChange. */
  set(settings) {
    for (const [name, { input, output }] of this.#inputs) {
      input.value = String(settings.weights[name]);
      output.textContent = Number(settings.weights[name]).toFixed(1);
    }
    this.#halfLife.value = String(nearestHalfLife(settings.halfLifeMinutes));
    this.#showHalfLife(settings.halfLifeMinutes);
  }
}

export class ClockView {
  #time;
  #lead;

  constructor({ time, lead, hour, day, onAdvance }) {
    this.#time = time;
    this.#lead = lead;
    hour.addEventListener('click', () => onAdvance(3_600_000, '1 hour'));
    day.addEventListener('click', () => onAdvance(86_400_000, '1 day'));
  }

  /** Shows the session's clock: its time and how far it was fast-forwarded. */
  update(session) {
    const time = session.now;
    this.#time.textContent = clockTime(time);
    this.#time.dateTime = new Date(time).toISOString();
    this.#time.title = `${fullTime(time)}. The demo clock moves with your actions and these buttons.`;
    const forwarded = session.forwarded;
    this.#lead.textContent = forwarded > 0 ? `(fast-forwarded ${duration(forwarded)})` : '';
  }
}
